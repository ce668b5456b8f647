//! What the language model's use leaves in the store: answers cached by
//! document content, model and prompt version; the daily token budget all
//! workers share; and a record of every call (tokens, cost), per document
//! and per day.
//!
//! The budget is reserve-then-settle: before a call, a worker reserves the
//! call's estimate, which is granted only while the day's spent and reserved
//! tokens leave room for it; after the call, settling replaces the
//! reservation with what the call really spent. Workers on any number of
//! machines therefore cannot together reserve past the limit; the day's
//! spend exceeds it only by what calls in flight use beyond their estimates.
//! A reservation whose worker died runs out after its hold and stops counting.
//!
//! A port of its own, a supertrait of [`crate::Store`] like
//! [`crate::MailboxStore`], kept in one file per adapter (`sqlite/llm.rs`,
//! `postgres/llm.rs`). Days are UTC days, chosen by the caller.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::portable::Portable;
use crate::{DocumentId, StoreResult};

/// What a cached answer is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LlmCacheKey {
    /// SHA-256 of the document's bytes, hex.
    pub sha256: String,
    /// The model (for Azure OpenAI, the deployment).
    pub model: String,
    /// The version of what Docket asks (prompt, answer schema, text cut).
    pub prompt_version: String,
}

/// A reservation to ask the day's budget for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetRequest {
    /// The UTC day whose budget pays.
    pub day: NaiveDate,
    /// The call's estimate.
    pub tokens: u64,
    /// The day's budget.
    pub limit: u64,
    /// How long the reservation holds at most: longer than the call can take.
    pub hold: Duration,
}

/// A granted reservation, to settle after the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReservationId(pub i64);

/// What the budget answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Reserved: call, then settle.
    Granted(ReservationId),
    /// No room: the day's spent and reserved tokens, which with this
    /// estimate would pass the limit.
    Exhausted {
        /// Tokens spent and reserved so far today.
        used: u64,
    },
}

/// One call to the model, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LlmSpend {
    /// The document it read.
    pub document_id: DocumentId,
    /// The UTC day it counts to (the day of its reservation).
    pub day: NaiveDate,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// The model (for Azure OpenAI, the deployment).
    pub model: String,
    /// Prompt tokens, over all attempts.
    pub prompt_tokens: u64,
    /// Answer tokens, over all attempts.
    pub completion_tokens: u64,
    /// Whether the service left some of the count to Docket's estimate.
    pub estimated: bool,
    /// What it cost at the configured prices, if any are configured.
    pub cost: Option<Decimal>,
    /// `answered`, or the error class of a call without a usable answer
    /// (`timeout`, `schema`, ...).
    pub outcome: String,
}

impl LlmSpend {
    /// Prompt and answer tokens together.
    pub fn tokens(&self) -> u64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }
}

/// Settling a call: its record, the reservation it ends and, when the
/// answer was usable, the answer to cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmSettlement {
    /// What the call spent.
    pub spend: LlmSpend,
    /// The reservation it was made under (none without a budget).
    pub reservation: Option<ReservationId>,
    /// The key and JSON text of an answer to keep.
    pub answer: Option<(LlmCacheKey, String)>,
}

/// One day of calls, for `docket status` and the dashboard's chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LlmDay {
    /// The UTC day.
    pub day: NaiveDate,
    /// Calls made.
    pub calls: u64,
    /// Prompt tokens spent.
    pub prompt_tokens: u64,
    /// Answer tokens spent.
    pub completion_tokens: u64,
    /// Cost of the calls that had one.
    pub cost: Option<Decimal>,
}

/// The language model's shared state (see the module header).
#[async_trait]
pub trait LlmStore: Send + Sync {
    /// The cached answer for a key, as JSON text.
    async fn llm_cached(&self, key: &LlmCacheKey) -> StoreResult<Option<String>>;

    /// Reserves `request.tokens` of the day's budget if they fit beside what
    /// is spent and reserved; expired reservations no longer count.
    async fn llm_reserve(&self, request: &BudgetRequest) -> StoreResult<Reservation>;

    /// Records a call and ends its reservation, counting what it spent to
    /// its day, and caches its answer (replacing an earlier one), all in one
    /// transaction.
    async fn llm_settle(&self, settlement: &LlmSettlement) -> StoreResult<()>;

    /// The calls made for a document, oldest first.
    async fn llm_spend(&self, document: &DocumentId) -> StoreResult<Vec<LlmSpend>>;

    /// Calls, tokens and cost per day from `from` to `to` (both included),
    /// days without calls left out.
    async fn llm_days(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<LlmDay>>;
}

/// The budget's decision, the same in every adapter: granted when the day's
/// `spent` and `reserved` tokens and the request's fit in its limit.
pub(crate) fn decide(spent: i64, reserved: i64, request: &BudgetRequest) -> Option<u64> {
    let used = u64::try_from(spent.saturating_add(reserved)).unwrap_or(0);
    let fits = used.saturating_add(request.tokens) <= request.limit;
    (!fits).then_some(used)
}

/// A count (of tokens) as stored: a signed 64-bit column.
pub(crate) fn count_column(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// A stored count back (never negative).
pub(crate) fn count_from(column: i64) -> u64 {
    u64::try_from(column).unwrap_or(0)
}

/// The columns of `llm_spend` read into an [`LlmSpend`].
pub(crate) const SPEND_COLUMNS: &str = "document_id, day, at, model, prompt_tokens, \
     completion_tokens, estimated, cost, outcome";

/// An `llm_spend` row as a record, in either adapter; `day`, `at` and
/// `cost` come from the adapter, whose types for them differ (text in
/// SQLite; `date`, `timestamptz` and `numeric` in PostgreSQL).
pub(crate) fn spend_from_row<R>(
    row: &R,
    day: NaiveDate,
    at: DateTime<Utc>,
    cost: Option<Decimal>,
) -> StoreResult<LlmSpend>
where
    R: sqlx::Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(LlmSpend {
        document_id: DocumentId(row.try_get("document_id")?),
        day,
        at,
        model: row.try_get("model")?,
        prompt_tokens: count_from(row.try_get("prompt_tokens")?),
        completion_tokens: count_from(row.try_get("completion_tokens")?),
        estimated: row.try_get("estimated")?,
        cost,
        outcome: row.try_get("outcome")?,
    })
}

/// The `llm_*` lookups both adapters run alike ([`Portable`]); rows are
/// decoded by the adapter (see [`spend_from_row`]).
impl<DB> Portable<'_, DB, LlmSpend>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    /// [`LlmStore::llm_cached`].
    pub async fn cached(&self, key: &LlmCacheKey) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar::<DB, String>(
            "SELECT answer FROM llm_cache WHERE sha256 = $1 AND model = $2 AND prompt_version = $3",
        )
        .bind(key.sha256.as_str())
        .bind(key.model.as_str())
        .bind(key.prompt_version.as_str())
        .fetch_optional(self.pool)
        .await?)
    }

    /// [`LlmStore::llm_spend`].
    pub async fn spend(&self, document: &DocumentId) -> StoreResult<Vec<LlmSpend>> {
        let sql =
            format!("SELECT {SPEND_COLUMNS} FROM llm_spend WHERE document_id = $1 ORDER BY id");
        let rows = sqlx::query::<DB>(&sql)
            .bind(document.as_str())
            .fetch_all(self.pool)
            .await?;
        rows.iter().map(self.decode).collect()
    }
}
