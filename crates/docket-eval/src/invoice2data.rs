//! Scoring against invoice2data's expected outputs
//! (`tests/compare/<name>.json` in that project).
//!
//! invoice2data reads each supplier's invoices with a hand-written template
//! (regular expressions per supplier); its test suite says what the templates
//! get out of each invoice. The question here is how many of those fields
//! Docket gets with no template at all. Its field names map to Docket's as in
//! [`MAPPING`]; values are normalised as for the corpus truth.
//!
//! Not scored: `issuer` and `desc` are constants written in the template, not
//! read from the page; every other name (addresses, websites, telephone,
//! company registration numbers, BIC, order ids, ...) has no counterpart among
//! the scored fields and is listed as unmapped.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use crate::EvalError;
use crate::field::{Expected, FieldName, LineValues};
use crate::norm;

/// invoice2data's name of each field Docket is scored on.
pub const MAPPING: &[(&str, FieldName)] = &[
    ("invoice_number", FieldName::Number),
    ("date", FieldName::IssueDate),
    ("date_due", FieldName::DueDate),
    ("partner_name", FieldName::SellerName),
    ("vat", FieldName::SellerVatId),
    ("static_vat", FieldName::SellerVatId),
    ("iban", FieldName::Iban),
    ("currency", FieldName::Currency),
    ("amount_untaxed", FieldName::Net),
    ("amount_tax", FieldName::Tax),
    ("amount", FieldName::Gross),
];

/// invoice2data's line fields for quantity, unit price and line amount.
const LINE_QTY: &[&str] = &["qty"];
const LINE_PRICE: &[&str] = &["price_unit", "price"];
const LINE_AMOUNT: &[&str] = &["price_subtotal"];

/// What one expected-output file asks of Docket.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice2DataExpected {
    /// The fields and lines, normalised.
    pub expected: Expected,
    /// The names in the file that are not scored, sorted.
    pub unmapped: Vec<String>,
}

/// Reads one expected-output file: a JSON list holding one object.
pub fn parse_expected(json: &str) -> Result<Invoice2DataExpected, EvalError> {
    let value: Json = serde_json::from_str(json).map_err(EvalError::Invoice2DataJson)?;
    let object = match value.as_array().map(Vec::as_slice) {
        Some([Json::Object(object)]) => object,
        _ => return Err(EvalError::Invoice2DataShape),
    };
    let mut expected = Expected::default();
    for (name, field) in MAPPING {
        if let Some(raw) = object.get(*name).and_then(scalar) {
            expected.give(*field, field.normalise(&raw));
        }
    }
    expected.lines = object
        .get("lines")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_object)
        .map(line)
        .filter(LineValues::is_scorable)
        .collect();
    let mapped: BTreeSet<&str> = MAPPING.iter().map(|(n, _)| *n).collect();
    let unmapped = object
        .keys()
        .filter(|k| !mapped.contains(k.as_str()) && k.as_str() != "lines")
        .cloned()
        .collect();
    Ok(Invoice2DataExpected { expected, unmapped })
}

/// A value as text: invoice2data writes amounts and some ids as JSON numbers.
fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        // The shortest text that reads back as the same number (`4.11`).
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn line(object: &Map<String, Json>) -> LineValues {
    let number = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| object.get(*n).and_then(scalar))
            .and_then(|raw| norm::decimal(&raw))
    };
    LineValues {
        qty: number(LINE_QTY),
        unit_price: number(LINE_PRICE),
        amount: number(LINE_AMOUNT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Value;
    use rust_decimal_macros::dec;

    const COOLBLUE_LIKE: &str = r#"[{
        "issuer": "Coolblue B.V.", "amount": 717.97, "amount_untaxed": 593.36,
        "partner_name": "Coolblue B.V.", "vat": "NL810433941B01",
        "iban": "NL50INGB0683251309", "bic": "INGBNL2A",
        "date": "2014-04-19", "invoice_number": "993548900", "currency": "EUR",
        "lines": [
          {"name": "Apple iPad", "qty": 1, "price_unit": 399.0, "price_subtotal": 399.0},
          {"line_note": "Serienummer: SDMPP373MPP15"},
          {"pos": "1", "qty": 1.0, "price": 3.89}
        ],
        "desc": "Invoice from Coolblue"
    }]"#;

    #[test]
    fn fields_are_mapped_and_normalised() {
        let e = parse_expected(COOLBLUE_LIKE).unwrap();
        let f = &e.expected.fields;
        assert_eq!(f[&FieldName::Gross], Value::Amount(dec!(717.97)));
        assert_eq!(f[&FieldName::Net], Value::Amount(dec!(593.36)));
        assert_eq!(f[&FieldName::Number], Value::Text("993548900".into()));
        assert_eq!(
            f[&FieldName::SellerName],
            Value::Text("coolblue b.v.".into())
        );
        assert_eq!(
            f[&FieldName::IssueDate],
            Value::Date(chrono::NaiveDate::from_ymd_opt(2014, 4, 19).unwrap())
        );
        assert!(!f.contains_key(&FieldName::Tax));
    }

    #[test]
    fn template_constants_and_unknown_names_are_not_scored() {
        let e = parse_expected(COOLBLUE_LIKE).unwrap();
        assert_eq!(e.unmapped, ["bic", "desc", "issuer"]);
    }

    #[test]
    fn lines_without_numbers_are_left_out() {
        let e = parse_expected(COOLBLUE_LIKE).unwrap();
        assert_eq!(
            e.expected.lines,
            [
                LineValues {
                    qty: Some(dec!(1)),
                    unit_price: Some(dec!(399)),
                    amount: Some(dec!(399)),
                },
                LineValues {
                    qty: Some(dec!(1)),
                    unit_price: Some(dec!(3.89)),
                    amount: None,
                },
            ]
        );
    }

    #[test]
    fn numeric_ids_are_read_as_text() {
        let e = parse_expected(r#"[{"vat": 7740001454, "invoice_number": "F"}]"#).unwrap();
        assert_eq!(
            e.expected.fields[&FieldName::SellerVatId],
            Value::Text("7740001454".into())
        );
    }

    #[test]
    fn other_shapes_are_errors() {
        assert!(matches!(
            parse_expected("{}"),
            Err(EvalError::Invoice2DataShape)
        ));
        assert!(matches!(
            parse_expected("[{}, {}]"),
            Err(EvalError::Invoice2DataShape)
        ));
        assert!(matches!(
            parse_expected("not json"),
            Err(EvalError::Invoice2DataJson(_))
        ));
    }
}
