//! Settings of the RabbitMQ adapter: where the broker is, how names are
//! prefixed, how many messages a consumer may hold and how retries are tiered.
//!
//! Durations are written as strings with a unit (`"200ms"`, `"10s"`, `"5m"`,
//! `"1h"`) so a TOML file or an environment variable reads naturally. The URL
//! holds the broker password, so `Debug` is written by hand and redacts it.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::QueueError;

/// Settings of the RabbitMQ adapter.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RabbitSettings {
    /// AMQP URL, e.g. `amqp://user:password@host:5672/%2f` (a secret: never logged).
    pub url: String,
    /// Prefix of every queue and exchange name (`<prefix>.work`, `<prefix>.extract`, ...).
    pub prefix: String,
    /// How many unacknowledged messages one stage consumer may hold.
    pub prefetch: u16,
    /// Attempts (our own counter) after which a retried message is parked.
    pub max_attempts: u32,
    /// Retry tiers: a retry waits in the tier whose delay is the smallest one
    /// at least as long as the requested delay (or the last tier).
    #[serde(deserialize_with = "durations")]
    pub retry_delays: Vec<Duration>,
    /// Quorum queues (replicated) instead of classic durable queues.
    pub quorum: bool,
    /// How long one `publish`/`next` keeps reconnecting before it reports a
    /// transient error.
    #[serde(deserialize_with = "duration")]
    pub reconnect_timeout: Duration,
}

impl Default for RabbitSettings {
    fn default() -> Self {
        RabbitSettings {
            url: "amqp://guest:guest@127.0.0.1:5672/%2f".into(),
            prefix: "docket".into(),
            prefetch: 8,
            max_attempts: 5,
            retry_delays: vec![
                Duration::from_secs(1),
                Duration::from_secs(10),
                Duration::from_secs(60),
            ],
            quorum: true,
            reconnect_timeout: Duration::from_secs(30),
        }
    }
}

impl RabbitSettings {
    /// Checks the values that would otherwise fail late (at the broker or in a retry).
    pub fn validate(&self) -> Result<(), QueueError> {
        let problem = if self.prefix.is_empty() {
            "prefix must not be empty"
        } else if self.prefetch == 0 {
            "prefetch must be at least 1"
        } else if self.max_attempts == 0 {
            "max_attempts must be at least 1"
        } else if self.retry_delays.is_empty() {
            "retry_delays needs at least one tier"
        } else if self.retry_delays.iter().any(|d| d.as_millis() == 0) {
            "retry delays must be at least 1ms"
        } else {
            return Ok(());
        };
        Err(QueueError::Permanent(format!(
            "rabbitmq settings: {problem}"
        )))
    }

    /// The URL with its password replaced by `***`, safe to show.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }
}

impl fmt::Debug for RabbitSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitSettings")
            .field("url", &self.redacted_url())
            .field("prefix", &self.prefix)
            .field("prefetch", &self.prefetch)
            .field("max_attempts", &self.max_attempts)
            .field("retry_delays", &self.retry_delays)
            .field("quorum", &self.quorum)
            .field("reconnect_timeout", &self.reconnect_timeout)
            .finish()
    }
}

/// Replaces the password of `scheme://user:password@host/...` by `***`.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        // Not a URL we understand: show nothing of it rather than a secret.
        return "<unparsed url>".into();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    // The last '@' of the authority ends the user info (a password may hold '@').
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.into();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.into(),
    }
}

/// Parses `"250ms"`, `"10s"`, `"5m"` or `"1h"`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like \"250ms\" or \"10s\""))?;
    let millis = match unit.trim() {
        "ms" => Some(number),
        "s" => number.checked_mul(1_000),
        "m" => number.checked_mul(60_000),
        "h" => number.checked_mul(3_600_000),
        _ => return Err(format!("`{text}`: the unit must be ms, s, m or h")),
    };
    millis
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}` is too long"))
}

fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_duration(&text).map_err(serde::de::Error::custom)
}

fn durations<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Duration>, D::Error> {
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| parse_duration(text).map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let settings = RabbitSettings {
            url: "amqps://docket:s3cr@t@rabbit.example:5671/prod?heartbeat=10".into(),
            ..RabbitSettings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains("amqps://docket:***@rabbit.example:5671/prod"));
        assert_eq!(
            redact_url("amqp://127.0.0.1:5672/%2f"),
            "amqp://127.0.0.1:5672/%2f"
        );
        assert_eq!(redact_url("guest:guest@host"), "<unparsed url>");
    }

    #[test]
    fn settings_read_with_defaults_and_units() {
        let settings: RabbitSettings = serde_json::from_str(
            r#"{"prefix": "t", "retry_delays": ["200ms", "10s", "1m"], "quorum": false}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(settings.prefix, "t");
        assert_eq!(
            settings.retry_delays,
            [
                Duration::from_millis(200),
                Duration::from_secs(10),
                Duration::from_secs(60)
            ]
        );
        assert_eq!(settings.prefetch, RabbitSettings::default().prefetch);
        assert!(settings.validate().is_ok());
        assert!(serde_json::from_str::<RabbitSettings>(r#"{"retry_delays": ["10"]}"#).is_err());
        assert!(serde_json::from_str::<RabbitSettings>(r#"{"prefetch_count": 1}"#).is_err());
    }

    #[test]
    fn invalid_settings_are_permanent_errors() {
        let settings = RabbitSettings {
            retry_delays: Vec::new(),
            ..RabbitSettings::default()
        };
        assert!(matches!(settings.validate(), Err(QueueError::Permanent(_))));
    }
}
