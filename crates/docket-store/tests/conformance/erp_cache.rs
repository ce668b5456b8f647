//! Conformance of the ERP master-data cache ([`docket_store::ErpCacheStore`]):
//! upserts that tell new from changed from the same, removal, lookups by id
//! and by parent, and the sync watermark, on every adapter.

use chrono::{DateTime, Utc};
use docket_store::{CacheEntry, CacheKind, SyncMark, Upserted};

use super::stores;

fn entry(kind: CacheKind, id: &str, parent: Option<&str>, body: &str) -> CacheEntry {
    CacheEntry {
        kind,
        id: id.into(),
        parent: parent.map(str::to_string),
        body: body.into(),
    }
}

fn ids(entries: &[CacheEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_cache_upserts_removes_and_looks_records_up_per_erp() {
    let set = stores().await;
    let po = CacheKind::PurchaseOrder;
    for (name, store) in set.iter() {
        let first = [
            entry(CacheKind::Supplier, "S1", None, r#"{"id":"S1"}"#),
            entry(po, "4500000001", Some("S1"), r#"{"n":1}"#),
            entry(po, "4500000002", Some("S2"), r#"{"n":2}"#),
        ];
        assert_eq!(
            store.erp_cache_upsert("sap", &first).await.unwrap(),
            vec![Upserted::Added; 3],
            "{name}"
        );
        let again = [
            entry(po, "4500000001", Some("S1"), r#"{"n":1}"#),
            entry(po, "4500000002", Some("S1"), r#"{"n":2,"changed":true}"#),
        ];
        assert_eq!(
            store.erp_cache_upsert("sap", &again).await.unwrap(),
            vec![Upserted::Unchanged, Upserted::Updated],
            "{name}: the same body is no update"
        );
        let of_s1 = store
            .erp_cache_children("sap", po, &strings(&["S1"]))
            .await
            .unwrap();
        assert_eq!(
            ids(&of_s1),
            ["4500000001", "4500000002"],
            "{name}: moved to S1"
        );
        assert_eq!(of_s1[1].body, r#"{"n":2,"changed":true}"#, "{name}");
        let got = store
            .erp_cache_get("sap", po, &strings(&["4500000002", "nope"]))
            .await
            .unwrap();
        assert_eq!(ids(&got), ["4500000002"], "{name}: unknown ids are absent");
        assert!(
            store.erp_cache_all("odoo", po).await.unwrap().is_empty(),
            "{name}: one cache per ERP kind"
        );
        assert_eq!(
            store
                .erp_cache_remove("sap", po, &strings(&["4500000001", "nope"]))
                .await
                .unwrap(),
            1,
            "{name}"
        );
        assert_eq!(
            store.erp_cache_ids("sap", po).await.unwrap(),
            ["4500000002"],
            "{name}"
        );
        assert_eq!(
            ids(&store
                .erp_cache_all("sap", CacheKind::Supplier)
                .await
                .unwrap()),
            ["S1"],
            "{name}: kinds are apart"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn the_sync_mark_starts_absent_and_keeps_the_last_write() {
    let set = stores().await;
    // Whole microseconds: both adapters keep that precision.
    let at = |s: i64| DateTime::<Utc>::from_timestamp_micros(1_750_000_000_000_000 + s).unwrap();
    for (name, store) in set.iter() {
        assert_eq!(store.erp_sync_mark("exact").await.unwrap(), None, "{name}");
        let mark = SyncMark {
            watermark: at(1),
            synced_at: at(2),
        };
        store.set_erp_sync_mark("exact", &mark).await.unwrap();
        let later = SyncMark {
            watermark: at(3),
            synced_at: at(4),
        };
        store.set_erp_sync_mark("exact", &later).await.unwrap();
        assert_eq!(
            store.erp_sync_mark("exact").await.unwrap(),
            Some(later),
            "{name}"
        );
        assert_eq!(store.erp_sync_mark("sap").await.unwrap(), None, "{name}");
    }
    set.done().await;
}
