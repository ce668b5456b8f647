//! The chat-completions client: one pooled HTTP client per process, at most
//! `max_concurrency` requests in flight, retries with backoff for what is
//! worth retrying.
//!
//! Transient failures (time-out, connection, HTTP 429, HTTP 5xx) are retried
//! up to `max_attempts` in all, waiting `backoff_base · 2^(n-1)` (capped at
//! `backoff_max`, plus a little jitter so that many workers do not retry in
//! step), or what `Retry-After` asks for. A concurrency permit is held only
//! while a request is in flight, not while waiting to retry. Permanent
//! failures (other 4xx, an answer that is not the requested JSON, a refusal)
//! return at once.
//!
//! Neither the API key nor the document text is ever logged; failures are
//! logged by their [`LlmError::kind`], since a message may quote the answer.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::Semaphore;

use crate::error::shorten;
use crate::protocol::{ChatCompletion, ChatRequest, ErrorBody};
use crate::{LlmError, LlmReading, LlmSettings, prompt};

/// Longest excerpt of a service's error message kept in an [`LlmError`].
const MESSAGE_CHARS: usize = 300;

/// A client of one OpenAI-compatible chat-completions service.
///
/// Cheap to share: wrap it in an `Arc` and call [`LlmClient::read`] from as
/// many tasks as you like; the semaphore bounds what reaches the service.
#[derive(Debug)]
pub struct LlmClient {
    http: reqwest::Client,
    settings: LlmSettings,
    endpoint: String,
    permits: Arc<Semaphore>,
}

impl LlmClient {
    /// A client for the settings (checked first).
    pub fn new(settings: LlmSettings) -> Result<Self, LlmError> {
        settings.validate()?;
        let endpoint = settings.endpoint();
        reqwest::Url::parse(&endpoint).map_err(|e| {
            LlmError::Settings(format!(
                "base_url {:?} is not a URL: {e}",
                settings.base_url
            ))
        })?;
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(settings.max_concurrency)
            .user_agent(concat!("docket-llm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Settings(format!("the HTTP client cannot start: {e}")))?;
        let permits = Arc::new(Semaphore::new(settings.max_concurrency));
        Ok(LlmClient {
            http,
            settings,
            endpoint,
            permits,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LlmSettings {
        &self.settings
    }

    /// Asks the model to read a document from its text.
    ///
    /// The answer is not yet checked against the text: turn it into a
    /// document with [`LlmReading::into_document`], which does.
    #[tracing::instrument(name = "llm.read", skip_all, fields(text_bytes = text.len()))]
    pub async fn read(&self, text: &str) -> Result<LlmReading, LlmError> {
        let request = prompt::request(&self.settings.model, text, self.settings.max_input_chars);
        let mut attempt = 1;
        loop {
            let error = match self.attempt(&request).await {
                Ok(reading) => return Ok(reading),
                Err(e) => e,
            };
            if !error.is_transient() || attempt >= self.settings.max_attempts {
                tracing::warn!(
                    attempt,
                    error = error.kind(),
                    transient = error.is_transient(),
                    "language model read failed"
                );
                return Err(error);
            }
            let Some(wait) = self.retry_delay(attempt, &error) else {
                tracing::warn!(
                    attempt,
                    error = error.kind(),
                    "language model asks for a longer wait than backoff_max"
                );
                return Err(error);
            };
            tracing::info!(
                attempt,
                error = error.kind(),
                wait_ms = wait.as_millis() as u64,
                "retrying the language model"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One request, holding a concurrency permit while it is in flight.
    async fn attempt(&self, request: &ChatRequest) -> Result<LlmReading, LlmError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| LlmError::Connection("the client is shutting down".to_string()))?;
        let mut builder = self.http.post(&self.endpoint).json(request);
        if let Some(key) = &self.settings.api_key {
            builder = builder.bearer_auth(key);
        }
        let response = builder.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if !status.is_success() {
            return Err(status_error(status, retry_after, &body));
        }
        let completion: ChatCompletion = serde_json::from_slice(&body).map_err(|e| {
            LlmError::Protocol(format!(
                "{e}; the response began with {:?}",
                shorten(&String::from_utf8_lossy(&body), 80)
            ))
        })?;
        let Some(choice) = completion.choices.into_iter().next() else {
            return Err(LlmError::Protocol(
                "the response has no choices".to_string(),
            ));
        };
        if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
            return Err(LlmError::Refusal(shorten(&refusal, MESSAGE_CHARS)));
        }
        if choice.finish_reason.as_deref() == Some("content_filter") {
            return Err(LlmError::Refusal(
                "the service's content filter stopped the answer".to_string(),
            ));
        }
        let content = choice.message.content.unwrap_or_default();
        LlmReading::from_message(&content).map_err(|e| match (e, choice.finish_reason.as_deref()) {
            (LlmError::NotJson(m), Some("length")) => LlmError::NotJson(format!(
                "the answer was cut off at the service's length limit: {m}"
            )),
            (e, _) => e,
        })
    }

    /// How long to wait before attempt `attempt + 1`; `None` when the service
    /// asks for longer than `backoff_max`.
    fn retry_delay(&self, attempt: u32, error: &LlmError) -> Option<Duration> {
        if let LlmError::RateLimited {
            retry_after: Some(wait),
        } = error
        {
            return (*wait <= self.settings.backoff_max).then_some(*wait);
        }
        Some(backoff(
            self.settings.backoff_base,
            self.settings.backoff_max,
            attempt,
        ))
    }

    fn transport_error(&self, e: &reqwest::Error) -> LlmError {
        if e.is_timeout() {
            return LlmError::Timeout {
                after: self.settings.timeout,
            };
        }
        // reqwest's own message is generic ("error sending request"); the
        // causes below it say what happened (connection refused, reset, ...).
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            let s_text = s.to_string();
            if !reason.contains(&s_text) {
                reason.push_str(": ");
                reason.push_str(&s_text);
            }
            source = s.source();
        }
        if e.is_decode() {
            LlmError::Protocol(reason)
        } else {
            LlmError::Connection(reason)
        }
    }
}

/// Exponential backoff with up to 25 % jitter, capped at `max`.
pub fn backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(max);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = capped.mul_f64(f64::from(nanos % 250) / 1000.0);
    (capped + jitter).min(max)
}

/// `Retry-After` in seconds (the HTTP-date form is rare from APIs and ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

fn status_error(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> LlmError {
    let text = String::from_utf8_lossy(body);
    let message = serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.error.message)
        .unwrap_or_else(|_| text.to_string());
    let message = if message.trim().is_empty() {
        status
            .canonical_reason()
            .unwrap_or("no message")
            .to_string()
    } else {
        shorten(&message, MESSAGE_CHARS)
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        LlmError::RateLimited { retry_after }
    } else if status.is_server_error() {
        LlmError::Server {
            status: status.as_u16(),
            message,
        }
    } else {
        LlmError::Rejected {
            status: status.as_u16(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        let first = backoff(base, max, 1);
        assert!(first >= base && first <= base.mul_f64(1.25), "{first:?}");
        let third = backoff(base, max, 3);
        assert!(
            third >= base * 4 && third <= (base * 4).mul_f64(1.25),
            "{third:?}"
        );
        assert_eq!(backoff(base, max, 30), max);
    }

    #[test]
    fn statuses_become_errors_of_the_right_class() {
        let e = status_error(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(3)),
            b"",
        );
        assert_eq!(
            e,
            LlmError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        let body = br#"{"error": {"message": "model overloaded", "type": "server_error"}}"#;
        let e = status_error(StatusCode::SERVICE_UNAVAILABLE, None, body);
        assert!(e.is_transient());
        assert!(e.to_string().contains("model overloaded"), "{e}");
        let e = status_error(StatusCode::UNAUTHORIZED, None, b"");
        assert!(!e.is_transient());
        assert!(e.to_string().contains("Unauthorized"), "{e}");
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, reqwest::header::HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            RETRY_AFTER,
            reqwest::header::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn bad_settings_are_refused_by_new() {
        let e = LlmClient::new(LlmSettings {
            max_attempts: 0,
            ..LlmSettings::default()
        })
        .expect_err("zero attempts");
        assert!(matches!(e, LlmError::Settings(_)));
    }
}
