//! Docket's `Store` port and its adapters.
//!
//! The store is the truth (DESIGN.md invariant 3): raw bytes, document rows and
//! their states, the outbox of work messages, the business keys used for
//! duplicate detection, the posting ledger and the event log. Every state change
//! is one transaction guarded by the expected current state, written together
//! with the work messages it causes.
//!
//! Adapters: [`sqlite::SqliteStore`] (embedded default). PostgreSQL follows the
//! same port and the same conformance suite (`tests/conformance.rs`).
//!
//! Beside the documents' own tables, three smaller ports share the store as
//! supertraits of [`Store`]: [`MailboxStore`] (IMAP intake), [`LlmStore`]
//! (the language model's answer cache, daily token budget and spend) and
//! [`ErpCacheStore`] (the ERP master-data cache of `docket erp sync`).

pub mod erp_cache;
pub mod error;
pub mod llm;
pub mod mailbox;
pub mod model;
mod portable;
pub mod postgres;
pub mod sqlite;

use std::time::Duration;

use async_trait::async_trait;
use docket_domain::{DocumentState, Stage, WorkMessage};

pub use erp_cache::{CacheEntry, CacheKind, ErpCacheStore, SyncMark, Upserted};
pub use error::StoreError;
pub use llm::{
    BudgetRequest, LlmCacheKey, LlmDay, LlmSettlement, LlmSpend, LlmStore, Reservation,
    ReservationId,
};
pub use mailbox::{MailOutcome, MailRecord, MailboxCursor, MailboxStore};
pub use model::{
    Claimed, DocumentId, DocumentRecord, Event, IngestOutcome, LedgerEntry, LedgerState,
    LedgerUpdate, NewDocument, OutboxEntry, Patch, StoreStatus, StoredJson, Transition,
};

/// The result type of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Persistent state of Docket (with the IMAP intake state of [`MailboxStore`]
/// and the language model's cache, budget and spend of [`LlmStore`], and the
/// ERP master-data cache of [`ErpCacheStore`]).
#[async_trait]
pub trait Store: MailboxStore + LlmStore + ErpCacheStore + Send + Sync {
    /// Stores the bytes (content-addressed) and a new `received` document row, and
    /// queues it for extraction, all in one transaction. When a document with the
    /// same bytes was received before and not quarantined, the new row is created
    /// straight in state `duplicate` (nothing is dropped silently) and not queued.
    async fn ingest(&self, doc: NewDocument) -> StoreResult<IngestOutcome>;

    /// Loads one document (without its bytes).
    async fn document(&self, id: &DocumentId) -> StoreResult<DocumentRecord>;

    /// The raw bytes of a document.
    async fn bytes(&self, id: &DocumentId) -> StoreResult<Vec<u8>>;

    /// Documents split off a container (the parts of an e-mail).
    async fn children(&self, id: &DocumentId) -> StoreResult<Vec<DocumentRecord>>;

    /// Applies a state change if the document is still in one of the expected
    /// states; returns `false` (and changes nothing) when it is not, which makes
    /// stale and repeated messages harmless.
    async fn transition(&self, id: &DocumentId, transition: Transition) -> StoreResult<bool>;

    /// Splits a container: creates the part documents (bytes first) and moves the
    /// container from `received` to `split`, in one transaction. `left_out`
    /// says what the container held that did not become a document, and why;
    /// it is kept in the container's history.
    async fn split(
        &self,
        container: &DocumentId,
        parts: Vec<NewDocument>,
        left_out: &[String],
    ) -> StoreResult<Vec<DocumentId>>;

    /// Claims a business key (supplier + normalised number + kind) for a document.
    /// Returns the id of the document that owns the key: this one if it was free.
    async fn claim_key(&self, key: &str, id: &DocumentId) -> StoreResult<DocumentId>;

    /// Claims `key` for `id` (as [`Store::claim_key`]) and applies `transition`
    /// only when `id` owns the key, so that a document whose key another one
    /// holds never moves to where the first one went. Adapters that can do
    /// both in one round trip override this; the default takes two.
    async fn claim_and_transition(
        &self,
        key: &str,
        id: &DocumentId,
        transition: Transition,
    ) -> StoreResult<Claimed> {
        let owner = self.claim_key(key, id).await?;
        let moved = owner == *id && self.transition(id, transition).await?;
        Ok(Claimed { owner, moved })
    }

    /// Up to `limit` unsent outbox messages, oldest first (a look, no claim).
    async fn pending_outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>>;

    /// Claims up to `limit` unsent, unclaimed outbox messages for `hold`, oldest
    /// first: what a relay is about to publish, so that other relays leave them
    /// alone. A claim that runs out (its relay died) frees the messages again.
    async fn claim_outbox(&self, limit: u32, hold: Duration) -> StoreResult<Vec<OutboxEntry>>;

    /// Marks outbox messages as published: they are no longer pending (an
    /// adapter may remove them; the events table is the history).
    async fn mark_sent(&self, ids: &[i64]) -> StoreResult<()>;

    /// Queues a work message outside a transition (retries, the sweeper).
    async fn enqueue(&self, message: WorkMessage) -> StoreResult<()>;

    /// Documents in a state where a stage still owes them work, with that stage.
    async fn unsettled(&self) -> StoreResult<Vec<(DocumentId, DocumentState)>>;

    /// The documents in any of `states`, oldest first, with their state: ids
    /// only, so that a walk over a large store (`docket policy replay`) loads
    /// one document at a time instead of all of them at once.
    async fn documents_in(
        &self,
        states: &[DocumentState],
    ) -> StoreResult<Vec<(DocumentId, DocumentState)>>;

    /// Queues `stage` for every document in `state`, in one statement, except
    /// those with a message for that stage that no relay has taken yet: it
    /// is published after this call, so it wakes them as well as a new one
    /// would (a re-check while the relay is behind piles nothing up). A
    /// message a relay has taken may be handled already, so it does not
    /// count. Returns how many messages were queued. This is how waiting
    /// documents are matched again when goods may have arrived.
    async fn enqueue_in_state(&self, state: DocumentState, stage: Stage) -> StoreResult<u64>;

    /// Takes the exclusive lease on a document for `ttl`, when it is in one of
    /// `states` and no other owner holds a live lease, and returns the document
    /// as leased (saving the handler a read); `None` otherwise (someone else is
    /// working on it, or its state moved on). A transition ends the lease.
    async fn lease(
        &self,
        id: &DocumentId,
        states: &[DocumentState],
        owner: &str,
        ttl: Duration,
    ) -> StoreResult<Option<DocumentRecord>>;

    /// [`lease`](Store::lease), with the document's bytes, for the stage that
    /// reads them: one round trip instead of two where the adapter can.
    async fn lease_with_bytes(
        &self,
        id: &DocumentId,
        states: &[DocumentState],
        owner: &str,
        ttl: Duration,
    ) -> StoreResult<Option<(DocumentRecord, Vec<u8>)>> {
        let Some(record) = self.lease(id, states, owner, ttl).await? else {
            return Ok(None);
        };
        let bytes = self.bytes(id).await?;
        Ok(Some((record, bytes)))
    }

    /// Gives a lease back early (the handler failed and the work will be retried).
    async fn release(&self, id: &DocumentId, owner: &str) -> StoreResult<()>;

    /// Unsettled documents whose work was lost: their lease expired (the worker
    /// died), or they sat unleased for longer than `idle` (their message was lost).
    async fn stalled(&self, idle: Duration) -> StoreResult<Vec<(DocumentId, DocumentState)>>;

    /// Summaries of documents, newest last, optionally only the given ids and their parts.
    async fn summaries(&self, ids: Option<&[DocumentId]>) -> StoreResult<Vec<DocumentRecord>>;

    /// The posting ledger entry for a key, creating it as `pending` for this document if absent.
    async fn ledger_begin(&self, key: &str, id: &DocumentId) -> StoreResult<LedgerEntry>;

    /// The event log of a document, oldest first.
    async fn events(&self, id: &DocumentId) -> StoreResult<Vec<Event>>;

    /// Documents per state, the oldest unfinished one, and unsent outbox messages.
    async fn status(&self) -> StoreResult<StoreStatus>;

    /// Whether the store answers: one trivial round trip, cheap enough for a
    /// readiness probe every few seconds (unlike [`status`](Store::status),
    /// which counts every document).
    async fn ping(&self) -> StoreResult<()>;
}

/// The states a stage works on (the inverse of [`stage_for`]).
pub fn states_for(stage: Stage) -> &'static [DocumentState] {
    match stage {
        Stage::Extract => &[DocumentState::Received],
        Stage::Match => &[DocumentState::Extracted, DocumentState::Waiting],
        Stage::Post => &[DocumentState::Matched, DocumentState::Approved],
    }
}

/// The event detail of a split: how many documents, and what was left out of
/// the container and why, so that a person can see it in the history.
pub(crate) fn split_detail(parts: usize, left_out: &[String]) -> String {
    let mut detail = format!("split into {parts} document(s)");
    if !left_out.is_empty() {
        detail.push_str("; left out: ");
        detail.push_str(&left_out.join("; "));
    }
    detail
}

/// The stage that owes work to a document in a given state, if any.
pub fn stage_for(state: DocumentState) -> Option<Stage> {
    match state {
        DocumentState::Received => Some(Stage::Extract),
        DocumentState::Extracted => Some(Stage::Match),
        DocumentState::Matched | DocumentState::Approved => Some(Stage::Post),
        _ => None,
    }
}
