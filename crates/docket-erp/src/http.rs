//! What the HTTP adapters share: a client with a time-out, errors
//! classified at the boundary (house rule 3), and retries of the transient
//! ones with backoff.
//!
//! Classification: a time-out, a refused or reset connection, 408, 429 and
//! 5xx are transient (retried, then the pipeline retries later); 404 is
//! not found; 409 and 412 are conflicts; any other 4xx is permanent and
//! carries the ERP's own message for the person who will look.

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;

use crate::ErpError;

/// How an adapter talks HTTP.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Time-out of one request.
    pub timeout: Duration,
    /// Attempts for a transient failure, the first included.
    pub attempts: u32,
    /// The wait after the first failure, doubled after each.
    pub backoff: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(30),
            attempts: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

impl HttpSettings {
    /// A client with these settings (cookies kept: SAP's CSRF token is bound to them).
    pub fn client(&self) -> Result<reqwest::Client, ErpError> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .cookie_store(true)
            .build()
            .map_err(|e| ErpError::Permanent(format!("HTTP client: {e}")))
    }
}

/// A failure before any answer came: always transient (the request may or
/// may not have reached the ERP; idempotent booking copes with both).
pub fn transport_error(what: &str, e: &reqwest::Error) -> ErpError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    ErpError::Transient(format!("{what}: {kind}: {}", with_causes(e)))
}

/// The error with its causes: reqwest's own message hides whether DNS, TLS
/// or the TCP connection failed, which is what an operator needs to know.
fn with_causes(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// An answer with an error status, with the ERP's own message.
pub fn status_error(what: &str, status: StatusCode, message: &str) -> ErpError {
    let said = format!("{what}: HTTP {}: {message}", status.as_u16());
    match status {
        StatusCode::NOT_FOUND => ErpError::NotFound(said),
        StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => ErpError::Conflict(said),
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => ErpError::Transient(said),
        s if s.is_server_error() => ErpError::Transient(said),
        _ => ErpError::Permanent(said),
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the attempts are
/// spent; waits between transient failures (`wait` overrides the backoff
/// when the ERP said how long, e.g. from `Retry-After`).
pub async fn with_retries<T, F, Fut>(settings: &HttpSettings, mut attempt: F) -> Result<T, ErpError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ErpError>>,
{
    let mut backoff = settings.backoff;
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if e.is_transient() && tries < settings.attempts.max(1) => {
                tracing::warn!(error = %e, attempt = tries, "ERP call failed, retrying");
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        let e = |s: u16| status_error("GET x", StatusCode::from_u16(s).unwrap(), "m");
        assert!(matches!(e(404), ErpError::NotFound(_)));
        assert!(matches!(e(409), ErpError::Conflict(_)));
        assert!(e(429).is_transient() && e(503).is_transient() && e(408).is_transient());
        assert!(matches!(e(400), ErpError::Permanent(m) if m.contains("HTTP 400: m")));
        assert!(matches!(e(403), ErpError::Permanent(_)));
    }

    #[tokio::test]
    async fn transient_failures_are_retried_and_permanent_ones_are_not() {
        let settings = HttpSettings {
            attempts: 3,
            backoff: Duration::from_millis(1),
            ..HttpSettings::default()
        };
        let mut calls = 0;
        let result: Result<u32, ErpError> = with_retries(&settings, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(ErpError::Transient("503".into()))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);
        let mut calls = 0;
        let result: Result<u32, ErpError> = with_retries(&settings, || {
            calls += 1;
            async { Err(ErpError::Permanent("400".into())) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }
}
