//! Writing: the deep inserts of a supplier invoice (with its PO-referenced
//! items) and of a sales order (with its items), checked as SAP checks them.
//!
//! What is checked: properties must exist and be creatable, decimals must
//! be strings and dates `/Date(ms)/` (or ISO), the invoicing party must
//! exist and not be blocked for posting, every PO item must exist, belong
//! to the invoicing party and the company code, and a goods-receipt-based
//! item must name the material document it settles (`ReferenceDocument`,
//! `…FiscalYear`, `…Item`) with a 101 receipt for that item. A duplicate
//! `SupplierInvoiceIDByInvcgParty` is accepted silently, as SAP does
//! unless the supplier's duplicate check is configured.

use chrono::Datelike;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::SapConfig;
use super::schema::{self, EntitySet};
use super::store::{Record, Tables, po_item};
use super::wire;

/// A refused write: SAP's message code and text.
pub struct Refusal {
    /// The message code (`M8/…`-style class and number).
    pub code: &'static str,
    /// The text.
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// Checks that every property of `body` exists on `set` and is not one of
/// `not_creatable`; navigations are allowed only if listed in `deep`.
fn check_properties(
    set: &EntitySet,
    body: &Map<String, Value>,
    not_creatable: &[&str],
    deep: &[&str],
) -> Result<(), Refusal> {
    for name in body.keys() {
        if deep.contains(&name.as_str()) || name == "__metadata" {
            continue;
        }
        if !set.has(name) || not_creatable.contains(&name.as_str()) {
            return Err(refuse(
                "/IWBEP/CM_MGW_RT/022",
                format!(
                    "Property '{name}' is invalid or not creatable in '{}'",
                    set.entity_type
                ),
            ));
        }
    }
    Ok(())
}

fn text<'a>(body: &'a Map<String, Value>, name: &str) -> &'a str {
    body.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn decimal(body: &Map<String, Value>, name: &str) -> Result<Decimal, Refusal> {
    body.get(name)
        .map(wire::parse_payload_decimal)
        .unwrap_or(Some(Decimal::ZERO))
        .ok_or_else(|| {
            refuse(
                "/IWBEP/CM_MGW_RT/004",
                format!("Failed to read property '{name}': Edm.Decimal must be a string"),
            )
        })
}

fn date(body: &Map<String, Value>, name: &str) -> Result<chrono::NaiveDate, Refusal> {
    body.get(name)
        .and_then(wire::parse_payload_date)
        .ok_or_else(|| {
            refuse(
                "/IWBEP/CM_MGW_RT/004",
                format!("Property '{name}' is missing or not an Edm.DateTime"),
            )
        })
}

/// The entries of a deep-insert navigation: `{"results":[…]}` or `[…]`.
fn deep_entries<'a>(
    body: &'a Map<String, Value>,
    nav: &str,
) -> Result<Vec<&'a Map<String, Value>>, Refusal> {
    let list = match body.get(nav) {
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(Value::Object(o)) => match o.get("results") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(refuse(
                    "/IWBEP/CM_MGW_RT/004",
                    format!("'{nav}' needs results"),
                ));
            }
        },
        Some(_) => {
            return Err(refuse(
                "/IWBEP/CM_MGW_RT/004",
                format!("'{nav}' is malformed"),
            ));
        }
    };
    list.iter()
        .map(|v| {
            v.as_object().ok_or_else(|| {
                refuse(
                    "/IWBEP/CM_MGW_RT/004",
                    format!("an entry of '{nav}' is not an object"),
                )
            })
        })
        .collect()
}

fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

fn next_number(tables: &Tables, set: &str, property: &str, first: u64) -> String {
    tables
        .all(set)
        .iter()
        .filter_map(|r| r.get(property)?.as_str()?.parse::<u64>().ok())
        .max()
        .map_or(first, |n| n + 1)
        .to_string()
}

/// Creates a supplier invoice from a deep-insert body; returns the header.
pub fn create_invoice(tables: &mut Tables, body: &Map<String, Value>) -> Result<Record, Refusal> {
    let header_set = schema::by_name("A_SupplierInvoice");
    let items_set = schema::by_name("A_SuplrInvcItemPurOrdRef");
    let gl_set = schema::by_name("A_SupplierInvoiceItemGLAcct");
    let server_side = [
        "SupplierInvoice",
        "FiscalYear",
        "SupplierInvoiceStatus",
        "IsReversed",
    ];
    check_properties(
        header_set,
        body,
        &server_side,
        &["to_SuplrInvcItemPurOrdRef", "to_SupplierInvoiceItemGLAcct"],
    )?;
    for required in ["CompanyCode", "InvoicingParty", "DocumentCurrency"] {
        if text(body, required).is_empty() {
            return Err(refuse("M8/SIM01", format!("Enter a value for {required}")));
        }
    }
    let document_date = date(body, "DocumentDate")?;
    let posting_date = date(body, "PostingDate")?;
    let gross = decimal(body, "InvoiceGrossAmount")?;
    let company = text(body, "CompanyCode").to_uppercase();
    let party = text(body, "InvoicingParty").to_uppercase();
    let reference = text(body, "SupplierInvoiceIDByInvcgParty").to_uppercase();
    if reference.chars().count() > 16 {
        return Err(refuse(
            "/IWBEP/CM_MGW_RT/004",
            "Property 'SupplierInvoiceIDByInvcgParty' is longer than 16 characters",
        ));
    }
    let supplier = tables
        .all("A_Supplier")
        .iter()
        .find(|r| r["Supplier"] == s(&party))
        .ok_or_else(|| refuse("M8/SIM02", format!("Supplier {party} does not exist")))?;
    if supplier["PostingIsBlocked"] == Value::Bool(true) {
        return Err(refuse(
            "M8/SIM03",
            format!("Supplier {party} is blocked for posting"),
        ));
    }
    let currency = text(body, "DocumentCurrency").to_string();
    let items = deep_entries(body, "to_SuplrInvcItemPurOrdRef")?;
    let gl_items = deep_entries(body, "to_SupplierInvoiceItemGLAcct")?;
    if items.is_empty() && gl_items.is_empty() {
        return Err(refuse("M8/SIM04", "The invoice has no items"));
    }
    let mut new_items = Vec::new();
    for item in &items {
        check_properties(items_set, item, &["SupplierInvoice", "FiscalYear"], &[])?;
        new_items.push(check_po_item(tables, item, &company, &party)?);
    }
    for item in &gl_items {
        check_properties(gl_set, item, &["SupplierInvoice", "FiscalYear"], &[])?;
        if text(item, "GLAccount").is_empty() {
            return Err(refuse("M8/SIM05", "Enter a G/L account"));
        }
        decimal(item, "SupplierInvoiceItemAmount")?;
    }
    let number = next_number(
        tables,
        "A_SupplierInvoice",
        "SupplierInvoice",
        5_105_600_001,
    );
    let year = posting_date.year().to_string();
    let mut header: Vec<(&str, Value)> = body
        .iter()
        .filter(|(k, _)| header_set.has(k))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    header.extend([
        ("SupplierInvoice", s(&number)),
        ("FiscalYear", s(&year)),
        ("CompanyCode", s(&company)),
        ("InvoicingParty", s(&party)),
        ("SupplierInvoiceIDByInvcgParty", s(&reference)),
        ("DocumentDate", wire::date(document_date)),
        ("PostingDate", wire::date(posting_date)),
        ("InvoiceGrossAmount", wire::decimal(gross, 2)),
        ("SupplierInvoiceStatus", s("5")),
        ("IsReversed", Value::Bool(false)),
    ]);
    let created = tables.insert("A_SupplierInvoice", header);
    let mut touched = Vec::new();
    for (item, po_item_number) in items.iter().zip(new_items) {
        touched.push((
            text(item, "PurchaseOrder").to_string(),
            po_item_number.clone(),
        ));
        let mut values = copy(items_set, item);
        values.extend([
            ("SupplierInvoice", s(&number)),
            ("FiscalYear", s(&year)),
            ("PurchaseOrderItem", s(po_item_number)),
            ("DocumentCurrency", s(&currency)),
        ]);
        tables.insert("A_SuplrInvcItemPurOrdRef", values);
    }
    for item in &gl_items {
        let mut values = copy(gl_set, item);
        values.extend([
            ("SupplierInvoice", s(&number)),
            ("FiscalYear", s(&year)),
            ("CompanyCode", s(&company)),
            ("DocumentCurrency", s(&currency)),
        ]);
        tables.insert("A_SupplierInvoiceItemGLAcct", values);
    }
    for (po, item) in touched {
        finally_invoice(tables, &po, &item);
    }
    Ok(created)
}

/// Sets a PO item's `IsFinallyInvoiced` once its invoices (less credit
/// memos, reversed ones left out) reach its quantity: the change stamps
/// the PO, so an incremental read sees it close.
fn finally_invoice(tables: &mut Tables, po: &str, item: &str) {
    let Some(order) = tables
        .all("A_PurchaseOrderItem")
        .iter()
        .find(|i| i["PurchaseOrder"] == s(po) && i["PurchaseOrderItem"] == s(item))
    else {
        return;
    };
    if order["IsFinallyInvoiced"] == Value::Bool(true) {
        return;
    }
    let ordered = order["OrderQuantity"]
        .as_str()
        .and_then(|q| q.parse::<Decimal>().ok())
        .unwrap_or_default();
    let mut invoiced = Decimal::ZERO;
    for r in tables.all("A_SuplrInvcItemPurOrdRef") {
        if r["PurchaseOrder"] != s(po) || r["PurchaseOrderItem"] != s(item) {
            continue;
        }
        let Some(header) = tables.all("A_SupplierInvoice").iter().find(|h| {
            h["SupplierInvoice"] == r["SupplierInvoice"] && h["FiscalYear"] == r["FiscalYear"]
        }) else {
            continue;
        };
        if header["IsReversed"] == Value::Bool(true) {
            continue;
        }
        let q = r["QuantityInPurchaseOrderUnit"]
            .as_str()
            .and_then(|q| q.parse::<Decimal>().ok())
            .unwrap_or_default();
        if header["SupplierInvoiceIsCreditMemo"] == s("X") {
            invoiced -= q;
        } else {
            invoiced += q;
        }
    }
    if ordered > Decimal::ZERO && invoiced >= ordered {
        tables.update(
            "A_PurchaseOrderItem",
            &[("PurchaseOrder", po), ("PurchaseOrderItem", item)],
            vec![("IsFinallyInvoiced", Value::Bool(true))],
        );
    }
}

fn copy<'a>(set: &EntitySet, body: &'a Map<String, Value>) -> Vec<(&'a str, Value)> {
    body.iter()
        .filter(|(k, _)| set.has(k))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect()
}

/// Checks one PO-referenced item; returns its PO item number, zero-padded.
fn check_po_item(
    tables: &Tables,
    item: &Map<String, Value>,
    company: &str,
    party: &str,
) -> Result<String, Refusal> {
    let po = text(item, "PurchaseOrder");
    let line = po_item(text(item, "PurchaseOrderItem"));
    decimal(item, "SupplierInvoiceItemAmount")?;
    decimal(item, "QuantityInPurchaseOrderUnit")?;
    let header = tables
        .all("A_PurchaseOrder")
        .iter()
        .find(|r| r["PurchaseOrder"] == s(po))
        .ok_or_else(|| refuse("M8/SIM10", format!("Purchase order {po} does not exist")))?;
    if header["CompanyCode"] != s(company) {
        return Err(refuse(
            "M8/SIM11",
            format!("Purchase order {po} belongs to another company code"),
        ));
    }
    if header["Supplier"] != s(party) && header["InvoicingParty"] != s(party) {
        return Err(refuse(
            "M8/SIM12",
            format!("Purchase order {po} is not for invoicing party {party}"),
        ));
    }
    let po_line = tables
        .all("A_PurchaseOrderItem")
        .iter()
        .find(|r| r["PurchaseOrder"] == s(po) && r["PurchaseOrderItem"] == s(&line))
        .ok_or_else(|| {
            refuse(
                "M8/SIM13",
                format!("Item {line} of purchase order {po} does not exist"),
            )
        })?;
    if po_line["InvoiceIsGoodsReceiptBased"] == Value::Bool(true) {
        let doc = text(item, "ReferenceDocument");
        let year = text(item, "ReferenceDocumentFiscalYear");
        let doc_item = text(item, "ReferenceDocumentItem");
        if doc.is_empty() || year.is_empty() || doc_item.is_empty() {
            return Err(refuse(
                "M8/SIM14",
                format!(
                    "Item {line} of purchase order {po} is goods-receipt-based: enter the reference document (material document, year, item)"
                ),
            ));
        }
        let received = tables.all("A_MaterialDocumentItem").iter().any(|r| {
            r["MaterialDocument"] == s(doc)
                && r["MaterialDocumentYear"] == s(year)
                && r["MaterialDocumentItem"] == s(doc_item)
                && r["PurchaseOrder"] == s(po)
                && r["PurchaseOrderItem"] == s(&line)
                && r["GoodsMovementType"] == s("101")
        });
        if !received {
            return Err(refuse(
                "M8/SIM15",
                format!(
                    "Reference document {doc}/{year}/{doc_item} is no goods receipt for item {line} of purchase order {po}"
                ),
            ));
        }
    }
    Ok(line)
}

/// Creates a sales order from a deep-insert body; returns the header.
pub fn create_sales_order(
    tables: &mut Tables,
    config: &SapConfig,
    body: &Map<String, Value>,
) -> Result<Record, Refusal> {
    let header_set = schema::by_name("A_SalesOrder");
    let items_set = schema::by_name("A_SalesOrderItem");
    check_properties(
        header_set,
        body,
        &["SalesOrder", "TotalNetAmount"],
        &["to_Item"],
    )?;
    let org = [
        ("SalesOrderType", &config.sales_order_type),
        ("SalesOrganization", &config.sales_organization),
        ("DistributionChannel", &config.distribution_channel),
        ("OrganizationDivision", &config.division),
    ];
    for (name, wanted) in org {
        if text(body, name) != wanted.as_str() {
            return Err(refuse(
                "V1/SIM01",
                format!(
                    "{name} '{}' is not defined for this system",
                    text(body, name)
                ),
            ));
        }
    }
    let customer = text(body, "SoldToParty").to_string();
    if !tables
        .all("A_Customer")
        .iter()
        .any(|r| r["Customer"] == s(&customer))
    {
        return Err(refuse(
            "V1/SIM02",
            format!("Sold-to party {customer} does not exist"),
        ));
    }
    let items = deep_entries(body, "to_Item")?;
    if items.is_empty() {
        return Err(refuse("V1/SIM03", "The sales order has no items"));
    }
    let number = next_number(tables, "A_SalesOrder", "SalesOrder", 1);
    let currency = text(body, "TransactionCurrency").to_string();
    let mut total = Decimal::ZERO;
    let mut new_items = Vec::new();
    for (i, item) in items.iter().enumerate() {
        check_properties(items_set, item, &["SalesOrder", "NetAmount"], &[])?;
        let material = text(item, "Material").to_string();
        let Some((unit, list_price)) = tables.materials.get(&material).cloned() else {
            return Err(refuse(
                "V1/SIM04",
                format!("Material {material} does not exist"),
            ));
        };
        let quantity = decimal(item, "RequestedQuantity")?;
        let price = tables
            .prices
            .get(&(customer.clone(), material.clone()))
            .copied()
            .unwrap_or(list_price);
        let net = quantity * price;
        total += net;
        let mut values = copy(items_set, item);
        let item_unit = if text(item, "RequestedQuantityUnit").is_empty() {
            unit
        } else {
            text(item, "RequestedQuantityUnit").to_string()
        };
        values.extend([
            ("SalesOrder", s(&number)),
            ("SalesOrderItem", s(((i + 1) * 10).to_string())),
            ("RequestedQuantity", wire::decimal(quantity, 3)),
            ("RequestedQuantityUnit", s(item_unit)),
            ("TransactionCurrency", s(&currency)),
            ("NetAmount", wire::decimal(net, 2)),
        ]);
        new_items.push(values);
    }
    let mut header = copy(header_set, body);
    header.extend([
        ("SalesOrder", s(&number)),
        ("TotalNetAmount", wire::decimal(total, 2)),
    ]);
    let created = tables.insert("A_SalesOrder", header);
    for values in new_items {
        tables.insert("A_SalesOrderItem", values);
    }
    Ok(created)
}
