//! Supplier invoices: reading bookings (by reference or by purchase
//! order), the idempotency lookup, and the deep insert linked to PO items
//! (with the goods receipt for receipt-based items).
//!
//! SAP accepts a second invoice under the same reference silently, so the
//! lookup before every attempt is the only guard against booking twice.
//! SAP has no field for Docket's idempotency key; the 25-character header
//! text carries a hash of it, from which a booking read back is recognised
//! as Docket's own (the key itself is recomputed from supplier, reference
//! and kind, as [`idempotency_key`] builds it).

use std::collections::BTreeMap;

use docket_domain::erp::{BookedInvoice, BookedLine, BookingRequest, idempotency_key};
use docket_domain::{Currency, DocumentKind, Money};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::http::with_retries;
use crate::{BookedQuery, ErpError};
use docket_domain::normalize::same_line_number;

use super::client::Client;
use super::purchasing::{FILTER_CHUNK, by_any, receipt_items};
use super::wire::{self, expanded, flag, number, quote, text};

const SI: &str = "API_SUPPLIERINVOICE_PROCESS_SRV";
const EXPAND: &str = "to_SuplrInvcItemPurOrdRef,to_SupplierInvoiceItemGLAcct";
/// SupplierInvoiceIDByInvcgParty's length.
const REFERENCE_LENGTH: usize = 16;

/// The reference as SAP keeps it: trimmed, upper case.
fn sap_reference(reference: &str) -> String {
    reference.trim().to_uppercase()
}

/// FNV-1a: stable across builds and platforms (unlike std's hasher).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The header text marking Docket's bookings (23 of SAP's 25 characters).
fn marker(key: &str) -> String {
    format!("DOCKET {:016x}", fnv1a(key))
}

fn to_booked(r: &Value) -> Result<BookedInvoice, ErpError> {
    let credit = text(r, "SupplierInvoiceIsCreditMemo") == "X";
    let kind = if credit {
        DocumentKind::CreditNote
    } else {
        DocumentKind::Invoice
    };
    let sign = if credit { -Decimal::ONE } else { Decimal::ONE };
    let currency = Currency::parse(text(r, "DocumentCurrency")).map_err(|e| {
        ErpError::Permanent(format!(
            "invoice {}: currency: {e}",
            text(r, "SupplierInvoice")
        ))
    })?;
    let mut lines = Vec::new();
    for i in expanded(r, "to_SuplrInvcItemPurOrdRef") {
        let receipt = text(i, "ReferenceDocument");
        lines.push(BookedLine {
            purchase_order: text(i, "PurchaseOrder").to_string(),
            purchase_order_line: text(i, "PurchaseOrderItem").to_string(),
            quantity: sign * number(i, "QuantityInPurchaseOrderUnit")?,
            amount: sign * number(i, "SupplierInvoiceItemAmount")?,
            goods_receipt: (!receipt.is_empty()).then(|| receipt.to_string()),
            account: None,
        });
    }
    for i in expanded(r, "to_SupplierInvoiceItemGLAcct") {
        let credit_line = text(i, "DebitCreditCode") == "H";
        lines.push(BookedLine {
            purchase_order: String::new(),
            purchase_order_line: String::new(),
            quantity: Decimal::ZERO,
            amount: if credit_line {
                -Decimal::ONE
            } else {
                Decimal::ONE
            } * number(i, "SupplierInvoiceItemAmount")?,
            goods_receipt: None,
            account: Some(text(i, "GLAccount").to_string()),
        });
    }
    let supplier = text(r, "InvoicingParty").to_string();
    let reference = text(r, "SupplierInvoiceIDByInvcgParty").to_string();
    let key = idempotency_key(&supplier, &reference, kind);
    let ours = text(r, "DocumentHeaderText") == marker(&key);
    Ok(BookedInvoice {
        erp_ref: text(r, "SupplierInvoice").to_string(),
        supplier_id: supplier,
        supplier_reference: reference,
        kind,
        document_date: wire::day(r, "DocumentDate")?,
        gross: Money::new(number(r, "InvoiceGrossAmount")?, currency),
        lines,
        idempotency_key: ours.then_some(key),
        reversed: flag(r, "IsReversed"),
    })
}

/// The supplier's live booking of `reference` as `kind` in `company`.
pub(super) async fn find(
    client: &Client,
    supplier_id: &str,
    reference: &str,
    kind: DocumentKind,
    company: &str,
) -> Result<Option<BookedInvoice>, ErpError> {
    let filter = format!(
        "SupplierInvoiceIDByInvcgParty eq {} and InvoicingParty eq {} and CompanyCode eq {}",
        quote(&sap_reference(reference)),
        quote(supplier_id),
        quote(company)
    );
    let query = [("$filter", filter), ("$expand", EXPAND.to_string())];
    for r in client.get_all(SI, "A_SupplierInvoice", &query).await? {
        let booked = to_booked(&r)?;
        if !booked.reversed && booked.kind == kind {
            return Ok(Some(booked));
        }
    }
    Ok(None)
}

pub(super) async fn booked(
    client: &Client,
    query: &BookedQuery,
) -> Result<Vec<BookedInvoice>, ErpError> {
    let supplier = quote(&query.supplier_id);
    let expand = ("$expand", EXPAND.to_string());
    let mut found: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut keep = |records: Vec<Value>| {
        for r in records {
            let key = (
                text(&r, "FiscalYear").to_string(),
                text(&r, "SupplierInvoice").to_string(),
            );
            found.insert(key, r);
        }
    };
    let references: Vec<String> = query.references.iter().map(|r| sap_reference(r)).collect();
    for chunk in references.chunks(FILTER_CHUNK) {
        let filter = format!(
            "InvoicingParty eq {supplier} and {}",
            wire::any_of("SupplierInvoiceIDByInvcgParty", chunk)
        );
        keep(
            client
                .get_all(
                    SI,
                    "A_SupplierInvoice",
                    &[("$filter", filter), expand.clone()],
                )
                .await?,
        );
    }
    let items = by_any(
        client,
        SI,
        "A_SuplrInvcItemPurOrdRef",
        "PurchaseOrder",
        &query.purchase_orders,
        &[],
    )
    .await?;
    let mut keys: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                text(i, "SupplierInvoice").to_string(),
                text(i, "FiscalYear").to_string(),
            )
        })
        .collect();
    keys.sort();
    keys.dedup();
    for chunk in keys.chunks(FILTER_CHUNK) {
        let parts: Vec<String> = chunk
            .iter()
            .map(|(doc, year)| {
                format!(
                    "(SupplierInvoice eq {} and FiscalYear eq {})",
                    quote(doc),
                    quote(year)
                )
            })
            .collect();
        let filter = format!("InvoicingParty eq {supplier} and ({})", parts.join(" or "));
        keep(
            client
                .get_all(
                    SI,
                    "A_SupplierInvoice",
                    &[("$filter", filter), expand.clone()],
                )
                .await?,
        );
    }
    let mut out = found
        .values()
        .map(to_booked)
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| (a.document_date, &a.erp_ref).cmp(&(b.document_date, &b.erp_ref)));
    Ok(out)
}

/// The deep-insert body for `request`, with the PO items' units and tax
/// codes and, for receipt-based items, the goods receipt they settle.
async fn payload(
    client: &Client,
    request: &BookingRequest,
    company: &str,
    reference: &str,
) -> Result<Value, ErpError> {
    let currency = request.gross.currency.code().to_string();
    let orders: Vec<String> = request
        .lines
        .iter()
        .filter(|l| l.account.is_none())
        .map(|l| l.purchase_order.clone())
        .collect();
    let po_items = by_any(
        client,
        "API_PURCHASEORDER_PROCESS_SRV",
        "A_PurchaseOrderItem",
        "PurchaseOrder",
        &orders,
        &[],
    )
    .await?;
    let receipts = receipt_items(client, &orders).await?;
    let mut po_refs = Vec::new();
    let mut gl = Vec::new();
    for (n, line) in request.lines.iter().enumerate() {
        let item = (n + 1).to_string();
        if let Some(account) = &line.account {
            let debit =
                line.amount.is_sign_positive() != (request.kind == DocumentKind::CreditNote);
            gl.push(json!({
                "SupplierInvoiceItem": item,
                "CompanyCode": company,
                "GLAccount": account,
                "DocumentCurrency": currency,
                "SupplierInvoiceItemAmount": wire::decimal(line.amount.abs()),
                "DebitCreditCode": if debit { "S" } else { "H" },
            }));
            continue;
        }
        let po_item = po_items
            .iter()
            .find(|i| {
                text(i, "PurchaseOrder") == line.purchase_order
                    && same_line_number(text(i, "PurchaseOrderItem"), &line.purchase_order_line)
            })
            .ok_or_else(|| {
                ErpError::NotFound(format!(
                    "item {} of purchase order {}",
                    line.purchase_order_line, line.purchase_order
                ))
            })?;
        let mut entry = json!({
            "SupplierInvoiceItem": item,
            "PurchaseOrder": line.purchase_order,
            "PurchaseOrderItem": text(po_item, "PurchaseOrderItem"),
            "DocumentCurrency": currency,
            "SupplierInvoiceItemAmount": wire::decimal(line.amount.abs()),
            "QuantityInPurchaseOrderUnit": wire::decimal(line.quantity.abs()),
            "PurchaseOrderQuantityUnit": text(po_item, "PurchaseOrderQuantityUnit"),
            "TaxCode": text(po_item, "TaxCode"),
        });
        if flag(po_item, "InvoiceIsGoodsReceiptBased") {
            // The receipt named by matching, else the latest for the item.
            let candidates: Vec<_> = receipts
                .iter()
                .filter(|r| {
                    r.receipt.quantity.is_sign_positive()
                        && r.receipt.purchase_order == line.purchase_order
                        && same_line_number(
                            &r.receipt.purchase_order_line,
                            &line.purchase_order_line,
                        )
                })
                .collect();
            let receipt = match &line.goods_receipt {
                Some(number) => candidates.iter().find(|r| &r.receipt.number == number),
                None => candidates.last(),
            }
            .ok_or_else(|| ErpError::Permanent(format!(
                "item {} of purchase order {} is verified against goods receipts, and none {}was found",
                line.purchase_order_line,
                line.purchase_order,
                line.goods_receipt.as_ref().map(|g| format!("numbered {g} ")).unwrap_or_default()
            )))?;
            entry["ReferenceDocument"] = json!(receipt.receipt.number);
            entry["ReferenceDocumentFiscalYear"] = json!(receipt.year);
            entry["ReferenceDocumentItem"] = json!(receipt.receipt.item);
        }
        po_refs.push(entry);
    }
    let today = chrono::Utc::now().date_naive();
    let mut body = json!({
        "CompanyCode": company,
        "DocumentDate": wire::date(request.document_date),
        "PostingDate": wire::date(today),
        "SupplierInvoiceIDByInvcgParty": reference,
        "InvoicingParty": request.supplier_id,
        "DocumentCurrency": currency,
        "InvoiceGrossAmount": wire::decimal(request.gross.amount.abs()),
        "TaxIsCalculatedAutomatically": true,
        "SupplierInvoiceIsCreditMemo": if request.kind == DocumentKind::CreditNote { "X" } else { "" },
        "DocumentHeaderText": marker(&request.idempotency_key),
        "to_SuplrInvcItemPurOrdRef": {"results": po_refs},
    });
    if !gl.is_empty() {
        body["to_SupplierInvoiceItemGLAcct"] = json!({"results": gl});
    }
    Ok(body)
}

pub(super) async fn book(
    client: &Client,
    request: &BookingRequest,
) -> Result<BookedInvoice, ErpError> {
    if !matches!(
        request.kind,
        DocumentKind::Invoice | DocumentKind::CreditNote
    ) {
        return Err(ErpError::Permanent(format!(
            "cannot book a {} as a supplier invoice",
            request.kind.as_str()
        )));
    }
    let reference = sap_reference(&request.supplier_reference);
    if reference.chars().count() > REFERENCE_LENGTH {
        return Err(ErpError::Permanent(format!(
            "reference {reference} is longer than SAP's {REFERENCE_LENGTH} characters"
        )));
    }
    let settings = client.settings();
    let company = request
        .company
        .clone()
        .unwrap_or(settings.company_code.clone());
    let body = payload(client, request, &company, &reference).await?;
    with_retries(&settings.http, || async {
        // Before every attempt: an earlier one may have been committed
        // with its answer lost.
        if let Some(existing) = find(client, &request.supplier_id, &reference, request.kind, &company).await? {
            if existing.idempotency_key.as_deref() == Some(request.idempotency_key.as_str()) {
                tracing::info!(erp_ref = %existing.erp_ref, "SAP booking found from an earlier attempt");
                return Ok(existing);
            }
            return Err(ErpError::Conflict(format!(
                "reference {reference} is already booked as {}",
                existing.erp_ref
            )));
        }
        let created = client.post(SI, "A_SupplierInvoice", &body).await?;
        let erp_ref = text(&created, "SupplierInvoice").to_string();
        tracing::info!(%erp_ref, supplier = %request.supplier_id, "SAP booked");
        Ok(BookedInvoice {
            erp_ref,
            supplier_id: request.supplier_id.clone(),
            supplier_reference: request.supplier_reference.clone(),
            kind: request.kind,
            document_date: request.document_date,
            gross: request.gross,
            lines: request.lines.clone(),
            idempotency_key: Some(request.idempotency_key.clone()),
            reversed: false,
        })
    })
    .await
}
