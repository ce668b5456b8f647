//! `docket match`: offline matching of one document against an ERP snapshot
//! (the files in `tests/data/match/`): a document that books, one that goes
//! to a person, and input files it cannot use (exit 2, one line naming the file).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/match")
}

/// `docket match` run in the test data folder.
fn docket_match(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(data())
        .arg("match")
        .args(args)
        .output()
        .expect("run docket match")
}

fn json(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let out = docket_match(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

#[test]
fn a_document_as_ordered_and_received_books_and_says_so_line_by_line() {
    let args = ["--erp", "snapshot.json", "--document", "invoice-book.json"];
    let outcome = json(&args);
    assert_eq!(outcome["decision"], "book");
    assert_eq!(outcome["verdict"], "book");
    assert_eq!(outcome["supplier"]["id"], "100101");
    assert_eq!(outcome["booking"]["supplier_reference"], "RE-2026-10481");
    assert_eq!(outcome["business_key"], "100101|RE202610481|invoice");
    let lines = outcome["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["purchase_order_line"], "20");
    assert_eq!(lines[1]["quantity_received"], "50");
    assert_eq!(lines[1]["price_check"], "ok");

    let out = docket_match(&args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "decision  book",
        "supplier  100101 Nordwind Bürobedarf GmbH",
        "VAT id DE273819459",
        "reasons   none",
        "4500000101/20",
        "INV.BEFORE",
        "tolerance: unit_price",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
}

#[test]
fn a_price_beyond_tolerance_is_an_exception_with_its_line_and_the_numbers() {
    // The output of `docket extract --json` for one file, as it is.
    let args = [
        "--erp",
        "snapshot.json",
        "--document",
        "invoice-price-exception.json",
    ];
    let outcome = json(&args);
    assert_eq!(outcome["decision"], "exception");
    assert!(outcome["booking"].is_null());
    let reasons = outcome["reasons"].as_array().unwrap();
    let price = reasons
        .iter()
        .find(|r| r["code"] == "price_variance")
        .unwrap_or_else(|| panic!("a price reason in {reasons:?}"));
    assert_eq!(price["line"], 2);
    let line = &outcome["lines"][1];
    assert_eq!(line["price_invoiced"], "3.25");
    assert_eq!(line["price_ordered"], "2.95");
    assert_eq!(line["price_check"], "failed");

    let text = String::from_utf8(docket_match(&args).stdout).unwrap();
    assert!(text.contains("decision  exception"), "{text}");
    assert!(text.contains("[price_variance] line 2: "), "{text}");

    // A policy that allows 15 % above the PO price books it.
    let dir = tempfile::tempdir().unwrap();
    let lax = dir.path().join("lax.toml");
    std::fs::write(
        &lax,
        "[[tolerance]]\ndimension = \"unit_price\"\nlower = {}\nupper = { percent = 15 }\n",
    )
    .unwrap();
    let mut with_policy = args.to_vec();
    with_policy.extend(["--policy", lax.to_str().unwrap()]);
    let outcome = json(&with_policy);
    assert_eq!(outcome["decision"], "book", "{outcome}");
}

#[test]
fn unusable_input_files_are_named_in_one_line_with_exit_code_2() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--erp", "missing.json", "--document", "invoice-book.json"],
            "cannot read missing.json",
        ),
        (
            &["--erp", "not-json.json", "--document", "invoice-book.json"],
            "not-json.json is not valid JSON",
        ),
        (
            &[
                "--erp",
                "snapshot-wrong-shape.json",
                "--document",
                "invoice-book.json",
            ],
            "snapshot-wrong-shape.json: does not follow schemas/erp-snapshot.json",
        ),
        (
            &["--erp", "snapshot.json", "--document", "snapshot.json"],
            "snapshot.json: does not follow schemas/business-document.json",
        ),
        (
            &["--erp", "snapshot.json", "--document", "two-documents.json"],
            "two-documents.json holds 2 documents (re-2026-10490.pdf, mail.eml > second.pdf)",
        ),
        (
            &[
                "--erp",
                "snapshot.json",
                "--document",
                "invoice-book.json",
                "--policy",
                "missing.toml",
            ],
            "missing.toml",
        ),
    ];
    for (args, expected) in cases {
        let out = docket_match(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
