//! The outbox relay and the sweeper.
//!
//! The relay publishes what the store's outbox holds and marks it sent only
//! after the queue accepted it (so a crash in between publishes twice, which the
//! state-guarded handlers make harmless, and never zero times). The sweeper
//! re-enqueues documents whose work was lost with a crashed worker (expired
//! lease) or a lost message (idle too long).

use std::time::Duration;

use docket_domain::{DocumentState, WorkMessage};
use docket_store::{DocumentId, stage_for};
use tokio::sync::watch;

use crate::{Pipeline, PipelineError};

/// Outbox rows published per round.
const RELAY_BATCH: u32 = 100;

/// How long a relay holds the rows it claimed; a relay that dies frees them after this.
const RELAY_CLAIM: Duration = Duration::from_secs(10);

impl Pipeline {
    /// Publishes one batch of the outbox; returns how many messages went out.
    pub async fn relay_once(&self) -> Result<usize, PipelineError> {
        let entries = self.store.claim_outbox(RELAY_BATCH, RELAY_CLAIM).await?;
        // Publish the batch concurrently: each publish waits for the broker's
        // confirm (a disk write on quorum queues), so one at a time would make
        // the relay the bottleneck of the whole pipeline.
        let mut publishing = tokio::task::JoinSet::new();
        for entry in entries {
            let queue = self.queue.clone();
            publishing.spawn(async move { queue.publish(entry.message).await.map(|()| entry.id) });
        }
        let mut sent = Vec::new();
        let mut failure = None;
        while let Some(joined) = publishing.join_next().await {
            match joined {
                Ok(Ok(id)) => sent.push(id),
                Ok(Err(e)) => failure = Some(PipelineError::from(e)),
                Err(e) => failure = Some(PipelineError::Inconsistent(format!("relay task: {e}"))),
            }
        }
        // Only what the broker confirmed is marked sent; the rest goes again.
        self.store.mark_sent(&sent).await?;
        match failure {
            Some(e) => Err(e),
            None => Ok(sent.len()),
        }
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
        for (id, _) in &stalled {
            tracing::info!(document = %id, "sweeper: work was lost, queued again");
        }
        self.requeue(stalled).await
    }

    /// Sweeps every `every` until `stop` turns true.
    pub async fn run_sweeper(
        &self,
        stop: watch::Receiver<bool>,
        every: Duration,
        idle: Duration,
    ) -> Result<(), PipelineError> {
        periodically(stop, every, every, "sweeper", || self.sweep_stalled(idle)).await
    }

    /// Re-enqueues every document whose stage work is outstanding; returns how many.
    pub async fn sweep(&self) -> Result<usize, PipelineError> {
        let unsettled = self.store.unsettled().await?;
        self.requeue(unsettled).await
    }

    /// Queues each document again for the stage its state calls for.
    async fn requeue(
        &self,
        documents: Vec<(DocumentId, DocumentState)>,
    ) -> Result<usize, PipelineError> {
        let mut count = 0;
        for (id, state) in documents {
            if let Some(stage) = stage_for(state) {
                let message = WorkMessage {
                    document_id: id.0,
                    stage,
                    attempt: 0,
                };
                self.store.enqueue(message).await?;
                count += 1;
            }
        }
        Ok(count)
    }
}

/// Runs `work` after `first`, then every `every`, until `stop` turns true; a
/// transient failure is logged and left to the next round.
pub(crate) async fn periodically<T, F>(
    mut stop: watch::Receiver<bool>,
    first: Duration,
    every: Duration,
    what: &str,
    mut work: impl FnMut() -> F,
) -> Result<(), PipelineError>
where
    F: Future<Output = Result<T, PipelineError>>,
{
    let mut pause = first;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return Ok(());
        }
        match work().await {
            Ok(_) => {}
            Err(e) if e.is_transient() => tracing::warn!(error = %e, "{what}: retrying"),
            Err(e) => return Err(e),
        }
        pause = every;
    }
}
