//! The reader for the UN/CEFACT cross-industry family: CII D16B and later
//! (ZUGFeRD 2.x, Factur-X, XRechnung CII), ZUGFeRD 1.0 and Order-X.
//!
//! The three share their building blocks (trade parties, trade tax, monetary
//! summations) and differ mostly in the names of the containers, so one reader
//! looks each container up under all its names instead of keeping three copies
//! that would drift apart. Line items live in [`super::cii_lines`].

use docket_domain::{
    AllowanceCharge, BankAccount, BusinessDocument, Confidence, DocumentKind, ExtractorKind, Field,
    Party, References, SourceSyntax, TaxSubtotal, Totals,
};

use super::fields::{AcParts, Ctx, document_currency};
use super::values;
use super::xml::El;
use crate::ExtractError;

/// Container names: CII D16B first, then ZUGFeRD 1.0.
const CONTEXT: &[&str] = &[
    "ExchangedDocumentContext",
    "SpecifiedExchangedDocumentContext",
];
const HEADER: &[&str] = &["ExchangedDocument", "HeaderExchangedDocument"];
const TRANSACTION: &[&str] = &[
    "SupplyChainTradeTransaction",
    "SpecifiedSupplyChainTradeTransaction",
];
const AGREEMENT: &[&str] = &[
    "ApplicableHeaderTradeAgreement",
    "ApplicableSupplyChainTradeAgreement",
];
const DELIVERY: &[&str] = &[
    "ApplicableHeaderTradeDelivery",
    "ApplicableSupplyChainTradeDelivery",
];
const SETTLEMENT: &[&str] = &[
    "ApplicableHeaderTradeSettlement",
    "ApplicableSupplyChainTradeSettlement",
];
const SUMMATION: &[&str] = &[
    "SpecifiedTradeSettlementHeaderMonetarySummation",
    "SpecifiedTradeSettlementMonetarySummation",
];
/// A referenced document's number: `IssuerAssignedID` since D16B, `ID` in ZUGFeRD 1.
pub(super) const REF_ID: &[&str] = &["IssuerAssignedID", "ID"];
/// The VAT rate: `RateApplicablePercent` since D16B, `ApplicablePercent` in ZUGFeRD 1.
pub(super) const RATE: &[&str] = &["RateApplicablePercent", "ApplicablePercent"];

/// Reads a cross-industry document whose root element is `root`.
pub fn read(root: &El<'_, '_>, syntax: SourceSyntax) -> Result<BusinessDocument, ExtractError> {
    let ext = match syntax {
        SourceSyntax::Zugferd1 => ExtractorKind::Zugferd1,
        _ => ExtractorKind::Cii,
    };
    let header = root.child_any(HEADER);
    let transaction = root.child_any(TRANSACTION);
    let (Some(header), Some(transaction)) = (header, transaction) else {
        return Err(ExtractError::NotADocument(format!(
            "{} without its document header or trade transaction",
            root.local()
        )));
    };
    let agreement = transaction.child_any(AGREEMENT);
    let delivery = transaction.child_any(DELIVERY);
    let settlement = transaction.child_any(SETTLEMENT);

    let currency = document_currency(
        ext,
        settlement
            .as_ref()
            .and_then(|s| s.child_any(&["InvoiceCurrencyCode", "OrderCurrencyCode"])),
        &transaction,
        agreement
            .as_ref()
            .and_then(|a| a.at(&["SellerTradeParty", "PostalTradeAddress", "CountryID"])),
    );
    let ctx = Ctx::new(ext, currency.as_ref());

    let kind = kind(&header, root, syntax, ext);
    let mut doc = BusinessDocument::empty(kind, syntax);
    doc.header.currency = currency;
    doc.header.number = ctx.string(header.child("ID"));
    doc.header.issue_date = ctx.cii_date(header.child("IssueDateTime"));
    doc.header.profile = root
        .child_any(CONTEXT)
        .and_then(|c| c.text_at(&["GuidelineSpecifiedDocumentContextParameter", "ID"]));
    doc.header.notes = header
        .children("IncludedNote")
        .iter()
        .flat_map(|n| n.children("Content"))
        .filter_map(|c| c.text())
        .collect();

    if let Some(agreement) = &agreement {
        if let Some(seller) = agreement.child("SellerTradeParty") {
            doc.seller = party(&ctx, &seller);
        }
        if let Some(buyer) = agreement.child("BuyerTradeParty") {
            doc.buyer = party(&ctx, &buyer);
        }
    }
    if let Some(delivery) = &delivery {
        doc.delivery = delivery
            .child("ShipToTradeParty")
            .map(|p| party(&ctx, &p))
            .filter(|p| !p.is_empty());
        doc.header.delivery_date = ctx
            .cii_date(delivery.at(&["ActualDeliverySupplyChainEvent", "OccurrenceDateTime"]))
            .or_else(|| {
                ctx.cii_date(
                    delivery.at(&["RequestedDeliverySupplyChainEvent", "OccurrenceDateTime"]),
                )
            });
    }
    doc.references = references(
        &ctx,
        agreement.as_ref(),
        delivery.as_ref(),
        settlement.as_ref(),
    );
    doc.lines = transaction
        .children("IncludedSupplyChainTradeLineItem")
        .iter()
        .map(|item| super::cii_lines::line(&ctx, item))
        .collect();
    if let Some(settlement) = &settlement {
        read_settlement(&ctx, settlement, &mut doc);
    }
    Ok(doc)
}

fn kind(
    header: &El<'_, '_>,
    root: &El<'_, '_>,
    syntax: SourceSyntax,
    ext: ExtractorKind,
) -> Field<DocumentKind> {
    if let Some(field) = header
        .child("TypeCode")
        .and_then(|code| code.parse_field(ext, |t| Some(DocumentKind::from_untdid_1001(t))))
    {
        return field;
    }
    // A document without a type code is invalid, but its root still says what
    // family it belongs to; the low confidence sends it to a person.
    let assumed = if syntax == SourceSyntax::OrderX {
        DocumentKind::Order
    } else {
        DocumentKind::Invoice
    };
    Field::new(assumed, root.evidence(ext, root.local())).with_confidence(Confidence::new(0.5))
}

/// A trade party (seller, buyer, ship-to).
pub(super) fn party(ctx: &Ctx, el: &El<'_, '_>) -> Party {
    let mut party = Party {
        name: ctx.string(el.child("Name")),
        account_id: ctx.string(el.child("ID")),
        registration_id: ctx.string(el.at(&["SpecifiedLegalOrganization", "ID"])),
        ..Party::default()
    };
    for registration in el.children("SpecifiedTaxRegistration") {
        let Some(id) = registration.child("ID") else {
            continue;
        };
        let Some(text) = id.text() else { continue };
        let scheme = id.attr("schemeID").map(str::to_ascii_uppercase);
        match scheme.as_deref() {
            Some("VA") if party.vat_id.is_none() => {
                party.vat_id =
                    values::vat_id(&text).map(|v| Field::new(v, id.evidence(ctx.ext, &text)));
            }
            Some("FC") if party.tax_number.is_none() => {
                party.tax_number = Some(Field::new(text.clone(), id.evidence(ctx.ext, &text)));
            }
            _ => {}
        }
    }
    if let Some(address) = el.child("PostalTradeAddress") {
        let lines = ["LineOne", "LineTwo", "LineThree"]
            .iter()
            .filter_map(|l| address.text_at(&[l]))
            .collect();
        party.address = ctx.address(
            &address,
            lines,
            address.text_at(&["PostcodeCode"]),
            address.text_at(&["CityName"]),
            address.text_at(&["CountryID"]),
        );
    }
    party.email = el
        .children("URIUniversalCommunication")
        .into_iter()
        .filter_map(|c| c.child("URIID"))
        .find(|id| {
            id.attr("schemeID")
                .is_some_and(|s| s.eq_ignore_ascii_case("EM"))
        })
        .or_else(|| {
            el.at(&[
                "DefinedTradeContact",
                "EmailURIUniversalCommunication",
                "URIID",
            ])
        })
        .and_then(|id| id.string_field(ctx.ext));
    party
}

fn references(
    ctx: &Ctx,
    agreement: Option<&El<'_, '_>>,
    delivery: Option<&El<'_, '_>>,
    settlement: Option<&El<'_, '_>>,
) -> References {
    let ids = |parent: Option<&El<'_, '_>>, local: &str| -> Vec<Field<String>> {
        parent
            .map(|p| p.children(local))
            .unwrap_or_default()
            .iter()
            .filter_map(|d| ctx.string(d.child_any(REF_ID)))
            .collect()
    };
    let mut delivery_notes = ids(delivery, "DespatchAdviceReferencedDocument");
    delivery_notes.extend(ids(delivery, "DeliveryNoteReferencedDocument"));
    References {
        purchase_orders: ids(agreement, "BuyerOrderReferencedDocument"),
        buyer_reference: agreement.and_then(|a| ctx.string(a.child("BuyerReference"))),
        contract: ids(agreement, "ContractReferencedDocument")
            .into_iter()
            .next(),
        preceding_invoices: ids(settlement, "InvoiceReferencedDocument"),
        delivery_notes,
    }
}

/// Reads an allowance/charge element (`SpecifiedTradeAllowanceCharge` and its kin).
pub(super) fn allowance_charge(ctx: &Ctx, el: &El<'_, '_>) -> Option<AllowanceCharge> {
    let is_charge = el
        .text_at(&["ChargeIndicator", "Indicator"])
        .and_then(|t| values::indicator(&t))?;
    ctx.allowance_charge(AcParts {
        is_charge,
        amount: el.child("ActualAmount"),
        base: el.child("BasisAmount"),
        percent: el.child("CalculationPercent"),
        reason: el.child("Reason"),
        reason_code: el.child("ReasonCode"),
        tax_rate: el.child("CategoryTradeTax").and_then(|t| t.child_any(RATE)),
    })
}

fn read_settlement(ctx: &Ctx, settlement: &El<'_, '_>, doc: &mut BusinessDocument) {
    for means in settlement.children("SpecifiedTradeSettlementPaymentMeans") {
        if let Some(account) = bank_account(ctx, &means) {
            doc.seller.bank_accounts.push(account);
        }
    }
    doc.tax_breakdown = settlement
        .children("ApplicableTradeTax")
        .iter()
        .filter_map(|tax| {
            Some(TaxSubtotal {
                tax: ctx.money(tax.child("CalculatedAmount"))?,
                taxable: ctx.money(tax.child("BasisAmount")),
                category: tax.text_at(&["CategoryCode"]),
                rate: tax
                    .child_any(RATE)
                    .and_then(|r| r.text())
                    .and_then(|t| values::decimal(&t)),
                exemption_reason: tax.text_at(&["ExemptionReason"]),
            })
        })
        .collect();
    doc.allowances_charges = settlement
        .children("SpecifiedTradeAllowanceCharge")
        .iter()
        .filter_map(|ac| allowance_charge(ctx, ac))
        .collect();
    for service in settlement.children("SpecifiedLogisticsServiceCharge") {
        let charge = ctx.allowance_charge(AcParts {
            is_charge: true,
            amount: service.child("AppliedAmount"),
            base: None,
            percent: None,
            reason: service.child("Description"),
            reason_code: None,
            tax_rate: service
                .child("AppliedTradeTax")
                .and_then(|t| t.child_any(RATE)),
        });
        doc.allowances_charges.extend(charge);
    }
    if let Some(sum) = settlement.child_any(SUMMATION) {
        doc.totals = totals(ctx, &sum);
    }
    let terms = settlement.children("SpecifiedTradePaymentTerms");
    let descriptions: Vec<(El<'_, '_>, String)> = terms
        .iter()
        .filter_map(|t| t.child("Description"))
        .filter_map(|d| d.text().map(|text| (d, text)))
        .collect();
    if let Some((first, _)) = descriptions.first() {
        let text = descriptions
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        doc.payment.description = Some(Field::new(text.clone(), first.evidence(ctx.ext, &text)));
    }
    doc.payment.due_date = terms
        .iter()
        .find_map(|t| ctx.cii_date(t.child("DueDateDateTime")));
    if let Some(discount) = terms
        .iter()
        .find_map(|t| t.child("ApplicableTradePaymentDiscountTerms"))
    {
        doc.payment.discount_percent = discount
            .text_at(&["CalculationPercent"])
            .and_then(|t| values::decimal(&t));
        doc.payment.discount_days = discount
            .child("BasisPeriodMeasure")
            .filter(|m| m.attr("unitCode").is_none_or(|u| u == "DAY"))
            .and_then(|m| m.text())
            .and_then(|t| values::days(&t));
    }
    doc.payment.payment_reference = ctx.string(settlement.child("PaymentReference"));
}

fn bank_account(ctx: &Ctx, means: &El<'_, '_>) -> Option<BankAccount> {
    let account = means.child("PayeePartyCreditorFinancialAccount")?;
    let iban_el = account.child("IBANID")?;
    let raw = iban_el.text()?;
    let iban = values::compact_account(&raw)?;
    let bic = means
        .at(&["PayeeSpecifiedCreditorFinancialInstitution", "BICID"])
        .and_then(|b| {
            let raw = b.text()?;
            Some(Field::new(
                values::compact_account(&raw)?,
                b.evidence(ctx.ext, &raw),
            ))
        });
    Some(BankAccount {
        iban: Field::new(iban, iban_el.evidence(ctx.ext, &raw)),
        bic,
        holder: account.text_at(&["AccountName"]),
    })
}

fn totals(ctx: &Ctx, sum: &El<'_, '_>) -> Totals {
    // Several TaxTotalAmount elements appear when VAT is also stated in the tax
    // currency (BT-111); the document-currency one is the total that adds up.
    let taxes = sum.children("TaxTotalAmount");
    let wanted = ctx.currency.map(|c| c.code().to_string());
    let tax = taxes
        .iter()
        .find(|t| {
            t.attr("currencyID")
                .is_some_and(|c| Some(c) == wanted.as_deref())
        })
        .or_else(|| taxes.iter().find(|t| t.attr("currencyID").is_none()))
        .or_else(|| taxes.first())
        .cloned();
    Totals {
        line_total: ctx.money(sum.child("LineTotalAmount")),
        allowances: ctx.money(sum.child("AllowanceTotalAmount")),
        charges: ctx.money(sum.child("ChargeTotalAmount")),
        net: ctx.money(sum.child("TaxBasisTotalAmount")),
        tax: ctx.tagged_money(tax),
        gross: ctx.money(sum.child("GrandTotalAmount")),
        prepaid: ctx.money(sum.child("TotalPrepaidAmount")),
        due: ctx.money(sum.child("DuePayableAmount")),
    }
}
