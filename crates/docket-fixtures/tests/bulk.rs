//! A bulk set is consistent: its expected decisions follow from its own ERP
//! files by the reference matcher, every PDF and XML in it can be read (also
//! inside mails and Factur-X hybrids), file names are unique, and the bytes
//! depend on (N, seed) alone.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::matcher::{Erp, assert_exact_arithmetic, decide};
use docket_domain::Decision;
use docket_fixtures::model::View;
use docket_fixtures::pdf::parts::printed_gross;
use docket_fixtures::scenarios::{Case, Channel, World};
use docket_fixtures::{OutputFile, bulk};
use lopdf::{Document, Object};

const N: usize = 40;
/// A seed whose 40 documents include every channel (asserted below).
const SEED: u64 = 2;

struct Set {
    world: World,
    files: BTreeMap<String, Vec<u8>>,
}

impl Set {
    fn new(n: usize, seed: u64) -> Set {
        let world = bulk::world(n, seed).expect("bulk world");
        let files = bulk::files(&world)
            .expect("bulk files")
            .into_iter()
            .map(|f| (f.path, f.bytes))
            .collect();
        Set { world, files }
    }

    fn file(&self, path: &str) -> &[u8] {
        self.files
            .get(path)
            .unwrap_or_else(|| panic!("{path} not generated"))
    }

    fn inbox(&self, case: &Case) -> &[u8] {
        self.file(&format!("inbox/{}", case.file))
    }
}

#[test]
fn expected_decisions_follow_from_the_bulk_erp() {
    let set = Set::new(N, SEED);
    let erp = Erp::load(|name| set.file(&format!("erp/{name}")).to_vec());
    let expected: BTreeMap<String, Decision> =
        serde_json::from_slice(set.file("expected.json")).expect("expected.json");
    assert_eq!(expected.len(), N);
    let mut reasons = BTreeSet::new();
    for case in set.world.inbox() {
        let (decision, why) = decide(&set.world, case, &erp);
        assert_eq!(
            Some(&decision),
            expected.get(case.file),
            "{}: reference matcher says {decision:?} ({why})",
            case.file
        );
        reasons.insert(why);
    }
    for why in [
        "matched",
        "goods not received",
        "price beyond tolerance",
        "bank account not on record",
        "unknown supplier",
        "already booked",
    ] {
        assert!(reasons.contains(why), "no document where {why}");
    }
    let booked = expected
        .values()
        .filter(|d| **d == Decision::Booked)
        .count();
    assert!(booked * 100 >= N * 85, "only {booked} of {N} book");
    assert_exact_arithmetic(&set.world);
}

#[test]
fn the_erp_has_one_po_per_known_supplier_invoice_and_unique_keys() {
    let set = Set::new(N, SEED);
    let erp = Erp::load(|name| set.file(&format!("erp/{name}")).to_vec());
    let pos: BTreeSet<&str> = erp.pos.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(pos.len(), erp.pos.len(), "PO numbers are unique");
    let known = set
        .world
        .inbox()
        .filter(|c| c.invoice.supplier.erp_id.is_some())
        .count();
    assert_eq!(erp.pos.len(), known);
    for po in &erp.pos {
        assert!((1..=8).contains(&po.lines.len()), "{}", po.number);
        assert!(erp.suppliers.iter().any(|s| s.id == po.supplier_id));
    }
    let receipts: BTreeSet<(&str, &str)> = erp
        .receipts
        .iter()
        .map(|r| (r.number.as_str(), r.item.as_str()))
        .collect();
    assert_eq!(
        receipts.len(),
        erp.receipts.len(),
        "receipt keys are unique"
    );
    assert!(
        erp.receipts
            .iter()
            .all(|r| pos.contains(r.purchase_order.as_str()))
    );
    let sizes: BTreeSet<usize> = erp.pos.iter().map(|p| p.lines.len()).collect();
    assert!(sizes.len() >= 5, "line counts vary: {sizes:?}");
}

/// The embedded `factur-x.xml` of a hybrid PDF.
fn embedded_xml(doc: &Document) -> Vec<u8> {
    let dict = |obj: &Object| match obj {
        Object::Reference(id) => doc.get_dictionary(*id).expect("dictionary").clone(),
        Object::Dictionary(d) => d.clone(),
        other => panic!("not a dictionary: {other:?}"),
    };
    let catalog = doc.catalog().expect("catalog");
    let names = dict(catalog.get(b"Names").expect("/Names"));
    let files = dict(names.get(b"EmbeddedFiles").expect("/EmbeddedFiles"));
    let list = files
        .get(b"Names")
        .and_then(Object::as_array)
        .expect("name array");
    let spec = dict(&list[1]);
    let ef = dict(spec.get(b"EF").expect("/EF"));
    doc.get_object(ef.get(b"F").and_then(Object::as_reference).expect("/F"))
        .and_then(Object::as_stream)
        .expect("embedded stream")
        .content
        .clone()
}

/// Parses XML and checks that it names the invoice and its gross total.
fn check_xml(file: &str, xml: &[u8], v: &View) {
    let text = std::str::from_utf8(xml).unwrap_or_else(|e| panic!("{file}: {e}"));
    let tree = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let root = tree.root_element().tag_name().name();
    assert!(
        ["Invoice", "CrossIndustryInvoice"].contains(&root),
        "{file}: root {root}"
    );
    let texts: Vec<&str> = tree.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&v.inv.number), "{file}: no invoice number");
    let gross = docket_fixtures::einvoice::amount(v.gross);
    assert!(texts.contains(&gross.as_str()), "{file}: no gross {gross}");
}

#[test]
fn every_pdf_and_xml_can_be_read() {
    let set = Set::new(N, SEED);
    let (mut pdfs, mut xmls) = (0, 0);
    for case in set.world.inbox() {
        let v = View::new(&set.world, case).expect("view");
        let bytes = set.inbox(case);
        let (pdf, xml) = match case.channel {
            Channel::Pdf | Channel::FacturX => (Some(bytes.to_vec()), None),
            Channel::Ubl => (None, Some(bytes.to_vec())),
            Channel::PdfMail | Channel::UblMail => {
                let atts = common::attachments(bytes);
                assert_eq!(atts.len(), 1, "{}: one attachment", case.file);
                let (name, data) = atts.into_iter().next().expect("attachment");
                if name.ends_with(".pdf") {
                    (Some(data), None)
                } else {
                    (None, Some(data))
                }
            }
            Channel::DamagedPdf | Channel::None => panic!("{}: not in bulk sets", case.file),
        };
        if let Some(pdf) = pdf {
            pdfs += 1;
            let doc = Document::load_mem(&pdf).unwrap_or_else(|e| panic!("{}: {e}", case.file));
            assert!(!doc.get_pages().is_empty(), "{}: no pages", case.file);
            let text = pdf_extract::extract_text_from_mem(&pdf)
                .unwrap_or_else(|e| panic!("{}: {e}", case.file));
            assert!(text.contains(v.inv.number), "{}: no number", case.file);
            let gross = printed_gross(&v);
            assert!(text.contains(&gross), "{}: no gross {gross}", case.file);
            if case.channel == Channel::FacturX {
                xmls += 1;
                check_xml(case.file, &embedded_xml(&doc), &v);
            }
        }
        if let Some(xml) = xml {
            xmls += 1;
            check_xml(case.file, &xml, &v);
        }
    }
    assert!(pdfs > N / 2, "mostly PDFs: {pdfs}");
    assert!(xmls > 0);
}

#[test]
fn names_are_unique_and_formats_and_suppliers_mixed() {
    let set = Set::new(N, SEED);
    let names: BTreeSet<&str> = set.world.inbox().map(|c| c.file).collect();
    assert_eq!(names.len(), N);
    let numbers: BTreeSet<&str> = set.world.inbox().map(|c| c.invoice.number).collect();
    assert_eq!(numbers.len(), N);
    let channels: BTreeSet<String> = set
        .world
        .inbox()
        .map(|c| format!("{:?}", c.channel))
        .collect();
    for channel in ["Pdf", "FacturX", "Ubl", "UblMail", "PdfMail"] {
        assert!(channels.contains(channel), "no {channel} in {channels:?}");
    }
    let suppliers: BTreeSet<&str> = set.world.inbox().map(|c| c.invoice.supplier.name).collect();
    assert!(suppliers.len() >= 6, "{suppliers:?}");
}

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    let a: Vec<OutputFile> = bulk::generate(N, SEED).expect("first");
    assert_eq!(a, bulk::generate(N, SEED).expect("second"));
    let b = bulk::generate(N, SEED + 1).expect("other seed");
    assert_ne!(a, b);
    assert_ne!(
        a.iter().find(|f| f.path == "expected.json"),
        b.iter().find(|f| f.path == "expected.json")
    );
}
