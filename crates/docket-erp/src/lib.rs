//! Docket's `Erp` port and its adapters.
//!
//! The port speaks the domain's ERP types ([`docket_domain::erp`]); adapters
//! translate to SAP S/4HANA, Exact Online, Odoo, or keep the data themselves
//! ([`sandbox::SandboxErp`], the embedded default seeded from `fixtures/erp/`).
//! Errors are classified at the adapter boundary (house rule 3) so the pipeline
//! knows whether to retry or to hand the document to a person.

pub mod check;
pub mod exact;
pub mod http;
pub mod master;
pub mod odoo;
pub mod sandbox;
pub mod sap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, GoodsReceipt,
    Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use docket_domain::{DocumentKind, normalize};

pub use master::MasterData;

/// Why an ERP call failed, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErpError {
    /// The record does not exist.
    #[error("not found in the ERP: {0}")]
    NotFound(String),
    /// The ERP refused because of a conflicting record (e.g. already booked).
    #[error("conflict in the ERP: {0}")]
    Conflict(String),
    /// Time-out, rate limit, unavailable: retry later.
    #[error("ERP temporarily unavailable: {0}")]
    Transient(String),
    /// The ERP refused for a business reason; its own message is kept for people.
    #[error("ERP refused: {0}")]
    Permanent(String),
}

impl ErpError {
    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, ErpError::Transient(_))
    }
}

/// What is known of a supplier from a document, to find candidates in the ERP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierQuery {
    /// VAT ids read from the document (normalised).
    pub vat_ids: Vec<String>,
    /// IBANs read from the document (compact).
    pub ibans: Vec<String>,
    /// The name as read.
    pub name: Option<String>,
    /// The sender's e-mail domain.
    pub email_domain: Option<String>,
}

impl SupplierQuery {
    /// Whether a master record shares an identifier (VAT id, IBAN, e-mail
    /// domain) with the query or resembles its name: how the sandbox and
    /// Docket's own master-data cache pick candidates.
    pub fn matches(&self, s: &Supplier) -> bool {
        let vat = s.vat_id.as_deref().map(normalize::compact_identifier);
        let by_vat = vat.is_some_and(|v| self.vat_ids.contains(&v));
        let by_iban = s
            .ibans
            .iter()
            .any(|i| self.ibans.contains(&normalize::compact_identifier(i)));
        let by_domain = self
            .email_domain
            .as_deref()
            .is_some_and(|d| s.email_domains.iter().any(|e| e.eq_ignore_ascii_case(d)));
        let by_name = self
            .name
            .as_deref()
            .is_some_and(|n| similar_names(n, &s.name));
        by_vat || by_iban || by_domain || by_name
    }
}

/// Name similarity (Jaro-Winkler on normalised names) above which a
/// supplier or customer is a candidate.
const NAME_CANDIDATE_SIMILARITY: f64 = 0.85;

/// Whether a name read from a document is close enough to a master
/// record's to make the record a candidate (every adapter that searches by
/// name filters with this).
pub(crate) fn similar_names(read: &str, recorded: &str) -> bool {
    normalize::company_name_similarity(read, recorded) >= NAME_CANDIDATE_SIMILARITY
}

/// What is known of a customer from an order, to find candidates in the ERP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    /// The customer number the order gives (our number for them).
    pub customer_number: Option<String>,
    /// VAT ids read from the order (normalised).
    pub vat_ids: Vec<String>,
    /// The name as read.
    pub name: Option<String>,
    /// The sender's e-mail domain.
    pub email_domain: Option<String>,
}

/// Which booked invoices matching needs to see for one document: the
/// supplier's bookings under any of `references` (duplicates, credited
/// invoices) or against any of `purchase_orders` (quantities invoiced so far).
/// A real ERP answers this with a filtered query, never by listing every
/// booking of the supplier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookedQuery {
    /// The supplier's id in the ERP.
    pub supplier_id: String,
    /// Supplier references (invoice numbers), compared normalised.
    pub references: Vec<String>,
    /// Purchase order numbers.
    pub purchase_orders: Vec<String>,
}

/// The ERP, as Docket needs it.
#[async_trait]
pub trait Erp: Send + Sync {
    /// A short name for logs and reports (`sandbox`, `sap`, ...).
    fn name(&self) -> &str;

    /// Suppliers that match any of the query's identifiers or resemble its name.
    async fn supplier_candidates(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError>;

    /// Purchase orders by number (unknown numbers are simply absent).
    async fn purchase_orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError>;

    /// The supplier's open purchase orders dated on or after `since`: what
    /// matching searches when a document names no purchase order.
    async fn open_purchase_orders(
        &self,
        supplier_id: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError>;

    /// Goods receipts (and reversals) for these purchase orders.
    async fn goods_receipts(&self, po_numbers: &[String]) -> Result<Vec<GoodsReceipt>, ErpError>;

    /// The supplier's booked invoices and credit notes that [`BookedQuery`]
    /// asks for, oldest first.
    async fn booked_invoices(&self, query: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError>;

    /// Looks a booking up by supplier, reference and kind: asked before every
    /// posting attempt, so that a retry after a lost answer never books twice.
    async fn find_booking(
        &self,
        supplier_id: &str,
        supplier_reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError>;

    /// Books a supplier invoice or credit note; returns the booked record with the ERP's number.
    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError>;

    /// Customers that match the query's number, VAT ids or domain, or resemble its name.
    async fn customer_candidates(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError>;

    /// Products by our item code (unknown codes are simply absent).
    async fn products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError>;

    /// The customer's prices for these products: its price list where it
    /// has an entry, else the list price.
    async fn customer_prices(
        &self,
        customer_id: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError>;

    /// Looks a sales order up by customer and the customer's PO number:
    /// asked before every attempt, so that a retry never creates two.
    async fn find_sales_order(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError>;

    /// Creates (and confirms) a sales order; returns it with the ERP's number.
    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError>;

    /// Suppliers, open purchase orders and their goods receipts changed
    /// since `since` (`None`: everything), for Docket's master-data cache
    /// ([`MasterData`]). Adapters page through everything and filter by the
    /// ERP's change dates where its API has them.
    async fn master_data(&self, since: Option<DateTime<Utc>>) -> Result<MasterData, ErpError> {
        let _ = since;
        Err(ErpError::Permanent(format!(
            "the {} ERP adapter cannot list master data for the cache",
            self.name()
        )))
    }

    /// Whether Docket can work with this ERP (`docket erp check`): one
    /// result per check. By default the read calls with harmless sample
    /// queries; adapters add their own checks first.
    async fn check(&self) -> Vec<check::CheckResult> {
        let mut list = check::Checklist::new();
        check::sample_reads(self, &check::Read::ALL, &check::no_hints, &mut list).await;
        list.finish()
    }
}
