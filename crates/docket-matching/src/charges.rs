//! Delivery costs, surcharges and discounts: what an invoice charges beyond
//! its goods, judged together against the delivery costs the POs planned
//! (SAP's planned delivery costs; none planned is 0) under the
//! `delivery_costs` tolerance.
//!
//! They come as document-level allowances and charges, or as lines that pair
//! with no PO line and say what they are ("Fracht", "Versandkosten",
//! "Mindermengenzuschlag", "Rabatt"). Any other unpaired line is goods the
//! POs do not know: a person looks.

use docket_domain::erp::{BookedLine, PurchaseOrder};
use docket_domain::{BusinessDocument, Line, LineCheck, Reason, ReasonCode};
use rust_decimal::Decimal;

use crate::Policy;
use crate::controls::line_no;
use crate::lines::{LineResult, money_text, unmatched};
use crate::tolerance::{Action, Dimension, Judgement, ScopeKey, Variance};

/// Words (lower case, matched as word starts) that make a line a charge.
const CHARGE_WORDS: &[&str] = &[
    "fracht",
    "freight",
    "versand",
    "shipping",
    "delivery charge",
    "delivery cost",
    "lieferkosten",
    "transport",
    "porto",
    "postage",
    "verpackung",
    "packaging",
    "packing",
    "zuschlag",
    "surcharge",
    "maut",
    "toll",
    "handling",
    "bearbeitungsgebühr",
    "energiekosten",
    "frais de port",
    "vracht",
    "verzendkosten",
    "emballage",
];
/// Words that make a line a discount.
const DISCOUNT_WORDS: &[&str] = &[
    "rabatt", "discount", "nachlass", "korting", "remise", "bonus",
];

/// The G/L account delivery costs go to when the rule names none; ERP
/// adapters map it to their own.
pub const DEFAULT_ACCOUNT: &str = "delivery_costs";

fn contains_word(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| {
        lower.match_indices(w).any(|(at, _)| {
            at == 0
                || !lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
                || w.len() >= 6
        })
    })
}

/// The signed amount of a line that is a charge (+) or discount (-), if it is one.
pub fn charge_amount(line: &Line) -> Option<Decimal> {
    let text = line.description.as_ref()?.value.as_str();
    let amount = line.amount.as_ref()?.value.amount;
    if contains_word(text, DISCOUNT_WORDS) {
        Some(-amount.abs())
    } else if contains_word(text, CHARGE_WORDS) {
        Some(amount)
    } else {
        None
    }
}

/// Judges the unpaired lines of [`LineResult::unpaired`] and the document's
/// own allowances and charges; adds their rows, reasons and booking lines.
pub fn judge(
    doc: &BusinessDocument,
    orders: &[&PurchaseOrder],
    supplier_id: &str,
    policy: &Policy,
    result: &mut LineResult,
) {
    let mut total = Decimal::ZERO;
    let mut charge_lines = Vec::new();
    let unpaired = std::mem::take(&mut result.unpaired);
    for &i in &unpaired {
        let line = &doc.lines[i];
        let n = line_no(i);
        match charge_amount(line) {
            Some(amount) => {
                total += amount;
                charge_lines.push(n);
            }
            None if orders.is_empty() => result.explanations.push(unmatched(n, line)),
            None => {
                let text = line.description.as_ref().map_or("", |d| d.value.as_str());
                let pos: Vec<&str> = orders.iter().map(|o| o.number.as_str()).collect();
                result.exceptions.push(Reason::on_line(
                    ReasonCode::LineNotMatched,
                    n,
                    format!("{text:?} matches no line of PO {}", pos.join(", ")),
                ));
                result.explanations.push(unmatched(n, line));
            }
        }
    }
    for ac in &doc.allowances_charges {
        let amount = ac.amount.value.amount.abs();
        total += if ac.is_charge { amount } else { -amount };
    }
    if total.is_zero() && charge_lines.is_empty() && doc.allowances_charges.is_empty() {
        return;
    }
    let planned: Decimal = orders.iter().filter_map(|o| o.planned_delivery_costs).sum();
    let key = ScopeKey {
        company: orders.first().and_then(|o| o.company.as_deref()),
        supplier: Some(supplier_id),
        item: None,
    };
    let rule = policy.tolerance(Dimension::DeliveryCosts, &key);
    let variance = Variance {
        difference: total - planned,
        reference: planned,
        amount: total - planned,
    };
    let said = format!(
        "delivery costs, surcharges and discounts of {} against {} planned on the PO",
        money_text(total),
        money_text(planned)
    );
    let (state, verdict) = match rule.judge(variance) {
        Judgement::Beyond => {
            result.exceptions.push(Reason::new(
                ReasonCode::AmountVariance,
                format!("{said}: beyond the tolerance ({})", rule.describe()),
            ));
            (LineCheck::Failed, "beyond tolerance: a person looks")
        }
        Judgement::Within if rule.action == Action::Exception => {
            result.exceptions.push(rule.review_reason(&said));
            (LineCheck::Failed, "a person looks")
        }
        Judgement::Within => {
            result.notes.push(Reason::new(
                ReasonCode::WithinTolerance,
                format!("{said}: within tolerance ({})", rule.describe()),
            ));
            (LineCheck::WithinTolerance, "within tolerance: books")
        }
        Judgement::Exact => (LineCheck::Ok, "as planned: books"),
    };
    if !total.is_zero() {
        result.booking.push(BookedLine {
            purchase_order: orders.first().map(|o| o.number.clone()).unwrap_or_default(),
            purchase_order_line: String::new(),
            quantity: Decimal::ZERO,
            amount: total,
            goods_receipt: None,
            account: Some(
                rule.account
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ACCOUNT.to_string()),
            ),
        });
    }
    for n in charge_lines {
        let line = &doc.lines[(n - 1) as usize];
        let mut row = unmatched(n, line);
        row.price_check = state;
        row.tolerances = vec![rule.describe()];
        row.explanation = format!("not goods: {said}, {verdict}");
        result.explanations.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charge_words_are_found_as_words() {
        assert!(contains_word("Frachtkosten pauschal", CHARGE_WORDS));
        assert!(contains_word("Mindermengenzuschlag", CHARGE_WORDS));
        assert!(contains_word("Versand DHL", CHARGE_WORDS));
        assert!(!contains_word("Kopierpapier A4", CHARGE_WORDS));
        assert!(contains_word("Sonderrabatt 3 %", DISCOUNT_WORDS));
    }
}
