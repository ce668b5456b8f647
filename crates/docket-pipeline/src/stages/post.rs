//! The post stage: books through the posting ledger, exactly once.
//!
//! Before every attempt, including retries, the ERP is asked whether the
//! reference is already booked (DESIGN.md invariant 2): a retry after a lost
//! answer finds its own booking instead of making a second one.

use docket_domain::erp::BookingRequest;
use docket_domain::{DocumentState, Reason, ReasonCode, Stage};
use docket_erp::ErpError;
use docket_matching::MatchOutcome;
use docket_store::{DocumentId, DocumentRecord, LedgerState, LedgerUpdate, Patch, Transition};

use super::settle;
use crate::{Pipeline, PipelineError};

/// The states from which a document is posted.
const POSTABLE: [DocumentState; 2] = [DocumentState::Matched, DocumentState::Approved];

/// Posts one document.
pub async fn run(pipeline: &Pipeline, record: DocumentRecord) -> Result<(), PipelineError> {
    let id = &record.id;
    if !POSTABLE.contains(&record.state) {
        return Ok(());
    }
    let outcome: MatchOutcome = super::stored(
        record.match_result.as_deref(),
        id,
        "match outcome",
        "is matched but holds no outcome",
    )?;
    let Some(request) = outcome.booking else {
        return Err(PipelineError::Inconsistent(format!(
            "{id} is matched but has nothing to book"
        )));
    };
    let entry = pipeline
        .store
        .ledger_begin(&request.idempotency_key, id)
        .await?;
    if entry.document_id != *id {
        let message = format!(
            "document {} already posts {}",
            entry.document_id, request.supplier_reference
        );
        let reason = Reason::new(ReasonCode::Duplicate, message);
        let t = settle(
            Stage::Post,
            &POSTABLE,
            DocumentState::Duplicate,
            vec![reason],
            "ledger".into(),
        );
        pipeline.store.transition(id, t).await?;
        return Ok(());
    }
    if let (LedgerState::Posted, Some(erp_ref)) = (entry.state, entry.erp_ref.as_deref()) {
        return posted(
            pipeline,
            id,
            &request,
            erp_ref,
            "already posted (ledger)".into(),
        )
        .await;
    }
    let existing = pipeline
        .erp
        .find_booking(
            &request.supplier_id,
            &request.supplier_reference,
            request.kind,
        )
        .await?;
    if let Some(existing) = existing {
        if existing.idempotency_key.as_deref() == Some(request.idempotency_key.as_str()) {
            // Our own earlier attempt went through; only its answer was lost.
            let detail = "found our earlier posting".to_string();
            return posted(pipeline, id, &request, &existing.erp_ref, detail).await;
        }
        let message = format!(
            "{} is already booked in the ERP as {}",
            request.supplier_reference, existing.erp_ref
        );
        let reason = Reason::new(ReasonCode::Duplicate, message);
        return not_posted(pipeline, id, &request, DocumentState::Duplicate, reason).await;
    }
    match pipeline.erp.book_invoice(&request).await {
        Ok(done) => {
            let detail = format!("booked in {} as {}", pipeline.erp.name(), done.erp_ref);
            posted(pipeline, id, &request, &done.erp_ref, detail).await
        }
        Err(e @ (ErpError::Permanent(_) | ErpError::NotFound(_) | ErpError::Conflict(_))) => {
            let reason = Reason::new(ReasonCode::ErpRejected, e.to_string());
            not_posted(pipeline, id, &request, DocumentState::Exception, reason).await
        }
        Err(transient) => Err(transient.into()),
    }
}

/// Moves the document to `booked`, recording the booking in the ledger with it.
async fn posted(
    pipeline: &Pipeline,
    id: &DocumentId,
    request: &BookingRequest,
    erp_ref: &str,
    detail: String,
) -> Result<(), PipelineError> {
    let transition = Transition {
        from: POSTABLE.to_vec(),
        to: DocumentState::Booked,
        patch: Patch {
            erp_ref: Some(erp_ref.to_string()),
            ledger: Some(LedgerUpdate {
                key: request.idempotency_key.clone(),
                state: LedgerState::Posted,
                erp_ref: Some(erp_ref.to_string()),
                error: None,
            }),
            ..Patch::default()
        },
        enqueue: None,
        actor: "pipeline:post".to_string(),
        detail,
    };
    pipeline.store.transition(id, transition).await?;
    Ok(())
}

/// Moves the document to `to`, recording in the ledger why nothing was booked.
async fn not_posted(
    pipeline: &Pipeline,
    id: &DocumentId,
    request: &BookingRequest,
    to: DocumentState,
    reason: Reason,
) -> Result<(), PipelineError> {
    let detail = reason.message.clone();
    let mut t = settle(Stage::Post, &POSTABLE, to, vec![reason], detail.clone());
    t.patch.ledger = Some(LedgerUpdate {
        key: request.idempotency_key.clone(),
        state: LedgerState::Failed,
        erp_ref: None,
        error: Some(detail),
    });
    pipeline.store.transition(id, t).await?;
    Ok(())
}
