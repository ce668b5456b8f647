//! The PostgreSQL side of [`LlmStore`]: the answer cache, the daily token
//! budget and the record of calls.
//!
//! A reservation locks its day's `llm_days` row (`FOR UPDATE`) before it
//! adds up what is spent and reserved, so reservations of one day are
//! decided one at a time however many workers ask; settling updates the
//! same row first, so a reservation sees a call's release and its spend
//! together. One LLM call per document makes these a few statements per
//! call, next to seconds of model time: the ordinary pool serves them.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::PgStore;
use crate::llm::{
    self, BudgetRequest, LlmCacheKey, LlmDay, LlmSettlement, LlmSpend, LlmStore, Reservation,
    ReservationId, SPEND_COLUMNS, count_from,
};
use crate::portable::Portable;
use crate::{DocumentId, StoreResult};

fn spend_from_row(row: &PgRow) -> StoreResult<LlmSpend> {
    llm::spend_from_row(
        row,
        row.try_get("day")?,
        row.try_get::<DateTime<Utc>, _>("at")?,
        row.try_get("cost")?,
    )
}

impl PgStore {
    fn llm_portable(&self) -> Portable<'_, sqlx::Postgres, LlmSpend> {
        Portable {
            pool: &self.pool,
            decode: spend_from_row,
        }
    }
}

#[async_trait]
impl LlmStore for PgStore {
    async fn llm_cached(&self, key: &LlmCacheKey) -> StoreResult<Option<String>> {
        self.llm_portable().cached(key).await
    }

    async fn llm_reserve(&self, request: &BudgetRequest) -> StoreResult<Reservation> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO llm_days (day) VALUES ($1) ON CONFLICT (day) DO NOTHING")
            .bind(request.day)
            .execute(&mut *tx)
            .await?;
        let spent: i64 = sqlx::query_scalar("SELECT spent FROM llm_days WHERE day = $1 FOR UPDATE")
            .bind(request.day)
            .fetch_one(&mut *tx)
            .await?;
        // Only this day's: its lock covers them (deleting other days' rows
        // could deadlock with reservations of those days).
        sqlx::query("DELETE FROM llm_reservations WHERE day = $1 AND expires_at < now()")
            .bind(request.day)
            .execute(&mut *tx)
            .await?;
        let reserved: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(tokens), 0)::bigint FROM llm_reservations WHERE day = $1",
        )
        .bind(request.day)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(used) = llm::decide(spent, reserved, request) {
            tx.rollback().await?;
            return Ok(Reservation::Exhausted { used });
        }
        let hold_ms = i64::try_from(request.hold.as_millis()).unwrap_or(i64::MAX) as f64;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO llm_reservations (day, tokens, expires_at) \
             VALUES ($1, $2, now() + $3 * interval '1 millisecond') RETURNING id",
        )
        .bind(request.day)
        .bind(llm::count_column(request.tokens))
        .bind(hold_ms)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Reservation::Granted(ReservationId(id)))
    }

    async fn llm_settle(&self, settlement: &LlmSettlement) -> StoreResult<()> {
        let spend = &settlement.spend;
        let mut tx = self.pool.begin().await?;
        // The day's row first: it is the lock reservations take.
        sqlx::query(
            "INSERT INTO llm_days (day, spent) VALUES ($1, $2) \
             ON CONFLICT (day) DO UPDATE SET spent = llm_days.spent + excluded.spent",
        )
        .bind(spend.day)
        .bind(llm::count_column(spend.tokens()))
        .execute(&mut *tx)
        .await?;
        if let Some(ReservationId(id)) = settlement.reservation {
            sqlx::query("DELETE FROM llm_reservations WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!(
            "INSERT INTO llm_spend ({SPEND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(spend.document_id.as_str())
        .bind(spend.day)
        .bind(spend.at)
        .bind(&spend.model)
        .bind(llm::count_column(spend.prompt_tokens))
        .bind(llm::count_column(spend.completion_tokens))
        .bind(spend.estimated)
        .bind(spend.cost)
        .bind(&spend.outcome)
        .execute(&mut *tx)
        .await?;
        if let Some((key, answer)) = &settlement.answer {
            sqlx::query(
                "INSERT INTO llm_cache (sha256, model, prompt_version, answer) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (sha256, model, prompt_version) \
                 DO UPDATE SET answer = excluded.answer, created_at = now()",
            )
            .bind(&key.sha256)
            .bind(&key.model)
            .bind(&key.prompt_version)
            .bind(answer)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn llm_spend(&self, document: &DocumentId) -> StoreResult<Vec<LlmSpend>> {
        self.llm_portable().spend(document).await
    }

    async fn llm_days(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<LlmDay>> {
        let rows: Vec<(NaiveDate, i64, i64, i64, Option<Decimal>)> = sqlx::query_as(
            "SELECT day, count(*), COALESCE(SUM(prompt_tokens), 0)::bigint, \
             COALESCE(SUM(completion_tokens), 0)::bigint, SUM(cost) \
             FROM llm_spend WHERE day BETWEEN $1 AND $2 GROUP BY day ORDER BY day",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(day, calls, prompt, completion, cost)| LlmDay {
                day,
                calls: count_from(calls),
                prompt_tokens: count_from(prompt),
                completion_tokens: count_from(completion),
                cost,
            })
            .collect())
    }
}
