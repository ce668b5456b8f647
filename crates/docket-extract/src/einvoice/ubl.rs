//! The reader for OASIS UBL 2.1 `Invoice` and `CreditNote` (Peppol BIS 3,
//! XRechnung UBL, EN 16931 UBL).
//!
//! The two roots differ only in a few names (`InvoiceLine`/`CreditNoteLine`,
//! `InvoicedQuantity`/`CreditedQuantity`, the type code element), so one reader
//! serves both.

use docket_domain::{
    AllowanceCharge, BankAccount, BusinessDocument, Confidence, DocumentKind, ExtractorKind, Field,
    Line, Party, References, SourceSyntax, TaxSubtotal, Totals,
};

use super::fields::{AcParts, Ctx, document_currency};
use super::values;
use super::xml::El;
use crate::ExtractError;

const EXT: ExtractorKind = ExtractorKind::Ubl;

/// Reads a UBL document whose root element is `root`.
pub fn read(root: &El<'_, '_>, syntax: SourceSyntax) -> Result<BusinessDocument, ExtractError> {
    let credit = syntax == SourceSyntax::UblCreditNote;
    let currency = document_currency(
        EXT,
        root.child("DocumentCurrencyCode"),
        root,
        root.at(&[
            "AccountingSupplierParty",
            "Party",
            "PostalAddress",
            "Country",
            "IdentificationCode",
        ]),
    );
    let ctx = Ctx::new(EXT, currency.as_ref());

    let type_code = root.child(if credit {
        "CreditNoteTypeCode"
    } else {
        "InvoiceTypeCode"
    });
    let kind = type_code
        .and_then(|c| c.parse_field(EXT, |t| Some(DocumentKind::from_untdid_1001(t))))
        .unwrap_or_else(|| {
            // The root element names the kind when the type code is missing.
            let kind = if credit {
                DocumentKind::CreditNote
            } else {
                DocumentKind::Invoice
            };
            Field::new(kind, root.evidence(EXT, root.local())).with_confidence(Confidence::new(0.9))
        });
    let mut doc = BusinessDocument::empty(kind, syntax);
    doc.header.currency = currency;
    doc.header.number = ctx.string(root.child("ID"));
    doc.header.issue_date = ctx.iso_date(root.child("IssueDate"));
    doc.header.profile = root.text_at(&["CustomizationID"]);
    doc.header.notes = root.children("Note").iter().filter_map(El::text).collect();
    doc.header.delivery_date = ctx.iso_date(root.at(&["Delivery", "ActualDeliveryDate"]));

    if let Some(seller) = root.at(&["AccountingSupplierParty", "Party"]) {
        doc.seller = party(&ctx, &seller);
    }
    if let Some(buyer) = root.at(&["AccountingCustomerParty", "Party"]) {
        doc.buyer = party(&ctx, &buyer);
    }
    doc.delivery = root
        .child("Delivery")
        .and_then(|d| delivery_party(&ctx, &d));
    doc.references = references(&ctx, root);

    let (line_name, quantity_name) = if credit {
        ("CreditNoteLine", "CreditedQuantity")
    } else {
        ("InvoiceLine", "InvoicedQuantity")
    };
    doc.lines = root
        .children(line_name)
        .iter()
        .map(|l| line(&ctx, l, quantity_name))
        .collect();
    doc.allowances_charges = root
        .children("AllowanceCharge")
        .iter()
        .filter_map(|ac| allowance_charge(&ctx, ac))
        .collect();
    doc.tax_breakdown = root
        .children("TaxTotal")
        .iter()
        .flat_map(|t| t.children("TaxSubtotal"))
        .filter_map(|sub| tax_subtotal(&ctx, &sub))
        .collect();
    if let Some(sum) = root.child("LegalMonetaryTotal") {
        doc.totals = totals(&ctx, &sum);
    }
    doc.totals.tax = tax_total(&ctx, root);
    payment(&ctx, root, &mut doc);
    Ok(doc)
}

fn party(ctx: &Ctx, el: &El<'_, '_>) -> Party {
    let legal = el.child("PartyLegalEntity");
    let mut party = Party {
        // BT-27 (the legal name) is RegistrationName; PartyName is the trading name.
        name: ctx
            .string(legal.as_ref().and_then(|l| l.child("RegistrationName")))
            .or_else(|| ctx.string(el.at(&["PartyName", "Name"]))),
        registration_id: ctx.string(legal.as_ref().and_then(|l| l.child("CompanyID"))),
        account_id: ctx.string(el.at(&["PartyIdentification", "ID"])),
        email: ctx.string(el.at(&["Contact", "ElectronicMail"])),
        ..Party::default()
    };
    for scheme in el.children("PartyTaxScheme") {
        let Some(id) = scheme.child("CompanyID") else {
            continue;
        };
        let Some(text) = id.text() else { continue };
        // Only TaxScheme VAT is a VAT id; XRechnung writes the German tax
        // number (BT-32) under any other scheme id.
        let is_vat = scheme
            .text_at(&["TaxScheme", "ID"])
            .is_some_and(|s| s.eq_ignore_ascii_case("VAT"));
        if is_vat && party.vat_id.is_none() {
            party.vat_id = values::vat_id(&text).map(|v| Field::new(v, id.evidence(EXT, &text)));
        } else if !is_vat && party.tax_number.is_none() {
            party.tax_number = Some(Field::new(text.clone(), id.evidence(EXT, &text)));
        }
    }
    if let Some(address) = el.child("PostalAddress") {
        party.address = address_of(ctx, &address);
    }
    party
}

fn address_of(ctx: &Ctx, address: &El<'_, '_>) -> Option<Field<docket_domain::Address>> {
    let mut lines: Vec<String> = ["StreetName", "AdditionalStreetName"]
        .iter()
        .filter_map(|l| address.text_at(&[l]))
        .collect();
    lines.extend(
        address
            .children("AddressLine")
            .iter()
            .filter_map(|l| l.text_at(&["Line"])),
    );
    ctx.address(
        address,
        lines,
        address.text_at(&["PostalZone"]),
        address.text_at(&["CityName"]),
        address.text_at(&["Country", "IdentificationCode"]),
    )
}

fn delivery_party(ctx: &Ctx, delivery: &El<'_, '_>) -> Option<Party> {
    let party = Party {
        name: ctx.string(delivery.at(&["DeliveryParty", "PartyName", "Name"])),
        address: delivery
            .at(&["DeliveryLocation", "Address"])
            .and_then(|a| address_of(ctx, &a)),
        ..Party::default()
    };
    (!party.is_empty()).then_some(party)
}

fn references(ctx: &Ctx, root: &El<'_, '_>) -> References {
    let ids = |container: &str, id_path: &[&str]| -> Vec<Field<String>> {
        root.children(container)
            .iter()
            .filter_map(|c| ctx.string(c.at(id_path)))
            .collect()
    };
    References {
        purchase_orders: ids("OrderReference", &["ID"]),
        buyer_reference: ctx.string(root.child("BuyerReference")),
        contract: ids("ContractDocumentReference", &["ID"]).into_iter().next(),
        preceding_invoices: ids("BillingReference", &["InvoiceDocumentReference", "ID"]),
        delivery_notes: ids("DespatchDocumentReference", &["ID"]),
    }
}

fn line(ctx: &Ctx, el: &El<'_, '_>, quantity_name: &str) -> Line {
    let item = el.child("Item");
    let item_text = |path: &[&str]| item.as_ref().and_then(|i| ctx.string(i.at(path)));
    let quantity = el.child(quantity_name);
    let price = el.child("Price");
    Line {
        id: ctx.string(el.child("ID")),
        seller_item_id: item_text(&["SellersItemIdentification", "ID"]),
        buyer_item_id: item_text(&["BuyersItemIdentification", "ID"]),
        gtin: item.as_ref().and_then(|i| {
            ctx.string(
                i.children("StandardItemIdentification")
                    .into_iter()
                    .filter_map(|s| s.child("ID"))
                    .find(|id| id.attr("schemeID") == Some("0160")),
            )
        }),
        description: item_text(&["Name"]).or_else(|| item_text(&["Description"])),
        unit: quantity
            .as_ref()
            .and_then(|q| Some((q, q.attr("unitCode")?)))
            .map(|(q, u)| Field::new(u.to_string(), q.evidence(EXT, u))),
        quantity: ctx.decimal(quantity),
        unit_price: ctx.money(price.as_ref().and_then(|p| p.child("PriceAmount"))),
        price_unit: ctx.decimal(price.as_ref().and_then(|p| p.child("BaseQuantity"))),
        allowances_charges: el
            .children("AllowanceCharge")
            .iter()
            .filter_map(|ac| allowance_charge(ctx, ac))
            .collect(),
        tax_rate: ctx.decimal(
            item.as_ref()
                .and_then(|i| i.at(&["ClassifiedTaxCategory", "Percent"])),
        ),
        amount: ctx.money(el.child("LineExtensionAmount")),
        purchase_order: ctx.string(el.at(&["OrderLineReference", "OrderReference", "ID"])),
        purchase_order_line: ctx.string(el.at(&["OrderLineReference", "LineID"])),
    }
}

fn allowance_charge(ctx: &Ctx, el: &El<'_, '_>) -> Option<AllowanceCharge> {
    let is_charge = el
        .text_at(&["ChargeIndicator"])
        .and_then(|t| values::indicator(&t))?;
    ctx.allowance_charge(AcParts {
        is_charge,
        amount: el.child("Amount"),
        base: el.child("BaseAmount"),
        percent: el.child("MultiplierFactorNumeric"),
        reason: el.child("AllowanceChargeReason"),
        reason_code: el.child("AllowanceChargeReasonCode"),
        tax_rate: el.at(&["TaxCategory", "Percent"]),
    })
}

fn tax_subtotal(ctx: &Ctx, sub: &El<'_, '_>) -> Option<TaxSubtotal> {
    let category = sub.child("TaxCategory");
    Some(TaxSubtotal {
        tax: ctx.money(sub.child("TaxAmount"))?,
        taxable: ctx.money(sub.child("TaxableAmount")),
        category: category.as_ref().and_then(|c| c.text_at(&["ID"])),
        // UBL 2.0 producers put the rate on the subtotal itself.
        rate: category
            .as_ref()
            .and_then(|c| c.text_at(&["Percent"]))
            .or_else(|| sub.text_at(&["Percent"]))
            .and_then(|t| values::decimal(&t)),
        exemption_reason: category
            .as_ref()
            .and_then(|c| c.text_at(&["TaxExemptionReason"])),
    })
}

/// The VAT total in the document currency: a second `TaxTotal` may state it in
/// the tax currency (BT-111), which is not the amount that adds up.
fn tax_total(ctx: &Ctx, root: &El<'_, '_>) -> Option<Field<docket_domain::Money>> {
    let amounts: Vec<El<'_, '_>> = root
        .children("TaxTotal")
        .iter()
        .filter_map(|t| t.child("TaxAmount"))
        .collect();
    let wanted = ctx.currency.map(|c| c.code().to_string());
    let chosen = amounts
        .iter()
        .find(|a| {
            a.attr("currencyID")
                .is_some_and(|c| Some(c) == wanted.as_deref())
        })
        .or_else(|| amounts.first())
        .cloned();
    ctx.tagged_money(chosen)
}

fn totals(ctx: &Ctx, sum: &El<'_, '_>) -> Totals {
    Totals {
        line_total: ctx.money(sum.child("LineExtensionAmount")),
        allowances: ctx.money(sum.child("AllowanceTotalAmount")),
        charges: ctx.money(sum.child("ChargeTotalAmount")),
        net: ctx.money(sum.child("TaxExclusiveAmount")),
        tax: None,
        gross: ctx.money(sum.child("TaxInclusiveAmount")),
        prepaid: ctx.money(sum.child("PrepaidAmount")),
        due: ctx.money(sum.child("PayableAmount")),
    }
}

fn payment(ctx: &Ctx, root: &El<'_, '_>, doc: &mut BusinessDocument) {
    let means = root.children("PaymentMeans");
    for m in &means {
        let Some(account) = m.child("PayeeFinancialAccount") else {
            continue;
        };
        let Some(id) = account.child("ID") else {
            continue;
        };
        let Some(raw) = id.text() else { continue };
        let Some(iban) = values::compact_account(&raw) else {
            continue;
        };
        let bic = account
            .at(&["FinancialInstitutionBranch", "ID"])
            .or_else(|| account.at(&["FinancialInstitutionBranch", "FinancialInstitution", "ID"]))
            .and_then(|b| {
                let raw = b.text()?;
                Some(Field::new(
                    values::compact_account(&raw)?,
                    b.evidence(EXT, &raw),
                ))
            });
        doc.seller.bank_accounts.push(BankAccount {
            iban: Field::new(iban, id.evidence(EXT, &raw)),
            bic,
            holder: account.text_at(&["Name"]),
        });
    }
    doc.payment.payment_reference = means.iter().find_map(|m| ctx.string(m.child("PaymentID")));
    // Invoices carry the due date at the top; credit notes (and UBL 2.0) in PaymentMeans.
    doc.payment.due_date = ctx.iso_date(root.child("DueDate")).or_else(|| {
        means
            .iter()
            .find_map(|m| ctx.iso_date(m.child("PaymentDueDate")))
    });
    let notes: Vec<(El<'_, '_>, String)> = root
        .children("PaymentTerms")
        .into_iter()
        .filter_map(|t| t.child("Note"))
        .filter_map(|n| n.text().map(|t| (n, t)))
        .collect();
    if let Some((first, _)) = notes.first() {
        let text = notes
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        doc.payment.description = Some(Field::new(text.clone(), first.evidence(EXT, &text)));
    }
}
