//! Reading `documents` rows into records, and the text encodings the SQLite
//! adapter stores (RFC 3339 timestamps, canonical decimal text, state names).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use docket_domain::{Currency, DocumentState, Money, Reason};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{DocumentId, DocumentRecord, StoreError, StoreResult, StoredJson};

/// Columns of `documents` read into a [`DocumentRecord`].
pub(super) const DOCUMENT_COLUMNS: &str = "id, parent_id, source, file_name, part_name, media_type, sha256, \
     sender, state, kind, supplier_id, supplier_name, number, gross_amount, currency, \
     extracted_json, match_json, reasons_json, erp_ref, received_at";

pub(super) fn now() -> String {
    stamp(Utc::now())
}

/// A timestamp as stored: RFC 3339 UTC with microseconds, so text order is time order.
pub(super) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(super) fn parse_time(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Permanent(format!("bad timestamp {text:?}: {e}")))
}

pub(super) fn parse_state(text: &str) -> StoreResult<DocumentState> {
    DocumentState::parse(text)
        .ok_or_else(|| StoreError::Permanent(format!("unknown document state {text:?}")))
}

/// A row of `SELECT id, state`.
pub(super) fn id_and_state(row: &SqliteRow) -> StoreResult<(DocumentId, DocumentState)> {
    let state: String = row.try_get("state")?;
    Ok((DocumentId(row.try_get("id")?), parse_state(&state)?))
}

pub(super) fn record_from_row(row: &SqliteRow) -> StoreResult<DocumentRecord> {
    let gross_amount: Option<String> = row.try_get("gross_amount")?;
    let currency: Option<String> = row.try_get("currency")?;
    let gross = match (gross_amount, currency) {
        (Some(amount), Some(currency)) => Some(Money::new(
            Decimal::from_str(&amount)
                .map_err(|e| StoreError::Permanent(format!("bad amount {amount:?}: {e}")))?,
            Currency::parse(&currency).map_err(|e| StoreError::Permanent(e.to_string()))?,
        )),
        _ => None,
    };
    let json = |col: &str| -> StoreResult<Option<StoredJson>> {
        let text: Option<String> = row.try_get(col)?;
        Ok(text
            .map(serde_json::value::RawValue::from_string)
            .transpose()?)
    };
    let reasons_text: String = row.try_get("reasons_json")?;
    let reasons: Vec<Reason> = serde_json::from_str(&reasons_text)?;
    let state: String = row.try_get("state")?;
    let received_at: String = row.try_get("received_at")?;
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
        extracted: json("extracted_json")?,
        match_result: json("match_json")?,
        reasons,
        erp_ref: row.try_get("erp_ref")?,
        received_at: parse_time(&received_at)?,
    })
}
