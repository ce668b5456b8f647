//! Conformance of the IMAP intake state ([`docket_store::MailboxStore`]):
//! mailbox cursors and the mail log, on every adapter.

use chrono::{DateTime, Utc};
use docket_store::{IngestOutcome, MailOutcome, MailRecord, MailboxCursor};

use super::{new_doc, stores};

/// A mail of account `ap` in `INBOX` under UIDVALIDITY 7.
fn mail(uid: u32, outcome: MailOutcome, sha256: &str) -> MailRecord {
    MailRecord {
        account: "ap".into(),
        folder: "INBOX".into(),
        uidvalidity: 7,
        uid,
        message_id: Some(format!("m{uid}@example.com")),
        sha256: Some(sha256.into()),
        sender: Some("billing@supplier.example".into()),
        subject: Some(format!("Invoice {uid}")),
        outcome,
        reason: None,
        document_id: None,
        // Whole microseconds: both adapters keep that precision.
        at: DateTime::<Utc>::from_timestamp_micros(1_750_000_000_000_000 + i64::from(uid)).unwrap(),
    }
}

#[tokio::test]
async fn a_mailbox_cursor_starts_absent_and_keeps_the_last_write() {
    let set = stores().await;
    for (name, store) in set.iter() {
        assert_eq!(store.mailbox_cursor("ap", "INBOX").await.unwrap(), None);
        let mut cursor = MailboxCursor {
            account: "ap".into(),
            folder: "INBOX".into(),
            uidvalidity: 7,
            last_uid: 12,
        };
        store.set_mailbox_cursor(&cursor).await.unwrap();
        cursor.uidvalidity = u32::MAX;
        cursor.last_uid = u32::MAX - 1;
        store.set_mailbox_cursor(&cursor).await.unwrap();
        assert_eq!(
            store.mailbox_cursor("ap", "INBOX").await.unwrap(),
            Some(cursor.clone()),
            "{name}: the full 32-bit range survives"
        );
        assert_eq!(
            store.mailbox_cursor("ap", "Archive").await.unwrap(),
            None,
            "{name}: one cursor per folder"
        );
        assert_eq!(
            store.mailbox_cursor("other", "INBOX").await.unwrap(),
            None,
            "{name}: and per account"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn recorded_mails_are_found_by_place_and_the_first_record_stays() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let stored = store.ingest(new_doc("mail.eml", b"mail 1")).await.unwrap();
        let mut first = mail(1, MailOutcome::Stored, "aa");
        first.document_id = Some(stored.id().clone());
        let mut filtered = mail(2, MailOutcome::Filtered, "bb");
        filtered.reason = Some("from: not a supplier".into());
        store
            .record_mails(&[first.clone(), filtered.clone()])
            .await
            .unwrap();
        // Recording a mail again (a crash before its post-action) changes nothing.
        let mut again = first.clone();
        again.outcome = MailOutcome::Quarantined;
        store.record_mails(&[again]).await.unwrap();
        store.record_mails(&[]).await.unwrap();
        let found = store
            .recorded_mails("ap", "INBOX", 7, &[1, 2, 3])
            .await
            .unwrap();
        assert_eq!(found, vec![first.clone(), filtered], "{name}");
        assert!(
            store
                .recorded_mails("ap", "INBOX", 8, &[1, 2])
                .await
                .unwrap()
                .is_empty(),
            "{name}: UIDs of another UIDVALIDITY are other mails"
        );
        assert!(
            store
                .recorded_mails("ap", "Archive", 7, &[1])
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn a_mail_is_recognised_by_message_id_and_content_across_uidvalidity() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let first = mail(1, MailOutcome::Stored, "aa");
        let mut later = mail(9, MailOutcome::Stored, "aa");
        later.uidvalidity = 8;
        let mut anonymous = mail(3, MailOutcome::Stored, "cc");
        anonymous.message_id = None;
        store
            .record_mails(&[first.clone(), later, anonymous.clone()])
            .await
            .unwrap();
        let id = first.message_id.as_deref();
        assert_eq!(
            store.mail_by_content("ap", id, "aa").await.unwrap(),
            Some(first.clone()),
            "{name}: the first record"
        );
        assert_eq!(
            store.mail_by_content("ap", id, "zz").await.unwrap(),
            None,
            "{name}: same Message-ID, other bytes: another mail"
        );
        assert_eq!(
            store
                .mail_by_content("ap", Some("other@x"), "aa")
                .await
                .unwrap(),
            None,
            "{name}: same bytes need the same Message-ID"
        );
        assert_eq!(
            store.mail_by_content("ap", None, "cc").await.unwrap(),
            Some(anonymous),
            "{name}: without a Message-ID, the bytes decide"
        );
        assert_eq!(
            store.mail_by_content("other", id, "aa").await.unwrap(),
            None,
            "{name}: per account"
        );

        // Filtered out in one folder, stored from another: the stored one counts.
        let mut filtered = mail(4, MailOutcome::Filtered, "dd");
        filtered.message_id = Some("<dd@x>".into());
        let doc = store.ingest(new_doc("dd.eml", b"mail dd")).await.unwrap();
        let mut stored = filtered.clone();
        (stored.folder, stored.outcome) = ("Invoices".into(), MailOutcome::Stored);
        stored.document_id = Some(doc.id().clone());
        store
            .record_mails(&[filtered, stored.clone()])
            .await
            .unwrap();
        assert_eq!(
            store
                .mail_by_content("ap", Some("<dd@x>"), "dd")
                .await
                .unwrap(),
            Some(stored),
            "{name}: the record with a document"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn a_stored_mail_is_found_by_source_and_content_but_not_its_duplicates() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let mut doc = new_doc("mail.eml", b"the mail");
        doc.source = "imap:ap/INBOX".into();
        let first = store.ingest(doc.clone()).await.unwrap();
        let again = store.ingest(doc).await.unwrap();
        assert!(
            matches!(again, IngestOutcome::SameFile { .. }),
            "{name}: {again:?}"
        );
        let record = store.document(first.id()).await.unwrap();
        assert_eq!(
            store
                .document_by_content("imap:ap/INBOX", &record.sha256)
                .await
                .unwrap()
                .as_ref(),
            Some(first.id()),
            "{name}"
        );
        assert_eq!(
            store
                .document_by_content("drop:/inbox", &record.sha256)
                .await
                .unwrap(),
            None,
            "{name}: another source"
        );
        assert_eq!(
            store
                .document_by_content("imap:ap/INBOX", &"0".repeat(64))
                .await
                .unwrap(),
            None,
            "{name}"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn the_mail_log_lists_newest_first_and_by_outcome() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let mut quarantined = mail(2, MailOutcome::Quarantined, "bb");
        quarantined.reason = Some("the message is 60000000 bytes".into());
        quarantined.sha256 = None;
        store
            .record_mails(&[
                mail(1, MailOutcome::Stored, "aa"),
                quarantined.clone(),
                mail(3, MailOutcome::Filtered, "cc"),
            ])
            .await
            .unwrap();
        let all = store.mail_log(None, 10).await.unwrap();
        let uids: Vec<u32> = all.iter().map(|m| m.uid).collect();
        assert_eq!(uids, vec![3, 2, 1], "{name}");
        assert_eq!(store.mail_log(None, 2).await.unwrap().len(), 2, "{name}");
        assert_eq!(
            store
                .mail_log(Some(MailOutcome::Quarantined), 10)
                .await
                .unwrap(),
            vec![quarantined],
            "{name}"
        );
    }
    set.done().await;
}
