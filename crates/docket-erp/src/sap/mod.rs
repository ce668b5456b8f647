//! The SAP S/4HANA adapter: OData v2 services API_BUSINESS_PARTNER,
//! API_PURCHASEORDER_PROCESS_SRV, API_MATERIAL_DOCUMENT_SRV,
//! API_SUPPLIERINVOICE_PROCESS_SRV and API_SALES_ORDER_SRV (see
//! `../shared/erp-specs/NOTES.md`, section 1).
//!
//! [`client`] speaks the protocol (auth, CSRF, paging, errors), [`wire`]
//! the JSON conventions; [`purchasing`] reads suppliers, orders and
//! receipts, [`invoices`] reads and books supplier invoices, [`sales`]
//! reads customers and creates sales orders.

mod check;
mod client;
mod invoices;
mod master;
mod purchasing;
mod sales;
mod wire;

use async_trait::async_trait;
use docket_domain::DocumentKind;
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, GoodsReceipt,
    Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use rust_decimal::Decimal;

use crate::http::HttpSettings;
use crate::{BookedQuery, CustomerQuery, Erp, ErpError, MasterData, SupplierQuery};

pub use master::SAFETY_MARGIN;

/// How Docket signs in to SAP.
#[derive(Debug, Clone)]
pub enum SapAuth {
    /// A communication user and its password.
    Basic {
        /// The user.
        user: String,
        /// The password.
        password: String,
    },
    /// OAuth 2.0 client credentials.
    OAuth2 {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: String,
        /// The token endpoint (on premise: `<host>/sap/bc/sec/oauth2/token`).
        token_url: String,
    },
}

/// Where SAP is and how Docket books there.
#[derive(Debug, Clone)]
pub struct SapSettings {
    /// `https://host:port`, without `/sap/opu/odata`.
    pub base_url: String,
    /// Credentials.
    pub auth: SapAuth,
    /// The company code when a booking's purchase orders name none (and for lookups).
    pub company_code: String,
    /// Tax codes and their rates, to read a PO line's VAT rate.
    pub tax_codes: Vec<(String, Decimal)>,
    /// Sales order type (`OR`).
    pub sales_order_type: String,
    /// Sales organisation.
    pub sales_organization: String,
    /// Distribution channel.
    pub distribution_channel: String,
    /// Division.
    pub division: String,
    /// Time-outs and retries.
    pub http: HttpSettings,
}

/// SAP S/4HANA as Docket's ERP.
pub struct SapErp {
    client: client::Client,
}

impl SapErp {
    /// An adapter with these settings (no request is made yet).
    pub fn new(settings: SapSettings) -> Result<Self, ErpError> {
        Ok(SapErp {
            client: client::Client::new(settings)?,
        })
    }
}

#[async_trait]
impl Erp for SapErp {
    fn name(&self) -> &str {
        "sap"
    }

    async fn check(&self) -> Vec<crate::check::CheckResult> {
        self.run_checks().await
    }

    async fn supplier_candidates(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        purchasing::supplier_candidates(&self.client, query).await
    }

    async fn purchase_orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        purchasing::purchase_orders(&self.client, numbers).await
    }

    async fn open_purchase_orders(
        &self,
        supplier_id: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        purchasing::open_purchase_orders(&self.client, supplier_id, since).await
    }

    async fn goods_receipts(&self, po_numbers: &[String]) -> Result<Vec<GoodsReceipt>, ErpError> {
        let items = purchasing::receipt_items(&self.client, po_numbers).await?;
        Ok(items.into_iter().map(|r| r.receipt).collect())
    }

    async fn master_data(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<MasterData, ErpError> {
        master::master_data(&self.client, since).await
    }

    async fn booked_invoices(&self, query: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError> {
        invoices::booked(&self.client, query).await
    }

    async fn find_booking(
        &self,
        supplier_id: &str,
        supplier_reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        let company = self.client.settings().company_code.clone();
        invoices::find(
            &self.client,
            supplier_id,
            supplier_reference,
            kind,
            &company,
        )
        .await
    }

    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        invoices::book(&self.client, request).await
    }

    async fn customer_candidates(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        sales::customer_candidates(&self.client, query).await
    }

    async fn products(&self, _codes: &[String]) -> Result<Vec<Product>, ErpError> {
        Err(sales::not_served("products"))
    }

    async fn customer_prices(
        &self,
        _customer_id: &str,
        _codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        Err(sales::not_served("customer prices"))
    }

    async fn find_sales_order(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        sales::find(&self.client, customer_id, customer_reference).await
    }

    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        sales::create(&self.client, request).await
    }
}
