//! Document totals: net, VAT, gross, prepaid, due and the sum of the lines.
//!
//! Every labelled amount is a candidate; the choice prefers a combination
//! that adds up (net + VAT = gross), which both picks the right "Total" among
//! several and earns the chosen values a high confidence. Without such a
//! combination each total is the most specific, latest labelled amount, at
//! the confidence its label alone gives.

use docket_domain::Currency;
use rust_decimal::Decimal;

use super::found::{CHECKED, Found, GENERIC, POSITIONAL, best};
use super::labels::LabelKind;
use super::numbers::{AmountMatch, find_amounts};
use super::pairing::{Placement, Region, is_label_row, regions};
use super::view::View;

/// A labelled amount.
pub type AmountFound = Found<(Decimal, Option<Currency>)>;

/// The totals read from a document.
#[derive(Debug, Default, Clone)]
pub struct TotalsFinds {
    /// Sum of the line amounts.
    pub line_total: Option<AmountFound>,
    /// Total without VAT.
    pub net: Option<AmountFound>,
    /// Total VAT.
    pub tax: Option<AmountFound>,
    /// Total with VAT.
    pub gross: Option<AmountFound>,
    /// Already paid.
    pub prepaid: Option<AmountFound>,
    /// To pay.
    pub due: Option<AmountFound>,
    /// Whether net + tax = gross held for the chosen values.
    pub consistent: bool,
}

/// How many candidates per total take part in the search for a sum that adds up.
const SEARCH_WIDTH: usize = 8;

#[derive(Default)]
struct Candidates {
    line_total: Vec<AmountFound>,
    net: Vec<AmountFound>,
    tax: Vec<AmountFound>,
    gross: Vec<AmountFound>,
    prepaid: Vec<AmountFound>,
    due: Vec<AmountFound>,
}

/// Reads the totals, skipping lines for which `skip_line` says so (table rows).
pub fn read(view: &View, skip_line: &dyn Fn(usize) -> bool) -> TotalsFinds {
    let mut c = Candidates::default();
    for (idx, line) in view.lines.iter().enumerate() {
        if skip_line(idx) {
            continue;
        }
        for hit in &line.labels {
            let list = match hit.kind {
                LabelKind::LineTotal => &mut c.line_total,
                LabelKind::NetTotal => &mut c.net,
                LabelKind::TaxTotal => &mut c.tax,
                LabelKind::GrossTotal => &mut c.gross,
                LabelKind::Prepaid => &mut c.prepaid,
                LabelKind::AmountDue => &mut c.due,
                _ => continue,
            };
            let label_row = is_label_row(line);
            for region in regions(view, idx, hit) {
                if region.placement == Placement::Below && !label_row {
                    continue;
                }
                let region = if region.placement == Placement::Below {
                    column_bottom(view, region, idx, hit)
                } else {
                    region
                };
                let tokens = view.lines[region.line].texts();
                let amounts = find_amounts(&tokens[region.start..region.end], view.notation);
                let pick = if region.placement == Placement::Right {
                    amounts.last()
                } else {
                    amounts.first()
                };
                if let Some(m) = pick.filter(|m| plausible(m)) {
                    let mut found = Found::at(
                        view,
                        idx,
                        (hit.start, hit.end),
                        &region,
                        (m.value, m.currency),
                        hit.priority,
                    );
                    let l = &view.lines[region.line];
                    found.bbox = l.bbox_of(region.start + m.start, region.start + m.end);
                    list.push(found);
                    break;
                }
            }
        }
    }
    let mut out = choose(c);
    if out.net.is_none() {
        out.net = net_by_difference(view, &out);
    }
    if out.due.is_none() {
        out.due = due_from_gross(&out);
    }
    out
}

/// The amount to pay when no label states it: the gross less what was paid
/// before. A printed prepayment (even "0,00") makes that arithmetic on two
/// printed figures; without one, nothing proves that nothing was paid, so a
/// person checks it.
fn due_from_gross(t: &TotalsFinds) -> Option<AmountFound> {
    let gross = t.gross.as_ref()?;
    let mut due = gross.clone();
    match &t.prepaid {
        Some(p) => {
            due.value.0 -= p.value.0.abs();
            due.confidence = gross.confidence.min(p.confidence).min(GENERIC);
            due.source = format!("{} − {}", gross.source, p.source);
        }
        None => due.confidence = POSITIONAL,
    }
    Some(due)
}

/// A net total no label announces: gross minus VAT, when the page prints
/// that amount too ("Charges $4.11" over "Tax $0.00", "Total $4.11"). The
/// arithmetic and the printed figure agree; the net is as sure as the two
/// totals it comes from, and never more than a generic label.
fn net_by_difference(view: &View, t: &TotalsFinds) -> Option<AmountFound> {
    let (gross, tax) = (t.gross.as_ref()?, t.tax.as_ref()?);
    let net = gross.value.0 - tax.value.0;
    let confidence = gross.confidence.min(tax.confidence).min(GENERIC);
    view.lines
        .iter()
        .enumerate()
        .filter(|&(idx, _)| idx != gross.line && idx != tax.line)
        .find_map(|(idx, l)| {
            let m = find_amounts(&l.texts(), view.notation)
                .into_iter()
                .find(|m| m.value == net && plausible(m))?;
            let mut f = Found::words(view, idx, m.start, m.end, (net, m.currency), confidence);
            f.source = format!("{} − {} = {}", gross.source, tax.source, f.source);
            Some(f)
        })
}

/// Whole numbers count as amounts only with a currency ("Rs 1939").
fn plausible(m: &AmountMatch) -> bool {
    m.decimals > 0 || m.currency.is_some()
}

/// In a table of totals under a row of labels, the last row is the total.
fn column_bottom(
    view: &View,
    start: Region,
    label_line: usize,
    hit: &super::labels::LabelHit,
) -> Region {
    let label = view.lines[label_line].bbox_of(hit.start, hit.end);
    let size = view.lines[label_line].size;
    let mut current = start;
    let mut prev_y0 = view.lines[start.line].bbox.y0;
    for (idx, l) in view.lines.iter().enumerate().skip(start.line + 1) {
        if l.page != view.lines[start.line].page || prev_y0 - l.bbox.y1 > 2.6 * size {
            break;
        }
        let pos = l
            .toks
            .iter()
            .position(|t| t.bbox.x0 < label.x1 + 0.5 * size && t.bbox.x1 > label.x0 - 0.5 * size);
        let Some(pos) = pos else { break };
        let tokens = l.texts();
        if find_amounts(&tokens[pos..pos + 1], view.notation).is_empty() || !l.labels.is_empty() {
            break;
        }
        current = Region {
            line: idx,
            start: pos,
            end: pos + 1,
            placement: Placement::Below,
        };
        prev_y0 = l.bbox.y0;
    }
    current
}

fn top(mut list: Vec<AmountFound>) -> Vec<AmountFound> {
    list.sort_by(|a, b| b.priority.cmp(&a.priority).then(b.line.cmp(&a.line)));
    list.truncate(SEARCH_WIDTH);
    list
}

fn choose(c: Candidates) -> TotalsFinds {
    let mut out = TotalsFinds {
        line_total: best(&c.line_total, true),
        prepaid: best(&c.prepaid, true),
        due: best(&c.due, true),
        ..TotalsFinds::default()
    };
    let nets: Vec<_> = top(c.net.iter().chain(&c.line_total).cloned().collect());
    let taxes = top(c.tax.clone());
    let grosses: Vec<_> = top(c.gross.clone())
        .into_iter()
        .chain(top(c.due.clone()).into_iter().map(|mut d| {
            d.priority = 0;
            d
        }))
        .collect();
    let mut best_sum: Option<(u32, &AmountFound, &AmountFound, &AmountFound)> = None;
    for g in &grosses {
        for n in &nets {
            for t in &taxes {
                if n.value.0 + t.value.0 != g.value.0 || g.value.0.is_zero() {
                    continue;
                }
                let score =
                    u32::from(g.priority) * 4 + u32::from(n.priority) + u32::from(t.priority);
                let later = |cur: &(u32, &AmountFound, &AmountFound, &AmountFound)| {
                    (score, g.line) > (cur.0, cur.1.line)
                };
                if best_sum.as_ref().is_none_or(later) {
                    best_sum = Some((score, g, n, t));
                }
            }
        }
    }
    if let Some((_, g, n, t)) = best_sum {
        let checked = |f: &AmountFound| {
            let mut f = f.clone();
            f.confidence = f.confidence.max(CHECKED);
            f
        };
        out.gross = Some(checked(g));
        out.net = Some(checked(n));
        out.tax = Some(checked(t));
        out.consistent = true;
        return out;
    }
    // Wordings that also head a VAT breakdown's base column ("Grondslag")
    // name a net total only when the arithmetic confirms it.
    out.net = best(&c.net, true).map(|mut n| {
        if n.priority <= 1 {
            n.confidence = n.confidence.min(POSITIONAL);
        }
        n
    });
    out.tax = best(&c.tax, true);
    out.gross = best(&c.gross, true);
    // VAT printed per rate without a total: the rates' sum may close the gap.
    if let (Some(g), Some(n)) = (&out.gross, &out.net)
        && let Some(t) = summed_tax(&c.tax, g.value.0 - n.value.0)
    {
        out.tax = Some(t);
        out.consistent = true;
        for f in [&mut out.gross, &mut out.net].into_iter().flatten() {
            f.confidence = f.confidence.max(CHECKED);
        }
        return out;
    }
    // Totals that contradict each other: the gross is the most prominent
    // figure and keeps its confidence; a person checks net and VAT.
    if let (Some(g), Some(n), Some(t)) = (&out.gross, &mut out.net, &mut out.tax)
        && n.value.0 + t.value.0 != g.value.0
    {
        n.confidence = n.confidence.min(POSITIONAL);
        t.confidence = t.confidence.min(POSITIONAL);
    }
    out.gross = out.gross.or_else(|| {
        // Only the amount to pay is labelled: it is the gross when nothing was
        // prepaid, which the page does not prove, so a person checks it.
        out.due
            .clone()
            .filter(|_| out.prepaid.is_none())
            .map(|mut d| {
                d.confidence = POSITIONAL + 0.05;
                d
            })
    });
    out
}

/// The VAT amounts of one wording on consecutive lines ("USt. 7% ...",
/// "USt. 19% ...") whose sum is the expected total VAT.
fn summed_tax(taxes: &[AmountFound], expected: Decimal) -> Option<AmountFound> {
    let mut sorted: Vec<&AmountFound> = taxes.iter().collect();
    sorted.sort_by_key(|t| t.line);
    for start in 0..sorted.len() {
        let mut sum = Decimal::ZERO;
        for end in start..sorted.len() {
            if end > start
                && (sorted[end].line != sorted[end - 1].line + 1
                    || sorted[end].priority != sorted[start].priority)
            {
                break;
            }
            sum += sorted[end].value.0;
            if end > start && sum == expected {
                let parts = &sorted[start..=end];
                let mut f = sorted[end].clone();
                f.value = (sum, f.value.1);
                f.bbox = crate::pdf::text::union(parts.iter().map(|p| p.bbox)).unwrap_or(f.bbox);
                f.source = parts
                    .iter()
                    .map(|p| p.source.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ");
                f.confidence = CHECKED - 0.05;
                return Some(f);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::text::{PageText, TextLine, Word};
    use docket_domain::BoundingBox;
    use rust_decimal_macros::dec;

    fn line(y: f32, words: &[(&str, f32)]) -> TextLine {
        let words = words
            .iter()
            .map(|&(t, x)| {
                let w = 5.0 * t.chars().count() as f32;
                Word::new(
                    t,
                    BoundingBox {
                        x0: x,
                        y0: y - 2.0,
                        x1: x + w,
                        y1: y + 8.0,
                    },
                )
            })
            .collect();
        TextLine::from_words(words).expect("words")
    }

    fn read_lines(lines: Vec<TextLine>) -> TotalsFinds {
        let view = View::new(&[PageText {
            number: 1,
            width: 595.0,
            height: 842.0,
            lines,
        }]);
        read(&view, &|_| false)
    }

    #[test]
    fn totals_that_add_up_are_chosen_and_trusted() {
        let t = read_lines(vec![
            line(
                400.0,
                &[("Subtotal", 300.0), ("$", 400.0), ("112.00", 410.0)],
            ),
            line(
                380.0,
                &[("Subtotal", 300.0), ("$", 400.0), ("262.90", 410.0)],
            ),
            line(
                360.0,
                &[
                    ("Tax", 300.0),
                    ("15%", 330.0),
                    ("on", 350.0),
                    ("$", 365.0),
                    ("112.90", 372.0),
                    ("$", 400.0),
                    ("16.94", 410.0),
                ],
            ),
            line(340.0, &[("Total", 300.0), ("$", 400.0), ("279.84", 410.0)]),
        ]);
        assert!(t.consistent);
        assert_eq!(t.net.as_ref().map(|f| f.value.0), Some(dec!(262.90)));
        assert_eq!(t.tax.as_ref().map(|f| f.value.0), Some(dec!(16.94)));
        assert_eq!(t.gross.as_ref().map(|f| f.value.0), Some(dec!(279.84)));
        assert!(t.gross.as_ref().is_some_and(|f| f.confidence >= CHECKED));
    }

    #[test]
    fn without_arithmetic_the_labelled_value_keeps_its_label_confidence() {
        let t = read_lines(vec![
            line(
                400.0,
                &[("Nettobetrag:", 300.0), ("496,00", 400.0), ("€", 440.0)],
            ),
            line(
                380.0,
                &[("Gesamtbetrag:", 300.0), ("571,04", 400.0), ("€", 440.0)],
            ),
        ]);
        assert!(!t.consistent);
        let gross = t.gross.expect("gross");
        assert_eq!(gross.value, (dec!(571.04), Some(Currency::EUR)));
        assert!(gross.confidence < CHECKED && gross.confidence >= 0.85);
    }

    #[test]
    fn last_row_of_a_totals_table_under_labels() {
        let t = read_lines(vec![
            line(
                400.0,
                &[
                    ("Nettobetrag", 100.0),
                    ("MwSt-Betrag", 200.0),
                    ("Endbetrag", 300.0),
                ],
            ),
            line(
                388.0,
                &[("321,40", 100.0), ("61,07", 200.0), ("382,47", 300.0)],
            ),
            line(
                376.0,
                &[("127,59", 100.0), ("8,93", 200.0), ("136,52", 300.0)],
            ),
            line(
                364.0,
                &[("448,99", 100.0), ("70,00", 200.0), ("518,99", 300.0)],
            ),
        ]);
        assert_eq!(t.gross.map(|f| f.value.0), Some(dec!(518.99)));
        assert_eq!(t.net.map(|f| f.value.0), Some(dec!(448.99)));
        assert!(t.consistent);
    }

    #[test]
    fn an_unlabelled_net_is_the_printed_difference_of_gross_and_tax() {
        let t = read_lines(vec![
            line(480.0, &[("Charges", 60.0), ("$4.11", 400.0)]),
            line(460.0, &[("Tax", 60.0), ("$0.00", 400.0)]),
            line(
                440.0,
                &[("Total", 40.0), ("amount", 70.0), ("$4.11", 400.0)],
            ),
        ]);
        let net = t.net.expect("net");
        assert_eq!(net.value.0, dec!(4.11));
        assert!(net.confidence <= GENERIC);
        // Without a printed figure to agree with, the difference alone is no net.
        let t = read_lines(vec![
            line(460.0, &[("Tax", 60.0), ("$1.00", 400.0)]),
            line(
                440.0,
                &[("Total", 40.0), ("amount", 70.0), ("$5.11", 400.0)],
            ),
        ]);
        assert!(t.net.is_none());
    }

    #[test]
    fn the_base_column_of_a_vat_breakdown_is_the_net_when_it_adds_up() {
        let t = read_lines(vec![
            line(
                404.0,
                &[
                    ("BTW", 348.0),
                    ("%", 368.0),
                    ("Grondslag", 394.0),
                    ("BTW", 444.0),
                    ("bedrag", 463.0),
                    ("Totaal", 524.0),
                ],
            ),
            line(
                393.0,
                &[
                    ("21", 358.0),
                    ("%", 369.0),
                    ("41,31", 404.0),
                    ("8,68", 466.0),
                    ("49,99", 524.0),
                ],
            ),
        ]);
        assert!(t.consistent);
        assert_eq!(t.net.map(|f| f.value.0), Some(dec!(41.31)));
    }

    #[test]
    fn without_a_due_label_the_due_is_gross_less_prepaid() {
        let t = read_lines(vec![
            line(400.0, &[("Gesamtbetrag:", 300.0), ("571,04", 400.0)]),
            line(380.0, &[("Anzahlung", 300.0), ("-71,04", 400.0)]),
        ]);
        let due = t.due.expect("due");
        assert_eq!(due.value.0, dec!(500.00));
        let t = read_lines(vec![line(
            400.0,
            &[("Gesamtbetrag:", 300.0), ("571,04", 400.0)],
        )]);
        let due = t.due.expect("due");
        assert_eq!(due.value.0, dec!(571.04));
        assert!(due.confidence < 0.7);
    }

    #[test]
    fn amount_due_stands_in_for_gross_only_for_review() {
        let t = read_lines(vec![line(
            400.0,
            &[("Amount", 300.0), ("due", 345.0), ("$4.11", 400.0)],
        )]);
        let gross = t.gross.expect("gross from due");
        assert_eq!(gross.value.0, dec!(4.11));
        assert!(gross.confidence < 0.7);
    }
}
