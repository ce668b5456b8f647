//! Master data for Docket's cache ([`crate::Erp::master_data`]): suppliers
//! with their IBANs and blocks, open purchase orders, and the goods
//! receipts of those orders, everything or what changed since a watermark.
//!
//! Which change dates SAP's EDMX really offers (and what we filter on):
//! - `A_Supplier` has only `CreationDate` (`Edm.DateTime`, a day); the
//!   business partner behind it, `A_BusinessPartner`, has `LastChangeDate`
//!   (a day, `Edm.DateTime`) and `CreationDate`. A changed supplier is one
//!   whose partner was created or changed on or after the watermark's day,
//!   or a supplier created on or after it: the day precision returns the
//!   watermark's whole day again, harmless for the cache (it replaces
//!   records). `A_BusinessPartnerBank` has no change date; SAP stamps the
//!   partner when its bank details change.
//! - `A_PurchaseOrder` has `LastChangeDateTime` (`Edm.DateTimeOffset`,
//!   a time stamp): filtered with `datetimeoffset'…Z'`.
//! - `A_MaterialDocumentHeader` has `CreationDate` (the entry day) and
//!   `PostingDate` (which can be back-dated), both `Edm.DateTime` days;
//!   `A_MaterialDocumentItem` has none. Receipts entered or posted on or
//!   after the watermark's day bring their orders into the answer, and
//!   with them every receipt of those orders.
//!
//! `as_of` is SAP's time from the HTTP `Date` header, read before the
//! first page, less [`SAFETY_MARGIN`]: a change stamped just before the
//! answer but committed after it (a long SAP transaction) is read again
//! next time rather than missed. Without a `Date` header the client's
//! clock stands in, less the same margin, which then also covers a modest
//! clock skew between Docket and SAP.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use docket_domain::erp::PurchaseOrder;

use crate::{ErpError, MasterData};

use super::client::Client;
use super::purchasing::{self, BP, MD, PO, by_any};
use super::wire::{self, expanded, text};

/// Taken off SAP's time for `as_of`: covers transactions committed after
/// the time stamp they carry (and, without a `Date` header, clock skew).
pub const SAFETY_MARGIN: chrono::Duration = chrono::Duration::minutes(2);

/// The answer of [`crate::Erp::master_data`] for SAP.
pub(super) async fn master_data(
    client: &Client,
    since: Option<DateTime<Utc>>,
) -> Result<MasterData, ErpError> {
    let now = match client.server_time(PO).await? {
        Some(t) => t,
        None => {
            tracing::warn!("SAP sent no Date header; using Docket's clock for the watermark");
            Utc::now()
        }
    };
    let as_of = now - SAFETY_MARGIN;
    let expand_items = ("$expand", "to_PurchaseOrderItem".to_string());
    let Some(since) = since else {
        let records = client.get_all(BP, "A_Supplier", &[]).await?;
        let banks = client.get_all(BP, "A_BusinessPartnerBank", &[]).await?;
        let suppliers = purchasing::to_suppliers(&records, &banks, false);
        let query = [
            (
                "$filter",
                "PurchasingDocumentDeletionCode eq ''".to_string(),
            ),
            expand_items,
        ];
        let mut purchase_orders = Vec::new();
        for po in client.get_all(PO, "A_PurchaseOrder", &query).await? {
            if let Some(order) = purchasing::to_order(client, &po, true)? {
                purchase_orders.push(order);
            }
        }
        let numbers: Vec<String> = purchase_orders.iter().map(|p| p.number.clone()).collect();
        let goods_receipts = purchasing::receipt_items(client, &numbers)
            .await?
            .into_iter()
            .map(|r| r.receipt)
            .collect();
        return Ok(MasterData {
            suppliers,
            purchase_orders,
            goods_receipts,
            as_of,
            complete: true,
        });
    };
    let day = wire::filter_date(since.date_naive());

    // Suppliers whose partner changed or was created, or created themselves.
    let mut ids = BTreeSet::new();
    let partners = [
        (
            "$filter",
            format!("LastChangeDate ge {day} or CreationDate ge {day}"),
        ),
        ("$select", "BusinessPartner".to_string()),
    ];
    for p in client.get_all(BP, "A_BusinessPartner", &partners).await? {
        ids.insert(text(&p, "BusinessPartner").to_string());
    }
    let created = [
        ("$filter", format!("CreationDate ge {day}")),
        ("$select", "Supplier".to_string()),
    ];
    for s in client.get_all(BP, "A_Supplier", &created).await? {
        ids.insert(text(&s, "Supplier").to_string());
    }
    let ids: Vec<String> = ids.into_iter().collect();
    let suppliers = purchasing::suppliers_by_id(client, &ids, true).await?;

    // Orders changed since (open or now closed), and those of new receipts.
    let changed = [
        (
            "$filter",
            format!("LastChangeDateTime ge {}", wire::filter_offset(since)),
        ),
        expand_items.clone(),
    ];
    let mut records = client.get_all(PO, "A_PurchaseOrder", &changed).await?;
    let headers = [
        (
            "$filter",
            format!("CreationDate ge {day} or PostingDate ge {day}"),
        ),
        ("$expand", "to_MaterialDocumentItem".to_string()),
    ];
    let mut receipt_orders = BTreeSet::new();
    for h in client
        .get_all(MD, "A_MaterialDocumentHeader", &headers)
        .await?
    {
        for item in expanded(&h, "to_MaterialDocumentItem") {
            let po = text(item, "PurchaseOrder");
            if !po.is_empty() {
                receipt_orders.insert(po.to_string());
            }
        }
    }
    let known: BTreeSet<String> = records
        .iter()
        .map(|p| text(p, "PurchaseOrder").to_string())
        .collect();
    let missing: Vec<String> = receipt_orders.difference(&known).cloned().collect();
    records.extend(
        by_any(
            client,
            PO,
            "A_PurchaseOrder",
            "PurchaseOrder",
            &missing,
            std::slice::from_ref(&expand_items),
        )
        .await?,
    );
    let mut purchase_orders: Vec<PurchaseOrder> = Vec::new();
    for po in &records {
        // Open: its open lines, as a full answer has it; else closed.
        let order = match purchasing::to_order(client, po, true)? {
            Some(open) => Some(open),
            None => purchasing::to_order(client, po, false)?,
        };
        purchase_orders.extend(order);
    }
    let numbers: Vec<String> = purchase_orders.iter().map(|p| p.number.clone()).collect();
    let goods_receipts = purchasing::receipt_items(client, &numbers)
        .await?
        .into_iter()
        .map(|r| r.receipt)
        .collect();
    Ok(MasterData {
        suppliers,
        purchase_orders,
        goods_receipts,
        as_of,
        complete: false,
    })
}
