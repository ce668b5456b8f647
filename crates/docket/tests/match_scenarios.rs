//! Every matching scenario under `fixtures/matching/` run through the
//! command line, `docket match --json`, as an operator would run it: the
//! decision and the set of reason codes must be what `expected.json` says
//! (crates/docket-matching/tests/scenarios.rs checks the same cases through
//! the library, with the supplier and the booking lines too).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/matching")
}

/// The case folders: `fixtures/matching/<category>/<case>/`.
fn cases() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for category in std::fs::read_dir(scenarios()).unwrap() {
        let category = category.unwrap().path();
        if !category.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&category).unwrap() {
            let case = case.unwrap().path();
            if case.join("expected.json").exists() {
                found.push(case);
            }
        }
    }
    found.sort();
    found
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `docket match --json` on one case; `Err` says what differs.
fn run(case: &Path) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_docket"));
    command.current_dir(case).args([
        "match",
        "--erp",
        "snapshot.json",
        "--document",
        "document.json",
        "--json",
    ]);
    if case.join("policy.toml").exists() {
        command.args(["--policy", "policy.toml"]);
    }
    if let Ok(sender) = std::fs::read_to_string(case.join("sender.txt")) {
        command.args(["--sender", sender.trim()]);
    }
    let out = command.output().expect("run docket match");
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let outcome: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let expected = read_json(&case.join("expected.json"));
    let codes = |v: &Value, key: &str, field: Option<&str>| -> BTreeSet<String> {
        v[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| match field {
                Some(f) => r[f].as_str(),
                None => r.as_str(),
            })
            .map(str::to_string)
            .collect()
    };
    let got = codes(&outcome, "reasons", Some("code"));
    let want = codes(&expected, "reasons", None);
    if outcome["decision"] != expected["decision"] || got != want {
        return Err(format!(
            "decision {} (expected {}), reasons {got:?} (expected {want:?})",
            outcome["decision"], expected["decision"]
        ));
    }
    Ok(())
}

#[test]
fn every_matching_scenario_decides_the_same_through_docket_match() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "only {} scenarios under {}",
        cases.len(),
        scenarios().display()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run(case)
                .err()
                .map(|why| format!("{}: {why}", case.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ through docket match:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!(
        "{} scenarios decided as expected by docket match",
        cases.len()
    );
}
