//! The stage handlers. Each loads the document, checks it is in the state the
//! stage expects (a stale or repeated message changes nothing), does its work
//! and commits the next state together with the message for the next stage.

pub mod extract;
pub mod matching;
pub mod post;

use docket_domain::{DocumentState, Reason, Stage, WorkMessage};
use docket_store::{DocumentId, Patch, Transition};

use crate::{Pipeline, PipelineError};

/// Runs the handler of the message's stage.
pub async fn handle(pipeline: &Pipeline, message: &WorkMessage) -> Result<(), PipelineError> {
    let id = DocumentId(message.document_id.clone());
    match message.stage {
        Stage::Extract => extract::run(pipeline, &id).await,
        Stage::Match => matching::run(pipeline, &id).await,
        Stage::Post => post::run(pipeline, &id).await,
    }
}

/// A transition from `from` to `to` with reasons, and nothing queued.
pub(crate) fn settle(
    stage: Stage,
    from: &[DocumentState],
    to: DocumentState,
    reasons: Vec<Reason>,
    detail: String,
) -> Transition {
    Transition {
        from: from.to_vec(),
        to,
        patch: Patch {
            reasons: Some(reasons),
            ..Patch::default()
        },
        enqueue: None,
        actor: format!("pipeline:{}", stage.as_str()),
        detail,
    }
}
