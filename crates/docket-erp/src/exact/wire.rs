//! Exact's JSON values as domain values: numbers are doubles, dates
//! `/Date(ms)/`, `Account.Code` is padded to 18 characters, and string
//! literals in `$filter` are quoted with `''` for a quote.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

/// A `$filter` string literal.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A `$filter` GUID literal.
pub fn guid(id: &str) -> String {
    format!("guid'{id}'")
}

/// `Account.Code` for a supplier or customer number: 18 characters, leading spaces.
pub fn account_code(number: &str) -> String {
    format!("{:>18}", number.trim())
}

/// A string field ("" when absent).
pub fn text(row: &Value, field: &str) -> String {
    match &row[field] {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// An optional string field.
pub fn opt(row: &Value, field: &str) -> Option<String> {
    Some(text(row, field)).filter(|s| !s.is_empty())
}

/// A decimal from a double (via its shortest text, so `4.85` stays `4.85`).
pub fn decimal(row: &Value, field: &str) -> Decimal {
    match &row[field] {
        Value::Number(n) => n.to_string().parse().unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

/// A JSON number for a decimal.
pub fn number(d: Decimal) -> Value {
    d.to_string()
        .parse::<f64>()
        .map_or(Value::Null, Value::from)
}

/// A `/Date(ms)/` field.
pub fn date(row: &Value, field: &str) -> Option<NaiveDate> {
    let text = row[field].as_str()?;
    let ms: i64 = text
        .strip_prefix("/Date(")?
        .strip_suffix(")/")?
        .parse()
        .ok()?;
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.date_naive())
}

/// A flag.
pub fn flag(row: &Value, field: &str) -> bool {
    row[field].as_bool().unwrap_or(false)
}
