//! How messages look on the wire: JSON bodies, persistent, with our attempt
//! counter in the body (the truth) and mirrored in the `x-docket-attempt`
//! header (for people and tools looking at the broker).

use docket_domain::WorkMessage;
use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable, LongString};
use serde::{Deserialize, Serialize};

/// Header mirroring [`WorkMessage::attempt`].
pub const ATTEMPT_HEADER: &str = "x-docket-attempt";
/// Header saying why a message was parked.
pub const REASON_HEADER: &str = "x-docket-reason";

/// The body of a message on the exceptions exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionNotice {
    /// The document that needs a person.
    pub document_id: String,
    /// Why, in words a person can read.
    pub reason: String,
}

/// Properties every message gets: JSON, persistent (delivery mode 2).
fn base_properties(headers: FieldTable) -> BasicProperties {
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_headers(headers)
}

/// The body and properties of a work message, optionally with a park reason.
pub(crate) fn encode_work(
    message: &WorkMessage,
    reason: Option<&str>,
) -> Result<(Vec<u8>, BasicProperties), serde_json::Error> {
    let body = serde_json::to_vec(message)?;
    let mut headers = FieldTable::default();
    headers.insert(
        ATTEMPT_HEADER.into(),
        AMQPValue::LongLongInt(i64::from(message.attempt)),
    );
    if let Some(reason) = reason {
        headers.insert(
            REASON_HEADER.into(),
            AMQPValue::LongString(LongString::from(reason)),
        );
    }
    Ok((body, base_properties(headers)))
}

/// The body and properties of an exception notice.
pub(crate) fn encode_exception(
    notice: &ExceptionNotice,
) -> Result<(Vec<u8>, BasicProperties), serde_json::Error> {
    Ok((
        serde_json::to_vec(notice)?,
        base_properties(FieldTable::default()),
    ))
}

/// Reads a work message body.
pub(crate) fn decode_work(body: &[u8]) -> Result<WorkMessage, serde_json::Error> {
    serde_json::from_slice(body)
}

/// A string header, if present.
pub(crate) fn header_text(properties: &BasicProperties, name: &str) -> Option<String> {
    let value = properties.headers().as_ref()?.inner().get(name)?;
    value_text(value)
}

fn value_text(value: &AMQPValue) -> Option<String> {
    match value {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// Why a parked message is parked: our header, else the broker's `x-death`
/// reason (`rejected`, `expired`, `delivery_limit`, ...).
pub(crate) fn park_reason(properties: &BasicProperties) -> String {
    if let Some(reason) = header_text(properties, REASON_HEADER) {
        return reason;
    }
    let death = properties
        .headers()
        .as_ref()
        .and_then(|headers| headers.inner().get("x-death").cloned());
    if let Some(AMQPValue::FieldArray(deaths)) = death
        && let Some(AMQPValue::FieldTable(first)) = deaths.as_slice().first()
        && let Some(reason) = first.inner().get("reason").and_then(value_text)
    {
        let queue = first
            .inner()
            .get("queue")
            .and_then(value_text)
            .unwrap_or_default();
        return format!("dead-lettered by the broker ({reason}) from {queue}");
    }
    "unknown".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_domain::Stage;

    #[test]
    fn work_messages_round_trip_with_their_headers() {
        let message = WorkMessage {
            document_id: "doc-1".into(),
            stage: Stage::Match,
            attempt: 3,
        };
        let (body, properties) =
            encode_work(&message, Some("too many attempts")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            decode_work(&body).unwrap_or_else(|e| panic!("{e}")),
            message
        );
        assert_eq!(properties.delivery_mode(), &Some(2));
        let headers = properties.headers().clone().unwrap_or_default();
        assert_eq!(
            headers.inner().get(ATTEMPT_HEADER),
            Some(&AMQPValue::LongLongInt(3))
        );
        assert_eq!(park_reason(&properties), "too many attempts");
        assert_eq!(park_reason(&BasicProperties::default()), "unknown");
    }
}
