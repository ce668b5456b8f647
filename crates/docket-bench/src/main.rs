//! `docket-bench`: the whole pipeline under load, as `scripts/bench-pipeline` runs it.
//!
//! Generates N documents with consistent ERP data, starts worker processes of
//! the given `docket` binary on PostgreSQL and RabbitMQ (a database and queue
//! names of its own), takes the documents in, and measures until every document
//! has a decision: documents per second, receive-to-decision latency (p50, p99,
//! from the store's own timestamps), peak RSS per process, and the lost and
//! double-booked counts. Everything it created is removed afterwards.

mod measure;

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
}

struct Run {
    dir: tempfile::TempDir,
    db_url: String,
    prefix: String,
    args: Args,
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

fn stop(children: &mut [Child]) {
    for child in children.iter() {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    for child in children.iter_mut() {
        let _ = child.wait();
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
    let run = Run {
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
    let figures = result?;
    if run.args.json {
        println!("{}", serde_json::to_string(&figures)?);
    } else {
        println!(
            "{} docs in {:.1} s with {} worker processes: {:.1} docs/s; receive-to-decision p50 {:.0} ms, p99 {:.0} ms; \
             peak RSS {:.1} MB per process (highest); lost {}, double-booked {}",
            figures.docs,
            figures.seconds,
            figures.workers,
            figures.docs_per_s,
            figures.p50_ms,
            figures.p99_ms,
            figures.peak_rss_mb,
            figures.lost,
            figures.double_booked
        );
    }
    Ok(())
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
    for _ in 0..run.args.workers {
        children.push(run.docket(&["worker", "--stage", "all"]).spawn()?);
    }
    // Let the workers connect and declare the topology before work arrives.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let started = Instant::now();
    let ingest = run.docket(&["ingest", "--once"]).status()?;
    if !ingest.success() {
        stop(&mut children);
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
    for child in &children {
        peak_rss_kb = peak_rss_kb.max(measure::peak_rss_kb(child.id()).unwrap_or(0));
    }
    stop(&mut children);
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
    })
}
