//! `docket run` on the real services: PostgreSQL and RabbitMQ, the fixture inbox
//! as a drop folder. Every document reaches the decision the demo reaches, and
//! SIGTERM stops the process cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings};
use serde_json::Value;
use sqlx::migrate::MigrateDatabase;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Deployment {
    dir: tempfile::TempDir,
    db_url: String,
    prefix: String,
}

impl Deployment {
    fn new() -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir_all(&inbox).unwrap();
        for entry in std::fs::read_dir(repo().join("fixtures/inbox")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), inbox.join(entry.file_name())).unwrap();
        }
        Deployment {
            dir,
            db_url: format!("postgres://postgres@127.0.0.1:5432/docket_test_{id}"),
            prefix: format!("test-{id}"),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
        cmd.current_dir(repo())
            .args(args)
            .args(["--config", "deploy/docket.example.toml"])
            .env("DOCKET__STORE__URL", &self.db_url)
            .env("DOCKET__QUEUE__PREFIX", &self.prefix)
            .env("DOCKET__QUEUE__RETRY_DELAYS_SECS", "[1]")
            .env(
                "DOCKET__INGEST__DROP_FOLDERS",
                format!("[{:?}]", self.dir.path().join("inbox")),
            )
            .env("DOCKET__INGEST__STABLE_FOR_MS", "0")
            .env("DOCKET__INGEST__POLL_INTERVAL_MS", "200")
            .env("DOCKET__ERP__STATE", self.dir.path().join("sandbox.json"));
        cmd
    }

    fn status(&self) -> Value {
        let out = self.command(&["status", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    async fn clean_up(self) {
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

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("docket run did not stop within 40 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn docket_run_on_postgres_and_rabbitmq_decides_like_the_demo() {
    let deployment = Deployment::new();
    let mut run = deployment
        .command(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let expected: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(repo().join("fixtures/expected.json")).unwrap())
            .unwrap();
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for decision in expected.values() {
        *want.entry(decision.clone()).or_default() += 1;
    }
    want.insert("split".into(), 2); // the two mails, split into their documents
    let started = Instant::now();
    let mut got = BTreeMap::new();
    while started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(500));
        if run.try_wait().unwrap().is_some() {
            break;
        }
        let status = deployment.status();
        got = serde_json::from_value(status["store"]["documents"].clone()).unwrap();
        if got == want {
            break;
        }
    }
    let exit = terminate(&mut run);
    let mut stderr = String::new();
    std::io::Read::read_to_string(run.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    deployment.clean_up().await;
    assert_eq!(got, want, "documents per state; docket run said:\n{stderr}");
    assert!(exit.success(), "docket run exited with {exit}:\n{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");
}
