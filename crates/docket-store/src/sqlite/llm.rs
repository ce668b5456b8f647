//! The SQLite side of [`LlmStore`]: the answer cache, the daily token budget
//! and the record of calls.
//!
//! The store's one connection makes each transaction serialisable, so a
//! reservation's sum and insert need no lock of their own. Costs are decimal
//! text, which SQL cannot add exactly: the day totals add them in Rust.

use std::collections::BTreeMap;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use super::rows::{now, parse_time, stamp};
use crate::llm::{
    self, BudgetRequest, LlmCacheKey, LlmDay, LlmSettlement, LlmSpend, LlmStore, Reservation,
    ReservationId, SPEND_COLUMNS, count_from,
};
use crate::portable::Portable;
use crate::{DocumentId, StoreError, StoreResult};

/// A day as stored: `YYYY-MM-DD`, so text order is day order.
fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn parse_day(text: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Permanent(format!("bad day {text:?}: {e}")))
}

fn parse_cost(text: Option<String>) -> StoreResult<Option<Decimal>> {
    text.map(|t| {
        Decimal::from_str(&t).map_err(|e| StoreError::Permanent(format!("bad cost {t:?}: {e}")))
    })
    .transpose()
}

fn spend_from_row(row: &SqliteRow) -> StoreResult<LlmSpend> {
    llm::spend_from_row(
        row,
        parse_day(&row.try_get::<String, _>("day")?)?,
        parse_time(&row.try_get::<String, _>("at")?)?,
        parse_cost(row.try_get("cost")?)?,
    )
}

impl SqliteStore {
    fn llm_portable(&self) -> Portable<'_, sqlx::Sqlite, LlmSpend> {
        Portable {
            pool: &self.pool,
            decode: spend_from_row,
        }
    }
}

#[async_trait]
impl LlmStore for SqliteStore {
    async fn llm_cached(&self, key: &LlmCacheKey) -> StoreResult<Option<String>> {
        self.llm_portable().cached(key).await
    }

    async fn llm_reserve(&self, request: &BudgetRequest) -> StoreResult<Reservation> {
        let day = day_text(request.day);
        let at = Utc::now();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM llm_reservations WHERE day = ? AND expires_at < ?")
            .bind(&day)
            .bind(stamp(at))
            .execute(&mut *tx)
            .await?;
        let (spent, reserved): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE((SELECT spent FROM llm_days WHERE day = ?1), 0), \
             COALESCE((SELECT SUM(tokens) FROM llm_reservations WHERE day = ?1), 0)",
        )
        .bind(&day)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(used) = llm::decide(spent, reserved, request) {
            tx.rollback().await?;
            return Ok(Reservation::Exhausted { used });
        }
        let hold = chrono::Duration::from_std(request.hold).unwrap_or(chrono::Duration::MAX);
        let expires = at.checked_add_signed(hold).unwrap_or(at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO llm_reservations (day, tokens, expires_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(&day)
        .bind(llm::count_column(request.tokens))
        .bind(stamp(expires))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Reservation::Granted(ReservationId(id)))
    }

    async fn llm_settle(&self, settlement: &LlmSettlement) -> StoreResult<()> {
        let spend = &settlement.spend;
        let day = day_text(spend.day);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO llm_days (day, spent) VALUES (?, ?) \
             ON CONFLICT (day) DO UPDATE SET spent = spent + excluded.spent",
        )
        .bind(&day)
        .bind(llm::count_column(spend.tokens()))
        .execute(&mut *tx)
        .await?;
        if let Some(ReservationId(id)) = settlement.reservation {
            sqlx::query("DELETE FROM llm_reservations WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!(
            "INSERT INTO llm_spend ({SPEND_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(spend.document_id.as_str())
        .bind(&day)
        .bind(stamp(spend.at))
        .bind(&spend.model)
        .bind(llm::count_column(spend.prompt_tokens))
        .bind(llm::count_column(spend.completion_tokens))
        .bind(spend.estimated)
        .bind(spend.cost.map(|c| c.normalize().to_string()))
        .bind(&spend.outcome)
        .execute(&mut *tx)
        .await?;
        if let Some((key, answer)) = &settlement.answer {
            sqlx::query(
                "INSERT INTO llm_cache (sha256, model, prompt_version, answer, created_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256, model, prompt_version) \
                 DO UPDATE SET answer = excluded.answer, created_at = excluded.created_at",
            )
            .bind(&key.sha256)
            .bind(&key.model)
            .bind(&key.prompt_version)
            .bind(answer)
            .bind(now())
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
        let rows = sqlx::query(
            "SELECT day, prompt_tokens, completion_tokens, cost FROM llm_spend \
             WHERE day BETWEEN ? AND ? ORDER BY day",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.pool)
        .await?;
        let mut days: BTreeMap<NaiveDate, LlmDay> = BTreeMap::new();
        for row in &rows {
            let day = parse_day(&row.try_get::<String, _>("day")?)?;
            let total = days.entry(day).or_insert(LlmDay {
                day,
                calls: 0,
                prompt_tokens: 0,
                completion_tokens: 0,
                cost: None,
            });
            total.calls += 1;
            total.prompt_tokens += count_from(row.try_get("prompt_tokens")?);
            total.completion_tokens += count_from(row.try_get("completion_tokens")?);
            if let Some(cost) = parse_cost(row.try_get("cost")?)? {
                total.cost = Some(total.cost.unwrap_or_default() + cost);
            }
        }
        Ok(days.into_values().collect())
    }
}
