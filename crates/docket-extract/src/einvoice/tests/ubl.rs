//! UBL Invoice and CreditNote on hand-written documents.

use docket_domain::{DocumentKind, ExtractorKind, SourceSyntax};
use rust_decimal_macros::dec;

use super::amount;
use crate::einvoice::read_xml;

const INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>U-100</cbc:ID>
  <cbc:IssueDate>2024-02-29</cbc:IssueDate>
  <cbc:DueDate>2024-03-30</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:Note>Thanks</cbc:Note>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:TaxCurrencyCode>SEK</cbc:TaxCurrencyCode>
  <cbc:BuyerReference>BR-1</cbc:BuyerReference>
  <cac:OrderReference><cbc:ID>PO-55</cbc:ID></cac:OrderReference>
  <cac:DespatchDocumentReference><cbc:ID>DA-1</cbc:ID></cac:DespatchDocumentReference>
  <cac:ContractDocumentReference><cbc:ID>K-2</cbc:ID></cac:ContractDocumentReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyIdentification><cbc:ID>V-9</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Trading Name</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>Main 1</cbc:StreetName><cbc:CityName>Malmö</cbc:CityName><cbc:PostalZone>211 11</cbc:PostalZone><cac:Country><cbc:IdentificationCode>SE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>556000-0000</cbc:CompanyID><cac:TaxScheme><cbc:ID>FC</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyTaxScheme><cbc:CompanyID>SE556000000001</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Legal Name AB</cbc:RegistrationName><cbc:CompanyID>5560000000</cbc:CompanyID></cac:PartyLegalEntity>
    <cac:Contact><cbc:ElectronicMail>ar@legal.example</cbc:ElectronicMail></cac:Contact>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Customer</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
  <cac:Delivery><cbc:ActualDeliveryDate>2024-02-28</cbc:ActualDeliveryDate><cac:DeliveryParty><cac:PartyName><cbc:Name>Dock 4</cbc:Name></cac:PartyName></cac:DeliveryParty></cac:Delivery>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>OCR 123</cbc:PaymentID>
    <cac:PayeeFinancialAccount><cbc:ID>SE45 5000 0000 0583 9825 7466</cbc:ID><cbc:Name>Legal Name AB</cbc:Name><cac:FinancialInstitutionBranch><cbc:ID>ESSESESS</cbc:ID></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:PaymentTerms><cbc:Note>30 days</cbc:Note></cac:PaymentTerms>
  <cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode><cbc:MultiplierFactorNumeric>10</cbc:MultiplierFactorNumeric><cbc:Amount currencyID="EUR">10.00</cbc:Amount><cbc:BaseAmount currencyID="EUR">100.00</cbc:BaseAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent></cac:TaxCategory></cac:AllowanceCharge>
  <cac:TaxTotal><cbc:TaxAmount currencyID="SEK">250.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">22.50</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">90.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">22.50</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">90.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">112.50</cbc:TaxInclusiveAmount><cbc:AllowanceTotalAmount currencyID="EUR">10.00</cbc:AllowanceTotalAmount>
    <cbc:PrepaidAmount currencyID="EUR">12.50</cbc:PrepaidAmount><cbc:PayableAmount currencyID="EUR">100.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="KGM">4</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:OrderLineReference><cbc:LineID>3</cbc:LineID></cac:OrderLineReference>
    <cac:Item><cbc:Name>Coffee</cbc:Name><cac:SellersItemIdentification><cbc:ID>CF-1</cbc:ID></cac:SellersItemIdentification>
      <cac:StandardItemIdentification><cbc:ID schemeID="0160">7300000000000</cbc:ID></cac:StandardItemIdentification>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">250.00</cbc:PriceAmount><cbc:BaseQuantity unitCode="KGM">10</cbc:BaseQuantity></cac:Price>
  </cac:InvoiceLine>
</Invoice>"#;

#[test]
fn ubl_invoice_is_read_completely() {
    let doc = read_xml(INVOICE.as_bytes()).unwrap();
    assert_eq!(doc.header.syntax, SourceSyntax::UblInvoice);
    assert_eq!(doc.kind(), DocumentKind::Invoice);
    assert_eq!(doc.number(), Some("U-100"));
    assert_eq!(
        doc.header.issue_date.as_ref().unwrap().value.to_string(),
        "2024-02-29"
    );
    assert_eq!(
        doc.header.delivery_date.as_ref().unwrap().value.to_string(),
        "2024-02-28"
    );
    assert_eq!(
        doc.header.profile.as_deref(),
        Some("urn:cen.eu:en16931:2017")
    );
    assert_eq!(doc.header.currency.as_ref().unwrap().value.code(), "EUR");

    // The legal name (BT-27), and only TaxScheme VAT as the VAT id.
    assert_eq!(doc.seller.name(), Some("Legal Name AB"));
    assert_eq!(doc.seller.vat_id.as_ref().unwrap().value, "SE556000000001");
    assert_eq!(doc.seller.tax_number.as_ref().unwrap().value, "556000-0000");
    assert_eq!(
        doc.seller.registration_id.as_ref().unwrap().value,
        "5560000000"
    );
    assert_eq!(doc.seller.email.as_ref().unwrap().value, "ar@legal.example");
    let address = &doc.seller.address.as_ref().unwrap().value;
    assert_eq!(address.lines, vec!["Main 1".to_string()]);
    assert_eq!(address.postcode.as_deref(), Some("211 11"));
    let account = &doc.seller.bank_accounts[0];
    assert_eq!(account.iban.value, "SE4550000000058398257466");
    assert_eq!(account.bic.as_ref().unwrap().value, "ESSESESS");
    assert_eq!(account.holder.as_deref(), Some("Legal Name AB"));
    assert_eq!(doc.buyer.name(), Some("Customer"));
    assert_eq!(doc.delivery.as_ref().unwrap().name(), Some("Dock 4"));

    assert_eq!(doc.references.purchase_orders[0].value, "PO-55");
    assert_eq!(
        doc.references.buyer_reference.as_ref().unwrap().value,
        "BR-1"
    );
    assert_eq!(doc.references.delivery_notes[0].value, "DA-1");
    assert_eq!(doc.references.contract.as_ref().unwrap().value, "K-2");

    let line = &doc.lines[0];
    assert_eq!(line.quantity.as_ref().unwrap().value, dec!(4));
    assert_eq!(line.unit.as_ref().unwrap().value, "KGM");
    assert_eq!(amount(&line.unit_price), dec!(250.00));
    assert_eq!(line.price_unit.as_ref().unwrap().value, dec!(10));
    assert_eq!(line.gtin.as_ref().unwrap().value, "7300000000000");
    assert_eq!(line.seller_item_id.as_ref().unwrap().value, "CF-1");
    assert_eq!(line.tax_rate.as_ref().unwrap().value, dec!(25));
    assert_eq!(line.purchase_order_line.as_ref().unwrap().value, "3");

    let allowance = &doc.allowances_charges[0];
    assert!(!allowance.is_charge);
    assert_eq!(allowance.percent, Some(dec!(10)));
    assert_eq!(allowance.base_amount.unwrap().amount, dec!(100.00));
    assert_eq!(doc.tax_breakdown.len(), 1);
    assert_eq!(amount(&doc.totals.net), dec!(90.00));
    // The VAT total in the document currency, not the SEK one listed first.
    assert_eq!(amount(&doc.totals.tax), dec!(22.50));
    assert_eq!(amount(&doc.totals.gross), dec!(112.50));
    assert_eq!(amount(&doc.totals.prepaid), dec!(12.50));
    assert_eq!(amount(&doc.totals.due), dec!(100.00));
    assert_eq!(
        doc.payment.due_date.as_ref().unwrap().value.to_string(),
        "2024-03-30"
    );
    assert_eq!(
        doc.payment.payment_reference.as_ref().unwrap().value,
        "OCR 123"
    );
    assert_eq!(doc.payment.description.as_ref().unwrap().value, "30 days");
    assert_eq!(
        doc.totals.gross.as_ref().unwrap().evidence.extractor,
        ExtractorKind::Ubl
    );
}

#[test]
fn ubl_credit_note_is_read_with_its_own_names() {
    let xml = r#"<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>CN-1</cbc:ID><cbc:IssueDate>2024-04-02</cbc:IssueDate><cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>U-100</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Only Trading</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentDueDate>2024-05-01</cbc:PaymentDueDate></cac:PaymentMeans>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">2.50</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="EUR">10.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">12.50</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">12.50</cbc:PayableAmount></cac:LegalMonetaryTotal>
  <cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:CreditedQuantity unitCode="C62">1</cbc:CreditedQuantity><cbc:LineExtensionAmount currencyID="EUR">10.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>Refund</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">10.00</cbc:PriceAmount></cac:Price></cac:CreditNoteLine>
</CreditNote>"#;
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.header.syntax, SourceSyntax::UblCreditNote);
    assert_eq!(doc.kind(), DocumentKind::CreditNote);
    assert_eq!(doc.references.preceding_invoices[0].value, "U-100");
    assert_eq!(doc.seller.name(), Some("Only Trading"));
    assert_eq!(
        doc.payment.due_date.as_ref().unwrap().value.to_string(),
        "2024-05-01"
    );
    assert_eq!(doc.lines.len(), 1);
    assert_eq!(doc.lines[0].quantity.as_ref().unwrap().value, dec!(1));
    assert_eq!(amount(&doc.totals.tax), dec!(2.50));
    assert_eq!(amount(&doc.totals.gross), dec!(12.50));
}

#[test]
fn ubl_root_without_type_code_takes_its_kind_from_the_root() {
    let xml = r#"<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>X</cbc:ID></CreditNote>"#;
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.kind(), DocumentKind::CreditNote);
    assert!(doc.header.currency.is_none());
}
