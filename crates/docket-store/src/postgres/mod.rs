//! The PostgreSQL adapter: the production store.
//!
//! Native types where they help: `NUMERIC` money, `timestamptz`, `JSONB` for the
//! extracted document and the match outcome. Several workers on several machines
//! share it: a transition locks its row (`SELECT ... FOR UPDATE`) so the state
//! guard and the change are one atomic step; keys and ledger entries rely on
//! primary keys (`INSERT ... ON CONFLICT DO NOTHING`) for their single owner.

mod direct;
mod erp_cache;
mod llm;
mod mailbox;
mod rows;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use docket_domain::{DocumentState, Reason, Stage, WorkMessage};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{Connection, PgPool, Postgres, Row, Transaction};

use crate::{
    Claimed, DocumentId, DocumentRecord, Event, IngestOutcome, LedgerEntry, LedgerState,
    NewDocument, OutboxEntry, Store, StoreError, StoreResult, StoreStatus, Transition,
    split_detail, stage_for,
};
use direct::DirectPool;
use rows::{DOCUMENT_COLUMNS, id_and_state, parse_state, record_from_row};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// The production store.
#[derive(Clone, Debug)]
pub struct PgStore {
    /// For the record: every commit is durable before it returns.
    pool: PgPool,
    /// The hot single statements of the record (transitions, leases, claims,
    /// the ledger), without sqlx's test of every connection on release (see
    /// [`direct`]); durable like `pool`.
    direct: Arc<DirectPool>,
    /// For hints whose loss in a database crash is harmless, so their commits
    /// return before the WAL is flushed: outbox claims and sent marks (a lost
    /// one publishes a message twice, which state-guarded handlers ignore) and
    /// lease releases (a lost one lets the lease run out). A lease itself is
    /// not a hint: it keeps two workers from posting the same document at once,
    /// so it is taken durably.
    hints: Arc<DirectPool>,
}

impl PgStore {
    /// Connects with the given options and pool size; does not migrate.
    pub async fn connect(options: PgConnectOptions, max_connections: u32) -> StoreResult<Self> {
        let pool_options = |size: u32| {
            PgPoolOptions::new()
                .max_connections(size.max(1))
                .acquire_timeout(Duration::from_secs(10))
                // No ping before every query: it doubled the round trips. A
                // connection that broke meanwhile fails its query with a
                // transient error, which workers retry, and the pool then
                // replaces it.
                .test_before_acquire(false)
        };
        let pool = pool_options(max_connections)
            .connect_with(options.clone())
            .await?;
        let relaxed = options.clone().options([("synchronous_commit", "off")]);
        Ok(PgStore {
            pool,
            direct: Arc::new(DirectPool::new(options, max_connections)),
            hints: Arc::new(DirectPool::new(relaxed, max_connections.div_ceil(2))),
        })
    }

    /// Applies the embedded migrations (forward-only).
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Permanent(format!("migrating the PostgreSQL store: {e}")))
    }

    /// Checks that every migration this binary knows is applied, so a process
    /// never works on a schema it does not expect; says to run `docket migrate` if not.
    pub async fn check_schema(&self) -> StoreResult<()> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
                .unwrap_or_default();
        let missing: Vec<String> = MIGRATOR
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| format!("{} {}", m.version, m.description))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Permanent(format!(
                "the database lacks migrations {}: run `docket migrate` first",
                missing.join(", ")
            )))
        }
    }

    /// The connection pool, for administration (tests, `docket status`).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Takes the lease (see [`Store::lease`]) and returns the leased row with
    /// the document's columns and `extra` ones.
    async fn lease_row(
        &self,
        id: &DocumentId,
        states: &[DocumentState],
        owner: &str,
        ttl: Duration,
        extra: &str,
    ) -> StoreResult<Option<sqlx::postgres::PgRow>> {
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let sql = format!(
            "UPDATE documents SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond' \
             WHERE id = $3 AND state = ANY($4) \
             AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $1) \
             RETURNING {DOCUMENT_COLUMNS}{extra}"
        );
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX) as f64;
        let row = self
            .direct
            .run(async |c| {
                sqlx::query(&sql)
                    .bind(owner)
                    .bind(ttl_ms)
                    .bind(id.as_str())
                    .bind(&states)
                    .fetch_optional(c)
                    .await
            })
            .await?;
        Ok(row)
    }
}

fn outbox_entry(row: &sqlx::postgres::PgRow) -> StoreResult<OutboxEntry> {
    let stage: String = row.try_get("stage")?;
    Ok(OutboxEntry {
        id: row.try_get("id")?,
        message: WorkMessage {
            document_id: row.try_get("document_id")?,
            stage: Stage::parse(&stage).ok_or_else(|| {
                StoreError::Permanent(format!("unknown stage {stage:?} in outbox"))
            })?,
            attempt: u32::try_from(row.try_get::<i32, _>("attempt")?).unwrap_or(0),
        },
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores the bytes (once per content), the document row, its first event
/// and, for a document that is `received`, the message that wakes the extract
/// stage: one statement, since every document of every mail passes here.
async fn insert_document(
    tx: &mut Transaction<'_, Postgres>,
    doc: &NewDocument,
    id: &DocumentId,
    state: DocumentState,
    reasons: &[Reason],
) -> StoreResult<()> {
    let sha = sha256_hex(&doc.bytes);
    let detail = format!("received from {}", doc.source);
    sqlx::query(
        "WITH blob AS (INSERT INTO blobs (sha256, size, bytes, created_at) \
                       VALUES ($7, $11, $12, now()) ON CONFLICT (sha256) DO NOTHING), \
              doc AS (INSERT INTO documents (id, parent_id, source, file_name, part_name, \
                        media_type, sha256, sender, state, reasons_json, received_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now()) \
                      RETURNING id), \
              event AS (INSERT INTO events (document_id, at, from_state, to_state, actor, detail) \
                        SELECT id, now(), NULL, $9, 'ingest', $13 FROM doc) \
         INSERT INTO outbox (document_id, stage, attempt, created_at) \
         SELECT id, $14, 0, now() FROM doc WHERE $9 = $15",
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
    .bind(Json(reasons))
    .bind(doc.bytes.len() as i64)
    .bind(&doc.bytes)
    .bind(&detail)
    .bind(Stage::Extract.as_str())
    .bind(DocumentState::Received.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_event(
    tx: &mut Transaction<'_, Postgres>,
    id: &DocumentId,
    from: Option<DocumentState>,
    to: DocumentState,
    actor: &str,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (document_id, at, from_state, to_state, actor, detail) \
         VALUES ($1, now(), $2, $3, $4, $5)",
    )
    .bind(id.as_str())
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(actor)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_outbox(
    tx: &mut Transaction<'_, Postgres>,
    id: &DocumentId,
    stage: Stage,
    attempt: u32,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (document_id, stage, attempt, created_at) VALUES ($1, $2, $3, now())",
    )
    .bind(id.as_str())
    .bind(stage.as_str())
    .bind(i32::try_from(attempt).unwrap_or(i32::MAX))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn locked_state(
    tx: &mut Transaction<'_, Postgres>,
    id: &DocumentId,
) -> StoreResult<DocumentState> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM documents WHERE id = $1 FOR UPDATE")
            .bind(id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    parse_state(&state.ok_or_else(|| StoreError::NotFound(format!("document {id}")))?)
}

/// What one transition statement found and did.
struct Applied {
    /// Whether the document moved.
    moved: bool,
    /// The owner of the claimed key; `None` without a claim, or when a
    /// concurrent claim is not yet visible to the statement.
    owner: Option<String>,
}

impl PgStore {
    /// A transition in one statement, so one round trip and one implicit
    /// transaction: optionally claim a business key, lock the row, move it if
    /// its state is one of `from` (and the key, if claimed, is its own), and
    /// record the event, the outbox message and the posting-ledger entry it
    /// settles with it. Every document passes here several times, so the round
    /// trips of begin/select/update/insert/commit were a large share of the
    /// pipeline's cost.
    async fn apply(
        &self,
        id: &DocumentId,
        t: Transition,
        claim: Option<&str>,
    ) -> StoreResult<Applied> {
        let from: Vec<&str> = t.from.iter().map(|s| s.as_str()).collect();
        let p = &t.patch;
        let row = self.direct.run(async |c| sqlx::query(
            "WITH claimed AS ( \
               INSERT INTO document_keys (key, document_id, created_at) \
               SELECT $21, $12, now() WHERE $21::text IS NOT NULL \
               ON CONFLICT (key) DO NOTHING RETURNING document_id), \
             owner AS ( \
               SELECT document_id FROM claimed \
               UNION ALL SELECT document_id FROM document_keys WHERE key = $21 LIMIT 1), \
             current AS (SELECT id, state FROM documents WHERE id = $12 FOR UPDATE), \
             moved AS ( \
               UPDATE documents d SET state = $1, updated_at = now(), lease_owner = NULL, lease_until = NULL, \
               kind = COALESCE($2, d.kind), supplier_id = COALESCE($3, d.supplier_id), \
               supplier_name = COALESCE($4, d.supplier_name), number = COALESCE($5, d.number), \
               gross_amount = COALESCE($6, d.gross_amount), currency = COALESCE($7, d.currency), \
               extracted_json = COALESCE($8::json, d.extracted_json), match_json = COALESCE($9::json, d.match_json), \
               reasons_json = COALESCE($10, d.reasons_json), erp_ref = COALESCE($11, d.erp_ref) \
               FROM current c WHERE d.id = c.id AND c.state = ANY($13) \
               AND ($21::text IS NULL OR EXISTS (SELECT 1 FROM owner o WHERE o.document_id = $12)) \
               RETURNING d.id, c.state AS from_state), \
             event AS ( \
               INSERT INTO events (document_id, at, from_state, to_state, actor, detail) \
               SELECT id, now(), from_state, $1, $14, $15 FROM moved), \
             queued AS ( \
               INSERT INTO outbox (document_id, stage, attempt, created_at) \
               SELECT id, $16, 0, now() FROM moved WHERE $16::text IS NOT NULL), \
             ledger AS ( \
               UPDATE posting_ledger SET state = $18, erp_ref = COALESCE($19, erp_ref), \
               last_error = $20, updated_at = now() WHERE idempotency_key = $17) \
             SELECT (SELECT state FROM current) AS current_state, \
                    (SELECT COUNT(*) FROM moved) AS moved, \
                    (SELECT document_id FROM owner) AS owner",
        )
        .bind(t.to.as_str())
        .bind(&p.kind)
        .bind(&p.supplier_id)
        .bind(&p.supplier_name)
        .bind(&p.number)
        .bind(p.gross.map(|g| g.amount))
        .bind(p.gross.map(|g| g.currency.to_string()))
        .bind(p.extracted.as_ref().map(|j| j.get()))
        .bind(p.match_result.as_ref().map(|j| j.get()))
        .bind(p.reasons.as_ref().map(Json))
        .bind(&p.erp_ref)
        .bind(id.as_str())
        .bind(&from)
        .bind(&t.actor)
        .bind(&t.detail)
        .bind(t.enqueue.map(|s| s.as_str()))
        .bind(p.ledger.as_ref().map(|l| l.key.as_str()))
        .bind(p.ledger.as_ref().map(|l| l.state.as_str()))
        .bind(p.ledger.as_ref().and_then(|l| l.erp_ref.as_deref()))
        .bind(p.ledger.as_ref().and_then(|l| l.error.as_deref()))
        .bind(claim)
        .fetch_one(c)
        .await).await?;
        let current: Option<String> = row.try_get("current_state")?;
        if current.is_none() {
            return Err(StoreError::NotFound(format!("document {id}")));
        }
        Ok(Applied {
            moved: row.try_get::<i64, _>("moved")? == 1,
            owner: row.try_get("owner")?,
        })
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ingest(&self, doc: NewDocument) -> StoreResult<IngestOutcome> {
        let mut taken = self.direct.take().await?;
        let mut tx = taken.conn().begin().await?;
        let sha = sha256_hex(&doc.bytes);
        // Serialise ingests of the same bytes, so two workers cannot both take them as new.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(&sha)
            .execute(&mut *tx)
            .await?;
        let earlier: Option<String> = sqlx::query_scalar(
            "SELECT id FROM documents WHERE sha256 = $1 AND parent_id IS NULL \
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
                IngestOutcome::New(id)
            }
        };
        tx.commit().await?;
        taken.give_back();
        Ok(outcome)
    }

    async fn document(&self, id: &DocumentId) -> StoreResult<DocumentRecord> {
        let row = self
            .direct
            .run(async |c| {
                sqlx::query(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
                ))
                .bind(id.as_str())
                .fetch_optional(c)
                .await
            })
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?;
        record_from_row(&row)
    }

    async fn bytes(&self, id: &DocumentId) -> StoreResult<Vec<u8>> {
        self.direct
            .run(async |c| {
                sqlx::query_scalar(
            "SELECT b.bytes FROM documents d JOIN blobs b ON b.sha256 = d.sha256 WHERE d.id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(c)
        .await
            })
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("bytes of document {id}")))
    }

    async fn children(&self, id: &DocumentId) -> StoreResult<Vec<DocumentRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE parent_id = $1 ORDER BY id"
        ))
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn transition(&self, id: &DocumentId, t: Transition) -> StoreResult<bool> {
        Ok(self.apply(id, t, None).await?.moved)
    }

    async fn split(
        &self,
        container: &DocumentId,
        parts: Vec<NewDocument>,
        left_out: &[String],
    ) -> StoreResult<Vec<DocumentId>> {
        let mut taken = self.direct.take().await?;
        let mut tx = taken.conn().begin().await?;
        let current = locked_state(&mut tx, container).await?;
        if current != DocumentState::Received {
            return Err(StoreError::Conflict(format!(
                "container {container} is {}, not received",
                current.as_str()
            )));
        }
        let mut ids = Vec::with_capacity(parts.len());
        for mut part in parts {
            part.parent_id = Some(container.clone());
            let id = DocumentId::new();
            insert_document(&mut tx, &part, &id, DocumentState::Received, &[]).await?;
            ids.push(id);
        }
        sqlx::query("UPDATE documents SET state = 'split', updated_at = now() WHERE id = $1")
            .bind(container.as_str())
            .execute(&mut *tx)
            .await?;
        let detail = split_detail(ids.len(), left_out);
        let (from, to) = (Some(DocumentState::Received), DocumentState::Split);
        insert_event(&mut tx, container, from, to, "pipeline:extract", &detail).await?;
        tx.commit().await?;
        taken.give_back();
        Ok(ids)
    }

    async fn claim_key(&self, key: &str, id: &DocumentId) -> StoreResult<DocumentId> {
        // One round trip: insert the claim, or read the owner's. A claim that
        // a concurrent transaction committed while this statement waited is
        // not in the statement's snapshot, so then the owner is read again.
        let owner: Option<String> = self
            .direct
            .run(async |c| {
                sqlx::query_scalar(
                    "WITH claimed AS (INSERT INTO document_keys (key, document_id, created_at) \
                              VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING \
                              RETURNING document_id) \
             SELECT document_id FROM claimed \
             UNION ALL SELECT document_id FROM document_keys WHERE key = $1 \
             LIMIT 1",
                )
                .bind(key)
                .bind(id.as_str())
                .fetch_optional(c)
                .await
            })
            .await?;
        let owner = match owner {
            Some(owner) => owner,
            None => {
                self.direct
                    .run(async |c| {
                        sqlx::query_scalar("SELECT document_id FROM document_keys WHERE key = $1")
                            .bind(key)
                            .fetch_one(c)
                            .await
                    })
                    .await?
            }
        };
        Ok(DocumentId(owner))
    }

    async fn claim_and_transition(
        &self,
        key: &str,
        id: &DocumentId,
        t: Transition,
    ) -> StoreResult<Claimed> {
        let applied = self.apply(id, t, Some(key)).await?;
        match applied.owner {
            Some(owner) => Ok(Claimed {
                owner: DocumentId(owner),
                moved: applied.moved,
            }),
            // A concurrent claim committed while the insert waited: not in this
            // statement's snapshot, so nothing moved; read who owns it now.
            None => Ok(Claimed {
                owner: self.claim_key(key, id).await?,
                moved: false,
            }),
        }
    }

    async fn pending_outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        let rows = sqlx::query(
            "SELECT id, document_id, stage, attempt FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_entry).collect()
    }

    async fn claim_outbox(&self, limit: u32, hold: Duration) -> StoreResult<Vec<OutboxEntry>> {
        let rows = self
            .hints
            .run(async |c| {
                sqlx::query(
                    "UPDATE outbox SET claimed_until = now() + $2 * interval '1 millisecond' \
             WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL \
                          AND (claimed_until IS NULL OR claimed_until < now()) \
                          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) \
             RETURNING id, document_id, stage, attempt",
                )
                .bind(i64::from(limit))
                .bind(i64::try_from(hold.as_millis()).unwrap_or(i64::MAX) as f64)
                .fetch_all(c)
                .await
            })
            .await?;
        let mut entries = rows
            .iter()
            .map(outbox_entry)
            .collect::<StoreResult<Vec<_>>>()?;
        entries.sort_by_key(|e| e.id);
        Ok(entries)
    }

    async fn mark_sent(&self, ids: &[i64]) -> StoreResult<()> {
        self.hints
            .run(async |c| {
                // Gone rather than marked: a delete writes no new row version
                // and no index entries; the events table is the history.
                sqlx::query("DELETE FROM outbox WHERE id = ANY($1)")
                    .bind(ids)
                    .execute(c)
                    .await
            })
            .await?;
        Ok(())
    }

    async fn enqueue(&self, message: WorkMessage) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let id = DocumentId(message.document_id);
        insert_outbox(&mut tx, &id, message.stage, message.attempt).await?;
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
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let (id, state) = id_and_state(row)?;
            if stage_for(state).is_some() {
                out.push((id, state));
            }
        }
        Ok(out)
    }

    async fn documents_in(
        &self,
        states: &[DocumentState],
    ) -> StoreResult<Vec<(DocumentId, DocumentState)>> {
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let rows = sqlx::query("SELECT id, state FROM documents WHERE state = ANY($1) ORDER BY id")
            .bind(&names)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(id_and_state).collect()
    }

    async fn enqueue_in_state(&self, state: DocumentState, stage: Stage) -> StoreResult<u64> {
        let queued = sqlx::query(
            "INSERT INTO outbox (document_id, stage, attempt, created_at) \
             SELECT d.id, $1, 0, now() FROM documents d WHERE d.state = $2 \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.document_id = d.id \
                             AND o.stage = $1 AND o.sent_at IS NULL \
                             AND o.claimed_until IS NULL) \
             ORDER BY d.id",
        )
        .bind(stage.as_str())
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
            Some(ids) => {
                let ids: Vec<&str> = ids.iter().map(DocumentId::as_str).collect();
                sqlx::query(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents \
                     WHERE id = ANY($1) OR parent_id = ANY($1) ORDER BY id"
                ))
                .bind(&ids)
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
        let row = self.lease_row(id, states, owner, ttl, "").await?;
        row.as_ref().map(record_from_row).transpose()
    }

    async fn lease_with_bytes(
        &self,
        id: &DocumentId,
        states: &[DocumentState],
        owner: &str,
        ttl: Duration,
    ) -> StoreResult<Option<(DocumentRecord, Vec<u8>)>> {
        let bytes = ", (SELECT b.bytes FROM blobs b WHERE b.sha256 = documents.sha256) AS bytes";
        let Some(row) = self.lease_row(id, states, owner, ttl, bytes).await? else {
            return Ok(None);
        };
        let bytes: Option<Vec<u8>> = row.try_get("bytes")?;
        let bytes = bytes.ok_or_else(|| StoreError::NotFound(format!("bytes of document {id}")))?;
        Ok(Some((record_from_row(&row)?, bytes)))
    }

    async fn release(&self, id: &DocumentId, owner: &str) -> StoreResult<()> {
        self.hints.run(async |c| sqlx::query(
            "UPDATE documents SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id.as_str())
        .bind(owner)
        .execute(c)
        .await).await?;
        Ok(())
    }

    async fn stalled(&self, idle: Duration) -> StoreResult<Vec<(DocumentId, DocumentState)>> {
        let rows = sqlx::query(
            "SELECT id, state FROM documents \
             WHERE state IN ('received', 'extracted', 'matched', 'approved') \
             AND ((lease_until IS NOT NULL AND lease_until < now()) \
                  OR (lease_until IS NULL AND updated_at < now() - $1 * interval '1 millisecond')) \
             ORDER BY id",
        )
        .bind(i64::try_from(idle.as_millis()).unwrap_or(i64::MAX) as f64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(id_and_state).collect()
    }

    async fn ledger_begin(&self, key: &str, id: &DocumentId) -> StoreResult<LedgerEntry> {
        let row = self.direct.run(async |c| sqlx::query(
            "INSERT INTO posting_ledger (idempotency_key, document_id, state, attempts, updated_at) \
             VALUES ($1, $2, 'pending', 1, now()) \
             ON CONFLICT (idempotency_key) DO UPDATE SET \
               attempts = posting_ledger.attempts + CASE WHEN posting_ledger.state = 'pending' THEN 1 ELSE 0 END, \
               updated_at = now() \
             RETURNING document_id, state, erp_ref, attempts",
        )
        .bind(key)
        .bind(id.as_str())
        .fetch_one(c)
        .await).await?;
        let state: String = row.try_get("state")?;
        Ok(LedgerEntry {
            key: key.to_string(),
            document_id: DocumentId(row.try_get("document_id")?),
            state: LedgerState::parse(&state)
                .ok_or_else(|| StoreError::Permanent(format!("unknown ledger state {state:?}")))?,
            erp_ref: row.try_get("erp_ref")?,
            attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(u32::MAX),
        })
    }

    async fn events(&self, id: &DocumentId) -> StoreResult<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT at, from_state, to_state, actor, detail FROM events WHERE document_id = $1 ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Event {
                    at: row.try_get::<chrono::DateTime<Utc>, _>("at")?,
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
        status.oldest_unfinished = sqlx::query_scalar(
            "SELECT MIN(updated_at) FROM documents \
             WHERE state IN ('received', 'extracted', 'matched', 'approved', 'waiting')",
        )
        .fetch_one(&self.pool)
        .await?;
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        status.outbox_unsent = u64::try_from(unsent).unwrap_or(0);
        Ok(status)
    }
}
