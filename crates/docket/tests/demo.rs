//! End-to-end: `docket demo` over the committed fixtures decides what
//! `fixtures/expected.json` says, books once, and a second run books nothing;
//! with `--erp sap-sim|exact-sim|odoo-sim` the real adapters, booking into
//! their simulators, decide exactly the same.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo(workdir: &Path, extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(repo())
        .args(["demo", "--json", "--workdir"])
        .arg(workdir)
        .args(extra)
        .output()
        .expect("run docket demo");
    assert!(
        out.status.success(),
        "docket demo failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("demo --json prints JSON")
}

fn decisions(report: &Value) -> BTreeMap<String, String> {
    report["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expected() -> BTreeMap<String, String> {
    serde_json::from_slice(&std::fs::read(repo().join("fixtures/expected.json")).unwrap()).unwrap()
}

fn booked_count(workdir: &Path) -> usize {
    docket_erp::sandbox::load_state(&workdir.join("sandbox-erp.json"))
        .unwrap()
        .booked_invoices
        .len()
}

#[test]
fn the_demo_decides_as_expected_and_never_books_twice() {
    let dir = tempfile::tempdir().unwrap();
    let workdir = dir.path().join("work");
    let expected = expected();

    let first = demo(&workdir, &["--fresh"]);
    assert_eq!(first["erp"], "sandbox");
    assert_eq!(decisions(&first), expected);
    let documents = first["documents"].as_array().unwrap();
    assert_eq!(documents.len(), expected.len(), "one line per document");
    for d in documents {
        let booked = d["decision"] == "booked";
        assert_eq!(
            booked,
            d["erp_ref"].is_string(),
            "ERP ref only when booked: {d}"
        );
        if d["decision"] != "booked" {
            assert!(
                !d["reasons"].as_array().unwrap().is_empty(),
                "a reason for {d}"
            );
        }
        for key in [
            "file", "kind", "supplier", "number", "gross", "decision", "reasons", "erp_ref",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
    let summary = &first["summary"];
    let booked = expected.values().filter(|d| *d == "booked").count();
    assert_eq!(summary["decisions"]["booked"], booked);
    let seeded = booked_count(&workdir) - booked;

    // Same files again: nothing new is booked; the files show as duplicates
    // (the unreadable one stays quarantined).
    let second = demo(&workdir, &[]);
    for (file, decision) in decisions(&second) {
        let want = if expected[&file] == "quarantined" {
            "quarantined"
        } else {
            "duplicate"
        };
        assert_eq!(decision, want, "{file} on the second run");
    }
    assert_eq!(
        booked_count(&workdir),
        seeded + booked,
        "the second run booked something"
    );

    // The booked records can be listed.
    let listed = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["sandbox", "booked", "--json", "--workdir"])
        .arg(&workdir)
        .output()
        .unwrap();
    assert!(listed.status.success());
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let refs: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["erp_ref"].as_str().unwrap())
        .collect();
    for d in documents.iter().filter(|d| d["decision"] == "booked") {
        assert!(
            refs.contains(&d["erp_ref"].as_str().unwrap()),
            "{d} not listed"
        );
    }

    // --fresh starts over and books again.
    let third = demo(&workdir, &["--fresh"]);
    assert_eq!(decisions(&third), expected);
    assert_eq!(booked_count(&workdir), seeded + booked);
}

#[test]
fn the_demo_table_shows_every_file_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(repo())
        .args(["demo", "--fresh", "--workdir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    for file in std::fs::read_dir(repo().join("fixtures/inbox")).unwrap() {
        let name = file.unwrap().file_name().to_string_lossy().into_owned();
        assert!(table.contains(&name), "{name} missing from\n{table}");
    }
    assert!(table.contains("14 documents:"), "{table}");
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(progress.contains("[demo] processing:"), "{progress}");
}

#[test]
fn every_simulated_erp_decides_as_the_sandbox_does() {
    let expected = expected();
    for erp in ["sap-sim", "exact-sim", "odoo-sim"] {
        let dir = tempfile::tempdir().unwrap();
        let report = demo(&dir.path().join("work"), &["--fresh", "--erp", erp]);
        assert_eq!(report["erp"], erp);
        assert_eq!(decisions(&report), expected, "decisions with --erp {erp}");
        let mut refs = Vec::new();
        for d in report["documents"].as_array().unwrap() {
            let booked = d["decision"] == "booked";
            assert_eq!(
                booked,
                d["erp_ref"].is_string(),
                "{erp}: an ERP ref exactly when booked: {d}"
            );
            refs.extend(d["erp_ref"].as_str().map(str::to_string));
        }
        let handed_out = refs.len();
        refs.sort();
        refs.dedup();
        assert_eq!(refs.len(), handed_out, "{erp} handed out a ref twice");
        if erp == "odoo-sim" {
            // Odoo names bills itself: the refs come from the simulator, not the sandbox.
            assert!(refs.iter().all(|r| r.contains("BILL/")), "{refs:?}");
        }
    }
}
