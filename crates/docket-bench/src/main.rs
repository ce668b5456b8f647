//! `docket-bench`: the whole pipeline under load, as `scripts/bench-pipeline` runs it.
//!
//! Generates N documents with consistent ERP data, starts worker processes of
//! the given `docket` binary on PostgreSQL and RabbitMQ (a database and queue
//! names of its own), takes the documents in, and measures until every document
//! has a decision: documents per second, receive-to-decision latency (p50, p99,
//! from the store's own timestamps), peak RSS per process, and the lost and
//! double-booked counts. Everything it created is removed afterwards.

mod measure;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings};
use serde::Serialize;
use sqlx::migrate::MigrateDatabase;

/// Benchmark the pipeline on PostgreSQL and RabbitMQ.
#[derive(Parser)]
struct Args {
    /// Documents to generate and process.
    #[arg(long, default_value_t = 500)]
    docs: usize,
    /// Worker processes.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Concurrent workers per stage in each process.
    #[arg(long, default_value_t = 4)]
    per_stage: usize,
    /// The docket binary to run.
    #[arg(long, default_value = "target/release/docket")]
    docket: PathBuf,
    /// PostgreSQL server (a database of the benchmark's own is created on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Ask the in-repo OpenAI-compatible test server (this latency per call)
    /// to read every PDF a second time, as `llm.mode = "always"` does.
    #[arg(long)]
    llm_latency_ms: Option<u64>,
    /// Concurrent extract workers per process when the LLM is asked.
    #[arg(long, default_value_t = 48)]
    llm_extract_workers: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The figures, as `--json` prints them.
#[derive(Serialize)]
struct Figures {
    docs: usize,
    docs_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    peak_rss_mb: f64,
    lost: usize,
    double_booked: usize,
    workers: usize,
    seconds: f64,
    /// Busy CPU time of the whole machine per decided document (all processes:
    /// workers, intake, PostgreSQL, RabbitMQ), steadier than docs/s.
    cpu_ms_per_doc: f64,
    /// The same per component (`docket`, `postgres`, `rabbitmq`, `other`):
    /// where the cost is, and whether anything else was busy during the run.
    cpu_ms_per_doc_by_component: BTreeMap<&'static str, f64>,
    /// With `--llm-latency-ms`: the latency, the calls answered and the most in flight at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    llm_latency_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    llm_calls: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    llm_peak_in_flight: Option<usize>,
}

struct Run {
    dir: tempfile::TempDir,
    db_url: String,
    prefix: String,
    args: Args,
    /// The LLM test server's base URL, with `--llm-latency-ms`.
    llm_url: Option<String>,
}

impl Run {
    fn docket(&self, command: &[&str]) -> Command {
        let mut cmd = Command::new(&self.args.docket);
        cmd.args(command)
            .args(["--config", "deploy/docket.example.toml"])
            .env("DOCKET__STORE__URL", &self.db_url)
            .env("DOCKET__QUEUE__PREFIX", &self.prefix)
            .env(
                "DOCKET__WORKERS__PER_STAGE",
                self.args.per_stage.to_string(),
            )
            .env(
                "DOCKET__INGEST__DROP_FOLDERS",
                format!("[{:?}]", self.dir.path().join("inbox")),
            )
            .env("DOCKET__INGEST__STABLE_FOR_MS", "0")
            .env("DOCKET__ERP__SEED", self.dir.path().join("erp"))
            .env("DOCKET__ERP__STATE", self.dir.path().join("sandbox.json"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(url) = &self.llm_url {
            cmd.env("DOCKET__LLM__MODE", "always")
                .env("DOCKET__LLM__BASE_URL", url)
                .env(
                    "DOCKET__WORKERS__EXTRACT",
                    self.args.llm_extract_workers.to_string(),
                );
        }
        cmd
    }

    async fn clean_up(&self) {
        let settings = RabbitSettings {
            prefix: self.prefix.clone(),
            ..RabbitSettings::default()
        };
        if let Ok(queue) = RabbitQueue::connect(settings).await {
            let _ = queue.delete_topology().await;
        }
        let _ = sqlx::Postgres::drop_database(&self.db_url).await;
    }
}

/// How long a worker may take to stop after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(90);

/// Stops the workers with SIGTERM, as an operator would; a worker that has not
/// exited after [`STOP_GRACE`] is reported with the end of its log and killed.
fn stop(children: &mut [Child], logs: &[PathBuf]) {
    for child in children.iter() {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    let deadline = Instant::now() + STOP_GRACE;
    for (child, log) in children.iter_mut().zip(logs) {
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(child.try_wait(), Ok(None)) {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            eprintln!(
                "bench: worker {} did not stop within {STOP_GRACE:?} of SIGTERM; killing it. Its log ends:",
                child.id()
            );
            for line in tail.iter().rev() {
                eprintln!("    {line}");
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !args.docket.exists() {
        bail!(
            "{} not found: build it first (cargo build --release -p docket)",
            args.docket.display()
        );
    }
    let id = uuid::Uuid::now_v7().simple().to_string();
    // The language model stands in this process: it answers concurrently,
    // each answer after the given latency.
    let llm = match args.llm_latency_ms {
        Some(ms) => {
            let options = docket_llm::sim::SimOptions {
                latency: Duration::from_millis(ms),
                ..docket_llm::sim::SimOptions::default()
            };
            Some(docket_llm::sim::start_local(options).await?)
        }
        None => None,
    };
    let run = Run {
        llm_url: llm.as_ref().map(|sim| sim.base_url()),
        dir: tempfile::tempdir()?,
        db_url: format!("{}/docket_bench_{id}", args.postgres.trim_end_matches('/')),
        prefix: format!("bench-{id}"),
        args,
    };
    let files = docket_fixtures::bulk::generate(run.args.docs, run.args.seed)?;
    docket_fixtures::write_files(run.dir.path(), &files)?;
    eprintln!("bench: {} documents generated", run.args.docs);
    let result = measure_run(&run).await;
    run.clean_up().await;
    let mut figures = result?;
    if let Some(sim) = &llm {
        let stats = sim.stats();
        figures.llm_calls = Some(stats.answered);
        figures.llm_peak_in_flight = Some(stats.peak_in_flight);
    }
    if run.args.json {
        println!("{}", serde_json::to_string(&figures)?);
    } else {
        println!(
            "{} docs in {:.1} s with {} worker processes: {:.1} docs/s; receive-to-decision p50 {:.0} ms, p99 {:.0} ms; \
             peak RSS {:.1} MB per process (highest); machine CPU {:.1} ms per document; lost {}, double-booked {}",
            figures.docs,
            figures.seconds,
            figures.workers,
            figures.docs_per_s,
            figures.p50_ms,
            figures.p99_ms,
            figures.peak_rss_mb,
            figures.cpu_ms_per_doc,
            figures.lost,
            figures.double_booked
        );
        let by_component: Vec<String> = figures
            .cpu_ms_per_doc_by_component
            .iter()
            .map(|(component, ms)| format!("{component} {ms:.1}"))
            .collect();
        println!(
            "CPU ms per document by component: {}",
            by_component.join(", ")
        );
        if let (Some(ms), Some(calls), Some(peak)) = (
            figures.llm_latency_ms,
            figures.llm_calls,
            figures.llm_peak_in_flight,
        ) {
            println!("LLM at {ms} ms per call: {calls} calls answered, at most {peak} in flight");
        }
    }
    Ok(())
}

/// Starts from a quiet machine, as benchmarks should: a checkpoint now (not
/// in the middle of the run, where it would add full-page images to the WAL),
/// then up to 15 s for what earlier runs left behind (a dropped database's
/// checkpoint, deleted quorum queues, autovacuum) to finish.
async fn settle(db_url: &str) {
    if let Ok(pool) = sqlx::PgPool::connect(db_url).await {
        if let Err(e) = sqlx::query("CHECKPOINT").execute(&pool).await {
            eprintln!("bench: no checkpoint before the run ({e})");
        }
        pool.close().await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let before = measure::machine_busy_ms();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let busy = before.zip(measure::machine_busy_ms()).map(|(a, b)| b - a);
        // Under a fifth of one core over that second (two cores: 2,000 ms).
        if busy.is_some_and(|ms| ms < 200.0) {
            return;
        }
    }
    eprintln!("bench: the machine did not quiet down within 15 s; measuring anyway");
}

/// Runs a command to its end and returns its exit status with the CPU time
/// it spent (read from `/proc` while it runs, so the last few milliseconds
/// before it exits are missed).
fn run_watched(mut command: Command) -> anyhow::Result<(std::process::ExitStatus, f64)> {
    let mut child = command.spawn()?;
    let mut cpu_ms = 0.0;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, cpu_ms));
        }
        if let Some((_, ms)) = measure::process_cpu_ms_of(child.id()) {
            cpu_ms = ms;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn measure_run(run: &Run) -> anyhow::Result<Figures> {
    let migrate = run
        .docket(&["migrate"])
        .status()
        .context("running docket migrate")?;
    if !migrate.success() {
        bail!("docket migrate failed");
    }
    let mut children = Vec::new();
    let mut logs = Vec::new();
    for n in 0..run.args.workers {
        let log = run.dir.path().join(format!("worker-{n}.log"));
        let mut worker = run.docket(&["worker", "--stage", "all"]);
        worker.stderr(std::fs::File::create(&log)?);
        children.push(worker.spawn()?);
        logs.push(log);
    }
    // Let the workers connect and declare the topology before work arrives.
    tokio::time::sleep(Duration::from_secs(2)).await;
    settle(&run.db_url).await;
    let started = Instant::now();
    let busy_before = measure::machine_busy_ms();
    let cpu_before = measure::process_cpu_ms();
    let (ingest, ingest_cpu_ms) = run_watched(run.docket(&["ingest", "--once"]))?;
    if !ingest.success() {
        stop(&mut children, &logs);
        bail!("docket ingest failed");
    }
    let pool = sqlx::PgPool::connect(&run.db_url).await?;
    let mut peak_rss_kb = 0;
    let deadline = started + Duration::from_secs(run.args.timeout);
    loop {
        for child in &children {
            peak_rss_kb = peak_rss_kb.max(measure::peak_rss_kb(child.id()).unwrap_or(0));
        }
        if measure::unfinished(&pool).await? == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let busy = busy_before
        .zip(measure::machine_busy_ms())
        .map(|(a, b)| b - a);
    for child in &children {
        peak_rss_kb = peak_rss_kb.max(measure::peak_rss_kb(child.id()).unwrap_or(0));
    }
    let mut by_component = measure::cpu_by_component(&cpu_before, &measure::process_cpu_ms());
    *by_component.entry("docket").or_insert(0.0) += ingest_cpu_ms;
    stop(&mut children, &logs);
    let latencies = measure::latencies_ms(&pool).await?;
    let decided = latencies.len();
    let double_booked = measure::double_booked(&run.dir.path().join("sandbox.json"))?;
    pool.close().await;
    Ok(Figures {
        docs: run.args.docs,
        docs_per_s: decided as f64 / seconds,
        p50_ms: measure::percentile(&latencies, 0.50),
        p99_ms: measure::percentile(&latencies, 0.99),
        peak_rss_mb: peak_rss_kb as f64 / 1024.0,
        lost: run.args.docs.saturating_sub(decided),
        double_booked,
        workers: run.args.workers,
        seconds,
        cpu_ms_per_doc: busy.map_or(0.0, |ms| ms / decided.max(1) as f64),
        cpu_ms_per_doc_by_component: by_component
            .into_iter()
            .map(|(component, ms)| (component, ms / decided.max(1) as f64))
            .collect(),
        llm_latency_ms: run.args.llm_latency_ms,
        llm_calls: None,
        llm_peak_in_flight: None,
    })
}
