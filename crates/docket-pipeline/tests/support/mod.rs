//! What the pipeline tests share: an embedded pipeline over any ERP, the
//! fixture documents, and running the workers until the documents settle.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use docket_domain::{DocumentState, Stage};
use docket_erp::Erp;
use docket_llm::sim::{SimHandle, SimOptions, start_local};
use docket_llm::{LlmClient, LlmMode, LlmSettings};
use docket_matching::Policy;
use docket_pipeline::{Pipeline, RetryPolicy, worker};
use docket_queue::memory::InProcessQueue;
use docket_store::sqlite::SqliteStore;
use docket_store::{DocumentId, NewDocument};

/// The repository's `fixtures/`.
pub fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"))
}

/// The embedded pipeline (SQLite in memory, in-process queue) over `erp`,
/// with quick retries.
pub async fn pipeline(
    erp: Arc<dyn Erp>,
    queue: Arc<InProcessQueue>,
    llm: Option<Arc<LlmClient>>,
) -> Arc<Pipeline> {
    pipeline_with_policy(erp, queue, llm, Policy::default()).await
}

/// [`pipeline`] under another matching policy.
pub async fn pipeline_with_policy(
    erp: Arc<dyn Erp>,
    queue: Arc<InProcessQueue>,
    llm: Option<Arc<LlmClient>>,
    policy: Policy,
) -> Arc<Pipeline> {
    Arc::new(Pipeline {
        store: Arc::new(SqliteStore::in_memory().await.unwrap()),
        queue,
        erp,
        policy,
        limits: docket_extract::Limits::default(),
        // The test binary cannot serve as a parser process.
        reader: docket_extract::Reader::InProcess,
        mail_limits: Default::default(),
        retry: RetryPolicy {
            max_attempts: 5,
            first_delay: Duration::from_millis(5),
        },
        lease_ttl: docket_pipeline::DEFAULT_LEASE_TTL,
        llm,
    })
}

/// Stores a PDF as a new document.
pub async fn ingest_pdf(pipeline: &Pipeline, name: &str, bytes: Vec<u8>) -> DocumentId {
    let doc = NewDocument {
        parent_id: None,
        source: "test".into(),
        file_name: name.into(),
        part_name: None,
        media_type: "application/pdf".into(),
        sender: None,
        bytes,
    };
    pipeline.store.ingest(doc).await.unwrap().id().clone()
}

/// Stores a fixture from `fixtures/inbox` as a new document.
pub async fn ingest(pipeline: &Pipeline, name: &str) -> DocumentId {
    let bytes = std::fs::read(fixtures().join("inbox").join(name)).unwrap();
    ingest_pdf(pipeline, name, bytes).await
}

/// Relay, sweeper and one worker per stage, running in the background until
/// [`Running::stop`] (which closes the queue: one run per pipeline).
pub struct Running {
    pipeline: Arc<Pipeline>,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<Result<(), docket_pipeline::PipelineError>>>,
}

impl Running {
    /// Starts them.
    pub fn start(pipeline: &Arc<Pipeline>) -> Self {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        let p = pipeline.clone();
        tasks.push(tokio::spawn(async move {
            p.run_relay(stopped, Duration::from_millis(5)).await
        }));
        let (p, stopped) = (pipeline.clone(), stop.subscribe());
        let (every, idle) = (Duration::from_millis(50), Duration::from_secs(3600));
        tasks.push(tokio::spawn(async move {
            p.run_sweeper(stopped, every, idle).await
        }));
        for stage in Stage::ALL {
            tasks.push(tokio::spawn(worker::run_worker(pipeline.clone(), stage)));
        }
        Running {
            pipeline: pipeline.clone(),
            stop,
            tasks,
        }
    }

    /// Waits until `done` holds (at most 4 s).
    pub async fn until(&self, done: impl AsyncFn() -> bool) {
        for _ in 0..400 {
            if done().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stops them all; each must have ended well.
    pub async fn stop(self) {
        self.pipeline.queue.close();
        self.stop.send(true).unwrap();
        for task in self.tasks {
            task.await.unwrap().unwrap();
        }
    }
}

/// Runs relay, sweeper and workers until `done` holds (at most 4 s), then stops them.
pub async fn run_until(pipeline: &Arc<Pipeline>, done: impl AsyncFn() -> bool) {
    let running = Running::start(pipeline);
    running.until(done).await;
    running.stop().await;
}

/// Runs until the document has a decision; returns its state.
pub async fn run_until_rest(pipeline: &Arc<Pipeline>, id: &DocumentId) -> DocumentState {
    let decided = async || {
        let state = pipeline.store.document(id).await.unwrap().state;
        state.decision().is_some()
    };
    run_until(pipeline, decided).await;
    pipeline.store.document(id).await.unwrap().state
}

/// A language model simulator and a client for it with `settings` (one
/// attempt per read unless they say otherwise), in `mode`.
pub async fn language_model(
    mode: LlmMode,
    options: SimOptions,
    settings: LlmSettings,
) -> (SimHandle, Arc<LlmClient>) {
    let sim = start_local(options).await.unwrap();
    let settings = LlmSettings {
        mode,
        base_url: sim.base_url(),
        ..settings
    };
    (sim, Arc::new(LlmClient::new(settings).unwrap()))
}

/// Settings for [`language_model`]: one attempt per read.
pub fn one_attempt() -> LlmSettings {
    LlmSettings {
        max_attempts: 1,
        ..LlmSettings::default()
    }
}

/// The stored extraction of a document, as JSON.
pub async fn extracted(pipeline: &Pipeline, id: &DocumentId) -> serde_json::Value {
    let record = pipeline.store.document(id).await.unwrap();
    let stored = record.extracted.expect("extracted");
    serde_json::from_str(stored.get()).unwrap()
}
