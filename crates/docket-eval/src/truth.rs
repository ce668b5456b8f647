//! Truth records in the format of `../shared/corpus/truth/dev.json`, and what
//! each one expects of Docket.
//!
//! Values are kept as the truth file writes them (text as the XML wrote it);
//! [`Truth::expected`] normalises them. `null` means the document does not
//! give the field, so it is not scored. A record is scored only when it has
//! truth the truth's own reader could produce (no `error`), and, for
//! visual-only scoring, only when `verified_visual_vs_xml` is true (the page
//! is known to show the invoice the XML describes).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::EvalError;
use crate::field::{Expected, FieldName, LineValues, Value};
use crate::norm;

/// One record of a truth file.
#[derive(Debug, Clone, Deserialize)]
pub struct TruthRecord {
    /// The file, relative to the corpus root.
    pub file: String,
    /// Files that render the same invoice share this key.
    #[serde(default)]
    pub scenario_key: Option<String>,
    /// The invoice number and gross total of the XML were found on the page.
    #[serde(default)]
    pub verified_visual_vs_xml: Option<bool>,
    /// The structured truth, where the document carries some.
    #[serde(default)]
    pub truth: Option<Truth>,
}

/// The structured truth of one document.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)] // The fields are the truth format's own (see the corpus README).
pub struct Truth {
    /// Set when the truth's reader refused the file (e.g. `unsupported root
    /// FatturaElettronica`): there is nothing to score.
    pub error: Option<String>,
    pub syntax: Option<String>,
    pub profile: Option<String>,
    pub doc_type: Option<String>,
    pub number: Option<String>,
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub currency: Option<String>,
    pub po_ref: Option<String>,
    pub buyer_reference: Option<String>,
    pub seller: Option<TruthParty>,
    pub buyer: Option<TruthParty>,
    pub iban: Option<Vec<String>>,
    pub totals: Option<TruthTotals>,
    pub lines: Option<Vec<TruthLine>>,
}

/// A party in the truth.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct TruthParty {
    pub name: Option<String>,
    pub vat_id: Option<String>,
    pub tax_number: Option<String>,
    pub country: Option<String>,
}

/// Document totals in the truth.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct TruthTotals {
    pub line_total: Option<String>,
    pub net: Option<String>,
    pub tax: Option<String>,
    pub gross: Option<String>,
    pub prepaid: Option<String>,
    pub due: Option<String>,
}

/// A line in the truth.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct TruthLine {
    pub id: Option<String>,
    pub name: Option<String>,
    pub seller_item_id: Option<String>,
    pub qty: Option<String>,
    pub unit: Option<String>,
    pub unit_price: Option<String>,
    pub amount: Option<String>,
    pub po_line_ref: Option<String>,
}

/// Why a record is not scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// The record has no structured truth (a PDF without XML).
    NoTruth,
    /// The truth's reader refused the file: there are no values to expect.
    TruthRefused,
    /// Visual-only scoring, and the page is not known to show the XML's invoice.
    NotVerifiedVisually,
}

impl Skip {
    /// Why, in a few words.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::NoTruth => "no truth",
            Skip::TruthRefused => "truth reader refused the file",
            Skip::NotVerifiedVisually => "page not verified against the XML",
        }
    }
}

/// Reads a truth file (a JSON list of records).
pub fn parse_truth(json: &str) -> Result<Vec<TruthRecord>, EvalError> {
    serde_json::from_str(json).map_err(EvalError::Truth)
}

impl TruthRecord {
    /// The scenario the record counts towards: its `scenario_key`, or the
    /// file itself when the truth names none.
    pub fn scenario(&self) -> &str {
        self.scenario_key.as_deref().unwrap_or(&self.file)
    }

    /// The truth to score the record against, or why it is not scored.
    pub fn scored(&self, visual_only: bool) -> Result<&Truth, Skip> {
        let truth = self.truth.as_ref().ok_or(Skip::NoTruth)?;
        if truth.error.is_some() {
            return Err(Skip::TruthRefused);
        }
        if visual_only && self.verified_visual_vs_xml != Some(true) {
            return Err(Skip::NotVerifiedVisually);
        }
        Ok(truth)
    }
}

impl Truth {
    /// The normalised values this truth expects.
    pub fn expected(&self) -> Expected {
        let mut e = Expected::default();
        let seller = self.seller.clone().unwrap_or_default();
        let buyer = self.buyer.clone().unwrap_or_default();
        let totals = self.totals.clone().unwrap_or_default();
        for (field, raw) in [
            (FieldName::Number, &self.number),
            (FieldName::IssueDate, &self.issue_date),
            (FieldName::DueDate, &self.due_date),
            (FieldName::SellerName, &seller.name),
            (FieldName::SellerVatId, &seller.vat_id()),
            (FieldName::BuyerVatId, &buyer.vat_id()),
            (FieldName::Currency, &self.currency),
            (FieldName::PoRef, &self.po_ref),
            (FieldName::Net, &totals.net),
            (FieldName::Tax, &totals.tax),
            (FieldName::Gross, &totals.gross),
            (FieldName::Due, &totals.due),
        ] {
            e.give(field, raw.as_deref().and_then(|r| field.normalise(r)));
        }
        let ibans: BTreeSet<String> = self.ibans().into_iter().collect();
        e.give(
            FieldName::Iban,
            (!ibans.is_empty()).then_some(Value::Set(ibans)),
        );
        e.lines = self
            .lines
            .iter()
            .flatten()
            .map(TruthLine::values)
            .filter(LineValues::is_scorable)
            .collect();
        e
    }

    /// The IBANs in the order given, compact (no blanks, upper case).
    pub fn ibans(&self) -> Vec<String> {
        self.iban
            .iter()
            .flatten()
            .filter_map(|i| norm::identifier(i))
            .collect()
    }
}

impl TruthParty {
    /// The VAT id, unless the truth holds a national tax number in its place.
    ///
    /// Every VAT id starts with its two-letter country prefix. The truth's
    /// generator takes the first UBL `PartyTaxScheme` whatever its scheme, so
    /// where the seller gives its tax number first (`201/113/40209`), that is
    /// what the truth calls the VAT id; such a value is not expected as one.
    pub fn vat_id(&self) -> Option<String> {
        self.vat_id
            .clone()
            .filter(|v| v.trim().chars().take(2).all(|c| c.is_ascii_alphabetic()))
    }
}

impl TruthLine {
    /// The numbers the line is scored on.
    pub fn values(&self) -> LineValues {
        let d = |raw: &Option<String>| raw.as_deref().and_then(norm::decimal);
        LineValues {
            qty: d(&self.qty),
            unit_price: d(&self.unit_price),
            amount: d(&self.amount),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const RECORDS: &str = r#"[
      {"file": "a.pdf", "scenario_key": "s1", "verified_visual_vs_xml": true,
       "truth": {"syntax": "CII", "number": "RE-1", "issue_date": "20240307",
                 "currency": null,
                 "seller": {"name": "Lieferant GmbH", "vat_id": "DE 123 456 789"},
                 "buyer": {"name": "Kunde", "vat_id": "201/113/40209"},
                 "iban": ["DE88 2008 0000 0970 3757 00"],
                 "totals": {"net": "100.00", "tax": "19.00", "gross": "119.00", "due": null},
                 "lines": [{"qty": "1.0000", "unit_price": "100", "amount": "100.00"},
                           {"qty": null, "unit_price": null, "amount": null}]}},
      {"file": "b.xml", "truth": {"error": "unsupported root FatturaElettronica"}},
      {"file": "c.pdf"},
      {"file": "d.pdf", "scenario_key": "s1", "verified_visual_vs_xml": false,
       "truth": {"number": "RE-1"}}
    ]"#;

    #[test]
    fn records_are_selected_for_each_path() {
        let records = parse_truth(RECORDS).unwrap();
        let scored = |visual| {
            records
                .iter()
                .map(|r| r.scored(visual).err())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scored(false),
            [None, Some(Skip::TruthRefused), Some(Skip::NoTruth), None]
        );
        assert_eq!(
            scored(true),
            [
                None,
                Some(Skip::TruthRefused),
                Some(Skip::NoTruth),
                Some(Skip::NotVerifiedVisually)
            ]
        );
        assert_eq!(records[2].scenario(), "c.pdf");
        assert_eq!(records[3].scenario(), "s1");
    }

    #[test]
    fn truth_is_normalised_and_nulls_are_not_expected() {
        let records = parse_truth(RECORDS).unwrap();
        let e = records[0].truth.as_ref().unwrap().expected();
        let text = |s: &str| Some(Value::Text(s.to_string()));
        assert_eq!(e.fields.get(&FieldName::Number).cloned(), text("RE1"));
        assert_eq!(
            e.fields.get(&FieldName::IssueDate).cloned(),
            chrono::NaiveDate::from_ymd_opt(2024, 3, 7).map(Value::Date)
        );
        assert_eq!(
            e.fields.get(&FieldName::SellerName).cloned(),
            text("lieferant gmbh")
        );
        assert_eq!(
            e.fields.get(&FieldName::SellerVatId).cloned(),
            text("DE123456789")
        );
        assert_eq!(
            e.fields.get(&FieldName::Iban).cloned(),
            Some(Value::Set(["DE88200800000970375700".to_string()].into()))
        );
        assert_eq!(
            e.fields.get(&FieldName::Gross).cloned(),
            Some(Value::Amount(dec!(119)))
        );
        // null in the truth, and a tax number standing where a VAT id belongs.
        for absent in [FieldName::Currency, FieldName::Due, FieldName::BuyerVatId] {
            assert!(!e.fields.contains_key(&absent), "{absent}");
        }
        // The line without numbers cannot be scored.
        assert_eq!(
            e.lines,
            [LineValues {
                qty: Some(dec!(1)),
                unit_price: Some(dec!(100)),
                amount: Some(dec!(100)),
            }]
        );
    }

    #[test]
    fn a_malformed_truth_file_is_an_error() {
        assert!(matches!(
            parse_truth(r#"{"file": "a.pdf"}"#),
            Err(EvalError::Truth(_))
        ));
    }
}
