//! The long-running intake (`docket ingest`, `docket run`): one session per
//! folder of every account, each taking new mail as it arrives.
//!
//! A session takes what is new, then waits: with IDLE when the server offers
//! it (and the account allows it), ended and re-issued every `idle_renew_ms`
//! (at most 29 minutes, before servers drop it); by polling otherwise. Any
//! failure (the connection dropped, the server refused, the store failed)
//! ends the session; a new one starts after a backoff that doubles up to five
//! minutes and resets once a pass succeeds. The mails stay on the server
//! meanwhile. A stop signal ends every session after its current batch.

use std::sync::Arc;
use std::time::Duration;

use async_imap::types::UnsolicitedResponse;
use docket_store::Store;
use tokio::sync::watch;

use super::connect::{Connection, connect, imap_error, within};
use super::folder::Folder;
use super::settings::MailboxSettings;
use crate::IngestError;
use crate::mail::MailLimits;

/// The first wait before a new session after a failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait between sessions.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Watches every folder of every account until `stop` turns true.
///
/// A folder whose session panicked is no longer watched: that is logged at
/// once, the other folders go on, and the panic is raised again once they
/// have stopped, so that whoever awaits this task learns of it.
pub async fn watch_all(
    accounts: Vec<MailboxSettings>,
    store: Arc<dyn Store>,
    limits: MailLimits,
    stop: watch::Receiver<bool>,
) {
    let mut sessions = tokio::task::JoinSet::new();
    for account in accounts {
        for folder in account.folders.clone() {
            let (account, store, stop) = (account.clone(), store.clone(), stop.clone());
            sessions
                .spawn(async move { watch_folder(&account, &folder, store, limits, stop).await });
        }
    }
    let mut panicked = None;
    while let Some(ended) = sessions.join_next().await {
        if let Err(e) = ended
            && e.is_panic()
        {
            tracing::error!(error = %e, "a mailbox session panicked: its folder is no longer watched");
            panicked.get_or_insert(e.into_panic());
        }
    }
    if let Some(panic) = panicked {
        std::panic::resume_unwind(panic);
    }
}

/// Watches one folder until `stop` turns true.
pub async fn watch_folder(
    account: &MailboxSettings,
    folder: &str,
    store: Arc<dyn Store>,
    limits: MailLimits,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = FIRST_BACKOFF;
    while !is_stopped(&stop) {
        let mut succeeded = false;
        let result = session(
            account,
            folder,
            store.as_ref(),
            &limits,
            &mut stop,
            &mut succeeded,
        )
        .await;
        if succeeded {
            backoff = FIRST_BACKOFF;
        }
        match result {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(
                    account = %account.name, folder, error = %e, retry_in_s = backoff.as_secs(),
                    "mailbox session ended; its mails stay on the server and are taken on the next session"
                );
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.wait_for(|s| *s) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// One session: take, wait, take, ... until stopped (`Ok`) or broken (`Err`).
async fn session(
    account: &MailboxSettings,
    folder: &str,
    store: &dyn Store,
    limits: &MailLimits,
    stop: &mut watch::Receiver<bool>,
    succeeded: &mut bool,
) -> Result<(), IngestError> {
    let mut conn = connect(account).await?;
    let idle = account.idle && conn.can_idle;
    if account.idle && !conn.can_idle {
        tracing::info!(account = %account.name, folder, "the server has no IDLE: polling");
    }
    loop {
        let pass = Folder {
            account,
            name: folder,
            store,
            limits,
            stop: Some(&*stop),
        };
        // What the server announced before this pass, its listing covers;
        // what it announces during the pass, `wait_idle` looks at.
        while conn.session.unsolicited_responses.try_recv().is_ok() {}
        let taken = pass.take_new(&mut conn).await?;
        *succeeded = true;
        if taken.total() > 0 {
            tracing::info!(account = %account.name, folder, ?taken, "mail taken in");
        }
        if is_stopped(stop) {
            let _ = tokio::time::timeout(Duration::from_secs(5), conn.session.logout()).await;
            return Ok(());
        }
        conn = if idle {
            wait_idle(conn, account, stop).await?
        } else {
            tokio::select! {
                _ = tokio::time::sleep(account.poll_interval()) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            conn
        };
    }
}

/// Idles until the server reports a change, the IDLE is due for renewal, or
/// the stop signal; returns the session out of IDLE.
async fn wait_idle(
    conn: Connection,
    account: &MailboxSettings,
    stop: &mut watch::Receiver<bool>,
) -> Result<Connection, IngestError> {
    let Connection {
        session,
        can_idle,
        can_move,
    } = conn;
    // Mail that arrived during the last pass (after its listing) or before
    // the server confirmed the IDLE is announced (EXISTS) into the unsolicited
    // channel, not to the wait: look there, or that mail would wait for the
    // next renewal. A full channel has dropped announcements: look again.
    // (RECENT is no sign: servers send `* 0 RECENT` after every move.)
    let announced = session.unsolicited_responses.clone();
    let mut handle = session.idle();
    within(account, "IDLE", handle.init()).await?;
    let mut arrived_meanwhile = announced.is_full();
    while let Ok(response) = announced.try_recv() {
        arrived_meanwhile |= matches!(response, UnsolicitedResponse::Exists(_));
    }
    if !arrived_meanwhile {
        let renew = account.idle_renew();
        let (news, _interrupt) = handle.wait_with_timeout(renew);
        // The wait's own time-out restarts with every keep-alive the server
        // sends, so the renewal deadline is kept here. News, the deadline or
        // the stop signal all end the IDLE; only a broken session is an error.
        tokio::select! {
            news = news => {
                news.map_err(|e| imap_error(account, "IDLE", e))?;
            }
            _ = tokio::time::sleep(renew) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
    let session = within(account, "DONE", handle.done()).await?;
    Ok(Connection {
        session,
        can_idle,
        can_move,
    })
}

/// Whether intake is to stop: the signal was given, or its sender is gone.
fn is_stopped(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}
