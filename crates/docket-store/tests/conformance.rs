//! The Store conformance suite: every adapter must pass these.
//!
//! Written against the port only, so the PostgreSQL adapter runs the same cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use docket_domain::{DocumentState, Money, Reason, ReasonCode, Stage, WorkMessage};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use docket_store::postgres::PgStore;
use docket_store::sqlite::SqliteStore;
use docket_store::{
    DocumentId, IngestOutcome, LedgerState, LedgerUpdate, NewDocument, Patch, Store, Transition,
};
use sqlx::postgres::PgConnectOptions;

fn new_doc(name: &str, bytes: &[u8]) -> NewDocument {
    NewDocument {
        parent_id: None,
        source: "test".into(),
        file_name: name.into(),
        part_name: None,
        media_type: "application/pdf".into(),
        sender: None,
        bytes: bytes.to_vec(),
    }
}

fn to(state: DocumentState, from: &[DocumentState], enqueue: Option<Stage>) -> Transition {
    Transition {
        from: from.to_vec(),
        to: state,
        patch: Patch::default(),
        enqueue,
        actor: "test".into(),
        detail: "test".into(),
    }
}

/// The stores under test: SQLite in memory and on disk, and PostgreSQL in a
/// schema of its own (dropped by [`Stores::done`]).
struct Stores {
    list: Vec<(&'static str, Arc<dyn Store>)>,
    pg: (sqlx::PgPool, String),
}

impl Stores {
    fn iter(&self) -> impl Iterator<Item = (&'static str, &dyn Store)> {
        self.list
            .iter()
            .map(|(name, store)| (*name, store.as_ref()))
    }

    async fn done(self) {
        let (admin, schema) = self.pg;
        drop(self.list);
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
    }
}

/// PostgreSQL for tests: `DOCKET_TEST_POSTGRES_URL`, else the local server.
fn postgres_url() -> String {
    std::env::var("DOCKET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

async fn stores() -> Stores {
    let dir = tempfile::tempdir().unwrap().keep();
    let url = postgres_url();
    let admin = sqlx::PgPool::connect(&url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {url} is needed for the store tests (scripts/test starts it): {e}")
    });
    let schema = format!("docket_test_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let pg = PgStore::connect(options, 4).await.unwrap();
    pg.migrate().await.unwrap();
    Stores {
        list: vec![
            (
                "sqlite-memory",
                Arc::new(SqliteStore::in_memory().await.unwrap()) as Arc<dyn Store>,
            ),
            (
                "sqlite-file",
                Arc::new(SqliteStore::open(&dir.join("docket.db")).await.unwrap()),
            ),
            ("postgres", Arc::new(pg)),
        ],
        pg: (admin, schema),
    }
}

/// The PostgreSQL schema as issue 3 asks: money as NUMERIC, timestamps with
/// time zone, and the pipeline's JSON compressed with lz4 where the server has
/// it (a change of column type once reset it to pglz unnoticed).
#[tokio::test]
async fn postgres_columns_have_the_types_and_compression_meant() {
    let set = stores().await;
    let (admin, schema) = &set.pg;
    let column = |table: &'static str, column: &'static str| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT format_type(a.atttypid, a.atttypmod), a.attcompression::text \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3",
        )
        .bind(schema.as_str())
        .bind(table)
        .bind(column)
        .fetch_one(admin)
    };
    assert!(
        column("documents", "gross_amount")
            .await
            .unwrap()
            .0
            .starts_with("numeric")
    );
    assert_eq!(
        column("documents", "received_at").await.unwrap().0,
        "timestamp with time zone"
    );
    let lz4 = sqlx::query("SET LOCAL default_toast_compression = lz4")
        .execute(admin)
        .await
        .is_ok();
    for name in ["extracted_json", "match_json"] {
        let (kind, compression) = column("documents", name).await.unwrap();
        assert_eq!(kind, "json", "{name}");
        if lz4 {
            assert_eq!(compression, "l", "{name} is compressed with lz4");
        } else {
            eprintln!("NOTE: this PostgreSQL has no lz4; {name} keeps pglz");
        }
    }
    set.done().await;
}

#[tokio::test]
async fn ingest_stores_bytes_and_queues_extraction() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let outcome = store.ingest(new_doc("a.pdf", b"%PDF-1.4 a")).await.unwrap();
        let IngestOutcome::New(id) = outcome else {
            panic!("{name}: first ingest must be new")
        };
        assert_eq!(store.bytes(&id).await.unwrap(), b"%PDF-1.4 a", "{name}");
        let record = store.document(&id).await.unwrap();
        assert_eq!(record.state, DocumentState::Received, "{name}");
        assert_eq!(record.sha256.len(), 64, "{name}");
        let outbox = store.pending_outbox(10).await.unwrap();
        assert_eq!(outbox.len(), 1, "{name}");
        assert_eq!(outbox[0].message.stage, Stage::Extract, "{name}");
        assert_eq!(outbox[0].message.document_id, id.0, "{name}");
        store.mark_sent(&[outbox[0].id]).await.unwrap();
        assert!(store.pending_outbox(10).await.unwrap().is_empty(), "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn same_bytes_twice_is_recorded_as_duplicate_not_dropped() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let first = store.ingest(new_doc("a.pdf", b"same")).await.unwrap();
        let second = store.ingest(new_doc("b.pdf", b"same")).await.unwrap();
        match &second {
            IngestOutcome::SameFile { earlier, id } => {
                assert_eq!(earlier, first.id(), "{name}");
                let record = store.document(id).await.unwrap();
                assert_eq!(record.state, DocumentState::Duplicate, "{name}");
                assert_eq!(record.reasons[0].code, ReasonCode::Duplicate, "{name}");
            }
            other => panic!("{name}: expected SameFile, got {other:?}"),
        }
        // Only the first is queued.
        assert_eq!(store.pending_outbox(10).await.unwrap().len(), 1, "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn a_quarantined_file_dropped_again_is_tried_again() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let first = store.ingest(new_doc("a.pdf", b"broken")).await.unwrap();
        let moved = store
            .transition(
                first.id(),
                to(DocumentState::Quarantined, &[DocumentState::Received], None),
            )
            .await
            .unwrap();
        assert!(moved, "{name}");
        let again = store.ingest(new_doc("a.pdf", b"broken")).await.unwrap();
        assert!(matches!(again, IngestOutcome::New(_)), "{name}: {again:?}");
    }
    set.done().await;
}

#[tokio::test]
async fn transitions_are_guarded_by_the_expected_state() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let id = store
            .ingest(new_doc("a.pdf", b"x"))
            .await
            .unwrap()
            .id()
            .clone();
        let mut t = to(
            DocumentState::Extracted,
            &[DocumentState::Received],
            Some(Stage::Match),
        );
        t.patch = Patch {
            number: Some("INV-1".into()),
            gross: Some(Money::new(
                "119.00".parse().unwrap(),
                docket_domain::Currency::EUR,
            )),
            reasons: Some(vec![Reason::new(ReasonCode::MissingField, "why")]),
            ..Patch::default()
        };
        assert!(store.transition(&id, t.clone()).await.unwrap(), "{name}");
        // The same message again changes nothing.
        assert!(!store.transition(&id, t).await.unwrap(), "{name}");
        let record = store.document(&id).await.unwrap();
        assert_eq!(record.state, DocumentState::Extracted, "{name}");
        assert_eq!(record.number.as_deref(), Some("INV-1"), "{name}");
        assert_eq!(record.gross.unwrap().amount.to_string(), "119.00", "{name}");
        assert_eq!(record.reasons.len(), 1, "{name}");
        let stages: Vec<Stage> = store
            .pending_outbox(10)
            .await
            .unwrap()
            .iter()
            .map(|e| e.message.stage)
            .collect();
        assert_eq!(stages, vec![Stage::Extract, Stage::Match], "{name}");
        let events = store.events(&id).await.unwrap();
        assert_eq!(events.len(), 2, "{name}");
        assert_eq!(events[1].from_state.as_deref(), Some("received"), "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn split_creates_parts_and_retires_the_container() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let mail = store
            .ingest(new_doc("m.eml", b"mail"))
            .await
            .unwrap()
            .id()
            .clone();
        let parts = vec![new_doc("m.eml", b"part one"), new_doc("m.eml", b"part two")];
        let left_out = ["logo.png (image/png) is not a PDF or XML document".to_string()];
        let ids = store.split(&mail, parts, &left_out).await.unwrap();
        assert_eq!(ids.len(), 2, "{name}");
        // What did not become a document is in the container's history.
        let events = store.events(&mail).await.unwrap();
        let detail = events.last().and_then(|e| e.detail.clone());
        let detail = detail.unwrap_or_else(|| panic!("{name}: the split is not in the history"));
        assert!(
            detail.contains("split into 2") && detail.contains("logo.png"),
            "{name}: {detail}"
        );
        assert_eq!(
            store.document(&mail).await.unwrap().state,
            DocumentState::Split
        );
        let children = store.children(&mail).await.unwrap();
        assert_eq!(children.len(), 2, "{name}");
        assert!(children.iter().all(|c| c.parent_id.as_ref() == Some(&mail)));
        // A second split of the same container is refused.
        assert!(store.split(&mail, vec![], &[]).await.is_err(), "{name}");
        let summaries = store
            .summaries(Some(std::slice::from_ref(&mail)))
            .await
            .unwrap();
        assert_eq!(summaries.len(), 3, "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn a_business_key_has_one_owner() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let a = store
            .ingest(new_doc("a.pdf", b"a"))
            .await
            .unwrap()
            .id()
            .clone();
        let b = store
            .ingest(new_doc("b.pdf", b"b"))
            .await
            .unwrap()
            .id()
            .clone();
        assert_eq!(
            store.claim_key("S|INV1|invoice", &a).await.unwrap(),
            a,
            "{name}"
        );
        assert_eq!(
            store.claim_key("S|INV1|invoice", &b).await.unwrap(),
            a,
            "{name}"
        );
        assert_eq!(
            store.claim_key("S|INV1|invoice", &a).await.unwrap(),
            a,
            "{name}"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn only_the_owner_of_a_business_key_moves_with_its_claim() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let a = store
            .ingest(new_doc("a.pdf", b"a"))
            .await
            .unwrap()
            .id()
            .clone();
        let b = store
            .ingest(new_doc("b.pdf", b"b"))
            .await
            .unwrap()
            .id()
            .clone();
        // (owner, moved) after a claim of `key` by `id`, moving it from received.
        let claim = async |key: &str, id: &DocumentId| {
            let t = to(
                DocumentState::Extracted,
                &[DocumentState::Received],
                Some(Stage::Match),
            );
            let claimed = store.claim_and_transition(key, id, t).await.unwrap();
            (claimed.owner, claimed.moved)
        };
        assert_eq!(
            claim("S|INV9|invoice", &a).await,
            (a.clone(), true),
            "{name}"
        );
        assert_eq!(
            claim("S|INV9|invoice", &b).await,
            (a.clone(), false),
            "{name}"
        );
        assert_eq!(
            store.document(&b).await.unwrap().state,
            DocumentState::Received,
            "{name}"
        );
        // The owner again, from a state the transition does not expect: it
        // keeps the key and does not move.
        assert_eq!(
            claim("S|INV9|invoice", &a).await,
            (a.clone(), false),
            "{name}"
        );
        // A key nobody holds is free for the second document.
        assert_eq!(
            claim("S|INV10|invoice", &b).await,
            (b.clone(), true),
            "{name}"
        );
        let matches = store
            .pending_outbox(100)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.message.stage == Stage::Match)
            .count();
        assert_eq!(matches, 2, "{name}: one message per document that moved");
    }
    set.done().await;
}

#[tokio::test]
async fn racing_claimants_of_one_key_move_exactly_one_document() {
    let set = stores().await;
    for (name, shared) in &set.list {
        let mut claimants = Vec::new();
        for n in 0..12u8 {
            let doc = new_doc("c.pdf", &[b'c', n]);
            claimants.push(shared.ingest(doc).await.unwrap().id().clone());
        }
        let mut tasks = tokio::task::JoinSet::new();
        for claimant in claimants {
            let store = shared.clone();
            tasks.spawn(async move {
                let t = to(DocumentState::Extracted, &[DocumentState::Received], None);
                store
                    .claim_and_transition("S|RACE2|invoice", &claimant, t)
                    .await
                    .unwrap()
            });
        }
        let (mut moved, mut owners) = (0, std::collections::BTreeSet::new());
        while let Some(result) = tasks.join_next().await {
            let claimed = result.unwrap();
            moved += usize::from(claimed.moved);
            owners.insert(claimed.owner);
        }
        assert_eq!(moved, 1, "{name}: only the owner moves");
        assert_eq!(
            owners.len(),
            1,
            "{name}: every claimant is told the one owner, got {owners:?}"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn the_posting_ledger_counts_attempts_and_keeps_the_reference() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let a = store
            .ingest(new_doc("a.pdf", b"a"))
            .await
            .unwrap()
            .id()
            .clone();
        let first = store.ledger_begin("K", &a).await.unwrap();
        assert_eq!(
            (first.state, first.attempts),
            (LedgerState::Pending, 1),
            "{name}"
        );
        let second = store.ledger_begin("K", &a).await.unwrap();
        assert_eq!(second.attempts, 2, "{name}");
        // Another document asking for the same key learns who owns it.
        let other = store.ledger_begin("K", &DocumentId::new()).await.unwrap();
        assert_eq!(other.document_id, a, "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn a_transition_settles_its_posting_ledger_entry_with_it() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let id = store
            .ingest(new_doc("a.pdf", b"x"))
            .await
            .unwrap()
            .id()
            .clone();
        store.ledger_begin("K", &id).await.unwrap();
        let mut t = to(DocumentState::Booked, &[DocumentState::Received], None);
        t.patch.ledger = Some(LedgerUpdate {
            key: "K".into(),
            state: LedgerState::Posted,
            erp_ref: Some("5105600001".into()),
            error: None,
        });
        assert!(store.transition(&id, t).await.unwrap(), "{name}");
        // Asked again (a retry), the ledger answers with the booking.
        let entry = store.ledger_begin("K", &DocumentId::new()).await.unwrap();
        assert_eq!(
            (entry.state, entry.erp_ref.as_deref(), entry.attempts),
            (LedgerState::Posted, Some("5105600001"), 1),
            "{name}: recorded with the state change, not counted as a new attempt"
        );
        assert_eq!(entry.document_id, id, "{name}");
        assert_eq!(
            store.document(&id).await.unwrap().state,
            DocumentState::Booked,
            "{name}"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn unsettled_lists_documents_a_stage_still_owes_work() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let a = store
            .ingest(new_doc("a.pdf", b"a"))
            .await
            .unwrap()
            .id()
            .clone();
        let b = store
            .ingest(new_doc("b.pdf", b"b"))
            .await
            .unwrap()
            .id()
            .clone();
        store
            .transition(
                &b,
                to(DocumentState::Quarantined, &[DocumentState::Received], None),
            )
            .await
            .unwrap();
        let unsettled = store.unsettled().await.unwrap();
        assert_eq!(
            unsettled,
            vec![(a.clone(), DocumentState::Received)],
            "{name}"
        );
        store
            .enqueue(WorkMessage {
                document_id: a.0.clone(),
                stage: Stage::Extract,
                attempt: 2,
            })
            .await
            .unwrap();
        let outbox = store.pending_outbox(10).await.unwrap();
        assert_eq!(outbox.last().unwrap().message.attempt, 2, "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn the_file_store_keeps_data_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docket.db");
    let id = {
        let store = SqliteStore::open(&path).await.unwrap();
        store
            .ingest(new_doc("a.pdf", b"kept"))
            .await
            .unwrap()
            .id()
            .clone()
    };
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.bytes(&id).await.unwrap(), b"kept");
}

#[tokio::test]
async fn racing_workers_have_exactly_one_winner() {
    let set = stores().await;
    for (name, shared) in &set.list {
        let id = shared
            .ingest(new_doc("a.pdf", b"race"))
            .await
            .unwrap()
            .id()
            .clone();
        let mut claimants = Vec::new();
        for worker in 0..16u8 {
            let doc = new_doc("b.pdf", &[b'w', worker]);
            claimants.push(shared.ingest(doc).await.unwrap().id().clone());
        }
        let mut tasks = tokio::task::JoinSet::new();
        for claimant in claimants {
            let (store, id) = (shared.clone(), id.clone());
            tasks.spawn(async move {
                let t = to(
                    DocumentState::Extracted,
                    &[DocumentState::Received],
                    Some(Stage::Match),
                );
                let moved = store.transition(&id, t).await.unwrap();
                let owner = store.claim_key("S|RACE|invoice", &claimant).await.unwrap();
                (moved, owner)
            });
        }
        let mut moved = 0;
        let mut owners = std::collections::BTreeSet::new();
        while let Some(result) = tasks.join_next().await {
            let (m, owner) = result.unwrap();
            moved += usize::from(m);
            owners.insert(owner);
        }
        assert_eq!(moved, 1, "{name}: exactly one transition wins");
        assert_eq!(
            owners.len(),
            1,
            "{name}: one owner of a key, got {owners:?}"
        );
        let matches = shared
            .pending_outbox(100)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.message.stage == Stage::Match)
            .count();
        assert_eq!(matches, 1, "{name}: one message for the one change");
    }
    set.done().await;
}

#[tokio::test]
async fn a_lease_is_exclusive_until_it_ends_expires_or_is_released() {
    let set = stores().await;
    let long = Duration::from_secs(60);
    let received = [DocumentState::Received];
    for (name, store) in set.iter() {
        let id = store
            .ingest(new_doc("a.pdf", b"lease"))
            .await
            .unwrap()
            .id()
            .clone();
        let leased = store.lease(&id, &received, "A", long).await.unwrap();
        // The lease hands the worker the document as it stands.
        let leased = leased.unwrap_or_else(|| panic!("{name}: A takes the lease"));
        assert_eq!(
            (&leased.id, leased.state),
            (&id, DocumentState::Received),
            "{name}"
        );
        assert!(
            store
                .lease(&id, &received, "B", long)
                .await
                .unwrap()
                .is_none(),
            "{name}: B must wait"
        );
        assert!(
            store
                .lease(&id, &received, "A", long)
                .await
                .unwrap()
                .is_some(),
            "{name}: A renews"
        );
        assert!(
            store.stalled(Duration::ZERO).await.unwrap().is_empty(),
            "{name}: live lease"
        );
        store.release(&id, "B").await.unwrap();
        assert!(
            store
                .lease(&id, &received, "B", long)
                .await
                .unwrap()
                .is_none(),
            "{name}: only A releases"
        );
        store.release(&id, "A").await.unwrap();
        // The stage that reads the bytes gets them with the lease.
        let (leased, bytes) = store
            .lease_with_bytes(&id, &received, "B", long)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{name}: released"));
        assert_eq!(
            (&leased.id, bytes.as_slice()),
            (&id, &b"lease"[..]),
            "{name}"
        );
        assert!(
            store
                .lease_with_bytes(&id, &received, "A", long)
                .await
                .unwrap()
                .is_none(),
            "{name}: A must wait now"
        );

        // A transition ends the lease; a stage for another state cannot take it.
        let t = to(DocumentState::Extracted, &received, None);
        assert!(store.transition(&id, t).await.unwrap(), "{name}");
        assert!(
            store
                .lease(&id, &received, "C", long)
                .await
                .unwrap()
                .is_none(),
            "{name}: state moved on"
        );
        let extracted = [DocumentState::Extracted];
        assert!(
            store
                .lease(&id, &extracted, "C", long)
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );

        // An expired lease is free again and the document shows as stalled.
        let other = store
            .ingest(new_doc("b.pdf", b"expiring"))
            .await
            .unwrap()
            .id()
            .clone();
        let short = Duration::from_millis(30);
        assert!(
            store
                .lease(&other, &received, "D", short)
                .await
                .unwrap()
                .is_some(),
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        let stalled: Vec<DocumentId> = store
            .stalled(Duration::from_secs(3600))
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            stalled,
            vec![other.clone()],
            "{name}: only the expired lease is stalled"
        );
        assert!(
            store
                .lease(&other, &received, "E", long)
                .await
                .unwrap()
                .is_some(),
            "{name}: expired"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn unleased_work_idle_too_long_counts_as_stalled() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let id = store
            .ingest(new_doc("a.pdf", b"idle"))
            .await
            .unwrap()
            .id()
            .clone();
        assert!(
            store
                .stalled(Duration::from_secs(3600))
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        let stalled = store.stalled(Duration::from_millis(10)).await.unwrap();
        assert_eq!(stalled, vec![(id, DocumentState::Received)], "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn status_counts_states_and_unsent_messages() {
    let set = stores().await;
    for (name, store) in set.iter() {
        assert_eq!(store.status().await.unwrap().documents.len(), 0, "{name}");
        let a = store
            .ingest(new_doc("a.pdf", b"a"))
            .await
            .unwrap()
            .id()
            .clone();
        store.ingest(new_doc("b.pdf", b"b")).await.unwrap();
        let t = to(DocumentState::Quarantined, &[DocumentState::Received], None);
        store.transition(&a, t).await.unwrap();
        let status = store.status().await.unwrap();
        assert_eq!(status.documents.get("received"), Some(&1), "{name}");
        assert_eq!(status.documents.get("quarantined"), Some(&1), "{name}");
        assert_eq!(status.outbox_unsent, 2, "{name}");
        assert!(status.oldest_unfinished.is_some(), "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn claimed_outbox_messages_go_to_one_relay_until_the_claim_runs_out() {
    let set = stores().await;
    for (name, store) in set.iter() {
        store.ingest(new_doc("a.pdf", b"a")).await.unwrap();
        store.ingest(new_doc("b.pdf", b"b")).await.unwrap();
        let first = store
            .claim_outbox(10, Duration::from_millis(80))
            .await
            .unwrap();
        assert_eq!(first.len(), 2, "{name}");
        assert!(first[0].id < first[1].id, "{name}: oldest first");
        assert!(
            store
                .claim_outbox(10, Duration::from_secs(60))
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        assert_eq!(
            store.pending_outbox(10).await.unwrap().len(),
            2,
            "{name}: a look sees them"
        );
        store.mark_sent(&[first[0].id]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        let again = store
            .claim_outbox(10, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(
            again.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![first[1].id],
            "{name}"
        );
    }
    set.done().await;
}

#[path = "conformance/mailbox.rs"]
mod mailbox;

#[path = "conformance/llm.rs"]
mod llm;

#[path = "conformance/waiting.rs"]
mod waiting;

#[path = "conformance/erp_cache.rs"]
mod erp_cache;
