//! SAP's JSON conventions on the adapter's side: `/Date(ms)/` both ways,
//! decimals as strings, `$filter` literals, and the readable reason in an
//! SAP error body (`error.message.value`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::ErpError;

/// A date as `Edm.DateTime` in a payload: `/Date(ms)/`, midnight UTC.
pub fn date(day: NaiveDate) -> Value {
    let ms = day
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis());
    Value::String(format!("/Date({ms})/"))
}

/// A date in a `$filter`: `datetime'2024-01-31T00:00:00'`.
pub fn filter_date(day: NaiveDate) -> String {
    format!("datetime'{}T00:00:00'", day.format("%Y-%m-%d"))
}

/// An instant in a `$filter` on an `Edm.DateTimeOffset` property:
/// `datetimeoffset'2024-01-31T10:15:00Z'` (whole seconds, rounded down).
pub fn filter_offset(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("datetimeoffset'{}'", at.format("%Y-%m-%dT%H:%M:%SZ"))
}

/// A string literal in a `$filter` (quotes doubled).
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `(Property eq 'a' or Property eq 'b')` over `values`.
pub fn any_of(property: &str, values: &[String]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| format!("{property} eq {}", quote(v)))
        .collect();
    format!("({})", parts.join(" or "))
}

/// A decimal as SAP wants it: a string.
pub fn decimal(value: Decimal) -> Value {
    Value::String(value.normalize().to_string())
}

/// The text of property `name` ("" when absent or not a string).
pub fn text<'a>(record: &'a Value, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// A boolean property (false when absent).
pub fn flag(record: &Value, name: &str) -> bool {
    record.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// A decimal property; SAP sends them as strings.
pub fn number(record: &Value, name: &str) -> Result<Decimal, ErpError> {
    let raw = text(record, name);
    if raw.is_empty() {
        return Ok(Decimal::ZERO);
    }
    raw.trim()
        .parse()
        .map_err(|_| ErpError::Permanent(format!("SAP sent {name} = {raw:?}, not a decimal")))
}

/// A `/Date(ms)/` (or `/Date(ms+0000)/`) property as a calendar date.
pub fn day(record: &Value, name: &str) -> Result<NaiveDate, ErpError> {
    let raw = text(record, name);
    raw.strip_prefix("/Date(")
        .and_then(|r| r.strip_suffix(")/"))
        .and_then(|r| r.split(['+', '-']).next())
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.date_naive())
        .ok_or_else(|| ErpError::Permanent(format!("SAP sent {name} = {raw:?}, not a /Date()/")))
}

/// The entries of an expanded to-many navigation.
pub fn expanded<'a>(record: &'a Value, nav: &str) -> &'a [Value] {
    record
        .get(nav)
        .and_then(|n| n.get("results"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The readable reason of an SAP error answer: `error.message.value`
/// (with the message code), else the body itself, shortened.
pub fn error_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(|m| m.get("value").or(Some(m)))
        .and_then(Value::as_str);
    match (
        message,
        error.and_then(|e| e.get("code")).and_then(Value::as_str),
    ) {
        (Some(m), Some(code)) if !code.is_empty() => format!("{m} ({code})"),
        (Some(m), _) => m.to_string(),
        _ => body.chars().take(300).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_errors_read() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let v = serde_json::json!({"D": date(d), "O": "/Date(1709251200000+0000)/"});
        assert_eq!(day(&v, "D").unwrap(), d);
        assert_eq!(day(&v, "O").unwrap(), d);
        assert_eq!(quote("O'Neil"), "'O''Neil'");
        let body =
            r#"{"error":{"code":"M8/123","message":{"lang":"en","value":"Balance is not zero"}}}"#;
        assert_eq!(error_message(body), "Balance is not zero (M8/123)");
        assert_eq!(error_message("plain"), "plain");
    }
}
