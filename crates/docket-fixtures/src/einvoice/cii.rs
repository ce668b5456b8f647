//! UN/CEFACT Cross Industry Invoice (D16B) in the Factur-X / ZUGFeRD EN 16931 profile.

use super::{Xml, amount, plain};
use crate::model::View;
use crate::scenarios::Company;

/// The guideline id of the EN 16931 (COMFORT) profile.
pub const EN16931: &str = "urn:cen.eu:en16931:2017";

fn date(x: &mut Xml, wrapper: &'static str, d: chrono::NaiveDate) {
    x.open(wrapper, &[]);
    x.leaf_with(
        "udt:DateTimeString",
        &[("format", "102")],
        &d.format("%Y%m%d").to_string(),
    );
    x.close();
}

fn address(x: &mut Xml, c: &Company) {
    x.open("ram:PostalTradeAddress", &[])
        .leaf("ram:PostcodeCode", c.postcode)
        .leaf("ram:LineOne", c.street)
        .leaf("ram:CityName", c.city)
        .leaf("ram:CountryID", c.country)
        .close();
}

fn tax_registration(x: &mut Xml, vat_id: &str) {
    x.open("ram:SpecifiedTaxRegistration", &[])
        .leaf_with("ram:ID", &[("schemeID", "VA")], vat_id)
        .close();
}

/// The French legal notes (registration, penalties, recovery fee, discount).
fn notes(x: &mut Xml, v: &View) {
    let s = v.seller;
    let notes = [
        ("REG", format!("{} – {}", s.name, s.register)),
        (
            "PMD",
            "En cas de retard de paiement : pénalités au taux de trois fois le taux d'intérêt légal.".to_string(),
        ),
        ("PMT", "Indemnité forfaitaire pour frais de recouvrement : 40 EUR.".to_string()),
        ("AAB", "Pas d'escompte pour paiement anticipé.".to_string()),
    ];
    for (code, text) in notes {
        x.open("ram:IncludedNote", &[])
            .leaf("ram:Content", &text)
            .leaf("ram:SubjectCode", code)
            .close();
    }
}

/// The CII XML of a view.
pub fn invoice(v: &View) -> String {
    let mut x = Xml::new();
    x.open(
        "rsm:CrossIndustryInvoice",
        &[
            ("xmlns:rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"),
            ("xmlns:qdt", "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"),
            ("xmlns:ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"),
            ("xmlns:udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"),
        ],
    );
    x.open("rsm:ExchangedDocumentContext", &[])
        .open("ram:GuidelineSpecifiedDocumentContextParameter", &[])
        .leaf("ram:ID", EN16931)
        .close()
        .close();

    x.open("rsm:ExchangedDocument", &[])
        .leaf("ram:ID", v.inv.number);
    x.leaf("ram:TypeCode", if v.is_credit() { "381" } else { "380" });
    date(&mut x, "ram:IssueDateTime", v.inv.date);
    notes(&mut x, v);
    x.close();

    x.open("rsm:SupplyChainTradeTransaction", &[]);
    for l in &v.lines {
        x.open("ram:IncludedSupplyChainTradeLineItem", &[]);
        x.open("ram:AssociatedDocumentLineDocument", &[])
            .leaf("ram:LineID", &l.pos.to_string())
            .close();
        x.open("ram:SpecifiedTradeProduct", &[])
            .leaf("ram:SellerAssignedID", l.seller_item);
        if let Some(ours) = l.buyer_item {
            x.leaf("ram:BuyerAssignedID", ours);
        }
        x.leaf("ram:Name", l.description).close();
        x.open("ram:SpecifiedLineTradeAgreement", &[]);
        if let Some((_, po_line)) = l.po {
            x.open("ram:BuyerOrderReferencedDocument", &[])
                .leaf("ram:LineID", po_line)
                .close();
        }
        x.open("ram:NetPriceProductTradePrice", &[])
            .leaf("ram:ChargeAmount", &amount(l.price))
            .close()
            .close();
        x.open("ram:SpecifiedLineTradeDelivery", &[])
            .leaf_with(
                "ram:BilledQuantity",
                &[("unitCode", l.unit.unece())],
                &plain(l.quantity),
            )
            .close();
        x.open("ram:SpecifiedLineTradeSettlement", &[]);
        if let Some(t) = v.taxes.first() {
            x.open("ram:ApplicableTradeTax", &[])
                .leaf("ram:TypeCode", "VAT")
                .leaf("ram:CategoryCode", t.category)
                .leaf("ram:RateApplicablePercent", &plain(t.rate))
                .close();
        }
        x.open("ram:SpecifiedTradeSettlementLineMonetarySummation", &[])
            .leaf("ram:LineTotalAmount", &amount(l.amount))
            .close()
            .close()
            .close();
    }

    x.open("ram:ApplicableHeaderTradeAgreement", &[]);
    x.open("ram:SellerTradeParty", &[])
        .leaf("ram:Name", v.seller.name);
    let siren: String = v.seller.vat_id.chars().skip(4).collect();
    x.open("ram:SpecifiedLegalOrganization", &[])
        .leaf_with("ram:ID", &[("schemeID", "0002")], &siren)
        .close();
    address(&mut x, v.seller);
    x.open("ram:URIUniversalCommunication", &[])
        .leaf_with("ram:URIID", &[("schemeID", "EM")], v.seller.email)
        .close();
    tax_registration(&mut x, v.seller.vat_id);
    x.close();
    x.open("ram:BuyerTradeParty", &[])
        .leaf("ram:ID", v.seller.our_customer_number)
        .leaf("ram:Name", v.buyer.name);
    address(&mut x, v.buyer);
    tax_registration(&mut x, v.buyer.vat_id);
    x.close();
    for po in &v.purchase_orders {
        x.open("ram:BuyerOrderReferencedDocument", &[])
            .leaf("ram:IssuerAssignedID", po)
            .close();
    }
    x.close();

    x.open("ram:ApplicableHeaderTradeDelivery", &[]);
    x.open("ram:ShipToTradeParty", &[])
        .leaf("ram:Name", v.buyer.name);
    address(&mut x, v.buyer);
    x.close();
    x.open("ram:ActualDeliverySupplyChainEvent", &[]);
    date(&mut x, "ram:OccurrenceDateTime", v.inv.delivery_date);
    x.close().close();

    x.open("ram:ApplicableHeaderTradeSettlement", &[])
        .leaf("ram:PaymentReference", v.inv.number)
        .leaf("ram:InvoiceCurrencyCode", "EUR");
    x.open("ram:SpecifiedTradeSettlementPaymentMeans", &[])
        .leaf("ram:TypeCode", "58")
        .open("ram:PayeePartyCreditorFinancialAccount", &[])
        .leaf("ram:IBANID", v.bank.iban)
        .close()
        .open("ram:PayeeSpecifiedCreditorFinancialInstitution", &[])
        .leaf("ram:BICID", v.bank.bic)
        .close()
        .close();
    for t in &v.taxes {
        x.open("ram:ApplicableTradeTax", &[])
            .leaf("ram:CalculatedAmount", &amount(t.tax))
            .leaf("ram:TypeCode", "VAT");
        if t.category == "K" {
            x.leaf(
                "ram:ExemptionReason",
                "Exonération de TVA, article 262 ter I du CGI – autoliquidation",
            );
        }
        x.leaf("ram:BasisAmount", &amount(t.base))
            .leaf("ram:CategoryCode", t.category);
        if t.category == "K" {
            x.leaf("ram:ExemptionReasonCode", "VATEX-EU-IC");
        }
        x.leaf("ram:RateApplicablePercent", &plain(t.rate)).close();
    }
    x.open("ram:SpecifiedTradePaymentTerms", &[]).leaf(
        "ram:Description",
        &format!("Paiement à {} jours par virement.", v.inv.due_days),
    );
    date(&mut x, "ram:DueDateDateTime", v.due);
    x.close();
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation", &[])
        .leaf("ram:LineTotalAmount", &amount(v.net))
        .leaf("ram:TaxBasisTotalAmount", &amount(v.net))
        .leaf_with(
            "ram:TaxTotalAmount",
            &[("currencyID", "EUR")],
            &amount(v.tax),
        )
        .leaf("ram:GrandTotalAmount", &amount(v.gross))
        .leaf("ram:DuePayableAmount", &amount(v.gross))
        .close();
    x.finish()
}
