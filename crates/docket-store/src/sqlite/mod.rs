//! The SQLite adapter: the embedded default (one file, no services).
//!
//! All access goes through a single connection: SQLite allows one writer at a
//! time anyway, and one connection makes every transaction serialisable without
//! `SQLITE_BUSY` upgrade failures. WAL with `synchronous=FULL` makes a commit
//! durable before it returns (invariant 1: nothing is lost).

use std::path::Path;
use std::str::FromStr;

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use docket_domain::{DocumentState, Reason, Stage, WorkMessage};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool, Transaction};

use crate::{
    DocumentId, DocumentRecord, Event, IngestOutcome, LedgerEntry, LedgerState, LedgerUpdate,
    NewDocument, OutboxEntry, Store, StoreError, StoreResult, StoreStatus, Transition,
    split_detail, stage_for,
};

mod erp_cache;
mod llm;
mod mailbox;
mod rows;

use rows::{
    DOCUMENT_COLUMNS, id_and_state, now, parse_state, parse_time, record_from_row, sha256_hex,
    stamp,
};

fn outbox_entry(row: &sqlx::sqlite::SqliteRow) -> StoreResult<OutboxEntry> {
    let stage: String = row.try_get("stage")?;
    Ok(OutboxEntry {
        id: row.try_get("id")?,
        message: WorkMessage {
            document_id: row.try_get("document_id")?,
            stage: Stage::parse(&stage).ok_or_else(|| {
                StoreError::Permanent(format!("unknown stage {stage:?} in outbox"))
            })?,
            attempt: u32::try_from(row.try_get::<i64, _>("attempt")?).unwrap_or(0),
        },
    })
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// The embedded store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::connect(options).await
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        Self::connect(options).await
    }

    async fn connect(options: SqliteConnectOptions) -> StoreResult<Self> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Permanent(format!("migrating the SQLite store: {e}")))?;
        Ok(SqliteStore { pool })
    }
}

/// Inserts the bytes (if new) and a document row in an open transaction.
async fn insert_document(
    tx: &mut Transaction<'_, sqlx::Sqlite>,
    doc: &NewDocument,
    id: &DocumentId,
    state: DocumentState,
    reasons: &[Reason],
) -> StoreResult<String> {
    let sha = sha256_hex(&doc.bytes);
    let at = now();
    sqlx::query(
        "INSERT INTO blobs (sha256, size, bytes, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT(sha256) DO NOTHING",
    )
    .bind(&sha)
    .bind(doc.bytes.len() as i64)
    .bind(&doc.bytes)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO documents (id, parent_id, source, file_name, part_name, media_type, sha256, \
         sender, state, reasons_json, received_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.as_str())
    .bind(doc.parent_id.as_ref().map(|p| p.as_str()))
    .bind(&doc.source)
    .bind(&doc.file_name)
    .bind(&doc.part_name)
    .bind(&doc.media_type)
    .bind(&sha)
    .bind(&doc.sender)
    .bind(state.as_str())
    .bind(serde_json::to_string(reasons)?)
    .bind(&at)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    insert_event(
        tx,
        id,
        None,
        state,
        "ingest",
        &format!("received from {}", doc.source),
    )
    .await?;
    Ok(sha)
}

async fn insert_event(
    tx: &mut Transaction<'_, sqlx::Sqlite>,
    id: &DocumentId,
    from: Option<DocumentState>,
    to: DocumentState,
    actor: &str,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (document_id, at, from_state, to_state, actor, detail) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id.as_str())
    .bind(now())
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(actor)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_outbox(
    tx: &mut Transaction<'_, sqlx::Sqlite>,
    id: &DocumentId,
    stage: Stage,
    attempt: u32,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO outbox (document_id, stage, attempt, created_at) VALUES (?, ?, ?, ?)")
        .bind(id.as_str())
        .bind(stage.as_str())
        .bind(attempt as i64)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn ingest(&self, doc: NewDocument) -> StoreResult<IngestOutcome> {
        let mut tx = self.pool.begin().await?;
        let sha = sha256_hex(&doc.bytes);
        // The same bytes received before count as the same file, unless the earlier
        // copy could not be read (a re-drop after a fix deserves a fresh try).
        let earlier: Option<String> = sqlx::query_scalar(
            "SELECT id FROM documents WHERE sha256 = ? AND parent_id IS NULL \
             AND state NOT IN ('quarantined', 'duplicate') ORDER BY id LIMIT 1",
        )
        .bind(&sha)
        .fetch_optional(&mut *tx)
        .await?;
        let id = DocumentId::new();
        let outcome = match earlier.filter(|_| doc.parent_id.is_none()) {
            Some(earlier) => {
                let earlier = DocumentId(earlier);
                let reason = Reason::new(
                    docket_domain::ReasonCode::Duplicate,
                    format!("the same file was received before (document {earlier})"),
                );
                insert_document(&mut tx, &doc, &id, DocumentState::Duplicate, &[reason]).await?;
                IngestOutcome::SameFile { id, earlier }
            }
            None => {
                insert_document(&mut tx, &doc, &id, DocumentState::Received, &[]).await?;
                insert_outbox(&mut tx, &id, Stage::Extract, 0).await?;
                IngestOutcome::New(id)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn document(&self, id: &DocumentId) -> StoreResult<DocumentRecord> {
        let row = sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?"
        ))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?;
        record_from_row(&row)
    }

    async fn bytes(&self, id: &DocumentId) -> StoreResult<Vec<u8>> {
        sqlx::query_scalar(
            "SELECT b.bytes FROM documents d JOIN blobs b ON b.sha256 = d.sha256 WHERE d.id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("bytes of document {id}")))
    }

    async fn children(&self, id: &DocumentId) -> StoreResult<Vec<DocumentRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE parent_id = ? ORDER BY id"
        ))
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn transition(&self, id: &DocumentId, t: Transition) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT state FROM documents WHERE id = ?")
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let current =
            parse_state(&current.ok_or_else(|| StoreError::NotFound(format!("document {id}")))?)?;
        let p = &t.patch;
        if let Some(ledger) = &p.ledger {
            update_ledger(&mut tx, ledger).await?;
        }
        if !t.from.contains(&current) {
            tx.commit().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE documents SET state = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL, \
             kind = COALESCE(?, kind), supplier_id = COALESCE(?, supplier_id), \
             supplier_name = COALESCE(?, supplier_name), number = COALESCE(?, number), \
             gross_amount = COALESCE(?, gross_amount), currency = COALESCE(?, currency), \
             extracted_json = COALESCE(?, extracted_json), match_json = COALESCE(?, match_json), \
             reasons_json = COALESCE(?, reasons_json), erp_ref = COALESCE(?, erp_ref) \
             WHERE id = ?",
        )
        .bind(t.to.as_str())
        .bind(now())
        .bind(&p.kind)
        .bind(&p.supplier_id)
        .bind(&p.supplier_name)
        .bind(&p.number)
        .bind(p.gross.map(|g| g.amount.to_string()))
        .bind(p.gross.map(|g| g.currency.to_string()))
        .bind(p.extracted.as_ref().map(|j| j.get()))
        .bind(p.match_result.as_ref().map(|j| j.get()))
        .bind(p.reasons.as_ref().map(serde_json::to_string).transpose()?)
        .bind(&p.erp_ref)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, id, Some(current), t.to, &t.actor, &t.detail).await?;
        if let Some(stage) = t.enqueue {
            insert_outbox(&mut tx, id, stage, 0).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn split(
        &self,
        container: &DocumentId,
        parts: Vec<NewDocument>,
        left_out: &[String],
    ) -> StoreResult<Vec<DocumentId>> {
        let mut tx = self.pool.begin().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT state FROM documents WHERE id = ?")
                .bind(container.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        match current.as_deref() {
            Some("received") => {}
            Some(other) => {
                return Err(StoreError::Conflict(format!(
                    "container {container} is {other}, not received"
                )));
            }
            None => return Err(StoreError::NotFound(format!("document {container}"))),
        }
        let mut ids = Vec::with_capacity(parts.len());
        for mut part in parts {
            part.parent_id = Some(container.clone());
            let id = DocumentId::new();
            insert_document(&mut tx, &part, &id, DocumentState::Received, &[]).await?;
            insert_outbox(&mut tx, &id, Stage::Extract, 0).await?;
            ids.push(id);
        }
        sqlx::query("UPDATE documents SET state = 'split', updated_at = ? WHERE id = ?")
            .bind(now())
            .bind(container.as_str())
            .execute(&mut *tx)
            .await?;
        let detail = split_detail(ids.len(), left_out);
        insert_event(
            &mut tx,
            container,
            Some(DocumentState::Received),
            DocumentState::Split,
            "pipeline:extract",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    async fn claim_key(&self, key: &str, id: &DocumentId) -> StoreResult<DocumentId> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO document_keys (key, document_id, created_at) VALUES (?, ?, ?) \
             ON CONFLICT(key) DO NOTHING",
        )
        .bind(key)
        .bind(id.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let owner: String =
            sqlx::query_scalar("SELECT document_id FROM document_keys WHERE key = ?")
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(DocumentId(owner))
    }

    async fn pending_outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        let rows = sqlx::query(
            "SELECT id, document_id, stage, attempt FROM outbox WHERE sent_at IS NULL \
             ORDER BY id LIMIT ?",
        )
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_entry).collect()
    }

    async fn claim_outbox(&self, limit: u32, hold: Duration) -> StoreResult<Vec<OutboxEntry>> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(hold).unwrap_or(chrono::Duration::MAX);
        let rows = sqlx::query(
            "UPDATE outbox SET claimed_until = ? WHERE id IN \
             (SELECT id FROM outbox WHERE sent_at IS NULL \
              AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?) \
             RETURNING id, document_id, stage, attempt",
        )
        .bind(stamp(until))
        .bind(stamp(now))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = rows
            .iter()
            .map(outbox_entry)
            .collect::<StoreResult<Vec<_>>>()?;
        entries.sort_by_key(|e| e.id);
        Ok(entries)
    }

    async fn mark_sent(&self, ids: &[i64]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        for id in ids {
            sqlx::query("UPDATE outbox SET sent_at = ? WHERE id = ?")
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn enqueue(&self, message: WorkMessage) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        insert_outbox(
            &mut tx,
            &DocumentId(message.document_id),
            message.stage,
            message.attempt,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unsettled(&self) -> StoreResult<Vec<(DocumentId, DocumentState)>> {
        let rows = sqlx::query(
            "SELECT id, state FROM documents \
             WHERE state IN ('received', 'extracted', 'matched', 'approved') ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(id_and_state)
            .filter(|r: &StoreResult<(DocumentId, DocumentState)>| {
                r.as_ref().map_or(true, |(_, s)| stage_for(*s).is_some())
            })
            .collect()
    }

    async fn documents_in(
        &self,
        states: &[DocumentState],
    ) -> StoreResult<Vec<(DocumentId, DocumentState)>> {
        // SQLite binds no arrays: the states travel as one JSON array.
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let rows = sqlx::query(
            "SELECT id, state FROM documents \
             WHERE state IN (SELECT value FROM json_each(?)) ORDER BY id",
        )
        .bind(serde_json::to_string(&names)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(id_and_state).collect()
    }

    async fn enqueue_in_state(&self, state: DocumentState, stage: Stage) -> StoreResult<u64> {
        let queued = sqlx::query(
            "INSERT INTO outbox (document_id, stage, attempt, created_at) \
             SELECT d.id, ?1, 0, ?2 FROM documents d WHERE d.state = ?3 \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.document_id = d.id \
                             AND o.stage = ?1 AND o.sent_at IS NULL \
                             AND o.claimed_until IS NULL) \
             ORDER BY d.id",
        )
        .bind(stage.as_str())
        .bind(now())
        .bind(state.as_str())
        .execute(&self.pool)
        .await?;
        Ok(queued.rows_affected())
    }

    async fn summaries(&self, ids: Option<&[DocumentId]>) -> StoreResult<Vec<DocumentRecord>> {
        let rows = match ids {
            None => {
                sqlx::query(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
            // SQLite binds no arrays: the ids travel as one JSON array.
            Some(ids) => {
                let ids: Vec<&str> = ids.iter().map(DocumentId::as_str).collect();
                let ids = serde_json::to_string(&ids)?;
                sqlx::query(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents \
                     WHERE id IN (SELECT value FROM json_each(?1)) \
                        OR parent_id IN (SELECT value FROM json_each(?1)) ORDER BY id"
                ))
                .bind(ids)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(record_from_row).collect()
    }

    async fn lease(
        &self,
        id: &DocumentId,
        states: &[DocumentState],
        owner: &str,
        ttl: Duration,
    ) -> StoreResult<Option<DocumentRecord>> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let placeholders = vec!["?"; states.len()].join(", ");
        let sql = format!(
            "UPDATE documents SET lease_owner = ?, lease_until = ? WHERE id = ? \
             AND state IN ({placeholders}) \
             AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?) \
             RETURNING {DOCUMENT_COLUMNS}"
        );
        let mut query = sqlx::query(&sql)
            .bind(owner)
            .bind(stamp(until))
            .bind(id.as_str());
        for state in states {
            query = query.bind(state.as_str());
        }
        let row = query
            .bind(stamp(now))
            .bind(owner)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    async fn release(&self, id: &DocumentId, owner: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE documents SET lease_owner = NULL, lease_until = NULL \
             WHERE id = ? AND lease_owner = ?",
        )
        .bind(id.as_str())
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn stalled(&self, idle: Duration) -> StoreResult<Vec<(DocumentId, DocumentState)>> {
        let now = Utc::now();
        let idle_since = now - chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
        let rows = sqlx::query(
            "SELECT id, state FROM documents \
             WHERE state IN ('received', 'extracted', 'matched', 'approved') \
             AND ((lease_until IS NOT NULL AND lease_until < ?) \
                  OR (lease_until IS NULL AND updated_at < ?)) ORDER BY id",
        )
        .bind(stamp(now))
        .bind(stamp(idle_since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(id_and_state).collect()
    }

    async fn ledger_begin(&self, key: &str, id: &DocumentId) -> StoreResult<LedgerEntry> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO posting_ledger (idempotency_key, document_id, state, updated_at) \
             VALUES (?, ?, 'pending', ?) ON CONFLICT(idempotency_key) DO NOTHING",
        )
        .bind(key)
        .bind(id.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE posting_ledger SET attempts = attempts + 1, updated_at = ? \
             WHERE idempotency_key = ? AND state = 'pending'",
        )
        .bind(now())
        .bind(key)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT document_id, state, erp_ref, attempts FROM posting_ledger \
             WHERE idempotency_key = ?",
        )
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let state: String = row.try_get("state")?;
        Ok(LedgerEntry {
            key: key.to_string(),
            document_id: DocumentId(row.try_get("document_id")?),
            state: LedgerState::parse(&state)
                .ok_or_else(|| StoreError::Permanent(format!("unknown ledger state {state:?}")))?,
            erp_ref: row.try_get("erp_ref")?,
            attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        })
    }

    async fn events(&self, id: &DocumentId) -> StoreResult<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT at, from_state, to_state, actor, detail FROM events \
             WHERE document_id = ? ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let at: String = row.try_get("at")?;
                Ok(Event {
                    at: parse_time(&at)?,
                    from_state: row.try_get("from_state")?,
                    to_state: row.try_get("to_state")?,
                    actor: row.try_get("actor")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn status(&self) -> StoreResult<StoreStatus> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM documents GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut status = StoreStatus::default();
        for row in &rows {
            let n: i64 = row.try_get("n")?;
            status
                .documents
                .insert(row.try_get("state")?, u64::try_from(n).unwrap_or(0));
        }
        let oldest: Option<String> = sqlx::query_scalar(
            "SELECT MIN(updated_at) FROM documents \
             WHERE state IN ('received', 'extracted', 'matched', 'approved', 'waiting')",
        )
        .fetch_one(&self.pool)
        .await?;
        status.oldest_unfinished = oldest.as_deref().map(parse_time).transpose()?;
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        status.outbox_unsent = u64::try_from(unsent).unwrap_or(0);
        Ok(status)
    }
}

/// Records how a posting attempt ended (the entry exists: `ledger_begin`
/// opened it before the attempt).
async fn update_ledger(
    tx: &mut Transaction<'_, sqlx::Sqlite>,
    ledger: &LedgerUpdate,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE posting_ledger SET state = ?, erp_ref = COALESCE(?, erp_ref), \
         last_error = ?, updated_at = ? WHERE idempotency_key = ?",
    )
    .bind(ledger.state.as_str())
    .bind(&ledger.erp_ref)
    .bind(&ledger.error)
    .bind(now())
    .bind(&ledger.key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
