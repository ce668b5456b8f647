//! The production processes: `run`, `worker`, `ingest`, `migrate`, `status`,
//! `config`, `parked`. All read the same settings (`--config F`, then
//! `DOCKET__SECTION__KEY`) and use the same stage code as `docket demo`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use docket_domain::Stage;
use docket_ingest::dropfolder::DropFolder;
use docket_pipeline::{Pipeline, worker};
use docket_queue::rabbitmq::RabbitQueue;
use docket_store::Store;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::Settings;
use crate::health;
use crate::wiring::{self, Schema};

/// `--config F`, shared by every process command.
#[derive(Args, Clone)]
pub struct ConfigArg {
    /// Configuration file (TOML); see deploy/docket.example.toml. Environment
    /// variables DOCKET__SECTION__KEY override it.
    #[arg(long)]
    config: Option<PathBuf>,
}

impl ConfigArg {
    pub(crate) fn load(&self) -> anyhow::Result<Settings> {
        Settings::load(self.config.as_deref())
    }
}

/// Which stages a worker process serves.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    /// Extraction.
    Extract,
    /// Matching.
    Match,
    /// Posting.
    Post,
    /// All three.
    All,
}

impl StageArg {
    fn stages(self) -> Vec<Stage> {
        match self {
            StageArg::Extract => vec![Stage::Extract],
            StageArg::Match => vec![Stage::Match],
            StageArg::Post => vec![Stage::Post],
            StageArg::All => Stage::ALL.to_vec(),
        }
    }
}

/// Arguments of `docket worker`.
#[derive(Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The stage(s) this process works on.
    #[arg(long, value_enum, default_value = "all")]
    stage: StageArg,
}

/// Arguments of `docket ingest`.
#[derive(Args)]
pub struct IngestArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// One pass over the drop folders, then exit.
    #[arg(long)]
    once: bool,
}

/// Arguments of `docket status`.
#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `docket parked`.
#[derive(Args)]
pub struct ParkedArgs {
    #[command(flatten)]
    config: ConfigArg,
    #[command(subcommand)]
    action: ParkedAction,
}

#[derive(Subcommand)]
enum ParkedAction {
    /// List parked messages with the reason each was parked.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Send parked messages back to their stage with a fresh attempt counter.
    Replay {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

pub(crate) fn block_on<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    f: F,
) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(f)
}

/// `docket run`: every stage, the relay, the sweeper and intake in one process.
pub fn run(config: ConfigArg) -> anyhow::Result<ExitCode> {
    block_on(async move { serve(config.load()?, Stage::ALL.to_vec(), true).await })
}

/// `docket worker --stage S`: workers of some stages (plus relay and sweeper).
pub fn worker(args: WorkerArgs) -> anyhow::Result<ExitCode> {
    block_on(async move { serve(args.config.load()?, args.stage.stages(), false).await })
}

/// `docket ingest [--once]`: intake only.
pub fn ingest(args: IngestArgs) -> anyhow::Result<ExitCode> {
    block_on(async move {
        let settings = args.config.load()?;
        crate::mail::mailboxes(&settings)?;
        let store = wiring::store(&settings, Schema::Check).await?;
        if args.once {
            let count = ingest_pass(&settings, store.as_ref()).await?;
            eprintln!("ingest: {count} file(s) taken in");
            // A mailbox folder not read to its end keeps its mails for the
            // next run; the exit status tells the caller.
            let all_read = crate::mail::take_once(&settings, store.as_ref()).await?;
            return Ok(if all_read {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            });
        }
        start_health(&settings, store.clone(), None).await?;
        let (stop, stopped) = watch::channel(false);
        let intake = tokio::spawn(ingest_loop(settings, store, stopped));
        shutdown_signal().await;
        let _ = stop.send(true);
        intake.await.context("intake task")??;
        Ok(ExitCode::SUCCESS)
    })
}

/// `docket migrate`: brings the store's schema up to date.
pub fn migrate(config: ConfigArg) -> anyhow::Result<ExitCode> {
    block_on(async move {
        let settings = config.load()?;
        wiring::store(&settings, Schema::Migrate).await?;
        eprintln!("store is up to date ({:?})", settings.store.kind);
        Ok(ExitCode::SUCCESS)
    })
}

/// `docket config`: the effective settings, passwords redacted.
pub fn config(config: ConfigArg) -> anyhow::Result<ExitCode> {
    let settings = config.load()?;
    print!(
        "{}",
        toml::to_string_pretty(&settings).context("rendering the settings")?
    );
    Ok(ExitCode::SUCCESS)
}

async fn ingest_pass(settings: &Settings, store: &dyn Store) -> anyhow::Result<usize> {
    let stable = Duration::from_millis(settings.ingest.stable_for_ms);
    let mut count = 0;
    for folder in &settings.ingest.drop_folders {
        let taken = DropFolder::new(folder, stable).ingest_once(store).await?;
        for file in &taken {
            tracing::info!(file = %file.name, document = %file.outcome.id(), "taken in");
        }
        count += taken.len();
    }
    Ok(count)
}

async fn ingest_loop(
    settings: Settings,
    store: Arc<dyn Store>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    // Mailboxes are watched by sessions of their own (IDLE or polling).
    let mailboxes = crate::mail::watch(&settings, store.clone(), stop.clone())?;
    // Each drop folder is scanned as soon as the file system reports a change,
    // and at least every `poll_interval_ms`: events can be missed, the rescan
    // cannot. A failed scan is logged and its files are taken on a later one.
    let rescan = Duration::from_millis(settings.ingest.poll_interval_ms);
    let stable = Duration::from_millis(settings.ingest.stable_for_ms);
    let mut folders = JoinSet::new();
    for folder in &settings.ingest.drop_folders {
        let (folder, store, stop) = (DropFolder::new(folder, stable), store.clone(), stop.clone());
        folders.spawn(async move { folder.watch(store.as_ref(), rescan, stop).await });
    }
    while let Some(ended) = folders.join_next().await {
        ended.context("drop-folder task")?;
    }
    // The sessions log their own errors and keep going; only a panic ends them early.
    mailboxes.await.context("mailbox sessions")?;
    Ok(())
}

/// Serves until SIGINT or SIGTERM, then stops taking work and lets in-flight work finish.
async fn serve(
    settings: Settings,
    stages: Vec<Stage>,
    with_ingest: bool,
) -> anyhow::Result<ExitCode> {
    // `run` is the all-in-one process and migrates; workers only check.
    let schema = if with_ingest {
        crate::mail::mailboxes(&settings)?;
        Schema::Migrate
    } else {
        Schema::Check
    };
    let store = wiring::store(&settings, schema).await?;
    let (queue, rabbit) = wiring::queue(&settings).await?;
    let erp = wiring::erp(&settings)?;
    let pipeline = wiring::pipeline(&settings, store.clone(), queue, erp)?;
    let idle = Duration::from_secs(settings.workers.stalled_after_secs);
    let recovered = pipeline.sweep_stalled(idle).await?;
    let serving: Vec<String> = stages
        .iter()
        .map(|s| format!("{} ({})", s.as_str(), settings.workers.concurrency(*s)))
        .collect();
    let llm = match &pipeline.llm {
        Some(llm) => format!(
            "; language model {:?} at {}",
            llm.settings().mode,
            llm.settings().base_url
        ),
        None => String::new(),
    };
    eprintln!(
        "docket: serving {} worker(s){llm}; {recovered} stalled document(s) queued again",
        serving.join(", ")
    );
    start_health(&settings, store.clone(), rabbit.clone()).await?;
    let (stop, stopped) = watch::channel(false);
    let mut background: JoinSet<anyhow::Result<()>> = JoinSet::new();
    {
        let (p, s) = (pipeline.clone(), stopped.clone());
        background.spawn(async move { Ok(p.run_relay(s, Duration::from_millis(50)).await?) });
        let (p, s) = (pipeline.clone(), stopped.clone());
        let every = Duration::from_secs(settings.workers.sweep_every_secs);
        background.spawn(async move { Ok(p.run_sweeper(s, every, idle).await?) });
    }
    // Whoever matches also looks at waiting documents again now and then:
    // their goods may have arrived. 0 minutes turns it off.
    let recheck = pipeline.policy.waiting.recheck_minutes;
    if stages.contains(&Stage::Match) && recheck > 0 {
        let (p, s) = (pipeline.clone(), stopped.clone());
        let every = Duration::from_secs(u64::from(recheck) * 60);
        background.spawn(async move { Ok(p.run_recheck(s, every).await?) });
    }
    // The all-in-one process keeps the master-data cache fresh; 0 minutes turns it off.
    let sync = settings.erp.sync_minutes;
    if with_ingest && sync > 0 {
        let (p, s) = (pipeline.clone(), stopped.clone());
        let every = Duration::from_secs(u64::from(sync) * 60);
        background.spawn(async move { Ok(p.run_erp_sync(s, every).await?) });
    }
    if with_ingest {
        background.spawn(ingest_loop(
            settings.clone(),
            store.clone(),
            stopped.clone(),
        ));
    }
    let mut workers = JoinSet::new();
    for stage in stages {
        for _ in 0..settings.workers.concurrency(stage) {
            workers.spawn(worker::run_worker(pipeline.clone(), stage));
        }
    }
    tokio::select! {
        _ = shutdown_signal() => eprintln!("docket: stopping: no new work is taken, in-flight work finishes"),
        Some(ended) = workers.join_next() => {
            // A worker only ends on its own when the queue failed for good.
            eprintln!("docket: a worker stopped: {ended:?}");
        }
    }
    // A second signal means the operator does not want to wait: leave now
    // (the broker hands unacked work to other workers; leases expire).
    tokio::spawn(async {
        shutdown_signal().await;
        eprintln!("docket: second signal, leaving without waiting for in-flight work");
        std::process::exit(130);
    });
    let _ = stop.send(true);
    let stopped_in_time = tokio::time::timeout(SHUTDOWN_LIMIT, async {
        stop_queue(&pipeline, rabbit.as_deref()).await;
        while workers.join_next().await.is_some() {}
        while background.join_next().await.is_some() {}
    })
    .await;
    if stopped_in_time.is_err() {
        // Each step is bounded on its own, but their sum must stay under
        // what a supervisor waits before SIGKILL. Leaving is safe: the
        // broker hands unacknowledged work back, leases expire, and the
        // posting ledger keeps a repeated booking from happening.
        eprintln!(
            "docket: shutdown took longer than {} s; leaving, unfinished work is handed back",
            SHUTDOWN_LIMIT.as_secs()
        );
        std::process::exit(0);
    }
    Ok(ExitCode::SUCCESS)
}

/// The longest a stopping process takes, all steps together (in-flight work
/// may take 20 s of it): under the 45 s `deploy/` gives supervisors
/// (systemd's `TimeoutStopSec`, Kubernetes' `terminationGracePeriodSeconds`).
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(30);

/// Serves the health endpoints when `[health] listen` is set.
async fn start_health(
    settings: &Settings,
    store: Arc<dyn Store>,
    rabbit: Option<Arc<RabbitQueue>>,
) -> anyhow::Result<()> {
    if let Some(listen) = &settings.health.listen {
        let addr = health::serve(listen, health::Probe { store, rabbit }).await?;
        eprintln!("docket: health endpoints on http://{addr}/healthz, /readyz and /metrics");
    }
    Ok(())
}

async fn stop_queue(pipeline: &Pipeline, rabbit: Option<&RabbitQueue>) {
    match rabbit {
        Some(rabbit) => rabbit.shutdown(Duration::from_secs(20)).await,
        None => pipeline.queue.close(),
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// What `docket status` reports.
#[derive(Serialize)]
struct Status {
    store: docket_store::StoreStatus,
    queues: Vec<(String, u32)>,
    parked: Option<usize>,
    /// Today's language model calls, when the model is configured.
    llm: Option<LlmToday>,
}

/// Today's (UTC) language model calls and the daily budget they count against.
#[derive(Serialize)]
struct LlmToday {
    #[serde(flatten)]
    spent: docket_store::LlmDay,
    daily_token_budget: Option<u64>,
}

/// Today's calls; a day without any has zeros.
async fn llm_today(
    settings: &crate::config::Settings,
    store: &dyn docket_store::Store,
) -> anyhow::Result<Option<LlmToday>> {
    if settings.llm.mode == docket_llm::LlmMode::Off {
        return Ok(None);
    }
    let today = chrono::Utc::now().date_naive();
    let spent = store
        .llm_days(today, today)
        .await?
        .pop()
        .unwrap_or(docket_store::LlmDay {
            day: today,
            calls: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            cost: None,
        });
    Ok(Some(LlmToday {
        spent,
        daily_token_budget: settings.llm.daily_token_budget,
    }))
}

/// `docket status`: documents per state, oldest unfinished, queue depths, parked messages.
pub fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    block_on(async move {
        let settings = args.config.load()?;
        let store = wiring::store(&settings, Schema::Check).await?;
        let (_, rabbit) = wiring::queue(&settings).await?;
        let (queues, parked) = match &rabbit {
            Some(r) => {
                let depths = r.queue_depths().await?;
                let parked_queue = r.topology().parked_queue();
                let parked = depths
                    .iter()
                    .find(|(q, _)| *q == parked_queue)
                    .map(|(_, n)| *n as usize);
                (depths, parked)
            }
            None => (Vec::new(), None),
        };
        let status = Status {
            store: store.status().await?,
            queues,
            parked,
            llm: llm_today(&settings, store.as_ref()).await?,
        };
        if let Some(r) = &rabbit {
            r.shutdown(Duration::from_secs(1)).await;
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&status)?);
            return Ok(ExitCode::SUCCESS);
        }
        println!("documents");
        for (state, n) in &status.store.documents {
            println!("  {state:<12} {n:>8}");
        }
        match status.store.oldest_unfinished {
            Some(at) => println!("oldest unfinished since {at}"),
            None => println!("nothing unfinished"),
        }
        println!("outbox unsent {}", status.store.outbox_unsent);
        for (queue, depth) in &status.queues {
            println!("queue {queue:<28} {depth:>8}");
        }
        if let Some(parked) = status.parked {
            println!("parked {parked}");
        }
        if let Some(llm) = &status.llm {
            let s = &llm.spent;
            let budget = llm
                .daily_token_budget
                .map(|b| format!(" of a budget of {b}"))
                .unwrap_or_default();
            let cost = s.cost.map(|c| format!(", cost {c}")).unwrap_or_default();
            println!(
                "llm today {} call(s), {} tokens{budget}{cost}",
                s.calls,
                s.prompt_tokens + s.completion_tokens
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `docket parked list|replay`.
pub fn parked(args: ParkedArgs) -> anyhow::Result<ExitCode> {
    block_on(async move {
        let settings = args.config.load()?;
        let (_, rabbit) = wiring::queue(&settings).await?;
        let rabbit = rabbit.context("parked work exists only with queue.kind = \"rabbitmq\"")?;
        match args.action {
            ParkedAction::List { limit } => {
                for parked in rabbit.parked(limit).await? {
                    match parked.message {
                        Some(m) => println!(
                            "{} {} attempt {}: {}",
                            m.document_id,
                            m.stage.as_str(),
                            m.attempt,
                            parked.reason
                        ),
                        None => println!("(not a Docket message): {}", parked.reason),
                    }
                }
            }
            ParkedAction::Replay { limit } => {
                // Free the documents first, so the replayed work can take them.
                let store = wiring::store(&settings, Schema::Check).await?;
                for parked in rabbit.parked(limit).await? {
                    if let Some(m) = parked.message {
                        let id = docket_store::DocumentId(m.document_id);
                        store.release(&id, worker::PARKED_LEASE_OWNER).await?;
                    }
                }
                let replayed = rabbit.replay_parked(limit).await?;
                println!("{replayed} message(s) sent back to their stage");
            }
        }
        rabbit.shutdown(Duration::from_secs(1)).await;
        Ok(ExitCode::SUCCESS)
    })
}
