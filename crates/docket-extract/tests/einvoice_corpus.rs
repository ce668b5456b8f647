//! The e-invoice readers against the shared corpus's ground truth.
//!
//! Every record of `../shared/corpus/truth/dev.json` with structured truth and an
//! `.xml` or `.pdf` file is read (PDFs through their embedded XML) and compared
//! field by field after normalising (dates, decimals, blanks in VAT ids) as
//! `docket eval` does (`docket_eval::norm`), but more strictly: the reader is
//! held to the XML's exact text, and to more fields than eval scores. All
//! mismatches are collected and printed before the test fails, so that one run
//! shows the whole picture. Skips, visibly, when the corpus is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use docket_domain::{BusinessDocument, DocumentKind, Field, Money, SourceSyntax};
use docket_eval::norm;
use docket_eval::truth::{Truth, TruthParty, parse_truth};
use docket_extract::einvoice::read_xml;
use docket_extract::pdf::embedded::read_hybrid_pdf;

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
    let records = parse_truth(&std::fs::read_to_string(&truth_path).expect("read dev.json"))
        .expect("parse dev.json");

    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut xml, mut pdf, mut excepted_files) = (0usize, 0usize, 0usize);
    let (mut excepted_fields, mut refused) = (0usize, 0usize);
    let mut mismatches: Vec<String> = Vec::new();
    for record in &records {
        let file = record.file.as_str();
        let Some(truth) = &record.truth else {
            continue;
        };
        if let Some(error) = &truth.error {
            // The truth's own reader refused these (FatturaPA and the like):
            // the readers must refuse them too, naming the root.
            if let Some(problem) = refused_alike(&root, file, error) {
                mismatches.push(format!("{file}: {problem}"));
            }
            refused += 1;
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
fn compare(truth: &Truth, doc: &BusinessDocument) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut strict = |field: &'static str, expected: Option<String>, got: Option<String>| {
        if expected != got {
            out.push((field, format!("expected {expected:?}, read {got:?}")));
        }
    };
    strict(
        "syntax",
        text(&truth.syntax),
        Some(syntax_name(doc).to_string()),
    );
    // Without a type code the reader assumes the root's kind, but unsure.
    let kind = match text(&truth.doc_type) {
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
        text(&truth.number),
        doc.number().map(|s| s.trim().to_string()),
    );
    strict(
        "issue_date",
        date(&truth.issue_date),
        value(&doc.header.issue_date).map(ToString::to_string),
    );
    // The truth reads the currency only from the currency-code element; the
    // reader also accepts the amounts' currencyID when that element is missing.
    if let Some(currency) = text(&truth.currency) {
        strict(
            "currency",
            Some(currency),
            value(&doc.header.currency).map(ToString::to_string),
        );
    }
    let seller = truth.seller.clone().unwrap_or_default();
    strict(
        "seller.name",
        text(&seller.name),
        doc.seller.name().map(str::to_string),
    );
    if let Some(tax_number) = tax_number_as_vat_id(&seller) {
        TRUTH_TOOK_TAX_NUMBER.fetch_add(1, Ordering::Relaxed);
        strict(
            "seller.tax_number",
            Some(tax_number),
            value(&doc.seller.tax_number).and_then(|t| norm::identifier(t)),
        );
    } else {
        strict(
            "seller.vat_id",
            identifier(&seller.vat_id),
            value(&doc.seller.vat_id).cloned(),
        );
    }
    let totals = truth.totals.clone().unwrap_or_default();
    for (key, want, got) in [
        ("net", &totals.net, &doc.totals.net),
        ("tax", &totals.tax, &doc.totals.tax),
        ("gross", &totals.gross, &doc.totals.gross),
    ] {
        strict(key, dec(want), amount(got));
    }
    let expected_lines = truth.lines.as_ref().map_or(0, Vec::len);
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
/// number (BT-32: no country prefix, which every VAT id has), the reader must
/// have read exactly that as the tax number. Compacted, as the reader keeps it.
fn tax_number_as_vat_id(seller: &TruthParty) -> Option<String> {
    if seller.vat_id().is_some() {
        return None;
    }
    identifier(&seller.vat_id)
}

static TRUTH_TOOK_TAX_NUMBER: AtomicUsize = AtomicUsize::new(0);

fn further(truth: &Truth, doc: &BusinessDocument, out: &mut Vec<(&'static str, String)>) {
    let mut given = |field: &'static str, expected: Option<String>, got: Option<String>| {
        if expected.is_some() && expected != got {
            out.push((field, format!("expected {expected:?}, read {got:?}")));
        }
    };
    given(
        "due_date",
        date(&truth.due_date),
        value(&doc.payment.due_date).map(ToString::to_string),
    );
    given(
        "po_ref",
        text(&truth.po_ref),
        doc.references
            .purchase_orders
            .first()
            .map(|f| f.value.clone()),
    );
    given(
        "buyer_reference",
        text(&truth.buyer_reference),
        value(&doc.references.buyer_reference).cloned(),
    );
    let buyer = truth.buyer.clone().unwrap_or_default();
    given(
        "buyer.name",
        text(&buyer.name),
        doc.buyer.name().map(str::to_string),
    );
    given(
        "buyer.vat_id",
        identifier(&buyer.vat_id),
        value(&doc.buyer.vat_id).cloned(),
    );
    let seller = truth.seller.clone().unwrap_or_default();
    given(
        "seller.tax_number",
        text(&seller.tax_number),
        value(&doc.seller.tax_number).cloned(),
    );
    given(
        "seller.country",
        text(&seller.country),
        value(&doc.seller.address).and_then(|a| a.country.clone()),
    );
    let ibans = truth.ibans();
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
    let totals = truth.totals.clone().unwrap_or_default();
    for (key, want, got) in [
        ("line_total", &totals.line_total, &doc.totals.line_total),
        ("prepaid", &totals.prepaid, &doc.totals.prepaid),
        ("due", &totals.due, &doc.totals.due),
    ] {
        given(key, dec(want), amount(got));
    }
    for (t, l) in truth.lines.iter().flatten().zip(&doc.lines) {
        given("line.id", text(&t.id), value(&l.id).cloned());
        given("line.name", text(&t.name), value(&l.description).cloned());
        given(
            "line.seller_item_id",
            text(&t.seller_item_id),
            value(&l.seller_item_id).cloned(),
        );
        given(
            "line.qty",
            dec(&t.qty),
            value(&l.quantity).map(|d| d.normalize().to_string()),
        );
        given("line.unit", text(&t.unit), value(&l.unit).cloned());
        given("line.unit_price", dec(&t.unit_price), amount(&l.unit_price));
        given("line.amount", dec(&t.amount), amount(&l.amount));
        given(
            "line.po_line_ref",
            text(&t.po_line_ref),
            value(&l.purchase_order_line).cloned(),
        );
    }
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(norm::text)
}

fn identifier(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(norm::identifier)
}

fn dec(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(norm::decimal).map(|d| d.to_string())
}

fn date(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(norm::date).map(|d| d.to_string())
}

fn value<T>(field: &Option<Field<T>>) -> Option<&T> {
    field.as_ref().map(|f| &f.value)
}

fn amount(field: &Option<Field<Money>>) -> Option<String> {
    value(field).map(|m| m.amount.normalize().to_string())
}
