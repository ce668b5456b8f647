//! Line matching: pairs document lines with PO lines and judges each pair's
//! quantity, unit price, line amount and item amount under the policy.
//!
//! Quantities are judged in the PO's order unit (after a unit conversion)
//! against what was received and not yet invoiced (goods-receipt-based
//! verification) or ordered and not yet invoiced; prices per the PO's price
//! unit. Lines that pair with no PO line are left to the caller, which knows
//! delivery costs and discounts from goods ([`crate::charges`]).

use std::collections::HashMap;

use docket_domain::erp::{BookedInvoice, BookedLine, PurchaseOrder, PurchaseOrderLine};
use docket_domain::normalize::{compact_identifier, same_line_number};
use docket_domain::{DocumentKind, Line, LineCheck, LineExplanation, Reason, ReasonCode};
use rust_decimal::Decimal;

use crate::Policy;
use crate::controls::line_no;
use crate::index::ErpIndex;
use crate::tolerance::{Action, Dimension, Judgement, ScopeKey, Tolerance, Variance};
use crate::units;

/// A PO line with its order.
#[derive(Clone, Copy)]
struct PoLineRef<'a> {
    order: &'a PurchaseOrder,
    line: &'a PurchaseOrderLine,
}

/// What line matching reads besides the lines.
pub struct LineContext<'a, 'e> {
    /// Invoice or credit note.
    pub kind: DocumentKind,
    /// The identified supplier's ERP id.
    pub supplier_id: &'a str,
    /// The ERP.
    pub erp: &'a ErpIndex<'e>,
    /// The supplier's booked invoices and credit notes.
    pub booked: &'a [&'e BookedInvoice],
    /// The policy.
    pub policy: &'a Policy,
}

/// What line matching found.
#[derive(Debug, Default)]
pub struct LineResult {
    /// One explanation per paired document line.
    pub explanations: Vec<LineExplanation>,
    /// Problems that need a person.
    pub exceptions: Vec<Reason>,
    /// Things that will resolve themselves (goods not received yet).
    pub pending: Vec<Reason>,
    /// Notes that do not stop booking (within tolerance).
    pub notes: Vec<Reason>,
    /// The lines to book.
    pub booking: Vec<BookedLine>,
    /// Document lines (0-based) that pair with no PO line.
    pub unpaired: Vec<usize>,
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
    // Codes compare per side: the seller's code with the supplier's item
    // code on the PO line, the buyer's with ours. A code on both sides that
    // differs says it is another item, whatever the description says.
    let sides = [
        (&line.seller_item_id, &candidate.line.supplier_item_code),
        (&line.buyer_item_id, &candidate.line.item_code),
    ];
    let mut differs = false;
    for (read, ours) in sides {
        if let (Some(read), Some(ours)) = (read, ours) {
            if compact_identifier(&read.value) == compact_identifier(ours) {
                return 1.0;
            }
            differs = true;
        }
    }
    // A seller printing our item code as its own is common too.
    if let (Some(read), Some(ours)) = (&line.seller_item_id, &candidate.line.item_code)
        && compact_identifier(&read.value) == compact_identifier(ours)
    {
        return 1.0;
    }
    if differs {
        return 0.0;
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

/// Pairs document lines with PO lines, one to one, best fit first (among
/// equal fits the earlier PO line, then the earlier document line); then
/// lines left over with the PO line they fit best, taken or not.
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
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
    let mut result = vec![None; lines.len()];
    let mut taken = vec![false; candidates.len()];
    for &(_, i, j) in &scored {
        if result[i].is_none() && !taken[j] {
            result[i] = Some(candidates[j]);
            taken[j] = true;
        }
    }
    // A line left over may still belong to a PO line another line took:
    // an invoice that lists two deliveries of one PO line on two lines.
    for &(_, i, j) in &scored {
        if result[i].is_none() {
            result[i] = Some(candidates[j]);
        }
    }
    result
}

/// Quantity booked so far on a PO line (invoices minus credit notes, reversals ignored).
fn invoiced_so_far(booked: &[&BookedInvoice], po: &str, line: &str) -> Decimal {
    booked
        .iter()
        .filter(|b| !b.reversed)
        .flat_map(|b| b.lines.iter().map(move |l| (b.kind, l)))
        .filter(|(_, l)| {
            l.account.is_none()
                && l.purchase_order == po
                && same_line_number(&l.purchase_order_line, line)
        })
        .map(|(kind, l)| match kind {
            DocumentKind::CreditNote => -l.quantity.abs(),
            _ => l.quantity.abs(),
        })
        .sum()
}

/// Received on a PO line (receipts net of reversals), and the last receipt.
fn received(erp: &ErpIndex<'_>, po: &str, line: &str) -> (Decimal, Option<String>) {
    let mut total = Decimal::ZERO;
    let mut last = None;
    for gr in erp
        .receipts_of(po)
        .filter(|g| same_line_number(&g.purchase_order_line, line))
    {
        total += gr.quantity;
        if gr.quantity > Decimal::ZERO {
            last = Some(gr.number.clone());
        }
    }
    (total, last)
}

/// The line's unit price per the PO's price unit, in the PO's order unit.
fn price_per_po_unit(line: &Line, po_line: &PurchaseOrderLine, factor: Decimal) -> Option<Decimal> {
    let per = line.price_unit.as_ref().map_or(Decimal::ONE, |f| f.value);
    let price = match (&line.unit_price, &line.quantity, &line.amount) {
        (Some(p), _, _) => p.value.amount.abs(),
        (None, Some(q), Some(a)) if !q.value.is_zero() => (a.value.amount / q.value).abs(),
        _ => return None,
    };
    if per.is_zero() || factor.is_zero() {
        return None;
    }
    Some((price / per / factor * po_line.price_unit).round_dp(4))
}

/// A unit price for people: at least two decimals, no trailing zeros beyond them.
pub(crate) fn money_text(price: Decimal) -> String {
    let p = price.normalize();
    if p.scale() < 2 {
        format!("{p:.2}")
    } else {
        p.to_string()
    }
}

/// One judged check of a line.
struct Check {
    state: LineCheck,
    said: String,
}

/// Everything about one paired line, gathered for its checks and its row.
struct Pairing<'a> {
    n: u32,
    order: &'a PurchaseOrder,
    po_line: &'a PurchaseOrderLine,
    key: ScopeKey<'a>,
    /// Invoiced now, in order units.
    quantity: Decimal,
    before: Decimal,
    received: Decimal,
    receipt: Option<String>,
}

impl Pairing<'_> {
    fn po_price_of(&self, quantity: Decimal) -> Decimal {
        (quantity * self.po_line.unit_price / self.po_line.price_unit).round_dp(2)
    }

    fn at(&self) -> String {
        format!("PO {} line {}", self.order.number, self.po_line.line)
    }
}

/// Matches an invoice's or credit note's lines against the POs.
pub fn match_lines(
    lines: &[Line],
    orders: &[&PurchaseOrder],
    cx: &LineContext<'_, '_>,
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
    let pairs = pair(lines, &candidates, cx.policy);
    let mut result = LineResult::default();
    // Quantities earlier lines of this document put on each PO line.
    let mut claimed: HashMap<(&str, &str), Decimal> = HashMap::new();
    for (i, (line, paired)) in lines.iter().zip(pairs).enumerate() {
        match paired {
            Some(PoLineRef {
                order,
                line: po_line,
            }) => {
                let earlier = claimed.entry((&order.number, &po_line.line)).or_default();
                *earlier += judge_line(&mut result, i, line, order, po_line, *earlier, cx);
            }
            None => result.unpaired.push(i),
        }
    }
    result
}

/// Judges one paired line; returns the quantity it invoices, in order units.
fn judge_line(
    result: &mut LineResult,
    i: usize,
    line: &Line,
    order: &PurchaseOrder,
    po_line: &PurchaseOrderLine,
    earlier_lines: Decimal,
    cx: &LineContext<'_, '_>,
) -> Decimal {
    let n = line_no(i);
    let key = ScopeKey {
        company: order.company.as_deref(),
        supplier: Some(cx.supplier_id),
        item: po_line.item_code.as_deref(),
    };
    let document_unit = line.unit.as_ref().map(|f| f.value.as_str());
    let Some(factor) = units::factor_to_order_unit(document_unit, po_line) else {
        let unit = document_unit.unwrap_or_default();
        result.exceptions.push(Reason::on_line(
            ReasonCode::UnitMismatch,
            n,
            format!(
                "invoiced in {unit}, but PO {} line {} is in {} and names no conversion from {unit}",
                order.number, po_line.line, po_line.unit
            ),
        ));
        let mut row = unmatched(n, line);
        row.purchase_order = Some(order.number.clone());
        row.purchase_order_line = Some(po_line.line.clone());
        row.explanation = format!(
            "unit {unit} cannot be converted to the PO's {}",
            po_line.unit
        );
        result.explanations.push(row);
        return Decimal::ZERO;
    };
    let quantity = line
        .quantity
        .as_ref()
        .map_or(Decimal::ZERO, |f| f.value.abs())
        * factor;
    let before = invoiced_so_far(cx.booked, &order.number, &po_line.line) + earlier_lines;
    let (got, receipt) = received(cx.erp, &order.number, &po_line.line);
    let p = Pairing {
        n,
        order,
        po_line,
        key,
        quantity,
        before,
        received: got,
        receipt,
    };
    let mut tolerances = Vec::new();
    let (quantity_check, open) = judge_quantity(&p, cx, result, &mut tolerances);
    let price = price_per_po_unit(line, po_line, factor);
    let expected = p.po_price_of(quantity);
    let amount = match &line.amount {
        Some(f) => f.value.amount.abs(),
        None => price.map_or(expected, |pr| {
            (quantity * pr / po_line.price_unit).round_dp(2)
        }),
    };
    let price_rule = cx.policy.tolerance(Dimension::UnitPrice, &p.key);
    let mut book_at_po_value = false;
    let price_check = match price {
        None => {
            result.exceptions.push(Reason::on_line(
                ReasonCode::MissingField,
                n,
                "no unit price or amount could be read".to_string(),
            ));
            Check {
                state: LineCheck::NotChecked,
                said: "price not read".to_string(),
            }
        }
        Some(price) => {
            let rule = &price_rule;
            let variance = Variance {
                difference: price - po_line.unit_price,
                reference: po_line.unit_price,
                amount: price - po_line.unit_price,
            };
            let said = format!(
                "unit price {} against the PO's {}",
                money_text(price),
                money_text(po_line.unit_price)
            );
            let check = judge(rule, variance, &p, said, ReasonCode::PriceVariance, result);
            book_at_po_value |=
                check.state == LineCheck::WithinTolerance && rule.action == Action::BookDifference;
            tolerances.push(rule.describe());
            check
        }
    };
    let amount_rule = cx.policy.tolerance(Dimension::LineAmount, &p.key);
    let amount_said = format!(
        "line amount {} against the PO value {}",
        money_text(amount),
        money_text(expected)
    );
    // Off unless configured: the unit price judges the same variance per unit.
    let amount_check = if amount_rule.lower.unlimited && amount_rule.upper.unlimited {
        Check {
            state: LineCheck::Ok,
            said: amount_said,
        }
    } else {
        tolerances.push(amount_rule.describe());
        let variance = Variance {
            difference: amount - expected,
            reference: expected,
            amount: amount - expected,
        };
        judge(
            &amount_rule,
            variance,
            &p,
            amount_said,
            ReasonCode::AmountVariance,
            result,
        )
    };
    book_at_po_value |= amount_check.state == LineCheck::WithinTolerance
        && amount_rule.action == Action::BookDifference;
    let cap = cx.policy.tolerance(Dimension::ItemAmount, &p.key);
    if cap.judge(Variance {
        difference: amount,
        reference: Decimal::ZERO,
        amount,
    }) == Judgement::Beyond
    {
        result.exceptions.push(Reason::on_line(
            ReasonCode::AmountVariance,
            n,
            format!(
                "line amount {} is above the limit for one line ({})",
                money_text(amount),
                cap.describe()
            ),
        ));
        tolerances.push(cap.describe());
    }
    let difference_account = [&amount_rule, &price_rule]
        .into_iter()
        .find(|r| r.action == Action::BookDifference)
        .and_then(|r| r.account.clone());
    let booked_amount = if book_at_po_value { expected } else { amount };
    result.booking.push(BookedLine {
        purchase_order: order.number.clone(),
        purchase_order_line: po_line.line.clone(),
        quantity,
        amount: booked_amount,
        goods_receipt: p.receipt.clone(),
        account: None,
    });
    if book_at_po_value && amount != expected {
        result.booking.push(BookedLine {
            purchase_order: order.number.clone(),
            purchase_order_line: String::new(),
            quantity: Decimal::ZERO,
            amount: amount - expected,
            goods_receipt: None,
            account: difference_account,
        });
    }
    let checks = [&quantity_check, &price_check, &amount_check];
    let verdict = if checks.iter().any(|c| c.state == LineCheck::Failed) {
        "a person looks"
    } else if quantity_check.state == LineCheck::Pending {
        "waits for the goods"
    } else if checks.iter().any(|c| c.state == LineCheck::NotChecked) {
        "a person looks"
    } else {
        "books"
    };
    let explanation = format!(
        "{}: ordered {}, received {}, invoiced before {}, now {}: {}; {}; {}: {verdict}",
        p.at(),
        po_line.quantity.normalize(),
        got.normalize(),
        before.normalize(),
        quantity.normalize(),
        quantity_check.said,
        price_check.said,
        amount_check.said,
    );
    result.explanations.push(LineExplanation {
        line: n,
        purchase_order: Some(order.number.clone()),
        purchase_order_line: Some(po_line.line.clone()),
        quantity_invoiced: Some(quantity),
        quantity_ordered: Some(po_line.quantity),
        quantity_received: Some(got),
        quantity_invoiced_before: Some(before),
        quantity_open: Some(open),
        price_invoiced: price,
        price_ordered: Some(po_line.unit_price),
        quantity_check: quantity_check.state,
        price_check: worst(price_check.state, amount_check.state),
        variance: price
            .map(|pr| ((pr - po_line.unit_price) * quantity / po_line.price_unit).round_dp(2)),
        tolerances,
        explanation,
    });
    quantity
}

/// The worse of two checks (a failed amount check fails the line's price).
fn worst(a: LineCheck, b: LineCheck) -> LineCheck {
    let rank = |c: LineCheck| match c {
        LineCheck::Ok => 0,
        LineCheck::WithinTolerance => 1,
        LineCheck::Pending => 2,
        LineCheck::NotChecked => 3,
        LineCheck::Failed => 4,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Judges one variance under `rule`; a variance beyond it is an exception
/// with `beyond`, within it a note (or, for `action = "exception"`, a
/// request for review).
fn judge(
    rule: &Tolerance,
    variance: Variance,
    p: &Pairing<'_>,
    said: String,
    beyond: ReasonCode,
    result: &mut LineResult,
) -> Check {
    let percent = variance
        .percent()
        .map_or_else(String::new, |pc| format!(" ({pc:+} %)"));
    match rule.judge(variance) {
        Judgement::Exact => Check {
            state: LineCheck::Ok,
            said: format!("{said}: equal"),
        },
        Judgement::Within if rule.action == Action::Exception => {
            result.exceptions.push(Reason::on_line(
                ReasonCode::ReviewRequired,
                p.n,
                format!(
                    "{said} differs{percent} on {}; within the limits, but the policy wants a person to look ({})",
                    p.at(),
                    rule.describe()
                ),
            ));
            Check {
                state: LineCheck::Failed,
                said: format!("{said}{percent}: within the limits, a person looks"),
            }
        }
        Judgement::Within => {
            result.notes.push(Reason::on_line(
                ReasonCode::WithinTolerance,
                p.n,
                format!(
                    "{said} differs{percent}, within tolerance ({})",
                    rule.describe()
                ),
            ));
            Check {
                state: LineCheck::WithinTolerance,
                said: format!("{said}{percent}: within tolerance"),
            }
        }
        Judgement::Beyond => {
            result.exceptions.push(Reason::on_line(
                beyond,
                p.n,
                format!(
                    "{said} on {} differs{percent}, beyond the tolerance ({})",
                    p.at(),
                    rule.describe()
                ),
            ));
            Check {
                state: LineCheck::Failed,
                said: format!("{said}{percent}: beyond tolerance"),
            }
        }
    }
}

/// Judges the quantity; returns the check and the quantity open for invoicing.
fn judge_quantity(
    p: &Pairing<'_>,
    cx: &LineContext<'_, '_>,
    result: &mut LineResult,
    tolerances: &mut Vec<String>,
) -> (Check, Decimal) {
    let qty = p.quantity;
    if cx.kind == DocumentKind::CreditNote {
        // A credit can take back at most what was invoiced on the line.
        let open = p.before;
        return if qty <= open {
            let said = format!(
                "credits {} of {} invoiced",
                qty.normalize(),
                open.normalize()
            );
            (
                Check {
                    state: LineCheck::Ok,
                    said,
                },
                open,
            )
        } else {
            let msg = format!(
                "credits {}, but only {} were invoiced on {}",
                qty.normalize(),
                open.normalize(),
                p.at()
            );
            result.exceptions.push(Reason::on_line(
                ReasonCode::CreditNoteUnlinked,
                p.n,
                msg.clone(),
            ));
            (
                Check {
                    state: LineCheck::Failed,
                    said: msg,
                },
                open,
            )
        };
    }
    let ordered_open = p.po_line.quantity - p.before;
    let (dimension, open, against) = if p.po_line.goods_receipt_based {
        (
            Dimension::QuantityReceived,
            p.received - p.before,
            "received",
        )
    } else {
        (Dimension::QuantityOrdered, ordered_open, "ordered")
    };
    let rule = cx.policy.tolerance(dimension, &p.key);
    tolerances.push(rule.describe());
    let variance = Variance {
        difference: qty - open,
        reference: open,
        amount: p.po_price_of(qty - open),
    };
    let said = format!(
        "quantity {} against {} open ({against}, not yet invoiced)",
        qty.normalize(),
        open.normalize()
    );
    if qty < open && rule.lower.unlimited {
        // Invoicing less than is open is partial invoicing, not a variance.
        let said = format!(
            "quantity {} of {} open ({against}, not yet invoiced): partial",
            qty.normalize(),
            open.normalize()
        );
        return (
            Check {
                state: LineCheck::Ok,
                said,
            },
            open,
        );
    }
    let judgement = rule.judge(variance);
    let waits = judgement == Judgement::Beyond
        && dimension == Dimension::QuantityReceived
        && qty > open
        && qty <= ordered_open;
    if waits {
        let msg = format!(
            "invoices {}, received and not yet invoiced {} (ordered {}): waiting for the goods receipt",
            qty.normalize(),
            open.normalize(),
            p.po_line.quantity.normalize()
        );
        result
            .pending
            .push(Reason::on_line(ReasonCode::AwaitingGoodsReceipt, p.n, msg));
        let said = format!("{said}: goods not (fully) received yet");
        return (
            Check {
                state: LineCheck::Pending,
                said,
            },
            open,
        );
    }
    let code = if qty > open {
        ReasonCode::QuantityExceedsReceived
    } else {
        ReasonCode::ReviewRequired
    };
    (judge(&rule, variance, p, said, code, result), open)
}

/// The row of a document line that pairs with no PO line.
pub(crate) fn unmatched(n: u32, line: &Line) -> LineExplanation {
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
    fn descriptions_compare_by_words_and_characters() {
        assert!(description_similarity("Kopierpapier A4 80g", "Kopierpapier A4, 80 g/m²") > 0.8);
        assert!(description_similarity("Kopierpapier A4", "Toner schwarz") < 0.7);
    }
}
