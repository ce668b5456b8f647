//! Waiting for goods, across processes: `docket run` (SQLite, in-process
//! queue, sandbox ERP) puts an invoice whose goods have not arrived in
//! `waiting`; `docket sandbox receive`, another process, records the goods and
//! has the waiting documents matched again; the running process books it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An embedded deployment in `dir` whose drop folder holds `file` of the fixtures.
fn settings(dir: &Path, file: &str) -> PathBuf {
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::copy(repo().join("fixtures/inbox").join(file), inbox.join(file)).unwrap();
    let path = dir.join("docket.toml");
    let text = format!(
        "[store]\nkind = \"sqlite\"\npath = {:?}\n\n\
         [queue]\nkind = \"in_process\"\n\n\
         [erp]\nkind = \"sandbox\"\nseed = {:?}\nstate = {:?}\n\n\
         [ingest]\ndrop_folders = [{inbox:?}]\nstable_for_ms = 0\npoll_interval_ms = 200\n",
        dir.join("docket.db"),
        repo().join("fixtures/erp"),
        dir.join("sandbox.json"),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn docket(config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.current_dir(repo())
        .args(args)
        .arg("--config")
        .arg(config);
    cmd
}

/// Documents per state, from `docket status --json`.
fn states(config: &Path) -> BTreeMap<String, u64> {
    let out = docket(config, &["status", "--json"]).output().unwrap();
    if !out.status.success() {
        // The running process may be creating the store still.
        return BTreeMap::new();
    }
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    serde_json::from_value(status["store"]["documents"].clone()).unwrap()
}

fn wait_for(config: &Path, state: &str) -> BTreeMap<String, u64> {
    let started = Instant::now();
    loop {
        let states = states(config);
        if states.get(state) == Some(&1) || started.elapsed() > Duration::from_secs(60) {
            return states;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `docket sandbox receive` of `quantity` on line `line` of PO 4500000105,
/// which fixture 05 invoices before its goods arrived.
fn receive(config: &Path, line: &str, quantity: &str) -> std::process::Output {
    let args = ["sandbox", "receive", "--po", "4500000105"];
    docket(config, &args)
        .args(["--line", line, "--quantity", quantity])
        .output()
        .unwrap()
}

/// Stops the process at the end of the test, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn goods_received_in_the_sandbox_get_a_waiting_invoice_booked() {
    let dir = tempfile::tempdir().unwrap();
    let config = settings(dir.path(), "05-before-goods-receipt.pdf");
    let log = std::fs::File::create(dir.path().join("run.log")).unwrap();
    let _run = Running(
        docket(&config, &["run"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let states = wait_for(&config, "waiting");
    assert_eq!(states.get("waiting"), Some(&1), "{states:?}");

    let receive = |line: &str, quantity: &str| {
        let out = receive(&config, line, quantity);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = receive("10", "200");
    assert!(
        first.contains("of purchase order 4500000105 line 10")
            && first.contains("1 waiting document(s) queued"),
        "{first}"
    );
    receive("20", "1000");
    let states = wait_for(&config, "booked");
    let log = std::fs::read_to_string(dir.path().join("run.log")).unwrap();
    assert_eq!(states.get("booked"), Some(&1), "{states:?}\n{log}");

    let erp = docket_erp::sandbox::load_state(&dir.path().join("sandbox.json")).unwrap();
    let booked = erp
        .booked_invoices
        .iter()
        .filter(|b| b.supplier_reference == "VL-2026-0447")
        .count();
    assert_eq!(booked, 1, "booked once");
}

#[test]
fn a_receipt_for_a_line_the_order_lacks_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = settings(dir.path(), "05-before-goods-receipt.pdf");
    let out = receive(&config, "90", "1");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 90 of purchase order 4500000105"),
        "{stderr}"
    );
}
