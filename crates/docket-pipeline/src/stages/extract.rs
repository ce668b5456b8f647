//! The extract stage: split containers, read documents (with the language
//! model's second opinion where [`super::llm`] calls for one), or quarantine
//! with a reason.

use docket_domain::{DocumentState, Reason, ReasonCode, Stage};
use docket_extract::{Extraction, InputKind};
use docket_ingest::{mail, media};
use docket_store::{DocumentId, DocumentRecord, NewDocument, Patch, Transition};

use super::settle;
use crate::{Pipeline, PipelineError};

/// Extracts one document (`bytes`: its bytes when the caller has them already).
pub async fn run(
    pipeline: &Pipeline,
    record: DocumentRecord,
    bytes: Option<Vec<u8>>,
) -> Result<(), PipelineError> {
    let id = &record.id;
    if record.state != DocumentState::Received {
        return Ok(());
    }
    let bytes = match bytes {
        Some(bytes) => bytes,
        None => pipeline.store.bytes(id).await?,
    };
    if record.media_type == media::MAIL {
        return split_mail(pipeline, &record, &bytes).await;
    }
    let Some(kind) = InputKind::from_media_type(&record.media_type) else {
        let reason = "not a PDF, XML or e-mail file, so there is nothing Docket can read in it";
        return quarantine(pipeline, id, reason.to_string()).await;
    };
    let limits = pipeline.limits;
    let reader = pipeline.reader.clone();
    let result = tokio::task::spawn_blocking(move || reader.read(bytes, kind, limits))
        .await
        .map_err(|e| PipelineError::Inconsistent(format!("extraction task failed: {e}")))?;
    match result {
        Ok(mut extraction) => {
            super::llm::second_opinion(pipeline, &record, &mut extraction).await?;
            store_extraction(pipeline, id, extraction).await
        }
        // Not the file's fault: retried, and parked if it lasts.
        Err(e) if e.is_transient() => Err(e.into()),
        Err(e) => quarantine(pipeline, id, e.to_string()).await,
    }
}

async fn store_extraction(
    pipeline: &Pipeline,
    id: &DocumentId,
    extraction: Extraction,
) -> Result<(), PipelineError> {
    let doc = &extraction.document;
    let extracted = serde_json::value::to_raw_value(&extraction)
        .map_err(|e| PipelineError::Inconsistent(format!("serialising the extraction: {e}")))?;
    let transition = Transition {
        from: vec![DocumentState::Received],
        to: DocumentState::Extracted,
        patch: Patch {
            kind: Some(doc.kind().as_str().to_string()),
            supplier_name: doc.seller.name().map(str::to_string),
            number: doc.number().map(str::to_string),
            gross: doc.gross(),
            extracted: Some(extracted),
            reasons: Some(Vec::new()),
            ..Patch::default()
        },
        enqueue: Some(Stage::Match),
        actor: "pipeline:extract".to_string(),
        detail: format!("read as {}", extraction.method),
    };
    pipeline.store.transition(id, transition).await?;
    Ok(())
}

async fn quarantine(
    pipeline: &Pipeline,
    id: &DocumentId,
    reason: String,
) -> Result<(), PipelineError> {
    let reasons = vec![Reason::new(ReasonCode::Unreadable, reason.clone())];
    let t = settle(
        Stage::Extract,
        &[DocumentState::Received],
        DocumentState::Quarantined,
        reasons,
        reason,
    );
    pipeline.store.transition(id, t).await?;
    Ok(())
}

async fn split_mail(
    pipeline: &Pipeline,
    record: &DocumentRecord,
    bytes: &[u8],
) -> Result<(), PipelineError> {
    let split = match mail::split(bytes, &pipeline.mail_limits) {
        Ok(split) => split,
        Err(e) => return quarantine(pipeline, &record.id, e.to_string()).await,
    };
    let sender = split.original_sender.clone().or(split.sender.clone());
    let left_out = split.skipped;
    let parts = split
        .parts
        .into_iter()
        .map(|part| NewDocument {
            parent_id: Some(record.id.clone()),
            source: record.source.clone(),
            file_name: record.file_name.clone(),
            part_name: Some(part.name),
            media_type: part.media_type.to_string(),
            sender: sender.clone(),
            bytes: part.bytes,
        })
        .collect();
    pipeline.store.split(&record.id, parts, &left_out).await?;
    Ok(())
}
