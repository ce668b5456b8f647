//! The limit on waiting: a document still waiting for its goods
//! `waiting.max_days` days after it arrived goes to a person.
//!
//! The rules in `docket-matching` are pure and know no clock, so the match
//! stage applies this to their verdict, knowing when the document arrived.

use chrono::TimeDelta;
use docket_domain::{LineCheck, LineExplanation, Reason, ReasonCode};
use docket_matching::{MatchOutcome, Verdict};

/// Turns a `Wait` of a document that has waited `waited` into an exception
/// when that is `max_days` days or more; the reasons it waited for stay,
/// after the one that says how long it waited and for which lines. Returns
/// whether it did.
pub fn expire(outcome: &mut MatchOutcome, waited: TimeDelta, max_days: u32) -> bool {
    if outcome.verdict != Verdict::Wait || waited < TimeDelta::days(i64::from(max_days)) {
        return false;
    }
    let pending: Vec<String> = outcome
        .lines
        .iter()
        .filter(|l| l.quantity_check == LineCheck::Pending || l.price_check == LineCheck::Pending)
        .map(line_and_order)
        .collect();
    let what = if pending.is_empty() {
        "its goods".to_string()
    } else {
        format!("the goods of {}", pending.join(", "))
    };
    let message = format!(
        "waited {} for {what}; the policy allows {max_days} day(s) (waiting.max_days)",
        how_long(waited)
    );
    outcome.verdict = Verdict::Exception;
    outcome.booking = None;
    outcome
        .reasons
        .insert(0, Reason::new(ReasonCode::WaitedTooLong, message));
    true
}

/// `line 2 (PO 4500000105 line 20)`.
fn line_and_order(line: &LineExplanation) -> String {
    match (&line.purchase_order, &line.purchase_order_line) {
        (Some(po), Some(po_line)) => format!("line {} (PO {po} line {po_line})", line.line),
        _ => format!("line {}", line.line),
    }
}

/// A wait in the largest whole unit that fits: `31 days`, `5 hours`, `2 minutes`.
fn how_long(waited: TimeDelta) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if waited.num_days() > 0 {
        plural(waited.num_days(), "day")
    } else if waited.num_hours() > 0 {
        plural(waited.num_hours(), "hour")
    } else if waited.num_minutes() > 0 {
        plural(waited.num_minutes(), "minute")
    } else {
        "less than a minute".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting() -> MatchOutcome {
        let line = |n: u32, po_line: &str, check: LineCheck| LineExplanation {
            line: n,
            purchase_order: Some("4500000105".into()),
            purchase_order_line: Some(po_line.into()),
            quantity_invoiced: None,
            quantity_ordered: None,
            quantity_received: None,
            quantity_invoiced_before: None,
            quantity_open: None,
            price_invoiced: None,
            price_ordered: None,
            quantity_check: check,
            price_check: LineCheck::Ok,
            variance: None,
            tolerances: Vec::new(),
            explanation: String::new(),
        };
        MatchOutcome {
            verdict: Verdict::Wait,
            supplier: None,
            reasons: vec![Reason::on_line(
                ReasonCode::AwaitingGoodsReceipt,
                2,
                "waiting for the goods receipt",
            )],
            lines: vec![
                line(1, "10", LineCheck::Ok),
                line(2, "20", LineCheck::Pending),
            ],
            booking: None,
            business_key: None,
            policy_version: 2,
        }
    }

    #[test]
    fn a_wait_within_the_limit_stays_a_wait() {
        let mut outcome = waiting();
        assert!(!expire(&mut outcome, TimeDelta::days(29), 30));
        assert_eq!(outcome, waiting());
    }

    #[test]
    fn a_wait_at_the_limit_is_an_exception_that_says_how_long_and_for_what() {
        let mut outcome = waiting();
        assert!(expire(&mut outcome, TimeDelta::days(31), 30));
        assert_eq!(outcome.verdict, Verdict::Exception);
        let codes: Vec<ReasonCode> = outcome.reasons.iter().map(|r| r.code).collect();
        assert_eq!(
            codes,
            [ReasonCode::WaitedTooLong, ReasonCode::AwaitingGoodsReceipt]
        );
        assert_eq!(
            outcome.reasons[0].message,
            "waited 31 days for the goods of line 2 (PO 4500000105 line 20); \
             the policy allows 30 day(s) (waiting.max_days)"
        );
    }

    #[test]
    fn no_waiting_allowed_expires_at_once_and_other_verdicts_are_left_alone() {
        let mut outcome = waiting();
        assert!(expire(&mut outcome, TimeDelta::seconds(3), 0));
        assert!(
            outcome.reasons[0]
                .message
                .starts_with("waited less than a minute")
        );
        let mut booked = waiting();
        booked.verdict = Verdict::Book;
        assert!(!expire(&mut booked, TimeDelta::days(400), 30));
    }

    #[test]
    fn waits_read_in_the_largest_whole_unit() {
        assert_eq!(how_long(TimeDelta::minutes(1)), "1 minute");
        assert_eq!(how_long(TimeDelta::hours(5)), "5 hours");
        assert_eq!(how_long(TimeDelta::days(1)), "1 day");
    }
}
