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
fn visual_only_reads_a_hybrid_pdf_from_its_page() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["extract", "--json", "--visual-only"])
        .arg(inbox("11-facturx-hybrid.pdf"))
        .output()
        .unwrap();
    assert_success(&out);
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        docs[0]["method"].as_str().unwrap().starts_with("PDF text"),
        "{docs}"
    );
    assert_eq!(docs[0]["document"]["header"]["syntax"], "pdf_text");
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

fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A mail carrying `pdf` as a raw binary attachment: the transfer encoding that
/// puts `%PDF-` in the mail's first kilobyte.
fn mail_with_binary_pdf(pdf: &[u8]) -> Vec<u8> {
    let mut raw = b"From: Billing <billing@nordwind.example>\r\nTo: ap@kestrel.example\r\n\
        Subject: Rechnung\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: application/octet-stream; name=\"Rechnung.pdf\"\r\n\
        Content-Transfer-Encoding: binary\r\n\r\n"
        .to_vec();
    raw.extend_from_slice(pdf);
    raw.extend_from_slice(b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nAnbei.\r\n--b--\r\n");
    raw
}

#[test]
fn a_mail_reads_the_same_as_the_pdf_it_carries() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = inbox("01-exact-match.pdf");
    let eml = dir.path().join("forwarded.eml");
    std::fs::write(&eml, mail_with_binary_pdf(&std::fs::read(&pdf).unwrap())).unwrap();
    let from_mail = extract(&[&eml], true);
    assert_success(&from_mail);
    let from_mail: serde_json::Value = serde_json::from_slice(&from_mail.stdout).unwrap();
    let from_pdf: serde_json::Value =
        serde_json::from_slice(&extract(&[&pdf], true).stdout).unwrap();
    assert_eq!(from_mail.as_array().unwrap().len(), 1, "{from_mail}");
    assert_eq!(from_mail[0]["part"], "Rechnung.pdf");
    assert_eq!(from_mail[0]["document"], from_pdf[0]["document"]);
}

#[test]
fn an_order_written_in_the_body_is_read_as_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("order.eml");
    std::fs::write(
        &eml,
        "From: einkauf@kunde.example\r\nSubject: Bestellung 4711\r\n\r\nBitte liefern Sie 10 Kartons.\r\n",
    )
    .unwrap();
    let out = extract(&[&eml], true);
    assert_success(&out);
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs[0]["part"], "body.txt");
    // Read as plain text; nothing invoice-like in it, so kept for a person.
    assert_eq!(docs[0]["method"], "plain text, 1 line");
    assert_eq!(docs[0]["document"]["header"]["kind"]["value"], "other");
    assert!(
        docs[0]["document"].to_string().contains("10 Kartons"),
        "{docs}"
    );
}

#[test]
fn a_text_file_is_read_as_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("rechnung.txt");
    std::fs::write(
        &txt,
        "Rechnung Nr. 2026-0815\nRechnungsdatum: 02.11.2026\n\n\
         Nettobetrag        100,00 EUR\nMwSt 19 %           19,00 EUR\n\
         Gesamtbetrag       119,00 EUR\n",
    )
    .unwrap();
    let out = extract(&[&txt], true);
    assert_success(&out);
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs[0]["method"], "plain text, 6 lines");
    let doc = &docs[0]["document"];
    assert_eq!(doc["header"]["kind"]["value"], "invoice");
    assert_eq!(doc["header"]["syntax"], "mail_body");
    assert_eq!(doc["header"]["number"]["value"], "2026-0815");
    assert_eq!(doc["totals"]["gross"]["value"]["amount"], "119.00");
}

#[test]
fn a_broken_mail_exits_2_with_its_reason_and_the_rest_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let headless = dir.path().join("headless.eml");
    std::fs::write(&headless, b"\x00\x01 this is no mail at all").unwrap();
    let image_only = dir.path().join("image-only.eml");
    std::fs::write(
        &image_only,
        b"From: a@b.example\r\nSubject: scan\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
          --b\r\nContent-Type: image/jpeg; name=scan.jpg\r\n\r\n\xFF\xD8\xFF\xE0\r\n--b--\r\n",
    )
    .unwrap();
    let out = extract(
        &[&headless, &image_only, &inbox("12-ubl-by-mail.eml")],
        true,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.trim().lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("headless.eml: not a readable e-mail"),
        "{err}"
    );
    assert!(
        lines[1].contains("image-only.eml: nothing to read"),
        "{err}"
    );
    assert!(lines[1].contains("scan.jpg (image/jpeg)"), "{err}");
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        docs.as_array().unwrap().len(),
        1,
        "the good mail is still read: {docs}"
    );
}

#[test]
fn a_summary_counts_files_from_a_list_on_stdin_and_prints_no_documents() {
    use std::io::Write;
    let list = [
        inbox("01-exact-match.pdf"),
        inbox("14-damaged.pdf"),
        inbox("12-ubl-by-mail.eml"),
    ]
    .map(|p| p.display().to_string())
    .join("\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["extract", "--summary", "--json", "--files-from", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{list}\n\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "the damaged file failed");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files"], 3, "{summary}");
    assert_eq!(summary["documents"], 2, "{summary}");
    assert_eq!(summary["failed"], 1, "{summary}");
    assert!(summary["documents_per_second"].as_f64().unwrap() > 0.0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("14-damaged.pdf: PDF is damaged"), "{err}");
}
