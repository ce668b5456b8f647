//! Line matching: pairs document lines with PO lines and checks quantity and price.
//!
//! Quantities are judged against what was received and not yet invoiced
//! (goods-receipt-based verification) or ordered and not yet invoiced; prices
//! against the PO price per its price unit, under the policy's tolerance.

use docket_domain::erp::{
    BookedInvoice, BookedLine, ErpSnapshot, PurchaseOrder, PurchaseOrderLine,
};
use docket_domain::normalize::compact_identifier;
use docket_domain::{DocumentKind, Line, LineCheck, LineExplanation, Reason, ReasonCode};
use rust_decimal::Decimal;

use crate::Policy;
use crate::controls::line_no;
use crate::tolerance::{Dimension, Judgement, ScopeKey, Variance};

/// A PO line with its order.
#[derive(Clone, Copy)]
struct PoLineRef<'a> {
    order: &'a PurchaseOrder,
    line: &'a PurchaseOrderLine,
}

/// What line matching found.
#[derive(Debug, Default)]
pub struct LineResult {
    /// One explanation per document line.
    pub explanations: Vec<LineExplanation>,
    /// Problems that need a person.
    pub exceptions: Vec<Reason>,
    /// Things that will resolve themselves (goods not received yet).
    pub pending: Vec<Reason>,
    /// Notes that do not stop booking (within tolerance).
    pub notes: Vec<Reason>,
    /// The lines to book.
    pub booking: Vec<BookedLine>,
}

fn same_line_number(a: &str, b: &str) -> bool {
    a.trim().trim_start_matches('0') == b.trim().trim_start_matches('0')
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(str::to_string)
        .collect()
}

/// Similarity of two descriptions: the better of Jaro-Winkler and word overlap.
fn description_similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(&a.to_lowercase(), &b.to_lowercase());
    let (wa, wb) = (words(a), words(b));
    let common = wa.iter().filter(|w| wb.contains(w)).count();
    let overlap = if wa.is_empty() || wb.is_empty() {
        0.0
    } else {
        common as f64 / wa.len().max(wb.len()) as f64
    };
    jw.max(overlap)
}

/// How well a document line fits a PO line (0 = not at all, 1 = same item code).
fn fit(line: &Line, candidate: PoLineRef<'_>, policy: &Policy) -> f64 {
    if let Some(po) = line.purchase_order.as_ref().map(|f| f.value.trim())
        && po != candidate.order.number
    {
        return 0.0;
    }
    if let Some(po_line) = line.purchase_order_line.as_ref().map(|f| f.value.as_str()) {
        return if same_line_number(po_line, &candidate.line.line) {
            1.0
        } else {
            0.0
        };
    }
    let codes = [&line.seller_item_id, &line.buyer_item_id];
    let ours = [
        &candidate.line.item_code,
        &candidate.line.supplier_item_code,
    ];
    for code in codes.iter().filter_map(|c| c.as_ref()) {
        let code = compact_identifier(&code.value);
        if ours
            .iter()
            .filter_map(|o| o.as_deref())
            .any(|o| compact_identifier(o) == code)
        {
            return 1.0;
        }
    }
    let sim = line.description.as_ref().map_or(0.0, |d| {
        description_similarity(&d.value, &candidate.line.description)
    });
    if sim >= policy.description_similarity {
        sim
    } else {
        0.0
    }
}

/// Pairs document lines with PO lines, one to one, best fit first.
fn pair<'a>(
    lines: &[Line],
    candidates: &[PoLineRef<'a>],
    policy: &Policy,
) -> Vec<Option<PoLineRef<'a>>> {
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for (j, candidate) in candidates.iter().enumerate() {
            let score = fit(line, *candidate, policy);
            if score > 0.0 {
                scored.push((score, i, j));
            }
        }
    }
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut result = vec![None; lines.len()];
    let mut taken = vec![false; candidates.len()];
    for (_, i, j) in scored {
        if result[i].is_none() && !taken[j] {
            result[i] = Some(candidates[j]);
            taken[j] = true;
        }
    }
    result
}

/// Quantity booked so far on a PO line (invoices minus credit notes, reversals ignored).
fn invoiced_so_far(booked: &[BookedInvoice], po: &str, line: &str) -> Decimal {
    booked
        .iter()
        .filter(|b| !b.reversed)
        .flat_map(|b| b.lines.iter().map(move |l| (b.kind, l)))
        .filter(|(_, l)| l.purchase_order == po && same_line_number(&l.purchase_order_line, line))
        .map(|(kind, l)| match kind {
            DocumentKind::CreditNote => -l.quantity.abs(),
            _ => l.quantity.abs(),
        })
        .sum()
}

fn received(erp: &ErpSnapshot, po: &str, line: &str) -> (Decimal, Option<String>) {
    let mut total = Decimal::ZERO;
    let mut last = None;
    for gr in erp
        .goods_receipts
        .iter()
        .filter(|g| g.purchase_order == po && same_line_number(&g.purchase_order_line, line))
    {
        total += gr.quantity;
        if gr.quantity > Decimal::ZERO {
            last = Some(gr.number.clone());
        }
    }
    (total, last)
}

/// The line's unit price expressed per the PO's price unit.
fn price_per_po_unit(line: &Line, po_line: &PurchaseOrderLine) -> Option<Decimal> {
    let per = line.price_unit.as_ref().map_or(Decimal::ONE, |f| f.value);
    let price = match (&line.unit_price, &line.quantity, &line.amount) {
        (Some(p), _, _) => p.value.amount,
        (None, Some(q), Some(a)) if !q.value.is_zero() => a.value.amount / q.value,
        _ => return None,
    };
    if per.is_zero() {
        return None;
    }
    Some((price / per * po_line.price_unit).round_dp(4))
}

/// Matches an invoice's or credit note's lines against the referenced POs.
pub fn match_lines(
    lines: &[Line],
    kind: DocumentKind,
    orders: &[&PurchaseOrder],
    erp: &ErpSnapshot,
    booked: &[BookedInvoice],
    policy: &Policy,
) -> LineResult {
    let candidates: Vec<PoLineRef<'_>> = orders
        .iter()
        .flat_map(|order| {
            order
                .lines
                .iter()
                .map(move |line| PoLineRef { order, line })
        })
        .collect();
    let pairs = pair(lines, &candidates, policy);
    let mut result = LineResult::default();
    for (i, (line, paired)) in lines.iter().zip(pairs).enumerate() {
        let n = line_no(i);
        let text = line.description.as_ref().map_or("", |d| d.value.as_str());
        let Some(PoLineRef {
            order,
            line: po_line,
        }) = paired
        else {
            let pos: Vec<&str> = orders.iter().map(|o| o.number.as_str()).collect();
            result.exceptions.push(Reason::on_line(
                ReasonCode::LineNotMatched,
                n,
                format!("{text:?} matches no line of PO {}", pos.join(", ")),
            ));
            result.explanations.push(unmatched(n, line));
            continue;
        };
        let qty = line
            .quantity
            .as_ref()
            .map_or(Decimal::ZERO, |f| f.value.abs());
        let before = invoiced_so_far(booked, &order.number, &po_line.line);
        let (got, receipt) = received(erp, &order.number, &po_line.line);
        let (quantity_check, open, q_reason) = judge_quantity(kind, qty, before, got, po_line, n);
        match (quantity_check, q_reason) {
            (LineCheck::Pending, Some(r)) => result.pending.push(r),
            (LineCheck::Failed, Some(r)) => result.exceptions.push(r),
            _ => {}
        }
        let invoiced_price = price_per_po_unit(line, po_line);
        let rule = policy.tolerance(Dimension::UnitPrice, &ScopeKey::default());
        let price_check = match invoiced_price {
            None => {
                result.exceptions.push(Reason::on_line(
                    ReasonCode::MissingField,
                    n,
                    "no unit price or amount could be read".to_string(),
                ));
                LineCheck::NotChecked
            }
            Some(price) => {
                let variance = Variance {
                    difference: price - po_line.unit_price,
                    reference: po_line.unit_price,
                    amount: price - po_line.unit_price,
                };
                let percent = variance.percent().unwrap_or(Decimal::ONE_HUNDRED);
                match rule.judge(variance) {
                    Judgement::Exact => LineCheck::Ok,
                    Judgement::Within => {
                        result.notes.push(Reason::on_line(
                            ReasonCode::WithinTolerance,
                            n,
                            format!(
                                "unit price {} differs from the PO price {} by {percent} %, within tolerance",
                                price_text(price),
                                po_line.unit_price
                            ),
                        ));
                        LineCheck::WithinTolerance
                    }
                    Judgement::Beyond => {
                        result.exceptions.push(Reason::on_line(
                            ReasonCode::PriceVariance,
                            n,
                            format!(
                                "unit price {} differs from the PO {} line {} price {} by {percent} %, \
                                 beyond the tolerance ({})",
                                price_text(price),
                                order.number,
                                po_line.line,
                                po_line.unit_price,
                                rule.describe()
                            ),
                        ));
                        LineCheck::Failed
                    }
                }
            }
        };
        let amount = line.amount.as_ref().map_or_else(
            || (qty * invoiced_price.unwrap_or_default() / po_line.price_unit).round_dp(2),
            |f| f.value.amount.abs(),
        );
        result.booking.push(BookedLine {
            purchase_order: order.number.clone(),
            purchase_order_line: po_line.line.clone(),
            quantity: qty,
            amount,
            goods_receipt: receipt,
            account: None,
        });
        result.explanations.push(LineExplanation {
            line: n,
            purchase_order: Some(order.number.clone()),
            purchase_order_line: Some(po_line.line.clone()),
            quantity_invoiced: Some(qty),
            quantity_ordered: Some(po_line.quantity),
            quantity_received: Some(got),
            quantity_invoiced_before: Some(before),
            quantity_open: Some(open),
            price_invoiced: invoiced_price,
            price_ordered: Some(po_line.unit_price),
            quantity_check,
            price_check,
            variance: None,
            tolerances: vec![rule.describe()],
            explanation: explain(quantity_check, price_check),
        });
    }
    result
}

/// Judges the quantity; returns the check, the open quantity, and a reason when not OK.
fn judge_quantity(
    kind: DocumentKind,
    qty: Decimal,
    invoiced_before: Decimal,
    received: Decimal,
    po_line: &PurchaseOrderLine,
    n: u32,
) -> (LineCheck, Decimal, Option<Reason>) {
    if kind == DocumentKind::CreditNote {
        // A credit can take back at most what was invoiced on the line.
        let open = invoiced_before;
        return if qty <= open {
            (LineCheck::Ok, open, None)
        } else {
            let msg = format!("credits {qty}, but only {open} were invoiced on this PO line");
            (
                LineCheck::Failed,
                open,
                Some(Reason::on_line(ReasonCode::CreditNoteUnlinked, n, msg)),
            )
        };
    }
    let ordered_open = po_line.quantity - invoiced_before;
    if !po_line.goods_receipt_based {
        return if qty <= ordered_open {
            (LineCheck::Ok, ordered_open, None)
        } else {
            let msg =
                format!("invoices {qty}, but only {ordered_open} are ordered and not yet invoiced");
            let r = Reason::on_line(ReasonCode::QuantityExceedsReceived, n, msg);
            (LineCheck::Failed, ordered_open, Some(r))
        };
    }
    let open = received - invoiced_before;
    if qty <= open {
        (LineCheck::Ok, open, None)
    } else if qty <= ordered_open {
        let msg = format!(
            "invoices {qty}, received and not yet invoiced {open} (ordered {}): waiting for the goods receipt",
            po_line.quantity
        );
        (
            LineCheck::Pending,
            open,
            Some(Reason::on_line(ReasonCode::AwaitingGoodsReceipt, n, msg)),
        )
    } else {
        let msg = format!(
            "invoices {qty}, but only {ordered_open} are ordered and not yet invoiced (received {received})"
        );
        (
            LineCheck::Failed,
            open,
            Some(Reason::on_line(ReasonCode::QuantityExceedsReceived, n, msg)),
        )
    }
}

/// A unit price for people: at least two decimals, no trailing zeros beyond them.
fn price_text(price: Decimal) -> String {
    let p = price.normalize();
    if p.scale() < 2 {
        format!("{:.2}", p)
    } else {
        p.to_string()
    }
}

fn explain(quantity: LineCheck, price: LineCheck) -> String {
    let q = match quantity {
        LineCheck::Ok => "quantity matches the goods received",
        LineCheck::Pending => "goods not (fully) received yet",
        LineCheck::Failed => "quantity exceeds what may be invoiced",
        _ => "quantity not checked",
    };
    let p = match price {
        LineCheck::Ok => "price as ordered",
        LineCheck::WithinTolerance => "price within tolerance",
        LineCheck::Failed => "price beyond tolerance",
        _ => "price not checked",
    };
    format!("{q}; {p}")
}

fn unmatched(n: u32, line: &Line) -> LineExplanation {
    LineExplanation {
        line: n,
        purchase_order: None,
        purchase_order_line: None,
        quantity_invoiced: line.quantity.as_ref().map(|f| f.value),
        quantity_ordered: None,
        quantity_received: None,
        quantity_invoiced_before: None,
        quantity_open: None,
        price_invoiced: line.unit_price.as_ref().map(|f| f.value.amount),
        price_ordered: None,
        quantity_check: LineCheck::NotChecked,
        price_check: LineCheck::NotChecked,
        variance: None,
        tolerances: Vec::new(),
        explanation: "no matching PO line".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_compare_without_padding() {
        assert!(same_line_number("00010", "10"));
        assert!(!same_line_number("100", "10"));
    }

    #[test]
    fn descriptions_compare_by_words_and_characters() {
        assert!(description_similarity("Kopierpapier A4 80g", "Kopierpapier A4, 80 g/m²") > 0.8);
        assert!(description_similarity("Kopierpapier A4", "Toner schwarz") < 0.7);
    }
}
