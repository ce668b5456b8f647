//! The three writes Docket makes: purchase invoices linked to PO lines,
//! purchase entries (accounting only, no PO link) and sales orders. Each
//! checks what Exact checks (mandatory fields, unknown properties, the
//! supplier or customer exists and is not blocked, a PO line or item per
//! invoice line, a supplier's invoice number used once) and answers 400
//! with Exact's message otherwise.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::odata::date_millis;
use super::schema::{self, Entity};
use super::seed::{CREDIT_TYPE, Db, INVOICE_TYPE};

type Record = Map<String, Value>;

/// The body's fields, refusing any the entity does not have.
fn fields<'a>(entity: &Entity, body: &'a Value, lines: &str) -> Result<&'a Record, String> {
    let record = body
        .as_object()
        .ok_or("The request body is not a JSON object")?;
    for name in record.keys() {
        if name != lines && entity.kind(name).is_none() {
            return Err(format!(
                "Property '{name}' does not exist on type '{}'",
                entity.name
            ));
        }
    }
    Ok(record)
}

fn required<'a>(record: &'a Record, name: &str) -> Result<&'a Value, String> {
    record
        .get(name)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| format!("Mandatory: {name}"))
}

fn lines<'a>(record: &'a Record, name: &str) -> Result<&'a Vec<Value>, String> {
    match required(record, name)?.as_array() {
        Some(lines) if !lines.is_empty() => Ok(lines),
        _ => Err(format!("Mandatory: {name}")),
    }
}

fn guid(value: &Value) -> Value {
    Value::String(value.as_str().unwrap_or_default().to_ascii_lowercase())
}

fn amount(value: Option<&Value>) -> f64 {
    value.and_then(Value::as_f64).unwrap_or(0.0)
}

/// The date of a body field as Exact stores it.
fn date(record: &Record, name: &str) -> Result<Value, String> {
    let text = required(record, name)?.as_str().unwrap_or_default();
    let ms = date_millis(text).ok_or_else(|| format!("{name}: not a date: {text}"))?;
    Ok(Value::String(format!("/Date({ms})/")))
}

/// The account a write names, checked to be usable for `role`.
fn account(db: &Db, id: &Value, role: &str) -> Result<Record, String> {
    let account = db
        .find(&schema::ACCOUNTS, "ID", &guid(id))
        .ok_or_else(|| format!("{role}: account {id} does not exist"))?;
    if account.get(role) != Some(&Value::Bool(true)) {
        return Err(format!("Account {} is not marked {role}", account["Code"]));
    }
    if account.get("Blocked") == Some(&Value::Bool(true)) {
        return Err(format!("Account {} is blocked", account["Code"]));
    }
    Ok(account.clone())
}

/// Exact refuses a supplier's invoice number it has already booked for that supplier.
fn unused_reference(
    db: &Db,
    entity: &Entity,
    supplier: &Value,
    record: &Record,
) -> Result<(), String> {
    let Some(reference) = record.get("YourRef").filter(|r| !r.is_null()) else {
        return Ok(());
    };
    let taken = db
        .rows(entity)
        .iter()
        .any(|r| r.get("Supplier") == Some(supplier) && r.get("YourRef") == Some(reference));
    if taken {
        return Err(format!(
            "Your ref. {reference} has already been used for this supplier"
        ));
    }
    Ok(())
}

/// `POST purchase/PurchaseInvoices`.
pub fn purchase_invoice(db: &mut Db, body: &Value) -> Result<Value, String> {
    let record = fields(&schema::PURCHASE_INVOICES, body, "PurchaseInvoiceLines")?;
    let supplier = guid(required(record, "Supplier")?);
    account(db, &supplier, "IsSupplier")?;
    required(record, "Journal")?;
    let invoice_date = date(record, "InvoiceDate")?;
    let kind = record
        .get("Type")
        .and_then(Value::as_i64)
        .unwrap_or(INVOICE_TYPE);
    if kind != INVOICE_TYPE && kind != CREDIT_TYPE {
        return Err(format!("Type {kind} is not a purchase invoice type"));
    }
    unused_reference(db, &schema::PURCHASE_INVOICES, &supplier, record)?;
    let id = db.guid();
    let mut new_lines = Vec::new();
    for (n, line) in lines(record, "PurchaseInvoiceLines")?.iter().enumerate() {
        let line = fields(&schema::PURCHASE_INVOICE_LINES, line, "")?;
        let po_line = line
            .get("PurchaseOrderLine")
            .filter(|v| !v.is_null())
            .map(guid);
        let item = line.get("Item").filter(|v| !v.is_null()).map(guid);
        let Some(po_line) = po_line else {
            if item.is_none() {
                return Err("Either the Item or the PurchaseOrderLine has to be supplied".into());
            }
            return Err(
                "Lines without a PurchaseOrderLine are not supported by the simulator".into(),
            );
        };
        let ordered = db
            .find(&schema::PURCHASE_ORDER_LINES, "ID", &po_line)
            .ok_or_else(|| format!("Purchase order line {po_line} does not exist"))?
            .clone();
        let po = db
            .find(
                &schema::PURCHASE_ORDERS,
                "PurchaseOrderID",
                &ordered["PurchaseOrderID"],
            )
            .ok_or("Purchase order of the line does not exist")?;
        if po["Supplier"] != supplier {
            return Err(format!(
                "Purchase order {} is not of this supplier",
                po["OrderNumber"]
            ));
        }
        // Values of the PO line are copied where the line does not give them.
        let quantity = line
            .get("Quantity")
            .cloned()
            .unwrap_or(ordered["Quantity"].clone());
        let price = line
            .get("UnitPrice")
            .cloned()
            .unwrap_or(ordered["UnitPrice"].clone());
        let net = line
            .get("Amount")
            .cloned()
            .unwrap_or_else(|| json!(amount(Some(&quantity)) * amount(Some(&price))));
        let line_id = db.guid();
        new_lines.push((
            json!({"ID": line_id, "InvoiceID": id, "LineNumber": n + 1,
                   "PurchaseOrderLine": po_line, "Item": ordered["Item"], "Quantity": quantity,
                   "UnitPrice": price, "Amount": net, "Description": line.get("Description")}),
            po_line,
            amount(Some(&quantity)),
        ));
    }
    let number = db.next_number(&schema::PURCHASE_INVOICES, "EntryNumber", 24_700_001);
    let invoice = json!({"ID": id, "EntryNumber": number, "Supplier": supplier,
                         "Journal": record["Journal"], "InvoiceDate": invoice_date,
                         "YourRef": record.get("YourRef"), "Currency": record.get("Currency").cloned().unwrap_or("EUR".into()),
                         "Amount": record.get("Amount"), "Type": kind, "Status": 20,
                         "Description": record.get("Description")});
    db.insert(&schema::PURCHASE_INVOICES, invoice.clone());
    for (line, po_line, quantity) in new_lines {
        db.insert(&schema::PURCHASE_INVOICE_LINES, line);
        db.add_to_line(&po_line, "InvoicedQuantity", quantity);
    }
    db.refresh_invoice_statuses();
    Ok(invoice)
}

/// `POST purchaseentry/PurchaseEntries`.
pub fn purchase_entry(db: &mut Db, body: &Value) -> Result<Value, String> {
    let record = fields(&schema::PURCHASE_ENTRIES, body, "PurchaseEntryLines")?;
    let supplier = guid(required(record, "Supplier")?);
    account(db, &supplier, "IsSupplier")?;
    required(record, "Journal")?;
    let entry_date = date(record, "EntryDate")?;
    unused_reference(db, &schema::PURCHASE_ENTRIES, &supplier, record)?;
    let id = db.guid();
    let mut total = Decimal::ZERO;
    let mut new_lines = Vec::new();
    for (n, line) in lines(record, "PurchaseEntryLines")?.iter().enumerate() {
        let line = fields(&schema::PURCHASE_ENTRY_LINES, line, "")?;
        let gl = guid(required(line, "GLAccount")?);
        let value = required(line, "AmountFC")?;
        total += Decimal::try_from(amount(Some(value))).unwrap_or_default();
        let line_id = db.guid();
        new_lines.push(json!({"ID": line_id, "EntryID": id, "LineNumber": n + 1,
                              "GLAccount": gl, "AmountFC": value, "VATCode": line.get("VATCode"),
                              "Quantity": line.get("Quantity"), "Description": line.get("Description")}));
    }
    let number = db.next_number(&schema::PURCHASE_ENTRIES, "EntryNumber", 24_800_001);
    let entry = json!({"EntryID": id, "EntryNumber": number, "Journal": record["Journal"],
                       "Supplier": supplier, "EntryDate": entry_date,
                       "YourRef": record.get("YourRef"), "Currency": record.get("Currency").cloned().unwrap_or("EUR".into()),
                       "AmountFC": super::seed::number(total),
                       "Type": record.get("Type").cloned().unwrap_or(20.into()), "Status": 20,
                       "Reversal": false, "Description": record.get("Description")});
    db.insert(&schema::PURCHASE_ENTRIES, entry.clone());
    for line in new_lines {
        db.insert(&schema::PURCHASE_ENTRY_LINES, line);
    }
    Ok(entry)
}

/// `POST salesorder/SalesOrders`.
pub fn sales_order(db: &mut Db, body: &Value) -> Result<Value, String> {
    let record = fields(&schema::SALES_ORDERS, body, "SalesOrderLines")?;
    let customer = guid(required(record, "OrderedBy")?);
    account(db, &customer, "IsSales")?;
    let order_date = date(record, "OrderDate")?;
    let delivery = match record.get("DeliveryDate").filter(|v| !v.is_null()) {
        Some(_) => date(record, "DeliveryDate")?,
        None => order_date.clone(),
    };
    let id = db.guid();
    let mut new_lines = Vec::new();
    for (n, line) in lines(record, "SalesOrderLines")?.iter().enumerate() {
        let line = fields(&schema::SALES_ORDER_LINES, line, "")?;
        let item_id = guid(required(line, "Item")?);
        let item = db
            .find(&schema::ITEMS, "ID", &item_id)
            .ok_or_else(|| format!("Item {item_id} does not exist"))?
            .clone();
        if item.get("IsSalesItem") != Some(&Value::Bool(true)) {
            return Err(format!("Item {} is not a sales item", item["Code"]));
        }
        let price = line
            .get("UnitPrice")
            .cloned()
            .unwrap_or(item["StandardSalesPrice"].clone());
        let line_id = db.guid();
        new_lines.push(
            json!({"ID": line_id, "OrderID": id, "LineNumber": n + 1, "Item": item_id,
                              "ItemCode": item["Code"], "Quantity": required(line, "Quantity")?,
                              "UnitPrice": price, "UnitCode": item["Unit"]}),
        );
    }
    let number = db.next_number(&schema::SALES_ORDERS, "OrderNumber", 1);
    let order = json!({"OrderID": id, "OrderNumber": number, "OrderedBy": customer,
                       "YourRef": record.get("YourRef"), "OrderDate": order_date,
                       "DeliveryDate": delivery, "Currency": record.get("Currency").cloned().unwrap_or("EUR".into()),
                       "Description": record.get("Description"), "Status": 12});
    db.insert(&schema::SALES_ORDERS, order.clone());
    for line in new_lines {
        db.insert(&schema::SALES_ORDER_LINES, line);
    }
    Ok(order)
}
