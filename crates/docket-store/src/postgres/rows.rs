//! Reading `documents` rows of the PostgreSQL store into records.

use chrono::{DateTime, Utc};
use docket_domain::{Currency, DocumentState, Money, Reason};
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;

use crate::{DocumentId, DocumentRecord, StoreError, StoreResult, StoredJson};

/// Columns of `documents` read into a [`DocumentRecord`].
pub(super) const DOCUMENT_COLUMNS: &str = "id, parent_id, source, file_name, part_name, media_type, \
     sha256, sender, state, kind, supplier_id, supplier_name, number, gross_amount, currency, \
     extracted_json, match_json, reasons_json, erp_ref, received_at";

pub(super) fn parse_state(text: &str) -> StoreResult<DocumentState> {
    DocumentState::parse(text)
        .ok_or_else(|| StoreError::Permanent(format!("unknown document state {text:?}")))
}

/// A row of `SELECT id, state`.
pub(super) fn id_and_state(row: &PgRow) -> StoreResult<(DocumentId, DocumentState)> {
    let state = parse_state(&row.try_get::<String, _>("state")?)?;
    Ok((DocumentId(row.try_get("id")?), state))
}

pub(super) fn record_from_row(row: &PgRow) -> StoreResult<DocumentRecord> {
    let amount: Option<Decimal> = row.try_get("gross_amount")?;
    let currency: Option<String> = row.try_get("currency")?;
    let gross = match (amount, currency) {
        (Some(amount), Some(currency)) => Some(Money::new(
            amount,
            Currency::parse(&currency).map_err(|e| StoreError::Permanent(e.to_string()))?,
        )),
        _ => None,
    };
    let state: String = row.try_get("state")?;
    let reasons: Json<Vec<Reason>> = row.try_get("reasons_json")?;
    let extracted: Option<Json<StoredJson>> = row.try_get("extracted_json")?;
    let match_result: Option<Json<StoredJson>> = row.try_get("match_json")?;
    let received_at: DateTime<Utc> = row.try_get("received_at")?;
    Ok(DocumentRecord {
        id: DocumentId(row.try_get("id")?),
        parent_id: row
            .try_get::<Option<String>, _>("parent_id")?
            .map(DocumentId),
        source: row.try_get("source")?,
        file_name: row.try_get("file_name")?,
        part_name: row.try_get("part_name")?,
        media_type: row.try_get("media_type")?,
        sha256: row.try_get("sha256")?,
        sender: row.try_get("sender")?,
        state: parse_state(&state)?,
        kind: row.try_get("kind")?,
        supplier_id: row.try_get("supplier_id")?,
        supplier_name: row.try_get("supplier_name")?,
        number: row.try_get("number")?,
        gross,
        extracted: extracted.map(|j| j.0),
        match_result: match_result.map(|j| j.0),
        reasons: reasons.0,
        erp_ref: row.try_get("erp_ref")?,
        received_at,
    })
}
