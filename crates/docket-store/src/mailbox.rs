//! Intake state of IMAP mailboxes: where reading stands in each folder, and a
//! record of every mail taken.
//!
//! A mail is touched on its server (moved, flagged) only after its record says
//! what became of it, and a folder's cursor moves past a mail only after that
//! (DESIGN.md invariant 1). The record answers two questions: "was this mail
//! taken before?" (by folder, UIDVALIDITY and UID; after a UIDVALIDITY change,
//! by Message-ID and content hash) and "why was my mail not taken?" (its
//! outcome and reason, listed by `docket mail log`).
//!
//! This is a port of its own, a supertrait of [`crate::Store`], so that each
//! adapter keeps it in a file of its own (`sqlite/mailbox.rs`, `postgres/mailbox.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::portable::Portable;
use crate::{DocumentId, StoreResult};

/// Where intake stands in one folder of one mailbox account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxCursor {
    /// The account's configured name.
    pub account: String,
    /// The folder (`INBOX`, `Invoices`, ...).
    pub folder: String,
    /// The folder's UIDVALIDITY when the cursor was written: UIDs of another
    /// UIDVALIDITY mean nothing here.
    pub uidvalidity: u32,
    /// Every mail up to this UID has been taken and its post-action applied.
    pub last_uid: u32,
}

/// What became of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailOutcome {
    /// Stored as a document (or recognised as one stored before).
    Stored,
    /// Not readable (too large, not a mail): moved to the error folder, with the reason.
    Quarantined,
    /// Left alone: the account's filter does not take it (the reason says which rule).
    Filtered,
}

impl MailOutcome {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MailOutcome::Stored => "stored",
            MailOutcome::Quarantined => "quarantined",
            MailOutcome::Filtered => "filtered",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "stored" => Some(MailOutcome::Stored),
            "quarantined" => Some(MailOutcome::Quarantined),
            "filtered" => Some(MailOutcome::Filtered),
            _ => None,
        }
    }
}

/// One mail taken from a mailbox folder, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailRecord {
    /// The account's configured name.
    pub account: String,
    /// The folder it was read from.
    pub folder: String,
    /// The folder's UIDVALIDITY at the time.
    pub uidvalidity: u32,
    /// Its UID in the folder.
    pub uid: u32,
    /// Its `Message-ID` header, when it has one.
    pub message_id: Option<String>,
    /// SHA-256 of its bytes, hex (absent when it was too large to fetch).
    pub sha256: Option<String>,
    /// Its `From` address.
    pub sender: Option<String>,
    /// Its subject.
    pub subject: Option<String>,
    /// What became of it.
    pub outcome: MailOutcome,
    /// Why it was quarantined or filtered, or how it was recognised as taken before.
    pub reason: Option<String>,
    /// The document it was stored as.
    pub document_id: Option<DocumentId>,
    /// When it was taken.
    pub at: DateTime<Utc>,
}

/// Intake state of IMAP mailboxes (see the module header).
#[async_trait]
pub trait MailboxStore: Send + Sync {
    /// Where intake stands in a folder; `None` before it was first read.
    async fn mailbox_cursor(
        &self,
        account: &str,
        folder: &str,
    ) -> StoreResult<Option<MailboxCursor>>;

    /// Saves where intake stands in a folder (replacing the earlier cursor).
    async fn set_mailbox_cursor(&self, cursor: &MailboxCursor) -> StoreResult<()>;

    /// Records mails taken, in one transaction. A mail already recorded (same
    /// account, folder, UIDVALIDITY and UID) keeps its first record.
    async fn record_mails(&self, mails: &[MailRecord]) -> StoreResult<()>;

    /// The records of the given UIDs of a folder under one UIDVALIDITY.
    async fn recorded_mails(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        uids: &[u32],
    ) -> StoreResult<Vec<MailRecord>>;

    /// The first record of a mail of `account`, in any folder and under any
    /// UIDVALIDITY, with these bytes (`sha256`) and this `Message-ID` (or none),
    /// one that names its document first (a record of the mail filtered out in
    /// one folder must not hide its storing from another): how a rescan after
    /// a UIDVALIDITY change recognises mails taken before.
    async fn mail_by_content(
        &self,
        account: &str,
        message_id: Option<&str>,
        sha256: &str,
    ) -> StoreResult<Option<MailRecord>>;

    /// A top-level document from `source` with these bytes, not itself a
    /// duplicate: how a mail whose record a crash cut off (stored, then not
    /// recorded) is recognised without storing it again.
    async fn document_by_content(
        &self,
        source: &str,
        sha256: &str,
    ) -> StoreResult<Option<DocumentId>>;

    /// The latest records, newest first, optionally of one outcome only.
    async fn mail_log(
        &self,
        outcome: Option<MailOutcome>,
        limit: u32,
    ) -> StoreResult<Vec<MailRecord>>;
}

/// Columns of `mail_log` read into a [`MailRecord`] (the same in both adapters).
pub(crate) const MAIL_COLUMNS: &str = "account, folder, uidvalidity, uid, message_id, sha256, \
     sender, subject, outcome, reason, document_id, at";

/// A `mail_log` row as a record, in either adapter; `at` comes from the
/// adapter, whose timestamps differ (RFC 3339 text, `timestamptz`).
pub(crate) fn mail_from_row<R>(row: &R, at: DateTime<Utc>) -> StoreResult<MailRecord>
where
    R: sqlx::Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(MailRecord {
        account: row.try_get("account")?,
        folder: row.try_get("folder")?,
        uidvalidity: uid_from_column(row.try_get("uidvalidity")?),
        uid: uid_from_column(row.try_get("uid")?),
        message_id: row.try_get("message_id")?,
        sha256: row.try_get("sha256")?,
        sender: row.try_get("sender")?,
        subject: row.try_get("subject")?,
        outcome: outcome_named(&row.try_get::<String, _>("outcome")?)?,
        reason: row.try_get("reason")?,
        document_id: row
            .try_get::<Option<String>, _>("document_id")?
            .map(DocumentId),
        at,
    })
}

/// The `mail_log` lookups both adapters run alike ([`Portable`]); each
/// adapter decodes the rows with its own `at` (see [`mail_from_row`]).
impl<DB> Portable<'_, DB, MailRecord>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    /// [`MailboxStore::mail_by_content`].
    pub async fn mail_by_content(
        &self,
        account: &str,
        message_id: Option<&str>,
        sha256: &str,
    ) -> StoreResult<Option<MailRecord>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_log WHERE account = $1 AND sha256 = $2 \
             AND message_id IS NOT DISTINCT FROM $3 ORDER BY (document_id IS NULL), id LIMIT 1"
        );
        let row = sqlx::query::<DB>(&sql)
            .bind(account)
            .bind(sha256)
            .bind(message_id)
            .fetch_optional(self.pool)
            .await?;
        row.as_ref().map(self.decode).transpose()
    }

    /// [`MailboxStore::document_by_content`].
    pub async fn document_by_content(
        &self,
        source: &str,
        sha256: &str,
    ) -> StoreResult<Option<DocumentId>> {
        let id: Option<String> = sqlx::query_scalar::<DB, String>(
            "SELECT id FROM documents WHERE sha256 = $1 AND source = $2 \
             AND parent_id IS NULL AND state <> 'duplicate' ORDER BY id LIMIT 1",
        )
        .bind(sha256)
        .bind(source)
        .fetch_optional(self.pool)
        .await?;
        Ok(id.map(DocumentId))
    }

    /// [`MailboxStore::mail_log`].
    pub async fn mail_log(
        &self,
        outcome: Option<MailOutcome>,
        limit: u32,
    ) -> StoreResult<Vec<MailRecord>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_log WHERE $1 IS NULL OR outcome = $1 \
             ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query::<DB>(&sql)
            .bind(outcome.map(MailOutcome::as_str))
            .bind(i64::from(limit))
            .fetch_all(self.pool)
            .await?;
        rows.iter().map(self.decode).collect()
    }
}

/// The outcome stored under `text`, or why the row is unreadable.
fn outcome_named(text: &str) -> StoreResult<MailOutcome> {
    MailOutcome::parse(text)
        .ok_or_else(|| crate::StoreError::Permanent(format!("unknown mail outcome {text:?}")))
}

/// A UID or UIDVALIDITY as stored (a 64-bit integer column) back to its 32 bits.
pub(crate) fn uid_from_column(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}
