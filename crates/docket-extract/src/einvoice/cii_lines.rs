//! Line items of the cross-industry family (CII, ZUGFeRD 1, Order-X).
//!
//! Invoices bill a `BilledQuantity`; orders request (`RequestedQuantity`) and
//! responses agree (`AgreedQuantity`); the rest of a line is shared.

use docket_domain::Line;

use super::cii::{RATE, REF_ID, allowance_charge};
use super::fields::Ctx;
use super::xml::El;

const AGREEMENT: &[&str] = &[
    "SpecifiedLineTradeAgreement",
    "SpecifiedSupplyChainTradeAgreement",
];
const DELIVERY: &[&str] = &[
    "SpecifiedLineTradeDelivery",
    "SpecifiedSupplyChainTradeDelivery",
];
const SETTLEMENT: &[&str] = &[
    "SpecifiedLineTradeSettlement",
    "SpecifiedSupplyChainTradeSettlement",
];
const SUMMATION: &[&str] = &[
    "SpecifiedTradeSettlementLineMonetarySummation",
    "SpecifiedTradeSettlementMonetarySummation",
];
const QUANTITY: &[&str] = &["BilledQuantity", "RequestedQuantity", "AgreedQuantity"];

/// Reads one `IncludedSupplyChainTradeLineItem`.
pub fn line(ctx: &Ctx, item: &El<'_, '_>) -> Line {
    let mut line = Line {
        id: ctx.string(item.at(&["AssociatedDocumentLineDocument", "LineID"])),
        ..Line::default()
    };
    if let Some(product) = item.child("SpecifiedTradeProduct") {
        line.seller_item_id = ctx.string(product.child("SellerAssignedID"));
        line.buyer_item_id = ctx.string(product.child("BuyerAssignedID"));
        // GlobalID is a GTIN only under scheme 0160 (GS1); other schemes are
        // other registries' numbers, and a missing scheme is a guess.
        line.gtin = ctx.string(
            product
                .children("GlobalID")
                .into_iter()
                .find(|g| g.attr("schemeID") == Some("0160")),
        );
        line.description = ctx
            .string(product.child("Name"))
            .or_else(|| ctx.string(product.child("Description")));
    }
    if let Some(agreement) = item.child_any(AGREEMENT) {
        if let Some(price) = agreement.child("NetPriceProductTradePrice") {
            line.unit_price = ctx.money(price.child("ChargeAmount"));
            line.price_unit = ctx.decimal(price.child("BasisQuantity"));
        }
        if let Some(order) = agreement.child("BuyerOrderReferencedDocument") {
            line.purchase_order = ctx.string(order.child_any(REF_ID));
            line.purchase_order_line = ctx.string(order.child("LineID"));
        }
    }
    if let Some(quantity) = item.child_any(DELIVERY).and_then(|d| d.child_any(QUANTITY)) {
        line.unit = quantity
            .attr("unitCode")
            .map(|u| docket_domain::Field::new(u.to_string(), quantity.evidence(ctx.ext, u)));
        line.quantity = ctx.decimal(Some(quantity));
    }
    if let Some(settlement) = item.child_any(SETTLEMENT) {
        line.tax_rate = ctx.decimal(
            settlement
                .children("ApplicableTradeTax")
                .into_iter()
                .find_map(|t| t.child_any(RATE)),
        );
        line.allowances_charges = settlement
            .children("SpecifiedTradeAllowanceCharge")
            .iter()
            .filter_map(|ac| allowance_charge(ctx, ac))
            .collect();
        line.amount = settlement
            .child_any(SUMMATION)
            .and_then(|s| ctx.money(s.child("LineTotalAmount")));
    }
    line
}
