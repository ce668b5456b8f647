//! `Erp::master_data` of the SAP adapter against the SAP simulator: a full
//! answer paged through `__next`, then incremental answers after a goods
//! receipt, a supplier change and a PO closing in the simulator.

use std::time::Duration;

use docket_domain::erp::ErpSnapshot;
use docket_erp::Erp;
use docket_erp::http::HttpSettings;
use docket_erp::sap::{SapAuth, SapErp, SapSettings};
use docket_erp_sim::faults::Faults;
use docket_erp_sim::sap::{SapConfig, SapSim};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

fn snapshot() -> ErpSnapshot {
    let mut orders = vec![json!({
        "number": "4500000001", "supplier_id": "17300001", "order_date": "2024-03-01", "currency": "EUR",
        "company": "1010",
        "lines": [{"line": "10", "description": "Bolts", "quantity": "100", "unit": "PC",
                   "unit_price": "25.00", "goods_receipt_based": true}]
    })];
    for n in 0..7 {
        orders.push(json!({
            "number": format!("45000001{n:02}"), "supplier_id": "17300002", "order_date": "2024-02-01",
            "currency": "EUR", "closed": n == 6,
            "lines": [{"line": "10", "description": "Paper", "quantity": "5", "unit": "PAK", "unit_price": "3.10", "goods_receipt_based": false}]
        }));
    }
    serde_json::from_value(json!({
        "suppliers": [
            {"id": "17300001", "name": "Schraubenwerk GmbH", "vat_id": "DE123456789", "ibans": ["DE89370400440532013000"]},
            {"id": "17300002", "name": "Papier AG", "vat_id": "DE987654321", "ibans": []},
            {"id": "17300003", "name": "Blocked BV", "ibans": ["NL91ABNA0417164300"], "posting_blocked": true}
        ],
        "purchase_orders": orders,
        "goods_receipts": [
            {"number": "5000000001", "item": "1", "purchase_order": "4500000001", "purchase_order_line": "10", "quantity": "60", "date": "2024-03-05"},
            {"number": "5000000002", "item": "1", "purchase_order": "4500000001", "purchase_order_line": "10", "quantity": "-10", "date": "2024-03-06"}
        ]
    }))
    .expect("snapshot")
}

async fn setup() -> (SapSim, docket_erp_sim::server::Running, SapErp) {
    let config = SapConfig {
        page_size: 2,
        ..SapConfig::default()
    };
    let sim = SapSim::new(&snapshot(), config.clone(), Faults::new());
    let running = sim.serve().await.expect("serve");
    let erp = SapErp::new(SapSettings {
        base_url: running.base_url(),
        auth: SapAuth::Basic {
            user: config.user.clone(),
            password: config.password.clone(),
        },
        company_code: "1010".into(),
        tax_codes: config.tax_codes.clone(),
        sales_order_type: config.sales_order_type.clone(),
        sales_organization: config.sales_organization.clone(),
        distribution_channel: config.distribution_channel.clone(),
        division: config.division.clone(),
        http: HttpSettings {
            timeout: Duration::from_secs(5),
            attempts: 2,
            backoff: Duration::from_millis(10),
        },
    })
    .expect("adapter");
    (sim, running, erp)
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

#[tokio::test]
async fn full_then_incremental() {
    let (sim, _running, erp) = setup().await;
    let before = chrono::Utc::now();
    let full = erp.master_data(None).await.expect("full");
    assert!(full.complete);
    assert!(full.as_of <= before);
    assert!(full.as_of > before - chrono::Duration::minutes(10));
    assert_eq!(full.suppliers.len(), 3);
    let bolts = full.suppliers.iter().find(|s| s.id == "17300001").unwrap();
    assert_eq!(bolts.ibans, vec!["DE89370400440532013000".to_string()]);
    assert!(
        full.suppliers
            .iter()
            .find(|s| s.id == "17300003")
            .unwrap()
            .posting_blocked
    );
    // Seven orders, one closed: six open ones read over several pages.
    assert_eq!(full.purchase_orders.len(), 7);
    assert!(full.purchase_orders.iter().all(|p| !p.closed));
    assert!(
        !full
            .purchase_orders
            .iter()
            .any(|p| p.number == "4500000106")
    );
    assert_eq!(full.goods_receipts.len(), 2);
    let net: rust_decimal::Decimal = full.goods_receipts.iter().map(|g| g.quantity).sum();
    assert_eq!(net, dec!(50));

    // Nothing changed since.
    let none = erp.master_data(Some(full.as_of)).await.expect("nothing");
    assert!(!none.complete);
    assert!(none.suppliers.is_empty(), "{:?}", none.suppliers);
    assert!(
        none.purchase_orders.is_empty(),
        "{:?}",
        none.purchase_orders
    );
    assert!(none.goods_receipts.is_empty());

    // A goods receipt arrives for one order: only it and its order come back.
    sim.insert(
        "A_MaterialDocumentItem",
        vec![
            ("MaterialDocumentYear", s("2026")),
            ("MaterialDocument", s("5000000099")),
            ("MaterialDocumentItem", s("1")),
            ("GoodsMovementType", s("101")),
            ("Supplier", s("17300002")),
            ("PurchaseOrder", s("4500000102")),
            ("PurchaseOrderItem", s("00010")),
            ("GoodsMovementRefDocType", s("B")),
            ("QuantityInEntryUnit", s("5.000")),
            ("EntryUnit", s("PAK")),
            ("GoodsMovementIsCancelled", Value::Bool(false)),
        ],
    );
    let gr = erp.master_data(Some(full.as_of)).await.expect("receipt");
    assert!(gr.suppliers.is_empty());
    let numbers: Vec<&str> = gr
        .purchase_orders
        .iter()
        .map(|p| p.number.as_str())
        .collect();
    assert_eq!(numbers, ["4500000102"]);
    assert_eq!(gr.goods_receipts.len(), 1);
    assert_eq!(gr.goods_receipts[0].number, "5000000099");
    assert_eq!(gr.goods_receipts[0].quantity, dec!(5));

    // A supplier is blocked: only it comes back (the receipt still does,
    // being of the same watermark).
    let as_of = gr.as_of;
    assert_eq!(
        sim.update(
            "A_Supplier",
            &[("Supplier", "17300001")],
            vec![("PaymentIsBlockedForSupplier", Value::Bool(true))],
        ),
        1
    );
    let changed = erp
        .master_data(Some(full.as_of))
        .await
        .expect("supplier change");
    assert_eq!(changed.suppliers.len(), 1);
    assert_eq!(changed.suppliers[0].id, "17300001");
    assert!(changed.suppliers[0].payment_blocked);
    assert_eq!(
        changed.suppliers[0].ibans,
        vec!["DE89370400440532013000".to_string()]
    );
    assert!(as_of >= full.as_of);
}

#[tokio::test]
async fn a_closed_order_comes_back_closed() {
    let (sim, _running, erp) = setup().await;
    let full = erp.master_data(None).await.expect("full");
    sim.update(
        "A_PurchaseOrderItem",
        &[
            ("PurchaseOrder", "4500000103"),
            ("PurchaseOrderItem", "00010"),
        ],
        vec![("IsFinallyInvoiced", Value::Bool(true))],
    );
    let inc = erp.master_data(Some(full.as_of)).await.expect("closed");
    assert!(inc.suppliers.is_empty());
    assert_eq!(inc.purchase_orders.len(), 1);
    assert_eq!(inc.purchase_orders[0].number, "4500000103");
    assert!(inc.purchase_orders[0].closed);
    assert!(inc.goods_receipts.is_empty());
}

#[tokio::test]
async fn a_booking_that_finally_invoices_an_order_closes_it() {
    use docket_domain::erp::{BookedLine, BookingRequest, idempotency_key};
    use docket_domain::{Currency, DocumentKind, Money};
    let (_sim, _running, erp) = setup().await;
    let full = erp.master_data(None).await.expect("full");
    let request = BookingRequest {
        idempotency_key: idempotency_key("17300002", "P-1", DocumentKind::Invoice),
        supplier_id: "17300002".into(),
        supplier_reference: "P-1".into(),
        kind: DocumentKind::Invoice,
        document_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 10).expect("date"),
        gross: Money::new(dec!(18.45), Currency::parse("EUR").expect("EUR")),
        company: Some("1010".into()),
        lines: vec![BookedLine {
            purchase_order: "4500000104".into(),
            purchase_order_line: "10".into(),
            quantity: dec!(5),
            amount: dec!(15.50),
            goods_receipt: None,
            account: None,
        }],
    };
    erp.book_invoice(&request).await.expect("booked");
    let inc = erp.master_data(Some(full.as_of)).await.expect("closed");
    let numbers: Vec<(&str, bool)> = inc
        .purchase_orders
        .iter()
        .map(|p| (p.number.as_str(), p.closed))
        .collect();
    assert_eq!(numbers, [("4500000104", true)]);
}
