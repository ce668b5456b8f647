//! [`CachedErp`]: the ERP as matching sees it with `erp.use_cache = true`.
//!
//! Suppliers, purchase orders and goods receipts come from the store's
//! master-data cache once a sync of this ERP kind has run; before that, and
//! for purchase orders the cache lacks (closed ones, or ones newer than the
//! last sync), the ERP is asked. Everything else (booked invoices, bookings,
//! customers, sales) always goes to the ERP: it changes with every document
//! and must be current, or a duplicate could be booked.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use docket_domain::DocumentKind;
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, GoodsReceipt,
    Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use docket_erp::check::CheckResult;
use docket_erp::{BookedQuery, CustomerQuery, Erp, ErpError, MasterData, SupplierQuery};
use docket_store::{CacheEntry, CacheKind, Store, StoreError};
use serde::de::DeserializeOwned;

/// An ERP whose master data is read from the store's cache (see the module header).
pub struct CachedErp {
    erp: Arc<dyn Erp>,
    store: Arc<dyn Store>,
}

/// A store failure, as the ERP port reports it: the cache is Docket's own
/// copy, so its failures are classified like the ERP's.
fn store_error(e: StoreError) -> ErpError {
    match e {
        StoreError::Transient(m) => ErpError::Transient(format!("master-data cache: {m}")),
        other => ErpError::Permanent(format!("master-data cache: {other}")),
    }
}

fn decode<T: DeserializeOwned>(entries: Vec<CacheEntry>) -> Result<Vec<T>, ErpError> {
    entries
        .iter()
        .map(|e| {
            serde_json::from_str(&e.body).map_err(|err| {
                ErpError::Permanent(format!("master-data cache record {}: {err}", e.id))
            })
        })
        .collect()
}

impl CachedErp {
    /// `erp`, with its master data read from `store`'s cache.
    pub fn new(erp: Arc<dyn Erp>, store: Arc<dyn Store>) -> Self {
        CachedErp { erp, store }
    }

    /// Whether a sync of this ERP kind has run (else the cache is not to be trusted as empty).
    async fn synced(&self) -> Result<bool, ErpError> {
        let mark = self.store.erp_sync_mark(self.erp.name()).await;
        Ok(mark.map_err(store_error)?.is_some())
    }

    async fn cached<T: DeserializeOwned>(
        &self,
        kind: CacheKind,
        by_parent: bool,
        keys: Option<&[String]>,
    ) -> Result<Vec<T>, ErpError> {
        let name = self.erp.name();
        let entries = match (keys, by_parent) {
            (None, _) => self.store.erp_cache_all(name, kind).await,
            (Some(keys), true) => self.store.erp_cache_children(name, kind, keys).await,
            (Some(keys), false) => self.store.erp_cache_get(name, kind, keys).await,
        };
        decode(entries.map_err(store_error)?)
    }
}

#[async_trait]
impl Erp for CachedErp {
    fn name(&self) -> &str {
        self.erp.name()
    }

    async fn supplier_candidates(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        if !self.synced().await? {
            return self.erp.supplier_candidates(query).await;
        }
        let all: Vec<Supplier> = self.cached(CacheKind::Supplier, false, None).await?;
        Ok(all.into_iter().filter(|s| query.matches(s)).collect())
    }

    async fn purchase_orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        if !self.synced().await? {
            return self.erp.purchase_orders(numbers).await;
        }
        let wanted: Vec<String> = numbers.iter().map(|n| n.trim().to_string()).collect();
        let mut found: Vec<PurchaseOrder> = self
            .cached(CacheKind::PurchaseOrder, false, Some(&wanted))
            .await?;
        let have: HashSet<&str> = found.iter().map(|po| po.number.as_str()).collect();
        let missing: Vec<String> = wanted
            .iter()
            .filter(|n| !have.contains(n.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            found.extend(self.erp.purchase_orders(&missing).await?);
        }
        Ok(found)
    }

    async fn open_purchase_orders(
        &self,
        supplier_id: &str,
        since: Option<NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        if !self.synced().await? {
            return self.erp.open_purchase_orders(supplier_id, since).await;
        }
        let of_supplier: Vec<PurchaseOrder> = self
            .cached(
                CacheKind::PurchaseOrder,
                true,
                Some(&[supplier_id.to_string()]),
            )
            .await?;
        Ok(of_supplier
            .into_iter()
            .filter(|po| !po.closed && since.is_none_or(|d| po.order_date >= d))
            .collect())
    }

    async fn goods_receipts(&self, po_numbers: &[String]) -> Result<Vec<GoodsReceipt>, ErpError> {
        if !self.synced().await? {
            return self.erp.goods_receipts(po_numbers).await;
        }
        // Receipts are cached for cached (open) orders only; the others' are asked for.
        let wanted: Vec<String> = po_numbers.iter().map(|n| n.trim().to_string()).collect();
        let cached_orders: HashSet<String> = self
            .store
            .erp_cache_get(self.erp.name(), CacheKind::PurchaseOrder, &wanted)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let mut receipts: Vec<GoodsReceipt> = self
            .cached(CacheKind::GoodsReceipt, true, Some(&wanted))
            .await?;
        let uncached: Vec<String> = wanted
            .into_iter()
            .filter(|n| !cached_orders.contains(n))
            .collect();
        if !uncached.is_empty() {
            receipts.extend(self.erp.goods_receipts(&uncached).await?);
        }
        Ok(receipts)
    }

    async fn booked_invoices(&self, query: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError> {
        self.erp.booked_invoices(query).await
    }

    async fn find_booking(
        &self,
        supplier_id: &str,
        supplier_reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        self.erp
            .find_booking(supplier_id, supplier_reference, kind)
            .await
    }

    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        self.erp.book_invoice(request).await
    }

    async fn customer_candidates(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        self.erp.customer_candidates(query).await
    }

    async fn products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        self.erp.products(codes).await
    }

    async fn customer_prices(
        &self,
        customer_id: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        self.erp.customer_prices(customer_id, codes).await
    }

    async fn find_sales_order(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        self.erp
            .find_sales_order(customer_id, customer_reference)
            .await
    }

    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        self.erp.create_sales_order(request).await
    }

    async fn master_data(&self, since: Option<DateTime<Utc>>) -> Result<MasterData, ErpError> {
        self.erp.master_data(since).await
    }

    async fn check(&self) -> Vec<CheckResult> {
        self.erp.check().await
    }
}
