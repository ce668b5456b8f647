//! Creating bills and sales orders exactly once. Odoo posts a second bill
//! with the same `ref` without a word (NOTES.md 3.3: only
//! `duplicated_ref_ids` is set), so the adapter's own search is the only
//! guard: before every attempt, retries included, it looks for the record;
//! found before the first attempt it is a conflict, found before a retry it
//! is the earlier attempt's (its answer was lost), finished if still draft.

use std::sync::atomic::{AtomicU32, Ordering};

use docket_domain::erp::{BookedInvoice, BookedSalesOrder, BookingRequest, SalesOrderRequest};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::numbering::LineNumbers;
use super::read::m2o;
use super::{OdooErp, booking_domain, move_type, partner, sales_domain};
use crate::ErpError;
use crate::http::with_retries;

/// A decimal as Odoo's float on the wire.
fn float(d: Decimal) -> Value {
    d.normalize()
        .to_string()
        .parse::<f64>()
        .map_or(Value::Null, Value::from)
}

/// What to create and how to finish it.
struct Creation<'a> {
    model: &'a str,
    /// Finds the record if it exists (state not cancelled).
    find: Value,
    vals: Value,
    /// `action_post`, `action_confirm`.
    confirm: &'a str,
    /// States in which the record still needs `confirm`.
    draft: &'a [&'a str],
}

impl OdooErp {
    /// Creates and confirms the record unless it exists; returns its id.
    async fn create_once(&self, c: &Creation<'_>) -> Result<i64, ErpError> {
        let attempts = AtomicU32::new(0);
        let t = &self.transport;
        with_retries(self.http(), || async {
            let first = attempts.fetch_add(1, Ordering::SeqCst) == 0;
            let kwargs = json!({"domain": c.find, "fields": ["name", "state"], "limit": 1});
            let found = t.call(c.model, "search_read", &[], kwargs).await?;
            if let Some(existing) = found.get(0) {
                let id = existing["id"].as_i64().unwrap_or_default();
                let name = existing["name"].as_str().unwrap_or_default();
                if first {
                    return Err(ErpError::Conflict(format!(
                        "Odoo already has {} {name} (id {id}) for this reference",
                        c.model
                    )));
                }
                let state = existing["state"].as_str().unwrap_or_default();
                if c.draft.contains(&state) {
                    t.call(c.model, c.confirm, &[id], json!({})).await?;
                }
                tracing::info!(model = c.model, id, "found the earlier attempt's record");
                return Ok(id);
            }
            let created = t
                .call(c.model, "create", &[], json!({"vals_list": [c.vals]}))
                .await?;
            let id = created.get(0).and_then(Value::as_i64).ok_or_else(|| {
                ErpError::Permanent(format!("Odoo {}.create answered {created}", c.model))
            })?;
            t.call(c.model, c.confirm, &[id], json!({})).await?;
            Ok(id)
        })
        .await
    }

    pub(super) async fn book(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        let supplier = partner(&request.supplier_id)?;
        let kind = move_type(request.kind)?;
        // PO lines are named by order and number ("10", "20", …): see `numbering`.
        let orders: Vec<&str> = request
            .lines
            .iter()
            .filter(|l| !l.purchase_order_line.trim().is_empty())
            .map(|l| l.purchase_order.trim())
            .collect();
        let numbers = if orders.is_empty() {
            LineNumbers::default()
        } else {
            self.line_numbers(json!([["order_id.name", "in", orders]]), &["product_id"])
                .await?
        };
        let mut lines = Vec::new();
        for l in &request.lines {
            // A line without a quantity (a charge, a difference) is one unit of its amount.
            let quantity = match l.quantity.abs() {
                q if q.is_zero() => Decimal::ONE,
                q => q,
            };
            let price = l.amount.abs() / quantity;
            let mut vals = json!({"quantity": float(quantity), "price_unit": float(price)});
            if !l.purchase_order_line.trim().is_empty() {
                let (id, po_line) = numbers
                    .find(&l.purchase_order, &l.purchase_order_line)
                    .ok_or_else(|| {
                        ErpError::Permanent(format!(
                            "purchase order {} has no line {} in Odoo",
                            l.purchase_order, l.purchase_order_line
                        ))
                    })?;
                vals["purchase_line_id"] = json!(id);
                vals["product_id"] = json!(m2o(&po_line["product_id"]));
            } else {
                vals["name"] = json!(l.account.clone().unwrap_or_default());
            }
            lines.push(json!([0, 0, vals]));
        }
        let creation = Creation {
            model: "account.move",
            find: booking_domain(supplier, &request.supplier_reference, request.kind)?,
            vals: json!({
                "move_type": kind, "partner_id": supplier, "ref": request.supplier_reference.trim(),
                "invoice_date": request.document_date.to_string(), "invoice_line_ids": lines,
            }),
            confirm: "action_post",
            draft: &["draft"],
        };
        let id = self.create_once(&creation).await?;
        let mut booked = self
            .moves(json!([["id", "=", id]]), Some(1))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ErpError::NotFound(format!("Odoo account.move {id} after booking")))?;
        booked.idempotency_key = Some(request.idempotency_key.clone());
        tracing::info!(erp_ref = %booked.erp_ref, supplier = %booked.supplier_id, "booked in Odoo");
        Ok(booked)
    }

    pub(super) async fn create_sale(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        let customer = partner(&request.customer_id)?;
        let codes: Vec<String> = request
            .lines
            .iter()
            .map(|l| l.product_code.clone())
            .collect();
        let domain = json!([["default_code", "in", codes]]);
        let products = self
            .search_read("product.product", domain, &["default_code"], "id")
            .await?;
        let mut lines = Vec::new();
        for l in &request.lines {
            let product = products
                .iter()
                .find(|p| p["default_code"].as_str() == Some(l.product_code.as_str()))
                .and_then(|p| p["id"].as_i64())
                .ok_or_else(|| {
                    ErpError::Permanent(format!(
                        "product {} does not exist in Odoo",
                        l.product_code
                    ))
                })?;
            let mut vals = json!({"product_id": product, "product_uom_qty": float(l.quantity)});
            if let Some(price) = l.price {
                vals["price_unit"] = float(price);
            }
            lines.push(json!([0, 0, vals]));
        }
        let mut vals = json!({
            "partner_id": customer, "client_order_ref": request.customer_reference.trim(),
            "date_order": format!("{} 00:00:00", request.order_date), "order_line": lines,
        });
        if let Some(delivery) = request.requested_delivery {
            vals["commitment_date"] = json!(format!("{delivery} 00:00:00"));
        }
        let creation = Creation {
            model: "sale.order",
            find: sales_domain(customer, &request.customer_reference),
            vals,
            confirm: "action_confirm",
            draft: &["draft", "sent"],
        };
        let id = self.create_once(&creation).await?;
        self.sales_orders(json!([["id", "=", id]]))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ErpError::NotFound(format!("Odoo sale.order {id} after creating it")))
    }
}
