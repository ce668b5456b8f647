//! ERP master and transaction data as Docket sees it, whatever the ERP.
//!
//! Adapters translate SAP, Exact and Odoo records into these types; the sandbox
//! ERP stores them as they are; matching reads an [`ErpSnapshot`] of them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Currency, DocumentKind, Money};

/// A supplier (vendor) in the ERP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Supplier {
    /// The ERP's supplier number.
    pub id: String,
    /// The name on the master record.
    pub name: String,
    /// VAT id on the master record, normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    /// National tax number, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// IBANs on the master record (compact, upper case): the only accounts Docket will pay.
    #[serde(default)]
    pub ibans: Vec<String>,
    /// E-mail domains the supplier sends from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<String>,
    /// Posting is blocked for this supplier.
    #[serde(default)]
    pub posting_blocked: bool,
    /// Payment is blocked for this supplier.
    #[serde(default)]
    pub payment_blocked: bool,
}

/// One line of a purchase order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchaseOrderLine {
    /// The line number as the ERP writes it (`10`, `00010`, `1`).
    pub line: String,
    /// The material / item code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    /// The supplier's item code, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_item_code: Option<String>,
    /// The line text.
    pub description: String,
    /// Quantity ordered.
    pub quantity: Decimal,
    /// Order unit.
    pub unit: String,
    /// Net price per `price_unit` units.
    pub unit_price: Decimal,
    /// How many units the price is for (SAP NetPriceQuantity); usually 1.
    #[serde(default = "one")]
    pub price_unit: Decimal,
    /// VAT rate in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<Decimal>,
    /// Whether invoice verification is against goods received (SAP's InvoiceIsGoodsReceiptBased).
    #[serde(default = "yes")]
    pub goods_receipt_based: bool,
    /// Other units the line may be invoiced in, with how many order units one
    /// of them is (a box of 12 pieces on a PO line in pieces: `BOX`, 12).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit_conversions: Vec<UnitConversion>,
}

/// An alternative unit of a PO line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnitConversion {
    /// The alternative unit (as the document may write it).
    pub unit: String,
    /// Order units per one alternative unit.
    pub factor: Decimal,
}

fn one() -> Decimal {
    Decimal::ONE
}

fn yes() -> bool {
    true
}

/// A purchase order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PurchaseOrder {
    /// The PO number.
    pub number: String,
    /// The supplier's ERP id.
    pub supplier_id: String,
    /// The order date.
    pub order_date: NaiveDate,
    /// The PO currency.
    pub currency: Currency,
    /// The buying company (SAP CompanyCode, Exact division, Odoo company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Delivery costs planned on the PO (freight, packaging), net, in its currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_delivery_costs: Option<Decimal>,
    /// Whether the PO is closed (fully delivered and invoiced, or cancelled):
    /// the search for a PO an invoice does not name skips closed ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    /// The lines.
    pub lines: Vec<PurchaseOrderLine>,
}

/// A goods receipt (or its reversal) for one PO line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GoodsReceipt {
    /// The receipt (material document) number.
    pub number: String,
    /// The receipt's line within its document.
    #[serde(default = "first_line")]
    pub item: String,
    /// The PO number.
    pub purchase_order: String,
    /// The PO line.
    pub purchase_order_line: String,
    /// Quantity received; negative for a reversal (SAP movement type 102).
    pub quantity: Decimal,
    /// The posting date.
    pub date: NaiveDate,
}

fn first_line() -> String {
    "1".to_string()
}

/// One booked invoice line linked to a PO line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BookedLine {
    /// The PO number.
    pub purchase_order: String,
    /// The PO line.
    pub purchase_order_line: String,
    /// Quantity invoiced (negative for a credit note).
    pub quantity: Decimal,
    /// Net amount (negative for a credit note).
    pub amount: Decimal,
    /// The goods receipt the line was verified against, where the ERP needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_receipt: Option<String>,
    /// For a line not tied to a PO line (delivery costs, a discount, a small
    /// difference): the G/L account it is booked to. `purchase_order_line` is
    /// then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// A supplier invoice or credit note already booked in the ERP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BookedInvoice {
    /// The ERP's own document number.
    pub erp_ref: String,
    /// The supplier's ERP id.
    pub supplier_id: String,
    /// The supplier's invoice number as booked (the reference).
    pub supplier_reference: String,
    /// Invoice or credit note.
    pub kind: DocumentKind,
    /// The invoice date.
    pub document_date: NaiveDate,
    /// Gross amount.
    pub gross: Money,
    /// Lines linked to PO lines.
    #[serde(default)]
    pub lines: Vec<BookedLine>,
    /// Docket's idempotency key, where Docket booked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Reversed (cancelled) in the ERP.
    #[serde(default)]
    pub reversed: bool,
}

/// A customer in the ERP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Customer {
    /// The ERP's customer number.
    pub id: String,
    /// Name on the master record.
    pub name: String,
    /// VAT id, normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    /// E-mail domains the customer orders from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<String>,
}

/// A product we sell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Product {
    /// Our item code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Sales unit.
    pub unit: String,
    /// List price per unit.
    pub price: Money,
    /// GTIN / EAN, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
}

/// Everything matching needs to know of the ERP, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErpSnapshot {
    /// Suppliers.
    #[serde(default)]
    pub suppliers: Vec<Supplier>,
    /// Purchase orders.
    #[serde(default)]
    pub purchase_orders: Vec<PurchaseOrder>,
    /// Goods receipts and reversals.
    #[serde(default)]
    pub goods_receipts: Vec<GoodsReceipt>,
    /// Invoices and credit notes already booked.
    #[serde(default)]
    pub booked_invoices: Vec<BookedInvoice>,
    /// Customers.
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// Products.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Customers' price lists; a product without an entry sells at its list price.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub price_lists: Vec<PriceListEntry>,
    /// Sales orders created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sales_orders: Vec<BookedSalesOrder>,
}

/// A customer's price for one of our products (from its price list), or
/// the list price where the customer has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerPrice {
    /// Our item code.
    pub product_code: String,
    /// Net price per unit.
    pub price: Money,
    /// From this quantity on (price scales), 0 for any.
    #[serde(default)]
    pub min_quantity: Decimal,
}

/// One entry of a customer's price list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PriceListEntry {
    /// The customer's ERP id.
    pub customer_id: String,
    /// The price.
    #[serde(flatten)]
    pub price: CustomerPrice,
}

/// One line of a sales order to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SalesOrderLine {
    /// Our item code.
    pub product_code: String,
    /// Quantity ordered.
    pub quantity: Decimal,
    /// Sales unit.
    pub unit: String,
    /// The price the customer's order states, where it states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Decimal>,
}

/// A request to create a sales order from a customer's purchase order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SalesOrderRequest {
    /// Docket's idempotency key: customer + normalised PO number.
    pub idempotency_key: String,
    /// The customer's ERP id.
    pub customer_id: String,
    /// The customer's purchase order number: the external reference.
    pub customer_reference: String,
    /// The order date.
    pub order_date: NaiveDate,
    /// The requested delivery date, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_delivery: Option<NaiveDate>,
    /// The currency.
    pub currency: Currency,
    /// The lines.
    pub lines: Vec<SalesOrderLine>,
}

/// A sales order as the ERP holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BookedSalesOrder {
    /// The ERP's sales order number.
    pub erp_ref: String,
    /// The customer's ERP id.
    pub customer_id: String,
    /// The customer's purchase order number.
    pub customer_reference: String,
    /// The lines.
    pub lines: Vec<SalesOrderLine>,
}

/// A request to book a supplier invoice or credit note, produced by matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BookingRequest {
    /// Docket's idempotency key: supplier + normalised invoice number + kind.
    pub idempotency_key: String,
    /// The supplier's ERP id.
    pub supplier_id: String,
    /// The supplier's invoice number, as printed.
    pub supplier_reference: String,
    /// Invoice or credit note.
    pub kind: DocumentKind,
    /// The invoice date.
    pub document_date: NaiveDate,
    /// Gross amount (positive; `kind` gives the direction).
    pub gross: Money,
    /// The buying company (SAP CompanyCode), from the purchase orders, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Lines linked to PO lines.
    pub lines: Vec<BookedLine>,
}

/// The key under which a supplier document is booked exactly once.
pub fn idempotency_key(supplier_id: &str, invoice_number: &str, kind: DocumentKind) -> String {
    format!(
        "{}|{}|{}",
        supplier_id.trim(),
        crate::normalize::invoice_number(invoice_number),
        kind.as_str()
    )
}
