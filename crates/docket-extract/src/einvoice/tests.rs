//! Reader tests on small hand-written documents, one per syntax, and on
//! hostile input that must end in a clear error rather than a panic or a hang.

use docket_domain::{DocumentKind, ExtractorKind, SourceSyntax};
use rust_decimal_macros::dec;

use super::read_xml;

const CII: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>INV-7</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20240131</udt:DateTimeString></ram:IssueDateTime>
  <ram:IncludedNote><ram:Content>First note</ram:Content></ram:IncludedNote></rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:GlobalID schemeID="0160">4012345000009</ram:GlobalID><ram:SellerAssignedID>S-1</ram:SellerAssignedID><ram:BuyerAssignedID>B-1</ram:BuyerAssignedID><ram:Name>Widget</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement>
    <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-9</ram:IssuerAssignedID><ram:LineID>10</ram:LineID></ram:BuyerOrderReferencedDocument>
    <ram:NetPriceProductTradePrice><ram:ChargeAmount>25.00</ram:ChargeAmount><ram:BasisQuantity unitCode="C62">10</ram:BasisQuantity></ram:NetPriceProductTradePrice>
   </ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">40</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>false</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>10.00</ram:ActualAmount><ram:Reason>Promo</ram:Reason></ram:SpecifiedTradeAllowanceCharge>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>90.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:BuyerReference>LEITWEG-1</ram:BuyerReference>
   <ram:SellerTradeParty><ram:ID>SUP-1</ram:ID><ram:Name>Acme GmbH</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID>HRB 1</ram:ID></ram:SpecifiedLegalOrganization>
    <ram:PostalTradeAddress><ram:PostcodeCode>10115</ram:PostcodeCode><ram:LineOne>Hauptstr. 1</ram:LineOne><ram:CityName>Berlin</ram:CityName><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
    <ram:URIUniversalCommunication><ram:URIID schemeID="EM">billing@acme.example</ram:URIID></ram:URIUniversalCommunication>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">12/345/67890</ram:ID></ram:SpecifiedTaxRegistration>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE 123 456 789</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Buyer BV</ram:Name></ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-9</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
   <ram:ContractReferencedDocument><ram:IssuerAssignedID>C-3</ram:IssuerAssignedID></ram:ContractReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery>
   <ram:ShipToTradeParty><ram:Name>Warehouse</ram:Name></ram:ShipToTradeParty>
   <ram:ActualDeliverySupplyChainEvent><ram:OccurrenceDateTime><udt:DateTimeString format="102">20240130</udt:DateTimeString></ram:OccurrenceDateTime></ram:ActualDeliverySupplyChainEvent>
   <ram:DespatchAdviceReferencedDocument><ram:IssuerAssignedID>DN-5</ram:IssuerAssignedID></ram:DespatchAdviceReferencedDocument>
  </ram:ApplicableHeaderTradeDelivery>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:PaymentReference>REF 7</ram:PaymentReference>
   <ram:InvoiceCurrencyCode>USD</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>
    <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE02 1203 0000 0000 2020 51</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
    <ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>BYLADEM1001</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax><ram:CalculatedAmount>19.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>100.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19</ram:RateApplicablePercent></ram:ApplicableTradeTax>
   <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>true</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>10.00</ram:ActualAmount><ram:Reason>Freight</ram:Reason></ram:SpecifiedTradeAllowanceCharge>
   <ram:SpecifiedTradePaymentTerms><ram:Description>30 days net</ram:Description><ram:DueDateDateTime><udt:DateTimeString format="102">20240301</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
   <ram:InvoiceReferencedDocument><ram:IssuerAssignedID>INV-6</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>90.00</ram:LineTotalAmount><ram:ChargeTotalAmount>10.00</ram:ChargeTotalAmount><ram:AllowanceTotalAmount>0.00</ram:AllowanceTotalAmount>
    <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">17.50</ram:TaxTotalAmount><ram:TaxTotalAmount currencyID="USD">19.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>119.00</ram:GrandTotalAmount><ram:TotalPrepaidAmount>0.00</ram:TotalPrepaidAmount><ram:DuePayableAmount>119.00</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;

pub(super) fn amount(
    field: &Option<docket_domain::Field<docket_domain::Money>>,
) -> rust_decimal::Decimal {
    field.as_ref().map(|f| f.value.amount).unwrap()
}

#[test]
fn cii_invoice_is_read_completely() {
    let doc = read_xml(CII.as_bytes()).unwrap();
    assert_eq!(doc.header.syntax, SourceSyntax::Cii);
    assert_eq!(doc.kind(), DocumentKind::Invoice);
    assert_eq!(doc.number(), Some("INV-7"));
    assert_eq!(
        doc.header.issue_date.as_ref().unwrap().value.to_string(),
        "2024-01-31"
    );
    assert_eq!(
        doc.header.delivery_date.as_ref().unwrap().value.to_string(),
        "2024-01-30"
    );
    assert_eq!(doc.header.currency.as_ref().unwrap().value.code(), "USD");
    assert_eq!(
        doc.header.profile.as_deref(),
        Some("urn:cen.eu:en16931:2017")
    );
    assert_eq!(doc.header.notes, vec!["First note".to_string()]);

    let seller = &doc.seller;
    assert_eq!(seller.name(), Some("Acme GmbH"));
    assert_eq!(seller.vat_id.as_ref().unwrap().value, "DE123456789");
    assert_eq!(
        seller
            .vat_id
            .as_ref()
            .unwrap()
            .evidence
            .source_text
            .as_deref(),
        Some("DE 123 456 789")
    );
    assert_eq!(seller.tax_number.as_ref().unwrap().value, "12/345/67890");
    assert_eq!(seller.registration_id.as_ref().unwrap().value, "HRB 1");
    assert_eq!(seller.account_id.as_ref().unwrap().value, "SUP-1");
    assert_eq!(seller.email.as_ref().unwrap().value, "billing@acme.example");
    let address = &seller.address.as_ref().unwrap().value;
    assert_eq!(
        (address.city.as_deref(), address.country.as_deref()),
        (Some("Berlin"), Some("DE"))
    );
    assert_eq!(seller.bank_accounts[0].iban.value, "DE02120300000000202051");
    assert_eq!(
        seller.bank_accounts[0].bic.as_ref().unwrap().value,
        "BYLADEM1001"
    );
    assert_eq!(doc.buyer.name(), Some("Buyer BV"));
    assert_eq!(doc.delivery.as_ref().unwrap().name(), Some("Warehouse"));

    let refs = &doc.references;
    assert_eq!(refs.purchase_orders[0].value, "PO-9");
    assert_eq!(refs.buyer_reference.as_ref().unwrap().value, "LEITWEG-1");
    assert_eq!(refs.contract.as_ref().unwrap().value, "C-3");
    assert_eq!(refs.preceding_invoices[0].value, "INV-6");
    assert_eq!(refs.delivery_notes[0].value, "DN-5");

    let line = &doc.lines[0];
    assert_eq!(line.id.as_ref().unwrap().value, "1");
    assert_eq!(line.gtin.as_ref().unwrap().value, "4012345000009");
    assert_eq!(line.seller_item_id.as_ref().unwrap().value, "S-1");
    assert_eq!(line.buyer_item_id.as_ref().unwrap().value, "B-1");
    assert_eq!(line.description.as_ref().unwrap().value, "Widget");
    assert_eq!(line.quantity.as_ref().unwrap().value, dec!(40));
    assert_eq!(line.unit.as_ref().unwrap().value, "C62");
    assert_eq!(amount(&line.unit_price), dec!(25.00));
    assert_eq!(line.price_unit.as_ref().unwrap().value, dec!(10));
    assert_eq!(line.tax_rate.as_ref().unwrap().value, dec!(19));
    assert_eq!(amount(&line.amount), dec!(90.00));
    assert_eq!(line.purchase_order.as_ref().unwrap().value, "PO-9");
    assert_eq!(line.purchase_order_line.as_ref().unwrap().value, "10");
    assert!(!line.allowances_charges[0].is_charge);

    assert_eq!(doc.tax_breakdown[0].tax.value.amount, dec!(19.00));
    assert_eq!(doc.tax_breakdown[0].rate, Some(dec!(19)));
    assert!(doc.allowances_charges[0].is_charge);
    assert_eq!(amount(&doc.totals.net), dec!(100.00));
    // The tax total in the document currency, not the one in the tax currency.
    assert_eq!(amount(&doc.totals.tax), dec!(19.00));
    assert_eq!(amount(&doc.totals.gross), dec!(119.00));
    assert_eq!(amount(&doc.totals.due), dec!(119.00));
    assert_eq!(
        doc.payment.due_date.as_ref().unwrap().value.to_string(),
        "2024-03-01"
    );
    assert_eq!(
        doc.payment.description.as_ref().unwrap().value,
        "30 days net"
    );
    assert_eq!(
        doc.payment.payment_reference.as_ref().unwrap().value,
        "REF 7"
    );

    let gross = doc.totals.gross.as_ref().unwrap();
    assert_eq!(gross.evidence.extractor, ExtractorKind::Cii);
    assert_eq!(
        gross.evidence.locator.as_deref(),
        Some(
            "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount"
        )
    );
    assert!(gross.confidence.is_sure());
}

#[test]
fn zugferd1_header_and_containers_are_read() {
    let xml = r#"<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:basic</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument><ram:ID>RE-1</ram:ID><ram:TypeCode>381</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">20131106</udt:DateTimeString></ram:IssueDateTime></rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Lieferant</ram:Name><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE111111111</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:ID>B-77</ram:ID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">1.90</ram:CalculatedAmount><ram:BasisAmount currencyID="EUR">10.00</ram:BasisAmount><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
      <ram:SpecifiedTradeSettlementMonetarySummation><ram:TaxBasisTotalAmount currencyID="EUR">10.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">1.90</ram:TaxTotalAmount><ram:GrandTotalAmount currencyID="EUR">11.90</ram:GrandTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="HUR">2</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement><ram:ApplicableTradeTax><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax></ram:SpecifiedSupplyChainTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>"#;
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.header.syntax, SourceSyntax::Zugferd1);
    assert_eq!(doc.kind(), DocumentKind::CreditNote);
    assert_eq!(doc.number(), Some("RE-1"));
    assert_eq!(doc.seller.vat_id.as_ref().unwrap().value, "DE111111111");
    assert_eq!(
        doc.seller.vat_id.as_ref().unwrap().evidence.extractor,
        ExtractorKind::Zugferd1
    );
    assert_eq!(doc.references.purchase_orders[0].value, "B-77");
    assert_eq!(doc.tax_breakdown[0].rate, Some(dec!(19.00)));
    assert_eq!(amount(&doc.totals.gross), dec!(11.90));
    assert_eq!(doc.lines[0].quantity.as_ref().unwrap().value, dec!(2));
    assert_eq!(doc.lines[0].tax_rate.as_ref().unwrap().value, dec!(19.00));
}

#[test]
fn zugferd1_release_candidate_is_read_as_zugferd1() {
    let xml = r#"<rsm:Invoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CBFBUY:5">
  <rsm:HeaderExchangedDocument><ID>RE-0</ID><TypeCode>380</TypeCode><IssueDateTime format="102">20140519</IssueDateTime></rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction><ApplicableSupplyChainTradeSettlement><InvoiceCurrencyCode>EUR</InvoiceCurrencyCode></ApplicableSupplyChainTradeSettlement></rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:Invoice>"#;
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.header.syntax, SourceSyntax::Zugferd1);
    assert_eq!(
        doc.header.issue_date.unwrap().value.to_string(),
        "2014-05-19"
    );
}

#[test]
fn order_x_response_is_read_with_the_cii_blocks() {
    let xml = r#"<rsm:SCRDMCCBDACIOMessageStructure xmlns:rsm="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128">
  <rsm:ExchangedDocument><ram:ID>PO-1-R</ram:ID><ram:TypeCode>231</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="203">202003311345</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem><ram:SpecifiedLineTradeDelivery><ram:AgreedQuantity unitCode="C62">6</ram:AgreedQuantity></ram:SpecifiedLineTradeDelivery></ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeSettlement><ram:OrderCurrencyCode>EUR</ram:OrderCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>60.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:SCRDMCCBDACIOMessageStructure>"#;
    let doc = read_xml(xml.as_bytes()).unwrap();
    assert_eq!(doc.header.syntax, SourceSyntax::OrderX);
    assert_eq!(doc.kind(), DocumentKind::OrderResponse);
    assert_eq!(
        doc.header.issue_date.unwrap().value.to_string(),
        "2020-03-31"
    );
    assert_eq!(doc.lines[0].quantity.as_ref().unwrap().value, dec!(6));
    assert_eq!(amount(&doc.totals.line_total), dec!(60.00));
}

#[test]
fn a_missing_currency_is_assumed_from_a_euro_country_but_unsure() {
    let xml = |country: &str| {
        format!(
            r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:ram">
  <rsm:ExchangedDocument><ram:ID>1</ram:ID></rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:PostalTradeAddress><ram:CountryID>{country}</ram:CountryID></ram:PostalTradeAddress></ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode/>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:GrandTotalAmount>5.00</ram:GrandTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#
        )
    };
    let doc = read_xml(xml("DE").as_bytes()).unwrap();
    let currency = doc.header.currency.as_ref().unwrap();
    assert_eq!(currency.value.code(), "EUR");
    assert_eq!(currency.evidence.extractor, ExtractorKind::Derived);
    assert!(!currency.confidence.is_sure());
    assert!(!doc.totals.gross.as_ref().unwrap().confidence.is_sure());
    // Without a euro country nothing supports a currency: the amounts stay empty.
    let doc = read_xml(xml("US").as_bytes()).unwrap();
    assert!(doc.header.currency.is_none() && doc.totals.gross.is_none());
    // No type code: the root says invoice, but only a person may confirm it.
    assert_eq!(doc.kind(), DocumentKind::Invoice);
    assert!(!doc.header.kind.confidence.is_sure());
}

mod hostile;
mod ubl;
