//! Line items: pairing extracted lines with truth lines, and F1 over lines.
//!
//! An extracted line can stand for a truth line when it agrees on every number
//! the truth line gives (quantity, net unit price, net amount; compared by
//! value, sign included). Lines are paired one to one so that as many as
//! possible agree (a maximum bipartite matching: order on the page does not
//! matter, and two identical lines need two extracted lines). Then
//! precision = paired / extracted, recall = paired / truth, and
//! F1 = 2 · paired / (extracted + truth).
//!
//! A line with none of the three numbers, in the truth or extracted, is left
//! out on both sides: there is nothing to score it on (ZUGFeRD 1 writes
//! note-only lines, and the XML reader reads them as lines too).

use serde::Serialize;

use crate::field::LineValues;

/// How one document's lines scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineScore {
    /// Truth lines that give at least one number.
    pub expected: usize,
    /// Lines Docket extracted with at least one number (a spurious line
    /// costs precision).
    pub extracted: usize,
    /// Extracted lines paired with a truth line they agree with.
    pub matched: usize,
    /// 2 · matched / (expected + extracted).
    pub f1: f64,
}

/// Scores extracted lines against truth lines; `None` when the truth gives no
/// lines (MINIMUM and BASIC-WL profiles carry none: that means "not given",
/// not "no lines").
pub fn score_lines(truth: &[LineValues], extracted: &[LineValues]) -> Option<LineScore> {
    if truth.is_empty() {
        return None;
    }
    let matched = max_pairing(truth, extracted);
    let f1 = 2.0 * matched as f64 / (truth.len() + extracted.len()) as f64;
    Some(LineScore {
        expected: truth.len(),
        extracted: extracted.len(),
        matched,
        f1,
    })
}

/// Whether an extracted line agrees with every number the truth line gives.
fn agrees(truth: &LineValues, got: &LineValues) -> bool {
    let same = |want: Option<_>, got: Option<_>| want.is_none() || want == got;
    same(truth.qty, got.qty)
        && same(truth.unit_price, got.unit_price)
        && same(truth.amount, got.amount)
}

/// The size of a maximum matching between truth and extracted lines
/// (augmenting paths; documents have at most a few hundred lines).
fn max_pairing(truth: &[LineValues], extracted: &[LineValues]) -> usize {
    let fits: Vec<Vec<usize>> = truth
        .iter()
        .map(|t| {
            (0..extracted.len())
                .filter(|&j| agrees(t, &extracted[j]))
                .collect()
        })
        .collect();
    // owner[j]: the truth line extracted line j is paired with.
    let mut owner: Vec<Option<usize>> = vec![None; extracted.len()];
    let mut matched = 0;
    for i in 0..truth.len() {
        let mut seen = vec![false; extracted.len()];
        if augment(i, &fits, &mut owner, &mut seen) {
            matched += 1;
        }
    }
    matched
}

/// Tries to pair truth line `i`, moving earlier pairs along if that helps.
fn augment(i: usize, fits: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &j in &fits[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        let free = match owner[j] {
            None => true,
            Some(other) => augment(other, fits, owner, seen),
        };
        if free {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn line(qty: i64, price: i64, amount: i64) -> LineValues {
        LineValues {
            qty: Some(Decimal::from(qty)),
            unit_price: Some(Decimal::from(price)),
            amount: Some(Decimal::from(amount)),
        }
    }

    #[test]
    fn no_truth_lines_means_not_scored() {
        assert_eq!(score_lines(&[], &[line(1, 2, 2)]), None);
    }

    #[test]
    fn order_does_not_matter_and_every_number_must_agree() {
        let truth = [line(1, 10, 10), line(2, 5, 10), line(3, 1, 3)];
        let got = [line(3, 1, 3), line(1, 10, 10), line(2, 5, 11)];
        let s = score_lines(&truth, &got).unwrap();
        assert_eq!((s.expected, s.extracted, s.matched), (3, 3, 2));
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn spurious_and_missing_lines_cost_precision_and_recall() {
        let truth = [line(1, 10, 10), line(1, 10, 10)];
        // One of the two identical lines is found, plus a line that is not there.
        let s = score_lines(&truth, &[line(1, 10, 10), line(9, 9, 81)]).unwrap();
        assert_eq!(s.matched, 1);
        assert!((s.f1 - 0.5).abs() < 1e-9);
        assert_eq!(score_lines(&truth, &[]).unwrap().f1, 0.0);
    }

    #[test]
    fn a_number_the_truth_leaves_out_is_not_held_against_a_line() {
        // ZUGFeRD 1 truth gives no line amounts.
        let truth = [LineValues {
            amount: None,
            ..line(2, 5, 0)
        }];
        assert_eq!(score_lines(&truth, &[line(2, 5, 10)]).unwrap().matched, 1);
        // But a number Docket did not read does not agree with one the truth gives.
        let unread = LineValues {
            amount: None,
            ..line(2, 5, 10)
        };
        assert_eq!(
            score_lines(&[line(2, 5, 10)], &[unread]).unwrap().matched,
            0
        );
    }

    #[test]
    fn pairing_is_maximal_not_greedy() {
        // A truth line without a price fits both extracted lines; pairing it
        // greedily with the first would leave the second truth line unpaired.
        let open = LineValues {
            unit_price: None,
            ..line(1, 0, 10)
        };
        let truth = [open, line(1, 10, 10)];
        let got = [line(1, 10, 10), line(1, 7, 10)];
        assert_eq!(score_lines(&truth, &got).unwrap().matched, 2);
    }
}
