//! `docket eval` on a tiny truth file over the fixtures (tests/data/eval-truth.json):
//! the `--json` shape, the XML and visual-only paths, an unreadable file, and
//! the invoice2data mode. The figures over the real corpus are eval_corpus.rs's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn truth() -> PathBuf {
    manifest().join("tests/data/eval-truth.json")
}

fn inbox() -> PathBuf {
    manifest().join("../../fixtures/inbox")
}

fn eval(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_docket"))
        .arg("eval")
        .args(args)
        .output()
        .unwrap()
}

fn eval_json(extra: &[&str]) -> Value {
    let (truth, root) = (truth(), inbox());
    let mut args = vec![
        "--truth",
        truth.to_str().unwrap(),
        "--root",
        root.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    json_of(&args)
}

/// The `--json` report of a run that must succeed.
fn json_of(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let out = eval(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn document<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == file)
        .unwrap()
}

#[test]
fn json_has_the_documented_shape() {
    let r = eval_json(&[]);
    let mut keys: Vec<&String> = r.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "calibration",
            "confidently_wrong",
            "documents",
            "errata_applied",
            "fields",
            "files",
            "header_accuracy",
            "line_f1",
            "scenarios"
        ]
    );
    // The bands at or above the auto-book threshold hold exactly the
    // confidently wrong values.
    let bands = r["calibration"].as_array().unwrap();
    assert_eq!(bands.len(), 4);
    let wrong_from = |from: f64| -> u64 {
        bands
            .iter()
            .filter(|b| b["from"].as_f64().unwrap() >= from)
            .map(|b| b["wrong"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(wrong_from(0.7), r["confidently_wrong"].as_u64().unwrap());
    for b in bands {
        assert_eq!(
            b["fields"].as_u64().unwrap(),
            b["right"].as_u64().unwrap() + b["wrong"].as_u64().unwrap()
        );
    }
    for (name, field) in r["fields"].as_object().unwrap() {
        let mut keys: Vec<&String> = field.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["accuracy", "confidently_wrong", "coverage"],
            "{name}"
        );
    }
    assert!(r["fields"]["po_ref"]["accuracy"].is_f64());
    // No truth gives a due date: no accuracy, but the key is there.
    assert!(r["fields"]["due_date"]["accuracy"].is_null());
}

#[test]
fn the_xml_path_counts_files_scenarios_and_confidently_wrong_values() {
    let r = eval_json(&[]);
    // The record without truth and the one the truth's reader refused are left out.
    assert_eq!(
        (r["files"].as_u64(), r["scenarios"].as_u64()),
        (Some(4), Some(3))
    );
    // The truth's gross of the hybrid is deliberately wrong; the embedded XML is
    // read at 0.99, so both renderings of scenario "dubois" are confidently wrong.
    assert_eq!(r["fields"]["gross"]["confidently_wrong"], 2);
    assert_eq!(r["confidently_wrong"], 2);
    // Per scenario: dubois 0, nordwind 1, the damaged file 0.
    assert_eq!(r["fields"]["gross"]["accuracy"], 0.3333);
    assert_eq!(r["fields"]["gross"]["coverage"], 0.6667);
    // Name in other case and blanks, VAT id and IBAN with blanks: all agree.
    for field in ["seller_name", "seller_vat_id", "iban", "po_ref", "currency"] {
        assert_eq!(r["fields"][field]["accuracy"], 1.0, "{field}");
    }
    assert_eq!(r["line_f1"], 1.0);
    let hybrid = document(&r, "11-facturx-hybrid.pdf");
    assert!(
        hybrid["method"].as_str().unwrap().contains("factur-x.xml"),
        "{hybrid}"
    );
    assert_eq!(hybrid["fields"]["gross"]["outcome"], "wrong");
    assert_eq!(hybrid["fields"]["gross"]["expected"], "4700");
    assert_eq!(hybrid["fields"]["gross"]["got"], "4738");
    assert_eq!(hybrid["lines"]["matched"], 3);
}

#[test]
fn an_unreadable_file_scores_as_empty_with_its_reason() {
    let r = eval_json(&[]);
    let damaged = document(&r, "14-damaged.pdf");
    assert!(
        damaged["error"].as_str().unwrap().contains("damaged"),
        "{damaged}"
    );
    let fields = damaged["fields"].as_object().unwrap();
    assert_eq!(fields.len(), 2);
    assert!(
        fields.values().all(|f| f["outcome"] == "missing"),
        "{damaged}"
    );
}

#[test]
fn visual_only_reads_the_page_of_verified_files_only() {
    let r = eval_json(&["--visual-only"]);
    // The record whose page is not verified against its XML is left out.
    assert_eq!(
        (r["files"].as_u64(), r["scenarios"].as_u64()),
        (Some(3), Some(3))
    );
    let hybrid = document(&r, "11-facturx-hybrid.pdf");
    assert!(
        hybrid["method"].as_str().unwrap().starts_with("PDF text"),
        "{hybrid}"
    );
}

#[test]
fn the_table_names_unreadable_files_and_confidently_wrong_fields() {
    let (truth, root) = (truth(), inbox());
    let out = eval(&[
        "--truth",
        truth.to_str().unwrap(),
        "--root",
        root.to_str().unwrap(),
        "--misses",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 files in 3 scenarios"), "{text}");
    assert!(text.contains("header accuracy"), "{text}");
    assert!(text.contains("14-damaged.pdf: PDF is damaged"), "{text}");
    assert!(
        text.contains("11-facturx-hybrid.pdf: gross: want 4700, got 4738 (0.99)"),
        "{text}"
    );
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(progress.contains("eval: 4/4 files"), "{progress}");
}

#[test]
fn invoice2data_outputs_are_scored_by_docket_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        inbox().join("01-exact-match.pdf"),
        dir.path().join("nordwind.pdf"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("nordwind.json"),
        r#"[{"issuer": "Nordwind", "invoice_number": "RE-2026-10481", "amount": 850.49,
             "amount_untaxed": 714.7, "date": "2026-11-02", "currency": "EUR",
             "partner_website": "nordwind-buero.example", "desc": "Invoice from Nordwind"}]"#,
    )
    .unwrap();
    let r = json_of(&["--invoice2data", dir.path().to_str().unwrap()]);
    assert_eq!(r["files"], 1);
    for field in ["number", "gross", "net", "issue_date", "currency"] {
        assert_eq!(r["fields"][field]["accuracy"], 1.0, "{field}: {r}");
    }
    assert_eq!(r["header_accuracy"], 1.0);
    // Template constants and names without a Docket field are not scored.
    assert!(r["fields"]["seller_name"]["accuracy"].is_null());
    let out = eval(&["--invoice2data", dir.path().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("issuer ×1"), "{text}");
}

#[test]
fn invoice2data_reads_a_text_input_as_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kiosk.txt"),
        "Faktura VAT nr FV/7/2024          Data wystawienia: 2024-03-05\n\n\
         Wartość netto:      100,00 PLN\nKwota VAT:           23,00 PLN\n\
         Wartość brutto:     123,00 PLN\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("kiosk.json"),
        r#"[{"issuer": "Kiosk", "invoice_number": "FV/7/2024", "amount": 123.0,
             "date": "2024-03-05", "currency": "PLN"}]"#,
    )
    .unwrap();
    let r = json_of(&["--invoice2data", dir.path().to_str().unwrap()]);
    assert_eq!(r["files"], 1);
    assert_eq!(r["documents"][0]["method"], "plain text, 5 lines", "{r}");
    assert_eq!(r["header_accuracy"], 1.0, "{r}");
}

#[test]
fn truth_needs_a_root_and_a_broken_truth_file_is_a_clear_error() {
    let truth = truth();
    let out = eval(&["--truth", truth.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "clap refuses the arguments");
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("truth.json");
    std::fs::write(&broken, "{\"file\": 1}").unwrap();
    let out = eval(&[
        "--truth",
        broken.to_str().unwrap(),
        "--root",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a list of truth records"), "{err}");
}
