//! Master data for Docket's cache on Exact: suppliers with their bank
//! accounts, purchase orders with their lines, and goods receipts, read in
//! bulk (page by page through `__next`, paced by the rate limiter in
//! [`super::client`]) and, for an incremental answer, filtered by Exact's
//! `Modified` stamps (`Modified gt datetime'…'`).
//!
//! An incremental answer holds:
//! - suppliers whose `Account` or one of whose `BankAccounts` changed;
//! - purchase orders whose order, one of whose lines, or one of whose goods
//!   receipts (header or line) changed, whatever their status: closed ones
//!   (fully invoiced, cancelled) come without lines so that the cache
//!   drops them, open ones with their lines;
//! - every goods receipt of those open orders.
//!
//! A full answer holds every supplier, every open order and the receipts
//! of those. Records are asked for by id in chunks of [`CHUNK`] ids joined
//! by `or` (Exact allows no `in`), never one call per record.
//!
//! `as_of` is taken before the first read, from the client's clock less
//! [`ExactSettings::clock_margin`](super::ExactSettings::clock_margin):
//! Exact has no endpoint that reliably gives its own time (`Modified`
//! stamps are only seen on records that changed), so the margin absorbs
//! clock skew and records committed while the pages are read; a record
//! read twice is harmless to the cache, one missed is not.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use docket_domain::erp::{GoodsReceipt, PurchaseOrder, Supplier};
use serde_json::Value;

use super::ExactErp;
use super::purchase::{ACCOUNT, ORDER, ORDER_LINE, closed, supplier_of};
use super::wire::{date, decimal, guid, text};
use crate::{ErpError, MasterData};

/// Ids per filter of `… eq guid'…' or …`: keeps URLs short (Exact refuses
/// very long ones) while sparing the rate limit.
const CHUNK: usize = 20;

const ACCOUNTS: &str = "crm/Accounts";
const BANKS: &str = "crm/BankAccounts";
const BANK: &str = "Account,BankAccount,Blocked";
const ORDERS: &str = "purchaseorder/PurchaseOrders";
const LINES: &str = "purchaseorder/PurchaseOrderLines";
const RECEIPTS: &str = "purchaseorder/GoodsReceipts";
const RECEIPT_LINES: &str = "purchaseorder/GoodsReceiptLines";
const RECEIPT_LINE: &str =
    "ID,GoodsReceiptID,LineNumber,PurchaseOrderID,PurchaseOrderLineID,QuantityReceived";

/// `Modified gt datetime'…'` for a watermark, to the millisecond (UTC).
fn modified_since(at: DateTime<Utc>) -> String {
    format!(
        "Modified gt datetime'{}'",
        at.format("%Y-%m-%dT%H:%M:%S%.3f")
    )
}

/// Filters naming `ids` by `field`, [`CHUNK`] at a time, each comparison
/// joined with `and {also}` when given (`and` binds tighter than `or`).
fn any_of(field: &str, ids: &[String], also: Option<&str>) -> Vec<String> {
    ids.chunks(CHUNK)
        .map(|chunk| {
            chunk
                .iter()
                .map(|id| match also {
                    Some(also) => format!("{field} eq {} and {also}", guid(id)),
                    None => format!("{field} eq {}", guid(id)),
                })
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect()
}

/// Ids in first-seen order, without repeats and without those in `known`.
fn new_ids(rows: &[Value], field: &str, known: &HashSet<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    rows.iter()
        .map(|r| text(r, field))
        .filter(|id| !id.is_empty() && !known.contains(id) && seen.insert(id.clone()))
        .collect()
}

/// Rows grouped by the id in `field`.
fn by(rows: Vec<Value>, field: &str) -> HashMap<String, Vec<Value>> {
    let mut groups: HashMap<String, Vec<Value>> = HashMap::new();
    for row in rows {
        groups.entry(text(&row, field)).or_default().push(row);
    }
    groups
}

fn ids_of(rows: &[Value], field: &str) -> HashSet<String> {
    rows.iter().map(|r| text(r, field)).collect()
}

impl ExactErp {
    pub(super) async fn master(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<MasterData, ErpError> {
        let margin = chrono::Duration::from_std(self.settings().clock_margin)
            .map_err(|e| ErpError::Permanent(format!("Exact clock_margin: {e}")))?;
        let as_of = Utc::now() - margin;
        let suppliers = self.master_suppliers(since).await?;
        let orders = self.master_order_rows(since).await?;
        let (purchase_orders, goods_receipts) = self.orders_and_receipts(&orders).await?;
        tracing::info!(
            suppliers = suppliers.len(),
            purchase_orders = purchase_orders.len(),
            goods_receipts = goods_receipts.len(),
            full = since.is_none(),
            "Exact master data read"
        );
        Ok(MasterData {
            suppliers,
            purchase_orders,
            goods_receipts,
            as_of,
            complete: since.is_none(),
        })
    }

    /// Every record of `path` matching any of `filters`.
    async fn list_all(
        &self,
        path: &str,
        filters: &[String],
        select: &str,
    ) -> Result<Vec<Value>, ErpError> {
        let mut rows = Vec::new();
        for filter in filters {
            rows.extend(self.client.list(path, filter, select).await?);
        }
        Ok(rows)
    }

    /// Suppliers: all of them, or those whose account or bank accounts changed.
    async fn master_suppliers(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Supplier>, ErpError> {
        let supplier = "IsSupplier eq true";
        let Some(at) = since else {
            let accounts = self.client.list(ACCOUNTS, supplier, ACCOUNT).await?;
            // Every bank account in one paged read: fewer calls than one per supplier.
            let banks = by(self.client.list(BANKS, "", BANK).await?, "Account");
            return Ok(accounts
                .iter()
                .map(|a| supplier_of(a, banks.get(&text(a, "ID")).map_or(&[], Vec::as_slice)))
                .collect());
        };
        let changed = modified_since(at);
        let mut accounts = self
            .client
            .list(ACCOUNTS, &format!("{supplier} and {changed}"), ACCOUNT)
            .await?;
        let changed_banks = self.client.list(BANKS, &changed, "Account").await?;
        let more = new_ids(&changed_banks, "Account", &ids_of(&accounts, "ID"));
        accounts.extend(
            self.list_all(ACCOUNTS, &any_of("ID", &more, Some(supplier)), ACCOUNT)
                .await?,
        );
        let ids: Vec<String> = accounts.iter().map(|a| text(a, "ID")).collect();
        let banks = by(
            self.list_all(BANKS, &any_of("Account", &ids, None), BANK)
                .await?,
            "Account",
        );
        Ok(accounts
            .iter()
            .map(|a| supplier_of(a, banks.get(&text(a, "ID")).map_or(&[], Vec::as_slice)))
            .collect())
    }

    /// Purchase order rows: the open ones, or those that changed (the
    /// order, a line, a receipt header or line) whatever their status.
    async fn master_order_rows(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Value>, ErpError> {
        let Some(at) = since else {
            let open = "InvoiceStatus lt 30 and OrderStatus ne 40";
            return self.client.list(ORDERS, open, ORDER).await;
        };
        let changed = modified_since(at);
        let mut orders = self.client.list(ORDERS, &changed, ORDER).await?;
        let mut touched = self.client.list(LINES, &changed, "PurchaseOrderID").await?;
        touched.extend(
            self.client
                .list(RECEIPT_LINES, &changed, "PurchaseOrderID")
                .await?,
        );
        let headers = self.client.list(RECEIPTS, &changed, "ID").await?;
        let headers: Vec<String> = headers.iter().map(|h| text(h, "ID")).collect();
        touched.extend(
            self.list_all(
                RECEIPT_LINES,
                &any_of("GoodsReceiptID", &headers, None),
                "PurchaseOrderID",
            )
            .await?,
        );
        let more = new_ids(
            &touched,
            "PurchaseOrderID",
            &ids_of(&orders, "PurchaseOrderID"),
        );
        orders.extend(
            self.list_all(ORDERS, &any_of("PurchaseOrderID", &more, None), ORDER)
                .await?,
        );
        Ok(orders)
    }

    /// The orders with their lines (closed ones without), and every goods
    /// receipt of the open ones.
    async fn orders_and_receipts(
        &self,
        rows: &[Value],
    ) -> Result<(Vec<PurchaseOrder>, Vec<GoodsReceipt>), ErpError> {
        if rows.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let division = self.client.division().await?;
        let open: Vec<String> = rows
            .iter()
            .filter(|r| !closed(r))
            .map(|r| text(r, "PurchaseOrderID"))
            .collect();
        let by_order = any_of("PurchaseOrderID", &open, None);
        let lines = by(
            self.list_all(LINES, &by_order, ORDER_LINE).await?,
            "PurchaseOrderID",
        );
        let orders = rows
            .iter()
            .map(|r| {
                let id = text(r, "PurchaseOrderID");
                let lines = lines.get(&id).map_or(&[][..], Vec::as_slice);
                self.order_of(r, lines, division)
            })
            .collect();
        let receipt_lines = self
            .list_all(RECEIPT_LINES, &by_order, RECEIPT_LINE)
            .await?;
        let header_ids = new_ids(&receipt_lines, "GoodsReceiptID", &HashSet::new());
        let headers: HashMap<String, Value> = self
            .list_all(
                RECEIPTS,
                &any_of("ID", &header_ids, None),
                "ID,ReceiptNumber,ReceiptDate",
            )
            .await?
            .into_iter()
            .map(|h| (text(&h, "ID"), h))
            .collect();
        let numbers: HashMap<String, String> = rows
            .iter()
            .map(|r| (text(r, "PurchaseOrderID"), text(r, "OrderNumber")))
            .collect();
        let line_numbers: HashMap<String, String> = lines
            .values()
            .flatten()
            .map(|l| (text(l, "ID"), text(l, "LineNumber")))
            .collect();
        let none = Value::Null;
        let receipts = receipt_lines
            .iter()
            .map(|r| {
                let header = headers.get(&text(r, "GoodsReceiptID")).unwrap_or(&none);
                GoodsReceipt {
                    number: text(header, "ReceiptNumber"),
                    item: text(r, "LineNumber"),
                    purchase_order: numbers
                        .get(&text(r, "PurchaseOrderID"))
                        .cloned()
                        .unwrap_or_default(),
                    purchase_order_line: line_numbers
                        .get(&text(r, "PurchaseOrderLineID"))
                        .cloned()
                        .unwrap_or_default(),
                    quantity: decimal(r, "QuantityReceived"),
                    date: date(header, "ReceiptDate").unwrap_or_default(),
                }
            })
            .collect();
        Ok((orders, receipts))
    }
}
