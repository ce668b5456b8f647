//! Master data for Docket's cache ([`crate::Erp::master_data`]) from Odoo,
//! filtered by `write_date`, which every Odoo model has and the ORM sets on
//! every create and write, stored computed fields included (a bill raising
//! `qty_invoiced` touches the PO line, a changed `invoice_status` the order).
//!
//! - Suppliers: `res.partner` with `supplier_rank > 0` changed since the
//!   watermark, or whose `res.partner.bank` changed, with all their accounts.
//! - Purchase orders: in full, the open ones (confirmed, not fully billed,
//!   not locked); incrementally, every confirmed, done or cancelled order
//!   that changed, whose lines changed, or that got a receipt since: closed
//!   ones come back closed so that the cache drops them.
//! - Receipts: in full, the done stock moves of the open orders;
//!   incrementally, the done purchase stock moves changed since.
//!
//! The watermark `as_of`: Odoo's API tells no server time (JSON-2 and
//! JSON-RPC answers carry none we can rely on), so it is the client's clock
//! minus [`MARGIN`], taken before the first read. The margin covers clock
//! skew between Docket and Odoo and Odoo's transactions: a record's
//! `write_date` is its transaction's *start*, so a transaction running while
//! we read commits records dated before our clock. The price is that an
//! incremental answer repeats what changed in the last few minutes, which
//! the cache upserts again harmlessly.

use chrono::{DateTime, Duration, Utc};
use docket_domain::erp::PurchaseOrder;
use serde_json::{Value, json};

use super::OdooErp;
use super::read::ids;
use crate::{ErpError, MasterData};

/// How far the watermark stays behind the client's clock.
pub(super) const MARGIN: Duration = Duration::minutes(5);

/// Odoo's datetime as domains take it (UTC, whole seconds).
fn odoo_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

impl OdooErp {
    pub(super) async fn master(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<MasterData, ErpError> {
        let as_of = Utc::now() - MARGIN;
        let changed = since.map(|s| json!(["write_date", ">", odoo_datetime(s)]));
        let suppliers = self.changed_suppliers(changed.as_ref()).await?;
        let (purchase_orders, goods_receipts) = match &changed {
            None => {
                let orders = self.orders(self.open_domain().await?).await?;
                let numbers: Vec<String> = orders.iter().map(|o| o.number.clone()).collect();
                let receipts = self.receipts(&numbers).await?;
                (orders, receipts)
            }
            Some(changed) => {
                let receipts = self
                    .receipts_where(json!([
                        ["purchase_line_id", "!=", false],
                        ["state", "=", "done"],
                        changed
                    ]))
                    .await?;
                let orders = self.changed_orders(changed, &receipts).await?;
                (orders, receipts)
            }
        };
        Ok(MasterData {
            suppliers,
            purchase_orders,
            goods_receipts,
            as_of,
            complete: since.is_none(),
        })
    }

    /// Open purchase orders: confirmed, not fully billed, not locked.
    async fn open_domain(&self) -> Result<Value, ErpError> {
        let mut domain = vec![
            json!(["state", "=", "purchase"]),
            json!(["invoice_status", "!=", "invoiced"]),
        ];
        if self.field_names().await?.po_locked {
            domain.push(json!(["locked", "=", false]));
        }
        Ok(json!(domain))
    }

    /// Suppliers, or those that (or whose bank accounts) changed.
    async fn changed_suppliers(
        &self,
        changed: Option<&Value>,
    ) -> Result<Vec<docket_domain::erp::Supplier>, ErpError> {
        let mut domain = vec![json!(["supplier_rank", ">", 0])];
        if let Some(changed) = changed {
            let banks = self
                .search_read("res.partner.bank", json!([changed]), &["partner_id"], "id")
                .await?;
            domain.push(json!("|"));
            domain.push(changed.clone());
            domain.push(json!(["id", "in", ids(&banks, "partner_id")]));
        }
        let fields = ["name", "vat", "ref", "email", "country_code"];
        let partners = self
            .search_read("res.partner", json!(domain), &fields, "id")
            .await?;
        self.supplier_list(&partners).await
    }

    /// Confirmed, done or cancelled orders that changed, whose lines
    /// changed, or that got one of `receipts`.
    async fn changed_orders(
        &self,
        changed: &Value,
        receipts: &[docket_domain::erp::GoodsReceipt],
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        let lines = self
            .search_read("purchase.order.line", json!([changed]), &["order_id"], "id")
            .await?;
        let mut names: Vec<&str> = receipts.iter().map(|r| r.purchase_order.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let domain = json!([
            ["state", "in", ["purchase", "done", "cancel"]],
            "|",
            "|",
            changed,
            ["id", "in", ids(&lines, "order_id")],
            ["name", "in", names],
        ]);
        self.orders(domain).await
    }
}
