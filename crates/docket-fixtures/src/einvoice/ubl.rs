//! OASIS UBL 2.1 Invoice in the Peppol BIS Billing 3.0 flavour.

use super::{Xml, amount, plain};
use crate::model::View;
use crate::scenarios::Company;

/// Peppol BIS Billing 3.0 customization id.
pub const CUSTOMIZATION: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// Peppol BIS Billing 3.0 profile id.
pub const PROFILE: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

const EUR: [(&str, &str); 1] = [("currencyID", "EUR")];

fn tax_scheme(x: &mut Xml) {
    x.open("cac:TaxScheme", &[]).leaf("cbc:ID", "VAT").close();
}

fn party(x: &mut Xml, c: &Company, legal_form: Option<&str>, contact: bool) {
    x.open("cac:Party", &[]);
    x.leaf_with("cbc:EndpointID", &[("schemeID", "9930")], c.vat_id);
    x.open("cac:PartyName", &[])
        .leaf("cbc:Name", c.name)
        .close();
    x.open("cac:PostalAddress", &[])
        .leaf("cbc:StreetName", c.street)
        .leaf("cbc:CityName", c.city)
        .leaf("cbc:PostalZone", c.postcode)
        .open("cac:Country", &[])
        .leaf("cbc:IdentificationCode", c.country)
        .close()
        .close();
    x.open("cac:PartyTaxScheme", &[])
        .leaf("cbc:CompanyID", c.vat_id);
    tax_scheme(x);
    x.close();
    x.open("cac:PartyLegalEntity", &[])
        .leaf("cbc:RegistrationName", c.name);
    if let Some(form) = legal_form {
        x.leaf("cbc:CompanyLegalForm", form);
    }
    x.close();
    if contact {
        x.open("cac:Contact", &[])
            .leaf("cbc:Name", "Buchhaltung")
            .leaf("cbc:Telephone", c.phone)
            .leaf("cbc:ElectronicMail", c.email)
            .close();
    }
    x.close();
}

fn category(x: &mut Xml, wrapper: &'static str, id: &str, rate: &str) {
    x.open(wrapper, &[])
        .leaf("cbc:ID", id)
        .leaf("cbc:Percent", rate);
    tax_scheme(x);
    x.close();
}

/// The UBL XML of a view.
pub fn invoice(v: &View) -> String {
    let mut x = Xml::new();
    x.open(
        "Invoice",
        &[
            (
                "xmlns",
                "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
            ),
            (
                "xmlns:cac",
                "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
            ),
            (
                "xmlns:cbc",
                "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
            ),
        ],
    );
    x.leaf("cbc:CustomizationID", CUSTOMIZATION)
        .leaf("cbc:ProfileID", PROFILE)
        .leaf("cbc:ID", v.inv.number)
        .leaf("cbc:IssueDate", &v.inv.date.to_string())
        .leaf("cbc:DueDate", &v.due.to_string())
        .leaf("cbc:InvoiceTypeCode", "380")
        .leaf(
            "cbc:Note",
            &format!("Kundennummer {}", v.seller.our_customer_number),
        )
        .leaf("cbc:DocumentCurrencyCode", "EUR");
    for po in &v.purchase_orders {
        x.open("cac:OrderReference", &[]).leaf("cbc:ID", po).close();
    }
    x.open("cac:AccountingSupplierParty", &[]);
    party(&mut x, v.seller, Some(v.seller.register), true);
    x.close();
    x.open("cac:AccountingCustomerParty", &[]);
    party(&mut x, v.buyer, None, false);
    x.close();
    x.open("cac:Delivery", &[])
        .leaf("cbc:ActualDeliveryDate", &v.inv.delivery_date.to_string())
        .close();
    x.open("cac:PaymentMeans", &[])
        .leaf_with(
            "cbc:PaymentMeansCode",
            &[("name", "SEPA credit transfer")],
            "58",
        )
        .leaf("cbc:PaymentID", v.inv.number)
        .open("cac:PayeeFinancialAccount", &[])
        .leaf("cbc:ID", v.bank.iban)
        .leaf("cbc:Name", v.seller.name)
        .open("cac:FinancialInstitutionBranch", &[])
        .leaf("cbc:ID", v.bank.bic)
        .close()
        .close()
        .close();
    x.open("cac:PaymentTerms", &[])
        .leaf(
            "cbc:Note",
            &format!("Zahlbar innerhalb von {} Tagen ohne Abzug.", v.inv.due_days),
        )
        .close();

    x.open("cac:TaxTotal", &[])
        .leaf_with("cbc:TaxAmount", &EUR, &amount(v.tax));
    for t in &v.taxes {
        x.open("cac:TaxSubtotal", &[])
            .leaf_with("cbc:TaxableAmount", &EUR, &amount(t.base))
            .leaf_with("cbc:TaxAmount", &EUR, &amount(t.tax));
        category(&mut x, "cac:TaxCategory", t.category, &plain(t.rate));
        x.close();
    }
    x.close();
    x.open("cac:LegalMonetaryTotal", &[])
        .leaf_with("cbc:LineExtensionAmount", &EUR, &amount(v.net))
        .leaf_with("cbc:TaxExclusiveAmount", &EUR, &amount(v.net))
        .leaf_with("cbc:TaxInclusiveAmount", &EUR, &amount(v.gross))
        .leaf_with("cbc:PayableAmount", &EUR, &amount(v.gross))
        .close();

    let (cat, rate) = v
        .taxes
        .first()
        .map(|t| (t.category, plain(t.rate)))
        .unwrap_or(("S", "19".to_string()));
    for l in &v.lines {
        x.open("cac:InvoiceLine", &[])
            .leaf("cbc:ID", &l.pos.to_string())
            .leaf_with(
                "cbc:InvoicedQuantity",
                &[("unitCode", l.unit.unece())],
                &plain(l.quantity),
            )
            .leaf_with("cbc:LineExtensionAmount", &EUR, &amount(l.amount));
        if let Some((_, po_line)) = l.po {
            x.open("cac:OrderLineReference", &[])
                .leaf("cbc:LineID", po_line)
                .close();
        }
        x.open("cac:Item", &[]).leaf("cbc:Name", l.description);
        if let Some(ours) = l.buyer_item {
            x.open("cac:BuyersItemIdentification", &[])
                .leaf("cbc:ID", ours)
                .close();
        }
        x.open("cac:SellersItemIdentification", &[])
            .leaf("cbc:ID", l.seller_item)
            .close();
        category(&mut x, "cac:ClassifiedTaxCategory", cat, &rate);
        x.close();
        x.open("cac:Price", &[])
            .leaf_with("cbc:PriceAmount", &EUR, &amount(l.price))
            .close()
            .close();
    }
    x.finish()
}
