//! A stage worker: takes messages of one stage, runs the handler, acknowledges
//! after the effect is committed.
//!
//! A transient failure (database busy, ERP time-out) hands the message back with
//! a growing delay and our own attempt counter; after the last attempt, or on a
//! permanent failure, the document goes to a person with the error as reason,
//! so it is never silently stuck.

use std::sync::Arc;

use docket_domain::{DocumentState, Reason, ReasonCode, Stage};
use docket_queue::Delivery;
use docket_store::{DocumentId, Patch, Transition, states_for};

use crate::stages::handle;
use crate::{Pipeline, PipelineError};

/// Runs one worker of `stage` until the queue closes.
pub async fn run_worker(pipeline: Arc<Pipeline>, stage: Stage) -> Result<(), PipelineError> {
    // Unique across processes and machines: the lease owner of this worker.
    let owner = format!(
        "{}:{}:{}",
        stage.as_str(),
        std::process::id(),
        uuid::Uuid::now_v7()
    );
    while let Some(delivery) = pipeline.queue.next(stage).await? {
        process(&pipeline, delivery, &owner).await?;
    }
    Ok(())
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
    if !pipeline
        .store
        .lease(&id, states, owner, pipeline.lease_ttl)
        .await?
    {
        delivery.ack().await?;
        return Ok(());
    }
    let result = handle(pipeline, &message).await;
    // A transition already ended the lease; this covers failures and no-ops.
    if let Err(e) = pipeline.store.release(&id, owner).await {
        tracing::warn!(document = %id, error = %e, "could not release the lease; it will expire");
    }
    match result {
        Ok(()) => delivery.ack().await?,
        Err(e) if e.is_transient() && message.attempt + 1 < pipeline.retry.max_attempts => {
            let delay = pipeline.retry.delay(message.attempt);
            tracing::warn!(document = %message.document_id, stage = message.stage.as_str(),
                attempt = message.attempt, error = %e, "transient failure, retrying in {delay:?}");
            delivery.retry(delay).await?;
        }
        Err(e) => {
            tracing::error!(document = %message.document_id, stage = message.stage.as_str(),
                error = %e, "giving the document to a person");
            hand_to_person(
                pipeline,
                &DocumentId(message.document_id.clone()),
                message.stage,
                &e,
            )
            .await;
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
