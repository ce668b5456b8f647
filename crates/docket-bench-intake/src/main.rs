//! `bench-intake`: IMAP intake under load, as `scripts/bench-intake` runs it.
//!
//! Appends N mails, each carrying a generated supplier invoice PDF, to a fresh
//! user's INBOX on the throwaway Dovecot of `scripts/dovecot`, then times one
//! `docket ingest --once` (post-action `move:Processed`) on a fresh store
//! (SQLite by default, PostgreSQL with `--postgres`) and measures: mails per
//! second, the process's peak RSS, and the mails lost (appended but not
//! stored) and duplicated (stored more than once). A benchmark, not a test:
//! it reports, it asserts nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use docket_ingest::imap::{self, MailboxSettings, Secret, TlsMode};
use docket_store::Store;
use serde::Serialize;
use sqlx::migrate::MigrateDatabase;

/// Benchmark IMAP intake against the throwaway Dovecot.
#[derive(Parser)]
struct Args {
    /// Mails to append and take in.
    #[arg(long, default_value_t = 500)]
    mails: usize,
    /// The docket binary to run.
    #[arg(long, default_value = "target/release/docket")]
    docket: PathBuf,
    /// Store in PostgreSQL (a database of the benchmark's own on this server)
    /// instead of a SQLite file.
    #[arg(long)]
    postgres: Option<String>,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// IMAP sessions appending the mails at once.
    #[arg(long, default_value_t = 4)]
    appenders: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The figures, as `--json` prints them.
#[derive(Serialize)]
struct Figures {
    mails: usize,
    mails_per_s: f64,
    peak_rss_mb: f64,
    lost: usize,
    duplicated: usize,
}

/// Where the throwaway server listens, from the env file `scripts/dovecot` prints.
struct Server {
    port: u16,
    password: String,
}

fn start_dovecot() -> anyhow::Result<Server> {
    let out = Command::new("scripts/dovecot")
        .stderr(Stdio::inherit())
        .output()
        .context("running scripts/dovecot (run the benchmark from the repository root)")?;
    if !out.status.success() {
        bail!("scripts/dovecot could not start the test server");
    }
    let env_file = String::from_utf8(out.stdout)?;
    let text = std::fs::read_to_string(env_file.trim())?;
    let value = |key: &str| -> anyhow::Result<String> {
        text.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_string)
            .with_context(|| format!("{key} missing from {}", env_file.trim()))
    };
    Ok(Server {
        port: value("DOCKET_DOVECOT_PORT")?.parse()?,
        password: value("DOCKET_DOVECOT_PASSWORD")?,
    })
}

/// The mails: generated invoice PDFs (cycled when there are fewer than
/// `count`), each in a mail of its own with a unique Message-ID.
fn mails(count: usize, seed: u64, run: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let files = docket_fixtures::bulk::generate(count.clamp(1, 100), seed)?;
    let pdfs: Vec<_> = files
        .iter()
        .filter(|f| f.path.starts_with("inbox/") && f.path.ends_with(".pdf"))
        .collect();
    if pdfs.is_empty() {
        bail!("the generator made no PDFs");
    }
    let mut out = Vec::with_capacity(count);
    for (i, pdf) in pdfs.iter().cycle().take(count).enumerate() {
        let name = pdf.path.trim_start_matches("inbox/");
        let id = format!("bench-{i}-{run}@supplier.example");
        let body: Vec<String> = docket_fixtures::mail::base64(&pdf.bytes)
            .as_bytes()
            .chunks(76)
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect();
        let mail = [
            "From: Accounts <accounts@supplier.example>".to_string(),
            "To: ap@kestrel.example".to_string(),
            format!("Subject: {name}"),
            format!("Message-ID: <{id}>"),
            "MIME-Version: 1.0".to_string(),
            "Content-Type: multipart/mixed; boundary=\"part\"".to_string(),
            String::new(),
            "--part".to_string(),
            "Content-Type: text/plain; charset=utf-8".to_string(),
            String::new(),
            format!("Our invoice {name} is attached."),
            "--part".to_string(),
            format!("Content-Type: application/pdf; name=\"{name}\""),
            format!("Content-Disposition: attachment; filename=\"{name}\""),
            "Content-Transfer-Encoding: base64".to_string(),
            String::new(),
            body.join("\r\n"),
            "--part--".to_string(),
            String::new(),
        ]
        .join("\r\n");
        out.push((id, mail.into_bytes()));
    }
    Ok(out)
}

/// Appends the mails to INBOX over `sessions` IMAP sessions at once.
async fn append_all(
    account: &MailboxSettings,
    mails: &[(String, Vec<u8>)],
    sessions: usize,
) -> anyhow::Result<()> {
    let per_session = mails.len().div_ceil(sessions.max(1)).max(1);
    let appends = mails.chunks(per_session).map(|chunk| async move {
        let mut conn = imap::connect(account).await?;
        for (_, mail) in chunk {
            conn.session.append("INBOX", None, None, mail).await?;
        }
        conn.session.logout().await?;
        anyhow::Ok(())
    });
    for result in futures_util::future::join_all(appends).await {
        result?;
    }
    Ok(())
}

/// The peak resident set (VmHWM) of a process so far, in kB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The environment variable that gives the first mailbox its password: the
/// configuration file holds it redacted, as a deployment's would.
const PASSWORD_VAR: &str = "DOCKET__INGEST__MAILBOXES__0__PASSWORD";

/// Runs `docket ingest --once`; returns the seconds it took and its peak RSS in kB.
fn timed_ingest(docket: &Path, config: &Path, password: &str) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
    let mut child = Command::new(docket)
        .args(["ingest", "--once", "--config"])
        .arg(config)
        .env(PASSWORD_VAR, password)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut peak = 0;
    // VmHWM only grows, so the last reading before the exit is the peak
    // (a process that has exited has no VmHWM any more).
    let status = loop {
        if let Some(kb) = peak_rss_kb(child.id()) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("docket ingest --once failed ({status})");
    }
    Ok((seconds, peak))
}

/// Mails appended but never stored, and mails stored more than once.
async fn lost_and_duplicated(
    store: &dyn Store,
    appended: &[(String, Vec<u8>)],
) -> anyhow::Result<(usize, usize)> {
    let limit = u32::try_from(appended.len() * 2 + 100)?;
    let stored: BTreeSet<String> = store
        .mail_log(None, limit)
        .await?
        .into_iter()
        .filter_map(|record| record.document_id.and(record.message_id))
        .collect();
    let lost = appended
        .iter()
        .filter(|(id, _)| !stored.contains(id))
        .count();
    // Every document, not only those a record names: each mail stored is one
    // document, so any more (recorded or not) are mails stored twice.
    let documents = store
        .summaries(None)
        .await?
        .iter()
        .filter(|d| d.parent_id.is_none())
        .count();
    Ok((lost, documents.saturating_sub(stored.len())))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.docket.exists(),
        "no docket binary at {} (scripts/bench-intake builds it)",
        args.docket.display()
    );
    let server = start_dovecot()?;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let account = MailboxSettings {
        name: "bench".into(),
        host: "127.0.0.1".into(),
        port: Some(server.port),
        tls: TlsMode::None,
        user: format!("bench{run}"),
        password: Some(Secret::new(server.password.clone())),
        post_action: imap::PostAction::Move("Processed".into()),
        ..MailboxSettings::default()
    };
    let mails = mails(args.mails, args.seed, &run)?;
    let started = Instant::now();
    append_all(&account, &mails, args.appenders).await?;
    eprintln!(
        "bench: {} mails appended in {:.1} s",
        mails.len(),
        started.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir()?;
    let pg_url = args
        .postgres
        .as_ref()
        .map(|server| format!("{}/docket_bench_intake_{run}", server.trim_end_matches('/')));
    let store_section = match &pg_url {
        Some(url) => format!("kind = \"postgres\"\nurl = {url:?}"),
        None => format!(
            "kind = \"sqlite\"\npath = {:?}",
            dir.path().join("docket.db")
        ),
    };
    let mut mailbox = toml::Table::new();
    mailbox.insert("mailboxes".into(), toml::Value::try_from([&account])?);
    mailbox.insert("drop_folders".into(), toml::Value::Array(Vec::new()));
    let mut ingest = toml::Table::new();
    ingest.insert("ingest".into(), toml::Value::Table(mailbox));
    let config = dir.path().join("docket.toml");
    let text = format!(
        "[store]\n{store_section}\n\n[queue]\nkind = \"in_process\"\n\n{}",
        toml::to_string(&ingest)?
    );
    std::fs::write(&config, text)?;
    let migrate = Command::new(&args.docket)
        .args(["migrate", "--config"])
        .arg(&config)
        .env(PASSWORD_VAR, &server.password)
        .output()?;
    if !migrate.status.success() {
        bail!(
            "docket migrate: {}",
            String::from_utf8_lossy(&migrate.stderr)
        );
    }
    let result = measure(&args, &config, &server, &pg_url, dir.path(), &mails).await;
    if let Some(url) = &pg_url {
        let _ = sqlx::Postgres::drop_database(url).await;
    }
    let (seconds, peak_kb, lost, duplicated) = result?;
    let figures = Figures {
        mails: mails.len(),
        mails_per_s: (mails.len() as f64 / seconds * 10.0).round() / 10.0,
        peak_rss_mb: (peak_kb as f64 / 1024.0 * 10.0).round() / 10.0,
        lost,
        duplicated,
    };
    if args.json {
        println!("{}", serde_json::to_string(&figures)?);
    } else {
        println!(
            "{} mails in {seconds:.2} s: {} mails/s, peak RSS {} MB, lost {}, duplicated {}",
            figures.mails, figures.mails_per_s, figures.peak_rss_mb, lost, duplicated
        );
    }
    Ok(())
}

/// Times the intake and counts what it lost and duplicated.
async fn measure(
    args: &Args,
    config: &Path,
    server: &Server,
    pg_url: &Option<String>,
    dir: &Path,
    mails: &[(String, Vec<u8>)],
) -> anyhow::Result<(f64, u64, usize, usize)> {
    let (seconds, peak_kb) = timed_ingest(&args.docket, config, &server.password)?;
    let store: Arc<dyn Store> = match pg_url {
        Some(url) => {
            let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
            Arc::new(docket_store::postgres::PgStore::connect(options, 2).await?)
        }
        None => Arc::new(docket_store::sqlite::SqliteStore::open(&dir.join("docket.db")).await?),
    };
    let (lost, duplicated) = lost_and_duplicated(store.as_ref(), mails).await?;
    Ok((seconds, peak_kb, lost, duplicated))
}
