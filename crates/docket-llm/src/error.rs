//! The one error type of the LLM crate, worded for the people who read it:
//! an accounts-payable clerk looking at why a document went to review, or an
//! operator looking at why the language model is not being reached.
//!
//! [`LlmError::is_transient`] is the classification the pipeline acts on:
//! transient errors are worth retrying later, permanent ones send the
//! document to a person.

use std::time::Duration;

/// Why the language model could not read a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// The settings cannot work (bad base URL, zero concurrency, ...).
    #[error("the language model settings are not usable: {0}")]
    Settings(String),
    /// No answer within the configured time.
    #[error("the language model did not answer within {} s", fmt_secs(*.after))]
    Timeout {
        /// The time-out that ran out.
        after: Duration,
    },
    /// The service could not be reached, or the connection broke.
    #[error("could not reach the language model service: {0}")]
    Connection(String),
    /// HTTP 429: the service asks Docket to slow down.
    #[error("the language model service is busy and asked Docket to slow down (HTTP 429){}",
        .retry_after.map(|d| format!("; it asked to wait {} s", fmt_secs(d))).unwrap_or_default())]
    RateLimited {
        /// The wait the service asked for (`Retry-After`), if it named one.
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx: the service failed.
    #[error("the language model service failed (HTTP {status}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// What the service said, shortened.
        message: String,
    },
    /// HTTP 4xx other than 429: the request itself was refused.
    #[error("the language model service refused the request (HTTP {status}{}): {message}", status_hint(*.status))]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// What the service said, shortened.
        message: String,
    },
    /// The HTTP answer is not an OpenAI-style chat completion.
    #[error("the language model service answered in a form Docket does not understand: {0}")]
    Protocol(String),
    /// The model's message is not a JSON object.
    #[error("the language model answered with something that is not the requested JSON: {0}")]
    NotJson(String),
    /// The model's JSON does not have the requested fields and types.
    #[error("the language model's JSON does not have the requested shape: {0}")]
    Schema(String),
    /// The model (or the service's content filter) declined to answer.
    #[error("the language model declined to read the document: {0}")]
    Refusal(String),
}

impl LlmError {
    /// Whether trying again later may succeed: time-outs, connection
    /// failures, rate limiting and server errors. Everything else is
    /// permanent for this document and needs a person.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            LlmError::Timeout { .. }
                | LlmError::Connection(_)
                | LlmError::RateLimited { .. }
                | LlmError::Server { .. }
        )
    }
}

impl LlmError {
    /// A short stable name of the error class, for logs and metric labels
    /// (the message itself may quote the model's answer, so it is not logged).
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Settings(_) => "settings",
            LlmError::Timeout { .. } => "timeout",
            LlmError::Connection(_) => "connection",
            LlmError::RateLimited { .. } => "rate_limited",
            LlmError::Server { .. } => "server",
            LlmError::Rejected { .. } => "rejected",
            LlmError::Protocol(_) => "protocol",
            LlmError::NotJson(_) => "not_json",
            LlmError::Schema(_) => "schema",
            LlmError::Refusal(_) => "refusal",
        }
    }
}

fn fmt_secs(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0}")
    } else {
        format!("{secs:.1}")
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => ", check the API key",
        404 => ", check the base URL and the model name",
        413 => ", the document text is too long: lower max_input_chars",
        _ => "",
    }
}

/// Shortens a message from the service so that an error stays readable.
pub(crate) fn shorten(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_and_permanent_errors_are_told_apart() {
        let transient = [
            LlmError::Timeout {
                after: Duration::from_secs(30),
            },
            LlmError::Connection("connection refused".into()),
            LlmError::RateLimited { retry_after: None },
            LlmError::Server {
                status: 503,
                message: "overloaded".into(),
            },
        ];
        let permanent = [
            LlmError::Settings("x".into()),
            LlmError::Rejected {
                status: 400,
                message: "bad".into(),
            },
            LlmError::Protocol("x".into()),
            LlmError::NotJson("x".into()),
            LlmError::Schema("x".into()),
            LlmError::Refusal("x".into()),
        ];
        assert!(transient.iter().all(LlmError::is_transient));
        assert!(!permanent.iter().any(LlmError::is_transient));
    }

    #[test]
    fn messages_are_plain_language() {
        let e = LlmError::Timeout {
            after: Duration::from_millis(1500),
        };
        assert_eq!(
            e.to_string(),
            "the language model did not answer within 1.5 s"
        );
        let e = LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            e.to_string(),
            "the language model service is busy and asked Docket to slow down (HTTP 429); it asked to wait 2 s"
        );
        let e = LlmError::Rejected {
            status: 401,
            message: "invalid key".into(),
        };
        assert!(e.to_string().contains("check the API key"), "{e}");
    }

    #[test]
    fn long_messages_are_shortened_on_a_char_boundary() {
        assert_eq!(shorten("  äöü  ", 10), "äöü");
        assert_eq!(shorten("äöüäöü", 3), "äöü…");
    }
}
