//! A stage worker: takes messages of one stage, runs the handler, acknowledges
//! after the effect is committed.
//!
//! A transient failure (database busy, ERP time-out) hands the message back with
//! a growing delay and our own attempt counter; after the last attempt the
//! message is parked with its reason (the document keeps its state, leased as
//! parked, until an operator replays it). A permanent failure sends the document
//! to a person with the error as reason. Nothing is silently stuck.

use std::sync::Arc;
use std::time::Duration;

use docket_domain::{DocumentState, Reason, ReasonCode, Stage};
use docket_queue::Delivery;
use docket_store::{DocumentId, Patch, Transition, states_for};

use crate::stages::handle;
use crate::{Pipeline, PipelineError};

/// The lease owner that marks a document whose work is parked.
pub const PARKED_LEASE_OWNER: &str = "parked";

/// How long a parked lease lasts: until an operator replays the work.
const PARKED_LEASE: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Runs one worker of `stage` until the queue closes.
pub async fn run_worker(pipeline: Arc<Pipeline>, stage: Stage) -> Result<(), PipelineError> {
    // Unique across processes and machines: the lease owner of this worker.
    let owner = format!(
        "{}:{}:{}",
        stage.as_str(),
        std::process::id(),
        uuid::Uuid::now_v7()
    );
    let mut backoff = Duration::from_millis(100);
    loop {
        let outcome = match pipeline.queue.next(stage).await {
            Ok(None) => return Ok(()),
            Ok(Some(delivery)) => process(&pipeline, delivery, &owner).await,
            Err(e) => Err(e.into()),
        };
        match outcome {
            Ok(()) => backoff = Duration::from_millis(100),
            // The broker or the database went away: wait and carry on. Unacked
            // messages come back from the broker; the sweeper covers the rest.
            Err(e) if e.is_transient() => {
                tracing::warn!(stage = stage.as_str(), error = %e, "worker: waiting {backoff:?} before going on");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    }
}

async fn process(
    pipeline: &Pipeline,
    delivery: Box<dyn Delivery>,
    owner: &str,
) -> Result<(), PipelineError> {
    let message = delivery.message().clone();
    let id = DocumentId(message.document_id.clone());
    // Only one worker at a time works on a document: a redelivered message
    // whose document is leased elsewhere (or has moved on) is dropped; if that
    // worker dies, the sweeper finds the expired lease.
    let states = states_for(message.stage);
    let ttl = pipeline.lease_ttl;
    // The extract stage reads the bytes: they come with the lease.
    let leased = if message.stage == Stage::Extract {
        let leased = pipeline
            .store
            .lease_with_bytes(&id, states, owner, ttl)
            .await?;
        leased.map(|(record, bytes)| (record, Some(bytes)))
    } else {
        let leased = pipeline.store.lease(&id, states, owner, ttl).await?;
        leased.map(|record| (record, None))
    };
    let Some((record, bytes)) = leased else {
        delivery.ack().await?;
        return Ok(());
    };
    let result = handle(pipeline, message.stage, record, bytes).await;
    // A handler that succeeded moved the document on, and the transition ended
    // the lease (or found the state moved on, and the lease no longer matters),
    // unless it says it left the document as it was; then, and after a
    // failure, the lease is given back so the next message can take it at once.
    // A release that fails only delays that until the lease expires.
    if !matches!(result, Ok(true))
        && let Err(e) = pipeline.store.release(&id, owner).await
    {
        tracing::warn!(document = %id, error = %e, "could not release the lease; it will expire");
    }
    match result {
        Ok(_) => delivery.ack().await?,
        Err(e) if e.is_transient() && message.attempt + 1 < pipeline.retry.max_attempts => {
            let delay = pipeline.retry.delay(message.attempt);
            tracing::warn!(document = %message.document_id, stage = message.stage.as_str(),
                attempt = message.attempt, error = %e, "transient failure, retrying in {delay:?}");
            delivery.retry(delay).await?;
        }
        Err(e) if e.is_transient() => {
            // Still failing after every attempt (an outage, most likely): put the
            // work aside for an operator to replay once the cause is fixed.
            let reason = format!("gave up after {} attempts: {e}", message.attempt + 1);
            tracing::error!(document = %message.document_id, stage = message.stage.as_str(), %reason, "parking");
            pipeline.queue.park(&message, &reason).await?;
            // The parked lease keeps the sweeper from queuing it again meanwhile.
            pipeline
                .store
                .lease(&id, states, PARKED_LEASE_OWNER, PARKED_LEASE)
                .await?;
            delivery.ack().await?;
        }
        Err(e) => {
            tracing::error!(document = %message.document_id, stage = message.stage.as_str(),
                error = %e, "giving the document to a person");
            hand_to_person(pipeline, &id, message.stage, &e).await;
            delivery.ack().await?;
        }
    }
    Ok(())
}

/// Moves a document that a stage cannot finish into the exception queue.
async fn hand_to_person(pipeline: &Pipeline, id: &DocumentId, stage: Stage, error: &PipelineError) {
    let message = format!("the {} stage failed: {error}", stage.as_str());
    let code = if stage == Stage::Post {
        ReasonCode::ErpRejected
    } else {
        ReasonCode::Unreadable
    };
    let transition = Transition {
        from: vec![
            DocumentState::Received,
            DocumentState::Extracted,
            DocumentState::Matched,
            DocumentState::Approved,
            DocumentState::Waiting,
        ],
        to: DocumentState::Exception,
        patch: Patch {
            reasons: Some(vec![Reason::new(code, message.clone())]),
            ..Patch::default()
        },
        enqueue: None,
        actor: format!("pipeline:{}", stage.as_str()),
        detail: message,
    };
    if let Err(e) = pipeline.store.transition(id, transition).await {
        // The state is unchanged, so the sweeper will offer the document again.
        tracing::error!(document = %id, error = %e, "could not record the failure");
    }
}
