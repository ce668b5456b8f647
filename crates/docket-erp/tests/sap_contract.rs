//! The SAP adapter against the SAP simulator: every `Erp` method, paging,
//! both kinds of authentication, and every fault (latency, 5xx, 429, a
//! dropped connection, an expired token, an expired CSRF token, a response
//! lost after the booking was committed).

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use docket_domain::DocumentKind;
use docket_domain::erp::{
    BookedLine, BookingRequest, ErpSnapshot, SalesOrderLine, SalesOrderRequest, idempotency_key,
};
use docket_domain::{Currency, Money};
use docket_erp::http::HttpSettings;
use docket_erp::sap::{SapAuth, SapErp, SapSettings};
use docket_erp::{BookedQuery, CustomerQuery, Erp, ErpError, SupplierQuery};
use docket_erp_sim::faults::{Fault, Faults};
use docket_erp_sim::sap::{SapConfig, SapSim};
use docket_erp_sim::server::Running;
use rust_decimal_macros::dec;
use serde_json::json;

fn snapshot() -> ErpSnapshot {
    let mut orders = vec![json!({
        "number": "4500000001", "supplier_id": "17300001", "order_date": "2024-03-01", "currency": "EUR",
        "company": "1010",
        "lines": [
            {"line": "10", "item_code": "M-100", "description": "Bolts", "quantity": "100", "unit": "PC",
             "unit_price": "25.00", "price_unit": "100", "tax_rate": "19", "goods_receipt_based": true},
            {"line": "20", "description": "Service", "quantity": "1", "unit": "EA",
             "unit_price": "50.00", "goods_receipt_based": false}
        ]
    })];
    // Enough orders of one supplier to need several pages.
    for n in 0..7 {
        orders.push(json!({
            "number": format!("45000001{n:02}"), "supplier_id": "17300002", "order_date": "2024-02-01",
            "currency": "EUR", "closed": n == 6,
            "lines": [{"line": "10", "description": "Paper", "quantity": "5", "unit": "PAK", "unit_price": "3.10"}]
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
        ],
        "booked_invoices": [
            {"erp_ref": "5105600001", "supplier_id": "17300001", "supplier_reference": "RE-2024-001", "kind": "invoice",
             "document_date": "2024-03-02", "gross": {"amount": "59.50", "currency": "EUR"},
             "lines": [{"purchase_order": "4500000001", "purchase_order_line": "20", "quantity": "1", "amount": "50.00"}]}
        ],
        "customers": [{"id": "10100001", "name": "Kunde GmbH", "vat_id": "DE111222333"}],
        "products": [{"code": "TG11", "description": "Widget", "unit": "PC", "price": {"amount": "9.90", "currency": "EUR"}}]
    }))
    .expect("snapshot")
}

struct Setup {
    sim: SapSim,
    faults: Arc<Faults>,
    running: Running,
    erp: SapErp,
}

fn http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(400),
        attempts: 3,
        backoff: Duration::from_millis(10),
    }
}

fn settings(base_url: String, auth: SapAuth, config: &SapConfig) -> SapSettings {
    SapSettings {
        base_url,
        auth,
        company_code: "1010".into(),
        tax_codes: config.tax_codes.clone(),
        sales_order_type: config.sales_order_type.clone(),
        sales_organization: config.sales_organization.clone(),
        distribution_channel: config.distribution_channel.clone(),
        division: config.division.clone(),
        http: http(),
    }
}

async fn setup(oauth: bool) -> Setup {
    let faults = Faults::new();
    let config = SapConfig {
        page_size: 3,
        ..SapConfig::default()
    };
    let sim = SapSim::new(&snapshot(), config.clone(), faults.clone());
    let running = sim.serve().await.expect("serve");
    let auth = if oauth {
        SapAuth::OAuth2 {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            token_url: format!("{}/sap/bc/sec/oauth2/token", running.base_url()),
        }
    } else {
        SapAuth::Basic {
            user: config.user.clone(),
            password: config.password.clone(),
        }
    };
    let erp = SapErp::new(settings(running.base_url(), auth, &config)).expect("adapter");
    Setup {
        sim,
        faults,
        running,
        erp,
    }
}

fn eur(amount: rust_decimal::Decimal) -> Money {
    Money::new(amount, Currency::parse("EUR").expect("EUR"))
}

fn booking(reference: &str) -> BookingRequest {
    BookingRequest {
        idempotency_key: idempotency_key("17300001", reference, DocumentKind::Invoice),
        supplier_id: "17300001".into(),
        supplier_reference: reference.into(),
        kind: DocumentKind::Invoice,
        document_date: NaiveDate::from_ymd_opt(2024, 3, 10).expect("date"),
        gross: eur(dec!(11.90)),
        company: Some("1010".into()),
        lines: vec![BookedLine {
            purchase_order: "4500000001".into(),
            purchase_order_line: "10".into(),
            quantity: dec!(40),
            amount: dec!(10.00),
            goods_receipt: None,
            account: None,
        }],
    }
}

fn invoices(sim: &SapSim) -> usize {
    sim.records("A_SupplierInvoice").len()
}

#[tokio::test]
async fn suppliers_are_found_by_vat_id_and_iban_with_blocks_and_banks() {
    let s = setup(false).await;
    let found = s
        .erp
        .supplier_candidates(&SupplierQuery {
            vat_ids: vec!["DE123456789".into()],
            ibans: vec!["NL91 ABNA 0417 1643 00".into()],
            ..SupplierQuery::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["17300001", "17300003"]);
    assert_eq!(found[0].ibans, ["DE89370400440532013000"]);
    assert!(found[1].posting_blocked && !found[0].posting_blocked);
}

#[tokio::test]
async fn purchase_orders_receipts_and_paging() {
    let s = setup(false).await;
    let pos = s
        .erp
        .purchase_orders(&["4500000001".into(), "4599999999".into()])
        .await
        .unwrap();
    assert_eq!(pos.len(), 1);
    let line = &pos[0].lines[0];
    assert_eq!(line.line, "00010");
    assert_eq!(
        (line.unit_price, line.price_unit, line.tax_rate),
        (dec!(25), dec!(100), Some(dec!(19)))
    );
    assert!(line.goods_receipt_based && !pos[0].lines[1].goods_receipt_based);
    assert_eq!(pos[0].company.as_deref(), Some("1010"));
    // 7 orders of 17300002 at 3 per page: __next is followed, the closed one left out.
    let open = s.erp.open_purchase_orders("17300002", None).await.unwrap();
    assert_eq!(open.len(), 6);
    let later = NaiveDate::from_ymd_opt(2024, 2, 2);
    assert!(
        s.erp
            .open_purchase_orders("17300002", later)
            .await
            .unwrap()
            .is_empty()
    );
    let receipts = s.erp.goods_receipts(&["4500000001".into()]).await.unwrap();
    let net: rust_decimal::Decimal = receipts.iter().map(|r| r.quantity).sum();
    assert_eq!(net, dec!(50));
    assert_eq!(receipts[0].number, "5000000001");
}

#[tokio::test]
async fn bookings_are_read_by_reference_and_by_order() {
    let s = setup(false).await;
    let by_ref = s
        .erp
        .booked_invoices(&BookedQuery {
            supplier_id: "17300001".into(),
            references: vec!["re-2024-001".into()],
            purchase_orders: vec![],
        })
        .await
        .unwrap();
    assert_eq!(by_ref.len(), 1);
    assert_eq!(by_ref[0].gross.amount, dec!(59.50));
    let by_po = s
        .erp
        .booked_invoices(&BookedQuery {
            supplier_id: "17300001".into(),
            references: vec![],
            purchase_orders: vec!["4500000001".into()],
        })
        .await
        .unwrap();
    assert_eq!(by_po, by_ref);
    let found = s
        .erp
        .find_booking("17300001", "Re-2024-001", DocumentKind::Invoice)
        .await
        .unwrap();
    assert_eq!(found.unwrap().erp_ref, "5105600001");
    let credit = s
        .erp
        .find_booking("17300001", "RE-2024-001", DocumentKind::CreditNote)
        .await
        .unwrap();
    assert!(credit.is_none());
}

#[tokio::test]
async fn an_invoice_is_booked_with_its_goods_receipt_and_found_again() {
    let s = setup(false).await;
    let booked = s.erp.book_invoice(&booking("inv-77")).await.unwrap();
    assert_eq!(booked.erp_ref, "5105600002");
    let items = s.sim.records("A_SuplrInvcItemPurOrdRef");
    let item = items
        .iter()
        .find(|i| i["SupplierInvoice"] == "5105600002")
        .unwrap();
    assert_eq!(item["ReferenceDocument"], "5000000001");
    assert_eq!(item["ReferenceDocumentFiscalYear"], "2024");
    assert_eq!(item["PurchaseOrderItem"], "00010");
    let again = s
        .erp
        .find_booking("17300001", "INV-77", DocumentKind::Invoice)
        .await
        .unwrap()
        .unwrap();
    let key = booking("inv-77").idempotency_key;
    assert_eq!(again.idempotency_key.as_deref(), Some(key.as_str()));
    // Booking it again returns the same record; nothing new is created.
    let twice = s.erp.book_invoice(&booking("inv-77")).await.unwrap();
    assert_eq!(twice.erp_ref, booked.erp_ref);
    assert_eq!(invoices(&s.sim), 2);
}

#[tokio::test]
async fn sap_refusals_arrive_with_sap_s_message() {
    let s = setup(false).await;
    let mut blocked = booking("B-1");
    blocked.supplier_id = "17300003".into();
    blocked.idempotency_key = idempotency_key("17300003", "B-1", DocumentKind::Invoice);
    let e = s.erp.book_invoice(&blocked).await.unwrap_err();
    assert!(
        matches!(&e, ErpError::Permanent(m) if m.contains("is blocked for posting")),
        "{e}"
    );
    let long = s.erp.book_invoice(&booking("12345678901234567")).await;
    assert!(matches!(long, Err(ErpError::Permanent(_))));
    // Someone else's booking under the same reference is a conflict.
    let mut other = booking("RE-2024-001");
    other.idempotency_key = "someone else".into();
    assert!(matches!(
        s.erp.book_invoice(&other).await,
        Err(ErpError::Conflict(_))
    ));
    assert_eq!(invoices(&s.sim), 1);
}

#[tokio::test]
async fn the_simulator_is_strict_about_receipts_csrf_and_filters() {
    let s = setup(false).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let base = format!(
        "{}/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV/",
        s.running.base_url()
    );
    let (user, password) = ("DOCKET_COMM", Some("Welcome1!"));
    let fetch = client
        .head(&base)
        .basic_auth(user, password)
        .header("X-CSRF-Token", "Fetch")
        .send()
        .await
        .unwrap();
    let token = fetch.headers()["x-csrf-token"]
        .to_str()
        .unwrap()
        .to_string();
    let body = json!({
        "CompanyCode": "1010", "DocumentDate": "/Date(1710028800000)/", "PostingDate": "/Date(1710028800000)/",
        "SupplierInvoiceIDByInvcgParty": "X-1", "InvoicingParty": "17300001", "DocumentCurrency": "EUR",
        "InvoiceGrossAmount": "11.90",
        "to_SuplrInvcItemPurOrdRef": {"results": [{"SupplierInvoiceItem": "1", "PurchaseOrder": "4500000001",
            "PurchaseOrderItem": "10", "SupplierInvoiceItemAmount": "10.00", "QuantityInPurchaseOrderUnit": "40"}]}
    });
    let post = |token: &str| {
        client
            .post(format!("{base}A_SupplierInvoice"))
            .basic_auth(user, password)
            .header("X-CSRF-Token", token.to_string())
            .json(&body)
            .send()
    };
    let r = post(&token).await.unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("goods-receipt-based"), "{text}");
    let r = post("wrong").await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["x-csrf-token"], "Required");
    let r = client
        .get(format!(
            "{base}A_SupplierInvoice?$filter=substringof('X',InvoicingParty)"
        ))
        .basic_auth(user, password)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(invoices(&s.sim), 1);
}

#[tokio::test]
async fn customers_and_sales_orders() {
    let s = setup(false).await;
    let found = s
        .erp
        .customer_candidates(&CustomerQuery {
            vat_ids: vec!["DE111222333".into()],
            customer_number: Some("10100001".into()),
            ..CustomerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let products = s.erp.products(&["TG11".into()]).await;
    assert!(matches!(products, Err(ErpError::Permanent(_))));
    let prices = s.erp.customer_prices("10100001", &["TG11".into()]).await;
    assert!(matches!(prices, Err(ErpError::Permanent(_))));
    let none = s.erp.find_sales_order("10100001", "PO-9").await.unwrap();
    assert!(none.is_none());
    let request = SalesOrderRequest {
        idempotency_key: "10100001|PO9".into(),
        customer_id: "10100001".into(),
        customer_reference: "PO-9".into(),
        order_date: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
        requested_delivery: None,
        currency: Currency::parse("EUR").unwrap(),
        lines: vec![SalesOrderLine {
            product_code: "TG11".into(),
            quantity: dec!(3),
            unit: "PC".into(),
            price: None,
        }],
    };
    let created = s.erp.create_sales_order(&request).await.unwrap();
    let found = s
        .erp
        .find_sales_order("10100001", "PO-9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.erp_ref, created.erp_ref);
    assert_eq!(found.lines[0].quantity, dec!(3));
    // After a lost answer the retry finds the order instead of creating another.
    s.faults.arm(Fault::LoseResponse, 1);
    let mut second = request.clone();
    second.customer_reference = "PO-10".into();
    s.erp.create_sales_order(&second).await.unwrap();
    assert_eq!(s.sim.records("A_SalesOrder").len(), 2);
}

#[tokio::test]
async fn a_retry_after_a_lost_response_books_exactly_once() {
    let s = setup(false).await;
    s.faults.arm(Fault::LoseResponse, 1);
    let booked = s.erp.book_invoice(&booking("LOST-1")).await.unwrap();
    assert_eq!(invoices(&s.sim), 2, "one seeded, one booked");
    let matching: Vec<_> = s
        .sim
        .records("A_SupplierInvoice")
        .into_iter()
        .filter(|r| r["SupplierInvoiceIDByInvcgParty"] == "LOST-1")
        .collect();
    assert_eq!(matching.len(), 1);
    assert_eq!(matching[0]["SupplierInvoice"], booked.erp_ref.as_str());
}

#[tokio::test]
async fn transient_faults_are_retried() {
    let s = setup(false).await;
    s.faults.set_latency(Duration::from_millis(50));
    s.faults.arm(Fault::ServerError, 1);
    s.faults.arm(Fault::RateLimited, 1);
    let pos = s.erp.purchase_orders(&["4500000001".into()]).await.unwrap();
    assert_eq!(pos.len(), 1);
    s.faults.set_latency(Duration::ZERO);
    s.faults.arm(Fault::DropConnection, 1);
    let receipts = s.erp.goods_receipts(&["4500000001".into()]).await.unwrap();
    assert_eq!(receipts.len(), 2);
    s.faults.arm(Fault::ServerError, 5);
    let e = s
        .erp
        .purchase_orders(&["4500000001".into()])
        .await
        .unwrap_err();
    assert!(e.is_transient(), "{e}");
}

#[tokio::test]
async fn faults_while_booking_still_book_once() {
    let s = setup(false).await;
    s.faults.arm(Fault::ServerError, 1);
    s.faults.arm(Fault::DropConnection, 1);
    s.erp.book_invoice(&booking("F-1")).await.unwrap();
    s.faults.arm(Fault::ExpireCsrf, 1);
    s.erp.book_invoice(&booking("F-2")).await.unwrap();
    assert_eq!(invoices(&s.sim), 3);
}

#[tokio::test]
async fn oauth_tokens_are_fetched_again_when_they_expire() {
    let s = setup(true).await;
    let pos = s.erp.purchase_orders(&["4500000001".into()]).await.unwrap();
    assert_eq!(pos.len(), 1);
    s.faults.arm(Fault::ExpireToken, 1);
    let pos = s.erp.purchase_orders(&["4500000001".into()]).await.unwrap();
    assert_eq!(pos.len(), 1);
    s.faults.arm(Fault::ExpireToken, 1);
    s.faults.arm(Fault::ExpireCsrf, 1);
    s.erp.book_invoice(&booking("OA-1")).await.unwrap();
    assert_eq!(invoices(&s.sim), 2);
}

#[tokio::test]
async fn wrong_credentials_are_a_permanent_failure() {
    let config = SapConfig::default();
    let sim = SapSim::new(&snapshot(), config.clone(), Faults::new());
    let running = sim.serve().await.unwrap();
    let auth = SapAuth::Basic {
        user: config.user.clone(),
        password: "wrong".into(),
    };
    let erp = SapErp::new(settings(running.base_url(), auth, &config)).unwrap();
    let e = erp
        .purchase_orders(&["4500000001".into()])
        .await
        .unwrap_err();
    assert!(matches!(e, ErpError::Permanent(m) if m.contains("401")));
}
