//! `master_data` on the Exact adapter against the Exact simulator: a full
//! answer, then incremental ones that hold only what changed since the
//! previous `as_of` (a new goods receipt and its order, a supplier, a bank
//! account, an order closed), and a full read paced under a tight limit.

// Test helpers panic on a broken set-up, which is what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use docket_domain::erp::ErpSnapshot;
use docket_erp::exact::{ExactErp, ExactSettings, MemoryTokenStore, TokenStore};
use docket_erp::http::HttpSettings;
use docket_erp::sandbox::SandboxErp;
use docket_erp::{Erp, MasterData};
use docket_erp_sim::exact::{ExactConfig, ExactSim, account_code, start};
use docket_erp_sim::faults::Faults;
use docket_erp_sim::server::Running;
use serde_json::Value;

/// The adapter's clock margin here: small, so that the tests need not wait long.
const MARGIN: Duration = Duration::from_millis(50);
/// Longer than [`MARGIN`]: a change this long ago is before the next `as_of`.
const SETTLE: Duration = Duration::from_millis(150);

fn seed() -> ErpSnapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erp");
    SandboxErp::seed_from_dir(&dir).unwrap()
}

async fn world(config: ExactConfig) -> (Running, ExactSim, ExactErp) {
    let (running, sim) = start(&seed(), config.clone(), Faults::new()).await.unwrap();
    let settings = ExactSettings {
        base_url: running.base_url(),
        client_id: config.client_id,
        client_secret: config.client_secret,
        clock_margin: MARGIN,
        max_rate_wait: Duration::from_secs(5),
        http: HttpSettings {
            timeout: Duration::from_secs(2),
            attempts: 3,
            backoff: Duration::from_millis(20),
        },
        ..ExactSettings::default()
    };
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let erp = ExactErp::new(settings, store).unwrap();
    erp.authorize(&sim.issue_code()).await.unwrap();
    // The seed's `Modified` stamps are then safely before the first `as_of`.
    tokio::time::sleep(SETTLE).await;
    (running, sim, erp)
}

fn config() -> ExactConfig {
    ExactConfig {
        page_size: 2,
        minutely_limit: 10_000,
        ..ExactConfig::default()
    }
}

fn order_numbers(data: &MasterData) -> Vec<&str> {
    data.purchase_orders
        .iter()
        .map(|po| po.number.as_str())
        .collect()
}

fn supplier_ids(data: &MasterData) -> Vec<&str> {
    data.suppliers.iter().map(|s| s.id.as_str()).collect()
}

#[tokio::test]
async fn a_full_answer_matches_the_sandbox() {
    let (_running, _sim, erp) = world(config()).await;
    let margin = chrono::Duration::from_std(MARGIN).unwrap();
    let before = chrono::Utc::now();
    let full = erp.master_data(None).await.unwrap();
    let after = chrono::Utc::now();
    assert!(full.complete);
    // Taken before the reads, the margin before the client's clock.
    assert!(full.as_of >= before - margin && full.as_of <= after - margin);

    let sandbox = SandboxErp::in_memory(seed());
    let expected = sandbox.master_data(None).await.unwrap();
    let mut ids = supplier_ids(&full);
    let mut want = supplier_ids(&expected);
    ids.sort_unstable();
    want.sort_unstable();
    assert_eq!(ids, want);
    for s in &expected.suppliers {
        let got = full.suppliers.iter().find(|f| f.id == s.id).unwrap();
        assert_eq!(got.ibans, s.ibans, "IBANs of {}", s.id);
        assert_eq!(got.posting_blocked, s.posting_blocked, "block of {}", s.id);
        assert_eq!(got.payment_blocked, s.payment_blocked, "block of {}", s.id);
    }
    let mut orders = order_numbers(&full);
    let mut want = order_numbers(&expected);
    orders.sort_unstable();
    want.sort_unstable();
    assert_eq!(orders, want);
    assert!(full.purchase_orders.iter().all(|po| !po.closed));
    for po in &expected.purchase_orders {
        let got = full
            .purchase_orders
            .iter()
            .find(|f| f.number == po.number)
            .unwrap();
        assert_eq!(got.lines.len(), po.lines.len(), "lines of {}", po.number);
    }
    let key = |r: &docket_domain::erp::GoodsReceipt| {
        (
            r.number.clone(),
            r.purchase_order.clone(),
            r.purchase_order_line.clone(),
            r.quantity,
        )
    };
    let mut receipts: Vec<_> = full.goods_receipts.iter().map(key).collect();
    let mut want: Vec<_> = expected.goods_receipts.iter().map(key).collect();
    receipts.sort();
    want.sort();
    assert_eq!(receipts, want);
}

#[tokio::test]
async fn incremental_answers_hold_only_what_changed() {
    let (_running, sim, erp) = world(config()).await;
    let full = erp.master_data(None).await.unwrap();

    // Nothing changed: nothing comes.
    tokio::time::sleep(SETTLE).await;
    let quiet = erp.master_data(Some(full.as_of)).await.unwrap();
    assert!(!quiet.complete);
    assert!(quiet.suppliers.is_empty(), "{:?}", supplier_ids(&quiet));
    assert!(
        quiet.purchase_orders.is_empty(),
        "{:?}",
        order_numbers(&quiet)
    );
    assert!(quiet.goods_receipts.is_empty());
    assert!(quiet.as_of > full.as_of);

    // A goods receipt: its order comes, with every receipt of it.
    let po = full.purchase_orders[0].clone();
    let number = sim
        .receive_goods(&po.number, &po.lines[0].line, 1.0)
        .unwrap();
    tokio::time::sleep(SETTLE).await;
    let received = erp.master_data(Some(quiet.as_of)).await.unwrap();
    assert!(
        received.suppliers.is_empty(),
        "{:?}",
        supplier_ids(&received)
    );
    assert_eq!(order_numbers(&received), vec![po.number.as_str()]);
    assert!(!received.purchase_orders[0].closed);
    assert_eq!(received.purchase_orders[0].lines.len(), po.lines.len());
    assert!(
        received
            .goods_receipts
            .iter()
            .all(|r| r.purchase_order == po.number)
    );
    let new = received
        .goods_receipts
        .iter()
        .find(|r| r.number == number.to_string())
        .expect("the new receipt");
    assert_eq!(new.purchase_order_line, po.lines[0].line);
    let before = full
        .goods_receipts
        .iter()
        .filter(|r| r.purchase_order == po.number)
        .count();
    assert_eq!(received.goods_receipts.len(), before + 1);

    // A supplier blocked for posting: only it comes.
    let supplier = full.suppliers[0].clone();
    let code = Value::from(account_code(&supplier.id));
    assert_eq!(
        sim.update("crm/Accounts", "Code", &code, "Blocked", Value::Bool(true)),
        1
    );
    tokio::time::sleep(SETTLE).await;
    let blocked = erp.master_data(Some(received.as_of)).await.unwrap();
    assert_eq!(supplier_ids(&blocked), vec![supplier.id.as_str()]);
    assert!(blocked.suppliers[0].posting_blocked);
    assert_eq!(blocked.suppliers[0].ibans, supplier.ibans);
    assert!(blocked.purchase_orders.is_empty());
    assert!(blocked.goods_receipts.is_empty());

    // A bank account blocked for payments: its supplier comes.
    let banked = full
        .suppliers
        .iter()
        .find(|s| s.ibans.len() == 1 && !s.payment_blocked)
        .expect("a supplier with one IBAN")
        .clone();
    let iban = Value::from(banked.ibans[0].clone());
    assert_eq!(
        sim.update(
            "crm/BankAccounts",
            "BankAccount",
            &iban,
            "Blocked",
            Value::Bool(true)
        ),
        1
    );
    tokio::time::sleep(SETTLE).await;
    let unpaid = erp.master_data(Some(blocked.as_of)).await.unwrap();
    assert_eq!(supplier_ids(&unpaid), vec![banked.id.as_str()]);
    assert!(unpaid.suppliers[0].payment_blocked);
    assert!(unpaid.purchase_orders.is_empty());

    // An order fully invoiced: it comes closed, without receipts, so that the cache drops it.
    let order = Value::from(po.number.parse::<i64>().unwrap());
    let path = "purchaseorder/PurchaseOrders";
    assert_eq!(
        sim.update(path, "OrderNumber", &order, "InvoiceStatus", 30.into()),
        1
    );
    tokio::time::sleep(SETTLE).await;
    let closed = erp.master_data(Some(unpaid.as_of)).await.unwrap();
    assert_eq!(order_numbers(&closed), vec![po.number.as_str()]);
    assert!(closed.purchase_orders[0].closed);
    assert!(closed.goods_receipts.is_empty());
    assert!(closed.suppliers.is_empty());

    // A full answer after all that leaves the closed order out.
    let again = erp.master_data(None).await.unwrap();
    assert!(!order_numbers(&again).contains(&po.number.as_str()));
    assert_eq!(again.suppliers.len(), full.suppliers.len());
}

#[tokio::test]
async fn an_invoice_raising_invoiced_quantities_brings_its_order_back() {
    let (_running, _sim, erp) = world(config()).await;
    let full = erp.master_data(None).await.unwrap();
    // PO 4500000101 of supplier 100101 is received and not yet invoiced in the fixtures.
    let request = docket_domain::erp::BookingRequest {
        idempotency_key: "100101|MD-1|invoice".into(),
        supplier_id: "100101".into(),
        supplier_reference: "MD-1".into(),
        kind: docket_domain::DocumentKind::Invoice,
        document_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        gross: docket_domain::Money::new(
            rust_decimal_macros::dec!(100.00),
            docket_domain::Currency::EUR,
        ),
        company: None,
        lines: vec![docket_domain::erp::BookedLine {
            purchase_order: "4500000101".into(),
            purchase_order_line: "10".into(),
            quantity: rust_decimal_macros::dec!(1),
            amount: rust_decimal_macros::dec!(84.03),
            goods_receipt: None,
            account: None,
        }],
    };
    erp.book_invoice(&request).await.unwrap();
    tokio::time::sleep(SETTLE).await;
    let changed = erp.master_data(Some(full.as_of)).await.unwrap();
    assert_eq!(order_numbers(&changed), vec!["4500000101"]);
    assert!(changed.suppliers.is_empty());
}

#[tokio::test]
async fn a_full_read_waits_for_the_rate_limit_instead_of_failing() {
    let paced = ExactConfig {
        page_size: 2,
        minutely_limit: 8,
        minute: Duration::from_millis(400),
        ..ExactConfig::default()
    };
    let (_running, _sim, erp) = world(paced).await;
    let full = erp.master_data(None).await.unwrap();
    let (_r, _s, unpaced) = world(config()).await;
    let expected = unpaced.master_data(None).await.unwrap();
    assert_eq!(full.suppliers.len(), expected.suppliers.len());
    assert_eq!(full.purchase_orders.len(), expected.purchase_orders.len());
    assert_eq!(full.goods_receipts.len(), expected.goods_receipts.len());
}
