//! The re-check of waiting documents: every document in `waiting` is queued
//! for the match stage again, so that an invoice whose goods have arrived
//! meanwhile is booked, and one that has waited too long goes to a person.
//!
//! Processes that serve the match stage run it every
//! `waiting.recheck_minutes` ([`Pipeline::run_recheck`]); `docket sandbox
//! receive` runs it once after recording a receipt. The messages go through
//! the outbox like any other, and the match stage's state guard and lease make
//! a message that arrives twice, or for a document that moved on, harmless.

use std::time::Duration;

use docket_domain::{DocumentState, Stage};
use docket_store::Store;
use tokio::sync::watch;

use crate::relay::periodically;
use crate::{Pipeline, PipelineError};

/// Queues every waiting document in `store` for matching again (those with
/// a match message no relay has taken yet are left out: it wakes them
/// anyway); returns how many were queued.
pub async fn queue_waiting(store: &dyn Store) -> Result<u64, PipelineError> {
    let queued = store
        .enqueue_in_state(DocumentState::Waiting, Stage::Match)
        .await?;
    if queued > 0 {
        tracing::info!(queued, "re-check: waiting documents queued for matching");
    }
    Ok(queued)
}

impl Pipeline {
    /// [`queue_waiting`] in this pipeline's store.
    pub async fn recheck_waiting(&self) -> Result<u64, PipelineError> {
        queue_waiting(self.store.as_ref()).await
    }

    /// Re-checks at once, then every `every`, until `stop` turns true: at
    /// once because a process restarted more often than `every` (deploys)
    /// would otherwise never get to it.
    pub async fn run_recheck(
        &self,
        stop: watch::Receiver<bool>,
        every: Duration,
    ) -> Result<(), PipelineError> {
        periodically(stop, Duration::ZERO, every, "re-check", || {
            self.recheck_waiting()
        })
        .await
    }
}
