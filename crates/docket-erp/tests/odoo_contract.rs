//! Contract tests of the Odoo adapter against the Odoo simulator: every
//! `Erp` method on a 19 server over JSON-2 and on a 17 server over JSON-RPC
//! (so that the field-name discovery is exercised both ways), and every
//! fault: latency, 5xx, 429, a dropped connection, an expired key or
//! session, Odoo errors with HTTP 200, a response lost after the commit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use docket_domain::erp::{
    BookedInvoice, BookedLine, BookingRequest, Customer, ErpSnapshot, GoodsReceipt, Product,
    PurchaseOrder, PurchaseOrderLine, SalesOrderLine, SalesOrderRequest, Supplier,
};
use docket_domain::{Currency, DocumentKind, Money};
use docket_erp::http::HttpSettings;
use docket_erp::odoo::{OdooErp, OdooSettings, Protocol};
use docket_erp::{BookedQuery, CustomerQuery, Erp, ErpError, SupplierQuery};
use docket_erp_sim::faults::{Fault, Faults};
use docket_erp_sim::odoo::{OdooConfig, OdooSim};
use docket_erp_sim::server::Running;
use rust_decimal_macros::dec;
use serde_json::json;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn po_line(
    line: &str,
    code: &str,
    qty: rust_decimal::Decimal,
    gr_based: bool,
) -> PurchaseOrderLine {
    PurchaseOrderLine {
        line: line.into(),
        item_code: Some(code.into()),
        supplier_item_code: None,
        description: format!("Item {code}"),
        quantity: qty,
        unit: "Units".into(),
        unit_price: dec!(12.5),
        price_unit: dec!(1),
        tax_rate: Some(dec!(21)),
        goods_receipt_based: gr_based,
        unit_conversions: Vec::new(),
    }
}

fn world() -> ErpSnapshot {
    let order = |number: &str, closed: bool| PurchaseOrder {
        number: number.into(),
        supplier_id: "100101".into(),
        order_date: day(2),
        currency: Currency::EUR,
        company: None,
        planned_delivery_costs: None,
        closed,
        lines: vec![
            po_line("10", "W-001", dec!(10), true),
            po_line("20", "W-002", dec!(4), false),
        ],
    };
    ErpSnapshot {
        suppliers: vec![Supplier {
            id: "100101".into(),
            name: "Acme Supplies BV".into(),
            vat_id: Some("NL123456789B01".into()),
            tax_number: None,
            country: Some("NL".into()),
            ibans: vec!["NL91ABNA0417164300".into()],
            email_domains: vec!["acme.example".into()],
            posting_blocked: false,
            payment_blocked: false,
        }],
        purchase_orders: vec![order("P00001", false), order("P00002", true)],
        goods_receipts: vec![
            receipt("WH/IN/00001", "10", dec!(6)),
            receipt("WH/OUT/00001", "10", dec!(-1)),
        ],
        booked_invoices: vec![BookedInvoice {
            erp_ref: "BILL/2026/11/0001".into(),
            supplier_id: "100101".into(),
            supplier_reference: "INV-OLD-1".into(),
            kind: DocumentKind::Invoice,
            document_date: day(3),
            gross: Money::new(dec!(60.50), Currency::EUR),
            lines: vec![BookedLine {
                purchase_order: "P00002".into(),
                purchase_order_line: "10".into(),
                quantity: dec!(4),
                amount: dec!(50),
                goods_receipt: None,
                account: None,
            }],
            idempotency_key: None,
            reversed: false,
        }],
        customers: vec![Customer {
            id: "200001".into(),
            name: "Kestrel Instruments GmbH".into(),
            vat_id: Some("DE811907980".into()),
            email_domains: vec!["kestrel.example".into()],
        }],
        products: vec![Product {
            code: "BM-1001".into(),
            description: "Copy paper A4".into(),
            unit: "Pack".into(),
            price: Money::new(dec!(4.85), Currency::EUR),
            gtin: Some("4006381333931".into()),
        }],
        ..ErpSnapshot::default()
    }
}

fn receipt(number: &str, line: &str, quantity: rust_decimal::Decimal) -> GoodsReceipt {
    GoodsReceipt {
        number: number.into(),
        item: "1".into(),
        purchase_order: "P00001".into(),
        purchase_order_line: line.into(),
        quantity,
        date: day(4),
    }
}

struct Setup {
    _running: Running,
    sim: Arc<OdooSim>,
    faults: Arc<Faults>,
    erp: OdooErp,
}

async fn start(version: u32, protocol: Protocol) -> Setup {
    let faults = Faults::new();
    let config = OdooConfig {
        version,
        ..OdooConfig::default()
    };
    let (running, sim) = OdooSim::serve(&world(), config, Arc::clone(&faults))
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
            timeout: Duration::from_millis(400),
            attempts: 3,
            backoff: Duration::from_millis(10),
        },
    })
    .unwrap();
    Setup {
        _running: running,
        sim,
        faults,
        erp,
    }
}

fn booking(reference: &str, line: &str) -> BookingRequest {
    BookingRequest {
        idempotency_key: format!("100101|{reference}|invoice"),
        supplier_id: "100101".into(),
        supplier_reference: reference.into(),
        kind: DocumentKind::Invoice,
        document_date: day(20),
        gross: Money::new(dec!(90.75), Currency::EUR),
        company: None,
        lines: vec![BookedLine {
            purchase_order: "P00001".into(),
            purchase_order_line: line.into(),
            quantity: dec!(6),
            amount: dec!(75),
            goods_receipt: None,
            account: None,
        }],
    }
}

fn bills_with_ref(sim: &OdooSim, reference: &str) -> usize {
    sim.search_read("account.move", json!([["ref", "=", reference]]), &["state"])
        .len()
}

/// Every `Erp` method, against whatever server `s` runs.
async fn every_method(s: &Setup) {
    let erp = &s.erp;
    let by_vat = SupplierQuery {
        vat_ids: vec!["NL123456789B01".into()],
        ..Default::default()
    };
    let found = erp.supplier_candidates(&by_vat).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "100101");
    assert_eq!(found[0].ibans, vec!["NL91ABNA0417164300".to_string()]);
    assert_eq!(found[0].email_domains, vec!["acme.example".to_string()]);
    for query in [
        SupplierQuery {
            ibans: vec!["NL91ABNA0417164300".into()],
            ..Default::default()
        },
        SupplierQuery {
            email_domain: Some("ACME.example".into()),
            ..Default::default()
        },
        SupplierQuery {
            name: Some("ACME Supplies B.V.".into()),
            ..Default::default()
        },
    ] {
        assert_eq!(
            erp.supplier_candidates(&query).await.unwrap().len(),
            1,
            "{query:?}"
        );
    }
    let nobody = SupplierQuery {
        vat_ids: vec!["DE000000000".into()],
        ..Default::default()
    };
    assert!(erp.supplier_candidates(&nobody).await.unwrap().is_empty());

    let orders = erp
        .purchase_orders(&["P00001".into(), "NOPE".into()])
        .await
        .unwrap();
    assert_eq!(orders.len(), 1);
    let po = &orders[0];
    assert_eq!(
        (po.supplier_id.as_str(), po.order_date, po.closed),
        ("100101", day(2), false)
    );
    assert_eq!(po.lines.len(), 2);
    let first = &po.lines[0];
    let numbers: Vec<&str> = po.lines.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(numbers, ["10", "20"], "numbered as the invoice names them");
    assert_eq!(first.item_code.as_deref(), Some("W-001"));
    assert_eq!(
        (first.quantity, first.unit_price, first.unit.as_str()),
        (dec!(10), dec!(12.5), "Units")
    );
    assert_eq!(
        first.tax_rate,
        Some(dec!(21)),
        "taxes read under this version's field name"
    );
    assert!(first.goods_receipt_based && !po.lines[1].goods_receipt_based);

    let open = erp.open_purchase_orders("100101", None).await.unwrap();
    let numbers: Vec<&str> = open.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(numbers, vec!["P00001"], "the closed order is not open");
    assert!(
        erp.open_purchase_orders("100101", Some(day(3)))
            .await
            .unwrap()
            .is_empty()
    );

    let receipts = erp.goods_receipts(&["P00001".into()]).await.unwrap();
    let quantities: Vec<_> = receipts.iter().map(|r| r.quantity).collect();
    assert_eq!(
        quantities,
        vec![dec!(6), dec!(-1)],
        "a return counts negative"
    );
    assert_eq!(receipts[0].purchase_order_line, first.line);
    assert_eq!(receipts[0].number, "WH/IN/00001");

    let query = BookedQuery {
        supplier_id: "100101".into(),
        references: vec!["INV-OLD-1".into()],
        purchase_orders: Vec::new(),
    };
    let booked = erp.booked_invoices(&query).await.unwrap();
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].gross.amount, dec!(60.5));
    assert_eq!(booked[0].lines[0].purchase_order, "P00002");
    let by_po = BookedQuery {
        supplier_id: "100101".into(),
        references: Vec::new(),
        purchase_orders: vec!["P00002".into()],
    };
    assert_eq!(erp.booked_invoices(&by_po).await.unwrap().len(), 1);
    let old = erp
        .find_booking("100101", "INV-OLD-1", DocumentKind::Invoice)
        .await
        .unwrap();
    assert_eq!(old.map(|b| b.erp_ref).as_deref(), Some("BILL/2026/11/0001"));

    let request = booking("INV-2026-0001", &first.line);
    let posted = erp.book_invoice(&request).await.unwrap();
    assert_eq!(posted.erp_ref, "BILL/2026/11/0002");
    assert_eq!(
        posted.gross.amount,
        dec!(90.75),
        "75 plus 21 % from the PO line's tax"
    );
    assert_eq!(posted.lines[0].quantity, dec!(6));
    let again = erp.book_invoice(&request).await;
    assert!(matches!(again, Err(ErpError::Conflict(_))), "{again:?}");
    assert_eq!(bills_with_ref(&s.sim, "INV-2026-0001"), 1);
    let after = erp.purchase_orders(&["P00001".into()]).await.unwrap();
    assert!(!after[0].closed);
    let found = erp
        .find_booking("100101", "INV-2026-0001", DocumentKind::Invoice)
        .await
        .unwrap();
    assert_eq!(found.map(|b| b.erp_ref), Some(posted.erp_ref));
    // Lines are numbered 10, 20, … per order: P00002 has no line 30.
    let wrong_po = BookingRequest {
        lines: vec![BookedLine {
            purchase_order: "P00002".into(),
            purchase_order_line: "30".into(),
            ..request.lines[0].clone()
        }],
        ..booking("INV-2026-0002", &first.line)
    };
    let refused = erp.book_invoice(&wrong_po).await;
    assert!(
        matches!(refused, Err(ErpError::Permanent(_))),
        "{refused:?}"
    );

    let customers = erp
        .customer_candidates(&CustomerQuery {
            customer_number: Some("200001".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].vat_id.as_deref(), Some("DE811907980"));
    let products = erp
        .products(&["BM-1001".into(), "XX".into()])
        .await
        .unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(
        (products[0].unit.as_str(), products[0].price.amount),
        ("Pack", dec!(4.85))
    );
    assert_eq!(products[0].gtin.as_deref(), Some("4006381333931"));
    let prices = erp
        .customer_prices("200001", &["BM-1001".into()])
        .await
        .unwrap();
    assert_eq!(prices[0].price.amount, dec!(4.85));

    let order = SalesOrderRequest {
        idempotency_key: "200001|PO77".into(),
        customer_id: "200001".into(),
        customer_reference: "CUST-PO-77".into(),
        order_date: day(21),
        requested_delivery: Some(day(28)),
        currency: Currency::EUR,
        lines: vec![SalesOrderLine {
            product_code: "BM-1001".into(),
            quantity: dec!(3),
            unit: "Pack".into(),
            price: Some(dec!(4.5)),
        }],
    };
    assert!(
        erp.find_sales_order("200001", "CUST-PO-77")
            .await
            .unwrap()
            .is_none()
    );
    let created = erp.create_sales_order(&order).await.unwrap();
    assert_eq!(created.erp_ref, "S00001");
    assert_eq!(created.lines[0].product_code, "BM-1001");
    assert_eq!(
        created.lines[0].unit, "Pack",
        "unit read under this version's field name"
    );
    let state = s
        .sim
        .search_read("sale.order", json!([["name", "=", "S00001"]]), &["state"]);
    assert_eq!(state[0]["state"], "sale", "confirmed");
    let again = erp.create_sales_order(&order).await;
    assert!(matches!(again, Err(ErpError::Conflict(_))), "{again:?}");
    let found = erp.find_sales_order("200001", "CUST-PO-77").await.unwrap();
    assert_eq!(found.map(|o| o.erp_ref).as_deref(), Some("S00001"));
    let unknown = SalesOrderRequest {
        customer_reference: "CUST-PO-78".into(),
        lines: vec![SalesOrderLine {
            product_code: "XX-1".into(),
            ..order.lines[0].clone()
        }],
        ..order.clone()
    };
    let refused = erp.create_sales_order(&unknown).await;
    assert!(matches!(refused, Err(ErpError::Permanent(m)) if m.contains("XX-1")));
}

#[tokio::test]
async fn every_method_on_odoo_19_over_json2() {
    let s = start(19, Protocol::Auto).await;
    every_method(&s).await;
}

#[tokio::test]
async fn every_method_on_odoo_17_over_jsonrpc() {
    let s = start(17, Protocol::Auto).await;
    every_method(&s).await;
}

/// A line id the first PO has on this server.
async fn line_of(s: &Setup) -> String {
    let orders = s.erp.purchase_orders(&["P00001".into()]).await.unwrap();
    orders[0].lines[0].line.clone()
}

#[tokio::test]
async fn a_retry_after_a_lost_response_books_once_on_both_protocols() {
    for (version, protocol) in [(19, Protocol::Json2), (17, Protocol::JsonRpc)] {
        let s = start(version, protocol).await;
        let line = line_of(&s).await;
        s.faults.arm(Fault::LoseResponse, 1);
        let booked = s
            .erp
            .book_invoice(&booking("INV-LOST-1", &line))
            .await
            .unwrap();
        assert_eq!(bills_with_ref(&s.sim, "INV-LOST-1"), 1, "Odoo {version}");
        let state = s.sim.search_read(
            "account.move",
            json!([["ref", "=", "INV-LOST-1"]]),
            &["state", "name"],
        );
        assert_eq!(state[0]["state"], "posted", "the retry finished the draft");
        assert_eq!(booked.erp_ref, state[0]["name"].as_str().unwrap());

        // The answer to action_post lost: the retry finds the posted bill.
        s.faults.arm(Fault::LoseResponse, 2);
        let booked = s.erp.book_invoice(&booking("INV-LOST-2", &line)).await;
        assert!(booked.is_ok(), "{booked:?}");
        assert_eq!(bills_with_ref(&s.sim, "INV-LOST-2"), 1, "Odoo {version}");
    }
}

#[tokio::test]
async fn transient_faults_are_retried() {
    for (version, protocol) in [(19, Protocol::Json2), (17, Protocol::JsonRpc)] {
        let s = start(version, protocol).await;
        let query = SupplierQuery {
            vat_ids: vec!["NL123456789B01".into()],
            ..Default::default()
        };
        s.faults.set_latency(Duration::from_millis(20));
        assert_eq!(s.erp.supplier_candidates(&query).await.unwrap().len(), 1);
        s.faults.set_latency(Duration::ZERO);
        for fault in [
            Fault::ServerError,
            Fault::RateLimited,
            Fault::DropConnection,
        ] {
            s.faults.arm(fault, 1);
            let found = s.erp.supplier_candidates(&query).await;
            assert_eq!(found.map(|f| f.len()), Ok(1), "{fault:?} on Odoo {version}");
        }
        // As many failures as attempts: the pipeline is told to retry later.
        s.faults.arm(Fault::ServerError, 3);
        let down = s.erp.supplier_candidates(&query).await;
        assert!(matches!(down, Err(ErpError::Transient(_))), "{down:?}");
        // Odoo's serialization failure arrives as an error (JSON-RPC: with HTTP 200).
        s.sim.fail_next_call(
            "psycopg2.errors.SerializationFailure",
            "could not serialize access due to concurrent update",
        );
        let line = line_of(&s).await;
        s.sim.fail_next_call(
            "psycopg2.errors.SerializationFailure",
            "could not serialize access due to concurrent update",
        );
        let booked = s.erp.book_invoice(&booking("INV-BUSY", &line)).await;
        assert!(booked.is_ok(), "{booked:?}");
        assert_eq!(bills_with_ref(&s.sim, "INV-BUSY"), 1);
    }
}

#[tokio::test]
async fn odoo_refusals_are_permanent_with_odoo_s_message() {
    for (version, protocol) in [(19, Protocol::Json2), (17, Protocol::JsonRpc)] {
        let s = start(version, protocol).await;
        let line = line_of(&s).await;
        s.sim.fail_next_call(
            "odoo.exceptions.ValidationError",
            "The operation cannot be completed: Missing required value for the field 'Vendor' (partner_id).",
        );
        let refused = s.erp.book_invoice(&booking("INV-BAD", &line)).await;
        assert!(
            matches!(&refused, Err(ErpError::Permanent(m)) if m.contains("Missing required value")),
            "{refused:?}"
        );
        s.sim.fail_next_call(
            "odoo.exceptions.AccessError",
            "You are not allowed to access 'Journal Entry' (account.move) records.",
        );
        let denied = s
            .erp
            .find_booking("100101", "X", DocumentKind::Invoice)
            .await;
        assert!(
            matches!(&denied, Err(ErpError::Permanent(m)) if m.contains("access rights") && m.contains("Journal Entry")),
            "{denied:?}"
        );
        s.sim.fail_next_call(
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.",
        );
        let missing = s.erp.products(&["BM-1001".into()]).await;
        assert!(matches!(missing, Err(ErpError::NotFound(_))), "{missing:?}");
    }
}

#[tokio::test]
async fn an_expired_key_is_refused_on_json2_and_a_session_renewed_on_jsonrpc() {
    let json2 = start(19, Protocol::Json2).await;
    let query = SupplierQuery {
        vat_ids: vec!["NL123456789B01".into()],
        ..Default::default()
    };
    json2.faults.arm(Fault::ExpireToken, 1);
    let refused = json2.erp.supplier_candidates(&query).await;
    assert!(
        matches!(&refused, Err(ErpError::Permanent(m)) if m.contains("Invalid apikey") && m.contains("API key")),
        "{refused:?}"
    );
    assert_eq!(
        json2.erp.supplier_candidates(&query).await.unwrap().len(),
        1
    );

    let rpc = start(17, Protocol::JsonRpc).await;
    assert_eq!(rpc.erp.supplier_candidates(&query).await.unwrap().len(), 1);
    rpc.faults.arm(Fault::ExpireToken, 1);
    assert_eq!(
        rpc.erp.supplier_candidates(&query).await.unwrap().len(),
        1,
        "logged in again"
    );
    rpc.faults.arm(Fault::ExpireToken, 2);
    let refused = rpc.erp.supplier_candidates(&query).await;
    assert!(
        matches!(&refused, Err(ErpError::Permanent(m)) if m.contains("Access Denied")),
        "{refused:?}"
    );

    let wrong = OdooErp::new(OdooSettings {
        base_url: rpc._running.base_url(),
        database: "docket".into(),
        login: "docket@example.com".into(),
        api_key: "wrong".into(),
        protocol: Protocol::Auto,
        http: HttpSettings::default(),
    })
    .unwrap();
    let refused = wrong.supplier_candidates(&query).await;
    assert!(
        matches!(&refused, Err(ErpError::Permanent(m)) if m.contains("refused login")),
        "{refused:?}"
    );
}

/// The simulator is as strict as Odoo: an unknown field is an error, and
/// field names follow the version; a duplicate `ref` posts silently.
#[tokio::test]
async fn the_simulator_is_strict_about_field_names_and_lenient_about_duplicate_refs() {
    let s = start(19, Protocol::Json2).await;
    let client = reqwest::Client::new();
    let key = s.sim.config().api_key.clone();
    let call = |model: &str, method: &str, body: serde_json::Value| {
        let request = client
            .post(format!("{}/json/2/{model}/{method}", s._running.base_url()))
            .bearer_auth(&key)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = call(
        "purchase.order.line",
        "search_read",
        json!({"fields": ["taxes_id"]}),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(body["name"], "builtins.ValueError");
    let (status, _) = call(
        "purchase.order.line",
        "search_read",
        json!({"fields": ["tax_ids"]}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = call("purchase.order", "create", json!({"vals_list": [{}]})).await;
    assert_eq!(
        (status, body["name"].as_str()),
        (422, Some("odoo.exceptions.ValidationError"))
    );
    let bill = json!({"vals_list": [{"move_type": "in_invoice", "partner_id": 100101, "ref": "INV-OLD-1", "invoice_date": "2026-11-05"}]});
    let (status, ids) = call("account.move", "create", bill).await;
    assert_eq!(status, 200);
    let (status, _) = call("account.move", "action_post", json!({"ids": ids})).await;
    assert_eq!(status, 200, "posted without a word");
    let (_, read) = call(
        "account.move",
        "read",
        json!({"ids": ids, "fields": ["duplicated_ref_ids", "state"]}),
    )
    .await;
    assert_eq!(read[0]["state"], "posted");
    assert_eq!(
        read[0]["duplicated_ref_ids"].as_array().map(Vec::len),
        Some(1)
    );
}
