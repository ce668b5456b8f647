//! The scenario suite: every case under `fixtures/matching/<category>/<case>/`
//! (`snapshot.json`, `document.json`, optional `policy.toml` and `sender.txt`,
//! `expected.json`) is matched, and its decision, reason codes, supplier and
//! booking line count are checked.
//!
//! The files are generated from `tests/support/cases.rs`; a test here fails
//! when they are stale. To regenerate them:
//!
//! ```sh
//! DOCKET_WRITE_SCENARIOS=1 cargo test -p docket-matching --test scenarios fixtures_are_generated
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cases.rs"]
mod cases;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use docket_domain::BusinessDocument;
use docket_domain::erp::ErpSnapshot;
use docket_matching::{MatchInput, MatchOutcome, Policy, match_document};
use serde::{Deserialize, Serialize};

/// Fewer cases than this means the suite lost some.
const MIN_CASES: usize = 40;

/// Cases whose expected decision is the correct one by docs/matching.md and
/// issue 6, but which the matching code does not reach yet: `(case, what
/// happens instead and why it is a bug)`. They are reported loudly and do
/// not fail the run; a listed case that passes fails it, so the list is
/// emptied as the code is fixed.
const KNOWN_DIVERGENCES: &[(&str, &str)] = &[];

/// What a case expects (`expected.json`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    /// book, wait, exception or duplicate.
    decision: String,
    /// The set of reason codes, informational ones included.
    reasons: BTreeSet<String>,
    /// What the case proves.
    note: String,
    /// The identified supplier's ERP id.
    supplier: Option<String>,
    /// How many lines the booking has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    booking_lines: Option<usize>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/matching")
}

fn code_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A case's files, by file name, as the generator writes them.
fn generated(case: &cases::Case) -> BTreeMap<&'static str, String> {
    let expected = Expected {
        decision: code_name(&case.verdict),
        reasons: case.reasons.iter().map(code_name).collect(),
        note: case.note.to_string(),
        supplier: case.supplier.clone(),
        booking_lines: case.booking_lines,
    };
    let mut files = BTreeMap::new();
    files.insert("snapshot.json", json(&case.snapshot));
    files.insert("document.json", json(&case.doc.build()));
    files.insert("expected.json", json(&expected));
    if let Some(policy) = &case.policy {
        files.insert("policy.toml", policy.clone());
    }
    if let Some(sender) = &case.sender {
        files.insert("sender.txt", format!("{sender}\n"));
    }
    files
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("serialisable") + "\n"
}

/// The case directories on disk: `category/case`.
fn case_dirs() -> Vec<String> {
    let mut found = Vec::new();
    let Ok(categories) = fs::read_dir(root()) else {
        return found;
    };
    for category in categories.map(Result::unwrap) {
        if !category.file_type().unwrap().is_dir() {
            continue;
        }
        for case in fs::read_dir(category.path()).unwrap().map(Result::unwrap) {
            if case.file_type().unwrap().is_dir() {
                found.push(format!(
                    "{}/{}",
                    category.file_name().to_string_lossy(),
                    case.file_name().to_string_lossy()
                ));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn fixtures_are_generated_from_the_case_descriptions() {
    let write = std::env::var_os("DOCKET_WRITE_SCENARIOS").is_some();
    let all = cases::all();
    let mut described = BTreeSet::new();
    let mut stale = Vec::new();
    for case in &all {
        let id = format!("{}/{}", case.category, case.name);
        assert!(described.insert(id.clone()), "two cases named {id}");
        let dir = root().join(&id);
        let files = generated(case);
        if write {
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            for (name, text) in &files {
                fs::write(dir.join(name), text).unwrap();
            }
            continue;
        }
        let on_disk: BTreeSet<String> = fs::read_dir(&dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let wanted: BTreeSet<String> = files.keys().map(|k| k.to_string()).collect();
        if on_disk != wanted {
            stale.push(format!(
                "{id}: files {on_disk:?}, generator writes {wanted:?}"
            ));
        }
        for (name, text) in &files {
            if fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
                stale.push(format!(
                    "{id}/{name} differs from what the generator writes"
                ));
            }
        }
    }
    for dir in case_dirs() {
        if !described.contains(&dir) {
            if write {
                fs::remove_dir_all(root().join(&dir)).unwrap();
            } else {
                stale.push(format!("{dir} is not described in tests/support/cases.rs"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "fixtures/matching is stale:\n  {}\nregenerate with: DOCKET_WRITE_SCENARIOS=1 cargo test -p docket-matching --test scenarios fixtures_are_generated",
        stale.join("\n  ")
    );
}

/// Writes to stderr past the test harness's capture, so that `cargo test`
/// shows it for a passing test too (nextest shows it through the
/// `success-output` override in .config/nextest.toml).
fn loud(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// One case read from disk.
struct Loaded {
    id: String,
    expected: Expected,
    outcome: MatchOutcome,
}

fn load_and_match(id: &str) -> Loaded {
    let dir = root().join(id);
    let read = |name: &str| {
        fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{id}/{name}: {e}"))
    };
    let snapshot: ErpSnapshot = serde_json::from_str(&read("snapshot.json"))
        .unwrap_or_else(|e| panic!("{id}/snapshot.json: {e}"));
    let document: BusinessDocument = serde_json::from_str(&read("document.json"))
        .unwrap_or_else(|e| panic!("{id}/document.json: {e}"));
    let expected: Expected = serde_json::from_str(&read("expected.json"))
        .unwrap_or_else(|e| panic!("{id}/expected.json: {e}"));
    let policy = match fs::read_to_string(dir.join("policy.toml")) {
        Ok(text) => Policy::from_toml(&text).unwrap_or_else(|e| panic!("{id}/policy.toml: {e}")),
        Err(_) => Policy::default(),
    };
    let sender = fs::read_to_string(dir.join("sender.txt")).ok();
    let sender_domain = sender
        .as_deref()
        .map(|s| s.trim().rsplit('@').next().unwrap_or_default());
    let outcome = match_document(
        &MatchInput {
            document: &document,
            erp: &snapshot,
            sender_domain,
        },
        &policy,
    );
    Loaded {
        id: id.to_string(),
        expected,
        outcome,
    }
}

/// What differs between the expectation and the outcome (empty: the case holds).
fn differences(case: &Loaded) -> Vec<String> {
    let (expected, outcome) = (&case.expected, &case.outcome);
    let mut differ = Vec::new();
    let decision = code_name(&outcome.verdict);
    if decision != expected.decision {
        differ.push(format!(
            "decision {decision}, expected {}",
            expected.decision
        ));
    }
    let reasons: BTreeSet<String> = outcome.reasons.iter().map(|r| code_name(&r.code)).collect();
    if reasons != expected.reasons {
        differ.push(format!(
            "reasons {reasons:?}, expected {:?}",
            expected.reasons
        ));
    }
    let supplier = outcome.supplier.as_ref().map(|s| s.id.clone());
    if supplier != expected.supplier {
        differ.push(format!(
            "supplier {supplier:?}, expected {:?}",
            expected.supplier
        ));
    }
    let booking_lines = outcome.booking.as_ref().map(|b| b.lines.len());
    if expected.booking_lines.is_some() && booking_lines != expected.booking_lines {
        differ.push(format!(
            "booking lines {booking_lines:?}, expected {:?}",
            expected.booking_lines
        ));
    }
    if (decision == "book") != outcome.booking.is_some() {
        differ.push(format!(
            "decision {decision} with booking {:?}",
            outcome.booking.is_some()
        ));
    }
    differ
}

fn report(case: &Loaded, differ: &[String]) -> String {
    let reasons: Vec<String> = case
        .outcome
        .reasons
        .iter()
        .map(|r| match r.line {
            Some(line) => format!("    {} (line {line}): {}", code_name(&r.code), r.message),
            None => format!("    {}: {}", code_name(&r.code), r.message),
        })
        .collect();
    format!(
        "{}\n  note: {}\n  {}\n  reasons:\n{}",
        case.id,
        case.expected.note,
        differ.join("; "),
        reasons.join("\n")
    )
}

#[test]
fn every_scenario_decides_as_expected() {
    let dirs = case_dirs();
    let mut per_category: BTreeMap<String, usize> = BTreeMap::new();
    for id in &dirs {
        let category = id.split('/').next().unwrap_or_default().to_string();
        *per_category.entry(category).or_default() += 1;
    }
    let mut counts = format!("{} scenarios under fixtures/matching:\n", dirs.len());
    for (category, n) in &per_category {
        counts.push_str(&format!("  {category:<16} {n}\n"));
    }
    loud(&counts);
    assert!(
        dirs.len() >= MIN_CASES,
        "only {} scenarios under {}; at least {MIN_CASES} expected",
        dirs.len(),
        root().display()
    );
    for (id, _) in KNOWN_DIVERGENCES {
        assert!(
            dirs.contains(&id.to_string()),
            "KNOWN_DIVERGENCES names {id}, which does not exist"
        );
    }
    // DOCKET_SCENARIOS_VERBOSE=1 (with --nocapture) prints every case's reasons.
    let verbose = std::env::var_os("DOCKET_SCENARIOS_VERBOSE").is_some();
    let mut failures = Vec::new();
    let mut diverging = Vec::new();
    let mut fixed = Vec::new();
    for id in &dirs {
        let case = load_and_match(id);
        let differ = differences(&case);
        if verbose {
            println!("{}", report(&case, &differ));
        }
        let known = KNOWN_DIVERGENCES.iter().find(|(k, _)| k == id);
        match (differ.is_empty(), known) {
            (true, None) => {}
            (true, Some(_)) => fixed.push(id.clone()),
            (false, Some((_, why))) => {
                diverging.push(format!("{}\n  known: {why}", report(&case, &differ)));
            }
            (false, None) => failures.push(report(&case, &differ)),
        }
    }
    if !diverging.is_empty() {
        loud(&format!(
            "\n!!!!!!!! {} KNOWN DIVERGENCE(S): the matching code does not decide these cases as it should !!!!!!!!\n{}\n\n",
            diverging.len(),
            diverging.join("\n\n")
        ));
    }
    assert!(
        fixed.is_empty(),
        "these cases now pass: remove them from KNOWN_DIVERGENCES: {fixed:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}
