//! `docket demo`: the embedded run over `fixtures/`, with no services and no set-up.
//!
//! SQLite in a working folder, the in-process queue, the sandbox ERP seeded from
//! `fixtures/erp/`; the inbox is copied into the working folder's drop folder and
//! taken in by the same drop-folder code production uses, then every stage runs
//! through the same workers. A second run finds the same files again and reports
//! them as duplicates, unless `--fresh` starts over.
//!
//! `--erp sap-sim|exact-sim|odoo-sim` books through a real adapter into its
//! simulator instead of the sandbox ([`crate::demo_erp`]); the decisions must
//! not change.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use docket_domain::Stage;
use docket_ingest::dropfolder::DropFolder;
use docket_pipeline::report::{self, Report};
use docket_pipeline::{Pipeline, RetryPolicy, worker};
use docket_queue::Queue;
use docket_queue::memory::InProcessQueue;
use docket_store::sqlite::SqliteStore;
use docket_store::{DocumentId, Store};
use serde::Serialize;

use crate::demo_erp::{self, DemoErp};
use crate::wiring;

/// Arguments of `docket demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Print the report as JSON (see docs/demo.md).
    #[arg(long)]
    json: bool,
    /// The ERP to book into: the sandbox, or an adapter against its in-process simulator.
    #[arg(long, value_enum, default_value = "sandbox")]
    erp: DemoErp,
    /// Start over: delete the working folder (database, sandbox ERP, drop folder) first.
    #[arg(long)]
    fresh: bool,
    /// The working folder.
    #[arg(long, default_value = ".docket/demo")]
    workdir: PathBuf,
    /// The fixtures folder (with inbox/ and erp/); defaults to the repository's.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// A matching policy in TOML (docs/matching.md); defaults to the built-in policy.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Workers per stage.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Give up waiting for the pipeline after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

fn fixtures_dir(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let candidates = match given {
        Some(dir) => vec![dir],
        None => vec![
            PathBuf::from("fixtures"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
        ],
    };
    candidates
        .into_iter()
        .find(|d| d.join("inbox").is_dir() && d.join("erp").is_dir())
        .context("no fixtures folder with inbox/ and erp/ found; run from the repository or pass --fixtures")
}

/// The JSON report: the pipeline's report and the ERP it booked into.
#[derive(Serialize)]
struct DemoReport<'a> {
    /// `sandbox`, `sap-sim`, `exact-sim` or `odoo-sim`.
    erp: &'static str,
    #[serde(flatten)]
    report: &'a Report,
}

/// Runs the demo.
pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(run_async(&args))?;
    if args.json {
        let shown = DemoReport {
            erp: args.erp.name(),
            report: &report,
        };
        println!("{}", serde_json::to_string_pretty(&shown)?);
    } else {
        print_table(&report, args.erp);
    }
    let unfinished = report
        .summary
        .decisions
        .get("processing")
        .copied()
        .unwrap_or(0);
    Ok(if unfinished == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn run_async(args: &DemoArgs) -> anyhow::Result<Report> {
    let started = Instant::now();
    let fixtures = fixtures_dir(args.fixtures.clone())?;
    let policy = crate::wiring::load_policy(args.policy.as_deref())?;
    if args.fresh && args.workdir.exists() {
        std::fs::remove_dir_all(&args.workdir)
            .with_context(|| format!("removing {}", args.workdir.display()))?;
    }
    std::fs::create_dir_all(&args.workdir)
        .with_context(|| format!("creating {}", args.workdir.display()))?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&args.workdir.join("docket.db")).await?);
    let backend = demo_erp::open(args.erp, &fixtures.join("erp"), &args.workdir).await?;
    if let Some(url) = &backend.base_url {
        progress(format!(
            "erp: {} adapter against the {} simulator at {url}, seeded from {}",
            backend.erp.name(),
            args.erp.name(),
            fixtures.join("erp").display()
        ));
    }
    let queue = Arc::new(InProcessQueue::new());
    let pipeline = Arc::new(Pipeline {
        store: store.clone(),
        queue: queue.clone(),
        erp: backend.erp.clone(),
        policy,
        limits: docket_extract::Limits::default(),
        reader: wiring::parser_pool(docket_extract::isolate::default_pool_size())?,
        mail_limits: Default::default(),
        retry: RetryPolicy::default(),
        lease_ttl: docket_pipeline::DEFAULT_LEASE_TTL,
        llm: None,
    });

    // Work an interrupted earlier run left behind is queued again before new work arrives.
    let recovered = pipeline.sweep().await?;
    if recovered > 0 {
        progress(format!(
            "recovery: {recovered} document(s) left unfinished by an earlier run queued again"
        ));
    }
    let inbox = args.workdir.join("inbox");
    let copied = copy_inbox(&fixtures.join("inbox"), &inbox)?;
    progress(format!(
        "ingest: {copied} files from {} via the drop folder {}",
        fixtures.join("inbox").display(),
        inbox.display()
    ));
    let ingested = DropFolder::new(&inbox, Duration::ZERO)
        .ingest_once(store.as_ref())
        .await?;
    let ids: Vec<DocumentId> = ingested.iter().map(|f| f.outcome.id().clone()).collect();

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let relay = {
        let pipeline = pipeline.clone();
        tokio::spawn(async move { pipeline.run_relay(stopped, Duration::from_millis(20)).await })
    };
    let mut workers = Vec::new();
    for stage in Stage::ALL {
        for _ in 0..args.workers.max(1) {
            workers.push(tokio::spawn(worker::run_worker(pipeline.clone(), stage)));
        }
    }
    let report = wait_until_settled(store.as_ref(), &ids, Duration::from_secs(args.timeout)).await;
    queue.close();
    let _ = stop.send(true);
    relay.await.context("relay task")??;
    for w in workers {
        w.await.context("worker task")??;
    }
    let report = report?;
    progress(format!(
        "done: {} documents in {:.1} s",
        report.summary.documents,
        started.elapsed().as_secs_f64()
    ));
    Ok(report)
}

/// Copies the fixture inbox into the drop folder (the fixtures stay untouched).
fn copy_inbox(from: &Path, to: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(to)?;
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .with_context(|| format!("reading {}", from.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .with_context(|| format!("copying {}", entry.path().display()))?;
            count += 1;
        }
    }
    Ok(count)
}

/// Polls the store until every document of this run has a decision.
async fn wait_until_settled(
    store: &dyn Store,
    ids: &[DocumentId],
    limit: Duration,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut last_shown = usize::MAX;
    loop {
        let report = report::build(&store.summaries(Some(ids)).await?);
        let open = report
            .summary
            .decisions
            .get("processing")
            .copied()
            .unwrap_or(0);
        let total = report.summary.documents;
        if open != last_shown {
            progress(format!(
                "processing: {}/{total} documents decided",
                total - open
            ));
            last_shown = open;
        }
        if open == 0 {
            return Ok(report);
        }
        if started.elapsed() > limit {
            eprintln!(
                "docket: {open} document(s) still processing after {} s",
                limit.as_secs()
            );
            return Ok(report);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn progress(message: String) {
    eprintln!("[demo] {message}");
}

fn print_table(report: &Report, erp: DemoErp) {
    println!(
        "{:<34} {:<12} {:<30} {:<15} {:>14}  {:<12} ERP REF",
        "FILE", "KIND", "SUPPLIER", "NUMBER", "GROSS", "DECISION"
    );
    for d in &report.documents {
        let file = match &d.part {
            Some(part) => format!("{} > {part}", d.file),
            None => d.file.clone(),
        };
        let gross = d.gross.map(|g| g.to_string()).unwrap_or_default();
        println!(
            "{:<34} {:<12} {:<30} {:<15} {:>14}  {:<12} {}",
            clip(&file, 34),
            d.kind.as_deref().unwrap_or("-"),
            clip(d.supplier.as_deref().unwrap_or("-"), 30),
            clip(d.number.as_deref().unwrap_or("-"), 15),
            gross,
            d.decision,
            d.erp_ref.as_deref().unwrap_or("")
        );
        for reason in &d.reasons {
            println!("    - {reason}");
        }
    }
    let s = &report.summary;
    let counts: Vec<String> = s
        .decisions
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let booked: Vec<String> = s
        .booked_gross
        .iter()
        .map(|(c, a)| format!("{c} {}", a.round_dp(2)))
        .collect();
    println!();
    println!(
        "{} documents: {}; booked {} in {}",
        s.documents,
        counts.join(", "),
        if booked.is_empty() {
            "nothing".to_string()
        } else {
            booked.join(", ")
        },
        erp.name()
    );
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}
