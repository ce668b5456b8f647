//! The layout extractor over Docket's own fixture invoices (`fixtures/inbox`).
//!
//! Every readable fixture PDF is read from its visible text only (the
//! Factur-X hybrid too: its attached XML is not consulted). Number, purchase
//! orders and gross come from the generated `fixtures/README.md`; seller VAT
//! ids and IBANs are checked against `fixtures/erp/suppliers.json` where the
//! supplier is on record; lines billed in full come from
//! `fixtures/erp/purchase_orders.json`. What the generated files do not hold
//! (issue dates, the lines of the deviating cases) is written out below from
//! the scenario code in `crates/docket-fixtures/src/scenarios/cases.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use docket_domain::{BusinessDocument, DocumentKind};
use docket_extract::layout;
use docket_extract::pdf::text::page_texts;
use rust_decimal::Decimal;
use serde_json::Value;

/// How the lines of a fixture are known.
enum Lines {
    /// Every line of these purchase orders, at the ordered quantity and price.
    AllOf(&'static [&'static str]),
    /// Quantity and unit price as billed.
    Billed(&'static [(&'static str, &'static str)]),
}

struct Expect {
    file: &'static str,
    kind: DocumentKind,
    issued: (i32, u32, u32),
    vat_id: &'static str,
    iban: &'static str,
    lines: Lines,
}

const fn invoice(
    file: &'static str,
    issued: (i32, u32, u32),
    vat_id: &'static str,
    iban: &'static str,
    lines: Lines,
) -> Expect {
    Expect {
        file,
        kind: DocumentKind::Invoice,
        issued,
        vat_id,
        iban,
        lines,
    }
}

const NORDWIND: (&str, &str) = ("DE273819459", "DE12200505501283746510");
const VAN_LEEUWEN: (&str, &str) = ("NL819403520B01", "NL59RABO0312847564");
const BRIGHTLINE: (&str, &str) = ("IE4821937C", "IE59AIBK93338127416093");

fn expectations() -> Vec<Expect> {
    vec![
        invoice(
            "01-exact-match.pdf",
            (2026, 11, 2),
            NORDWIND.0,
            NORDWIND.1,
            Lines::AllOf(&["4500000101"]),
        ),
        invoice(
            "02-price-within-tolerance.pdf",
            (2026, 11, 3),
            VAN_LEEUWEN.0,
            VAN_LEEUWEN.1,
            Lines::Billed(&[("500", "2.03"), ("24", "8.90"), ("144", "1.45")]),
        ),
        invoice(
            "03-price-beyond-tolerance.pdf",
            (2026, 11, 4),
            BRIGHTLINE.0,
            BRIGHTLINE.1,
            Lines::Billed(&[("40", "28.00"), ("200", "7.85"), ("400", "0.62")]),
        ),
        invoice(
            "04-partial-delivery.pdf",
            (2026, 11, 3),
            NORDWIND.0,
            NORDWIND.1,
            Lines::Billed(&[("60", "4.85"), ("20", "22.80")]),
        ),
        invoice(
            "05-before-goods-receipt.pdf",
            (2026, 11, 6),
            VAN_LEEUWEN.0,
            VAN_LEEUWEN.1,
            Lines::AllOf(&["4500000105"]),
        ),
        invoice(
            "06-duplicate.pdf",
            (2026, 10, 23),
            BRIGHTLINE.0,
            BRIGHTLINE.1,
            Lines::AllOf(&["4500000106"]),
        ),
        // The scenario's "changed bank details": a valid IBAN on nobody's record.
        invoice(
            "07-bank-account-not-on-record.pdf",
            (2026, 11, 5),
            NORDWIND.0,
            "DE81200700000092817364",
            Lines::AllOf(&["4500000107"]),
        ),
        Expect {
            kind: DocumentKind::CreditNote,
            ..invoice(
                "08-credit-note.pdf",
                (2026, 11, 4),
                VAN_LEEUWEN.0,
                VAN_LEEUWEN.1,
                Lines::Billed(&[("-5", "18.75")]),
            )
        },
        invoice(
            "09-unknown-supplier.pdf",
            (2026, 11, 5),
            "DE268371427",
            "DE79290501010081726354",
            Lines::Billed(&[("2", "38.90"), ("5", "6.20"), ("12", "5.75")]),
        ),
        invoice(
            "10-two-purchase-orders.pdf",
            (2026, 11, 9),
            NORDWIND.0,
            NORDWIND.1,
            Lines::AllOf(&["4500000110", "4500000111"]),
        ),
        invoice(
            "11-facturx-hybrid.pdf",
            (2026, 11, 4),
            "FR10512483074",
            "FR7630004008190001047293665",
            Lines::AllOf(&["4500000112"]),
        ),
    ]
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `file → (number, purchase orders, gross)` from the generated README table.
fn readme(root: &Path) -> BTreeMap<String, (String, Vec<String>, Decimal)> {
    let text = std::fs::read_to_string(root.join("README.md")).expect("fixtures/README.md");
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 7 {
            continue;
        }
        let file = cells[1].trim_matches('`').to_string();
        let pos = cells[4]
            .split(',')
            .map(str::trim)
            .filter(|p| p.starts_with(|c: char| c.is_ascii_digit()))
            .map(String::from)
            .collect();
        out.insert(file, (cells[3].to_string(), pos, dec(cells[5])));
    }
    out
}

/// `PO number → [(quantity, unit price)]` from the ERP fixture.
fn purchase_orders(root: &Path) -> BTreeMap<String, Vec<(Decimal, Decimal)>> {
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("erp/purchase_orders.json")).expect("purchase orders"),
    )
    .expect("json");
    let mut out = BTreeMap::new();
    for po in json.as_array().expect("list") {
        let lines = po["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| {
                (
                    dec(l["quantity"].as_str().expect("qty")),
                    dec(l["unit_price"].as_str().expect("price")),
                )
            })
            .collect();
        out.insert(po["number"].as_str().expect("number").to_string(), lines);
    }
    out
}

/// Every supplier's VAT id and IBANs on record.
fn suppliers(root: &Path) -> Vec<(String, Vec<String>)> {
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("erp/suppliers.json")).expect("suppliers"),
    )
    .expect("json");
    json.as_array()
        .expect("list")
        .iter()
        .map(|s| {
            let ibans = s["ibans"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|i| i.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (s["vat_id"].as_str().unwrap_or_default().to_string(), ibans)
        })
        .collect()
}

fn read(path: &Path) -> BusinessDocument {
    let bytes = std::fs::read(path).expect("fixture");
    let doc = lopdf::Document::load_mem(&bytes).expect("loads");
    let pages = page_texts(&doc, 10).expect("text");
    layout::extract(&pages).expect("extracts")
}

#[test]
fn layout_reads_every_fixture_invoice() {
    let root = fixtures();
    if !root.join("inbox").is_dir() {
        eprintln!("SKIPPED layout_reads_every_fixture_invoice: fixtures/inbox not found");
        return;
    }
    let readme = readme(&root);
    let pos = purchase_orders(&root);
    let on_record = suppliers(&root);
    let mut failures = Vec::new();
    for e in expectations() {
        let path = root.join("inbox").join(e.file);
        let (number, po_numbers, gross) = readme
            .get(e.file)
            .cloned()
            .unwrap_or_else(|| panic!("{} not in README", e.file));
        // The table above must agree with the generated ERP data.
        if let Some((_, ibans)) = on_record.iter().find(|(vat, _)| vat == e.vat_id) {
            let unrecorded = e.file.contains("bank-account-not-on-record");
            assert_eq!(
                ibans.contains(&e.iban.to_string()),
                !unrecorded,
                "{}: expectation out of date",
                e.file
            );
        }
        let expected_lines: Vec<(Decimal, Decimal)> = match &e.lines {
            Lines::AllOf(numbers) => numbers
                .iter()
                .flat_map(|n| pos.get(*n).cloned().unwrap_or_default())
                .collect(),
            Lines::Billed(lines) => lines.iter().map(|(q, p)| (dec(q), dec(p))).collect(),
        };
        let net: Decimal = expected_lines
            .iter()
            .map(|(q, p)| (q * p).round_dp(2))
            .sum();

        let doc = read(&path);
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                failures.push(format!("{}: {what}: got {got}", e.file));
            }
        };
        check("kind", doc.kind() == e.kind, format!("{:?}", doc.kind()));
        check(
            "number",
            doc.number() == Some(number.as_str()),
            format!("{:?}, want {number}", doc.number()),
        );
        let issued = NaiveDate::from_ymd_opt(e.issued.0, e.issued.1, e.issued.2);
        check(
            "issue date",
            doc.header.issue_date.as_ref().map(|f| f.value) == issued,
            format!("{:?}", doc.header.issue_date.as_ref().map(|f| f.value)),
        );
        let vat = doc.seller.vat_id.as_ref().map(|f| f.value.as_str());
        check(
            "seller VAT id",
            vat == Some(e.vat_id),
            format!("{vat:?}, want {}", e.vat_id),
        );
        let ibans: Vec<&str> = doc
            .seller
            .bank_accounts
            .iter()
            .map(|a| a.iban.value.as_str())
            .collect();
        check(
            "IBAN",
            ibans == [e.iban],
            format!("{ibans:?}, want {}", e.iban),
        );
        let got_pos: Vec<&str> = doc
            .references
            .purchase_orders
            .iter()
            .map(|f| f.value.as_str())
            .collect();
        check(
            "purchase orders",
            got_pos == po_numbers,
            format!("{got_pos:?}, want {po_numbers:?}"),
        );
        let amount = |f: &Option<docket_domain::Field<docket_domain::Money>>| {
            f.as_ref().map(|f| f.value.amount)
        };
        check(
            "gross",
            amount(&doc.totals.gross) == Some(gross),
            format!("{:?}, want {gross}", amount(&doc.totals.gross)),
        );
        check(
            "net",
            amount(&doc.totals.net) == Some(net),
            format!("{:?}, want {net}", amount(&doc.totals.net)),
        );
        check(
            "tax",
            amount(&doc.totals.tax) == Some(gross - net),
            format!("{:?}, want {}", amount(&doc.totals.tax), gross - net),
        );
        let sure = [
            &doc.header.number.as_ref().map(|f| f.confidence),
            &doc.totals.gross.as_ref().map(|f| f.confidence),
        ]
        .iter()
        .all(|c| c.is_some_and(|c| c.is_sure()));
        check(
            "number and gross sure",
            sure,
            "a value below the review threshold".into(),
        );
        check(
            "line count",
            doc.lines.len() == expected_lines.len(),
            format!("{}, want {}", doc.lines.len(), expected_lines.len()),
        );
        for (i, (l, (q, p))) in doc.lines.iter().zip(&expected_lines).enumerate() {
            let got = (
                l.quantity.as_ref().map(|f| f.value),
                l.unit_price.as_ref().map(|f| f.value.amount),
                amount(&l.amount),
            );
            let want = (Some(*q), Some(*p), Some((q * p).round_dp(2)));
            check(
                &format!("line {}", i + 1),
                got == want,
                format!("{got:?}, want {want:?}"),
            );
        }
    }
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        failures.is_empty(),
        "{} fixture checks failed",
        failures.len()
    );
}
