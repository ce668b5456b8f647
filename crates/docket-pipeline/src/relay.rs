//! The outbox relay and the sweeper.
//!
//! The relay publishes what the store's outbox holds and marks it sent only
//! after the queue accepted it (so a crash in between publishes twice, which the
//! state-guarded handlers make harmless, and never zero times). The sweeper
//! re-enqueues every document a stage still owes work, for messages lost with
//! a crashed process or broker.

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
