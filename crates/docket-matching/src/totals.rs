//! The document's own totals against what its lines add up to, under the
//! `total_difference` tolerance (SAP's small differences, BD): within it the
//! document books as it is, or, with `action = "book_difference"`, with the
//! difference on its own line to the rule's account.

use docket_domain::erp::BookedLine;
use docket_domain::{BusinessDocument, Field, Money, Reason, ReasonCode};
use rust_decimal::Decimal;

use crate::Policy;
use crate::lines::money_text;
use crate::tolerance::{Action, Dimension, Judgement, ScopeKey, Variance};

fn amount(field: &Option<Field<Money>>) -> Option<Decimal> {
    field.as_ref().map(|f| f.value.amount)
}

/// Charges minus allowances at document level.
pub fn net_charges(items: &[docket_domain::AllowanceCharge]) -> Decimal {
    items
        .iter()
        .map(|ac| {
            let a = ac.amount.value.amount.abs();
            if ac.is_charge { a } else { -a }
        })
        .sum()
}

/// What judging the totals found.
#[derive(Debug, Default)]
pub struct TotalsResult {
    /// Differences beyond tolerance, or within it where a person must look.
    pub exceptions: Vec<Reason>,
    /// Differences within tolerance.
    pub notes: Vec<Reason>,
    /// A difference line to book (`book_difference`).
    pub booking: Option<BookedLine>,
}

/// Judges net against the lines (plus charges) and net plus VAT against gross.
pub fn judge(doc: &BusinessDocument, key: &ScopeKey<'_>, policy: &Policy) -> TotalsResult {
    let rule = policy.tolerance(Dimension::TotalDifference, key);
    let t = &doc.totals;
    let mut result = TotalsResult::default();
    let line_sum: Option<Decimal> = doc
        .lines
        .iter()
        .map(|l| l.amount.as_ref().map(|f| f.value.amount))
        .sum();
    // (what, difference, reference, whether a difference line can carry it:
    // a VAT rounding difference is not a net amount to book)
    let mut checks: Vec<(String, Decimal, Decimal, bool)> = Vec::new();
    if let (Some(sum), Some(net)) = (line_sum, amount(&t.net))
        && !doc.lines.is_empty()
    {
        let computed = sum + net_charges(&doc.allowances_charges);
        checks.push((
            format!(
                "the lines add up to {}, the net total says {}",
                money_text(computed),
                money_text(net)
            ),
            net - computed,
            computed,
            true,
        ));
    }
    if let (Some(net), Some(tax), Some(gross)) = (amount(&t.net), amount(&t.tax), amount(&t.gross))
    {
        checks.push((
            format!(
                "net {} + VAT {} makes {}, the gross total says {}",
                money_text(net),
                money_text(tax),
                money_text(net + tax),
                money_text(gross)
            ),
            gross - (net + tax),
            net + tax,
            false,
        ));
    }
    let mut to_book = Decimal::ZERO;
    for (said, difference, reference, bookable) in checks {
        let variance = Variance {
            difference,
            reference,
            amount: difference,
        };
        match rule.judge(variance) {
            Judgement::Exact => {}
            Judgement::Beyond => result.exceptions.push(Reason::new(
                ReasonCode::ArithmeticError,
                format!(
                    "{said}: a difference of {} beyond the tolerance ({})",
                    money_text(difference),
                    rule.describe()
                ),
            )),
            Judgement::Within if rule.action == Action::Exception => {
                result.exceptions.push(rule.review_reason(&said))
            }
            Judgement::Within => {
                if bookable {
                    to_book += difference;
                }
                result.notes.push(Reason::new(
                    ReasonCode::WithinTolerance,
                    format!(
                        "{said}: a difference of {} within tolerance ({})",
                        money_text(difference),
                        rule.describe()
                    ),
                ));
            }
        }
    }
    if rule.action == Action::BookDifference && !to_book.is_zero() && result.exceptions.is_empty() {
        result.booking = Some(BookedLine {
            purchase_order: String::new(),
            purchase_order_line: String::new(),
            quantity: Decimal::ZERO,
            amount: to_book,
            goods_receipt: None,
            account: rule.account.clone(),
        });
    }
    result
}
