//! Comparing one extracted document with what its truth expects, field by field.
//!
//! Docket's values go through the same normalisation as the truth's
//! ([`crate::norm`]). Each field the truth gives is right, wrong or missing;
//! a field Docket read that the truth does not give is noted as unexpected but
//! never scored (`null` in the truth can also mean its generator did not look).
//! A wrong field is confidently wrong when Docket's confidence is at or above
//! [`Confidence::REVIEW_THRESHOLD`], the auto-book threshold: such a value
//! would be booked without a person looking.

use std::collections::{BTreeMap, BTreeSet};

use docket_domain::{BusinessDocument, Confidence, Field, Line, Money, iban, vat};
use serde::Serialize;

use crate::field::{Expected, FieldName, LineValues, Value};
use crate::lines::{LineScore, score_lines};
use crate::norm;

/// How one field of one document scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Docket read the value the truth gives.
    Right,
    /// Docket read another value.
    Wrong,
    /// The truth gives a value, Docket read none.
    Missing,
    /// Docket read a value the truth does not give (not scored).
    Unexpected,
}

/// One field of one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldScore {
    /// Right, wrong, missing or unexpected.
    pub outcome: Outcome,
    /// The truth's value, normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Docket's value, normalised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
    /// Docket's confidence in its value, rounded to four places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Wrong, at or above the auto-book threshold.
    pub confidently_wrong: bool,
    /// The truth's value is not a valid VAT id or IBAN by Docket's own
    /// validation (sample documents use placeholders such as `DE123456789`,
    /// whose check digit fails). Docket reads such an id only where it
    /// stands beside its label, and then below the review threshold; a miss
    /// here still counts.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truth_invalid: bool,
}

impl FieldScore {
    /// Whether the truth gives this field (so it counts towards accuracy).
    pub fn is_scored(&self) -> bool {
        self.outcome != Outcome::Unexpected
    }
}

/// How one document scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentScore {
    /// The file, as the truth names it.
    pub file: String,
    /// The scenario it counts towards.
    pub scenario: String,
    /// How Docket read it (`embedded factur-x.xml (CII)`, `PDF text, 2 page(s)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Why Docket could not read it; every field the truth gives is then missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The fields the truth gives or Docket read.
    pub fields: BTreeMap<FieldName, FieldScore>,
    /// The lines, where the truth gives some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<LineScore>,
}

impl DocumentScore {
    /// How many fields of this document are confidently wrong.
    pub fn confidently_wrong(&self) -> usize {
        self.fields.values().filter(|f| f.confidently_wrong).count()
    }
}

/// What Docket made of a file: the document and how it was read, or why it
/// could not be read.
pub type Reading<'a> = Result<(&'a BusinessDocument, &'a str), String>;

/// Scores one file against what its truth expects.
pub fn score_document(
    file: &str,
    scenario: &str,
    expected: &Expected,
    reading: Reading<'_>,
) -> DocumentScore {
    let (doc, method, error) = match reading {
        Ok((doc, method)) => (Some(doc), Some(method.to_string()), None),
        Err(reason) => (None, None, Some(reason)),
    };
    let mut fields = BTreeMap::new();
    for field in FieldName::ALL {
        let got = doc.and_then(|d| observed(d, field));
        if let Some(score) = score_field(field, expected.fields.get(&field), got) {
            fields.insert(field, score);
        }
    }
    let extracted: Vec<LineValues> = doc.map_or_else(Vec::new, |d| {
        d.lines
            .iter()
            .map(line_values)
            .filter(LineValues::is_scorable)
            .collect()
    });
    DocumentScore {
        file: file.to_string(),
        scenario: scenario.to_string(),
        method,
        error,
        fields,
        lines: score_lines(&expected.lines, &extracted),
    }
}

/// One field; `None` when neither the truth nor Docket has a value.
fn score_field(
    field: FieldName,
    expected: Option<&Value>,
    got: Option<(Value, Confidence)>,
) -> Option<FieldScore> {
    let outcome = match (expected, &got) {
        (None, None) => return None,
        (None, Some(_)) => Outcome::Unexpected,
        (Some(_), None) => Outcome::Missing,
        (Some(want), Some((value, _))) if agrees(field, want, value) => Outcome::Right,
        (Some(_), Some(_)) => Outcome::Wrong,
    };
    let confidence = got.as_ref().map(|(_, c)| *c);
    Some(FieldScore {
        outcome,
        expected: expected.map(ToString::to_string),
        got: got.as_ref().map(|(v, _)| v.to_string()),
        confidence: confidence.map(|c| round4(f64::from(c.value()))),
        confidently_wrong: outcome == Outcome::Wrong && confidence.is_some_and(Confidence::is_sure),
        truth_invalid: expected.is_some_and(|want| fails_check_digits(field, want)),
    })
}

/// Rounds a fraction to four places for the report (a confidence is an
/// `f32`; printed as an `f64` it would show digits it never had).
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Whether Docket's value is the truth's. A VAT id the truth writes in its
/// national form, without a country prefix (invoice2data's template for a
/// Polish supplier gives the NIP `7740001454`), is the id Docket reads with
/// its country's prefix (`PL7740001454`): the same number. A national tax
/// number that is another number than the VAT id (a German Steuernummer)
/// never agrees with one.
fn agrees(field: FieldName, want: &Value, got: &Value) -> bool {
    if want == got {
        return true;
    }
    match (field, want, got) {
        (FieldName::SellerVatId | FieldName::BuyerVatId, Value::Text(w), Value::Text(g)) => {
            let national = !w.starts_with(|c: char| c.is_ascii_alphabetic());
            national && vat::country(g).is_some() && g.get(2..) == Some(w.as_str())
        }
        _ => false,
    }
}

/// Whether a truth value is a VAT id or IBAN that Docket's validation refuses.
fn fails_check_digits(field: FieldName, value: &Value) -> bool {
    match (field, value) {
        (FieldName::SellerVatId | FieldName::BuyerVatId, Value::Text(id)) => {
            vat::validate(id).is_err()
        }
        (FieldName::Iban, Value::Set(ibans)) => ibans.iter().any(|i| iban::validate(i).is_err()),
        _ => false,
    }
}

/// Docket's value of a field, normalised, with its confidence.
fn observed(doc: &BusinessDocument, field: FieldName) -> Option<(Value, Confidence)> {
    let text = |f: &Option<Field<String>>| {
        let f = f.as_ref()?;
        Some((field.normalise(&f.value)?, f.confidence))
    };
    let date = |f: &Option<Field<chrono::NaiveDate>>| {
        f.as_ref().map(|f| (Value::Date(f.value), f.confidence))
    };
    let amount = |f: &Option<Field<Money>>| {
        f.as_ref()
            .map(|f| (Value::Amount(f.value.amount.normalize()), f.confidence))
    };
    match field {
        FieldName::Number => text(&doc.header.number),
        FieldName::IssueDate => date(&doc.header.issue_date),
        FieldName::DueDate => date(&doc.payment.due_date),
        FieldName::SellerName => text(&doc.seller.name),
        FieldName::SellerVatId => text(&doc.seller.vat_id),
        FieldName::BuyerVatId => text(&doc.buyer.vat_id),
        FieldName::Iban => ibans(doc),
        FieldName::Currency => doc
            .header
            .currency
            .as_ref()
            .map(|f| (Value::Text(f.value.code().to_string()), f.confidence)),
        FieldName::PoRef => text(&doc.references.purchase_orders.first().cloned()),
        FieldName::Net => amount(&doc.totals.net),
        FieldName::Tax => amount(&doc.totals.tax),
        FieldName::Gross => amount(&doc.totals.gross),
        FieldName::Due => amount(&doc.totals.due),
    }
}

/// The seller's IBANs as one set; its confidence is the lowest of theirs, so
/// the set counts as sure only when every IBAN in it is.
fn ibans(doc: &BusinessDocument) -> Option<(Value, Confidence)> {
    let accounts = &doc.seller.bank_accounts;
    let set: BTreeSet<String> = accounts
        .iter()
        .filter_map(|a| norm::identifier(&a.iban.value))
        .collect();
    let lowest = accounts
        .iter()
        .map(|a| a.iban.confidence)
        .min_by(|a, b| a.value().total_cmp(&b.value()))?;
    (!set.is_empty()).then_some((Value::Set(set), lowest))
}

/// The numbers an extracted line is scored on.
fn line_values(line: &Line) -> LineValues {
    LineValues {
        qty: line.quantity.as_ref().map(|f| f.value.normalize()),
        unit_price: line.unit_price.as_ref().map(|f| f.value.amount.normalize()),
        amount: line.amount.as_ref().map(|f| f.value.amount.normalize()),
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
