//! From table rows to document lines: quantity, unit, unit price, amount,
//! description, item number, VAT rate and a per-line order reference.
//!
//! Values are read by column; then quantity × unit price is checked against
//! the amount. When the columns do not add up (headers rarely align exactly
//! with right-aligned numbers), the row's numbers are searched for the triple
//! that does, which is then trusted more than the columns.

use docket_domain::{Currency, Line, Money};
use rust_decimal::Decimal;

use super::found::{CHECKED, Found};
use super::header::order_numbers;
use super::labels::{LabelKind, compact};
use super::numbers::{find_amounts, parse_percent};
use super::table::{Col, Table, column_at, overlap_vertically};
use super::triple::{self, Cand, Layout};
use super::view::View;

/// Confidence of a value read from a labelled column without an arithmetic check.
const BY_COLUMN: f32 = 0.75;
/// Confidence of quantity, price and amount that no arithmetic confirms.
const UNCHECKED: f32 = 0.65;
/// Confidence of values found by the arithmetic search alone.
const BY_ARITHMETIC: f32 = 0.9;

/// A number in a row: where it stands and what it is worth.
#[derive(Debug, Clone)]
struct Num {
    line: usize,
    start: usize,
    end: usize,
    value: Decimal,
    decimals: u32,
    col: Col,
}

/// The domain lines of a table.
pub fn read(view: &View, table: &Table, currency: Currency) -> Vec<Line> {
    table
        .rows
        .iter()
        .filter_map(|row| read_row(view, table, row, currency))
        .collect()
}

fn read_row(view: &View, table: &Table, row: &[usize], currency: Currency) -> Option<Line> {
    let first = row[0];
    let l = &view.lines[first];
    let texts = l.texts();
    let cols = &table.columns;
    let col_of = |line: usize, s: usize, e: usize| {
        let b = view.lines[line].bbox_of(s, e);
        cols[column_at(cols, b.x0, b.x1)].col
    };
    let nums: Vec<Num> = find_amounts(&texts, view.notation)
        .into_iter()
        .map(|m| Num {
            line: first,
            start: m.start,
            end: m.end,
            value: m.value,
            decimals: m.decimals,
            col: col_of(first, m.start, m.end),
        })
        .collect();
    let nums = with_overlapping_cells(view, row, nums, col_of);
    // Numbers inside the description or item number ("A4", "16 GB") are text,
    // unless the columns turn out not to add up (see `search`). Gross figures
    // are never net ones: left out, so that the arithmetic cannot pick
    // quantity × gross price = gross amount.
    let (text_nums, kept): (Vec<Num>, Vec<Num>) = nums
        .into_iter()
        .filter(|n| n.col != Col::Gross)
        .partition(|n| {
            matches!(
                n.col,
                Col::Description | Col::ItemId | Col::ItemOrDescription
            )
        });
    let mut nums = kept;
    let in_num = |k: usize, nums: &[Num]| {
        nums.iter()
            .any(|n| n.line == first && (n.start..n.end).contains(&k))
    };

    let mut line = Line::default();
    let mut description: Vec<(usize, usize)> = Vec::new();
    let mut rate = None;
    for (k, &t) in texts.iter().enumerate() {
        if in_num(k, &nums) {
            continue;
        }
        match col_of(first, k, k + 1) {
            Col::VatRate => rate = rate.or_else(|| parse_percent(t, view.notation).map(|r| (k, r))),
            Col::Unit if line.unit.is_none() => {
                line.unit =
                    Some(Found::words(view, first, k, k + 1, t.to_string(), BY_COLUMN).into_field())
            }
            Col::Quantity
                if line.unit.is_none()
                    && k > 0
                    && in_num(k - 1, &nums)
                    && t.chars().any(char::is_alphabetic) =>
            {
                line.unit = Some(
                    Found::words(view, first, k, k + 1, t.to_string(), BY_COLUMN).into_field(),
                );
            }
            Col::Position
                if line.id.is_none()
                    && t.trim_end_matches('.').bytes().all(|b| b.is_ascii_digit())
                    && !t.starts_with('.') =>
            {
                line.id = Some(
                    Found::words(
                        view,
                        first,
                        k,
                        k + 1,
                        t.trim_end_matches('.').to_string(),
                        BY_COLUMN,
                    )
                    .into_field(),
                );
            }
            Col::ItemId if line.seller_item_id.is_none() => {
                line.seller_item_id = Some(
                    Found::words(view, first, k, k + 1, t.to_string(), BY_COLUMN).into_field(),
                );
            }
            _ if t.starts_with('%') || super::numbers::currency_token(t).is_some() => {}
            // Words in number columns ("/ st" after a price) are not the description.
            Col::Quantity
            | Col::Unit
            | Col::UnitPrice
            | Col::Amount
            | Col::Discount
            | Col::PriceBase
            | Col::Gross => {}
            _ => description.push((first, k)),
        }
    }
    // Rate columns hold "19" or "19,0" without a sign: a whole number there is a rate.
    if rate.is_none()
        && let Some(n) = nums.iter().find(|n| n.col == Col::VatRate)
    {
        rate = Some((n.start, n.value));
    }
    nums.retain(|n| n.col != Col::VatRate);
    if let Some(pos) = nums
        .iter()
        .position(|n| n.col == Col::Position && n.decimals == 0)
    {
        let n = nums.remove(pos);
        line.id.get_or_insert(
            Found::words(view, first, n.start, n.end, n.value.to_string(), BY_COLUMN).into_field(),
        );
    }
    // The amount may stand on a wrapped line of its own.
    if !nums.iter().any(|n| n.col == Col::Amount) {
        for &cont in &row[1..] {
            let ct = view.lines[cont].texts();
            if let Some(m) = find_amounts(&ct, view.notation)
                .into_iter()
                .find(|m| m.decimals > 0 && col_of(cont, m.start, m.end) == Col::Amount)
            {
                nums.push(Num {
                    line: cont,
                    start: m.start,
                    end: m.end,
                    value: m.value,
                    decimals: m.decimals,
                    col: Col::Amount,
                });
                break;
            }
        }
    }
    let bases: Vec<Decimal> = nums
        .iter()
        .filter(|n| n.col == Col::PriceBase && !n.value.is_zero())
        .map(|n| n.value)
        .chain(stated_basis(view, row))
        .collect();
    nums.retain(|n| n.col != Col::PriceBase);
    let pick = |col: Col, last: bool| {
        let mut it = nums.iter().filter(|n| n.col == col);
        if last {
            it.next_back().cloned()
        } else {
            it.next().cloned()
        }
    };
    let all: Vec<&Num> = nums.iter().chain(&text_nums).collect();
    let cands: Vec<Cand> = all
        .iter()
        .map(|n| Cand {
            value: n.value,
            decimals: n.decimals,
            col: n.col,
            x: {
                let b = view.lines[n.line].bbox_of(n.start, n.end);
                (b.x0 + b.x1) / 2.0
            },
        })
        .collect();
    let (q, p, a, confidence) = match triple::choose(&cands, layout(table), &bases) {
        Some(t) => (
            Some(all[t.quantity].clone()),
            Some(all[t.price].clone()),
            Some(all[t.amount].clone()),
            if t.by_columns { CHECKED } else { BY_ARITHMETIC },
        ),
        // Nothing confirms the figures (or they contradict each other): a
        // person checks them.
        None => (
            pick(Col::Quantity, false),
            pick(Col::UnitPrice, false),
            pick(Col::Amount, true),
            UNCHECKED,
        ),
    };
    let money = |v: Decimal| Money::new(v, currency);
    let field = |n: &Num| Found::words(view, n.line, n.start, n.end, (), confidence);
    line.quantity = q.as_ref().map(|n| field(n).map(|()| n.value).into_field());
    line.unit_price = p
        .as_ref()
        .map(|n| field(n).map(|()| money(n.value)).into_field());
    line.amount = a
        .as_ref()
        .map(|n| field(n).map(|()| money(n.value)).into_field());
    if line.amount.is_none() && line.unit_price.is_none() {
        return None;
    }
    if let Some((k, r)) = rate {
        line.tax_rate = Some(Found::words(view, first, k, k + 1, r, BY_COLUMN).into_field());
    }
    let desc_cols = [Col::Description, Col::ItemOrDescription, Col::Other];
    for &cont in row[1..].iter().take(3) {
        let c = &view.lines[cont];
        if !c.labels.is_empty()
            || c.toks.iter().take(2).any(|t| t.text.ends_with(':'))
            || super::detail::is_detail(view, cont)
        {
            continue;
        }
        description.extend(
            (0..c.toks.len())
                .filter(|&k| desc_cols.contains(&col_of(cont, k, k + 1)))
                .map(|k| (cont, k)),
        );
    }
    if let Some(&(dl, ds)) = description.first() {
        let text = description
            .iter()
            .map(|&(li, k)| view.lines[li].toks[k].text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut f = Found::words(view, dl, ds, ds + 1, text.clone(), BY_COLUMN + 0.05);
        f.bbox = crate::pdf::text::union(
            description
                .iter()
                .map(|&(li, k)| view.lines[li].toks[k].bbox),
        )
        .unwrap_or(f.bbox);
        f.source = text;
        line.description = Some(f.into_field());
    }
    order_reference(view, row, &mut line);
    Some(line)
}

/// Adds the numbers of lines printed over the row's first line (cells of a
/// tall row centred at other heights: "(R) 6,00" half a line above the
/// prices, "(A) 6,00" half a line below) in the number columns the first
/// line leaves empty. Several may come for one column; the arithmetic
/// chooses.
fn with_overlapping_cells(
    view: &View,
    row: &[usize],
    mut nums: Vec<Num>,
    col_of: impl Fn(usize, usize, usize) -> Col,
) -> Vec<Num> {
    let first = row[0];
    let filled: Vec<Col> = nums.iter().map(|n| n.col).collect();
    for &other in &row[1..] {
        if !overlap_vertically(view, first, other) {
            continue;
        }
        let texts = view.lines[other].texts();
        for m in find_amounts(&texts, view.notation) {
            let col = col_of(other, m.start, m.end);
            if matches!(col, Col::Quantity | Col::UnitPrice | Col::Amount) && !filled.contains(&col)
            {
                nums.push(Num {
                    line: other,
                    start: m.start,
                    end: m.end,
                    value: m.value,
                    decimals: m.decimals,
                    col,
                });
            }
        }
    }
    nums
}

/// What the header says about the numeric columns.
fn layout(table: &Table) -> Layout {
    let x = |col: Col| table.columns.iter().find(|c| c.col == col).map(|c| c.x0);
    Layout {
        quantity_left_of_price: x(Col::Quantity).zip(x(Col::UnitPrice)).map(|(q, p)| q < p),
        discount: table.columns.iter().any(|c| c.col == Col::Discount),
    }
}

/// Words that say a price is per several units ("per 100", "Preisbasis: 2",
/// "Basismenge 100 Stk", "/100").
const BASIS_WORDS: &[&str] = &[
    "per",
    "pro",
    "je",
    "par",
    "preisbasis",
    "basismenge",
    "preiseinheit",
    "pe",
    "pricebase",
    "basequantity",
    "basisaantal",
];

/// The price bases a row's lines state, other than 1.
fn stated_basis(view: &View, row: &[usize]) -> Vec<Decimal> {
    let mut out = Vec::new();
    for &li in row {
        let texts = view.lines[li].texts();
        for (k, t) in texts.iter().enumerate() {
            let n = if let Some(rest) = t.strip_prefix('/') {
                rest
            } else if BASIS_WORDS.contains(&compact(t).as_str()) {
                texts.get(k + 1).copied().unwrap_or("")
            } else {
                continue;
            };
            if let Some((v, _)) = super::numbers::parse_number(n, view.notation)
                && v > Decimal::ONE
            {
                out.push(v);
            }
        }
    }
    out
}

/// Words that name a line of an order ("Pos. 10", "line 10").
const LINE_WORDS: &[&str] = &[
    "pos", "position", "line", "zeile", "regel", "ligne", "item", "ln", "posnr",
];

/// "Bestellung 4500000110 Pos. 10", "PO 4500000110 line 10".
fn order_reference(view: &View, row: &[usize], line: &mut Line) {
    for &li in row {
        let l = &view.lines[li];
        let texts = l.texts();
        for hit in l
            .labels
            .iter()
            .filter(|h| h.kind == LabelKind::OrderReference)
        {
            let tokens = &texts[hit.end..];
            let Some(po) = order_numbers(tokens).into_iter().next() else {
                continue;
            };
            let Some(at) = tokens.iter().position(|t| t.contains(po.as_str())) else {
                continue;
            };
            let mut f = Found::words(view, li, hit.start, hit.end + at + 1, po, CHECKED - 0.07);
            f.bbox = l.bbox_of(hit.end + at, hit.end + at + 1);
            line.purchase_order = Some(f.into_field());
            let rest = &tokens[at + 1..];
            if let Some(k) = rest
                .iter()
                .position(|t| LINE_WORDS.contains(&compact(t).as_str()))
                && let Some(n) = rest
                    .get(k + 1)
                    .map(|t| t.trim_end_matches(['.', ',', ';', ')']))
                    .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            {
                let s = hit.end + at + 1 + k;
                line.purchase_order_line = Some(
                    Found::words(view, li, s, s + 2, n.to_string(), CHECKED - 0.07).into_field(),
                );
            }
            return;
        }
    }
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
