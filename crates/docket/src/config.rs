//! Typed settings: defaults, then a TOML file, then `DOCKET__SECTION__KEY`
//! environment variables, then command-line flags (house rule 4).
//!
//! Secrets (database and broker passwords) live in [`Secret`], whose `Debug`
//! and `Display` redact them, so settings can be logged and printed safely.

use std::path::{Path, PathBuf};

use anyhow::Context;
use docket_llm::LlmSettings;
use serde::{Deserialize, Serialize};

/// A connection URL whose password is never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The URL itself, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some(scheme_end) = url.find("://") else {
            return url.clone();
        };
        let rest = &url[scheme_end + 3..];
        let Some(at) = rest.find('@') else {
            return url.clone();
        };
        match rest[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &rest[..colon],
                &rest[at..]
            ),
            None => url.clone(),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// Which store to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// PostgreSQL (production).
    Postgres,
    /// SQLite in one file (embedded).
    Sqlite,
}

/// The store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// `postgres` or `sqlite`.
    pub kind: StoreKind,
    /// PostgreSQL connection URL.
    pub url: Secret,
    /// SQLite database file.
    pub path: PathBuf,
    /// PostgreSQL pool size per process.
    pub max_connections: u32,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            kind: StoreKind::Sqlite,
            url: Secret("postgres://postgres@127.0.0.1:5432/docket".into()),
            path: PathBuf::from(".docket/docket.db"),
            max_connections: 10,
        }
    }
}

/// Which queue to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// RabbitMQ (production).
    Rabbitmq,
    /// In-process channels (embedded; one process only).
    InProcess,
}

/// The queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSettings {
    /// `rabbitmq` or `in_process`.
    pub kind: QueueKind,
    /// AMQP URL.
    pub url: Secret,
    /// Prefix of exchange and queue names.
    pub prefix: String,
    /// Unacknowledged messages per consumer.
    pub prefetch: u16,
    /// Attempts before a message is parked.
    pub max_attempts: u32,
    /// Retry tiers, in seconds.
    pub retry_delays_secs: Vec<u64>,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            kind: QueueKind::InProcess,
            url: Secret("amqp://guest:guest@127.0.0.1:5672/%2f".into()),
            prefix: "docket".into(),
            prefetch: 8,
            max_attempts: 5,
            retry_delays_secs: vec![1, 10, 60],
        }
    }
}

pub use crate::erp_config::ErpSettings;

/// Intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSettings {
    /// Drop folders to watch.
    pub drop_folders: Vec<PathBuf>,
    /// A file must be unchanged this long before it is taken.
    pub stable_for_ms: u64,
    /// A drop folder is scanned as soon as the file system reports a change,
    /// and at least this often (events can be missed: network shares send none).
    pub poll_interval_ms: u64,
    /// IMAP accounts to read (`[[ingest.mailboxes]]`, docs/intake.md); a key of
    /// one is overridden by `DOCKET__INGEST__MAILBOXES__<index>__<KEY>`.
    pub mailboxes: Vec<docket_ingest::imap::MailboxSettings>,
    /// What one mail may cost when intake reads it (`[ingest.mail_limits]`).
    pub mail_limits: docket_ingest::mail::MailLimits,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            drop_folders: vec![PathBuf::from(".docket/inbox")],
            stable_for_ms: 2_000,
            poll_interval_ms: 5_000,
            mailboxes: Vec::new(),
            mail_limits: docket_ingest::mail::MailLimits::default(),
        }
    }
}

/// Workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSettings {
    /// Concurrent workers per stage in one process.
    pub per_stage: usize,
    /// Concurrent extract workers in one process, when different from
    /// `per_stage`: raise it when the language model is asked, whose calls
    /// mostly wait on the network.
    pub extract: Option<usize>,
    /// How long a worker holds a document.
    pub lease_secs: u64,
    /// How often the sweeper looks for lost work.
    pub sweep_every_secs: u64,
    /// Unleased work idle this long counts as lost.
    pub stalled_after_secs: u64,
}

impl WorkerSettings {
    /// Concurrent workers of `stage` in one process (at least one).
    pub fn concurrency(&self, stage: docket_domain::Stage) -> usize {
        let n = match stage {
            docket_domain::Stage::Extract => self.extract.unwrap_or(self.per_stage),
            _ => self.per_stage,
        };
        n.max(1)
    }
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            per_stage: 2,
            extract: None,
            lease_secs: 300,
            sweep_every_secs: 30,
            stalled_after_secs: 600,
        }
    }
}

/// Where files are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Isolation {
    /// In parser processes with memory and time limits (the default).
    Process,
    /// On a thread of the worker: no memory limit, an overrun is abandoned,
    /// not stopped. For debugging and platforms other than Unix.
    InProcess,
}

/// Extraction limits, and where files are parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractSettings {
    /// Largest file accepted.
    pub max_bytes: usize,
    /// Most pages read.
    pub max_pages: usize,
    /// Time budget per file.
    pub time_budget_secs: u64,
    /// Memory a parser process may use for one file, in MiB.
    pub max_memory_mib: usize,
    /// `process` or `in_process`.
    pub isolation: Isolation,
    /// Parser processes per worker process; one per core when unset.
    pub parsers: Option<usize>,
}

impl Default for ExtractSettings {
    fn default() -> Self {
        let limits = docket_extract::Limits::default();
        ExtractSettings {
            max_bytes: limits.max_bytes,
            max_pages: limits.max_pages,
            time_budget_secs: limits.time_budget.as_secs(),
            max_memory_mib: limits.max_memory / MIB,
            isolation: Isolation::Process,
            parsers: None,
        }
    }
}

const MIB: usize = 1024 * 1024;

/// Matching.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingSettings {
    /// A policy file (docs/matching.md); the built-in policy when absent.
    pub policy: Option<PathBuf>,
}

/// All settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The store.
    pub store: StoreSettings,
    /// The queue.
    pub queue: QueueSettings,
    /// The ERP.
    pub erp: ErpSettings,
    /// Intake.
    pub ingest: IngestSettings,
    /// Workers.
    pub workers: WorkerSettings,
    /// Extraction limits.
    pub extract: ExtractSettings,
    /// Matching.
    pub matching: MatchingSettings,
    /// The language model (off unless configured).
    pub llm: LlmSettings,
    /// Health endpoints of the long-running processes.
    pub health: HealthSettings,
}

/// Health endpoints (`/healthz`, `/readyz`, `/metrics`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthSettings {
    /// Address to serve them on, e.g. `0.0.0.0:9464`; not served when unset.
    pub listen: Option<String>,
}

/// The prefix of environment overrides: `DOCKET__STORE__URL` sets `store.url`.
const ENV_PREFIX: &str = "DOCKET__";

impl Settings {
    /// Loads a file (when given) and applies the process environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::load_with(file, std::env::vars())
    }

    /// Loads a file and applies the given `DOCKET__SECTION__KEY` variables.
    pub fn load_with(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the configuration {}", path.display()))?;
                text.parse::<toml::Table>()
                    .with_context(|| format!("{} is not valid TOML", path.display()))?
            }
            None => toml::Table::new(),
        };
        for (key, value) in env {
            let Some(path) = key.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
            set_path(&mut table, &keys, parse_env_value(&value))
                .with_context(|| format!("environment variable {key}"))?;
        }
        let settings: Settings = toml::Value::Table(table)
            .try_into()
            .context("the configuration does not fit (unknown key or wrong type?)")?;
        Ok(settings)
    }

    /// Extraction limits as the extractor wants them.
    pub fn limits(&self) -> docket_extract::Limits {
        docket_extract::Limits {
            max_bytes: self.extract.max_bytes,
            max_pages: self.extract.max_pages,
            time_budget: std::time::Duration::from_secs(self.extract.time_budget_secs),
            max_memory: self.extract.max_memory_mib.saturating_mul(MIB),
        }
    }
}

/// An environment value as TOML when it parses as one (`5`, `true`, `[1, 2]`), else a string.
fn parse_env_value(text: &str) -> toml::Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

fn set_path(table: &mut toml::Table, keys: &[String], value: toml::Value) -> anyhow::Result<()> {
    match keys {
        [] => anyhow::bail!("empty key"),
        [last] => {
            table.insert(last.clone(), value);
            Ok(())
        }
        [first, rest @ ..] => {
            let entry = table
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            match entry {
                toml::Value::Table(inner) => set_path(inner, rest, value),
                // `MAILBOXES__0__PASSWORD`: a key of the first table of a list.
                toml::Value::Array(items) => {
                    let Some((index, rest)) = rest.split_first().filter(|(_, r)| !r.is_empty())
                    else {
                        anyhow::bail!("{first} is a list: name an entry and a key (__0__KEY)");
                    };
                    let item = index.parse::<usize>().ok().and_then(|i| items.get_mut(i));
                    match item {
                        Some(toml::Value::Table(inner)) => set_path(inner, rest, value),
                        _ => anyhow::bail!("{first} has no table at index {index}"),
                    }
                }
                _ => anyhow::bail!("{first} is not a section"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/docket.example.toml")
    }

    #[test]
    fn the_example_configuration_parses() {
        let s = Settings::load_with(Some(&example()), Vec::new()).unwrap();
        assert_eq!(s.store.kind, StoreKind::Postgres);
        assert_eq!(s.queue.kind, QueueKind::Rabbitmq);
        assert!(s.store.url.expose().starts_with("postgres://"));
        assert_eq!(s.llm.mode, docket_llm::LlmMode::Off);
        assert_eq!(s.llm.validate(), Ok(()));
        assert_eq!(s.extract.isolation, Isolation::Process);
        assert_eq!(s.limits(), docket_extract::Limits::default());
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = vec![
            (
                "DOCKET__STORE__URL".to_string(),
                "postgres://u:hunter2@db/docket".to_string(),
            ),
            ("DOCKET__WORKERS__PER_STAGE".to_string(), "7".to_string()),
            (
                "DOCKET__QUEUE__RETRY_DELAYS_SECS".to_string(),
                "[2, 20]".to_string(),
            ),
            ("OTHER".to_string(), "ignored".to_string()),
        ];
        let s = Settings::load_with(Some(&example()), env).unwrap();
        assert_eq!(s.store.url.expose(), "postgres://u:hunter2@db/docket");
        assert_eq!(s.workers.per_stage, 7);
        assert_eq!(s.queue.retry_delays_secs, vec![2, 20]);
    }

    #[test]
    fn llm_settings_come_from_the_environment_too() {
        let env = vec![
            ("DOCKET__LLM__API".to_string(), "azure".to_string()),
            ("DOCKET__LLM__MODEL".to_string(), "ap-gpt-4o".to_string()),
            (
                "DOCKET__LLM__DAILY_TOKEN_BUDGET".to_string(),
                "500000".to_string(),
            ),
            (
                "DOCKET__LLM__PRICE_PER_1K_PROMPT_TOKENS".to_string(),
                "0.00015".to_string(),
            ),
            (
                "DOCKET__LLM__RESPONSE_FORMAT".to_string(),
                "json_object".to_string(),
            ),
        ];
        let s = Settings::load_with(Some(&example()), env).unwrap();
        assert_eq!(s.llm.api, docket_llm::LlmApi::Azure);
        assert_eq!(s.llm.daily_token_budget, Some(500_000));
        assert_eq!(
            s.llm.price_per_1k_prompt_tokens,
            Some("0.00015".parse().unwrap())
        );
        assert_eq!(s.llm.response_format, docket_llm::AnswerFormat::JsonObject);
        assert_eq!(s.llm.validate(), Ok(()));
    }

    #[test]
    fn secrets_are_never_printed() {
        let env = vec![
            (
                "DOCKET__QUEUE__URL".to_string(),
                "amqp://docket:s3cret@mq:5672/%2f".to_string(),
            ),
            ("DOCKET__LLM__API_KEY".to_string(), "sk-s3cret".to_string()),
            ("DOCKET__LLM__MODE".to_string(), "always".to_string()),
            ("DOCKET__WORKERS__EXTRACT".to_string(), "32".to_string()),
        ];
        let s = Settings::load_with(None, env).unwrap();
        let debug = format!("{s:?}");
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            !debug.contains("s3cret") && !json.contains("s3cret"),
            "{debug}"
        );
        assert!(debug.contains("amqp://docket:***@mq:5672/%2f"), "{debug}");
        assert_eq!(s.llm.api_key.as_deref(), Some("sk-s3cret"));
        assert_eq!(s.llm.mode, docket_llm::LlmMode::Always);
        assert_eq!(s.workers.concurrency(docket_domain::Stage::Extract), 32);
        assert_eq!(s.workers.concurrency(docket_domain::Stage::Post), 2);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused() {
        let env = vec![("DOCKET__STORE__COLOUR".to_string(), "blue".to_string())];
        assert!(Settings::load_with(None, env).is_err());
        let env = vec![("DOCKET__WORKERS__PER_STAGE".to_string(), "many".to_string())];
        assert!(Settings::load_with(None, env).is_err());
    }

    #[test]
    fn mailboxes_take_env_overrides_by_index_and_never_print_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("docket.toml");
        let text = r#"
            [[ingest.mailboxes]]
            name = "ap"
            host = "outlook.office365.com"
            user = "ap@kestrel.example"
            auth = "xoauth2"
            oauth_token_file = "/run/secrets/ap-token"
            folders = ["INBOX", "Rechnungen"]
            post_action = "move:Docket-Processed"
            filter = { from = ["@nordwind.example"] }

            [[ingest.mailboxes]]
            name = "orders"
            host = "imap.gmail.com"
            user = "orders@kestrel.example"
            password = "from-the-file"
        "#;
        std::fs::write(&file, text).unwrap();
        let env = |key: &str, value: &str| vec![(key.to_string(), value.to_string())];
        let mut vars = env("DOCKET__INGEST__MAILBOXES__1__PASSWORD", "app-s3cret");
        vars.extend(env("DOCKET__INGEST__MAILBOXES__0__IDLE", "false"));
        let s = Settings::load_with(Some(&file), vars).unwrap();
        let [ap, orders] = s.ingest.mailboxes.as_slice() else {
            panic!("two mailboxes expected: {:?}", s.ingest.mailboxes)
        };
        assert_eq!(
            ap.post_action,
            docket_ingest::imap::PostAction::Move("Docket-Processed".into())
        );
        assert!(!ap.idle && orders.idle);
        assert_eq!(orders.password.as_ref().unwrap().expose(), "app-s3cret");
        let printed = format!("{}{s:?}", toml::to_string_pretty(&s).unwrap());
        assert!(
            !printed.contains("s3cret") && !printed.contains("from-the-file"),
            "{printed}"
        );
        assert!(printed.contains("password = \"***\""), "{printed}");
        let out_of_range = env("DOCKET__INGEST__MAILBOXES__5__PASSWORD", "x");
        assert!(Settings::load_with(Some(&file), out_of_range).is_err());
        let no_key = env("DOCKET__INGEST__MAILBOXES__0", "x");
        assert!(Settings::load_with(Some(&file), no_key).is_err());
    }
}
