//! A throw-away deployment for process-level tests: its own PostgreSQL
//! database, its own RabbitMQ names, its own drop folder and sandbox ERP state,
//! all removed by [`Deployment::clean_up`].

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings};
use serde_json::Value;
use sqlx::migrate::MigrateDatabase;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One deployment under test.
pub struct Deployment {
    pub dir: tempfile::TempDir,
    pub db_url: String,
    pub prefix: String,
    pub erp_seed: PathBuf,
    pub extra_env: Vec<(String, String)>,
}

impl Deployment {
    /// A deployment whose drop folder holds the files of `inbox` and whose
    /// sandbox ERP is seeded from `erp_seed`.
    pub fn new(inbox: &Path, erp_seed: &Path) -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let dir = tempfile::tempdir().unwrap();
        let drop = dir.path().join("inbox");
        std::fs::create_dir_all(&drop).unwrap();
        for entry in std::fs::read_dir(inbox).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), drop.join(entry.file_name())).unwrap();
        }
        let deployment = Deployment {
            dir,
            db_url: format!("postgres://postgres@127.0.0.1:5432/docket_test_{id}"),
            prefix: format!("test-{id}"),
            erp_seed: erp_seed.to_path_buf(),
            extra_env: Vec::new(),
        };
        // As an operator would: the schema first, then the processes.
        let migrate = deployment.command(&["migrate"]).output().unwrap();
        assert!(
            migrate.status.success(),
            "{}",
            String::from_utf8_lossy(&migrate.stderr)
        );
        deployment
    }

    /// A `docket` command configured for this deployment.
    pub fn command(&self, args: &[&str]) -> Command {
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
            .env("DOCKET__ERP__SEED", &self.erp_seed)
            .env("DOCKET__ERP__STATE", self.erp_state())
            .envs(self.extra_env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Starts a long-running process (`run`, `worker`, ...).
    ///
    /// Its stderr goes to a file in the deployment's folder, never to a pipe:
    /// a pipe nobody reads fills after 64 KB, and a process that logs more
    /// (reconnect warnings after a broker fault) would then block on its next
    /// line and could not stop.
    pub fn spawn(&self, args: &[&str]) -> Child {
        let name = format!(
            "{}-{}.log",
            args.first().copied().unwrap_or("docket"),
            uuid::Uuid::now_v7().simple()
        );
        let log = std::fs::File::create(self.dir.path().join(name)).unwrap();
        self.command(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    /// The sandbox ERP's state file.
    pub fn erp_state(&self) -> PathBuf {
        self.dir.path().join("sandbox.json")
    }

    /// `docket status --json`.
    pub fn status(&self) -> Value {
        let out = self.command(&["status", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Documents per state.
    pub fn states(&self) -> BTreeMap<String, u64> {
        serde_json::from_value(self.status()["store"]["documents"].clone()).unwrap()
    }

    /// Polls until `done` holds for the documents per state, at most `limit`.
    pub fn wait_for(
        &self,
        limit: Duration,
        done: impl Fn(&BTreeMap<String, u64>) -> bool,
    ) -> BTreeMap<String, u64> {
        let started = Instant::now();
        loop {
            let states = self.states();
            if done(&states) || started.elapsed() > limit {
                return states;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Removes the database and the queues.
    pub async fn clean_up(self) {
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

/// Documents still owed work (not decided and not parked).
pub fn unfinished(states: &BTreeMap<String, u64>) -> u64 {
    ["received", "extracted", "matched", "approved"]
        .iter()
        .filter_map(|s| states.get(*s))
        .sum()
}

/// Sends SIGTERM and waits (at most 40 s) for the process to end.
pub fn terminate(child: &mut Child) -> ExitStatus {
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
            panic!("process did not stop within 40 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The captured stderr of an ended process.
pub fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(err) = child.stderr.as_mut() {
        let _ = std::io::Read::read_to_string(err, &mut text);
    }
    text
}
