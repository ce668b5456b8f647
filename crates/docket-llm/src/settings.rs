//! Typed settings of the LLM client (house rule 4): defaults here, then the
//! `[llm]` section of the TOML file and `DOCKET__LLM__*` variables, as the
//! binary wires them.
//!
//! Durations are written in milliseconds in the file (`timeout_ms`,
//! `backoff_base_ms`, `backoff_max_ms`), like the rest of Docket's settings.
//! The API key is never printed: `Debug` shows `***` in its place.
//!
//! `docs/extraction.md` ("LLM extractor") shows the settings for OpenAI,
//! Azure OpenAI, vLLM, Ollama and llama.cpp's server.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::LlmError;

/// When the extract stage asks the language model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmMode {
    /// Never: only the exact and deterministic readers run.
    #[default]
    Off,
    /// For a PDF whose text left a field booking needs without support
    /// (absent, or read with too little confidence).
    Fallback,
    /// For every PDF read from its text, as a second opinion.
    Always,
}

/// Which flavour of the chat-completions API the service speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmApi {
    /// `POST {base_url}/chat/completions`, the key as a bearer token: OpenAI,
    /// vLLM, Ollama, llama.cpp's server, LiteLLM and most others.
    #[default]
    OpenAi,
    /// Azure OpenAI: `POST {base_url}/openai/deployments/{model}/chat/completions?api-version=...`,
    /// `model` naming the deployment, the key in an `api-key` header.
    Azure,
}

/// How the answer's shape is asked for (`response_format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerFormat {
    /// `json_schema` with the answer schema, strict: the server holds the
    /// model to the schema (OpenAI, Azure OpenAI, vLLM, recent Ollama and
    /// llama.cpp).
    #[default]
    JsonSchema,
    /// `json_object`: any JSON object, for servers without `json_schema`
    /// (older Ollama and llama.cpp); the prompt describes the shape, and a
    /// key the model leaves out reads as not given.
    JsonObject,
}

/// How to reach the language model and how hard to lean on it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmSettings {
    /// When the extract stage asks the model (`off` unless configured).
    pub mode: LlmMode,
    /// `openai` (the default; every OpenAI-compatible server) or `azure`.
    pub api: LlmApi,
    /// The API base: for `openai`, up to and including the version
    /// (`http://127.0.0.1:8089/v1`; requests go to `{base_url}/chat/completions`);
    /// for `azure`, the resource endpoint (`https://NAME.openai.azure.com`).
    pub base_url: String,
    /// The model name sent with every request; for `azure`, the deployment name.
    pub model: String,
    /// The API key: a bearer token, or for `azure` the `api-key` header;
    /// `None` for a local server without one.
    #[serde(serialize_with = "redacted")]
    pub api_key: Option<String>,
    /// Azure OpenAI's `api-version` query parameter (`azure` only).
    pub api_version: String,
    /// How the answer's shape is asked for: `json_schema` (strict, the
    /// default) or `json_object` for servers without structured output.
    pub response_format: AnswerFormat,
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
    /// Tokens all workers together may spend per UTC day; `None`: no limit.
    /// Calls reserve their estimate first, so the limit holds across
    /// processes; past it, documents go on without the model (and to review
    /// where fields lack support).
    pub daily_token_budget: Option<u64>,
    /// Tokens reserved for the answer of one call, on top of the prompt's
    /// estimate (the answer's length is known only afterwards).
    pub answer_tokens_estimate: u64,
    /// Price of 1000 prompt tokens, for the cost recorded per call (any
    /// currency; decimal, e.g. `"0.00015"`).
    pub price_per_1k_prompt_tokens: Option<Decimal>,
    /// Price of 1000 answer tokens, in the same currency.
    pub price_per_1k_completion_tokens: Option<Decimal>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            mode: LlmMode::Off,
            api: LlmApi::OpenAi,
            base_url: "http://127.0.0.1:8089/v1".to_string(),
            model: "docket-sim".to_string(),
            api_key: None,
            api_version: AZURE_API_VERSION.to_string(),
            response_format: AnswerFormat::JsonSchema,
            timeout: Duration::from_secs(60),
            max_concurrency: 64,
            max_input_chars: 60_000,
            max_attempts: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            daily_token_budget: None,
            answer_tokens_estimate: 2_000,
            price_per_1k_prompt_tokens: None,
            price_per_1k_completion_tokens: None,
        }
    }
}

/// The Azure OpenAI API version asked for unless configured: the first
/// generally available one with structured outputs (`json_schema`).
pub const AZURE_API_VERSION: &str = "2024-10-21";

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
        if self.api == LlmApi::Azure && self.api_version.trim().is_empty() {
            return bad("api_version is empty (Azure OpenAI needs one, e.g. \"2024-10-21\")");
        }
        if self.daily_token_budget == Some(0) {
            return bad("daily_token_budget must be more than 0 (leave it out for no limit)");
        }
        Ok(())
    }

    /// The chat-completions endpoint (a URL when `base_url` is one).
    pub fn endpoint(&self) -> String {
        let base = self.base_url.trim().trim_end_matches('/');
        match self.api {
            LlmApi::OpenAi => format!("{base}/chat/completions"),
            LlmApi::Azure => {
                // The deployment name is a path segment: encoded, so that no
                // name can reach another path.
                let Ok(mut url) = reqwest::Url::parse(base) else {
                    return format!("{base}/openai/deployments/{}/chat/completions", self.model);
                };
                if let Ok(mut path) = url.path_segments_mut() {
                    path.pop_if_empty().extend([
                        "openai",
                        "deployments",
                        self.model.trim(),
                        "chat",
                        "completions",
                    ]);
                }
                url.query_pairs_mut()
                    .append_pair("api-version", self.api_version.trim());
                url.to_string()
            }
        }
    }

    /// What one call may cost at the configured prices, when there are any.
    pub fn cost(&self, prompt_tokens: u64, completion_tokens: u64) -> Option<Decimal> {
        if self.price_per_1k_prompt_tokens.is_none()
            && self.price_per_1k_completion_tokens.is_none()
        {
            return None;
        }
        let per_1k = |tokens: u64, price: Option<Decimal>| {
            Decimal::from(tokens) * price.unwrap_or_default() / Decimal::ONE_THOUSAND
        };
        Some(
            per_1k(prompt_tokens, self.price_per_1k_prompt_tokens)
                + per_1k(completion_tokens, self.price_per_1k_completion_tokens),
        )
    }
}

impl std::fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmSettings")
            .field("mode", &self.mode)
            .field("api", &self.api)
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("api_version", &self.api_version)
            .field("response_format", &self.response_format)
            .field("timeout", &self.timeout)
            .field("max_concurrency", &self.max_concurrency)
            .field("max_input_chars", &self.max_input_chars)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .field("daily_token_budget", &self.daily_token_budget)
            .field("answer_tokens_estimate", &self.answer_tokens_estimate)
            .field(
                "price_per_1k_prompt_tokens",
                &self.price_per_1k_prompt_tokens,
            )
            .field(
                "price_per_1k_completion_tokens",
                &self.price_per_1k_completion_tokens,
            )
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
        let s = LlmSettings {
            daily_token_budget: Some(0),
            ..LlmSettings::default()
        };
        assert!(s.validate().is_err());
    }

    #[test]
    fn azure_names_the_deployment_in_the_path_and_the_version_in_the_query() {
        let s: LlmSettings = serde_json::from_value(serde_json::json!({
            "api": "azure",
            "base_url": "https://docket-ap.openai.azure.com/",
            "model": "gpt-4o mini/eu",
            "api_version": "2024-10-21",
            "response_format": "json_object"
        }))
        .expect("settings");
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.response_format, AnswerFormat::JsonObject);
        assert_eq!(
            s.endpoint(),
            "https://docket-ap.openai.azure.com/openai/deployments/gpt-4o%20mini%2Feu/chat/completions?api-version=2024-10-21"
        );
        let s = LlmSettings {
            api_version: " ".to_string(),
            ..s
        };
        assert!(s.validate().is_err());
    }

    #[test]
    fn the_cost_is_counted_per_thousand_tokens_when_priced() {
        let s = LlmSettings::default();
        assert_eq!(s.cost(1000, 1000), None);
        let s: LlmSettings = serde_json::from_value(serde_json::json!({
            "price_per_1k_prompt_tokens": "0.15",
            "price_per_1k_completion_tokens": "0.6"
        }))
        .expect("prices as decimal strings");
        assert_eq!(s.cost(2000, 500), Some(Decimal::new(6, 1)));
    }
}
