//! IMAP intake against a real server: the throwaway Dovecot of
//! `scripts/dovecot` (started here when it is not running). Each test has
//! mailboxes of fresh users, appends mails over IMAP, runs the `docket`
//! binary (`ingest --once`, or the long-running `ingest`) on a SQLite store of
//! its own, and checks the documents, the mail log and what became of the
//! mails on the server: moved, flagged, left alone. Crashes, connection cuts,
//! a store that fails and a UIDVALIDITY reset must lose nothing and store
//! nothing twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod imap_support;

use std::collections::BTreeSet;
use std::time::Duration;

use docket_domain::DocumentState;
use docket_ingest::imap::{AuthMethod, PostAction, Secret, TlsMode};
use docket_ingest::mail::MailFilter;
use docket_store::{MailOutcome, Store};
use imap_support::{
    Deployment, Dovecot, GARBAGE, Mailbox, Proxy, invoice_mail, newsletter, terminate,
};

/// A tag that keeps this test's Message-IDs apart from every other's.
fn tag() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

fn ids(tag: &str, numbers: std::ops::RangeInclusive<usize>) -> Vec<String> {
    numbers
        .map(|n| format!("{tag}-{n}@supplier.example"))
        .collect()
}

const PATIENCE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mails_are_stored_whole_then_moved_and_unreadable_ones_go_to_the_error_folder() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let mut account = dovecot.account("ap");
    account.tls = TlsMode::Starttls;
    account.auth = AuthMethod::Plain;
    account.post_action = PostAction::Move("Docket-Processed".into());
    account.filter = MailFilter {
        from: vec!["@supplier.example".into()],
        ..MailFilter::default()
    };
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    for n in 1..=3 {
        mailbox.append("INBOX", &invoice_mail(&tag, n)).await;
    }
    mailbox.append("INBOX", &newsletter(&tag)).await;
    mailbox.append("INBOX", GARBAGE).await;
    let deployment = Deployment::new(vec![account]).await;

    let stderr = deployment.ingest_all().await;
    assert!(
        stderr.contains("3 mail(s) stored, 0 stored before, 1 quarantined, 1 filtered"),
        "{stderr}"
    );
    let docs = deployment.documents().await;
    assert_eq!(
        docs.len(),
        4,
        "three invoices and the unreadable mail: {docs:#?}"
    );
    assert!(docs.iter().all(|d| d.media_type == "message/rfc822"
        && d.source == "imap:ap/INBOX"
        && d.state == DocumentState::Received
        && d.parent_id.is_none()));
    // Stored whole: the document is the mail, byte for byte.
    let first = docs
        .iter()
        .find(|d| d.file_name == "Invoice 1.eml")
        .unwrap();
    assert_eq!(first.sender.as_deref(), Some("billing@supplier.example"));
    let store = deployment.store().await;
    assert_eq!(store.bytes(&first.id).await.unwrap(), invoice_mail(&tag, 1));

    let log = deployment.mail_log().await;
    let outcomes: Vec<MailOutcome> = log.iter().map(|m| m.outcome).collect();
    use MailOutcome::{Filtered, Quarantined, Stored};
    assert_eq!(outcomes, [Stored, Stored, Stored, Filtered, Quarantined]);
    let filtered = &log[3];
    assert!(
        filtered
            .reason
            .as_deref()
            .unwrap()
            .contains("news@marketing.example"),
        "{filtered:?}"
    );
    assert_eq!(filtered.document_id, None, "a filtered mail is not stored");
    let quarantined = &log[4];
    assert!(
        quarantined
            .reason
            .as_deref()
            .unwrap()
            .contains("not a readable e-mail"),
        "{quarantined:?}"
    );
    assert!(
        quarantined.document_id.is_some(),
        "nothing is lost: stored anyway"
    );

    assert_eq!(mailbox.ids("Docket-Processed").await, ids(&tag, 1..=3));
    assert_eq!(mailbox.ids("Docket-Error").await.len(), 1);
    let left = mailbox.mails("INBOX").await;
    assert_eq!(left.len(), 1, "the filtered mail stays: {left:?}");
    assert!(
        !left[0].1.iter().any(|f| f == "Seen"),
        "untouched: {left:?}"
    );

    let again = deployment.ingest_all().await;
    assert!(
        again.contains("0 mail(s) stored, 0 stored before, 0 quarantined, 0 filtered"),
        "{again}"
    );
    assert_eq!(deployment.documents().await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_accounts_and_folders_over_tls_xoauth2_and_login_get_keywords_or_seen() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let secrets = tempfile::tempdir().unwrap();
    let token_file = secrets.path().join("ap-token");
    std::fs::write(&token_file, format!("{}\n", dovecot.password)).unwrap();
    let mut ap = dovecot.account("ap");
    ap.host = "localhost".into();
    ap.port = Some(dovecot.tls_port);
    ap.tls = TlsMode::Implicit;
    ap.auth = AuthMethod::Xoauth2;
    ap.password = None;
    ap.oauth_token_file = Some(token_file);
    ap.folders = vec!["INBOX".into(), "Invoices".into()];
    ap.post_action = PostAction::Keyword("$Docket".into());
    let mut orders = dovecot.account("orders");
    orders.post_action = PostAction::Seen;
    let mut archive = dovecot.account("archive");
    archive.post_action = PostAction::None;

    let mut ap_box = Mailbox::open(&dovecot, &ap).await;
    ap_box.create("Invoices").await;
    ap_box.append("INBOX", &invoice_mail(&tag, 1)).await;
    ap_box.append("Invoices", &invoice_mail(&tag, 2)).await;
    let mut orders_box = Mailbox::open(&dovecot, &orders).await;
    orders_box.append("INBOX", &invoice_mail(&tag, 3)).await;
    let mut archive_box = Mailbox::open(&dovecot, &archive).await;
    archive_box.append("INBOX", &invoice_mail(&tag, 4)).await;
    let deployment = Deployment::new(vec![ap, orders, archive]).await;

    deployment.ingest_all().await;
    let sources: BTreeSet<String> = deployment
        .documents()
        .await
        .into_iter()
        .map(|d| d.source)
        .collect();
    let expected = [
        "imap:ap/INBOX",
        "imap:ap/Invoices",
        "imap:archive/INBOX",
        "imap:orders/INBOX",
    ];
    assert_eq!(sources, expected.map(String::from).into());

    let keyword = |flags: &[String]| flags.iter().any(|f| f.contains("$Docket"));
    let seen = |flags: &[String]| flags.iter().any(|f| f == "Seen");
    for folder in ["INBOX", "Invoices"] {
        let mails = ap_box.mails(folder).await;
        assert_eq!(mails.len(), 1, "{folder}: flagged, not moved");
        assert!(keyword(&mails[0].1) && !seen(&mails[0].1), "{mails:?}");
    }
    let mails = orders_box.mails("INBOX").await;
    assert!(seen(&mails[0].1) && !keyword(&mails[0].1), "{mails:?}");
    let mails = archive_box.mails("INBOX").await;
    assert!(
        !seen(&mails[0].1) && !keyword(&mails[0].1),
        "none: {mails:?}"
    );

    // The cursors keep mails left in place from being taken again.
    archive_box.append("INBOX", &invoice_mail(&tag, 5)).await;
    let again = deployment.ingest_all().await;
    assert!(
        again.contains("1 mail(s) stored, 0 stored before"),
        "{again}"
    );
    assert_eq!(deployment.documents().await.len(), 5);

    // A refused token is a clear error, and nothing is taken.
    let mut refused = dovecot.account("refused");
    refused.auth = AuthMethod::Xoauth2;
    refused.oauth_token = Some(Secret::new("expired-token"));
    let deployment = Deployment::new(vec![refused]).await;
    let (code, stderr) = deployment.ingest_once().await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("AUTHENTICATE XOAUTH2"), "{stderr}");
    assert!(
        !stderr.contains("expired-token"),
        "the token is never printed: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_ingest_loses_nothing_and_stores_nothing_twice() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let mut account = dovecot.account("ap");
    account.post_action = PostAction::Move("Processed".into());
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    let count = 40;
    for n in 1..=count {
        mailbox.append("INBOX", &invoice_mail(&tag, n)).await;
    }
    let deployment = Deployment::new(vec![account]).await;
    // Every stored document costs a few milliseconds more (a trigger that
    // counts a million rows), so that a kill lands while a batch is being
    // stored: after some of its mails are durable, before they are recorded,
    // moved, or the cursor saved.
    let db = deployment.sqlite().await;
    for statement in [
        "CREATE TABLE slow (n INTEGER)",
        "INSERT INTO slow SELECT value FROM json_each((SELECT json_group_array(0) FROM \
         (SELECT 1 FROM sqlite_schema, sqlite_schema, sqlite_schema LIMIT 1000)))",
        "CREATE TRIGGER slow_ingest AFTER INSERT ON documents \
         BEGIN SELECT COUNT(*) FROM slow a, slow b; END",
    ] {
        sqlx::query(statement).execute(&db).await.unwrap();
    }
    let store = deployment.store().await;
    let mut killed_midway = 0;
    for round in 1..=3 {
        let mut child = deployment.command(&["ingest", "--once"]).spawn().unwrap();
        let target = round * 8;
        loop {
            let stored = store.summaries(None).await.unwrap().len();
            if let Some(status) = child.try_wait().unwrap() {
                panic!("round {round}: ingest ended before the kill ({status}, {stored} stored)");
            }
            if stored >= target {
                child.start_kill().unwrap();
                child.wait().await.unwrap();
                killed_midway += usize::from(stored < count);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    assert!(killed_midway >= 2, "the kills must land mid-way");
    deployment.ingest_all().await;

    let docs = deployment.documents().await;
    let states: BTreeSet<&str> = docs.iter().map(|d| d.state.as_str()).collect();
    assert_eq!(states, ["received"].into(), "no duplicate rows either");
    let hashes: BTreeSet<&str> = docs.iter().map(|d| d.sha256.as_str()).collect();
    assert_eq!(
        (docs.len(), hashes.len()),
        (count, count),
        "each mail exactly once"
    );
    let log = deployment.mail_log().await;
    assert_eq!(log.len(), count);
    assert!(
        log.iter()
            .all(|m| m.outcome == MailOutcome::Stored && m.document_id.is_some())
    );
    assert!(mailbox.ids("INBOX").await.is_empty());
    assert_eq!(mailbox.ids("Processed").await, ids(&tag, 1..=count));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uidvalidity_reset_rescans_and_stores_nothing_twice() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let mut account = dovecot.account("ap");
    account.folders = vec!["Invoices".into()];
    account.post_action = PostAction::Keyword("$Docket".into());
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    mailbox.create("Invoices").await;
    for n in 1..=3 {
        mailbox.append("Invoices", &invoice_mail(&tag, n)).await;
    }
    let deployment = Deployment::new(vec![account]).await;
    deployment.ingest_all().await;
    let first = deployment.documents().await;
    assert_eq!(first.len(), 3);
    let before = deployment.cursor("ap", "Invoices").await.unwrap();

    // The folder made anew: the same mails under new UIDs, and one more.
    mailbox.delete("Invoices").await;
    mailbox.create("Invoices").await;
    for n in 1..=4 {
        mailbox.append("Invoices", &invoice_mail(&tag, n)).await;
    }
    let stderr = deployment.ingest_all().await;
    assert!(stderr.contains("UIDVALIDITY changed"), "{stderr}");
    assert!(
        stderr.contains("1 mail(s) stored, 3 stored before"),
        "{stderr}"
    );
    let after = deployment.cursor("ap", "Invoices").await.unwrap();
    assert_ne!(after.uidvalidity, before.uidvalidity);
    assert_eq!(after.last_uid, 4);

    let docs = deployment.documents().await;
    assert_eq!(docs.len(), 4, "only the new mail is stored");
    assert!(docs.iter().all(|d| d.state == DocumentState::Received));
    let log = deployment.mail_log().await;
    assert_eq!(log.len(), 7);
    for (old, rescanned) in log[..3].iter().zip(&log[3..6]) {
        assert_eq!(rescanned.document_id, old.document_id);
        assert!(
            rescanned
                .reason
                .as_deref()
                .unwrap()
                .starts_with("taken before from Invoices UID")
        );
    }
    let mails = mailbox.mails("Invoices").await;
    assert!(
        mails
            .iter()
            .all(|(_, flags)| flags.iter().any(|f| f.contains("$Docket"))),
        "{mails:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_idles_renews_resumes_a_dropped_connection_and_stops_on_sigterm() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let proxy = Proxy::start(dovecot.port).await;
    let mut account = dovecot.account("ap");
    account.port = Some(proxy.port);
    account.idle_renew_ms = 1_000;
    account.post_action = PostAction::Move("Processed".into());
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 1)).await;
    let deployment = Deployment::new(vec![account]).await;
    let child = deployment.spawn();
    let docs = deployment
        .wait_for_documents(PATIENCE, |d| d.len() == 1)
        .await;
    assert_eq!(docs.len(), 1);

    // Past a renewal of the IDLE, new mail is still noticed at once.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 2)).await;
    let docs = deployment
        .wait_for_documents(PATIENCE, |d| d.len() == 2)
        .await;
    assert_eq!(docs.len(), 2);

    proxy.cut_all();
    mailbox.append("INBOX", &invoice_mail(&tag, 3)).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 4)).await;
    let docs = deployment
        .wait_for_documents(PATIENCE, |d| d.len() == 4)
        .await;
    assert_eq!(docs.len(), 4, "taken on a new session");

    let (clean, stderr) = terminate(child).await;
    assert!(clean, "{stderr}");
    assert!(
        stderr.contains("mailbox session ended"),
        "the cut was noticed: {stderr}"
    );
    assert_eq!(mailbox.ids("Processed").await, ids(&tag, 1..=4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_mid_fetch_is_resumed_within_one_pass() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let proxy = Proxy::start(dovecot.port).await;
    let mut account = dovecot.account("ap");
    account.port = Some(proxy.port);
    account.post_action = PostAction::Seen;
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    for n in 1..=20 {
        mailbox.append("INBOX", &invoice_mail(&tag, n)).await;
    }
    let deployment = Deployment::new(vec![account]).await;
    // Past the greeting, log-in and listing: in the middle of the bodies.
    proxy.cut_after(12_000);
    let stderr = deployment.ingest_all().await;
    assert!(stderr.contains("resuming on a new one"), "{stderr}");
    assert!(stderr.contains("20 mail(s) stored"), "{stderr}");
    assert_eq!(deployment.documents().await.len(), 20);
    let mails = mailbox.mails("INBOX").await;
    assert!(
        mails.iter().all(|(_, f)| f.iter().any(|f| f == "Seen")),
        "{mails:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_leaves_mail_untouched_until_it_recovers() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let mut account = dovecot.account("ap");
    account.post_action = PostAction::Move("Processed".into());
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 1)).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 2)).await;
    let deployment = Deployment::new(vec![account]).await;
    let db = deployment.sqlite().await;
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON documents \
         BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END",
    )
    .execute(&db)
    .await
    .unwrap();

    let child = deployment.spawn();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = mailbox.mails("INBOX").await;
    assert_eq!(mails.len(), 2, "not moved");
    assert!(
        mails.iter().all(|(_, f)| f.is_empty()),
        "not even seen: {mails:?}"
    );
    assert!(deployment.mail_log().await.is_empty());
    assert!(
        deployment
            .cursor("ap", "INBOX")
            .await
            .is_none_or(|c| c.last_uid == 0)
    );

    sqlx::query("DROP TRIGGER refuse")
        .execute(&db)
        .await
        .unwrap();
    let docs = deployment
        .wait_for_documents(PATIENCE, |d| d.len() == 2)
        .await;
    assert_eq!(docs.len(), 2, "taken once the store works again");
    let (clean, stderr) = terminate(child).await;
    assert!(clean, "{stderr}");
    assert!(stderr.contains("disk full (injected)"), "{stderr}");
    assert!(mailbox.ids("INBOX").await.is_empty());
    assert_eq!(mailbox.ids("Processed").await, ids(&tag, 1..=2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_idle_or_move_is_polled_and_mails_are_copied_never_deleted() {
    let dovecot = Dovecot::get();
    let tag = tag();
    let mut account = dovecot.account("ap");
    account.host = dovecot.minimal_host.clone();
    account.poll_interval_ms = 200;
    account.post_action = PostAction::Move("Processed".into());
    let mut mailbox = Mailbox::open(&dovecot, &account).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 1)).await;
    mailbox.append("INBOX", &invoice_mail(&tag, 2)).await;
    let deployment = Deployment::new(vec![account]).await;
    let child = deployment.spawn();
    let docs = deployment
        .wait_for_documents(PATIENCE, |d| d.len() == 2)
        .await;
    assert_eq!(docs.len(), 2);
    mailbox.append("INBOX", &invoice_mail(&tag, 3)).await;
    let docs = deployment
        .wait_for_documents(PATIENCE, |d| d.len() == 3)
        .await;
    assert_eq!(docs.len(), 3, "a poll finds new mail");
    // Several more polls: nothing is taken twice, nothing is copied twice.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (clean, stderr) = terminate(child).await;
    assert!(clean, "{stderr}");
    assert!(stderr.contains("polling"), "{stderr}");
    assert_eq!(deployment.documents().await.len(), 3);
    assert_eq!(
        mailbox.ids("INBOX").await,
        ids(&tag, 1..=3),
        "the originals stay"
    );
    assert_eq!(mailbox.ids("Processed").await, ids(&tag, 1..=3));
}
