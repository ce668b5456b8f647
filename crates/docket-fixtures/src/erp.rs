//! The ERP's records, derived from the scenarios and written as the domain types.
//!
//! Serialising `docket_domain::erp` types (never hand-written JSON) keeps
//! `fixtures/erp/*.json` in the shape the sandbox ERP and matching read.

use docket_domain::erp::{
    BookedInvoice, BookedLine, Customer, GoodsReceipt, Product, PurchaseOrder, PurchaseOrderLine,
    Supplier,
};
use docket_domain::{Currency, Money, erp::idempotency_key};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::View;
use crate::scenarios::{LineRef, World, parties};

/// The ERP's supplier master records.
pub fn suppliers(world: &World) -> Vec<Supplier> {
    world
        .suppliers
        .iter()
        .map(|c| Supplier {
            id: c.erp_id.unwrap_or_default().to_string(),
            name: c.name.to_string(),
            vat_id: Some(c.vat_id.to_string()),
            tax_number: c.tax_number.map(str::to_string),
            country: Some(c.country.to_string()),
            ibans: c.banks.iter().map(|b| b.iban.to_string()).collect(),
            email_domains: c.email_domains.iter().map(|d| d.to_string()).collect(),
            posting_blocked: false,
            payment_blocked: false,
        })
        .collect()
}

/// The purchase orders.
pub fn purchase_orders(world: &World) -> Vec<PurchaseOrder> {
    world
        .pos
        .iter()
        .map(|po| PurchaseOrder {
            number: po.number.to_string(),
            supplier_id: po.supplier.erp_id.unwrap_or_default().to_string(),
            order_date: po.date,
            currency: Currency::EUR,
            company: None,
            planned_delivery_costs: None,
            closed: false,
            lines: po
                .lines
                .iter()
                .map(|l| PurchaseOrderLine {
                    line: l.line.to_string(),
                    item_code: Some(l.item_code.to_string()),
                    supplier_item_code: Some(l.supplier_item_code.to_string()),
                    description: l.description.to_string(),
                    quantity: l.quantity,
                    unit: l.unit.erp_code().to_string(),
                    unit_price: l.price,
                    price_unit: Decimal::ONE,
                    // Domestic purchases carry 19 % input VAT; intra-EU ones are
                    // invoiced at 0 % (the buyer self-assesses).
                    tax_rate: Some(if po.supplier.country == world.buyer.country {
                        Decimal::from(19)
                    } else {
                        Decimal::ZERO
                    }),
                    goods_receipt_based: true,
                    unit_conversions: Vec::new(),
                })
                .collect(),
        })
        .collect()
}

/// The goods receipts and return deliveries.
pub fn goods_receipts(world: &World) -> Vec<GoodsReceipt> {
    world
        .receipts
        .iter()
        .map(|r| GoodsReceipt {
            number: r.number.to_string(),
            item: r.item.to_string(),
            purchase_order: r.po.to_string(),
            purchase_order_line: r.po_line.to_string(),
            quantity: r.quantity,
            date: r.date,
        })
        .collect()
}

/// The invoices booked before the inbox is read.
pub fn booked_invoices(world: &World) -> anyhow::Result<Vec<BookedInvoice>> {
    let mut out = Vec::new();
    for case in &world.cases {
        let Some(booked) = case.booked else { continue };
        let view = View::new(world, case)?;
        let inv = &case.invoice;
        let supplier_id = inv.supplier.erp_id.unwrap_or_default();
        let sign = view.sign();
        let lines = view
            .lines
            .iter()
            .zip(&inv.lines)
            .filter_map(|(vl, l)| match l.what {
                LineRef::Po(po, po_line) => Some(BookedLine {
                    purchase_order: po.to_string(),
                    purchase_order_line: po_line.to_string(),
                    quantity: vl.quantity * sign,
                    amount: vl.amount * sign,
                    goods_receipt: world
                        .receipts
                        .iter()
                        .find(|r| r.po == po && r.po_line == po_line && r.quantity > Decimal::ZERO)
                        .map(|r| r.number.to_string()),
                    account: None,
                }),
                LineRef::Free(_) => None,
            })
            .collect();
        out.push(BookedInvoice {
            erp_ref: booked.erp_ref.to_string(),
            supplier_id: supplier_id.to_string(),
            supplier_reference: inv.number.to_string(),
            kind: inv.kind,
            document_date: inv.date,
            gross: Money::new(view.gross * sign, Currency::EUR),
            lines,
            idempotency_key: booked
                .by_docket
                .then(|| idempotency_key(supplier_id, inv.number, inv.kind)),
            reversed: false,
        });
    }
    out.sort_by(|a, b| a.erp_ref.cmp(&b.erp_ref));
    Ok(out)
}

/// Kestrel's customers.
pub fn customers() -> Vec<Customer> {
    parties::CUSTOMERS
        .iter()
        .map(|c| Customer {
            id: c.id.to_string(),
            name: c.name.to_string(),
            vat_id: Some(c.vat_id.to_string()),
            email_domains: c.email_domains.iter().map(|d| d.to_string()).collect(),
        })
        .collect()
}

/// Kestrel's products.
pub fn products() -> Vec<Product> {
    parties::products()
        .into_iter()
        .map(|p| Product {
            code: p.code.to_string(),
            description: p.description.to_string(),
            unit: p.unit.to_string(),
            price: Money::new(p.price, Currency::EUR),
            gtin: Some(p.gtin.to_string()),
        })
        .collect()
}

/// Pretty JSON with a trailing newline.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The six ERP files as (file name, bytes).
pub fn files(world: &World) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        ("suppliers.json", json(&suppliers(world))?),
        ("purchase_orders.json", json(&purchase_orders(world))?),
        ("goods_receipts.json", json(&goods_receipts(world))?),
        ("booked_invoices.json", json(&booked_invoices(world)?)?),
        ("customers.json", json(&customers())?),
        ("products.json", json(&products())?),
    ])
}
