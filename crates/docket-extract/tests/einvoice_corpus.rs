//! The e-invoice readers against the shared corpus's ground truth.
//!
//! Every record of `../shared/corpus/truth/dev.json` with structured truth and an
//! `.xml` or `.pdf` file is read (PDFs through their embedded XML) and compared
//! field by field after normalising (dates, decimals, blanks in VAT ids). All
//! mismatches are collected and printed before the test fails, so that one run
//! shows the whole picture. Skips, visibly, when the corpus is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use docket_domain::normalize::compact_identifier;
use docket_domain::{BusinessDocument, DocumentKind, Field, Money, SourceSyntax};
use docket_extract::einvoice::read_xml;
use docket_extract::pdf::embedded::read_hybrid_pdf;
use rust_decimal::Decimal;
use serde_json::Value;

/// Files or fields whose comparison is skipped, each with why: `field` is `*`
/// for every field. The file must still be read without error. Only for
/// documents the corpus marks as broken or whose truth record is unusable;
/// never for a reader bug.
const EXCEPTED: &[(&str, &str, &str)] = &[
    (
        "invoices/zugferd-corpus/ZUGFeRDv1/correct/Mustangproject/MustangGnuaccountingBeispielRE-20140519_499.pdf",
        "*",
        "ZUGFeRD 1.0 release-candidate XML (root Invoice in CBFBUY:5); the truth takes it for UBL and has no values",
    ),
    (
        "invoices/zugferd-corpus/ZUGFeRDv1/correct/Mustangproject/MustangGnuaccountingBeispielRE-20140522_501.pdf",
        "*",
        "ZUGFeRD 1.0 release-candidate XML (root Invoice in CBFBUY:5); the truth takes it for UBL and has no values",
    ),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

#[test]
fn readers_agree_with_the_corpus_truth() {
    let root = corpus_dir();
    let truth_path = root.join("truth/dev.json");
    if !truth_path.is_file() {
        visible("SKIPPED: ../shared/corpus not found");
        return;
    }
    let records: Vec<Value> =
        serde_json::from_slice(&std::fs::read(&truth_path).expect("read dev.json"))
            .expect("parse dev.json");

    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut xml, mut pdf, mut excepted_files) = (0usize, 0usize, 0usize);
    let (mut excepted_fields, mut refused) = (0usize, 0usize);
    let mut mismatches: Vec<String> = Vec::new();
    for record in &records {
        let Some(file) = record["file"].as_str() else {
            continue;
        };
        let truth = &record["truth"];
        if let Some(error) = truth.get("error").and_then(Value::as_str) {
            // The truth's own reader refused these (FatturaPA and the like):
            // the readers must refuse them too, naming the root.
            if let Some(problem) = refused_alike(&root, file, error) {
                mismatches.push(format!("{file}: {problem}"));
            }
            refused += 1;
            continue;
        }
        if !truth.is_object() {
            continue;
        }
        let lower = file.to_ascii_lowercase();
        let is_pdf = lower.ends_with(".pdf");
        if !is_pdf && !lower.ends_with(".xml") {
            continue;
        }
        let bytes = match std::fs::read(root.join(file)) {
            Ok(b) => b,
            Err(e) => {
                mismatches.push(format!("{file}: cannot read: {e}"));
                continue;
            }
        };
        let doc = if is_pdf {
            pdf += 1;
            match read_hybrid_pdf(&bytes) {
                Ok(Some((_, doc))) => doc,
                Ok(None) => {
                    mismatches.push(format!("{file}: no embedded e-invoice found"));
                    continue;
                }
                Err(e) => {
                    mismatches.push(format!("{file}: {e}"));
                    continue;
                }
            }
        } else {
            xml += 1;
            match read_xml(&bytes) {
                Ok(doc) => doc,
                Err(e) => {
                    mismatches.push(format!("{file}: {e}"));
                    continue;
                }
            }
        };
        *counts.entry(syntax_name(&doc)).or_default() += 1;
        if excepted(file, "*").is_some() {
            excepted_files += 1;
            continue;
        }
        for (field, problem) in compare(truth, &doc) {
            if excepted(file, field).is_some() {
                excepted_fields += 1;
            } else {
                mismatches.push(format!("{file}: {field}: {problem}"));
            }
        }
    }

    let per_syntax: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    visible(&format!(
        "einvoice corpus: checked {} files ({xml} xml, {pdf} pdf; {}), {excepted_files} excepted, {excepted_fields} excepted fields, \
         {} seller VAT ids where the truth took the tax number; {refused} unsupported files refused",
        xml + pdf,
        per_syntax.join(", "),
        TRUTH_TOOK_TAX_NUMBER.load(Ordering::Relaxed)
    ));
    for (file, field, reason) in EXCEPTED {
        visible(&format!("EXCEPTED {file} [{field}]: {reason}"));
    }
    for m in &mismatches {
        eprintln!("MISMATCH {m}");
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches against the corpus truth (listed above)",
        mismatches.len()
    );
}

/// `None` when the reader refuses the file: as unsupported naming the root
/// the truth names (`unsupported root FatturaElettronica`), or as malformed
/// (one of the FatturaPA samples is truncated).
fn refused_alike(root: &Path, file: &str, error: &str) -> Option<String> {
    use docket_extract::ExtractError;
    let bytes = std::fs::read(root.join(file)).ok()?;
    let root_name = error.strip_prefix("unsupported root ").unwrap_or(error);
    match read_xml(&bytes) {
        Err(ExtractError::UnsupportedXml(reason)) if reason.contains(root_name) => None,
        Err(ExtractError::Xml(_)) => None,
        other => Some(format!(
            "expected a refusal naming {root_name}, got {other:?}"
        )),
    }
}

/// Writes past the test harness's output capture, so that a skip or the
/// summary shows in a normal `cargo test` run.
fn visible(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn excepted(file: &str, field: &str) -> Option<&'static str> {
    EXCEPTED
        .iter()
        .find(|(f, fld, _)| file == *f && (*fld == field || *fld == "*"))
        .map(|(_, _, reason)| *reason)
}

fn syntax_name(doc: &BusinessDocument) -> &'static str {
    use SourceSyntax as S;
    match doc.header.syntax {
        S::Cii => "CII",
        S::Zugferd1 => "ZUGFeRD1",
        S::UblInvoice => "UBL-Invoice",
        S::UblCreditNote => "UBL-CreditNote",
        S::OrderX => "OrderX",
        S::PdfText | S::MailBody => "other",
    }
}

/// The fields that disagree, with what was expected and what was read.
///
/// The fields the readers are held to are compared both ways (a value the
/// truth lacks must be absent too). The further fields are compared only where
/// the truth gives a value: its generator leaves some out that the XML has
/// (UBL tax numbers, ZUGFeRD 1 line amounts).
fn compare(truth: &Value, doc: &BusinessDocument) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut strict = |field: &'static str, expected: Option<String>, got: Option<String>| {
        if expected != got {
            out.push((field, format!("expected {expected:?}, read {got:?}")));
        }
    };
    strict(
        "syntax",
        text(&truth["syntax"]),
        Some(syntax_name(doc).to_string()),
    );
    // Without a type code the reader assumes the root's kind, but unsure.
    let kind = match text(&truth["doc_type"]) {
        Some(code) => DocumentKind::from_untdid_1001(&code).as_str().to_string(),
        None => format!("{} (unsure)", doc.kind().as_str()),
    };
    let read_kind = if doc.header.kind.confidence.is_sure() {
        doc.kind().as_str().to_string()
    } else {
        format!("{} (unsure)", doc.kind().as_str())
    };
    strict("doc_type", Some(kind), Some(read_kind));
    strict(
        "number",
        text(&truth["number"]),
        doc.number().map(|s| s.trim().to_string()),
    );
    strict(
        "issue_date",
        date(&truth["issue_date"]),
        value(&doc.header.issue_date).map(ToString::to_string),
    );
    // The truth reads the currency only from the currency-code element; the
    // reader also accepts the amounts' currencyID when that element is missing.
    if let Some(currency) = text(&truth["currency"]) {
        strict(
            "currency",
            Some(currency),
            value(&doc.header.currency).map(ToString::to_string),
        );
    }
    let seller = &truth["seller"];
    strict(
        "seller.name",
        text(&seller["name"]),
        doc.seller.name().map(str::to_string),
    );
    strict(
        "seller.vat_id",
        seller_vat_id(seller, doc),
        value(&doc.seller.vat_id).cloned(),
    );
    for (key, got) in [
        ("net", &doc.totals.net),
        ("tax", &doc.totals.tax),
        ("gross", &doc.totals.gross),
    ] {
        strict(key, dec(&truth["totals"][key]), amount(got));
    }
    let expected_lines = truth["lines"].as_array().map_or(0, Vec::len);
    strict(
        "lines",
        Some(expected_lines.to_string()),
        Some(doc.lines.len().to_string()),
    );
    further(truth, doc, &mut out);
    out
}

/// The truth's generator takes the first UBL `PartyTaxScheme` as the VAT id
/// whatever its `TaxScheme`; where that is the entry the standard calls the tax
/// number (BT-32, scheme other than VAT) and the reader read exactly that as
/// the tax number, the reader's VAT id is the one to expect.
fn seller_vat_id(seller: &Value, doc: &BusinessDocument) -> Option<String> {
    let truth = text(&seller["vat_id"]).map(|v| compact_identifier(&v));
    let tax_number = value(&doc.seller.tax_number).map(|t| compact_identifier(t));
    if truth.is_some() && truth == tax_number && doc.header.syntax != SourceSyntax::Cii {
        TRUTH_TOOK_TAX_NUMBER.fetch_add(1, Ordering::Relaxed);
        return value(&doc.seller.vat_id).cloned();
    }
    truth
}

static TRUTH_TOOK_TAX_NUMBER: AtomicUsize = AtomicUsize::new(0);

fn further(truth: &Value, doc: &BusinessDocument, out: &mut Vec<(&'static str, String)>) {
    let mut given = |field: &'static str, expected: Option<String>, got: Option<String>| {
        if expected.is_some() && expected != got {
            out.push((field, format!("expected {expected:?}, read {got:?}")));
        }
    };
    given(
        "due_date",
        date(&truth["due_date"]),
        value(&doc.payment.due_date).map(ToString::to_string),
    );
    given(
        "po_ref",
        text(&truth["po_ref"]),
        doc.references
            .purchase_orders
            .first()
            .map(|f| f.value.clone()),
    );
    given(
        "buyer_reference",
        text(&truth["buyer_reference"]),
        value(&doc.references.buyer_reference).cloned(),
    );
    given(
        "buyer.name",
        text(&truth["buyer"]["name"]),
        doc.buyer.name().map(str::to_string),
    );
    given(
        "buyer.vat_id",
        text(&truth["buyer"]["vat_id"]).map(|v| compact_identifier(&v)),
        value(&doc.buyer.vat_id).cloned(),
    );
    given(
        "seller.tax_number",
        text(&truth["seller"]["tax_number"]),
        value(&doc.seller.tax_number).cloned(),
    );
    given(
        "seller.country",
        text(&truth["seller"]["country"]),
        value(&doc.seller.address).and_then(|a| a.country.clone()),
    );
    let ibans: Vec<String> = truth["iban"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(compact_identifier)
                .collect()
        })
        .unwrap_or_default();
    let read: Vec<String> = doc
        .seller
        .bank_accounts
        .iter()
        .map(|b| b.iban.value.clone())
        .collect();
    given(
        "iban",
        Some(format!("{ibans:?}")),
        Some(format!("{read:?}")),
    );
    for (key, got) in [
        ("line_total", &doc.totals.line_total),
        ("prepaid", &doc.totals.prepaid),
        ("due", &doc.totals.due),
    ] {
        given(key, dec(&truth["totals"][key]), amount(got));
    }
    let lines = truth["lines"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (t, l) in lines.iter().zip(&doc.lines) {
        given("line.id", text(&t["id"]), value(&l.id).cloned());
        given(
            "line.name",
            text(&t["name"]),
            value(&l.description).cloned(),
        );
        given(
            "line.seller_item_id",
            text(&t["seller_item_id"]),
            value(&l.seller_item_id).cloned(),
        );
        given(
            "line.qty",
            dec(&t["qty"]),
            value(&l.quantity).map(|d| d.normalize().to_string()),
        );
        given("line.unit", text(&t["unit"]), value(&l.unit).cloned());
        given(
            "line.unit_price",
            dec(&t["unit_price"]),
            amount(&l.unit_price),
        );
        given("line.amount", dec(&t["amount"]), amount(&l.amount));
        given(
            "line.po_line_ref",
            text(&t["po_line_ref"]),
            value(&l.purchase_order_line).cloned(),
        );
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(|s| s.trim().to_string())
}

fn dec(v: &Value) -> Option<String> {
    text(v)?
        .parse::<Decimal>()
        .ok()
        .map(|d| d.normalize().to_string())
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYY-MM-DD`, as the truth writes dates.
fn date(v: &Value) -> Option<String> {
    let digits: String = text(v)?.chars().filter(char::is_ascii_digit).collect();
    NaiveDate::parse_from_str(digits.get(..8)?, "%Y%m%d")
        .ok()
        .map(|d| d.to_string())
}

fn value<T>(field: &Option<Field<T>>) -> Option<&T> {
    field.as_ref().map(|f| &f.value)
}

fn amount(field: &Option<Field<Money>>) -> Option<String> {
    value(field).map(|m| m.amount.normalize().to_string())
}
