//! SAP's JSON conventions: `/Date(ms)/` dates, decimals as strings, and the
//! error body `{"error":{"code","message":{"lang","value"}}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// `"/Date(ms)/"`.
pub fn date_ms(ms: i64) -> Value {
    Value::String(format!("/Date({ms})/"))
}

/// An `Edm.DateTimeOffset` as SAP writes it: `"/Date(ms+0000)/"`.
pub fn offset_ms(ms: i64) -> Value {
    Value::String(format!("/Date({ms}+0000)/"))
}

/// A calendar date as `Edm.DateTime` (midnight UTC).
pub fn date(day: NaiveDate) -> Value {
    date_ms(
        day.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis()),
    )
}

/// Milliseconds of `/Date(ms)/` or `/Date(ms+0000)/`.
pub fn parse_date_ms(text: &str) -> Option<i64> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits = inner.split(['+']).next()?;
    digits.parse().ok()
}

/// A date in a request payload: `/Date(ms)/` or `2024-01-31T00:00:00`
/// (both are seen in the wild); `None` when it is neither.
pub fn parse_payload_date(value: &Value) -> Option<NaiveDate> {
    let text = value.as_str()?;
    if let Some(ms) = parse_date_ms(text) {
        return chrono::DateTime::from_timestamp_millis(ms).map(|t| t.date_naive());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.date())
}

/// A decimal as SAP writes it: a string with the property's scale.
pub fn decimal(value: Decimal, scale: u32) -> Value {
    let mut v = value;
    v.rescale(scale);
    Value::String(v.to_string())
}

/// A decimal in a request payload: only a string is an `Edm.Decimal` in
/// OData v2 JSON (a JSON number is refused, as SAP's parser refuses it).
pub fn parse_payload_decimal(value: &Value) -> Option<Decimal> {
    value.as_str()?.trim().parse().ok()
}

/// An SAP error answer.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {"application": {"component_id": "", "service_namespace": "/SAP/"}, "errordetails": []}
        }
    });
    (status, axum::Json(body)).into_response()
}

/// 400 with SAP's message.
pub fn bad_request(code: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, message)
}
