//! The master-data cache end to end over the sandbox ERP: a first sync
//! copies everything, a second changes nothing, a goods receipt recorded in
//! the ERP arrives with the next one; and [`CachedErp`] answers matching's
//! questions as the ERP itself does for every fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use docket_erp::sandbox::SandboxErp;
use docket_erp::{Erp, SupplierQuery};
use docket_pipeline::erp_cache::{CachedErp, Counts, sync};
use docket_store::Store;
use docket_store::sqlite::SqliteStore;
use rust_decimal::Decimal;

fn seed() -> docket_domain::erp::ErpSnapshot {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/erp"));
    SandboxErp::seed_from_dir(dir).unwrap()
}

fn quiet(_: &str) {}

#[tokio::test]
async fn a_sync_copies_the_sandbox_and_the_next_brings_only_what_changed() {
    let data = seed();
    let open: Vec<_> = data
        .purchase_orders
        .iter()
        .filter(|po| !po.closed)
        .collect();
    let sandbox = SandboxErp::in_memory(data.clone());
    let store = SqliteStore::in_memory().await.unwrap();

    let first = sync(&sandbox, &store, false, &mut quiet).await.unwrap();
    assert!(first.full, "no watermark yet: everything");
    assert_eq!(first.suppliers.added, data.suppliers.len() as u64);
    assert_eq!(first.purchase_orders.added, open.len() as u64);
    assert!(first.goods_receipts.added > 0);

    let second = sync(&sandbox, &store, false, &mut quiet).await.unwrap();
    assert!(!second.full);
    assert_eq!(second.suppliers, Counts::default(), "nothing changed");
    assert_eq!(second.purchase_orders, Counts::default());
    assert_eq!(second.goods_receipts, Counts::default());

    let po = open[0];
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    sandbox
        .receive_goods(&po.number, &po.lines[0].line, Decimal::ONE, date)
        .await
        .unwrap();
    let third = sync(&sandbox, &store, false, &mut quiet).await.unwrap();
    assert_eq!(
        third.goods_receipts,
        Counts {
            added: 1,
            ..Counts::default()
        }
    );
    assert_eq!(third.purchase_orders, Counts::default());
}

#[tokio::test]
async fn the_cached_erp_answers_like_the_sandbox_for_every_fixture() {
    let data = seed();
    let sandbox: Arc<dyn Erp> = Arc::new(SandboxErp::in_memory(data.clone()));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().await.unwrap());
    let cached = CachedErp::new(sandbox.clone(), store.clone());
    // Before a sync, the cache answers nothing of its own.
    let numbers: Vec<String> = data
        .purchase_orders
        .iter()
        .map(|po| po.number.clone())
        .collect();
    assert_eq!(
        cached.purchase_orders(&numbers).await.unwrap(),
        sandbox.purchase_orders(&numbers).await.unwrap()
    );
    sync(sandbox.as_ref(), store.as_ref(), true, &mut quiet)
        .await
        .unwrap();

    let sorted = |mut list: Vec<docket_domain::erp::PurchaseOrder>| {
        list.sort_by(|a, b| a.number.cmp(&b.number));
        list
    };
    // Closed orders are not cached: the ERP is asked for them.
    assert_eq!(
        sorted(cached.purchase_orders(&numbers).await.unwrap()),
        sorted(sandbox.purchase_orders(&numbers).await.unwrap())
    );
    let receipts = |mut list: Vec<docket_domain::erp::GoodsReceipt>| {
        list.sort_by(|a, b| (&a.number, &a.item).cmp(&(&b.number, &b.item)));
        list
    };
    assert_eq!(
        receipts(cached.goods_receipts(&numbers).await.unwrap()),
        receipts(sandbox.goods_receipts(&numbers).await.unwrap())
    );
    for supplier in &data.suppliers {
        let query = SupplierQuery {
            vat_ids: supplier.vat_id.iter().cloned().collect(),
            ibans: supplier.ibans.clone(),
            name: Some(supplier.name.clone()),
            email_domain: supplier.email_domains.first().cloned(),
        };
        let ids = |list: Vec<docket_domain::erp::Supplier>| {
            let mut ids: Vec<String> = list.into_iter().map(|s| s.id).collect();
            ids.sort();
            ids
        };
        assert_eq!(
            ids(cached.supplier_candidates(&query).await.unwrap()),
            ids(sandbox.supplier_candidates(&query).await.unwrap()),
            "{}",
            supplier.id
        );
        let since = chrono::NaiveDate::from_ymd_opt(2020, 1, 1);
        for since in [None, since] {
            assert_eq!(
                sorted(
                    cached
                        .open_purchase_orders(&supplier.id, since)
                        .await
                        .unwrap()
                ),
                sorted(
                    sandbox
                        .open_purchase_orders(&supplier.id, since)
                        .await
                        .unwrap()
                ),
                "{}",
                supplier.id
            );
        }
    }
}

/// `docket erp sync` over a real adapter: the Odoo adapter against its
/// simulator seeded from the fixtures (JSON-2, Odoo 19). A full sync copies
/// the suppliers and open orders; after one supplier's bank account changes
/// in Odoo, the incremental sync updates that supplier and nothing else.
#[tokio::test]
async fn an_incremental_sync_over_odoo_brings_only_the_changed_supplier() {
    use docket_erp::http::HttpSettings;
    use docket_erp::odoo::{OdooErp, OdooSettings, Protocol};
    use docket_erp_sim::faults::Faults;
    use docket_erp_sim::odoo::{OdooConfig, OdooSim};
    use serde_json::json;

    let data = seed();
    let (running, sim) = OdooSim::serve(&data, OdooConfig::default(), Faults::new())
        .await
        .unwrap();
    let c = sim.config();
    let odoo = OdooErp::new(OdooSettings {
        base_url: running.base_url(),
        database: c.database.clone(),
        login: c.login.clone(),
        api_key: c.api_key.clone(),
        protocol: Protocol::Auto,
        http: HttpSettings {
            timeout: std::time::Duration::from_secs(5),
            attempts: 2,
            backoff: std::time::Duration::from_millis(10),
        },
    })
    .unwrap();
    let store = SqliteStore::in_memory().await.unwrap();

    let first = sync(&odoo, &store, false, &mut quiet).await.unwrap();
    assert!(first.full);
    assert_eq!(first.suppliers.added, data.suppliers.len() as u64);
    // Odoo counts a fully invoiced order as no longer open (invoice_status
    // "invoiced"), where the sandbox's fixtures only know `closed`.
    let open = odoo.master_data(None).await.unwrap().purchase_orders.len();
    assert!(open > 0);
    assert_eq!(first.purchase_orders.added, open as u64);

    let second = sync(&odoo, &store, false, &mut quiet).await.unwrap();
    assert!(!second.full);
    assert_eq!(second.suppliers, Counts::default(), "nothing changed");

    let supplier = &data.suppliers[0];
    let partner: i64 = supplier.id.parse().unwrap();
    let banks = sim.search_read(
        "res.partner.bank",
        json!([["partner_id", "=", partner]]),
        &["id"],
    );
    let bank = banks[0]["id"].as_i64().unwrap();
    let vals = json!({"vals": {"acc_number": "NL02 ABNA 0123 4567 89",
        "sanitized_acc_number": "NL02ABNA0123456789"}});
    sim.call("res.partner.bank", "write", &[bank], vals)
        .unwrap();

    let third = sync(&odoo, &store, false, &mut quiet).await.unwrap();
    assert_eq!(
        third.suppliers,
        Counts {
            updated: 1,
            ..Counts::default()
        },
        "only the supplier whose bank account changed"
    );
    let cached = CachedErp::new(Arc::new(odoo), Arc::new(store));
    let found = cached
        .supplier_candidates(&SupplierQuery {
            ibans: vec!["NL02ABNA0123456789".into()],
            ..SupplierQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, supplier.id);
    drop(running);
}
