//! IMAP mailboxes: several accounts, several folders each.
//!
//! A mail is stored whole, as one `message/rfc822` document (the extract stage
//! splits it later), recorded in the mail log, and only then moved or flagged
//! on the server; the folder's cursor (per account, folder and UIDVALIDITY)
//! moves past it last. See [`folder`] for the order and what a crash repeats.
//!
//! - [`settings`]: one account's settings (`[[ingest.mailboxes]]`).
//! - [`connect`]: TCP, TLS (implicit or STARTTLS), LOGIN / PLAIN / XOAUTH2.
//! - [`folder`]: one pass over one folder.
//! - `actions`: the post-actions (move, keyword, seen; the error folder).
//! - [`watch`]: the long-running intake: IDLE (or polling), reconnecting with backoff.
//!
//! [`take_once`] is `docket ingest --once`: one pass over every folder of every account.

mod actions;
pub mod connect;
pub mod folder;
pub mod settings;
pub mod watch;

use std::time::Duration;

use docket_store::Store;

pub use connect::{Connection, MailSession, MailStream, connect};
pub use folder::PassReport;
pub use settings::{AuthMethod, MailboxSettings, PostAction, Secret, TlsMode};

use crate::IngestError;
use crate::mail::MailLimits;
use folder::Folder;

/// Attempts at one folder in a single pass when the connection breaks: each
/// resumes from the folder's cursor.
const ONCE_ATTEMPTS: u32 = 3;
/// Wait before reconnecting in a single pass; doubled for each further attempt.
const ONCE_BACKOFF: Duration = Duration::from_millis(500);

/// What one pass over every mailbox did, and what failed.
#[derive(Debug, Default)]
pub struct IntakeReport {
    /// Mails per outcome, all folders together.
    pub mails: PassReport,
    /// The folders that could not be read to their end, with why (their mails
    /// stay on the server and are taken next time).
    pub failures: Vec<String>,
}

/// One pass over every folder of every account (`docket ingest --once`). A
/// broken connection is resumed (a new session continues from the cursor); a
/// folder that still fails is reported and the others are read.
pub async fn take_once(
    accounts: &[MailboxSettings],
    store: &dyn Store,
    limits: &MailLimits,
) -> IntakeReport {
    let mut report = IntakeReport::default();
    for account in accounts {
        let mut conn = None;
        for folder in &account.folders {
            let folder = Folder {
                account,
                name: folder,
                store,
                limits,
                stop: None,
            };
            match take_folder_once(&folder, &mut conn).await {
                Ok(mails) => report.mails.add(mails),
                Err(e) => {
                    tracing::error!(account = %account.name, folder = folder.name, error = %e, "mailbox folder not read");
                    report.failures.push(e.to_string());
                }
            }
        }
        if let Some(mut conn) = conn {
            let _ = tokio::time::timeout(Duration::from_secs(5), conn.session.logout()).await;
        }
    }
    report
}

/// One folder, reconnecting when the session breaks.
async fn take_folder_once(
    folder: &Folder<'_>,
    conn: &mut Option<Connection>,
) -> Result<PassReport, IngestError> {
    let mut total = PassReport::default();
    let mut wait = ONCE_BACKOFF;
    let mut attempt = 1;
    loop {
        let result = match conn.as_mut() {
            Some(c) => folder.take_new(c).await,
            None => match connect(folder.account).await {
                Ok(c) => folder.take_new(conn.insert(c)).await,
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(mails) => {
                total.add(mails);
                return Ok(total);
            }
            // The session is suspect after any IMAP failure: a fresh one resumes.
            Err(IngestError::Imap(detail)) if attempt < ONCE_ATTEMPTS => {
                tracing::warn!(account = %folder.account.name, folder = folder.name, error = %detail, "IMAP session broke; resuming on a new one");
                *conn = None;
                tokio::time::sleep(wait).await;
                wait *= 2;
                attempt += 1;
            }
            Err(e) => {
                *conn = None;
                return Err(e);
            }
        }
    }
}
