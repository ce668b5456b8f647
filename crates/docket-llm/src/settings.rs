//! Typed settings of the LLM client (house rule 4): defaults here, then the
//! `[llm]` section of the TOML file and `DOCKET__LLM__*` variables, as the
//! binary wires them.
//!
//! Durations are written in milliseconds in the file (`timeout_ms`,
//! `backoff_base_ms`, `backoff_max_ms`), like the rest of Docket's settings.
//! The API key is never printed: `Debug` shows `***` in its place.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::LlmError;

/// When the extract stage asks the language model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmMode {
    /// Never: only the exact and deterministic readers run.
    #[default]
    Off,
    /// For a PDF whose text left the number, the total or the currency unread.
    Fallback,
    /// For every PDF read from its text, as a second opinion.
    Always,
}

/// How to reach the language model and how hard to lean on it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmSettings {
    /// When the extract stage asks the model (`off` unless configured).
    pub mode: LlmMode,
    /// The API base, up to and including the version (`http://127.0.0.1:8089/v1`);
    /// requests go to `{base_url}/chat/completions`.
    pub base_url: String,
    /// The model name sent with every request.
    pub model: String,
    /// The API key, sent as a bearer token; `None` for a local server without one.
    #[serde(serialize_with = "redacted")]
    pub api_key: Option<String>,
    /// Time-out of one attempt, connection to last byte (`timeout_ms` in the file).
    #[serde(
        rename = "timeout_ms",
        deserialize_with = "millis",
        serialize_with = "as_millis"
    )]
    pub timeout: Duration,
    /// Most requests in flight at once from this client (one process).
    pub max_concurrency: usize,
    /// Longest document text sent, in characters; the rest is cut with a note.
    pub max_input_chars: usize,
    /// Attempts per document, the first included; transient failures are retried.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one (`backoff_base_ms`).
    #[serde(
        rename = "backoff_base_ms",
        deserialize_with = "millis",
        serialize_with = "as_millis"
    )]
    pub backoff_base: Duration,
    /// Longest wait between attempts (`backoff_max_ms`). A `Retry-After` longer
    /// than this is not waited out: the error goes back to the caller, whose
    /// own retry schedule takes over.
    #[serde(
        rename = "backoff_max_ms",
        deserialize_with = "millis",
        serialize_with = "as_millis"
    )]
    pub backoff_max: Duration,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            mode: LlmMode::Off,
            base_url: "http://127.0.0.1:8089/v1".to_string(),
            model: "docket-sim".to_string(),
            api_key: None,
            timeout: Duration::from_secs(60),
            max_concurrency: 64,
            max_input_chars: 60_000,
            max_attempts: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

impl LlmSettings {
    /// Default settings for a server at `base_url`.
    pub fn for_base_url(base_url: impl Into<String>) -> Self {
        LlmSettings {
            base_url: base_url.into(),
            ..LlmSettings::default()
        }
    }

    /// Checks that the settings can work, naming the first that cannot.
    pub fn validate(&self) -> Result<(), LlmError> {
        let bad = |what: &str| Err(LlmError::Settings(what.to_string()));
        let url = self.base_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(LlmError::Settings(format!(
                "base_url {url:?} must start with http:// or https://"
            )));
        }
        if self.model.trim().is_empty() {
            return bad("model is empty");
        }
        if self.timeout.is_zero() {
            return bad("timeout_ms must be more than 0");
        }
        if self.max_concurrency == 0 {
            return bad("max_concurrency must be at least 1");
        }
        if self.max_attempts == 0 {
            return bad("max_attempts must be at least 1");
        }
        if self.max_input_chars < 100 {
            return bad("max_input_chars must be at least 100");
        }
        Ok(())
    }

    /// The chat-completions endpoint.
    pub fn endpoint(&self) -> String {
        format!(
            "{}/chat/completions",
            self.base_url.trim().trim_end_matches('/')
        )
    }
}

impl std::fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmSettings")
            .field("mode", &self.mode)
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .field("max_concurrency", &self.max_concurrency)
            .field("max_input_chars", &self.max_input_chars)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .finish()
    }
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

fn as_millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Printed settings (`docket config`) show that a key is set, never the key.
fn redacted<S: Serializer>(key: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match key {
        Some(_) => s.serialize_some("***"),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_usable() {
        let s = LlmSettings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.max_concurrency, 64);
        assert_eq!(s.endpoint(), "http://127.0.0.1:8089/v1/chat/completions");
    }

    #[test]
    fn settings_deserialise_with_milliseconds_and_defaults() {
        let s: LlmSettings = serde_json::from_value(serde_json::json!({
            "base_url": "https://llm.example/v1/",
            "model": "m",
            "api_key": "sk-secret",
            "timeout_ms": 1500,
            "max_concurrency": 8
        }))
        .expect("settings");
        assert_eq!(s.timeout, Duration::from_millis(1500));
        assert_eq!(s.max_concurrency, 8);
        assert_eq!(s.max_attempts, LlmSettings::default().max_attempts);
        assert_eq!(s.endpoint(), "https://llm.example/v1/chat/completions");
        let unknown = serde_json::from_value::<LlmSettings>(serde_json::json!({"timeout": 3}));
        assert!(unknown.is_err(), "a misspelt key must not pass silently");
    }

    #[test]
    fn debug_never_shows_the_api_key() {
        let s = LlmSettings {
            api_key: Some("sk-very-secret".to_string()),
            ..LlmSettings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("sk-very-secret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
        let printed = serde_json::to_string(&s).expect("serialise");
        assert!(!printed.contains("sk-very-secret"), "{printed}");
        let back: LlmSettings = serde_json::from_str(&printed).expect("round trip");
        assert_eq!(back.timeout, s.timeout);
    }

    #[test]
    fn unusable_settings_are_named() {
        let s = LlmSettings {
            max_concurrency: 0,
            ..LlmSettings::default()
        };
        let err = s.validate().expect_err("zero concurrency");
        assert!(err.to_string().contains("max_concurrency"), "{err}");
        let s = LlmSettings::for_base_url("127.0.0.1:8089");
        assert!(s.validate().is_err());
    }
}
