//! The sales side on Exact: customers (crm/Accounts with IsSales), products
//! (logistics/Items), prices and sales orders whose `YourRef` is the
//! customer's PO number. Customer price lists are not read (Exact keeps
//! them in sales price lists outside the documented entity set); every
//! customer gets the item's `StandardSalesPrice`.

use docket_domain::Money;
use docket_domain::erp::{
    BookedSalesOrder, Customer, CustomerPrice, Product, SalesOrderLine, SalesOrderRequest,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::ExactErp;
use super::wire::{account_code, decimal, guid, number, opt, quote, text};
use crate::{CustomerQuery, ErpError};

const CUSTOMER: &str = "ID,Code,Name,VATNumber,Website";
const ITEM: &str = "ID,Code,Description,Unit,StandardSalesPrice,Barcode";

impl ExactErp {
    pub(super) async fn customers_matching(
        &self,
        query: &CustomerQuery,
    ) -> Result<Vec<Customer>, ErpError> {
        let sales = "IsSales eq true";
        let mut filters = Vec::new();
        if let Some(n) = &query.customer_number {
            filters.push(format!("Code eq {} and {sales}", quote(&account_code(n))));
        }
        for vat in &query.vat_ids {
            filters.push(format!("VATNumber eq {} and {sales}", quote(vat)));
        }
        if let Some(d) = &query.email_domain {
            filters.push(format!(
                "Website eq {} and {sales}",
                quote(&d.to_ascii_lowercase())
            ));
        }
        let mut rows = Vec::new();
        for filter in filters {
            rows.extend(self.client.list("crm/Accounts", &filter, CUSTOMER).await?);
        }
        if let Some(name) = &query.name {
            let all = self.client.list("crm/Accounts", sales, CUSTOMER).await?;
            rows.extend(
                all.into_iter()
                    .filter(|a| crate::similar_names(name, &text(a, "Name"))),
            );
        }
        let mut found: Vec<Customer> = Vec::new();
        for r in rows {
            let c = Customer {
                id: text(&r, "Code"),
                name: text(&r, "Name"),
                vat_id: opt(&r, "VATNumber"),
                email_domains: opt(&r, "Website").into_iter().collect(),
            };
            if !found.iter().any(|f| f.id == c.id) {
                found.push(c);
            }
        }
        Ok(found)
    }

    async fn items(&self, codes: &[String]) -> Result<Vec<Value>, ErpError> {
        let mut rows = Vec::new();
        for code in codes {
            let filter = format!("Code eq {} and IsSalesItem eq true", quote(code.trim()));
            rows.extend(self.client.list("logistics/Items", &filter, ITEM).await?);
        }
        Ok(rows)
    }

    pub(super) async fn sales_products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        let currency = self.settings().currency;
        Ok(self
            .items(codes)
            .await?
            .iter()
            .map(|r| Product {
                code: text(r, "Code"),
                description: text(r, "Description"),
                unit: text(r, "Unit"),
                price: Money::new(decimal(r, "StandardSalesPrice"), currency),
                gtin: opt(r, "Barcode"),
            })
            .collect())
    }

    pub(super) async fn prices(&self, codes: &[String]) -> Result<Vec<CustomerPrice>, ErpError> {
        Ok(self
            .sales_products(codes)
            .await?
            .into_iter()
            .map(|p| CustomerPrice {
                product_code: p.code,
                price: p.price,
                min_quantity: Decimal::ZERO,
            })
            .collect())
    }

    async fn customer_guid(&self, customer_id: &str) -> Result<Option<String>, ErpError> {
        let filter = format!(
            "Code eq {} and IsSales eq true",
            quote(&account_code(customer_id))
        );
        Ok(self
            .client
            .list("crm/Accounts", &filter, "ID")
            .await?
            .first()
            .map(|r| text(r, "ID")))
    }

    pub(super) async fn sales_order(
        &self,
        customer_id: &str,
        reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        let Some(customer) = self.customer_guid(customer_id).await? else {
            return Ok(None);
        };
        let filter = format!(
            "YourRef eq {} and OrderedBy eq {}",
            quote(reference),
            guid(&customer)
        );
        let orders = self
            .client
            .list(
                "salesorder/SalesOrders",
                &filter,
                "OrderID,OrderNumber,YourRef",
            )
            .await?;
        let Some(order) = orders.first() else {
            return Ok(None);
        };
        let filter = format!("OrderID eq {}", guid(&text(order, "OrderID")));
        let lines = self
            .client
            .list(
                "salesorder/SalesOrderLines",
                &filter,
                "ItemCode,Quantity,UnitPrice,UnitCode",
            )
            .await?;
        Ok(Some(BookedSalesOrder {
            erp_ref: text(order, "OrderNumber"),
            customer_id: customer_id.to_string(),
            customer_reference: text(order, "YourRef"),
            lines: lines
                .iter()
                .map(|l| SalesOrderLine {
                    product_code: text(l, "ItemCode"),
                    quantity: decimal(l, "Quantity"),
                    unit: text(l, "UnitCode"),
                    price: Some(decimal(l, "UnitPrice")),
                })
                .collect(),
        }))
    }

    pub(super) async fn create_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        let customer = self
            .customer_guid(&request.customer_id)
            .await?
            .ok_or_else(|| {
                ErpError::Permanent(format!(
                    "customer {} does not exist in Exact",
                    request.customer_id
                ))
            })?;
        let mut lines = Vec::new();
        for l in &request.lines {
            let item = self.items(std::slice::from_ref(&l.product_code)).await?;
            let item = item.first().ok_or_else(|| {
                ErpError::Permanent(format!(
                    "product {} does not exist in Exact",
                    l.product_code
                ))
            })?;
            let mut line = json!({"Item": text(item, "ID"), "Quantity": number(l.quantity)});
            if let Some(price) = l.price {
                line["UnitPrice"] = number(price);
            }
            lines.push(line);
        }
        let body = json!({"OrderedBy": customer, "YourRef": request.customer_reference,
            "OrderDate": request.order_date.to_string(),
            "DeliveryDate": request.requested_delivery.map(|d| d.to_string()),
            "Currency": request.currency.code(), "Description": request.idempotency_key,
            "SalesOrderLines": lines});
        let lookup = || self.sales_order(&request.customer_id, &request.customer_reference);
        let create = || async {
            self.client.create("salesorder/SalesOrders", &body).await?;
            lookup().await?.ok_or_else(|| {
                ErpError::Transient("created, but Exact does not show it yet".into())
            })
        };
        super::once(
            &self.settings().http,
            lookup,
            |_| false,
            create,
            |o: &BookedSalesOrder| {
                ErpError::Conflict(format!(
                    "purchase order {} of customer {} is already sales order {}",
                    request.customer_reference, request.customer_id, o.erp_ref
                ))
            },
        )
        .await
    }
}
