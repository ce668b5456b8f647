//! The chat-completions client: one pooled HTTP client per process, at most
//! `max_concurrency` requests in flight, retries with backoff for what is
//! worth retrying, and a count of the tokens each read spent.
//!
//! Transient failures (time-out, connection, HTTP 429, HTTP 5xx) are retried
//! up to `max_attempts` in all, waiting `backoff_base · 2^(n-1)` (capped at
//! `backoff_max`, plus a little jitter so that many workers do not retry in
//! step), or what `Retry-After` asks for ([`crate::retry`]). A concurrency
//! permit is held only while a request is in flight, not while waiting to
//! retry. Permanent failures (other 4xx, an answer that is not JSON or does
//! not fit the answer schema, a refusal) return at once.
//!
//! Tokens are counted as the service reports them (`usage`); an attempt that
//! may have cost tokens without saying how many (a time-out, an answer
//! without `usage`) counts [`LlmClient::estimate`], so that the daily budget
//! errs on the safe side.
//!
//! Neither the API key nor the document text is ever logged; failures are
//! logged by their [`LlmError::kind`], since a message may quote the answer.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::sync::Semaphore;

use crate::error::shorten;
use crate::protocol::{ChatCompletion, ChatRequest, ErrorBody};
use crate::retry::{backoff, retry_after};
use crate::settings::{AnswerFormat, LlmApi};
use crate::{LlmError, LlmReading, LlmSettings, prompt};

/// Longest excerpt of a service's error message kept in an [`LlmError`].
const MESSAGE_CHARS: usize = 300;

/// Characters per token assumed for estimates: fewer than the ~4 of English
/// text, since German text, numbers and JSON take more tokens.
const CHARS_PER_TOKEN: usize = 3;

/// Tokens a read spent (or, before it, may spend), over all its attempts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Answer tokens.
    pub completion_tokens: u64,
    /// Whether some of it is an estimate (the service did not say).
    pub estimated: bool,
    /// Requests sent.
    pub attempts: u32,
}

impl Spent {
    /// Prompt and answer tokens together.
    pub fn total(&self) -> u64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }

    fn add(&mut self, other: Spent) {
        self.prompt_tokens = self.prompt_tokens.saturating_add(other.prompt_tokens);
        self.completion_tokens = self
            .completion_tokens
            .saturating_add(other.completion_tokens);
        self.estimated |= other.estimated;
        self.attempts += other.attempts;
    }
}

/// A model's answer that fits the answer schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The answer, read.
    pub reading: LlmReading,
    /// The answer as compact JSON, for the cache.
    pub json: String,
}

/// How a read went: the answer or why there is none, and what it spent
/// either way (a failed read may have cost tokens too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The answer, or the error of the last attempt.
    pub result: Result<Answer, LlmError>,
    /// Tokens spent over all attempts.
    pub spent: Spent,
}

/// A client of one OpenAI-compatible chat-completions service.
///
/// Cheap to share: wrap it in an `Arc` and call [`LlmClient::read`] from as
/// many tasks as you like; the semaphore bounds what reaches the service.
#[derive(Debug)]
pub struct LlmClient {
    http: reqwest::Client,
    settings: LlmSettings,
    endpoint: String,
    prompt_version: String,
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
            prompt_version: prompt::version(&settings),
            settings,
            endpoint,
            permits,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &LlmSettings {
        &self.settings
    }

    /// The version of what this client asks ([`prompt::version`]): with the
    /// model and the document's content, the key of a cached answer.
    pub fn prompt_version(&self) -> &str {
        &self.prompt_version
    }

    /// The tokens one attempt to read `text` may take: the prompt as sent
    /// (counted generously) and `answer_tokens_estimate` for the answer.
    pub fn estimate(&self, text: &str) -> Spent {
        self.estimate_request(&prompt::request(&self.settings, text))
    }

    fn estimate_request(&self, request: &ChatRequest) -> Spent {
        let mut chars: usize = request
            .messages
            .iter()
            .filter_map(|m| m.content.as_ref())
            .map(|c| c.chars().count())
            .sum();
        if self.settings.response_format == AnswerFormat::JsonSchema {
            // Servers turn the schema into prompt tokens too.
            chars += crate::schema::answer().to_string().len();
        }
        Spent {
            prompt_tokens: chars.div_ceil(CHARS_PER_TOKEN) as u64,
            completion_tokens: self.settings.answer_tokens_estimate,
            estimated: true,
            attempts: 0,
        }
    }

    /// The longest a [`read`](Self::read) can take: every attempt timing out
    /// and the longest waits between them. A budget reservation held for a
    /// read must outlive it.
    pub fn longest_read(&self) -> Duration {
        let s = &self.settings;
        let attempts = s.max_attempts.max(1);
        s.timeout.saturating_mul(attempts) + s.backoff_max.saturating_mul(attempts - 1)
    }

    /// Asks the model to read a document from its text.
    ///
    /// The answer fits the answer schema but is not yet checked against the
    /// text: turn it into a document with [`LlmReading::into_document`],
    /// which does.
    pub async fn read(&self, text: &str) -> Result<LlmReading, LlmError> {
        self.exchange(text).await.result.map(|a| a.reading)
    }

    /// [`read`](Self::read), with the answer as JSON and the tokens spent.
    #[tracing::instrument(name = "llm.read", skip_all, fields(text_bytes = text.len()))]
    pub async fn exchange(&self, text: &str) -> Exchange {
        let request = prompt::request(&self.settings, text);
        let estimate = self.estimate_request(&request);
        let mut spent = Spent::default();
        let mut attempt = 1;
        loop {
            let (result, cost) = self.attempt(&request, estimate).await;
            spent.add(cost);
            let error = match result {
                Ok(answer) => {
                    return Exchange {
                        result: Ok(answer),
                        spent,
                    };
                }
                Err(e) => e,
            };
            let wait = if !error.is_transient() || attempt >= self.settings.max_attempts {
                tracing::warn!(
                    attempt,
                    error = error.kind(),
                    transient = error.is_transient(),
                    "language model read failed"
                );
                None
            } else {
                let wait = self.retry_delay(attempt, &error);
                if wait.is_none() {
                    tracing::warn!(
                        attempt,
                        error = error.kind(),
                        "language model asks for a longer wait than backoff_max"
                    );
                }
                wait
            };
            let Some(wait) = wait else {
                return Exchange {
                    result: Err(error),
                    spent,
                };
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

    /// One request, holding a concurrency permit while it is in flight, and
    /// the tokens it spent.
    async fn attempt(
        &self,
        request: &ChatRequest,
        estimate: Spent,
    ) -> (Result<Answer, LlmError>, Spent) {
        let sent = Spent {
            attempts: 1,
            ..Spent::default()
        };
        let guessed = Spent {
            attempts: 1,
            ..estimate
        };
        let completion = match self.post(request).await {
            Ok(c) => c,
            // The service may have done the work of an answer that did not
            // arrive or could not be read; refused requests cost nothing.
            Err(e @ (LlmError::Timeout { .. } | LlmError::Protocol(_))) => {
                return (Err(e), guessed);
            }
            Err(e) => return (Err(e), sent),
        };
        let spent = match completion.usage {
            Some(u) => Spent {
                prompt_tokens: u.prompt_tokens,
                completion_tokens: u.completion_tokens,
                estimated: false,
                attempts: 1,
            },
            None => guessed,
        };
        (self.answer(completion), spent)
    }

    /// Sends the request and reads the completion.
    async fn post(&self, request: &ChatRequest) -> Result<ChatCompletion, LlmError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| LlmError::Connection("the client is shutting down".to_string()))?;
        let mut builder = self.http.post(&self.endpoint).json(request);
        if let Some(key) = &self.settings.api_key {
            builder = match self.settings.api {
                LlmApi::OpenAi => builder.bearer_auth(key),
                LlmApi::Azure => builder.header("api-key", key),
            };
        }
        let response = builder.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers(), chrono::Utc::now());
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if !status.is_success() {
            return Err(status_error(status, retry_after, &body));
        }
        serde_json::from_slice(&body).map_err(|e| {
            LlmError::Protocol(format!(
                "{e}; the response began with {:?}",
                shorten(&String::from_utf8_lossy(&body), 80)
            ))
        })
    }

    /// The model's answer in a completion, checked against the answer schema.
    fn answer(&self, completion: ChatCompletion) -> Result<Answer, LlmError> {
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
        match LlmReading::from_answer(&content, self.settings.response_format) {
            Ok((reading, json)) => Ok(Answer { reading, json }),
            Err(LlmError::NotJson(m)) if choice.finish_reason.as_deref() == Some("length") => {
                Err(LlmError::NotJson(format!(
                    "the answer was cut off at the service's length limit: {m}"
                )))
            }
            Err(e) => Err(e),
        }
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
    fn bad_settings_are_refused_by_new() {
        let e = LlmClient::new(LlmSettings {
            max_attempts: 0,
            ..LlmSettings::default()
        })
        .expect_err("zero attempts");
        assert!(matches!(e, LlmError::Settings(_)));
    }
}
