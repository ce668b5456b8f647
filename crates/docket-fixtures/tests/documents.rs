//! The generated documents can be read the way Docket will read them: PDFs load
//! with lopdf and their text (pdf-extract) shows the invoice number and totals;
//! the Factur-X and UBL XML are well-formed and carry the scenario's totals.

mod common;

use docket_fixtures::einvoice::{amount, cii, ubl};
use docket_fixtures::model::View;
use docket_fixtures::pdf::parts::{money, printed_gross};
use docket_fixtures::scenarios::{Channel, World};
use docket_fixtures::{inbox_file, invoice_pdf};
use lopdf::{Document, Object};

/// The readable PDF of every inbox case that has one (the mail's attachment for 13).
fn pdfs(world: &World) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for case in world.inbox() {
        let bytes = inbox_file(world, case).expect("generates");
        match case.channel {
            Channel::Pdf | Channel::FacturX => out.push((case.file, bytes)),
            Channel::PdfMail => {
                let atts = common::attachments(&bytes);
                let pdf = atts
                    .into_iter()
                    .find(|(name, _)| name.ends_with(".pdf"))
                    .expect("the mail carries a PDF");
                out.push((case.file, pdf.1));
            }
            Channel::UblMail | Channel::Ubl | Channel::DamagedPdf | Channel::None => {}
        }
    }
    out
}

#[test]
fn pdfs_load_and_show_number_and_totals() {
    let world = World::new();
    let pdfs = pdfs(&world);
    assert_eq!(pdfs.len(), 12, "12 readable PDFs (01-11 and the one in 13)");
    for (file, bytes) in pdfs {
        let case = world.inbox().find(|c| c.file == file).expect("case");
        let view = View::new(&world, case).expect("view");
        let doc = Document::load_mem(&bytes).unwrap_or_else(|e| panic!("{file}: lopdf: {e}"));
        assert!(!doc.get_pages().is_empty(), "{file}: no pages");
        let text =
            pdf_extract::extract_text_from_mem(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            text.contains(case.invoice.number),
            "{file}: number {} not in\n{text}",
            case.invoice.number
        );
        let gross = printed_gross(&view);
        assert!(
            text.contains(&gross),
            "{file}: gross {gross} not in\n{text}"
        );
        for l in &view.lines {
            let amount = money(&view, l.amount);
            assert!(
                text.contains(&amount),
                "{file}: line amount {amount} not in\n{text}"
            );
        }
        assert!(
            text.contains(&money(&view, view.net)),
            "{file}: net not in text"
        );
    }
}

#[test]
fn umlauts_and_symbols_survive_extraction() {
    let world = World::new();
    let case = world
        .inbox()
        .find(|c| c.file.starts_with("01-"))
        .expect("case 01");
    let bytes = inbox_file(&world, case).expect("generates");
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("extracts");
    for needle in [
        "Nordwind Bürobedarf GmbH",
        "Industriestraße 12",
        "80 g/m², weiß",
        "Rechnungsbetrag",
        "DE273819459",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
}

#[test]
fn two_purchase_order_invoice_runs_over_two_pages() {
    let world = World::new();
    let case = world
        .inbox()
        .find(|c| c.file.starts_with("10-"))
        .expect("case 10");
    let bytes = inbox_file(&world, case).expect("generates");
    let doc = Document::load_mem(&bytes).expect("loads");
    assert_eq!(doc.get_pages().len(), 2);
    let page2 = doc.extract_text(&[2]).expect("page 2 text");
    assert!(
        page2.contains("Übertrag") && page2.contains("Seite 2 von 2"),
        "{page2}"
    );
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("extracts");
    assert!(text.contains("Ihre Bestellungen"));
    assert!(
        text.contains("Bestellung 4500000110 Pos. 10")
            && text.contains("Bestellung 4500000111 Pos. 80")
    );
}

#[test]
fn damaged_pdf_cannot_be_read() {
    let world = World::new();
    let case = world
        .inbox()
        .find(|c| c.channel == Channel::DamagedPdf)
        .expect("case 14");
    let bytes = inbox_file(&world, case).expect("generates");
    assert!(bytes.starts_with(b"%PDF-"), "still looks like a PDF");
    assert!(Document::load_mem(&bytes).is_err(), "lopdf must refuse it");
    // pdf-extract must not read the invoice out of it either (it may err or panic).
    let extracted = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&bytes));
    if let Ok(Ok(text)) = extracted {
        assert!(!text.contains(case.invoice.number), "{text}");
    }
    let view = View::new(&world, case).expect("view");
    let intact = invoice_pdf(&view).expect("intact version");
    assert!(bytes.len() < intact.len() / 2 + 1);
    assert_ne!(&intact[..bytes.len()], &bytes[..], "bytes were overwritten");
}

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    node.descendants()
        .find(|n| n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn text_of<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    child(node, name).text().unwrap_or_default()
}

fn dict<'a>(doc: &'a Document, obj: &'a Object) -> &'a lopdf::Dictionary {
    match obj {
        Object::Reference(id) => doc.get_dictionary(*id).expect("dictionary"),
        Object::Dictionary(d) => d,
        other => panic!("not a dictionary: {other:?}"),
    }
}

#[test]
fn facturx_hybrid_embeds_its_cii() {
    let world = World::new();
    let case = world
        .inbox()
        .find(|c| c.channel == Channel::FacturX)
        .expect("case 11");
    let view = View::new(&world, case).expect("view");
    let bytes = inbox_file(&world, case).expect("generates");
    let doc = Document::load_mem(&bytes).expect("loads");
    let catalog = doc.catalog().expect("catalog");
    let names = dict(&doc, catalog.get(b"Names").expect("/Names"));
    let files = dict(&doc, names.get(b"EmbeddedFiles").expect("/EmbeddedFiles"));
    let list = files
        .get(b"Names")
        .and_then(Object::as_array)
        .expect("name array");
    assert_eq!(list[0].as_str().expect("name"), b"factur-x.xml");
    let spec_ref = list[1].as_reference().expect("filespec reference");
    let af = catalog.get(b"AF").and_then(Object::as_array).expect("/AF");
    assert_eq!(af[0].as_reference().expect("AF ref"), spec_ref);
    let spec = doc.get_dictionary(spec_ref).expect("filespec");
    assert_eq!(
        spec.get(b"AFRelationship")
            .and_then(Object::as_name)
            .expect("rel"),
        b"Data"
    );
    let ef = dict(&doc, spec.get(b"EF").expect("/EF"));
    let stream = doc
        .get_object(ef.get(b"F").and_then(Object::as_reference).expect("/F"))
        .and_then(Object::as_stream)
        .expect("embedded stream");
    assert_eq!(
        stream
            .dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .expect("subtype"),
        b"text/xml"
    );
    assert!(String::from_utf8_lossy(&bytes).contains("/Subtype/text#2Fxml"));
    let xml = String::from_utf8(stream.content.clone()).expect("utf-8");
    assert_eq!(xml, cii::invoice(&view));

    let tree = roxmltree::Document::parse(&xml).expect("well-formed CII");
    let root = tree.root_element();
    assert_eq!(
        text_of(
            child(root, "GuidelineSpecifiedDocumentContextParameter"),
            "ID"
        ),
        cii::EN16931
    );
    let header = child(root, "ApplicableHeaderTradeAgreement");
    assert_eq!(
        text_of(
            child(header, "BuyerOrderReferencedDocument"),
            "IssuerAssignedID"
        ),
        "4500000112"
    );
    assert_eq!(text_of(root, "GrandTotalAmount"), amount(view.gross));
    assert_eq!(text_of(root, "DuePayableAmount"), amount(view.gross));
    assert_eq!(text_of(root, "TaxBasisTotalAmount"), amount(view.net));
    assert_eq!(text_of(root, "IBANID"), view.bank.iban);
    let line_sum: rust_decimal::Decimal = root
        .descendants()
        .filter(|n| {
            n.tag_name().name() == "LineTotalAmount"
                && n.parent().is_some_and(|p| {
                    p.tag_name().name() == "SpecifiedTradeSettlementLineMonetarySummation"
                })
        })
        .map(|n| {
            n.text()
                .unwrap_or_default()
                .parse::<rust_decimal::Decimal>()
                .expect("decimal")
        })
        .sum();
    assert_eq!(line_sum, view.net);
    let xmp = String::from_utf8_lossy(&bytes);
    assert!(
        xmp.contains("<pdfaid:part>3</pdfaid:part>")
            && xmp.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>")
    );
}

#[test]
fn ubl_mail_carries_its_invoice() {
    let world = World::new();
    let case = world
        .inbox()
        .find(|c| c.channel == Channel::UblMail)
        .expect("case 12");
    let view = View::new(&world, case).expect("view");
    let eml = inbox_file(&world, case).expect("generates");
    let message = mail_parser::MessageParser::default()
        .parse(&eml)
        .expect("mail parses");
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .expect("from");
    assert!(from.ends_with("@schmidt-industriebedarf.example"), "{from}");
    assert!(
        message
            .body_text(0)
            .expect("text body")
            .contains(case.invoice.number)
    );
    let atts = common::attachments(&eml);
    assert_eq!(atts.len(), 1);
    let (name, xml) = &atts[0];
    assert_eq!(name, &format!("{}.xml", case.invoice.number));
    let xml = std::str::from_utf8(xml).expect("utf-8");
    assert_eq!(xml, ubl::invoice(&view));

    let tree = roxmltree::Document::parse(xml).expect("well-formed UBL");
    let root = tree.root_element();
    assert_eq!(root.tag_name().name(), "Invoice");
    assert_eq!(text_of(root, "CustomizationID"), ubl::CUSTOMIZATION);
    assert_eq!(text_of(child(root, "OrderReference"), "ID"), "4500000113");
    assert_eq!(
        text_of(child(root, "AccountingSupplierParty"), "CompanyID"),
        "DE148650364"
    );
    assert_eq!(
        text_of(child(root, "PayeeFinancialAccount"), "ID"),
        view.bank.iban
    );
    let totals = child(root, "LegalMonetaryTotal");
    assert_eq!(text_of(totals, "LineExtensionAmount"), amount(view.net));
    assert_eq!(text_of(totals, "TaxInclusiveAmount"), amount(view.gross));
    assert_eq!(text_of(totals, "PayableAmount"), amount(view.gross));
    assert_eq!(
        text_of(child(root, "TaxTotal"), "TaxAmount"),
        amount(view.tax)
    );
    let lines: Vec<_> = root
        .children()
        .filter(|n| n.tag_name().name() == "InvoiceLine")
        .collect();
    assert_eq!(lines.len(), view.lines.len());
    for (node, line) in lines.iter().zip(&view.lines) {
        assert_eq!(
            text_of(child(*node, "OrderLineReference"), "LineID"),
            line.po.expect("po").1
        );
    }
}

#[test]
fn pdf_mail_has_alternatives_and_a_non_ascii_file_name() {
    let world = World::new();
    let case = world
        .inbox()
        .find(|c| c.channel == Channel::PdfMail)
        .expect("case 13");
    let eml = inbox_file(&world, case).expect("generates");
    let message = mail_parser::MessageParser::default()
        .parse(&eml)
        .expect("mail parses");
    assert!(message.body_text(0).expect("text").contains("Rechnung"));
    assert!(message.body_html(0).expect("html").contains("<b>"));
    assert!(message.subject().expect("subject").contains("Müller"));
    let atts = common::attachments(&eml);
    assert_eq!(atts.len(), 1);
    assert_eq!(
        atts[0].0,
        format!(
            "Rechnung_{}_Müller_Präzisionsteile.pdf",
            case.invoice.number
        )
    );
    assert!(atts[0].1.starts_with(b"%PDF-1.5"));
}
