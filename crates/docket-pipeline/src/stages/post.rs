//! The post stage: books through the posting ledger, exactly once.
//!
//! Before every attempt, including retries, the ERP is asked whether the
//! reference is already booked (DESIGN.md invariant 2): a retry after a lost
//! answer finds its own booking instead of making a second one.

use docket_domain::{DocumentState, Reason, ReasonCode, Stage};
use docket_erp::ErpError;
use docket_matching::MatchOutcome;
use docket_store::{DocumentId, LedgerState, Patch, Transition};

use super::settle;
use crate::{Pipeline, PipelineError};

/// The states from which a document is posted.
const POSTABLE: [DocumentState; 2] = [DocumentState::Matched, DocumentState::Approved];

fn booked(erp_ref: &str, detail: String) -> Transition {
    Transition {
        from: POSTABLE.to_vec(),
        to: DocumentState::Booked,
        patch: Patch {
            erp_ref: Some(erp_ref.to_string()),
            ..Patch::default()
        },
        enqueue: None,
        actor: "pipeline:post".to_string(),
        detail,
    }
}

/// Posts one document.
pub async fn run(pipeline: &Pipeline, id: &DocumentId) -> Result<(), PipelineError> {
    let record = pipeline.store.document(id).await?;
    if !POSTABLE.contains(&record.state) {
        return Ok(());
    }
    let outcome: MatchOutcome = record
        .match_result
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| PipelineError::Inconsistent(format!("stored match outcome of {id}: {e}")))?
        .ok_or_else(|| {
            PipelineError::Inconsistent(format!("{id} is matched but holds no outcome"))
        })?;
    let Some(request) = outcome.booking else {
        return Err(PipelineError::Inconsistent(format!(
            "{id} is matched but has nothing to book"
        )));
    };
    let store = &pipeline.store;
    let entry = store.ledger_begin(&request.idempotency_key, id).await?;
    if entry.document_id != *id {
        let reason = Reason::new(
            ReasonCode::Duplicate,
            format!(
                "document {} already posts {}",
                entry.document_id, request.supplier_reference
            ),
        );
        let t = settle(
            Stage::Post,
            &POSTABLE,
            DocumentState::Duplicate,
            vec![reason],
            "ledger".into(),
        );
        store.transition(id, t).await?;
        return Ok(());
    }
    if let (LedgerState::Posted, Some(erp_ref)) = (entry.state, entry.erp_ref.as_deref()) {
        store
            .transition(id, booked(erp_ref, "already posted (ledger)".into()))
            .await?;
        return Ok(());
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
            store
                .ledger_record(
                    &request.idempotency_key,
                    LedgerState::Posted,
                    Some(&existing.erp_ref),
                    None,
                )
                .await?;
            store
                .transition(
                    id,
                    booked(&existing.erp_ref, "found our earlier posting".into()),
                )
                .await?;
        } else {
            let reason = Reason::new(
                ReasonCode::Duplicate,
                format!(
                    "{} is already booked in the ERP as {}",
                    request.supplier_reference, existing.erp_ref
                ),
            );
            store
                .ledger_record(
                    &request.idempotency_key,
                    LedgerState::Failed,
                    None,
                    Some(&reason.message),
                )
                .await?;
            let t = settle(
                Stage::Post,
                &POSTABLE,
                DocumentState::Duplicate,
                vec![reason],
                "found in ERP".into(),
            );
            store.transition(id, t).await?;
        }
        return Ok(());
    }
    match pipeline.erp.book_invoice(&request).await {
        Ok(done) => {
            store
                .ledger_record(
                    &request.idempotency_key,
                    LedgerState::Posted,
                    Some(&done.erp_ref),
                    None,
                )
                .await?;
            let detail = format!("booked in {} as {}", pipeline.erp.name(), done.erp_ref);
            store.transition(id, booked(&done.erp_ref, detail)).await?;
            Ok(())
        }
        Err(e @ (ErpError::Permanent(_) | ErpError::NotFound(_) | ErpError::Conflict(_))) => {
            let reason = Reason::new(ReasonCode::ErpRejected, e.to_string());
            store
                .ledger_record(
                    &request.idempotency_key,
                    LedgerState::Failed,
                    None,
                    Some(&reason.message),
                )
                .await?;
            let t = settle(
                Stage::Post,
                &POSTABLE,
                DocumentState::Exception,
                vec![reason],
                e.to_string(),
            );
            store.transition(id, t).await?;
            Ok(())
        }
        Err(transient) => Err(transient.into()),
    }
}
