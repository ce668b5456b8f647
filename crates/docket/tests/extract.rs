//! `docket extract`: structured output for readable files, exit 2 with a
//! one-line reason for unreadable ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn inbox(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/inbox")
        .join(name)
}

fn extract(args: &[&Path], json: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.arg("extract");
    if json {
        cmd.arg("--json");
    }
    cmd.args(args).output().unwrap()
}

#[test]
fn a_hybrid_pdf_is_read_from_its_embedded_xml() {
    let out = extract(&[&inbox("11-facturx-hybrid.pdf")], true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = &docs[0];
    assert!(
        doc["method"].as_str().unwrap().contains("factur-x.xml"),
        "{doc}"
    );
    assert_eq!(doc["document"]["header"]["number"]["value"], "F2026-00318");
    assert_eq!(
        doc["document"]["totals"]["gross"]["value"]["amount"],
        "4738.00"
    );
}

#[test]
fn a_mail_yields_its_attachment() {
    let out = extract(&[&inbox("12-ubl-by-mail.eml")], true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), 1);
    assert!(docs[0]["part"].as_str().unwrap().ends_with(".xml"));
    assert_eq!(docs[0]["document"]["header"]["syntax"], "ubl_invoice");
}

#[test]
fn a_damaged_pdf_exits_2_with_one_line_and_the_rest_is_still_read() {
    let out = extract(
        &[&inbox("14-damaged.pdf"), &inbox("01-exact-match.pdf")],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("14-damaged.pdf: PDF is damaged"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("RE-2026-10481"), "{text}");
}

#[test]
fn a_missing_file_exits_2() {
    let out = extract(&[Path::new("/nonexistent/x.pdf")], false);
    assert_eq!(out.status.code(), Some(2));
}
