//! Reading suppliers (by VAT id, by IBAN through A_BusinessPartnerBank),
//! purchase orders with their items, and goods receipts (101, and 102
//! reversals as negative quantities; cancelled items left out) keeping
//! the material document, year and item a receipt-based invoice names.

use std::collections::BTreeSet;

use docket_domain::erp::{GoodsReceipt, PurchaseOrder, PurchaseOrderLine, Supplier};
use docket_domain::{Currency, normalize};
use serde_json::Value;

use crate::{ErpError, SupplierQuery};

use super::client::Client;
use super::wire::{self, any_of, expanded, flag, number, text};

pub(super) const BP: &str = "API_BUSINESS_PARTNER";
pub(super) const PO: &str = "API_PURCHASEORDER_PROCESS_SRV";
pub(super) const MD: &str = "API_MATERIAL_DOCUMENT_SRV";

/// Values per `or`-filter: keeps URLs well under gateway limits.
pub(super) const FILTER_CHUNK: usize = 20;

/// Records of `path` whose `property` is any of `values`, chunk by chunk.
pub(super) async fn by_any(
    client: &Client,
    service: &str,
    path: &str,
    property: &str,
    values: &[String],
    extra: &[(&str, String)],
) -> Result<Vec<Value>, ErpError> {
    let mut out = Vec::new();
    let distinct: Vec<String> = values
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in distinct.chunks(FILTER_CHUNK) {
        let mut query = vec![("$filter", any_of(property, chunk))];
        query.extend(extra.iter().cloned());
        out.extend(client.get_all(service, path, &query).await?);
    }
    Ok(out)
}

pub(super) async fn supplier_candidates(
    client: &Client,
    query: &SupplierQuery,
) -> Result<Vec<Supplier>, ErpError> {
    let mut ids = BTreeSet::new();
    let vats: Vec<String> = query
        .vat_ids
        .iter()
        .map(|v| normalize::compact_identifier(v))
        .collect();
    for s in by_any(client, BP, "A_Supplier", "VATRegistration", &vats, &[]).await? {
        ids.insert(text(&s, "Supplier").to_string());
    }
    let ibans: Vec<String> = query
        .ibans
        .iter()
        .map(|v| normalize::compact_identifier(v))
        .collect();
    for b in by_any(client, BP, "A_BusinessPartnerBank", "IBAN", &ibans, &[]).await? {
        ids.insert(text(&b, "BusinessPartner").to_string());
    }
    let ids: Vec<String> = ids.into_iter().collect();
    suppliers_by_id(client, &ids, false).await
}

/// The suppliers with these ids, with their IBANs; a deleted one is left
/// out, or with `deleted_as_blocked` kept as blocked for posting and
/// payment (so that a cache drops nothing silently but books nothing on it).
pub(super) async fn suppliers_by_id(
    client: &Client,
    ids: &[String],
    deleted_as_blocked: bool,
) -> Result<Vec<Supplier>, ErpError> {
    let records = by_any(client, BP, "A_Supplier", "Supplier", ids, &[]).await?;
    let banks = by_any(
        client,
        BP,
        "A_BusinessPartnerBank",
        "BusinessPartner",
        ids,
        &[],
    )
    .await?;
    Ok(to_suppliers(&records, &banks, deleted_as_blocked))
}

/// A_Supplier records and their A_BusinessPartnerBank records as suppliers.
pub(super) fn to_suppliers(
    records: &[Value],
    banks: &[Value],
    deleted_as_blocked: bool,
) -> Vec<Supplier> {
    records
        .iter()
        .filter(|s| deleted_as_blocked || !flag(s, "DeletionIndicator"))
        .map(|s| {
            let deleted = flag(s, "DeletionIndicator");
            let id = text(s, "Supplier");
            let non_empty = |v: &str| (!v.is_empty()).then(|| v.to_string());
            Supplier {
                id: id.to_string(),
                name: text(s, "SupplierName").to_string(),
                vat_id: non_empty(text(s, "VATRegistration"))
                    .map(|v| normalize::compact_identifier(&v)),
                tax_number: non_empty(text(s, "TaxNumber1")),
                country: None,
                ibans: banks
                    .iter()
                    .filter(|b| text(b, "BusinessPartner") == id && !text(b, "IBAN").is_empty())
                    .map(|b| normalize::compact_identifier(text(b, "IBAN")))
                    .collect(),
                email_domains: Vec::new(),
                posting_blocked: deleted || flag(s, "PostingIsBlocked"),
                payment_blocked: deleted || flag(s, "PaymentIsBlockedForSupplier"),
            }
        })
        .collect()
}

pub(super) fn to_order(
    client: &Client,
    po: &Value,
    open_only: bool,
) -> Result<Option<PurchaseOrder>, ErpError> {
    let currency = Currency::parse(text(po, "DocumentCurrency")).map_err(|e| {
        ErpError::Permanent(format!("PO {}: currency: {e}", text(po, "PurchaseOrder")))
    })?;
    let items = expanded(po, "to_PurchaseOrderItem");
    let live: Vec<&Value> = items
        .iter()
        .filter(|i| text(i, "PurchasingDocumentDeletionCode").is_empty())
        .collect();
    let open: Vec<&Value> = live
        .iter()
        .copied()
        .filter(|i| !flag(i, "IsFinallyInvoiced"))
        .collect();
    let header_deleted = !text(po, "PurchasingDocumentDeletionCode").is_empty();
    let closed = header_deleted || open.is_empty();
    if open_only && closed {
        return Ok(None);
    }
    let tax_codes = &client.settings().tax_codes;
    let lines = (if open_only { open } else { live })
        .into_iter()
        .map(|i| {
            let non_empty = |v: &str| (!v.is_empty()).then(|| v.to_string());
            let price_unit = number(i, "NetPriceQuantity")?;
            Ok(PurchaseOrderLine {
                line: text(i, "PurchaseOrderItem").to_string(),
                item_code: non_empty(text(i, "Material")),
                supplier_item_code: non_empty(text(i, "SupplierMaterialNumber")),
                description: text(i, "PurchaseOrderItemText").to_string(),
                quantity: number(i, "OrderQuantity")?,
                unit: text(i, "PurchaseOrderQuantityUnit").to_string(),
                unit_price: number(i, "NetPriceAmount")?,
                price_unit: if price_unit.is_zero() {
                    rust_decimal::Decimal::ONE
                } else {
                    price_unit
                },
                tax_rate: tax_codes
                    .iter()
                    .find(|(code, _)| code == text(i, "TaxCode"))
                    .map(|(_, rate)| *rate),
                goods_receipt_based: flag(i, "InvoiceIsGoodsReceiptBased"),
                unit_conversions: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, ErpError>>()?;
    let non_empty = |v: &str| (!v.is_empty()).then(|| v.to_string());
    Ok(Some(PurchaseOrder {
        number: text(po, "PurchaseOrder").to_string(),
        supplier_id: text(po, "Supplier").to_string(),
        order_date: wire::day(po, "PurchaseOrderDate")?,
        currency,
        company: non_empty(text(po, "CompanyCode")),
        planned_delivery_costs: None,
        closed,
        lines,
    }))
}

pub(super) async fn purchase_orders(
    client: &Client,
    numbers: &[String],
) -> Result<Vec<PurchaseOrder>, ErpError> {
    let expand = [("$expand", "to_PurchaseOrderItem".to_string())];
    let records = by_any(
        client,
        PO,
        "A_PurchaseOrder",
        "PurchaseOrder",
        numbers,
        &expand,
    )
    .await?;
    records
        .iter()
        .filter_map(|po| to_order(client, po, false).transpose())
        .collect()
}

pub(super) async fn open_purchase_orders(
    client: &Client,
    supplier_id: &str,
    since: Option<chrono::NaiveDate>,
) -> Result<Vec<PurchaseOrder>, ErpError> {
    let mut filter = format!(
        "Supplier eq {} and PurchasingDocumentDeletionCode eq ''",
        wire::quote(supplier_id)
    );
    if let Some(day) = since {
        filter.push_str(&format!(
            " and PurchaseOrderDate ge {}",
            wire::filter_date(day)
        ));
    }
    let query = [
        ("$filter", filter),
        ("$expand", "to_PurchaseOrderItem".to_string()),
    ];
    let records = client.get_all(PO, "A_PurchaseOrder", &query).await?;
    records
        .iter()
        .filter_map(|po| to_order(client, po, true).transpose())
        .collect()
}

/// A goods receipt with the fiscal year of its material document.
pub(super) struct ReceiptItem {
    pub receipt: GoodsReceipt,
    pub year: String,
}

/// Receipts (101) and reversals (102, negative) for these POs; cancelled
/// items and other movements are left out.
pub(super) async fn receipt_items(
    client: &Client,
    po_numbers: &[String],
) -> Result<Vec<ReceiptItem>, ErpError> {
    let expand = [("$expand", "to_MaterialDocumentHeader".to_string())];
    let records = by_any(
        client,
        MD,
        "A_MaterialDocumentItem",
        "PurchaseOrder",
        po_numbers,
        &expand,
    )
    .await?;
    let mut out = Vec::new();
    for r in &records {
        let sign = match text(r, "GoodsMovementType") {
            "101" => rust_decimal::Decimal::ONE,
            "102" => -rust_decimal::Decimal::ONE,
            _ => continue,
        };
        if flag(r, "GoodsMovementIsCancelled") {
            continue;
        }
        let header = r.get("to_MaterialDocumentHeader").unwrap_or(&Value::Null);
        out.push(ReceiptItem {
            receipt: GoodsReceipt {
                number: text(r, "MaterialDocument").to_string(),
                item: text(r, "MaterialDocumentItem").to_string(),
                purchase_order: text(r, "PurchaseOrder").to_string(),
                purchase_order_line: text(r, "PurchaseOrderItem").to_string(),
                quantity: sign * number(r, "QuantityInEntryUnit")?,
                date: wire::day(header, "PostingDate")?,
            },
            year: text(r, "MaterialDocumentYear").to_string(),
        });
    }
    Ok(out)
}
