//! Records the store reads and writes.

use chrono::{DateTime, Utc};
use docket_domain::{DocumentState, Money, Reason, Stage, WorkMessage};
use serde::{Deserialize, Serialize};

/// A document's id (a UUID v7, so ids sort by arrival).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentId(pub String);

impl DocumentId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        DocumentId(uuid::Uuid::now_v7().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for DocumentId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document as it arrives: bytes plus where they came from.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The container it was split from, if any.
    pub parent_id: Option<DocumentId>,
    /// Where it came from (`drop:<folder>`, `imap:<account>/<folder>`, `cli`).
    pub source: String,
    /// The file name as received (for a part: the container's file name).
    pub file_name: String,
    /// For a part of a container: the attachment name.
    pub part_name: Option<String>,
    /// The media type (`application/pdf`, `application/xml`, `message/rfc822`, `text/plain`).
    pub media_type: String,
    /// The sender's address, for mail.
    pub sender: Option<String>,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

/// What ingest did with a new document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A new document, queued for extraction.
    New(DocumentId),
    /// The same bytes were received before as `earlier`; recorded as a duplicate.
    SameFile {
        /// The new document's id (state `duplicate`).
        id: DocumentId,
        /// The earlier document with the same bytes.
        earlier: DocumentId,
    },
}

impl IngestOutcome {
    /// The id of the row created.
    pub fn id(&self) -> &DocumentId {
        match self {
            IngestOutcome::New(id) | IngestOutcome::SameFile { id, .. } => id,
        }
    }
}

/// What [`crate::Store::claim_and_transition`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The document that owns the key: the claimant when the key was free or
    /// already its own.
    pub owner: DocumentId,
    /// Whether the claimant moved (it owns the key and was in an expected state).
    pub moved: bool,
}

/// Columns a transition may set; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    /// Document kind (`invoice`, `credit_note`, ...).
    pub kind: Option<String>,
    /// The identified supplier's ERP id.
    pub supplier_id: Option<String>,
    /// The supplier's name (from the ERP when identified, else as read).
    pub supplier_name: Option<String>,
    /// The document number as read.
    pub number: Option<String>,
    /// The gross total as read.
    pub gross: Option<Money>,
    /// The extracted document, as JSON (`serde_json::value::to_raw_value`).
    pub extracted: Option<StoredJson>,
    /// The match outcome, as JSON.
    pub match_result: Option<StoredJson>,
    /// The reasons (replaces the earlier list when set).
    pub reasons: Option<Vec<Reason>>,
    /// The ERP's own reference after booking.
    pub erp_ref: Option<String>,
    /// The posting-ledger entry this change settles, recorded with it.
    pub ledger: Option<LedgerUpdate>,
}

/// How a posting attempt ended, for the posting ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerUpdate {
    /// The idempotency key of the entry.
    pub key: String,
    /// The entry's new state.
    pub state: LedgerState,
    /// The ERP's reference, once posted.
    pub erp_ref: Option<String>,
    /// Why nothing was posted.
    pub error: Option<String>,
}

/// A guarded state change.
#[derive(Debug, Clone)]
pub struct Transition {
    /// The states the document must be in for the change to apply.
    pub from: Vec<DocumentState>,
    /// The new state.
    pub to: DocumentState,
    /// Columns to set.
    pub patch: Patch,
    /// The stage to wake, written to the outbox in the same transaction.
    pub enqueue: Option<Stage>,
    /// Who made the change (`pipeline:extract`, a user name, ...).
    pub actor: String,
    /// A line for the event log.
    pub detail: String,
}

/// A stored document without its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRecord {
    /// The id.
    pub id: DocumentId,
    /// The container it came from.
    pub parent_id: Option<DocumentId>,
    /// Where it came from.
    pub source: String,
    /// File name as received.
    pub file_name: String,
    /// Attachment name within a container.
    pub part_name: Option<String>,
    /// Media type.
    pub media_type: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Sender address, for mail.
    pub sender: Option<String>,
    /// Current state.
    pub state: DocumentState,
    /// Document kind, once extracted.
    pub kind: Option<String>,
    /// Supplier's ERP id, once identified.
    pub supplier_id: Option<String>,
    /// Supplier name.
    pub supplier_name: Option<String>,
    /// Document number.
    pub number: Option<String>,
    /// Gross total.
    pub gross: Option<Money>,
    /// The extracted document, as stored: JSON text, decoded by the stage
    /// that reads it straight into its own type (see [`StoredJson`]).
    pub extracted: Option<StoredJson>,
    /// The match outcome.
    pub match_result: Option<StoredJson>,
    /// Reasons for the current state.
    pub reasons: Vec<Reason>,
    /// ERP reference once booked.
    pub erp_ref: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// An unsent work message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Outbox row id.
    pub id: i64,
    /// The message.
    pub message: WorkMessage,
}

/// State of a posting ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerState {
    /// A posting is (or was) under way; the ERP must be asked before trying again.
    Pending,
    /// Booked; `erp_ref` holds the ERP's reference.
    Posted,
    /// The ERP refused; a person must look.
    Failed,
}

impl LedgerState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerState::Pending => "pending",
            LedgerState::Posted => "posted",
            LedgerState::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(LedgerState::Pending),
            "posted" => Some(LedgerState::Posted),
            "failed" => Some(LedgerState::Failed),
            _ => None,
        }
    }
}

/// A posting ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The idempotency key.
    pub key: String,
    /// The document that owns the posting.
    pub document_id: DocumentId,
    /// Where the posting stands.
    pub state: LedgerState,
    /// The ERP's reference, once posted.
    pub erp_ref: Option<String>,
    /// Attempts so far.
    pub attempts: u32,
}

/// One line of a document's event log.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// When.
    pub at: DateTime<Utc>,
    /// State before (none for the first event).
    pub from_state: Option<String>,
    /// State after.
    pub to_state: String,
    /// Who.
    pub actor: String,
    /// What.
    pub detail: Option<String>,
}

/// What `docket status` shows of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreStatus {
    /// Documents per state name.
    pub documents: std::collections::BTreeMap<String, u64>,
    /// When the oldest document still owed work (or waiting) last changed.
    pub oldest_unfinished: Option<DateTime<Utc>>,
    /// Outbox messages not yet published.
    pub outbox_unsent: u64,
}

/// A JSON value as the store holds it, kept as text until someone reads it:
/// decoding it into a generic value first, then into the caller's type, was a
/// large share of a worker's time.
pub type StoredJson = Box<serde_json::value::RawValue>;
