//! Calibration: how often Docket is right at each level of its own
//! confidence.
//!
//! Issue 5 asks that confidence come from evidence and be calibrated so that
//! at the auto-book threshold no field is wrong. The confidently-wrong count
//! says whether that holds; this table says how much room there is: for every
//! scored field Docket gave a value for, its confidence falls in a band, and
//! each band counts how many of those values were right. A well-calibrated
//! reader is right more often in higher bands, and never wrong at or above
//! the threshold.

use serde::Serialize;

use crate::compare::{DocumentScore, Outcome};

/// Lower edges of the bands: below review, review threshold up, checked.
const EDGES: [f64; 4] = [0.0, 0.5, 0.7, 0.9];

/// One band of confidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Lowest confidence in the band (inclusive).
    pub from: f64,
    /// Highest confidence (exclusive; 1.0 inclusive for the top band).
    pub to: f64,
    /// Values Docket gave in this band that the truth scores.
    pub fields: usize,
    /// Of those, right.
    pub right: usize,
    /// Of those, wrong (a missing value has no confidence and is not counted).
    pub wrong: usize,
}

/// The bands over every scored field of every document.
pub fn bands(documents: &[DocumentScore]) -> Vec<Band> {
    let mut out: Vec<Band> = EDGES
        .iter()
        .enumerate()
        .map(|(i, &from)| Band {
            from,
            to: EDGES.get(i + 1).copied().unwrap_or(1.0),
            fields: 0,
            right: 0,
            wrong: 0,
        })
        .collect();
    let scored = documents.iter().flat_map(|d| d.fields.values());
    for f in scored {
        let Some(confidence) = f.confidence else {
            continue;
        };
        let right = match f.outcome {
            Outcome::Right => true,
            Outcome::Wrong => false,
            Outcome::Missing | Outcome::Unexpected => continue,
        };
        let band = EDGES.iter().rposition(|&e| confidence >= e).unwrap_or(0);
        let b = &mut out[band];
        b.fields += 1;
        b.right += usize::from(right);
        b.wrong += usize::from(!right);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::FieldName;
    use crate::compare::FieldScore;

    fn score(outcome: Outcome, confidence: Option<f64>) -> FieldScore {
        FieldScore {
            outcome,
            expected: None,
            got: None,
            confidence,
            confidently_wrong: false,
            truth_invalid: false,
        }
    }

    #[test]
    fn values_fall_in_the_band_of_their_confidence_and_missing_ones_in_none() {
        let doc = DocumentScore {
            file: "a.pdf".into(),
            scenario: "a".into(),
            method: None,
            error: None,
            fields: BTreeMap::from([
                (FieldName::Number, score(Outcome::Right, Some(0.95))),
                (FieldName::Gross, score(Outcome::Right, Some(0.9))),
                (FieldName::Net, score(Outcome::Wrong, Some(0.6))),
                (FieldName::Tax, score(Outcome::Missing, None)),
                (FieldName::Due, score(Outcome::Unexpected, Some(0.8))),
                (FieldName::IssueDate, score(Outcome::Wrong, Some(0.7))),
            ]),
            lines: None,
        };
        let b = bands(&[doc]);
        assert_eq!(b.len(), 4);
        assert_eq!((b[3].fields, b[3].right, b[3].wrong), (2, 2, 0));
        assert_eq!((b[2].fields, b[2].right, b[2].wrong), (1, 0, 1));
        assert_eq!((b[1].fields, b[1].right, b[1].wrong), (1, 0, 1));
        assert_eq!(b[0].fields, 0);
    }
}
