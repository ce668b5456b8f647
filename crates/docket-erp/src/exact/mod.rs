//! The Exact Online adapter: REST (`/api/v1/{division}/…`) with OAuth2
//! tokens shared through a [`TokenStore`] ([`tokens`]), client-side rate
//! limiting and `__next` paging ([`client`]), the purchase side and booking
//! ([`purchase`]), the sales side ([`sales`]) and master data for Docket's
//! cache, filtered by Exact's `Modified` stamps ([`master`]).
//!
//! Ids: a supplier's or customer's id is its `Account.Code` without the
//! padding (Exact's account number), a PO number its `OrderNumber`, a
//! booking's number its `EntryNumber`. Docket's idempotency key is kept in
//! the booking's `Description`. References (`YourRef`) are compared as
//! Exact compares them: exactly.

mod check;
mod client;
mod master;
mod purchase;
mod sales;
pub mod tokens;
mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, GoodsReceipt,
    Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use docket_domain::{Currency, DocumentKind};

pub use tokens::{FileTokenStore, MemoryTokenStore, TokenPair, TokenStore};

use crate::http::{HttpSettings, with_retries};
use crate::{BookedQuery, CustomerQuery, Erp, ErpError, MasterData, SupplierQuery};

/// How to reach one Exact division.
#[derive(Debug, Clone)]
pub struct ExactSettings {
    /// `https://start.exactonline.nl` (no trailing slash needed).
    pub base_url: String,
    /// The app registration's client id.
    pub client_id: String,
    /// The app registration's secret.
    pub client_secret: String,
    /// The redirect URI registered with the app.
    pub redirect_uri: String,
    /// The division; `None` asks `current/Me` for the current one.
    pub division: Option<i64>,
    /// The purchase journal code bookings go to.
    pub purchase_journal: String,
    /// The G/L account (GUID) for purchase-entry lines that name none.
    pub expense_gl_account: Option<String>,
    /// The division's currency (item prices carry none).
    pub currency: Currency,
    /// Refresh the access token once it is this old (Exact: not before ~570 s).
    pub refresh_after: Duration,
    /// The longest wait for a rate-limit reset before giving up as transient.
    pub max_rate_wait: Duration,
    /// How far before the client's clock a master-data answer's `as_of`
    /// is put. Exact has no server-time endpoint to read its own clock
    /// from, so the watermark is the client's time minus this margin:
    /// enough to cover clock skew between this host and Exact's servers
    /// and records committed while the reads run. Too large only means
    /// some records are read twice; too small loses changes.
    pub clock_margin: Duration,
    /// Time-outs and retries.
    pub http: HttpSettings,
}

impl Default for ExactSettings {
    fn default() -> Self {
        ExactSettings {
            base_url: "https://start.exactonline.nl".into(),
            client_id: String::new(),
            client_secret: String::new(),
            redirect_uri: "https://localhost/docket/exact".into(),
            division: None,
            purchase_journal: "70".into(),
            expense_gl_account: None,
            currency: Currency::EUR,
            refresh_after: Duration::from_secs(570),
            max_rate_wait: Duration::from_secs(65),
            clock_margin: Duration::from_secs(300),
            http: HttpSettings::default(),
        }
    }
}

/// Exact Online behind the `Erp` port.
pub struct ExactErp {
    client: client::Client,
}

impl ExactErp {
    /// An adapter sharing `store`'s token chain.
    pub fn new(settings: ExactSettings, store: Arc<dyn TokenStore>) -> Result<Self, ErpError> {
        Ok(ExactErp {
            client: client::Client::new(settings, store)?,
        })
    }

    /// Exchanges the code Exact's consent page gave for the first token pair, saved in the store.
    pub async fn authorize(&self, code: &str) -> Result<(), ErpError> {
        self.client.authorize(code).await
    }

    fn settings(&self) -> &ExactSettings {
        &self.client.settings
    }
}

/// Creates a record exactly once: looks it up before every attempt (the
/// first included), so that a retry after an answer lost on the way finds
/// the record the lost attempt made. Found before the first attempt, it is
/// a conflict unless `ours` recognises it.
async fn once<T, L, LF, C, CF>(
    settings: &HttpSettings,
    lookup: L,
    ours: impl Fn(&T) -> bool,
    create: C,
    conflict: impl Fn(&T) -> ErpError,
) -> Result<T, ErpError>
where
    L: Fn() -> LF,
    LF: Future<Output = Result<Option<T>, ErpError>>,
    C: Fn() -> CF,
    CF: Future<Output = Result<T, ErpError>>,
{
    let mut attempt = 0;
    let (lookup, create, ours, conflict) = (&lookup, &create, &ours, &conflict);
    with_retries(settings, || {
        attempt += 1;
        let first = attempt == 1;
        async move {
            match lookup().await? {
                Some(found) if first && !ours(&found) => Err(conflict(&found)),
                Some(found) => Ok(found),
                None => create().await,
            }
        }
    })
    .await
}

#[async_trait]
impl Erp for ExactErp {
    fn name(&self) -> &str {
        "exact"
    }

    async fn check(&self) -> Vec<crate::check::CheckResult> {
        self.run_checks().await
    }

    async fn supplier_candidates(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        self.suppliers_matching(query).await
    }

    async fn purchase_orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        self.orders(numbers).await
    }

    async fn open_purchase_orders(
        &self,
        supplier_id: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        self.open_orders(supplier_id, since).await
    }

    async fn goods_receipts(&self, po_numbers: &[String]) -> Result<Vec<GoodsReceipt>, ErpError> {
        self.receipts(po_numbers).await
    }

    async fn master_data(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<MasterData, ErpError> {
        self.master(since).await
    }

    async fn booked_invoices(&self, query: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError> {
        self.bookings(query).await
    }

    async fn find_booking(
        &self,
        supplier_id: &str,
        supplier_reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        self.booking(supplier_id, supplier_reference, kind).await
    }

    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        self.book(request).await
    }

    async fn customer_candidates(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        self.customers_matching(query).await
    }

    async fn products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        self.sales_products(codes).await
    }

    async fn customer_prices(
        &self,
        _customer_id: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        self.prices(codes).await
    }

    async fn find_sales_order(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        self.sales_order(customer_id, customer_reference).await
    }

    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        self.create_order(request).await
    }
}
