//! The Exact adapter against the Exact simulator: every `Erp` method, and
//! every fault (latency, 5xx, 429 with rate-limit headers, a dropped
//! connection, an expired token, refresh-token rotation shared by two
//! adapters, a response lost after the commit).

// Test helpers panic on a broken set-up, which is what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use docket_domain::erp::{
    BookedLine, BookingRequest, ErpSnapshot, SalesOrderLine, SalesOrderRequest,
};
use docket_domain::{DocumentKind, Money};
use docket_erp::exact::{ExactErp, ExactSettings, FileTokenStore, MemoryTokenStore, TokenStore};
use docket_erp::http::HttpSettings;
use docket_erp::sandbox::SandboxErp;
use docket_erp::{BookedQuery, CustomerQuery, Erp, ErpError, SupplierQuery};
use docket_erp_sim::exact::{ExactConfig, ExactSim, start};
use docket_erp_sim::faults::{Fault, Faults};
use docket_erp_sim::server::Running;
use rust_decimal_macros::dec;

fn seed() -> ErpSnapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erp");
    SandboxErp::seed_from_dir(&dir).unwrap()
}

/// A small page size, so that paging is exercised, and a generous minute.
fn config() -> ExactConfig {
    ExactConfig {
        page_size: 2,
        minutely_limit: 10_000,
        ..ExactConfig::default()
    }
}

struct World {
    _running: Running,
    sim: ExactSim,
    faults: Arc<Faults>,
    settings: ExactSettings,
    store: Arc<dyn TokenStore>,
}

async fn world(config: ExactConfig) -> World {
    let faults = Faults::new();
    let (running, sim) = start(&seed(), config.clone(), faults.clone())
        .await
        .unwrap();
    let settings = ExactSettings {
        base_url: running.base_url(),
        client_id: config.client_id,
        client_secret: config.client_secret,
        http: HttpSettings {
            timeout: Duration::from_millis(500),
            attempts: 3,
            backoff: Duration::from_millis(20),
        },
        ..ExactSettings::default()
    };
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    World {
        _running: running,
        sim,
        faults,
        settings,
        store,
    }
}

impl World {
    async fn adapter(&self) -> ExactErp {
        let erp = ExactErp::new(self.settings.clone(), self.store.clone()).unwrap();
        if self.store.load().await.unwrap().is_none() {
            erp.authorize(&self.sim.issue_code()).await.unwrap();
        }
        erp
    }
}

fn booking(reference: &str) -> BookingRequest {
    // PO 4500000101 of supplier 100101 is received and not yet invoiced in the fixtures.
    BookingRequest {
        idempotency_key: format!("100101|{reference}|invoice"),
        supplier_id: "100101".into(),
        supplier_reference: reference.into(),
        kind: DocumentKind::Invoice,
        document_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        gross: Money::new(dec!(100.00), docket_domain::Currency::EUR),
        company: None,
        lines: vec![BookedLine {
            purchase_order: "4500000101".into(),
            purchase_order_line: "10".into(),
            quantity: dec!(1),
            amount: dec!(84.03),
            goods_receipt: None,
            account: None,
        }],
    }
}

#[tokio::test]
async fn reads_give_what_the_sandbox_gives() {
    let w = world(config()).await;
    let erp = w.adapter().await;
    let sandbox = SandboxErp::in_memory(seed());
    let query = SupplierQuery {
        vat_ids: vec!["DE273819459".into()],
        ..SupplierQuery::default()
    };
    let found = erp.supplier_candidates(&query).await.unwrap();
    let expected = sandbox.supplier_candidates(&query).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (&found[0].id, &found[0].name),
        (&expected[0].id, &expected[0].name)
    );
    assert_eq!(found[0].ibans, expected[0].ibans);
    let by_iban = SupplierQuery {
        ibans: vec!["DE29200400000614382900".into()],
        ..SupplierQuery::default()
    };
    assert_eq!(
        erp.supplier_candidates(&by_iban).await.unwrap()[0].id,
        "100101"
    );
    let by_name = SupplierQuery {
        name: Some("Nordwind Burobedarf GmbH".into()),
        ..SupplierQuery::default()
    };
    assert_eq!(
        erp.supplier_candidates(&by_name).await.unwrap()[0].id,
        "100101"
    );

    let numbers = vec!["4500000100".to_string(), "nope".to_string()];
    let orders = erp.purchase_orders(&numbers).await.unwrap();
    let expected = sandbox.purchase_orders(&numbers).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].lines.len(), expected[0].lines.len());
    for (a, b) in orders[0].lines.iter().zip(&expected[0].lines) {
        assert_eq!(
            (&a.line, a.quantity, a.unit_price, a.tax_rate),
            (&b.line, b.quantity, b.unit_price, b.tax_rate)
        );
    }
    let open = erp.open_purchase_orders("100101", None).await.unwrap();
    let mut open: Vec<_> = open.into_iter().map(|p| p.number).collect();
    let mut want: Vec<_> = sandbox
        .open_purchase_orders("100101", None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.number)
        .collect();
    open.sort();
    want.sort();
    assert_eq!(open, want);

    let receipts = erp.goods_receipts(&numbers).await.unwrap();
    let want = sandbox.goods_receipts(&numbers).await.unwrap();
    assert_eq!(receipts.len(), want.len());
    assert!(
        receipts
            .iter()
            .all(|r| want.iter().any(|w| w.number == r.number
                && w.quantity == r.quantity
                && w.purchase_order_line == r.purchase_order_line
                && w.date == r.date))
    );

    let q = BookedQuery {
        supplier_id: "100101".into(),
        references: vec!["RE-2026-10233".into()],
        purchase_orders: vec!["4500000100".into()],
    };
    let booked = erp.booked_invoices(&q).await.unwrap();
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].erp_ref, "5105600001");
    assert_eq!(booked[0].lines.len(), 2);
    let found = erp
        .find_booking("100101", "RE-2026-10233", DocumentKind::Invoice)
        .await
        .unwrap();
    assert!(found.is_some());
    assert!(
        erp.find_booking("100101", "RE-2026-10233", DocumentKind::CreditNote)
            .await
            .unwrap()
            .is_none()
    );

    let cq = CustomerQuery {
        vat_ids: vec!["DE259173641".into()],
        ..CustomerQuery::default()
    };
    assert_eq!(erp.customer_candidates(&cq).await.unwrap()[0].id, "200201");
    let codes = vec!["KI-PM-200".to_string()];
    assert_eq!(
        erp.products(&codes).await.unwrap(),
        sandbox.products(&codes).await.unwrap()
    );
    assert_eq!(
        erp.customer_prices("200201", &codes).await.unwrap()[0]
            .price
            .amount,
        dec!(1290.00)
    );
}

#[tokio::test]
async fn a_booking_links_po_lines_once_and_a_second_is_a_conflict() {
    let w = world(config()).await;
    let erp = w.adapter().await;
    let before = w.sim.count("purchase/PurchaseInvoices");
    let booked = erp.book_invoice(&booking("INV-77")).await.unwrap();
    assert_eq!(booked.lines.len(), 1);
    assert_eq!(booked.lines[0].purchase_order, "4500000101");
    assert_eq!(w.sim.count("purchase/PurchaseInvoices"), before + 1);
    let again = erp
        .book_invoice(&BookingRequest {
            idempotency_key: "other".into(),
            ..booking("INV-77")
        })
        .await;
    assert!(matches!(again, Err(ErpError::Conflict(_))), "{again:?}");
    // A line tied to no PO line goes to a purchase entry.
    let mut fallback = booking("INV-78");
    fallback.lines[0].purchase_order_line.clear();
    fallback.lines[0].account = Some("00000000-0000-4000-8000-00000000abcd".into());
    erp.book_invoice(&fallback).await.unwrap();
    assert_eq!(
        w.sim.count("purchaseentry/PurchaseEntries"),
        1 + seed().booked_invoices.iter().filter(|b| b.reversed).count()
    );
}

#[tokio::test]
async fn a_retry_after_a_lost_response_books_exactly_once() {
    let w = world(config()).await;
    let erp = w.adapter().await;
    let before = w.sim.count("purchase/PurchaseInvoices");
    w.faults.arm(Fault::LoseResponse, 1);
    let booked = erp.book_invoice(&booking("INV-LOST")).await.unwrap();
    assert_eq!(booked.supplier_reference, "INV-LOST");
    assert_eq!(w.sim.count("purchase/PurchaseInvoices"), before + 1);
}

#[tokio::test]
async fn sales_orders_carry_the_customer_po_number_and_are_created_once() {
    let w = world(config()).await;
    let erp = w.adapter().await;
    let request = SalesOrderRequest {
        idempotency_key: "200201|PO-9".into(),
        customer_id: "200201".into(),
        customer_reference: "PO-9".into(),
        order_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
        requested_delivery: None,
        currency: docket_domain::Currency::EUR,
        lines: vec![SalesOrderLine {
            product_code: "KI-PM-200".into(),
            quantity: dec!(2),
            unit: "ST".into(),
            price: None,
        }],
    };
    w.faults.arm(Fault::LoseResponse, 1);
    let order = erp.create_sales_order(&request).await.unwrap();
    assert_eq!(order.lines[0].price, Some(dec!(1290)));
    assert_eq!(w.sim.count("salesorder/SalesOrders"), 1);
    assert_eq!(
        erp.find_sales_order("200201", "PO-9").await.unwrap(),
        Some(order)
    );
    assert!(matches!(
        erp.create_sales_order(&request).await,
        Err(ErpError::Conflict(_))
    ));
}

#[tokio::test]
async fn latency_5xx_and_a_dropped_connection_are_retried() {
    let w = world(config()).await;
    let erp = w.adapter().await;
    w.faults.set_latency(Duration::from_millis(30));
    w.faults.arm(Fault::ServerError, 1);
    w.faults.arm(Fault::DropConnection, 1);
    let orders = erp.purchase_orders(&["4500000100".into()]).await.unwrap();
    assert_eq!(orders.len(), 1);
    w.faults.arm(Fault::ServerError, 5);
    let failed = erp.purchase_orders(&["4500000100".into()]).await;
    assert!(matches!(failed, Err(ErpError::Transient(_))), "{failed:?}");
}

#[tokio::test]
async fn rate_limits_are_waited_out_from_the_headers() {
    let w = world(ExactConfig {
        minutely_limit: 4,
        minute: Duration::from_millis(400),
        ..config()
    })
    .await;
    let erp = w.adapter().await;
    w.faults.arm(Fault::RateLimited, 1);
    let started = std::time::Instant::now();
    for _ in 0..4 {
        // Each call is several requests: over the four a "minute" allows.
        assert_eq!(
            erp.purchase_orders(&["4500000100".into()])
                .await
                .unwrap()
                .len(),
            1
        );
    }
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_rotation_is_shared() {
    let w = world(ExactConfig {
        token_lifetime: Duration::from_secs(5),
        refresh_not_before: Duration::from_millis(300),
        ..config()
    })
    .await;
    let mut settings = w.settings.clone();
    settings.refresh_after = Duration::from_millis(350);
    let w = World { settings, ..w };
    let first = w.adapter().await;
    let second = w.adapter().await;
    w.faults.arm(Fault::ExpireToken, 1);
    first.products(&["KI-PM-200".into()]).await.unwrap();
    assert_eq!(
        w.sim.refreshes(),
        (1, 0),
        "a rejected token is refreshed at once"
    );
    second.products(&["KI-PM-200".into()]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    first.products(&["KI-PM-200".into()]).await.unwrap();
    // The second worker holds an old pair; it must take the first one's from the store.
    tokio::time::sleep(Duration::from_millis(400)).await;
    second.products(&["KI-PM-200".into()]).await.unwrap();
    first.products(&["KI-PM-200".into()]).await.unwrap();
    let (granted, refused) = w.sim.refreshes();
    assert_eq!(
        refused, 0,
        "no rotated-out refresh token was used and none too early"
    );
    assert!(granted >= 2);
}

#[tokio::test]
async fn the_file_store_keeps_the_chain_across_adapters() {
    let w = world(config()).await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> =
        Arc::new(FileTokenStore::new(dir.path().join("exact-token.json")));
    let w = World { store, ..w };
    let erp = w.adapter().await;
    erp.products(&["KI-PM-200".into()]).await.unwrap();
    let again = ExactErp::new(
        w.settings.clone(),
        Arc::new(FileTokenStore::new(dir.path().join("exact-token.json"))),
    )
    .unwrap();
    assert_eq!(
        again.products(&["KI-PM-200".into()]).await.unwrap().len(),
        1
    );
    assert!(w.store.load().await.unwrap().is_some());
}
