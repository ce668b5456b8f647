//! Reading Odoo records into Docket's ERP types: partners (by VAT, by the
//! bank's `sanitized_acc_number`, by e-mail domain, by a similar name),
//! purchase orders with their lines (the unit price net of the line
//! discount; goods-receipt based when the product bills on received
//! quantities), done stock moves as receipts (returns negative), bills and
//! refunds with their PO-linked lines, products and sales orders.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use docket_domain::erp::{
    BookedInvoice, BookedLine, BookedSalesOrder, Customer, GoodsReceipt, Product, PurchaseOrder,
    PurchaseOrderLine, SalesOrderLine, Supplier,
};
use docket_domain::{Currency, DocumentKind, Money, normalize};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::OdooErp;
use super::numbering::LineNumbers;
use crate::similar_names;
use crate::{CustomerQuery, ErpError, SupplierQuery};

/// Records per `search_read` page.
const PAGE: usize = 500;

/// The id of a many2one (`[id, name]` or `false`).
pub(super) fn m2o(v: &Value) -> Option<i64> {
    v.get(0).and_then(Value::as_i64)
}

/// The display name of a many2one.
pub(super) fn m2o_name(v: &Value) -> Option<String> {
    v.get(1).and_then(Value::as_str).map(str::to_string)
}

/// A char field (`false` when unset).
fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string).filter(|s| !s.is_empty())
}

/// A float field as a decimal (Odoo's floats carry no more than their digits).
fn dec(v: &Value) -> Decimal {
    match v {
        Value::Number(n) => {
            let s = n.to_string();
            Decimal::from_str(&s)
                .or_else(|_| Decimal::from_scientific(&s))
                .unwrap_or_default()
        }
        _ => Decimal::ZERO,
    }
}

/// A date or datetime field's date.
fn date(v: &Value, what: &str) -> Result<NaiveDate, ErpError> {
    let s = v.as_str().unwrap_or_default();
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|_| ErpError::Permanent(format!("Odoo {what}: unreadable date {v}")))
}

fn currency(v: &Value, what: &str) -> Result<Currency, ErpError> {
    let code = m2o_name(v).unwrap_or_default();
    Currency::parse(&code)
        .map_err(|_| ErpError::Permanent(format!("Odoo {what}: unknown currency {v}")))
}

pub(super) fn ids(records: &[Value], field: &str) -> Vec<i64> {
    let set: BTreeSet<i64> = records
        .iter()
        .filter_map(|r| {
            let v = &r[field];
            v.as_i64().or_else(|| m2o(v))
        })
        .collect();
    set.into_iter().collect()
}

/// The e-mail domain of a partner's address.
fn email_domain(record: &Value) -> Vec<String> {
    text(&record["email"])
        .and_then(|e| e.rsplit_once('@').map(|(_, d)| d.to_lowercase()))
        .into_iter()
        .collect()
}

/// A domain that holds when any of `leaves` holds (Odoo's prefix `|`).
fn any_of(leaves: Vec<Value>) -> Vec<Value> {
    let mut domain: Vec<Value> = (1..leaves.len()).map(|_| json!("|")).collect();
    domain.extend(leaves);
    domain
}

impl OdooErp {
    /// Every record matching `domain`, page by page.
    pub(super) async fn search_read(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
        order: &str,
    ) -> Result<Vec<Value>, ErpError> {
        let mut all = Vec::new();
        loop {
            let kwargs = json!({"domain": domain, "fields": fields, "order": order,
                "offset": all.len(), "limit": PAGE});
            let page = self.call(model, "search_read", &[], kwargs).await?;
            let page = page.as_array().cloned().unwrap_or_default();
            let done = page.len() < PAGE;
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// Records by id, keyed by id.
    async fn read_map(
        &self,
        model: &str,
        ids: &[i64],
        fields: &[&str],
    ) -> Result<BTreeMap<i64, Value>, ErpError> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let rows = self
            .call(model, "read", ids, json!({"fields": fields}))
            .await?;
        Ok(rows
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_i64().map(|id| (id, r.clone())))
            .collect())
    }

    /// Partners of one kind (`supplier_rank` / `customer_rank`) matching any
    /// of `exact`, plus those whose name resembles `name`.
    async fn partners(
        &self,
        rank: &str,
        exact: Vec<Value>,
        name: Option<&str>,
    ) -> Result<Vec<Value>, ErpError> {
        let fields = ["name", "vat", "ref", "email", "country_code"];
        let mut found: BTreeMap<i64, Value> = BTreeMap::new();
        if !exact.is_empty() {
            let mut domain = vec![json!([rank, ">", 0])];
            domain.extend(any_of(exact));
            for r in self
                .search_read("res.partner", json!(domain), &fields, "id")
                .await?
            {
                found.insert(r["id"].as_i64().unwrap_or_default(), r);
            }
        }
        // Odoo cannot rank by similarity: narrow by the name's longest word, then compare here.
        let word = name.and_then(|n| {
            normalize::company_name(n)
                .split_whitespace()
                .max_by_key(|w| w.len())
                .filter(|w| w.len() >= 3)
                .map(str::to_string)
        });
        if let (Some(name), Some(word)) = (name, word) {
            let domain = json!([[rank, ">", 0], ["name", "ilike", word]]);
            for r in self
                .search_read("res.partner", domain, &fields, "id")
                .await?
            {
                if similar_names(name, r["name"].as_str().unwrap_or_default()) {
                    found.insert(r["id"].as_i64().unwrap_or_default(), r);
                }
            }
        }
        Ok(found.into_values().collect())
    }

    pub(super) async fn suppliers(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        let mut exact = Vec::new();
        if !query.vat_ids.is_empty() {
            exact.push(json!(["vat", "in", query.vat_ids]));
        }
        if !query.ibans.is_empty() {
            let domain = json!([["sanitized_acc_number", "in", query.ibans]]);
            let banks = self
                .search_read("res.partner.bank", domain, &["partner_id"], "id")
                .await?;
            exact.push(json!(["id", "in", ids(&banks, "partner_id")]));
        }
        if let Some(domain) = &query.email_domain {
            exact.push(json!(["email", "=ilike", format!("%@{domain}")]));
        }
        let partners = self
            .partners("supplier_rank", exact, query.name.as_deref())
            .await?;
        self.supplier_list(&partners).await
    }

    /// Suppliers from `res.partner` records (`name`, `vat`, `email`,
    /// `country_code`), with their bank accounts.
    pub(super) async fn supplier_list(
        &self,
        partners: &[Value],
    ) -> Result<Vec<Supplier>, ErpError> {
        let partner_ids = ids(partners, "id");
        let mut ibans: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        if !partner_ids.is_empty() {
            let domain = json!([["partner_id", "in", partner_ids]]);
            let fields = ["partner_id", "sanitized_acc_number"];
            for bank in self
                .search_read("res.partner.bank", domain, &fields, "id")
                .await?
            {
                if let (Some(p), Some(iban)) = (
                    m2o(&bank["partner_id"]),
                    text(&bank["sanitized_acc_number"]),
                ) {
                    ibans.entry(p).or_default().push(iban);
                }
            }
        }
        Ok(partners
            .iter()
            .map(|p| {
                let id = p["id"].as_i64().unwrap_or_default();
                Supplier {
                    id: id.to_string(),
                    name: text(&p["name"]).unwrap_or_default(),
                    vat_id: text(&p["vat"]).map(|v| normalize::compact_identifier(&v)),
                    tax_number: None,
                    country: text(&p["country_code"]),
                    ibans: ibans.remove(&id).unwrap_or_default(),
                    email_domains: email_domain(p),
                    posting_blocked: false,
                    payment_blocked: false,
                }
            })
            .collect())
    }

    pub(super) async fn customers(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        let mut exact = Vec::new();
        if let Some(number) = query.customer_number.as_deref().map(str::trim) {
            exact.push(json!(["ref", "=", number]));
            if let Ok(id) = number.parse::<i64>() {
                exact.push(json!(["id", "=", id]));
            }
        }
        if !query.vat_ids.is_empty() {
            exact.push(json!(["vat", "in", query.vat_ids]));
        }
        if let Some(domain) = &query.email_domain {
            exact.push(json!(["email", "=ilike", format!("%@{domain}")]));
        }
        let partners = self
            .partners("customer_rank", exact, query.name.as_deref())
            .await?;
        Ok(partners
            .iter()
            .map(|p| Customer {
                id: p["id"].as_i64().unwrap_or_default().to_string(),
                name: text(&p["name"]).unwrap_or_default(),
                vat_id: text(&p["vat"]).map(|v| normalize::compact_identifier(&v)),
                email_domains: email_domain(p),
            })
            .collect())
    }

    /// Purchase orders matching `domain`, with their lines.
    pub(super) async fn orders(&self, domain: Value) -> Result<Vec<PurchaseOrder>, ErpError> {
        let names = self.field_names().await?.clone();
        let mut fields = vec![
            "name",
            "partner_id",
            "date_order",
            "currency_id",
            "state",
            "invoice_status",
        ];
        if names.po_locked {
            fields.push("locked");
        }
        let orders = self
            .search_read("purchase.order", domain, &fields, "id")
            .await?;
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let line_fields = [
            "order_id",
            "product_id",
            "name",
            "product_qty",
            "price_unit",
            "discount",
            names.po_line_uom.as_str(),
            names.po_line_taxes.as_str(),
        ];
        let domain = json!([["order_id", "in", ids(&orders, "id")]]);
        let lines = self
            .search_read(
                "purchase.order.line",
                domain,
                &line_fields,
                "order_id, sequence, id",
            )
            .await?;
        let products = self
            .read_map(
                "product.product",
                &ids(&lines, "product_id"),
                &["default_code", "purchase_method"],
            )
            .await?;
        let tax_ids: BTreeSet<i64> = lines
            .iter()
            .flat_map(|l| {
                l[names.po_line_taxes.as_str()]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|t| t.as_i64())
            .collect();
        let taxes = self
            .read_map(
                "account.tax",
                &tax_ids.into_iter().collect::<Vec<_>>(),
                &["amount"],
            )
            .await?;
        // Every line of these orders is here, sorted as Odoo sorts them.
        let numbers = LineNumbers::from_sorted(&lines);
        let mut by_order: BTreeMap<i64, Vec<PurchaseOrderLine>> = BTreeMap::new();
        for l in &lines {
            let product = m2o(&l["product_id"]).and_then(|p| products.get(&p));
            let rate = l[names.po_line_taxes.as_str()]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| taxes.get(&t.as_i64()?))
                .map(|t| dec(&t["amount"]))
                .reduce(|a, b| a + b);
            let discount = dec(&l["discount"]);
            let net =
                dec(&l["price_unit"]) * (Decimal::ONE_HUNDRED - discount) / Decimal::ONE_HUNDRED;
            by_order
                .entry(m2o(&l["order_id"]).unwrap_or_default())
                .or_default()
                .push(PurchaseOrderLine {
                    line: l["id"]
                        .as_i64()
                        .and_then(|id| numbers.of(id))
                        .map(|(_, number)| number.to_string())
                        .unwrap_or_default(),
                    item_code: product.and_then(|p| text(&p["default_code"])),
                    supplier_item_code: None,
                    description: text(&l["name"]).unwrap_or_default(),
                    quantity: dec(&l["product_qty"]),
                    unit: m2o_name(&l[names.po_line_uom.as_str()]).unwrap_or_default(),
                    unit_price: net.normalize(),
                    price_unit: Decimal::ONE,
                    tax_rate: rate,
                    goods_receipt_based: product.is_none_or(|p| p["purchase_method"] != "purchase"),
                    unit_conversions: Vec::new(),
                });
        }
        orders
            .iter()
            .map(|o| {
                let state = o["state"].as_str().unwrap_or_default();
                Ok(PurchaseOrder {
                    number: text(&o["name"]).unwrap_or_default(),
                    supplier_id: m2o(&o["partner_id"]).unwrap_or_default().to_string(),
                    order_date: date(&o["date_order"], "purchase.order date_order")?,
                    currency: currency(&o["currency_id"], "purchase.order")?,
                    company: None,
                    planned_delivery_costs: None,
                    closed: state != "purchase"
                        || o["locked"] == true
                        || o["invoice_status"] == "invoiced",
                    lines: by_order
                        .remove(&o["id"].as_i64().unwrap_or_default())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Done stock moves of these orders' lines: receipts, and returns as negative quantities.
    pub(super) async fn receipts(
        &self,
        po_numbers: &[String],
    ) -> Result<Vec<GoodsReceipt>, ErpError> {
        if po_numbers.is_empty() {
            return Ok(Vec::new());
        }
        let domain = json!([
            ["purchase_line_id.order_id.name", "in", po_numbers],
            ["state", "=", "done"]
        ]);
        self.receipts_where(domain).await
    }

    /// Stock moves matching `domain` as receipts, their PO lines numbered.
    pub(super) async fn receipts_where(
        &self,
        domain: Value,
    ) -> Result<Vec<GoodsReceipt>, ErpError> {
        let fields = [
            "purchase_line_id",
            "quantity",
            "reference",
            "date",
            "origin_returned_move_id",
        ];
        let moves = self
            .search_read("stock.move", domain, &fields, "date, id")
            .await?;
        let lines: BTreeSet<i64> = moves
            .iter()
            .filter_map(|m| m2o(&m["purchase_line_id"]))
            .collect();
        let numbers = self
            .line_numbers_around(&lines.into_iter().collect::<Vec<_>>())
            .await?;
        moves
            .iter()
            .map(|m| {
                let line = m2o(&m["purchase_line_id"]).and_then(|id| numbers.of(id));
                let returned = m2o(&m["origin_returned_move_id"]).is_some();
                let quantity = dec(&m["quantity"]);
                Ok(GoodsReceipt {
                    number: text(&m["reference"]).unwrap_or_default(),
                    item: m["id"].as_i64().unwrap_or_default().to_string(),
                    purchase_order: line.map(|l| l.0.to_string()).unwrap_or_default(),
                    purchase_order_line: line.map(|l| l.1.to_string()).unwrap_or_default(),
                    quantity: if returned { -quantity } else { quantity },
                    date: date(&m["date"], "stock.move date")?,
                })
            })
            .collect()
    }

    /// Bills and refunds matching `domain`, oldest first, with their PO-linked lines.
    pub(super) async fn moves(
        &self,
        domain: Value,
        limit: Option<usize>,
    ) -> Result<Vec<BookedInvoice>, ErpError> {
        let fields = [
            "name",
            "partner_id",
            "ref",
            "move_type",
            "invoice_date",
            "amount_total",
            "currency_id",
            "state",
        ];
        let mut moves = self
            .search_read("account.move", domain, &fields, "invoice_date, id")
            .await?;
        if let Some(limit) = limit {
            moves.truncate(limit);
        }
        if moves.is_empty() {
            return Ok(Vec::new());
        }
        let domain = json!([
            ["move_id", "in", ids(&moves, "id")],
            ["display_type", "=", "product"]
        ]);
        let line_fields = [
            "move_id",
            "purchase_line_id",
            "quantity",
            "price_subtotal",
            "name",
        ];
        let lines = self
            .search_read("account.move.line", domain, &line_fields, "id")
            .await?;
        let numbers = self
            .line_numbers_around(&ids(&lines, "purchase_line_id"))
            .await?;
        moves
            .iter()
            .map(|m| {
                let id = m["id"].as_i64();
                let refund = m["move_type"] == "in_refund";
                let sign = if refund {
                    Decimal::NEGATIVE_ONE
                } else {
                    Decimal::ONE
                };
                let booked_lines = lines
                    .iter()
                    .filter(|l| m2o(&l["move_id"]) == id)
                    .map(|l| {
                        let po_line = m2o(&l["purchase_line_id"]);
                        let numbered = po_line.and_then(|id| numbers.of(id));
                        BookedLine {
                            purchase_order: numbered.map(|n| n.0.to_string()).unwrap_or_default(),
                            purchase_order_line: numbered
                                .map(|n| n.1.to_string())
                                .unwrap_or_default(),
                            quantity: sign * dec(&l["quantity"]),
                            amount: sign * dec(&l["price_subtotal"]),
                            goods_receipt: None,
                            account: if po_line.is_none() {
                                text(&l["name"])
                            } else {
                                None
                            },
                        }
                    })
                    .collect();
                Ok(BookedInvoice {
                    erp_ref: text(&m["name"]).unwrap_or_default(),
                    supplier_id: m2o(&m["partner_id"]).unwrap_or_default().to_string(),
                    supplier_reference: text(&m["ref"]).unwrap_or_default(),
                    kind: if refund {
                        DocumentKind::CreditNote
                    } else {
                        DocumentKind::Invoice
                    },
                    document_date: date(&m["invoice_date"], "account.move invoice_date")?,
                    gross: Money::new(
                        dec(&m["amount_total"]),
                        currency(&m["currency_id"], "account.move")?,
                    ),
                    lines: booked_lines,
                    idempotency_key: None,
                    reversed: m["state"] == "cancel",
                })
            })
            .collect()
    }

    /// Products by our item code (`default_code`).
    pub(super) async fn products_by_code(
        &self,
        codes: &[String],
    ) -> Result<Vec<Product>, ErpError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let domain = json!([["default_code", "in", codes]]);
        let fields = [
            "default_code",
            "name",
            "uom_id",
            "lst_price",
            "currency_id",
            "barcode",
        ];
        self.search_read("product.product", domain, &fields, "default_code, id")
            .await?
            .iter()
            .map(|p| {
                Ok(Product {
                    code: text(&p["default_code"]).unwrap_or_default(),
                    description: text(&p["name"]).unwrap_or_default(),
                    unit: m2o_name(&p["uom_id"]).unwrap_or_default(),
                    price: Money::new(
                        dec(&p["lst_price"]),
                        currency(&p["currency_id"], "product.product")?,
                    ),
                    gtin: text(&p["barcode"]),
                })
            })
            .collect()
    }

    /// Sales orders matching `domain`, with their lines.
    pub(super) async fn sales_orders(
        &self,
        domain: Value,
    ) -> Result<Vec<BookedSalesOrder>, ErpError> {
        let uom = self.field_names().await?.so_line_uom.clone();
        let orders = self
            .search_read(
                "sale.order",
                domain,
                &["name", "partner_id", "client_order_ref"],
                "id",
            )
            .await?;
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let domain = json!([["order_id", "in", ids(&orders, "id")]]);
        let fields = [
            "order_id",
            "product_id",
            "product_uom_qty",
            "price_unit",
            uom.as_str(),
        ];
        let lines = self
            .search_read("sale.order.line", domain, &fields, "id")
            .await?;
        let products = self
            .read_map(
                "product.product",
                &ids(&lines, "product_id"),
                &["default_code"],
            )
            .await?;
        Ok(orders
            .iter()
            .map(|o| BookedSalesOrder {
                erp_ref: text(&o["name"]).unwrap_or_default(),
                customer_id: m2o(&o["partner_id"]).unwrap_or_default().to_string(),
                customer_reference: text(&o["client_order_ref"]).unwrap_or_default(),
                lines: lines
                    .iter()
                    .filter(|l| m2o(&l["order_id"]) == o["id"].as_i64())
                    .map(|l| SalesOrderLine {
                        product_code: m2o(&l["product_id"])
                            .and_then(|p| products.get(&p))
                            .and_then(|p| text(&p["default_code"]))
                            .unwrap_or_default(),
                        quantity: dec(&l["product_uom_qty"]),
                        unit: m2o_name(&l[uom.as_str()]).unwrap_or_default(),
                        price: Some(dec(&l["price_unit"])),
                    })
                    .collect(),
            })
            .collect())
    }
}
