//! The sandbox's sales side: customers, products, price lists and sales
//! orders, numbered like SAP's (`1000001`, ...) and logged with the bookings.

use docket_domain::erp::{BookedSalesOrder, Customer, CustomerPrice, Product, SalesOrderRequest};
use docket_domain::normalize::{compact_identifier, invoice_number};
use rust_decimal::Decimal;

use super::SandboxErp;
use super::file::Entry;
use crate::{CustomerQuery, ErpError};

/// The first sales order number the sandbox hands out.
const FIRST_SALES_ORDER: u64 = 1_000_001;

impl SandboxErp {
    pub(super) async fn sales_customers(
        &self,
        query: &CustomerQuery,
    ) -> Result<Vec<Customer>, ErpError> {
        self.read(|cached| {
            cached
                .snapshot
                .customers
                .iter()
                .filter(|c| {
                    query
                        .customer_number
                        .as_deref()
                        .is_some_and(|n| n.trim() == c.id)
                        || c.vat_id
                            .as_deref()
                            .is_some_and(|v| query.vat_ids.contains(&compact_identifier(v)))
                        || query.email_domain.as_deref().is_some_and(|d| {
                            c.email_domains.iter().any(|e| e.eq_ignore_ascii_case(d))
                        })
                        || query
                            .name
                            .as_deref()
                            .is_some_and(|n| crate::similar_names(n, &c.name))
                })
                .cloned()
                .collect()
        })
        .await
    }

    pub(super) async fn sales_products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        self.read(|cached| {
            cached
                .snapshot
                .products
                .iter()
                .filter(|p| codes.iter().any(|c| c.trim() == p.code))
                .cloned()
                .collect()
        })
        .await
    }

    pub(super) async fn sales_prices(
        &self,
        customer_id: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        self.read(|cached| {
            let data = &cached.snapshot;
            codes
                .iter()
                .filter_map(|code| {
                    let listed: Vec<CustomerPrice> = data
                        .price_lists
                        .iter()
                        .filter(|e| e.customer_id == customer_id && e.price.product_code == *code)
                        .map(|e| e.price.clone())
                        .collect();
                    if !listed.is_empty() {
                        return Some(listed);
                    }
                    let product = data.products.iter().find(|p| p.code == *code)?;
                    Some(vec![CustomerPrice {
                        product_code: product.code.clone(),
                        price: product.price,
                        min_quantity: Decimal::ZERO,
                    }])
                })
                .flatten()
                .collect()
        })
        .await
    }

    pub(super) async fn sales_find(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        let wanted = invoice_number(customer_reference);
        self.read(|cached| {
            cached
                .snapshot
                .sales_orders
                .iter()
                .find(|o| {
                    o.customer_id == customer_id && invoice_number(&o.customer_reference) == wanted
                })
                .cloned()
        })
        .await
    }

    pub(super) async fn sales_create(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        self.with_data(|cached| {
            let data = &cached.snapshot;
            if !data.customers.iter().any(|c| c.id == request.customer_id) {
                return Err(ErpError::Permanent(format!(
                    "customer {} does not exist",
                    request.customer_id
                )));
            }
            if let Some(line) = request
                .lines
                .iter()
                .find(|l| !data.products.iter().any(|p| p.code == l.product_code))
            {
                return Err(ErpError::Permanent(format!(
                    "product {} does not exist",
                    line.product_code
                )));
            }
            let wanted = invoice_number(&request.customer_reference);
            if let Some(existing) = data.sales_orders.iter().find(|o| {
                o.customer_id == request.customer_id
                    && invoice_number(&o.customer_reference) == wanted
            }) {
                return Err(ErpError::Conflict(format!(
                    "purchase order {} of customer {} is already sales order {}",
                    request.customer_reference, request.customer_id, existing.erp_ref
                )));
            }
            let number = data
                .sales_orders
                .iter()
                .filter_map(|o| o.erp_ref.parse::<u64>().ok())
                .max()
                .map_or(FIRST_SALES_ORDER, |n| n + 1);
            let order = BookedSalesOrder {
                erp_ref: number.to_string(),
                customer_id: request.customer_id.clone(),
                customer_reference: request.customer_reference.clone(),
                lines: request.lines.clone(),
            };
            Ok((order.clone(), Some(Entry::SalesOrder(order))))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Erp;
    use docket_domain::erp::{ErpSnapshot, PriceListEntry, SalesOrderLine};
    use docket_domain::{Currency, Money};
    use rust_decimal_macros::dec;

    fn world() -> ErpSnapshot {
        ErpSnapshot {
            customers: vec![Customer {
                id: "200001".into(),
                name: "Kestrel Instruments GmbH".into(),
                vat_id: Some("DE811907980".into()),
                email_domains: vec!["kestrel.example".into()],
            }],
            products: vec![Product {
                code: "BM-1001".into(),
                description: "Kopierpapier A4".into(),
                unit: "PAK".into(),
                price: Money::new(dec!(4.85), Currency::EUR),
                gtin: None,
            }],
            price_lists: vec![PriceListEntry {
                customer_id: "200001".into(),
                price: CustomerPrice {
                    product_code: "BM-1001".into(),
                    price: Money::new(dec!(4.50), Currency::EUR),
                    min_quantity: dec!(100),
                },
            }],
            ..ErpSnapshot::default()
        }
    }

    fn order(reference: &str, product: &str) -> SalesOrderRequest {
        SalesOrderRequest {
            idempotency_key: format!("200001|{reference}"),
            customer_id: "200001".into(),
            customer_reference: reference.into(),
            order_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            requested_delivery: None,
            currency: Currency::EUR,
            lines: vec![SalesOrderLine {
                product_code: product.into(),
                quantity: dec!(120),
                unit: "PAK".into(),
                price: None,
            }],
        }
    }

    #[tokio::test]
    async fn a_customer_po_becomes_one_sales_order_found_by_its_reference() {
        let erp = SandboxErp::in_memory(world());
        let query = CustomerQuery {
            email_domain: Some("KESTREL.example".into()),
            ..CustomerQuery::default()
        };
        assert_eq!(erp.customer_candidates(&query).await.unwrap().len(), 1);
        let prices = erp
            .customer_prices("200001", &["BM-1001".into()])
            .await
            .unwrap();
        assert_eq!(prices[0].price.amount, dec!(4.50), "the price list wins");
        let list = erp
            .customer_prices("other", &["BM-1001".into()])
            .await
            .unwrap();
        assert_eq!(list[0].price.amount, dec!(4.85), "else the list price");

        let created = erp
            .create_sales_order(&order("PO-77", "BM-1001"))
            .await
            .unwrap();
        assert_eq!(created.erp_ref, "1000001");
        let again = erp.create_sales_order(&order("po 77", "BM-1001")).await;
        assert!(matches!(again, Err(ErpError::Conflict(_))), "{again:?}");
        let found = erp.find_sales_order("200001", "PO77").await.unwrap();
        assert_eq!(found.map(|o| o.erp_ref).as_deref(), Some("1000001"));
        let unknown = erp.create_sales_order(&order("PO-78", "XX-1")).await;
        assert!(matches!(unknown, Err(ErpError::Permanent(m)) if m.contains("XX-1")));
    }

    #[tokio::test]
    async fn sales_orders_survive_a_restart_through_the_state_file() {
        let dir = tempfile::tempdir().unwrap();
        let seed = dir.path().join("seed");
        std::fs::create_dir_all(&seed).unwrap();
        let w = world();
        std::fs::write(
            seed.join("customers.json"),
            serde_json::to_vec(&w.customers).unwrap(),
        )
        .unwrap();
        std::fs::write(
            seed.join("products.json"),
            serde_json::to_vec(&w.products).unwrap(),
        )
        .unwrap();
        let state = dir.path().join("state/sandbox.json");
        {
            let erp = SandboxErp::open(&seed, &state).unwrap();
            erp.create_sales_order(&order("PO-1", "BM-1001"))
                .await
                .unwrap();
        }
        let erp = SandboxErp::open(&seed, &state).unwrap();
        assert!(
            erp.find_sales_order("200001", "PO-1")
                .await
                .unwrap()
                .is_some()
        );
    }
}
