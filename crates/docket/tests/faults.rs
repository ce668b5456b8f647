//! Fault tests on the real services, with a few hundred generated documents and
//! several worker processes: (a) a worker killed with SIGKILL mid-run, (b) every
//! broker connection of the workers closed mid-run, (c) PostgreSQL restarted
//! mid-run. In each, every document reaches its decision, none is lost, none is
//! booked twice (checked in the store, the posting ledger and the ERP's own
//! records). (d), work that fails every time being parked, is in
//! `docket-pipeline/tests/pipeline.rs` on the same services.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use sqlx::Row;
use support::{Deployment, terminate, unfinished};

/// Documents per fault test: enough that workers are busy when the fault hits.
const DOCUMENTS: usize = 300;

fn bulk(dir: &Path, seed: u64) -> BTreeMap<String, String> {
    let files = docket_fixtures::bulk::generate(DOCUMENTS, seed).unwrap();
    docket_fixtures::write_files(dir, &files).unwrap();
    serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap()
}

fn deployment(bulk_dir: &Path) -> Deployment {
    let mut d = Deployment::new(&bulk_dir.join("inbox"), &bulk_dir.join("erp"));
    // Short leases and a busy sweeper, so a dead worker's work comes back quickly.
    d.extra_env = vec![
        ("DOCKET__WORKERS__LEASE_SECS".into(), "3".into()),
        ("DOCKET__WORKERS__SWEEP_EVERY_SECS".into(), "1".into()),
        ("DOCKET__WORKERS__STALLED_AFTER_SECS".into(), "15".into()),
    ];
    d
}

fn decided(states: &BTreeMap<String, u64>) -> u64 {
    ["booked", "waiting", "exception", "duplicate", "quarantined"]
        .iter()
        .filter_map(|s| states.get(*s))
        .sum()
}

/// Checks the outcome against the generator's expectations and the ERP.
async fn verify(d: &Deployment, expected: &BTreeMap<String, String>) {
    let pool = sqlx::PgPool::connect(&d.db_url).await.unwrap();
    let rows = sqlx::query("SELECT file_name, state FROM documents WHERE state <> 'split'")
        .fetch_all(&pool)
        .await
        .unwrap();
    let got: BTreeMap<String, String> = rows
        .iter()
        .map(|r| (r.get::<String, _>("file_name"), r.get::<String, _>("state")))
        .collect();
    assert_eq!(
        rows.len(),
        expected.len(),
        "one document per file: none lost, none twice"
    );
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(file, decision)| got.get(*file) != Some(decision))
        .map(|(file, decision)| format!("{file}: want {decision}, got {:?}", got.get(file)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} wrong decisions:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let booked_docs = got.values().filter(|s| *s == "booked").count() as i64;
    let posted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM posting_ledger WHERE state = 'posted'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        posted, booked_docs,
        "posting ledger against booked documents"
    );

    let erp = docket_erp::sandbox::load_state(&d.erp_state()).unwrap();
    let mut keys = HashSet::new();
    let mut by_docket = 0;
    for b in &erp.booked_invoices {
        let key = (b.supplier_id.clone(), b.supplier_reference.clone(), b.kind);
        assert!(keys.insert(key.clone()), "booked twice in the ERP: {key:?}");
        by_docket += i64::from(b.idempotency_key.is_some());
    }
    let seeded_by_docket = {
        let seed: serde_json::Value = serde_json::from_slice(
            &std::fs::read(d.erp_seed.join("booked_invoices.json")).unwrap(),
        )
        .unwrap();
        seed.as_array()
            .unwrap()
            .iter()
            .filter(|b| b["idempotency_key"].is_string())
            .count() as i64
    };
    assert_eq!(
        by_docket - seeded_by_docket,
        booked_docs,
        "ERP bookings made by Docket"
    );
    pool.close().await;
}

/// Runs `DOCUMENTS` generated documents through two worker processes, applies
/// `fault` once some are decided and others are not, waits until all are, and
/// checks that nothing was lost or booked twice.
async fn survive(seed: u64, fault: impl FnOnce(&Deployment, &mut Vec<Child>)) {
    let bulk_dir = tempfile::tempdir().unwrap();
    let expected = bulk(bulk_dir.path(), seed);
    let d = deployment(bulk_dir.path());
    assert!(d.command(&["ingest", "--once"]).status().unwrap().success());
    let mut workers = vec![
        d.spawn(&["worker", "--stage", "all"]),
        d.spawn(&["worker", "--stage", "all"]),
    ];
    let before = d.wait_for(Duration::from_secs(60), |s| decided(s) >= 10);
    assert!(
        unfinished(&before) > 0,
        "the fault must hit mid-run: {before:?}"
    );
    fault(&d, &mut workers);
    let after = d.wait_for(Duration::from_secs(180), |s| unfinished(s) == 0);
    for worker in &mut workers {
        assert!(
            worker.try_wait().unwrap().is_none(),
            "a worker died of the fault"
        );
        terminate(worker);
    }
    assert_eq!(unfinished(&after), 0, "stuck documents: {after:?}");
    verify(&d, &expected).await;
    d.clean_up().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_run_loses_nothing_and_books_nothing_twice() {
    survive(7, |d, workers| {
        let mut killed = workers.remove(0);
        killed.kill().unwrap(); // SIGKILL
        killed.wait().unwrap();
        workers.push(d.spawn(&["worker", "--stage", "all"]));
    })
    .await;
}

/// Closes every broker connection of this deployment's processes.
fn close_connections(prefix: &str) -> usize {
    let out = Command::new("rabbitmqctl")
        .args(["list_connections", "pid", "client_properties", "-q"])
        .output()
        .expect("rabbitmqctl is needed for the broker fault test");
    let name = format!("docket:{prefix}");
    let mut closed = 0;
    for line in String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&name))
    {
        let pid = line.split_whitespace().next().unwrap();
        let status = Command::new("rabbitmqctl")
            .args(["close_connection", pid, "fault test"])
            .status()
            .unwrap();
        closed += usize::from(status.success());
    }
    closed
}

#[tokio::test(flavor = "multi_thread")]
async fn broker_connections_closed_mid_run_lose_nothing_and_book_nothing_twice() {
    survive(11, |d, _| {
        // Both workers' connections are cut; a listing can miss one that is
        // (re)connecting, so keep at it for a few seconds.
        let mut closed = 0;
        for _ in 0..10 {
            closed += close_connections(&d.prefix);
            if closed >= 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        assert!(
            closed >= 1,
            "no broker connection of the workers was found to close"
        );
    })
    .await;
}

/// Restarts the local PostgreSQL cluster(s).
fn restart_postgres() {
    for version in std::fs::read_dir("/etc/postgresql").expect("a local PostgreSQL cluster") {
        let version = version.unwrap().file_name();
        let status = Command::new("pg_ctlcluster")
            .args([
                "--skip-systemctl-redirect",
                &version.to_string_lossy(),
                "main",
                "restart",
            ])
            .status()
            .expect("pg_ctlcluster is needed for the database fault test");
        assert!(status.success(), "restarting PostgreSQL failed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restarted_mid_run_loses_nothing_and_books_nothing_twice() {
    survive(13, |_, _| restart_postgres()).await;
}
