//! The simulator's tables, seeded from an [`ErpSnapshot`] the way SAP
//! would hold the same facts: one record per entity, every value already in
//! its wire form (strings for decimals, `/Date(ms)/` for dates, zero-padded
//! item numbers), so reads serve them unchanged.

use std::collections::HashMap;

use chrono::Datelike;
use docket_domain::DocumentKind;
use docket_domain::erp::{ErpSnapshot, GoodsReceipt, PurchaseOrder};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::SapConfig;
use super::schema::{self, EntitySet};
use super::wire;

/// One entity: property name → wire value.
pub type Record = Map<String, Value>;

/// What the simulated system holds.
#[derive(Debug, Default)]
pub struct Tables {
    sets: HashMap<&'static str, Vec<Record>>,
    /// Materials that can be sold (the product master the sales order service checks against).
    pub materials: HashMap<String, (String, Decimal)>,
    /// Customer-specific prices: (customer, material) → price.
    pub prices: HashMap<(String, String), Decimal>,
}

/// A PO item number as SAP writes it: `10` → `00010`.
pub fn po_item(line: &str) -> String {
    match line.trim().parse::<u32>() {
        Ok(n) => format!("{n:05}"),
        Err(_) => line.trim().to_string(),
    }
}

/// A record of `set` with these values; the schema's other properties empty.
fn record(set: &EntitySet, values: Vec<(&str, Value)>) -> Record {
    let mut r: Record = set
        .properties
        .iter()
        .map(|p| ((*p).to_string(), Value::String(String::new())))
        .collect();
    for (k, v) in values {
        assert!(
            set.has(k),
            "{k} is not a property of {} in the schema",
            set.name
        );
        r.insert(k.to_string(), v);
    }
    r
}

fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

impl Tables {
    /// The records of `set`.
    pub fn all(&self, set: &str) -> &[Record] {
        self.sets.get(set).map_or(&[], Vec::as_slice)
    }

    /// Adds a record to `set` (named by the schema, checked there).
    pub fn insert(&mut self, set: &'static str, values: Vec<(&str, Value)>) -> Record {
        let r = record(schema::by_name(set), values);
        self.sets.entry(set).or_default().push(r.clone());
        r
    }

    /// Seeds the tables from a snapshot.
    pub fn seed(data: &ErpSnapshot, config: &SapConfig) -> Tables {
        let mut t = Tables::default();
        for sup in &data.suppliers {
            t.insert(
                "A_Supplier",
                vec![
                    ("Supplier", s(&sup.id)),
                    ("SupplierName", s(&sup.name)),
                    ("SupplierFullName", s(&sup.name)),
                    ("VATRegistration", s(sup.vat_id.clone().unwrap_or_default())),
                    ("TaxNumber1", s(sup.tax_number.clone().unwrap_or_default())),
                    ("PostingIsBlocked", Value::Bool(sup.posting_blocked)),
                    (
                        "PaymentIsBlockedForSupplier",
                        Value::Bool(sup.payment_blocked),
                    ),
                    ("PurchasingIsBlocked", Value::Bool(false)),
                    ("DeletionIndicator", Value::Bool(false)),
                ],
            );
            for (i, iban) in sup.ibans.iter().enumerate() {
                t.insert(
                    "A_BusinessPartnerBank",
                    vec![
                        ("BusinessPartner", s(&sup.id)),
                        ("BankIdentification", s(format!("{:04}", i + 1))),
                        ("BankCountryKey", s(iban.get(..2).unwrap_or_default())),
                        ("IBAN", s(iban)),
                        ("BankAccountHolderName", s(&sup.name)),
                    ],
                );
            }
        }
        for c in &data.customers {
            t.insert(
                "A_Customer",
                vec![
                    ("Customer", s(&c.id)),
                    ("CustomerName", s(&c.name)),
                    ("CustomerFullName", s(&c.name)),
                    ("VATRegistration", s(c.vat_id.clone().unwrap_or_default())),
                    ("OrderIsBlockedForCustomer", Value::Bool(false)),
                    ("DeletionIndicator", Value::Bool(false)),
                ],
            );
        }
        for p in &data.products {
            t.materials
                .insert(p.code.clone(), (p.unit.clone(), p.price.amount));
        }
        for e in &data.price_lists {
            t.prices.insert(
                (e.customer_id.clone(), e.price.product_code.clone()),
                e.price.price.amount,
            );
        }
        for po in &data.purchase_orders {
            t.seed_order(po, config);
        }
        for gr in &data.goods_receipts {
            t.seed_receipt(gr, data);
        }
        for b in &data.booked_invoices {
            t.seed_invoice(b, data, config);
        }
        for so in &data.sales_orders {
            t.insert(
                "A_SalesOrder",
                vec![
                    ("SalesOrder", s(&so.erp_ref)),
                    ("SalesOrderType", s(&config.sales_order_type)),
                    ("SalesOrganization", s(&config.sales_organization)),
                    ("DistributionChannel", s(&config.distribution_channel)),
                    ("OrganizationDivision", s(&config.division)),
                    ("SoldToParty", s(&so.customer_id)),
                    ("PurchaseOrderByCustomer", s(&so.customer_reference)),
                ],
            );
            for (i, l) in so.lines.iter().enumerate() {
                t.insert(
                    "A_SalesOrderItem",
                    vec![
                        ("SalesOrder", s(&so.erp_ref)),
                        ("SalesOrderItem", s(((i + 1) * 10).to_string())),
                        ("Material", s(&l.product_code)),
                        ("RequestedQuantity", wire::decimal(l.quantity, 3)),
                        ("RequestedQuantityUnit", s(&l.unit)),
                    ],
                );
            }
        }
        t
    }

    fn seed_order(&mut self, po: &PurchaseOrder, config: &SapConfig) {
        let company = po.company.clone().unwrap_or(config.company_code.clone());
        self.insert(
            "A_PurchaseOrder",
            vec![
                ("PurchaseOrder", s(&po.number)),
                ("CompanyCode", s(company)),
                ("PurchaseOrderType", s("NB")),
                ("PurchasingProcessingStatus", s("05")),
                ("Supplier", s(&po.supplier_id)),
                ("InvoicingParty", s(&po.supplier_id)),
                ("PurchasingOrganization", s(&config.company_code)),
                ("PurchasingGroup", s("001")),
                ("PurchaseOrderDate", wire::date(po.order_date)),
                ("DocumentCurrency", s(po.currency.code())),
                ("PaymentTerms", s("0001")),
            ],
        );
        for line in &po.lines {
            let tax_code = line
                .tax_rate
                .and_then(|rate| config.tax_codes.iter().find(|(_, r)| *r == rate))
                .map(|(code, _)| code.clone())
                .unwrap_or_default();
            self.insert(
                "A_PurchaseOrderItem",
                vec![
                    ("PurchaseOrder", s(&po.number)),
                    ("PurchaseOrderItem", s(po_item(&line.line))),
                    ("PurchaseOrderItemText", s(&line.description)),
                    ("Plant", s(&config.company_code)),
                    ("Material", s(line.item_code.clone().unwrap_or_default())),
                    (
                        "SupplierMaterialNumber",
                        s(line.supplier_item_code.clone().unwrap_or_default()),
                    ),
                    ("OrderQuantity", wire::decimal(line.quantity, 3)),
                    ("PurchaseOrderQuantityUnit", s(&line.unit)),
                    ("OrderPriceUnit", s(&line.unit)),
                    ("DocumentCurrency", s(po.currency.code())),
                    ("NetPriceAmount", wire::decimal(line.unit_price, 2)),
                    ("NetPriceQuantity", wire::decimal(line.price_unit, 0)),
                    ("TaxCode", s(tax_code)),
                    // A closed PO is one whose items are delivered and finally invoiced.
                    ("IsCompletelyDelivered", Value::Bool(po.closed)),
                    ("IsFinallyInvoiced", Value::Bool(po.closed)),
                    ("GoodsReceiptIsExpected", Value::Bool(true)),
                    ("InvoiceIsExpected", Value::Bool(true)),
                    (
                        "InvoiceIsGoodsReceiptBased",
                        Value::Bool(line.goods_receipt_based),
                    ),
                ],
            );
        }
    }

    fn seed_receipt(&mut self, gr: &GoodsReceipt, data: &ErpSnapshot) {
        let year = gr.date.year().to_string();
        let po = data
            .purchase_orders
            .iter()
            .find(|p| p.number == gr.purchase_order);
        let unit = po
            .and_then(|p| {
                p.lines
                    .iter()
                    .find(|l| po_item(&l.line) == po_item(&gr.purchase_order_line))
            })
            .map(|l| l.unit.clone())
            .unwrap_or_default();
        let have_header = self.all("A_MaterialDocumentHeader").iter().any(|h| {
            h["MaterialDocument"] == s(&gr.number) && h["MaterialDocumentYear"] == s(&year)
        });
        if !have_header {
            self.insert(
                "A_MaterialDocumentHeader",
                vec![
                    ("MaterialDocumentYear", s(&year)),
                    ("MaterialDocument", s(&gr.number)),
                    ("DocumentDate", wire::date(gr.date)),
                    ("PostingDate", wire::date(gr.date)),
                    ("GoodsMovementCode", s("01")),
                ],
            );
        }
        // SAP records a reversal as its own movement (102) with a positive quantity.
        let movement = if gr.quantity.is_sign_negative() {
            "102"
        } else {
            "101"
        };
        self.insert(
            "A_MaterialDocumentItem",
            vec![
                ("MaterialDocumentYear", s(&year)),
                ("MaterialDocument", s(&gr.number)),
                ("MaterialDocumentItem", s(&gr.item)),
                ("GoodsMovementType", s(movement)),
                (
                    "Supplier",
                    s(po.map(|p| p.supplier_id.clone()).unwrap_or_default()),
                ),
                ("PurchaseOrder", s(&gr.purchase_order)),
                ("PurchaseOrderItem", s(po_item(&gr.purchase_order_line))),
                ("GoodsMovementRefDocType", s("B")),
                ("QuantityInEntryUnit", wire::decimal(gr.quantity.abs(), 3)),
                ("EntryUnit", s(unit)),
                ("GoodsMovementIsCancelled", Value::Bool(false)),
            ],
        );
    }

    fn seed_invoice(
        &mut self,
        b: &docket_domain::erp::BookedInvoice,
        data: &ErpSnapshot,
        config: &SapConfig,
    ) {
        let year = b.document_date.year().to_string();
        let company = b
            .lines
            .iter()
            .find_map(|l| {
                data.purchase_orders
                    .iter()
                    .find(|p| p.number == l.purchase_order)
                    .and_then(|p| p.company.clone())
            })
            .unwrap_or(config.company_code.clone());
        let currency = b.gross.currency.code().to_string();
        let credit = b.kind == DocumentKind::CreditNote;
        self.insert(
            "A_SupplierInvoice",
            vec![
                ("SupplierInvoice", s(&b.erp_ref)),
                ("FiscalYear", s(&year)),
                ("CompanyCode", s(&company)),
                ("DocumentDate", wire::date(b.document_date)),
                ("PostingDate", wire::date(b.document_date)),
                (
                    "SupplierInvoiceIDByInvcgParty",
                    s(b.supplier_reference
                        .to_uppercase()
                        .chars()
                        .take(16)
                        .collect::<String>()),
                ),
                ("InvoicingParty", s(&b.supplier_id)),
                ("DocumentCurrency", s(&currency)),
                ("InvoiceGrossAmount", wire::decimal(b.gross.amount.abs(), 2)),
                ("SupplierInvoiceStatus", s("5")),
                ("TaxIsCalculatedAutomatically", Value::Bool(true)),
                (
                    "SupplierInvoiceIsCreditMemo",
                    s(if credit { "X" } else { "" }),
                ),
                ("IsReversed", Value::Bool(b.reversed)),
            ],
        );
        for (i, l) in b.lines.iter().enumerate() {
            let item = s(format!("{}", i + 1));
            if let Some(account) = &l.account {
                self.insert(
                    "A_SupplierInvoiceItemGLAcct",
                    vec![
                        ("SupplierInvoice", s(&b.erp_ref)),
                        ("FiscalYear", s(&year)),
                        ("SupplierInvoiceItem", item),
                        ("CompanyCode", s(&company)),
                        ("GLAccount", s(account)),
                        ("DocumentCurrency", s(&currency)),
                        (
                            "SupplierInvoiceItemAmount",
                            wire::decimal(l.amount.abs(), 2),
                        ),
                        ("DebitCreditCode", s(if credit { "H" } else { "S" })),
                    ],
                );
                continue;
            }
            let receipt = l.goods_receipt.as_ref().and_then(|number| {
                data.goods_receipts.iter().find(|g| {
                    &g.number == number
                        && g.purchase_order == l.purchase_order
                        && po_item(&g.purchase_order_line) == po_item(&l.purchase_order_line)
                })
            });
            self.insert(
                "A_SuplrInvcItemPurOrdRef",
                vec![
                    ("SupplierInvoice", s(&b.erp_ref)),
                    ("FiscalYear", s(&year)),
                    ("SupplierInvoiceItem", item),
                    ("PurchaseOrder", s(&l.purchase_order)),
                    ("PurchaseOrderItem", s(po_item(&l.purchase_order_line))),
                    (
                        "ReferenceDocument",
                        s(l.goods_receipt.clone().unwrap_or_default()),
                    ),
                    (
                        "ReferenceDocumentFiscalYear",
                        s(receipt
                            .map(|g| g.date.year().to_string())
                            .unwrap_or_default()),
                    ),
                    (
                        "ReferenceDocumentItem",
                        s(receipt.map(|g| g.item.clone()).unwrap_or_default()),
                    ),
                    ("DocumentCurrency", s(&currency)),
                    (
                        "SupplierInvoiceItemAmount",
                        wire::decimal(l.amount.abs(), 2),
                    ),
                    (
                        "QuantityInPurchaseOrderUnit",
                        wire::decimal(l.quantity.abs(), 3),
                    ),
                ],
            );
        }
    }
}
