//! `Erp::master_data` of the Odoo adapter against the simulator, on a 19
//! server over JSON-2 and a 17 server over JSON-RPC: a full answer, then
//! incremental ones by `write_date` after one change each (a receipt, a
//! supplier's bank account, a bill that closes an order).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use docket_domain::erp::{
    BookedLine, BookingRequest, ErpSnapshot, GoodsReceipt, PurchaseOrder, PurchaseOrderLine,
    Supplier,
};
use docket_domain::{Currency, DocumentKind, Money};
use docket_erp::http::HttpSettings;
use docket_erp::odoo::{OdooErp, OdooSettings, Protocol};
use docket_erp::{Erp, MasterData};
use docket_erp_sim::faults::Faults;
use docket_erp_sim::odoo::{OdooConfig, OdooSim};
use docket_erp_sim::server::Running;
use rust_decimal_macros::dec;
use serde_json::json;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn line(number: &str, code: &str, gr_based: bool) -> PurchaseOrderLine {
    PurchaseOrderLine {
        line: number.into(),
        item_code: Some(code.into()),
        supplier_item_code: None,
        description: format!("Item {code}"),
        quantity: dec!(4),
        unit: "Units".into(),
        unit_price: dec!(12.5),
        price_unit: dec!(1),
        tax_rate: Some(dec!(21)),
        goods_receipt_based: gr_based,
        unit_conversions: Vec::new(),
    }
}

fn supplier(id: &str, name: &str, iban: &str) -> Supplier {
    Supplier {
        id: id.into(),
        name: name.into(),
        vat_id: None,
        tax_number: None,
        country: Some("NL".into()),
        ibans: vec![iban.into()],
        email_domains: Vec::new(),
        posting_blocked: false,
        payment_blocked: false,
    }
}

fn order(
    number: &str,
    supplier: &str,
    closed: bool,
    lines: Vec<PurchaseOrderLine>,
) -> PurchaseOrder {
    PurchaseOrder {
        number: number.into(),
        supplier_id: supplier.into(),
        order_date: day(2),
        currency: Currency::EUR,
        company: None,
        planned_delivery_costs: None,
        closed,
        lines,
    }
}

fn receipt(number: &str, po: &str, line: &str) -> GoodsReceipt {
    GoodsReceipt {
        number: number.into(),
        item: "1".into(),
        purchase_order: po.into(),
        purchase_order_line: line.into(),
        quantity: dec!(2),
        date: day(4),
    }
}

fn world() -> ErpSnapshot {
    ErpSnapshot {
        suppliers: vec![
            supplier("100101", "Acme Supplies BV", "NL91ABNA0417164300"),
            supplier("100102", "Borealis Tools BV", "NL20INGB0001234567"),
        ],
        purchase_orders: vec![
            order(
                "P00001",
                "100101",
                false,
                vec![line("10", "W-001", true), line("20", "W-002", true)],
            ),
            order("P00002", "100101", true, vec![line("10", "W-003", true)]),
            order("P00003", "100102", false, vec![line("10", "W-004", false)]),
        ],
        goods_receipts: vec![
            receipt("WH/IN/00001", "P00001", "10"),
            receipt("WH/IN/00002", "P00001", "20"),
        ],
        ..ErpSnapshot::default()
    }
}

struct Setup {
    _running: Running,
    sim: Arc<OdooSim>,
    erp: OdooErp,
}

async fn start(version: u32, protocol: Protocol) -> Setup {
    let config = OdooConfig {
        version,
        ..OdooConfig::default()
    };
    let (running, sim) = OdooSim::serve(&world(), config, Faults::new())
        .await
        .unwrap();
    let c = sim.config();
    let erp = OdooErp::new(OdooSettings {
        base_url: running.base_url(),
        database: c.database.clone(),
        login: c.login.clone(),
        api_key: c.api_key.clone(),
        protocol,
        http: HttpSettings {
            timeout: Duration::from_secs(5),
            attempts: 2,
            backoff: Duration::from_millis(10),
        },
    })
    .unwrap();
    Setup {
        _running: running,
        sim,
        erp,
    }
}

fn numbers(data: &MasterData) -> Vec<&str> {
    data.purchase_orders
        .iter()
        .map(|p| p.number.as_str())
        .collect()
}

/// A full answer, checked; its watermark.
async fn full(s: &Setup) -> MasterData {
    let before = chrono::Utc::now();
    let data = s.erp.master_data(None).await.unwrap();
    assert!(data.complete);
    assert!(
        data.as_of <= before,
        "the watermark is taken before reading"
    );
    let mut suppliers: Vec<&str> = data.suppliers.iter().map(|s| s.id.as_str()).collect();
    suppliers.sort_unstable();
    assert_eq!(suppliers, ["100101", "100102"]);
    assert_eq!(numbers(&data), ["P00001", "P00003"]);
    assert!(data.purchase_orders.iter().all(|p| !p.closed));
    assert_eq!(
        data.purchase_orders[0]
            .lines
            .iter()
            .map(|l| l.line.as_str())
            .collect::<Vec<_>>(),
        ["10", "20"]
    );
    let mut lines: Vec<(&str, &str)> = data
        .goods_receipts
        .iter()
        .map(|r| (r.purchase_order.as_str(), r.purchase_order_line.as_str()))
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [("P00001", "10"), ("P00001", "20")]);
    // Nothing changed since: an incremental answer is empty.
    let again = s.erp.master_data(Some(data.as_of)).await.unwrap();
    assert!(!again.complete);
    assert!(again.suppliers.is_empty() && again.purchase_orders.is_empty());
    assert!(again.goods_receipts.is_empty());
    data
}

async fn a_changed_receipt_comes_back_with_its_order(version: u32, protocol: Protocol) {
    let s = start(version, protocol).await;
    let watermark = full(&s).await.as_of;
    let moves = s.sim.search_read(
        "stock.move",
        json!([["reference", "=", "WH/IN/00002"]]),
        &["id"],
    );
    let id = moves[0]["id"].as_i64().unwrap();
    s.sim
        .call(
            "stock.move",
            "write",
            &[id],
            json!({"vals": {"quantity": 3.0}}),
        )
        .unwrap();
    // The simulator stamped the write (and the recomputed PO line and order) with its clock.
    let stamp = s
        .sim
        .search_read("stock.move", json!([["id", "=", id]]), &["write_date"])[0]["write_date"]
        .clone();
    let at = |op: &str| {
        s.sim
            .search_read("stock.move", json!([["write_date", op, stamp]]), &["id"])
            .len()
    };
    assert_eq!((at(">="), at(">"), at("<")), (1, 0, 1));
    let data = s.erp.master_data(Some(watermark)).await.unwrap();
    assert!(!data.complete);
    assert!(data.suppliers.is_empty());
    assert_eq!(numbers(&data), ["P00001"]);
    assert_eq!(data.goods_receipts.len(), 1);
    let r = &data.goods_receipts[0];
    assert_eq!(
        (
            r.number.as_str(),
            r.purchase_order.as_str(),
            r.purchase_order_line.as_str()
        ),
        ("WH/IN/00002", "P00001", "20")
    );
    assert_eq!(r.quantity, dec!(3));
}

async fn a_changed_bank_account_brings_back_its_supplier(version: u32, protocol: Protocol) {
    let s = start(version, protocol).await;
    let watermark = full(&s).await.as_of;
    let banks = s.sim.search_read(
        "res.partner.bank",
        json!([["partner_id", "=", 100102]]),
        &["id"],
    );
    let id = banks[0]["id"].as_i64().unwrap();
    let vals = json!({"vals": {"acc_number": "NL02 ABNA 0123 4567 89",
        "sanitized_acc_number": "NL02ABNA0123456789"}});
    s.sim
        .call("res.partner.bank", "write", &[id], vals)
        .unwrap();
    let data = s.erp.master_data(Some(watermark)).await.unwrap();
    assert_eq!(data.suppliers.len(), 1);
    assert_eq!(data.suppliers[0].id, "100102");
    assert_eq!(data.suppliers[0].ibans, ["NL02ABNA0123456789"]);
    assert!(data.purchase_orders.is_empty() && data.goods_receipts.is_empty());
}

async fn a_bill_that_closes_an_order_brings_it_back_closed(version: u32, protocol: Protocol) {
    let s = start(version, protocol).await;
    let watermark = full(&s).await.as_of;
    let request = BookingRequest {
        idempotency_key: "100102|INV-9|invoice".into(),
        supplier_id: "100102".into(),
        supplier_reference: "INV-9".into(),
        kind: DocumentKind::Invoice,
        document_date: day(20),
        gross: Money::new(dec!(60.50), Currency::EUR),
        company: None,
        lines: vec![BookedLine {
            purchase_order: "P00003".into(),
            purchase_order_line: "10".into(),
            quantity: dec!(4),
            amount: dec!(50),
            goods_receipt: None,
            account: None,
        }],
    };
    s.erp.book_invoice(&request).await.unwrap();
    let data = s.erp.master_data(Some(watermark)).await.unwrap();
    assert!(data.suppliers.is_empty() && data.goods_receipts.is_empty());
    assert_eq!(numbers(&data), ["P00003"]);
    assert!(
        data.purchase_orders[0].closed,
        "fully billed: the cache drops it"
    );
}

#[tokio::test]
async fn incremental_master_data_on_odoo_19_over_json2() {
    a_changed_receipt_comes_back_with_its_order(19, Protocol::Json2).await;
    a_changed_bank_account_brings_back_its_supplier(19, Protocol::Json2).await;
    a_bill_that_closes_an_order_brings_it_back_closed(19, Protocol::Json2).await;
}

#[tokio::test]
async fn incremental_master_data_on_odoo_17_over_jsonrpc() {
    a_changed_receipt_comes_back_with_its_order(17, Protocol::JsonRpc).await;
    a_changed_bank_account_brings_back_its_supplier(17, Protocol::JsonRpc).await;
    a_bill_that_closes_an_order_brings_it_back_closed(17, Protocol::JsonRpc).await;
}
