//! The simulator's data: one table of JSON records per entity set, seeded
//! from an [`ErpSnapshot`] the way Exact would hold the same ERP.
//!
//! Where Exact has no place for a domain fact, the seed says so: a posting
//! block is `Account.Blocked`; a payment block is every `BankAccount.Blocked`
//! of the supplier (Exact blocks payments per bank account); one e-mail
//! domain goes to `Website`; SAP-style price units are folded into
//! `UnitPrice`; VAT percentages are fractions (`0.19`) as Exact writes them.
//! Booked invoices with PO-line links become `purchase/PurchaseInvoices`,
//! the others (and reversed ones) `purchaseentry/PurchaseEntries`.
//!
//! Every record of an entity with `Modified` is stamped with the time it
//! was written (seeding included) and again whenever it changes: a PO line
//! whose received or invoiced quantity moves, and its purchase order with
//! it (Exact's receipt and invoice statuses live on the order). Stamps
//! never go backwards, so that `Modified gt` never misses a later change.

use std::collections::HashMap;

use docket_domain::DocumentKind;
use docket_domain::erp::{ErpSnapshot, PurchaseOrder};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};

use super::odata::date_value;
use super::schema::{self, Entity};

/// Exact's `Type` of a purchase invoice and of a purchase credit note.
pub const INVOICE_TYPE: i64 = 8033;
/// See [`INVOICE_TYPE`].
pub const CREDIT_TYPE: i64 = 8034;

/// All tables and the counters that number new records.
#[derive(Debug, Default)]
pub struct Db {
    tables: HashMap<&'static str, Vec<Map<String, Value>>>,
    guids: u64,
    /// The last `Modified` stamp given (Unix ms).
    stamped: i64,
}

/// `Account.Code`: 18 characters, right-aligned with leading spaces.
pub fn account_code(id: &str) -> String {
    format!("{:>18}", id.trim())
}

/// A JSON number from a decimal (Exact's `Edm.Double`).
pub fn number(d: Decimal) -> Value {
    d.to_f64().map_or(Value::Null, Value::from)
}

/// A JSON integer from a domain number (`"4500000100"`, `"10"`).
fn int(text: &str) -> Value {
    text.trim().parse::<i64>().map_or(Value::Null, Value::from)
}

fn row(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Db {
    /// A fresh GUID, lower case as Exact writes them.
    pub fn guid(&mut self) -> String {
        self.guids += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", 0x00e9_ac70_u32, self.guids)
    }

    /// The records of `entity`.
    pub fn rows(&self, entity: &Entity) -> &[Map<String, Value>] {
        self.tables.get(entity.path).map_or(&[], Vec::as_slice)
    }

    /// Mutable records of `entity`.
    pub fn rows_mut(&mut self, entity: &Entity) -> &mut Vec<Map<String, Value>> {
        self.tables.entry(entity.path).or_default()
    }

    /// A `Modified` stamp for now: the clock's milliseconds, never before
    /// the previous stamp (stamps may repeat: many records change in one
    /// millisecond, as in Exact; running ahead of the clock would hide
    /// changes from a watermark taken by the clock).
    pub fn stamp(&mut self) -> Value {
        let now = chrono::Utc::now().timestamp_millis();
        self.stamped = now.max(self.stamped);
        Value::String(format!("/Date({})/", self.stamped))
    }

    /// Adds a record, stamped if its entity has `Modified`.
    pub fn insert(&mut self, entity: &Entity, record: Value) {
        let mut record = row(record);
        if entity.kind("Modified").is_some() {
            let stamp = self.stamp();
            record.insert("Modified".into(), stamp);
        }
        self.rows_mut(entity).push(record);
    }

    /// Sets `field` of the records of `entity` whose `key_field` is
    /// `key`, stamping them; how many changed.
    pub fn update(
        &mut self,
        entity: &Entity,
        key_field: &str,
        key: &Value,
        field: &str,
        value: Value,
    ) -> usize {
        let stamp = self.stamp();
        let stamped = entity.kind("Modified").is_some();
        let mut changed = 0;
        for r in self.rows_mut(entity) {
            if r.get(key_field) == Some(key) {
                r.insert(field.into(), value.clone());
                if stamped {
                    r.insert("Modified".into(), stamp.clone());
                }
                changed += 1;
            }
        }
        changed
    }

    /// Stamps the records of `entity` whose `key_field` is `key` as changed now.
    fn touch(&mut self, entity: &Entity, key_field: &str, key: &Value) {
        let stamp = self.stamp();
        for r in self.rows_mut(entity) {
            if r.get(key_field) == Some(key) {
                r.insert("Modified".into(), stamp.clone());
            }
        }
    }

    /// The first record of `entity` whose `field` is `value`.
    pub fn find(&self, entity: &Entity, field: &str, value: &Value) -> Option<&Map<String, Value>> {
        self.rows(entity)
            .iter()
            .find(|r| r.get(field) == Some(value))
    }

    /// One more than the highest integer `field` of `entity` (or `first`).
    pub fn next_number(&self, entity: &Entity, field: &str, first: i64) -> i64 {
        self.rows(entity)
            .iter()
            .filter_map(|r| r.get(field).and_then(Value::as_i64))
            .max()
            .map_or(first, |n| n + 1)
    }

    /// The ERP as Exact would hold `snapshot`.
    pub fn seeded(snapshot: &ErpSnapshot) -> Db {
        let mut db = Db::default();
        let mut accounts: HashMap<String, String> = HashMap::new();
        let mut account = |db: &mut Db, id: &str, name: &str, vat: Option<&str>, supplier: bool| {
            if let Some(guid) = accounts.get(id) {
                let field = if supplier { "IsSupplier" } else { "IsSales" };
                if let Some(r) = db
                    .rows_mut(&schema::ACCOUNTS)
                    .iter_mut()
                    .find(|r| r["ID"] == *guid)
                {
                    r.insert(field.into(), true.into());
                }
                return guid.clone();
            }
            let guid = db.guid();
            db.insert(
                &schema::ACCOUNTS,
                json!({"ID": guid, "Code": account_code(id), "Name": name, "VATNumber": vat,
                       "Country": null, "Website": null, "IsSupplier": supplier,
                       "IsSales": !supplier, "Blocked": false}),
            );
            accounts.insert(id.to_string(), guid.clone());
            guid
        };
        for s in &snapshot.suppliers {
            let guid = account(&mut db, &s.id, &s.name, s.vat_id.as_deref(), true);
            if let Some(r) = db
                .rows_mut(&schema::ACCOUNTS)
                .iter_mut()
                .find(|r| r["ID"] == *guid)
            {
                r.insert("Country".into(), json!(s.country));
                r.insert("Website".into(), json!(s.email_domains.first()));
                r.insert("Blocked".into(), s.posting_blocked.into());
            }
            for (n, iban) in s.ibans.iter().enumerate() {
                let id = db.guid();
                db.insert(
                    &schema::BANK_ACCOUNTS,
                    json!({"ID": id, "Account": guid, "BankAccount": iban, "IBAN": iban,
                           "Main": n == 0, "Blocked": s.payment_blocked}),
                );
            }
        }
        for c in &snapshot.customers {
            let guid = account(&mut db, &c.id, &c.name, c.vat_id.as_deref(), false);
            if let Some(r) = db
                .rows_mut(&schema::ACCOUNTS)
                .iter_mut()
                .find(|r| r["ID"] == *guid)
            {
                r.insert("Website".into(), json!(c.email_domains.first()));
            }
        }
        for p in &snapshot.products {
            let id = db.guid();
            db.insert(
                &schema::ITEMS,
                json!({"ID": id, "Code": p.code, "Description": p.description, "Unit": p.unit,
                       "StandardSalesPrice": number(p.price.amount), "Barcode": p.gtin,
                       "IsSalesItem": true, "IsPurchaseItem": false}),
            );
        }
        for po in &snapshot.purchase_orders {
            let supplier = account(&mut db, &po.supplier_id, &po.supplier_id, None, true);
            db.seed_order(po, &supplier);
        }
        db.seed_receipts(snapshot);
        db.seed_bookings(snapshot, &accounts);
        db
    }

    /// An item for a purchased code, made on first use.
    fn item(&mut self, code: &str, description: &str, unit: &str) -> String {
        let code_value = Value::from(code);
        if let Some(found) = self.find(&schema::ITEMS, "Code", &code_value) {
            return found["ID"].as_str().unwrap_or_default().to_string();
        }
        let id = self.guid();
        self.insert(
            &schema::ITEMS,
            json!({"ID": id, "Code": code, "Description": description, "Unit": unit,
                   "StandardSalesPrice": 0, "Barcode": null, "IsSalesItem": false,
                   "IsPurchaseItem": true}),
        );
        id
    }

    fn seed_order(&mut self, po: &PurchaseOrder, supplier: &str) {
        let order_id = self.guid();
        let mut total = Decimal::ZERO;
        for line in &po.lines {
            let id = self.guid();
            let item = line
                .item_code
                .as_deref()
                .map(|code| self.item(code, &line.description, &line.unit));
            let price = if line.price_unit.is_zero() {
                line.unit_price
            } else {
                line.unit_price / line.price_unit
            };
            let amount = (price * line.quantity).round_dp(2);
            total += amount;
            self.insert(
                &schema::PURCHASE_ORDER_LINES,
                json!({"ID": id, "PurchaseOrderID": order_id, "LineNumber": int(&line.line),
                       "Item": item, "ItemCode": line.item_code,
                       "SupplierItemCode": line.supplier_item_code,
                       "Description": line.description, "Quantity": number(line.quantity),
                       "ReceivedQuantity": 0, "InvoicedQuantity": 0,
                       "UnitPrice": number(price), "AmountFC": number(amount),
                       "VATPercentage": line.tax_rate.map(|r| number(r / Decimal::ONE_HUNDRED)),
                       "Unit": line.unit}),
            );
        }
        let status = if po.closed { 30 } else { 10 };
        self.insert(
            &schema::PURCHASE_ORDERS,
            json!({"PurchaseOrderID": order_id, "OrderNumber": int(&po.number),
                   "Supplier": supplier, "SupplierCode": account_code(&po.supplier_id),
                   "OrderDate": date_value(po.order_date), "Currency": po.currency.code(),
                   "AmountFC": number(total), "OrderStatus": status, "ReceiptStatus": status,
                   "InvoiceStatus": status}),
        );
    }

    /// The PO line record for a PO number and line number.
    pub fn po_line(&self, order: &str, line: &str) -> Option<&Map<String, Value>> {
        let po = self.find(&schema::PURCHASE_ORDERS, "OrderNumber", &int(order))?;
        self.rows(&schema::PURCHASE_ORDER_LINES)
            .iter()
            .find(|l| l["PurchaseOrderID"] == po["PurchaseOrderID"] && l["LineNumber"] == int(line))
    }

    /// Adds `quantity` to a PO line's `field` (`ReceivedQuantity`,
    /// `InvoicedQuantity`), stamping the line and its purchase order.
    pub fn add_to_line(&mut self, line_id: &Value, field: &str, quantity: f64) {
        let Some(line) = self
            .rows_mut(&schema::PURCHASE_ORDER_LINES)
            .iter_mut()
            .find(|l| l["ID"] == *line_id)
        else {
            return;
        };
        let now = line.get(field).and_then(Value::as_f64).unwrap_or(0.0);
        line.insert(field.into(), Value::from(now + quantity));
        let order = line["PurchaseOrderID"].clone();
        self.touch(&schema::PURCHASE_ORDER_LINES, "ID", line_id);
        self.touch(&schema::PURCHASE_ORDERS, "PurchaseOrderID", &order);
    }

    /// Posts a goods receipt of `quantity` on a PO line: a receipt header
    /// numbered after the highest, its line, and the line's received
    /// quantity raised. `None` when the PO line does not exist.
    pub fn receive(&mut self, order: &str, line: &str, quantity: f64) -> Option<i64> {
        let ordered = self.po_line(order, line)?.clone();
        let po = self
            .find(
                &schema::PURCHASE_ORDERS,
                "PurchaseOrderID",
                &ordered["PurchaseOrderID"],
            )?
            .clone();
        let number = self.next_number(&schema::GOODS_RECEIPTS, "ReceiptNumber", 1);
        let header = self.guid();
        let today = date_value(chrono::Utc::now().date_naive());
        self.insert(
            &schema::GOODS_RECEIPTS,
            json!({"ID": header, "ReceiptNumber": number, "ReceiptDate": today,
                   "Supplier": po["Supplier"]}),
        );
        let id = self.guid();
        self.insert(
            &schema::GOODS_RECEIPT_LINES,
            json!({"ID": id, "GoodsReceiptID": header, "LineNumber": 1,
                   "PurchaseOrderID": ordered["PurchaseOrderID"],
                   "PurchaseOrderLineID": ordered["ID"],
                   "PurchaseOrderNumber": po["OrderNumber"],
                   "QuantityReceived": quantity}),
        );
        self.add_to_line(&ordered["ID"], "ReceivedQuantity", quantity);
        Some(number)
    }

    fn seed_receipts(&mut self, snapshot: &ErpSnapshot) {
        let mut headers: HashMap<String, String> = HashMap::new();
        for r in &snapshot.goods_receipts {
            let Some(line) = self
                .po_line(&r.purchase_order, &r.purchase_order_line)
                .cloned()
            else {
                continue;
            };
            let po = self
                .find(
                    &schema::PURCHASE_ORDERS,
                    "PurchaseOrderID",
                    &line["PurchaseOrderID"],
                )
                .cloned()
                .unwrap_or_default();
            let header = match headers.get(&r.number) {
                Some(id) => id.clone(),
                None => {
                    let id = self.guid();
                    self.insert(
                        &schema::GOODS_RECEIPTS,
                        json!({"ID": id, "ReceiptNumber": int(&r.number),
                               "ReceiptDate": date_value(r.date), "Supplier": po["Supplier"]}),
                    );
                    headers.insert(r.number.clone(), id.clone());
                    id
                }
            };
            let id = self.guid();
            self.insert(
                &schema::GOODS_RECEIPT_LINES,
                json!({"ID": id, "GoodsReceiptID": header, "LineNumber": int(&r.item),
                       "PurchaseOrderID": line["PurchaseOrderID"],
                       "PurchaseOrderLineID": line["ID"],
                       "PurchaseOrderNumber": po["OrderNumber"],
                       "QuantityReceived": number(r.quantity)}),
            );
            self.add_to_line(
                &line["ID"],
                "ReceivedQuantity",
                r.quantity.to_f64().unwrap_or(0.0),
            );
        }
    }

    fn seed_bookings(&mut self, snapshot: &ErpSnapshot, accounts: &HashMap<String, String>) {
        for b in &snapshot.booked_invoices {
            let Some(supplier) = accounts.get(&b.supplier_id) else {
                continue;
            };
            let credit = b.kind == DocumentKind::CreditNote;
            let linked: Vec<_> = b
                .lines
                .iter()
                .filter_map(|l| {
                    let line = self.po_line(&l.purchase_order, &l.purchase_order_line)?;
                    Some((line["ID"].clone(), l.clone()))
                })
                .collect();
            let id = self.guid();
            let description = b.idempotency_key.clone().unwrap_or_default();
            if b.reversed || linked.is_empty() || linked.len() != b.lines.len() {
                let next = self.next_number(&schema::PURCHASE_ENTRIES, "EntryNumber", 1);
                self.insert(
                    &schema::PURCHASE_ENTRIES,
                    json!({"EntryID": id, "EntryNumber": int(&b.erp_ref).as_i64().unwrap_or(next),
                           "Journal": "70", "Supplier": supplier,
                           "EntryDate": date_value(b.document_date), "YourRef": b.supplier_reference,
                           "Currency": b.gross.currency.code(), "AmountFC": number(b.gross.amount),
                           "Type": if credit { 21 } else { 20 }, "Status": 50,
                           "Reversal": b.reversed, "Description": description}),
                );
                continue;
            }
            let next = self.next_number(&schema::PURCHASE_INVOICES, "EntryNumber", 1);
            self.insert(
                &schema::PURCHASE_INVOICES,
                json!({"ID": id, "EntryNumber": int(&b.erp_ref).as_i64().unwrap_or(next),
                       "Supplier": supplier, "Journal": "70",
                       "InvoiceDate": date_value(b.document_date), "YourRef": b.supplier_reference,
                       "Currency": b.gross.currency.code(), "Amount": number(b.gross.amount),
                       "Type": if credit { CREDIT_TYPE } else { INVOICE_TYPE }, "Status": 50,
                       "Description": description}),
            );
            for (n, (line_id, l)) in linked.into_iter().enumerate() {
                let line = self.guid();
                self.insert(
                    &schema::PURCHASE_INVOICE_LINES,
                    json!({"ID": line, "InvoiceID": id, "LineNumber": n + 1,
                           "PurchaseOrderLine": line_id, "Item": null,
                           "Quantity": number(l.quantity), "UnitPrice": null,
                           "Amount": number(l.amount), "Description": null}),
                );
                self.add_to_line(
                    &line_id,
                    "InvoicedQuantity",
                    l.quantity.to_f64().unwrap_or(0.0),
                );
            }
        }
        self.refresh_invoice_statuses();
    }

    /// `InvoiceStatus` of open orders from their lines: 10 nothing invoiced, 20 partly.
    pub fn refresh_invoice_statuses(&mut self) {
        let invoiced: Vec<Value> = self
            .rows(&schema::PURCHASE_ORDER_LINES)
            .iter()
            .filter(|l| {
                l.get("InvoicedQuantity")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0)
                    != 0.0
            })
            .map(|l| l["PurchaseOrderID"].clone())
            .collect();
        let stamp = self.stamp();
        for po in self.rows_mut(&schema::PURCHASE_ORDERS) {
            if po["InvoiceStatus"].as_i64() == Some(10) && invoiced.contains(&po["PurchaseOrderID"])
            {
                po.insert("InvoiceStatus".into(), 20.into());
                po.insert("Modified".into(), stamp.clone());
            }
        }
    }
}
