//! The sales side: customers from API_BUSINESS_PARTNER (A_Customer, by
//! number or VAT id), sales orders in API_SALES_ORDER_SRV found by
//! `PurchaseOrderByCustomer` and created by deep insert with their items.
//!
//! Products and customer prices live in services the specification set
//! does not cover (the product master and pricing conditions), so those
//! calls fail with a reason instead of guessing at an API.

use docket_domain::erp::{BookedSalesOrder, Customer, SalesOrderLine, SalesOrderRequest};
use docket_domain::normalize;
use serde_json::{Value, json};

use crate::http::with_retries;
use crate::{CustomerQuery, ErpError};

use super::client::Client;
use super::purchasing::by_any;
use super::wire::{self, expanded, number, quote, text};

const BP: &str = "API_BUSINESS_PARTNER";
const SO: &str = "API_SALES_ORDER_SRV";

/// The refusal for what the SAP adapter cannot read.
pub(super) fn not_served(what: &str) -> ErpError {
    ErpError::Permanent(format!(
        "the SAP adapter does not read {what}: they live in SAP's product master and pricing \
         condition services, which Docket does not use yet"
    ))
}

pub(super) async fn customer_candidates(
    client: &Client,
    query: &CustomerQuery,
) -> Result<Vec<Customer>, ErpError> {
    let mut records = Vec::new();
    if let Some(n) = &query.customer_number {
        records.extend(
            by_any(
                client,
                BP,
                "A_Customer",
                "Customer",
                std::slice::from_ref(n),
                &[],
            )
            .await?,
        );
    }
    let vats: Vec<String> = query
        .vat_ids
        .iter()
        .map(|v| normalize::compact_identifier(v))
        .collect();
    records.extend(by_any(client, BP, "A_Customer", "VATRegistration", &vats, &[]).await?);
    let mut out: Vec<Customer> = Vec::new();
    for r in records {
        let id = text(&r, "Customer").to_string();
        if out.iter().any(|c| c.id == id) || wire::flag(&r, "DeletionIndicator") {
            continue;
        }
        let vat = text(&r, "VATRegistration");
        out.push(Customer {
            id,
            name: text(&r, "CustomerName").to_string(),
            vat_id: (!vat.is_empty()).then(|| normalize::compact_identifier(vat)),
            email_domains: Vec::new(),
        });
    }
    Ok(out)
}

fn to_order(r: &Value) -> Result<BookedSalesOrder, ErpError> {
    let lines = expanded(r, "to_Item")
        .iter()
        .map(|i| {
            Ok(SalesOrderLine {
                product_code: text(i, "Material").to_string(),
                quantity: number(i, "RequestedQuantity")?,
                unit: text(i, "RequestedQuantityUnit").to_string(),
                price: None,
            })
        })
        .collect::<Result<Vec<_>, ErpError>>()?;
    Ok(BookedSalesOrder {
        erp_ref: text(r, "SalesOrder").to_string(),
        customer_id: text(r, "SoldToParty").to_string(),
        customer_reference: text(r, "PurchaseOrderByCustomer").to_string(),
        lines,
    })
}

pub(super) async fn find(
    client: &Client,
    customer_id: &str,
    reference: &str,
) -> Result<Option<BookedSalesOrder>, ErpError> {
    // PurchaseOrderByCustomer is stored as entered: fetch the customer's
    // candidates by exact value, compare normalised here.
    let filter = format!(
        "SoldToParty eq {} and PurchaseOrderByCustomer eq {}",
        quote(customer_id),
        quote(reference.trim())
    );
    let query = [("$filter", filter), ("$expand", "to_Item".to_string())];
    let wanted = normalize::invoice_number(reference);
    for r in client.get_all(SO, "A_SalesOrder", &query).await? {
        if normalize::invoice_number(text(&r, "PurchaseOrderByCustomer")) == wanted {
            return Ok(Some(to_order(&r)?));
        }
    }
    Ok(None)
}

pub(super) async fn create(
    client: &Client,
    request: &SalesOrderRequest,
) -> Result<BookedSalesOrder, ErpError> {
    let s = client.settings();
    let items: Vec<Value> = request
        .lines
        .iter()
        .map(|l| {
            json!({
                "Material": l.product_code,
                "RequestedQuantity": wire::decimal(l.quantity),
                "RequestedQuantityUnit": l.unit,
            })
        })
        .collect();
    let mut body = json!({
        "SalesOrderType": s.sales_order_type,
        "SalesOrganization": s.sales_organization,
        "DistributionChannel": s.distribution_channel,
        "OrganizationDivision": s.division,
        "SoldToParty": request.customer_id,
        "PurchaseOrderByCustomer": request.customer_reference.trim(),
        "SalesOrderDate": wire::date(request.order_date),
        "TransactionCurrency": request.currency.code(),
        "to_Item": {"results": items},
    });
    if let Some(day) = request.requested_delivery {
        body["RequestedDeliveryDate"] = wire::date(day);
    }
    with_retries(&s.http, || async {
        // Before every attempt, as for invoices: SAP would take a second order.
        if let Some(existing) =
            find(client, &request.customer_id, &request.customer_reference).await?
        {
            return Ok(existing);
        }
        let created = client.post(SO, "A_SalesOrder", &body).await?;
        Ok(BookedSalesOrder {
            erp_ref: text(&created, "SalesOrder").to_string(),
            customer_id: request.customer_id.clone(),
            customer_reference: request.customer_reference.clone(),
            lines: request.lines.clone(),
        })
    })
    .await
}
