//! Conformance of the look-ups and the re-queue behind the re-check of
//! waiting documents (`Store::documents_in`, `Store::enqueue_in_state`).

use std::time::Duration;

use docket_domain::{DocumentState, Stage};

use super::{new_doc, stores, to};

#[tokio::test]
async fn waiting_documents_are_queued_again_unless_a_message_no_relay_took_is_there() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let mut waiting = Vec::new();
        for n in 0..3u8 {
            let id = store
                .ingest(new_doc("w.pdf", &[b'w', n]))
                .await
                .unwrap()
                .id()
                .clone();
            waiting.push(id);
        }
        let extracted = store
            .ingest(new_doc("e.pdf", b"e"))
            .await
            .unwrap()
            .id()
            .clone();
        for id in &waiting {
            let t = to(DocumentState::Waiting, &[DocumentState::Received], None);
            assert!(store.transition(id, t).await.unwrap(), "{name}");
        }
        let t = to(DocumentState::Extracted, &[DocumentState::Received], None);
        assert!(store.transition(&extracted, t).await.unwrap(), "{name}");
        // Ingest queued extraction for each: sent, as the relay would.
        let sent: Vec<i64> = store
            .pending_outbox(100)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        store.mark_sent(&sent).await.unwrap();

        let found = store.documents_in(&[DocumentState::Waiting]).await.unwrap();
        let expected: Vec<_> = waiting
            .iter()
            .map(|id| (id.clone(), DocumentState::Waiting))
            .collect();
        assert_eq!(found, expected, "{name}: oldest first");
        let both = [DocumentState::Extracted, DocumentState::Waiting];
        assert_eq!(store.documents_in(&both).await.unwrap().len(), 4, "{name}");
        assert!(store.documents_in(&[]).await.unwrap().is_empty(), "{name}");

        let queued = store
            .enqueue_in_state(DocumentState::Waiting, Stage::Match)
            .await
            .unwrap();
        assert_eq!(queued, 3, "{name}");
        let outbox = store.pending_outbox(100).await.unwrap();
        let mut to_match: Vec<String> = outbox
            .iter()
            .filter(|e| e.message.stage == Stage::Match && e.message.attempt == 0)
            .map(|e| e.message.document_id.clone())
            .collect();
        to_match.sort();
        let ids: Vec<String> = waiting.iter().map(|id| id.0.clone()).collect();
        assert_eq!(
            to_match, ids,
            "{name}: the waiting ones, not the extracted one"
        );

        // Not yet taken by a relay: a second re-check adds nothing.
        let again = store
            .enqueue_in_state(DocumentState::Waiting, Stage::Match)
            .await
            .unwrap();
        assert_eq!(again, 0, "{name}");
        // Taken by a relay, they may be handled before what the re-check is
        // for (a goods receipt) happened: the next re-check queues them again.
        let taken = store
            .claim_outbox(100, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(taken.len(), 3, "{name}");
        let later = store
            .enqueue_in_state(DocumentState::Waiting, Stage::Match)
            .await
            .unwrap();
        assert_eq!(later, 3, "{name}");
        let sent: Vec<i64> = taken.iter().map(|e| e.id).collect();
        store.mark_sent(&sent).await.unwrap();
        assert_eq!(store.pending_outbox(100).await.unwrap().len(), 3, "{name}");
    }
    set.done().await;
}
