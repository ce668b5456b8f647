//! The outbox relay and the sweeper.
//!
//! The relay publishes what the store's outbox holds and marks it sent only
//! after the queue accepted it (so a crash in between publishes twice, which the
//! state-guarded handlers make harmless, and never zero times). The sweeper
//! re-enqueues documents whose work was lost with a crashed worker (expired
//! lease) or a lost message (idle too long).

use std::time::Duration;

use docket_store::stage_for;
use tokio::sync::watch;

use crate::{Pipeline, PipelineError};

/// Outbox rows published per round.
const RELAY_BATCH: u32 = 100;

impl Pipeline {
    /// Publishes one batch of the outbox; returns how many messages went out.
    pub async fn relay_once(&self) -> Result<usize, PipelineError> {
        let entries = self.store.pending_outbox(RELAY_BATCH).await?;
        let mut sent = Vec::with_capacity(entries.len());
        for entry in &entries {
            self.queue.publish(entry.message.clone()).await?;
            sent.push(entry.id);
        }
        self.store.mark_sent(&sent).await?;
        Ok(sent.len())
    }

    /// Relays until `stop` turns true, pausing `idle` when the outbox is empty.
    pub async fn run_relay(
        &self,
        mut stop: watch::Receiver<bool>,
        idle: Duration,
    ) -> Result<(), PipelineError> {
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            match self.relay_once().await {
                Ok(0) => {}
                Ok(_) => continue,
                Err(e) if e.is_transient() => tracing::warn!(error = %e, "relay: retrying"),
                Err(e) => return Err(e),
            }
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Re-enqueues documents whose work was lost (expired lease, or idle longer
    /// than `idle` without one); returns how many.
    pub async fn sweep_stalled(&self, idle: Duration) -> Result<usize, PipelineError> {
        let stalled = self.store.stalled(idle).await?;
        let mut count = 0;
        for (id, state) in stalled {
            if let Some(stage) = stage_for(state) {
                tracing::info!(document = %id, stage = stage.as_str(), "sweeper: work was lost, queued again");
                self.store
                    .enqueue(docket_domain::WorkMessage {
                        document_id: id.0,
                        stage,
                        attempt: 0,
                    })
                    .await?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Sweeps every `every` until `stop` turns true.
    pub async fn run_sweeper(
        &self,
        mut stop: watch::Receiver<bool>,
        every: Duration,
        idle: Duration,
    ) -> Result<(), PipelineError> {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return Ok(());
            }
            match self.sweep_stalled(idle).await {
                Ok(_) => {}
                Err(e) if e.is_transient() => tracing::warn!(error = %e, "sweeper: retrying"),
                Err(e) => return Err(e),
            }
        }
    }

    /// Re-enqueues every document whose stage work is outstanding; returns how many.
    pub async fn sweep(&self) -> Result<usize, PipelineError> {
        let unsettled = self.store.unsettled().await?;
        let mut count = 0;
        for (id, state) in unsettled {
            if let Some(stage) = stage_for(state) {
                self.store
                    .enqueue(docket_domain::WorkMessage {
                        document_id: id.0,
                        stage,
                        attempt: 0,
                    })
                    .await?;
                count += 1;
            }
        }
        Ok(count)
    }
}
