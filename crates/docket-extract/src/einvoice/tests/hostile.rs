//! Hostile and broken input: every case ends in a clear error or a partial
//! read, never in a panic, a hang or unbounded memory.

use crate::ExtractError;
use crate::einvoice::MAX_XML_BYTES;
use crate::einvoice::read_xml;

const CII_OPEN: &str = r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:ram">"#;

#[test]
fn billion_laughs_is_refused() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol3;</rsm:CrossIndustryInvoice>"#;
    assert!(matches!(
        read_xml(xml.as_bytes()),
        Err(ExtractError::Xml(_))
    ));
}

#[test]
fn external_entities_are_refused() {
    let xml = r#"<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"#;
    assert!(matches!(
        read_xml(xml.as_bytes()),
        Err(ExtractError::Xml(_))
    ));
}

#[test]
fn truncated_xml_is_an_xml_error() {
    let full = format!(
        "{CII_OPEN}<rsm:ExchangedDocument><ram:ID>1</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
    );
    for cut in [1, 10, full.len() / 2, full.len() - 1] {
        let truncated = full.get(..cut).unwrap();
        assert!(
            matches!(read_xml(truncated.as_bytes()), Err(ExtractError::Xml(_))),
            "cut at {cut}"
        );
    }
}

#[test]
fn foreign_roots_are_named() {
    let fattura = r#"<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" versione="FPR12"/>"#;
    match read_xml(fattura.as_bytes()) {
        Err(ExtractError::UnsupportedXml(reason)) => assert!(reason.contains("FatturaElettronica")),
        other => panic!("unexpected {other:?}"),
    }
    // `Invoice` outside the UBL namespace is somebody else's invoice.
    match read_xml(b"<Invoice><ID>1</ID></Invoice>") {
        Err(ExtractError::UnsupportedXml(reason)) => assert!(reason.contains("Invoice")),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn empty_and_blank_input_is_an_xml_error() {
    for input in [&b""[..], b"   \n\t ", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF  "] {
        assert!(
            matches!(read_xml(input), Err(ExtractError::Xml(_))),
            "{input:?}"
        );
    }
}

#[test]
fn binary_garbage_is_an_error() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(read_xml(&garbage).is_err());
    assert!(read_xml(b"%PDF-1.7\n").is_err());
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = vec![b' '; MAX_XML_BYTES + 1];
    assert!(matches!(read_xml(&big), Err(ExtractError::TooLarge { .. })));
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 200_000;
    let mut xml = String::from(CII_OPEN);
    xml.push_str("<rsm:ExchangedDocument><ram:ID>1</ram:ID></rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>");
    xml.push_str(&"<ram:IncludedSupplyChainTradeLineItem>".repeat(depth));
    xml.push_str(&"</ram:IncludedSupplyChainTradeLineItem>".repeat(depth));
    xml.push_str("</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>");
    // Run on a small stack, as a worker thread would.
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || read_xml(xml.as_bytes()).map(|d| d.lines.len()))
        .unwrap()
        .join()
        .expect("no panic or overflow");
    assert_eq!(result, Ok(1));
}

#[test]
fn a_root_without_header_or_transaction_is_not_a_document() {
    let xml = format!("{CII_OPEN}</rsm:CrossIndustryInvoice>");
    assert!(matches!(
        read_xml(xml.as_bytes()),
        Err(ExtractError::NotADocument(_))
    ));
}

#[test]
fn nonsense_values_are_left_empty() {
    let xml = format!(
        r#"{CII_OPEN}<rsm:ExchangedDocument><ram:ID>  </ram:ID><ram:TypeCode>ZZZ</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString xmlns:udt="urn:udt" format="102">20241399</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>XYZ</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:GrandTotalAmount currencyID="EUR">1.234,56</ram:GrandTotalAmount><ram:DuePayableAmount currencyID="EUR">1e999999</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>x</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>
  </ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"#
    );
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.kind(), docket_domain::DocumentKind::Other);
    assert!(doc.header.number.is_none());
    assert!(doc.header.issue_date.is_none());
    assert_eq!(
        doc.header.currency.as_ref().map(|c| c.value.code()),
        Some("EUR")
    );
    assert!(doc.totals.gross.is_none() && doc.totals.due.is_none());
    assert!(doc.seller.bank_accounts.is_empty());
}

#[test]
fn many_lines_are_read_in_linear_time() {
    let line = "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument></ram:IncludedSupplyChainTradeLineItem>";
    let xml = format!(
        "{CII_OPEN}<rsm:ExchangedDocument/><rsm:SupplyChainTradeTransaction>{}</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>",
        line.repeat(20_000)
    );
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.lines.len(), 20_000);
}
