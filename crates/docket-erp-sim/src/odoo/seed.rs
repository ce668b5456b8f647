//! Seeding the simulator from an [`ErpSnapshot`]: suppliers and customers
//! become `res.partner` (with `supplier_rank` / `customer_rank`; numeric ids
//! are kept so that tests can name them) and `res.partner.bank`; purchase
//! orders `purchase.order(.line)` with products whose bill control policy
//! follows `goods_receipt_based`; receipts done `stock.picking`/`stock.move`
//! (reversals as returns pointing at the move they return); bookings
//! `account.move` with lines carrying `purchase_line_id`; sales orders
//! confirmed `sale.order`.

use std::collections::BTreeMap;

use docket_domain::DocumentKind;
use docket_domain::erp::ErpSnapshot;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::store::{Db, Record};

/// A decimal as Odoo's float on the wire.
pub fn num(d: Decimal) -> Value {
    d.normalize()
        .to_string()
        .parse::<f64>()
        .map_or(Value::Null, Value::from)
}

fn record(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        _ => Record::new(),
    }
}

/// The id of the record of `model` whose `key` field is `wanted`, created with `extra` if none.
fn ensure(db: &mut Db, model: &'static str, key: &str, wanted: &str, extra: Value) -> i64 {
    if let Some(id) = db
        .ids(model)
        .into_iter()
        .find(|id| db.get(model, *id).and_then(|r| r.get(key)) == Some(&json!(wanted)))
    {
        return id;
    }
    let mut rec = record(extra);
    rec.insert(key.to_string(), json!(wanted));
    db.put(model, 0, rec)
}

/// The `res.currency` of a currency, created on first use.
fn currency_id(db: &mut Db, currency: docket_domain::Currency) -> i64 {
    ensure(db, "res.currency", "name", currency.code(), json!({}))
}

/// Partner id for a snapshot id: the number itself where it is one.
fn partner_id(id: &str) -> i64 {
    id.trim().parse().unwrap_or(0)
}

/// Fills `db` from `snapshot`.
pub fn seed(db: &mut Db, snapshot: &ErpSnapshot) {
    let mut partners: BTreeMap<String, i64> = BTreeMap::new();
    for s in &snapshot.suppliers {
        let rec = record(json!({
            "name": s.name, "vat": s.vat_id, "ref": s.id, "is_company": true, "active": true,
            "email": s.email_domains.first().map(|d| format!("info@{d}")),
            "country_code": s.country, "supplier_rank": 1, "customer_rank": 0,
        }));
        let id = db.put("res.partner", partner_id(&s.id), rec);
        partners.insert(s.id.clone(), id);
        for iban in &s.ibans {
            // Odoo keeps the account as typed and a sanitized copy for searching.
            let typed: Vec<String> = iban
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            db.put(
                "res.partner.bank",
                0,
                record(json!({"acc_number": typed.join(" "), "sanitized_acc_number": iban.to_uppercase(), "partner_id": id})),
            );
        }
    }
    for c in &snapshot.customers {
        let existing = partner_id(&c.id);
        if let Some(rec) = db.get_mut("res.partner", existing) {
            rec.insert("customer_rank".into(), json!(1));
            partners.insert(c.id.clone(), existing);
            continue;
        }
        let rec = record(json!({
            "name": c.name, "vat": c.vat_id, "ref": c.id, "is_company": true, "active": true,
            "email": c.email_domains.first().map(|d| format!("info@{d}")),
            "supplier_rank": 0, "customer_rank": 1,
        }));
        partners.insert(c.id.clone(), db.put("res.partner", existing, rec));
    }
    for p in &snapshot.products {
        let currency = currency_id(db, p.price.currency);
        let uom = ensure(db, "uom.uom", "name", &p.unit, json!({}));
        ensure(
            db,
            "product.product",
            "default_code",
            &p.code,
            json!({"name": p.description, "barcode": p.gtin, "lst_price": num(p.price.amount),
                   "uom_id": uom, "currency_id": currency, "type": "consu", "purchase_method": "purchase"}),
        );
    }
    let mut lines: BTreeMap<(String, String), i64> = BTreeMap::new();
    for po in &snapshot.purchase_orders {
        let currency = currency_id(db, po.currency);
        // Before 19 a closed order is `done` (locked); 19 dropped that state for `locked`.
        let state = if po.closed && db.schema.version < 19 {
            "done"
        } else {
            "purchase"
        };
        let order = db.put(
            "purchase.order",
            0,
            record(json!({
                "name": po.number, "partner_id": partners.get(&po.supplier_id), "state": state,
                "locked": po.closed, "currency_id": currency, "partner_ref": Value::Bool(false),
                "date_order": format!("{} 00:00:00", po.order_date),
            })),
        );
        for (at, line) in po.lines.iter().enumerate() {
            let code = line
                .item_code
                .clone()
                .unwrap_or_else(|| line.description.clone());
            let uom = ensure(db, "uom.uom", "name", &line.unit, json!({}));
            let policy = if line.goods_receipt_based {
                "receive"
            } else {
                "purchase"
            };
            let product = ensure(
                db,
                "product.product",
                "default_code",
                &code,
                json!({"name": line.description, "uom_id": uom, "type": "consu", "purchase_method": policy}),
            );
            let taxes: Vec<i64> = line
                .tax_rate
                .map(|rate| {
                    let name = format!("{}%", rate.normalize());
                    ensure(
                        db,
                        "account.tax",
                        "name",
                        &name,
                        json!({"amount": num(rate), "amount_type": "percent", "type_tax_use": "purchase"}),
                    )
                })
                .into_iter()
                .collect();
            let price = if line.price_unit.is_zero() {
                line.unit_price
            } else {
                line.unit_price / line.price_unit
            };
            let id = db.put(
                "purchase.order.line",
                0,
                record(json!({
                    "order_id": order, "product_id": product, "name": line.description,
                    "sequence": (at + 1) * 10, "product_qty": num(line.quantity),
                    "product_uom_id": uom, "price_unit": num(price), "discount": 0.0,
                    "tax_ids": taxes,
                })),
            );
            lines.insert((po.number.clone(), line.line.clone()), id);
        }
    }
    seed_receipts(db, snapshot, &lines);
    seed_bookings(db, snapshot, &partners, &lines);
    for so in &snapshot.sales_orders {
        let order = db.put(
            "sale.order",
            0,
            record(json!({
                "name": so.erp_ref, "partner_id": partners.get(&so.customer_id),
                "client_order_ref": so.customer_reference, "state": "sale",
            })),
        );
        for line in &so.lines {
            let product = ensure(
                db,
                "product.product",
                "default_code",
                &line.product_code,
                json!({"name": line.product_code}),
            );
            let uom = ensure(db, "uom.uom", "name", &line.unit, json!({}));
            db.put(
                "sale.order.line",
                0,
                record(
                    json!({"order_id": order, "product_id": product, "name": line.product_code,
                    "product_uom_qty": num(line.quantity), "product_uom_id": uom,
                    "price_unit": line.price.map(num)}),
                ),
            );
        }
    }
}

fn line_product(db: &Db, line: i64) -> Value {
    db.get("purchase.order.line", line)
        .and_then(|r| r.get("product_id"))
        .cloned()
        .unwrap_or(Value::Bool(false))
}

fn seed_receipts(db: &mut Db, snapshot: &ErpSnapshot, lines: &BTreeMap<(String, String), i64>) {
    let mut pickings: BTreeMap<String, i64> = BTreeMap::new();
    let mut last_in: BTreeMap<i64, i64> = BTreeMap::new();
    for gr in &snapshot.goods_receipts {
        let Some(&line) = lines.get(&(gr.purchase_order.clone(), gr.purchase_order_line.clone()))
        else {
            continue;
        };
        let returned = gr.quantity.is_sign_negative();
        let picking = *pickings.entry(gr.number.clone()).or_insert_with(|| {
            let code = if returned { "outgoing" } else { "incoming" };
            db.put(
                "stock.picking",
                0,
                record(
                    json!({"name": gr.number, "state": "done", "origin": gr.purchase_order,
                    "date_done": format!("{} 12:00:00", gr.date), "picking_type_code": code}),
                ),
            )
        });
        let quantity = num(gr.quantity.abs());
        let origin = if returned {
            last_in.get(&line).map_or(Value::Bool(false), |m| json!(m))
        } else {
            Value::Bool(false)
        };
        let product = line_product(db, line);
        let id = db.put(
            "stock.move",
            0,
            record(json!({
                "purchase_line_id": line, "product_id": product, "product_uom_qty": quantity,
                "quantity": quantity, "state": "done", "picked": true, "reference": gr.number,
                "date": format!("{} 12:00:00", gr.date), "picking_id": picking,
                "origin_returned_move_id": origin, "to_refund": returned,
            })),
        );
        if !returned {
            last_in.insert(line, id);
        }
    }
}

fn seed_bookings(
    db: &mut Db,
    snapshot: &ErpSnapshot,
    partners: &BTreeMap<String, i64>,
    lines: &BTreeMap<(String, String), i64>,
) {
    for b in &snapshot.booked_invoices {
        let currency = currency_id(db, b.gross.currency);
        let untaxed: Decimal = b.lines.iter().map(|l| l.amount.abs()).sum();
        let move_type = if b.kind == DocumentKind::CreditNote {
            "in_refund"
        } else {
            "in_invoice"
        };
        let state = if b.reversed { "cancel" } else { "posted" };
        let id = db.put(
            "account.move",
            0,
            record(json!({
                "name": b.erp_ref, "move_type": move_type, "partner_id": partners.get(&b.supplier_id),
                "ref": b.supplier_reference, "invoice_date": b.document_date.to_string(),
                "state": state, "payment_state": "not_paid", "currency_id": currency,
                "amount_untaxed": num(untaxed), "amount_total": num(b.gross.amount),
            })),
        );
        for l in &b.lines {
            let po_line = lines
                .get(&(l.purchase_order.clone(), l.purchase_order_line.clone()))
                .copied();
            let quantity = l.quantity.abs();
            let price = if quantity.is_zero() {
                l.amount.abs()
            } else {
                l.amount.abs() / quantity
            };
            let product = po_line.map_or(Value::Bool(false), |p| line_product(db, p));
            db.put(
                "account.move.line",
                0,
                record(json!({
                    "move_id": id, "purchase_line_id": po_line, "product_id": product,
                    "name": l.account.clone().unwrap_or_default(), "display_type": "product",
                    "quantity": num(quantity), "price_unit": num(price),
                    "price_subtotal": num(l.amount.abs()),
                })),
            );
        }
    }
}
