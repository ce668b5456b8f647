//! Building the ports from settings: the one place that knows which adapter
//! a deployment uses. Every process command goes through here.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use docket_domain::Stage;
use docket_erp::Erp;
use docket_erp::sandbox::SandboxErp;
use docket_extract::{Reader, isolate};
use docket_llm::{LlmClient, LlmMode};
use docket_matching::Policy;
use docket_pipeline::erp_cache::CachedErp;
use docket_pipeline::{Pipeline, RetryPolicy};
use docket_queue::Queue;
use docket_queue::memory::InProcessQueue;
use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings};
use docket_store::Store;
use docket_store::postgres::PgStore;
use docket_store::sqlite::SqliteStore;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::PgConnectOptions;

use crate::config::{Isolation, QueueKind, Settings, StoreKind};

/// The hidden command that makes this binary a parser process.
pub const PARSER_CHILD: &str = "parser-child";

/// What a process does about the database schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Create the database if missing and apply migrations (`migrate`, `run`).
    Migrate,
    /// Only check that it is current (`worker`, `ingest`, `status`, `parked`).
    Check,
}

/// Opens the configured store, migrating or checking its schema.
pub async fn store(settings: &Settings, schema: Schema) -> anyhow::Result<Arc<dyn Store>> {
    let s = &settings.store;
    Ok(match s.kind {
        StoreKind::Sqlite => {
            if let Some(dir) = s.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            Arc::new(
                SqliteStore::open(&s.path)
                    .await
                    .context("opening the SQLite store")?,
            )
        }
        StoreKind::Postgres => {
            let url = s.url.expose();
            // A fresh server has no Docket database yet: create it rather than fail.
            if schema == Schema::Migrate
                && !sqlx::Postgres::database_exists(url).await.unwrap_or(true)
                && let Err(e) = sqlx::Postgres::create_database(url).await
                // Another process may have created it meanwhile: that is fine.
                && !sqlx::Postgres::database_exists(url).await.unwrap_or(false)
            {
                let what = format!("creating the database of {}", s.url.redacted());
                return Err(anyhow::Error::new(e).context(what));
            }
            let options = PgConnectOptions::from_str(s.url.expose()).with_context(|| {
                format!("store.url {} is not a PostgreSQL URL", s.url.redacted())
            })?;
            let store = PgStore::connect(options, s.max_connections)
                .await
                .with_context(|| format!("connecting to {}", s.url.redacted()))?;
            match schema {
                Schema::Migrate => store.migrate().await?,
                Schema::Check => store.check_schema().await?,
            }
            Arc::new(store)
        }
    })
}

/// The most concurrent workers any stage has in this process.
fn busiest_stage(settings: &Settings) -> u16 {
    let most = Stage::ALL
        .into_iter()
        .map(|s| settings.workers.concurrency(s))
        .max()
        .unwrap_or(1);
    u16::try_from(most).unwrap_or(u16::MAX)
}

/// The RabbitMQ settings the adapter wants, from ours.
pub fn rabbit_settings(settings: &Settings) -> RabbitSettings {
    let q = &settings.queue;
    RabbitSettings {
        url: q.url.expose().to_string(),
        prefix: q.prefix.clone(),
        // A stage's consumer must be able to hand every one of its workers a
        // message, or the extra workers (e.g. extract with an LLM) sit idle.
        prefetch: q.prefetch.max(busiest_stage(settings)),
        max_attempts: q.max_attempts,
        retry_delays: q
            .retry_delays_secs
            .iter()
            .map(|s| Duration::from_secs(*s))
            .collect(),
        ..RabbitSettings::default()
    }
}

/// The configured queue; the RabbitMQ adapter is returned too, for administration.
pub async fn queue(
    settings: &Settings,
) -> anyhow::Result<(Arc<dyn Queue>, Option<Arc<RabbitQueue>>)> {
    Ok(match settings.queue.kind {
        QueueKind::InProcess => (Arc::new(InProcessQueue::new()), None),
        QueueKind::Rabbitmq => {
            let rabbit = RabbitQueue::connect(rabbit_settings(settings))
                .await
                .with_context(|| format!("connecting to {}", settings.queue.url.redacted()))?;
            let rabbit = Arc::new(rabbit);
            (rabbit.clone(), Some(rabbit))
        }
    })
}

/// The configured ERP.
pub fn erp(settings: &Settings) -> anyhow::Result<Arc<dyn Erp>> {
    settings.erp.adapter()
}

/// The configured sandbox ERP itself, for what only the sandbox can do
/// (`docket sandbox receive`); an error when another ERP is configured.
pub fn sandbox_erp(settings: &Settings) -> anyhow::Result<SandboxErp> {
    settings.erp.sandbox()
}

/// The matching policy: the file named in the settings, else the built-in one.
pub fn policy(settings: &Settings) -> anyhow::Result<Policy> {
    load_policy(settings.matching.policy.as_deref())
}

/// A matching policy file, else the built-in policy.
pub fn load_policy(path: Option<&std::path::Path>) -> anyhow::Result<Policy> {
    Ok(path.map(Policy::from_file).transpose()?.unwrap_or_default())
}

/// The pipeline over the given ports.
pub fn pipeline(
    settings: &Settings,
    store: Arc<dyn Store>,
    queue: Arc<dyn Queue>,
    erp: Arc<dyn Erp>,
) -> anyhow::Result<Arc<Pipeline>> {
    // With `erp.use_cache`, matching reads master data from the store's copy.
    let erp: Arc<dyn Erp> = match settings.erp.use_cache {
        true => Arc::new(CachedErp::new(erp, store.clone())),
        false => erp,
    };
    Ok(Arc::new(Pipeline {
        store,
        queue,
        erp,
        policy: policy(settings)?,
        limits: settings.limits(),
        reader: reader(settings)?,
        mail_limits: settings.ingest.mail_limits,
        // The worker decides when to give up, at the queue's own attempt limit.
        retry: RetryPolicy {
            max_attempts: settings.queue.max_attempts,
            ..RetryPolicy::default()
        },
        lease_ttl: Duration::from_secs(settings.workers.lease_secs),
        llm: llm(settings)?,
    }))
}

/// Where the settings say files are read.
pub fn reader(settings: &Settings) -> anyhow::Result<Reader> {
    let extract = &settings.extract;
    Ok(match extract.isolation {
        Isolation::InProcess => Reader::InProcess,
        Isolation::Process => {
            parser_pool(extract.parsers.unwrap_or_else(isolate::default_pool_size))?
        }
    })
}

/// A pool of `size` parser processes: this binary, run as `docket parser-child`
/// (started when first needed, so processes that read no files start none).
pub fn parser_pool(size: usize) -> anyhow::Result<Reader> {
    // Linux: the running binary itself, even after an upgrade replaced the
    // file on disk, so parent and children are always the same build.
    let proc_exe = std::path::Path::new("/proc/self/exe");
    let program = if proc_exe.exists() {
        proc_exe.to_path_buf()
    } else {
        std::env::current_exe().context("locating the docket binary for parser processes")?
    };
    Ok(Reader::isolated(program, vec![PARSER_CHILD.into()], size))
}

/// The language model client, when the settings ask for one.
fn llm(settings: &Settings) -> anyhow::Result<Option<Arc<LlmClient>>> {
    if settings.llm.mode == LlmMode::Off {
        return Ok(None);
    }
    let client = LlmClient::new(settings.llm.clone())
        .map_err(|e| anyhow::anyhow!("the [llm] settings cannot work: {e}"))?;
    Ok(Some(Arc::new(client)))
}
