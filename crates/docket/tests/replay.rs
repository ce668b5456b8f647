//! `docket policy replay` over the store `docket demo` leaves: a stricter
//! price tolerance lowers the touchless rate, a laxer one raises it, the
//! current policy decides as the pipeline did, and the store is the same
//! afterwards to the last event.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use docket_store::Store;
use docket_store::sqlite::SqliteStore;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn docket(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("run docket")
}

/// Runs the demo into `dir/work` and writes settings naming its store and
/// sandbox ERP; returns the settings file.
fn demo_store(dir: &Path) -> PathBuf {
    let work = dir.join("work");
    let out = docket(&[
        "demo",
        "--fresh",
        "--json",
        "--workdir",
        work.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings = dir.join("docket.toml");
    let text = format!(
        "[store]\nkind = \"sqlite\"\npath = {:?}\n\n[erp]\nkind = \"sandbox\"\nseed = {:?}\nstate = {:?}\n",
        work.join("docket.db"),
        repo().join("fixtures/erp"),
        work.join("sandbox-erp.json"),
    );
    std::fs::write(&settings, text).unwrap();
    settings
}

/// `docket policy replay`, with `--json` when `json`.
fn run_replay(settings: &Path, policy: &Path, json: bool) -> std::process::Output {
    let mut args = vec![
        "policy",
        "replay",
        "--config",
        settings.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ];
    if json {
        args.push("--json");
    }
    docket(&args)
}

fn replay(settings: &Path, policy: &Path) -> Value {
    let out = run_replay(settings, policy, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress.contains("documents"),
        "progress on stderr: {progress}"
    );
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

/// Everything about the stored documents a replay could change: states,
/// reasons, outcomes, ERP references, events, outbox and counts.
async fn listing(db: &Path) -> String {
    let store = SqliteStore::open(db).await.unwrap();
    let mut text = format!("{:?}\n", store.status().await.unwrap());
    for d in store.summaries(None).await.unwrap() {
        let outcome = d.match_result.as_ref().map(|j| j.get().to_string());
        let events = store.events(&d.id).await.unwrap().len();
        text.push_str(&format!(
            "{} {} {:?} {:?} {:?} {events}\n",
            d.id,
            d.state.as_str(),
            d.reasons,
            d.erp_ref,
            outcome
        ));
    }
    text.push_str(&format!("{:?}", store.pending_outbox(1000).await.unwrap()));
    text
}

fn rate(tally: &Value) -> f64 {
    tally["touchless_rate"].as_f64().unwrap()
}

#[tokio::test]
async fn a_replay_moves_the_touchless_rate_the_way_the_policy_does_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let settings = demo_store(dir.path());
    let db = dir.path().join("work/docket.db");
    let before = listing(&db).await;
    let bookings = |dir: &Path| {
        let state = dir.join("work/sandbox-erp.json");
        docket_erp::sandbox::load_state(&state)
            .unwrap()
            .booked_invoices
            .len()
    };
    let booked_before = bookings(dir.path());

    // Exactly the PO price, no variance either way.
    let strict = dir.path().join("strict.toml");
    std::fs::write(
        &strict,
        "[[tolerance]]\ndimension = \"unit_price\"\nlower = {}\nupper = {}\n",
    )
    .unwrap();
    let report = replay(&settings, &strict);
    let (current, new) = (&report["current"], &report["new"]);
    // The 14 fixtures less the unreadable one all reached a match decision;
    // under the current policy they are decided as the pipeline decided them
    // (a booked document is not its own duplicate).
    assert_eq!(report["documents"], 13, "{report}");
    assert_eq!(current["verdicts"]["book"], 8, "{report}");
    assert_eq!(current["verdicts"]["wait"], 1, "{report}");
    assert_eq!(current["verdicts"]["duplicate"], 1, "{report}");
    assert!(rate(new) < rate(current), "{report}");
    assert!(
        new["blocked"]["EUR"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > current["blocked"]["EUR"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .unwrap(),
        "{report}"
    );
    let changes = report["changes"].as_array().unwrap();
    let within = changes
        .iter()
        .find(|c| c["file"] == "02-price-within-tolerance.pdf")
        .unwrap_or_else(|| panic!("the 1.5 % variance changes: {report}"));
    assert_eq!(within["from"], "book");
    assert_eq!(within["to"], "exception");
    assert!(
        new["reasons"]["price_variance"].as_u64() > current["reasons"]["price_variance"].as_u64()
    );

    // 20 % either way books the invoice 12 % above its PO.
    let lax = dir.path().join("lax.toml");
    std::fs::write(
        &lax,
        "version = 3\n[[tolerance]]\ndimension = \"unit_price\"\n\
         lower = { percent = 20 }\nupper = { percent = 20 }\n",
    )
    .unwrap();
    let report = replay(&settings, &lax);
    assert!(rate(&report["new"]) > rate(&report["current"]), "{report}");
    assert_eq!(report["new"]["policy_version"], 3);
    let beyond = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["file"] == "03-price-beyond-tolerance.pdf")
        .unwrap_or_else(|| panic!("the 12 % variance changes: {report}"));
    assert_eq!(beyond["to"], "book");

    // The readable report says the same.
    let out = run_replay(&settings, &lax, false);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("touchless rate"), "{text}");
    assert!(
        text.contains("03-price-beyond-tolerance.pdf: exception -> book"),
        "{text}"
    );

    assert_eq!(listing(&db).await, before, "the store is unchanged");
    assert_eq!(bookings(dir.path()), booked_before, "nothing was booked");
}

#[test]
fn a_replay_of_a_store_that_does_not_exist_says_so_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("docket.toml");
    let db = dir.path().join("nothing/docket.db");
    std::fs::write(&settings, format!("[store]\npath = {db:?}\n")).unwrap();
    let policy = repo().join("deploy/policy.example.toml");
    let out = run_replay(&settings, &policy, false);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!db.exists());
}
