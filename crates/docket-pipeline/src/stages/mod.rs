//! The stage handlers. Each takes the document as leased, checks it is in the state the
//! stage expects (a stale or repeated message changes nothing), does its work
//! and commits the next state together with the message for the next stage.

pub mod extract;
pub mod llm;
pub mod matching;
pub mod post;
pub mod waiting;

use docket_domain::{DocumentState, Reason, Stage};
use docket_store::{DocumentId, DocumentRecord, Patch, Transition};

use crate::{Pipeline, PipelineError};

/// Runs the handler of `stage` on a document as the worker leased it, with
/// its bytes when the lease brought them (the store is asked otherwise).
/// Returns whether the handler is done with the lease: `false` when it left
/// the document as it was on purpose (a re-check that found nothing new), so
/// the worker gives the lease back instead of letting it run out.
pub async fn handle(
    pipeline: &Pipeline,
    stage: Stage,
    record: DocumentRecord,
    bytes: Option<Vec<u8>>,
) -> Result<bool, PipelineError> {
    match stage {
        Stage::Extract => extract::run(pipeline, record, bytes).await.map(|()| true),
        Stage::Match => matching::run(pipeline, record).await,
        Stage::Post => post::run(pipeline, record).await.map(|()| true),
    }
}

/// A JSON column of a record (`json`), decoded into its type; `what` names
/// it in the error, `missing` says why it must not be empty.
pub(crate) fn stored<T: serde::de::DeserializeOwned>(
    json: Option<&serde_json::value::RawValue>,
    id: &DocumentId,
    what: &str,
    missing: &str,
) -> Result<T, PipelineError> {
    let json = json.ok_or_else(|| PipelineError::Inconsistent(format!("{id} {missing}")))?;
    serde_json::from_str(json.get())
        .map_err(|e| PipelineError::Inconsistent(format!("stored {what} of {id}: {e}")))
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
