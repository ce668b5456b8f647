//! The Odoo adapter: JSON-2 (Odoo 19+) or JSON-RPC (16–18), detected
//! ([`transport`]); field names that differ between versions discovered
//! with `fields_get` once per adapter ([`FieldNames`]); reads of partners,
//! purchase orders, stock moves and bills ([`read`]); bills and sales
//! orders created exactly once ([`write`]).
//!
//! Ids: a supplier or customer is its `res.partner` id, a PO line its
//! number within the order ("10", "20", … by position, [`numbering`]; mapped
//! to the `purchase.order.line` id a bill line's `purchase_line_id` needs),
//! a booking its `account.move` name.
//! Odoo has no posting or payment block on partners, so those stay false,
//! and customer price lists (`product.pricelist`) are not read: customer
//! prices are list prices.

mod check;
mod master;
mod numbering;
mod read;
mod transport;
mod write;

use async_trait::async_trait;
use docket_domain::DocumentKind;
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, GoodsReceipt,
    Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use serde_json::json;
use tokio::sync::OnceCell;

use crate::http::{HttpSettings, with_retries};
use crate::{BookedQuery, CustomerQuery, Erp, ErpError, SupplierQuery};
use transport::Transport;

/// Which API to speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Protocol {
    /// JSON-2 where the server has it, else JSON-RPC.
    #[default]
    Auto,
    /// JSON-2 only (Odoo 19+).
    Json2,
    /// JSON-RPC `/jsonrpc` (Odoo 16–18; deprecated in 19, gone in 20).
    JsonRpc,
}

/// Where and how to reach Odoo.
#[derive(Clone)]
pub struct OdooSettings {
    /// `https://mycompany.odoo.com`, without a path.
    pub base_url: String,
    /// The database name (JSON-RPC login; `X-Odoo-Database` on JSON-2).
    pub database: String,
    /// The user's login (JSON-RPC).
    pub login: String,
    /// The user's API key (bearer on JSON-2, password on JSON-RPC).
    pub api_key: String,
    /// The protocol.
    pub protocol: Protocol,
    /// Time-out, attempts, backoff.
    pub http: HttpSettings,
}

impl std::fmt::Debug for OdooSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OdooSettings")
            .field("base_url", &self.base_url)
            .field("database", &self.database)
            .field("login", &self.login)
            .field("api_key", &"<redacted>")
            .field("protocol", &self.protocol)
            .field("http", &self.http)
            .finish()
    }
}

/// Field names that changed between Odoo versions, as this server names them.
#[derive(Debug, Clone)]
struct FieldNames {
    /// Purchase line taxes: `tax_ids` (19) or `taxes_id`.
    po_line_taxes: String,
    /// Purchase line unit: `product_uom_id` (19) or `product_uom`.
    po_line_uom: String,
    /// Sales line unit: `product_uom_id` (19) or `product_uom`.
    so_line_uom: String,
    /// Whether purchase orders have `locked` (19; before, a locked order is state `done`).
    po_locked: bool,
}

/// The Odoo adapter.
pub struct OdooErp {
    transport: Transport,
    fields: OnceCell<FieldNames>,
}

impl OdooErp {
    /// An adapter; nothing is sent before the first call.
    pub fn new(settings: OdooSettings) -> Result<Self, ErpError> {
        Ok(OdooErp {
            transport: Transport::new(settings)?,
            fields: OnceCell::new(),
        })
    }

    fn http(&self) -> &HttpSettings {
        &self.transport.settings().http
    }

    /// A call retried while it fails transiently (reads only: writes go
    /// through [`write`]'s look-up-first loop).
    async fn call(
        &self,
        model: &str,
        method: &str,
        ids: &[i64],
        kwargs: serde_json::Value,
    ) -> Result<serde_json::Value, ErpError> {
        with_retries(self.http(), || {
            self.transport.call(model, method, ids, kwargs.clone())
        })
        .await
    }

    async fn field_names(&self) -> Result<&FieldNames, ErpError> {
        self.fields
            .get_or_try_init(|| async {
                let attributes = json!({"attributes": ["type"]});
                let po_line = self
                    .call("purchase.order.line", "fields_get", &[], attributes.clone())
                    .await?;
                let so_line = self
                    .call("sale.order.line", "fields_get", &[], attributes.clone())
                    .await?;
                let po = self
                    .call("purchase.order", "fields_get", &[], attributes)
                    .await?;
                let pick = |fields: &serde_json::Value, new: &str, old: &str| {
                    if fields.get(new).is_some() { new } else { old }.to_string()
                };
                let names = FieldNames {
                    po_line_taxes: pick(&po_line, "tax_ids", "taxes_id"),
                    po_line_uom: pick(&po_line, "product_uom_id", "product_uom"),
                    so_line_uom: pick(&so_line, "product_uom_id", "product_uom"),
                    po_locked: po.get("locked").is_some(),
                };
                tracing::debug!(?names, "Odoo field names");
                Ok(names)
            })
            .await
    }
}

/// A partner id from Docket's supplier or customer id.
fn partner(id: &str) -> Result<i64, ErpError> {
    id.trim()
        .parse()
        .map_err(|_| ErpError::Permanent(format!("{id:?} is not an Odoo partner id (a number)")))
}

/// Odoo's `move_type` for a supplier document.
fn move_type(kind: DocumentKind) -> Result<&'static str, ErpError> {
    match kind {
        DocumentKind::Invoice => Ok("in_invoice"),
        DocumentKind::CreditNote => Ok("in_refund"),
        other => Err(ErpError::Permanent(format!(
            "Odoo books vendor bills and refunds, not {}",
            other.as_str()
        ))),
    }
}

#[async_trait]
impl Erp for OdooErp {
    fn name(&self) -> &str {
        "odoo"
    }

    async fn check(&self) -> Vec<crate::check::CheckResult> {
        self.run_checks().await
    }

    async fn supplier_candidates(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        self.suppliers(query).await
    }

    async fn purchase_orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        self.orders(json!([["name", "in", numbers]])).await
    }

    async fn open_purchase_orders(
        &self,
        supplier_id: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        let mut domain = vec![
            json!(["partner_id", "=", partner(supplier_id)?]),
            json!(["state", "=", "purchase"]),
            json!(["invoice_status", "!=", "invoiced"]),
        ];
        if self.field_names().await?.po_locked {
            domain.push(json!(["locked", "=", false]));
        }
        if let Some(since) = since {
            domain.push(json!(["date_order", ">=", format!("{since} 00:00:00")]));
        }
        self.orders(json!(domain)).await
    }

    async fn goods_receipts(&self, po_numbers: &[String]) -> Result<Vec<GoodsReceipt>, ErpError> {
        self.receipts(po_numbers).await
    }

    async fn master_data(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<crate::MasterData, ErpError> {
        self.master(since).await
    }

    async fn booked_invoices(&self, query: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError> {
        let mut wanted = Vec::new();
        if !query.references.is_empty() {
            wanted.push(json!(["ref", "in", query.references]));
        }
        if !query.purchase_orders.is_empty() {
            let path = "invoice_line_ids.purchase_line_id.order_id.name";
            wanted.push(json!([path, "in", query.purchase_orders]));
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut domain = vec![
            json!(["partner_id", "=", partner(&query.supplier_id)?]),
            json!(["move_type", "in", ["in_invoice", "in_refund"]]),
        ];
        if wanted.len() == 2 {
            domain.push(json!("|"));
        }
        domain.extend(wanted);
        self.moves(json!(domain), None).await
    }

    async fn find_booking(
        &self,
        supplier_id: &str,
        supplier_reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        let domain = booking_domain(partner(supplier_id)?, supplier_reference, kind)?;
        Ok(self.moves(domain, Some(1)).await?.into_iter().next())
    }

    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        self.book(request).await
    }

    async fn customer_candidates(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        self.customers(query).await
    }

    async fn products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        self.products_by_code(codes).await
    }

    async fn customer_prices(
        &self,
        _customer_id: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        let products = self.products_by_code(codes).await?;
        Ok(products
            .into_iter()
            .map(|p| CustomerPrice {
                product_code: p.code,
                price: p.price,
                min_quantity: rust_decimal::Decimal::ZERO,
            })
            .collect())
    }

    async fn find_sales_order(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        let domain = sales_domain(partner(customer_id)?, customer_reference);
        Ok(self.sales_orders(domain).await?.into_iter().next())
    }

    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        self.create_sale(request).await
    }
}

/// The idempotency search: this supplier's live bill or refund under this reference.
fn booking_domain(
    partner: i64,
    reference: &str,
    kind: DocumentKind,
) -> Result<serde_json::Value, ErpError> {
    Ok(json!([
        ["move_type", "=", move_type(kind)?],
        ["partner_id", "=", partner],
        ["ref", "=", reference.trim()],
        ["state", "!=", "cancel"],
    ]))
}

/// The idempotency search for sales: this customer's live order under its PO number.
fn sales_domain(partner: i64, reference: &str) -> serde_json::Value {
    json!([
        ["partner_id", "=", partner],
        ["client_order_ref", "=", reference.trim()],
        ["state", "!=", "cancel"],
    ])
}
