//! Aggregation on hand-made scores.

use super::*;
use crate::compare::FieldScore;
use crate::lines::LineScore;

fn score(outcome: Outcome, confidently_wrong: bool) -> FieldScore {
    FieldScore {
        outcome,
        expected: None,
        got: None,
        confidence: None,
        confidently_wrong,
        truth_invalid: false,
    }
}

fn doc(
    scenario: &str,
    fields: &[(FieldName, Outcome, bool)],
    line_f1: Option<f64>,
) -> DocumentScore {
    DocumentScore {
        file: format!("{scenario}.pdf"),
        scenario: scenario.to_string(),
        method: None,
        error: None,
        fields: fields
            .iter()
            .map(|&(f, o, sure)| (f, score(o, sure)))
            .collect(),
        lines: line_f1.map(|f1| LineScore {
            expected: 2,
            extracted: 2,
            matched: 0,
            f1,
        }),
    }
}

/// Scenario a: two files; b and c: one each.
fn report() -> Report {
    use FieldName::{Gross, Number};
    use Outcome::*;
    let docs = vec![
        doc(
            "a",
            &[(Number, Right, false), (Gross, Right, false)],
            Some(1.0),
        ),
        doc(
            "a",
            &[(Number, Right, false), (Gross, Wrong, true)],
            Some(0.5),
        ),
        doc(
            "b",
            &[(Number, Missing, false), (Gross, Right, false)],
            None,
        ),
        doc(
            "c",
            &[(Number, Right, false), (Gross, Unexpected, false)],
            Some(0.0),
        ),
    ];
    Report::new(docs, &[Number, Gross])
}

fn stats(r: &Report, field: FieldName) -> &FieldStats {
    &r.fields.iter().find(|(f, _)| *f == field).unwrap().1
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn accuracy_is_a_mean_over_scenarios_not_files() {
    let r = report();
    assert_eq!((r.files, r.scenarios), (4, 3));
    let number = stats(&r, FieldName::Number);
    assert_eq!((number.scenarios, number.files), (3, 4));
    // Scenarios a = 1, b = 0, c = 1; files 3 of 4.
    assert!(close(number.accuracy, 2.0 / 3.0));
    assert!(close(number.accuracy_files, 0.75));
    assert!(close(number.coverage, 2.0 / 3.0));
    let gross = stats(&r, FieldName::Gross);
    // Scenario a = 1/2, b = 1; c's truth gives no gross.
    assert_eq!((gross.scenarios, gross.files), (2, 3));
    assert!(close(gross.accuracy, 0.75));
    assert!(close(gross.accuracy_files, 2.0 / 3.0));
    assert!(close(gross.coverage, 1.0));
    assert_eq!(gross.unexpected, 1);
}

#[test]
fn confidently_wrong_is_counted_per_file_and_per_scenario() {
    let r = report();
    let gross = stats(&r, FieldName::Gross);
    assert_eq!(
        (gross.confidently_wrong, gross.confidently_wrong_scenarios),
        (1, 1)
    );
    assert_eq!(r.confidently_wrong, 1);
}

#[test]
fn header_accuracy_pools_scenario_scores_and_line_f1_is_per_scenario() {
    let r = report();
    // number 1, 0, 1 and gross 1/2, 1.
    assert!(close(r.header_accuracy, 3.5 / 5.0));
    // Scenario a: mean(1, 0.5); c: 0; b gives no lines.
    assert!(close(r.line_f1, 0.375));
    assert!(close(r.line_f1_files, 0.5));
    assert_eq!(r.line_scenarios, 2);
}

#[test]
fn fields_nobody_gives_have_no_accuracy() {
    let r = report();
    let due = stats(&r, FieldName::DueDate);
    assert_eq!(due.accuracy, None);
    assert_eq!(due.scenarios, 0);
    let empty = Report::new(Vec::new(), FieldName::HEADER);
    assert_eq!((empty.header_accuracy, empty.line_f1), (None, None));
}

#[test]
fn the_json_rounds_fractions_and_keeps_unscored_fields() {
    // The key list itself is checked on the real command (crates/docket/tests/eval.rs).
    let json = report().to_json();
    assert_eq!(json["fields"]["number"]["accuracy"], 0.6667);
    assert_eq!(json["fields"]["gross"]["confidently_wrong"], 1);
    assert_eq!(
        json["fields"]["due_date"]["accuracy"],
        serde_json::Value::Null
    );
    assert_eq!(
        json["fields"].as_object().unwrap().len(),
        FieldName::ALL.len()
    );
    assert_eq!(json["documents"][1]["fields"]["gross"]["outcome"], "wrong");
    assert_eq!(json["header_accuracy"], 0.7);
}
