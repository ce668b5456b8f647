//! The stage handlers. Each takes the document as leased, checks it is in the state the
//! stage expects (a stale or repeated message changes nothing), does its work
//! and commits the next state together with the message for the next stage.

pub mod extract;
pub mod llm;
pub mod matching;
pub mod post;

use docket_domain::{DocumentState, Reason, Stage};
use docket_store::{DocumentRecord, Patch, Transition};

use crate::{Pipeline, PipelineError};

/// Runs the handler of `stage` on a document as the worker leased it, with
/// its bytes when the lease brought them (the store is asked otherwise).
pub async fn handle(
    pipeline: &Pipeline,
    stage: Stage,
    record: DocumentRecord,
    bytes: Option<Vec<u8>>,
) -> Result<(), PipelineError> {
    match stage {
        Stage::Extract => extract::run(pipeline, record, bytes).await,
        Stage::Match => matching::run(pipeline, record).await,
        Stage::Post => post::run(pipeline, record).await,
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
