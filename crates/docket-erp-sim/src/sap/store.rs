//! The simulator's tables, seeded from an [`ErpSnapshot`] the way SAP
//! would hold the same facts: one record per entity, every value already in
//! its wire form (strings for decimals, `/Date(ms)/` for dates, zero-padded
//! item numbers), so reads serve them unchanged.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
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
    /// When the seeded records count as created and last changed.
    pub seeded: DateTime<Utc>,
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

    /// Adds a record to `set` (named by the schema, checked there) as SAP
    /// records a change now: a new material document item gets its header
    /// (entered today) if it has none, a new header its entry date, a new
    /// PO its creation and change stamps, a new PO item or bank account
    /// stamps its PO or business partner as changed.
    pub fn insert(&mut self, set: &'static str, values: Vec<(&str, Value)>) -> Record {
        let now = Utc::now();
        let mut r = record(schema::by_name(set), values);
        let empty = |r: &Record, k: &str| r.get(k).and_then(Value::as_str) == Some("");
        match set {
            "A_MaterialDocumentHeader" | "A_Supplier" if empty(&r, "CreationDate") => {
                r.insert("CreationDate".into(), wire::date(now.date_naive()));
            }
            "A_PurchaseOrder" => {
                if empty(&r, "CreationDate") {
                    r.insert("CreationDate".into(), wire::date(now.date_naive()));
                }
                r.insert(
                    "LastChangeDateTime".into(),
                    wire::offset_ms(now.timestamp_millis()),
                );
            }
            "A_MaterialDocumentItem" => {
                let (year, number) = (
                    r["MaterialDocumentYear"].clone(),
                    r["MaterialDocument"].clone(),
                );
                let have = self
                    .all("A_MaterialDocumentHeader")
                    .iter()
                    .any(|h| h["MaterialDocumentYear"] == year && h["MaterialDocument"] == number);
                if !have {
                    let today = wire::date(now.date_naive());
                    self.insert(
                        "A_MaterialDocumentHeader",
                        vec![
                            ("MaterialDocumentYear", year),
                            ("MaterialDocument", number),
                            ("DocumentDate", today.clone()),
                            ("PostingDate", today),
                            ("GoodsMovementCode", s("01")),
                        ],
                    );
                }
            }
            _ => {}
        }
        self.sets.entry(set).or_default().push(r.clone());
        self.touch(set, &r, now);
        r
    }

    /// Adds a record as it was seeded: values as given, nothing stamped.
    fn put(&mut self, set: &'static str, values: Vec<(&str, Value)>) -> Record {
        let r = record(schema::by_name(set), values);
        self.sets.entry(set).or_default().push(r.clone());
        r
    }

    /// Changes the records of `set` with these key values; stamps what SAP
    /// stamps (the PO's `LastChangeDateTime`, the business partner's
    /// `LastChangeDate`). Returns how many records changed.
    pub fn update(
        &mut self,
        set: &'static str,
        key: &[(&str, &str)],
        values: Vec<(&str, Value)>,
    ) -> usize {
        let schema = schema::by_name(set);
        for (k, _) in &values {
            assert!(
                schema.has(k),
                "{k} is not a property of {set} in the schema"
            );
        }
        let mut changed = Vec::new();
        for r in self.sets.entry(set).or_default() {
            if key
                .iter()
                .all(|(k, v)| r.get(*k).and_then(Value::as_str) == Some(*v))
            {
                for (k, v) in &values {
                    r.insert((*k).to_string(), v.clone());
                }
                changed.push(r.clone());
            }
        }
        let now = Utc::now();
        for r in &changed {
            self.touch(set, r, now);
        }
        changed.len()
    }

    /// Stamps the change of `r` (in `set`) where SAP keeps it.
    fn touch(&mut self, set: &str, r: &Record, now: DateTime<Utc>) {
        let (owner, key, id, stamp) = match set {
            "A_PurchaseOrder" | "A_PurchaseOrderItem" => (
                "A_PurchaseOrder",
                "PurchaseOrder",
                r.get("PurchaseOrder"),
                (
                    "LastChangeDateTime",
                    wire::offset_ms(now.timestamp_millis()),
                ),
            ),
            "A_Supplier" => (
                "A_BusinessPartner",
                "BusinessPartner",
                r.get("Supplier"),
                ("LastChangeDate", wire::date(now.date_naive())),
            ),
            "A_BusinessPartner" | "A_BusinessPartnerBank" => (
                "A_BusinessPartner",
                "BusinessPartner",
                r.get("BusinessPartner"),
                ("LastChangeDate", wire::date(now.date_naive())),
            ),
            _ => return,
        };
        let Some(id) = id.cloned() else { return };
        let rows = self.sets.entry(owner).or_default();
        match rows.iter_mut().find(|o| o.get(key) == Some(&id)) {
            Some(o) => {
                o.insert(stamp.0.into(), stamp.1);
            }
            None if owner == "A_BusinessPartner" => {
                let today = wire::date(now.date_naive());
                let r = record(
                    schema::by_name(owner),
                    vec![
                        ("BusinessPartner", id),
                        ("CreationDate", today.clone()),
                        ("LastChangeDate", today),
                    ],
                );
                rows.push(r);
            }
            None => {}
        }
    }

    /// Seeds the tables from a snapshot.
    ///
    /// Seeded records count as created and last changed two days ago (a
    /// PO at the latest on its order date, a material document at the
    /// latest on its posting date), so that whatever changes after seeding
    /// stands apart even for SAP's day-precise change dates.
    pub fn seed(data: &ErpSnapshot, config: &SapConfig) -> Tables {
        let mut t = Tables::default();
        let seeded = Utc::now() - chrono::Duration::days(2);
        t.seeded = seeded;
        for sup in &data.suppliers {
            t.put(
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
                    ("CreationDate", wire::date(seeded.date_naive())),
                ],
            );
            t.put(
                "A_BusinessPartner",
                vec![
                    ("BusinessPartner", s(&sup.id)),
                    ("BusinessPartnerFullName", s(&sup.name)),
                    ("CreationDate", wire::date(seeded.date_naive())),
                    ("LastChangeDate", wire::date(seeded.date_naive())),
                ],
            );
            for (i, iban) in sup.ibans.iter().enumerate() {
                t.put(
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
            t.put(
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
            t.put(
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
                t.put(
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
        self.put(
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
                (
                    "CreationDate",
                    wire::date(po.order_date.min(self.seeded.date_naive())),
                ),
                (
                    "LastChangeDateTime",
                    wire::offset_ms(self.seeded.timestamp_millis()),
                ),
            ],
        );
        for line in &po.lines {
            let tax_code = line
                .tax_rate
                .and_then(|rate| config.tax_codes.iter().find(|(_, r)| *r == rate))
                .map(|(code, _)| code.clone())
                .unwrap_or_default();
            self.put(
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
            self.put(
                "A_MaterialDocumentHeader",
                vec![
                    ("MaterialDocumentYear", s(&year)),
                    ("MaterialDocument", s(&gr.number)),
                    ("DocumentDate", wire::date(gr.date)),
                    ("PostingDate", wire::date(gr.date)),
                    ("GoodsMovementCode", s("01")),
                    (
                        "CreationDate",
                        wire::date(gr.date.min(self.seeded.date_naive())),
                    ),
                ],
            );
        }
        // SAP records a reversal as its own movement (102) with a positive quantity.
        let movement = if gr.quantity.is_sign_negative() {
            "102"
        } else {
            "101"
        };
        self.put(
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
        self.put(
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
                self.put(
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
            self.put(
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
