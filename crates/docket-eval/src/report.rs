//! Aggregation: from scored documents to per-field figures, per file and per
//! distinct scenario.
//!
//! Many files render the same invoice (one FeRD sample exists in five
//! versions), so the headline figures count scenarios, not files:
//!
//! - a scenario's score for a field is the mean over its files where the truth
//!   gives the field (right = 1, wrong or missing = 0);
//! - a field's **accuracy** is the mean of those scores over the scenarios
//!   where the truth gives the field; **coverage** the same with "Docket gave
//!   a value" in place of "right";
//! - **confidently wrong** is counted per file (files where the field is wrong
//!   at or above the auto-book threshold: each would be booked wrong) and per
//!   scenario (scenarios with at least one such file);
//! - `header_accuracy` is the mean of the scenario scores over every
//!   (scenario, header field) pair where the truth gives the field;
//! - `line_f1` is the mean over scenarios whose truth gives lines of the mean
//!   line F1 of their files ([`crate::lines`]).
//!
//! The same figures per file (each file counting once) are kept alongside for
//! the human table.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calibration::{Band, bands};
use crate::compare::{DocumentScore, Outcome, round4};
use crate::field::FieldName;

/// The figures of one field.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FieldStats {
    /// Scenarios where the truth gives the field.
    pub scenarios: usize,
    /// Files where the truth gives the field.
    pub files: usize,
    /// Of those, files where Docket's value is right.
    pub right_files: usize,
    /// Mean over those scenarios of the share of their files that are right.
    pub accuracy: Option<f64>,
    /// Share of those files that are right.
    pub accuracy_files: Option<f64>,
    /// Mean over those scenarios of the share of their files Docket gave a value for.
    pub coverage: Option<f64>,
    /// Share of those files Docket gave a value for.
    pub coverage_files: Option<f64>,
    /// Files where the field is confidently wrong.
    pub confidently_wrong: usize,
    /// Scenarios with at least one such file.
    pub confidently_wrong_scenarios: usize,
    /// Files where Docket gave a value the truth does not give (not scored).
    pub unexpected: usize,
    /// Files where the field is not right and the truth's value is not a
    /// valid id (see [`crate::FieldScore::truth_invalid`]).
    pub not_right_truth_invalid: usize,
}

/// The scores of a whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Files scored.
    pub files: usize,
    /// Distinct scenarios among them.
    pub scenarios: usize,
    /// Per field, in [`FieldName::ALL`] order.
    pub fields: Vec<(FieldName, FieldStats)>,
    /// The fields `header_accuracy` pools.
    pub header_fields: Vec<FieldName>,
    /// See the module documentation; `None` when no truth gives any.
    pub header_accuracy: Option<f64>,
    /// Mean line F1 per scenario; `None` when no truth gives lines.
    pub line_f1: Option<f64>,
    /// Mean line F1 per file.
    pub line_f1_files: Option<f64>,
    /// Scenarios whose truth gives lines.
    pub line_scenarios: usize,
    /// Confidently wrong fields over all files.
    pub confidently_wrong: usize,
    /// How often values were right per band of Docket's confidence.
    pub calibration: Vec<Band>,
    /// Every document, in the order given.
    pub documents: Vec<DocumentScore>,
}

impl Report {
    /// Aggregates scored documents; `header_fields` are pooled into
    /// `header_accuracy`.
    pub fn new(documents: Vec<DocumentScore>, header_fields: &[FieldName]) -> Self {
        let mut by_scenario: BTreeMap<&str, Vec<&DocumentScore>> = BTreeMap::new();
        for d in &documents {
            by_scenario.entry(&d.scenario).or_default().push(d);
        }
        let scenarios: Vec<&[&DocumentScore]> = by_scenario.values().map(Vec::as_slice).collect();
        let mut header_scores = Vec::new();
        let fields = FieldName::ALL
            .into_iter()
            .map(|field| {
                let (stats, per_scenario) = field_stats(field, &scenarios);
                if header_fields.contains(&field) {
                    header_scores.extend(per_scenario);
                }
                (field, stats)
            })
            .collect();
        let line_means: Vec<f64> = scenarios
            .iter()
            .filter_map(|docs| mean(docs.iter().filter_map(|d| d.lines.map(|l| l.f1))))
            .collect();
        Report {
            files: documents.len(),
            scenarios: scenarios.len(),
            fields,
            header_fields: header_fields.to_vec(),
            header_accuracy: mean(header_scores),
            line_f1: mean(line_means.iter().copied()),
            line_f1_files: mean(documents.iter().filter_map(|d| d.lines.map(|l| l.f1))),
            line_scenarios: line_means.len(),
            confidently_wrong: documents.iter().map(DocumentScore::confidently_wrong).sum(),
            calibration: bands(&documents),
            documents,
        }
    }

    /// The stable `--json` shape (documented in `docs/extraction.md`):
    /// fractions rounded to four places, `null` where nothing was scored.
    pub fn to_json(&self) -> serde_json::Value {
        let fields: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(name, s)| {
                let value = serde_json::json!({
                    "accuracy": s.accuracy.map(round4),
                    "coverage": s.coverage.map(round4),
                    "confidently_wrong": s.confidently_wrong,
                });
                (name.as_str().to_string(), value)
            })
            .collect();
        serde_json::json!({
            "files": self.files,
            "scenarios": self.scenarios,
            "fields": fields,
            "header_accuracy": self.header_accuracy.map(round4),
            "line_f1": self.line_f1.map(round4),
            "confidently_wrong": self.confidently_wrong,
            "calibration": self.calibration,
            "documents": self.documents,
        })
    }
}

/// One field's figures, and its score in every scenario where the truth gives it.
fn field_stats(field: FieldName, scenarios: &[&[&DocumentScore]]) -> (FieldStats, Vec<f64>) {
    let mut s = FieldStats::default();
    let (mut accuracy, mut coverage) = (Vec::new(), Vec::new());
    let mut covered_files = 0usize;
    for docs in scenarios {
        let outcomes: Vec<_> = docs.iter().filter_map(|d| d.fields.get(&field)).collect();
        s.unexpected += outcomes
            .iter()
            .filter(|f| f.outcome == Outcome::Unexpected)
            .count();
        let scored: Vec<_> = outcomes.into_iter().filter(|f| f.is_scored()).collect();
        if scored.is_empty() {
            continue;
        }
        let right = scored
            .iter()
            .filter(|f| f.outcome == Outcome::Right)
            .count();
        let covered = scored
            .iter()
            .filter(|f| f.outcome != Outcome::Missing)
            .count();
        let sure_wrong = scored.iter().filter(|f| f.confidently_wrong).count();
        s.not_right_truth_invalid += scored
            .iter()
            .filter(|f| f.truth_invalid && f.outcome != Outcome::Right)
            .count();
        accuracy.push(right as f64 / scored.len() as f64);
        coverage.push(covered as f64 / scored.len() as f64);
        s.scenarios += 1;
        s.files += scored.len();
        s.right_files += right;
        covered_files += covered;
        s.confidently_wrong += sure_wrong;
        s.confidently_wrong_scenarios += usize::from(sure_wrong > 0);
    }
    let share = |n: usize| (s.files > 0).then(|| n as f64 / s.files as f64);
    s.accuracy_files = share(s.right_files);
    s.coverage_files = share(covered_files);
    s.accuracy = mean(accuracy.iter().copied());
    s.coverage = mean(coverage);
    (s, accuracy)
}

fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
