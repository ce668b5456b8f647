//! The ERP master-data cache: suppliers, open purchase orders and goods
//! receipts copied from the ERP by `docket erp sync`, so that matching reads
//! them from the store instead of asking the ERP for every document.
//!
//! Records are kept as JSON text per (ERP kind, record kind, id), with the id
//! of the record they belong to (a purchase order's supplier, a receipt's
//! purchase order) to look them up by; what the JSON means is the caller's
//! business (`docket-pipeline`'s sync). Beside them, per ERP kind, the
//! watermark of the last sync: the ERP's own time of its answer.
//!
//! A port of its own, a supertrait of [`crate::Store`] like
//! [`crate::MailboxStore`]. Every statement but the watermark's (whose
//! timestamp column differs) is run alike by both adapters
//! ([`CacheStatements`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// What a cached record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheKind {
    /// A supplier, by supplier id.
    Supplier,
    /// A purchase order, by number; parent: its supplier.
    PurchaseOrder,
    /// A goods receipt, by number and item; parent: its purchase order.
    GoodsReceipt,
}

impl CacheKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheKind::Supplier => "supplier",
            CacheKind::PurchaseOrder => "purchase_order",
            CacheKind::GoodsReceipt => "goods_receipt",
        }
    }
}

/// One cached record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// What it is.
    pub kind: CacheKind,
    /// Its id within its kind.
    pub id: String,
    /// The id of the record it belongs to, if any.
    pub parent: Option<String>,
    /// Its JSON.
    pub body: String,
}

/// What an upsert did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// It was not cached.
    Added,
    /// It was cached with another body.
    Updated,
    /// It was cached as it is.
    Unchanged,
}

/// Where the cache of one ERP kind stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncMark {
    /// The ERP's time of the last answer taken in: the next sync asks for
    /// what changed since.
    pub watermark: DateTime<Utc>,
    /// When Docket took it in.
    pub synced_at: DateTime<Utc>,
}

/// The master-data cache (see the module header).
#[async_trait]
pub trait ErpCacheStore: Send + Sync {
    /// Inserts or replaces records, in one transaction; says for each (in
    /// order) whether it was new, changed or the same.
    async fn erp_cache_upsert(
        &self,
        erp: &str,
        entries: &[CacheEntry],
    ) -> StoreResult<Vec<Upserted>>;

    /// Removes records of a kind by id; returns how many were cached.
    async fn erp_cache_remove(
        &self,
        erp: &str,
        kind: CacheKind,
        ids: &[String],
    ) -> StoreResult<u64>;

    /// The ids of every cached record of a kind (a full sync drops those the ERP no longer lists).
    async fn erp_cache_ids(&self, erp: &str, kind: CacheKind) -> StoreResult<Vec<String>>;

    /// Cached records of a kind by id (unknown ids are simply absent), by id.
    async fn erp_cache_get(
        &self,
        erp: &str,
        kind: CacheKind,
        ids: &[String],
    ) -> StoreResult<Vec<CacheEntry>>;

    /// Cached records of a kind belonging to any of `parents`, by id.
    async fn erp_cache_children(
        &self,
        erp: &str,
        kind: CacheKind,
        parents: &[String],
    ) -> StoreResult<Vec<CacheEntry>>;

    /// Every cached record of a kind, by id.
    async fn erp_cache_all(&self, erp: &str, kind: CacheKind) -> StoreResult<Vec<CacheEntry>>;

    /// Where the last sync of this ERP kind stands; `None` before the first.
    async fn erp_sync_mark(&self, erp: &str) -> StoreResult<Option<SyncMark>>;

    /// Records a finished sync (replacing the earlier mark).
    async fn set_erp_sync_mark(&self, erp: &str, mark: &SyncMark) -> StoreResult<()>;
}

/// The cache's statements over one adapter's pool. `in_list` turns a
/// placeholder bound to a JSON array of text into a set to test `IN`
/// against: the one thing the two SQL dialects write differently here.
pub(crate) struct CacheStatements<'p, DB: sqlx::Database> {
    /// The adapter's pool.
    pub pool: &'p sqlx::Pool<DB>,
    /// `$n` → `(SELECT ... FROM <the JSON array in $n>)`.
    pub in_list: fn(&str) -> String,
}

const ENTRY_COLUMNS: &str = "id, parent, body";

impl<DB> CacheStatements<'_, DB>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'r> Option<String>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'c> &'c str: sqlx::ColumnIndex<DB::Row>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    /// [`ErpCacheStore::erp_cache_upsert`].
    pub async fn upsert(&self, erp: &str, entries: &[CacheEntry]) -> StoreResult<Vec<Upserted>> {
        let mut tx = self.pool.begin().await?;
        let mut done = Vec::with_capacity(entries.len());
        for entry in entries {
            let before: Option<String> = sqlx::query_scalar::<DB, String>(
                "SELECT body FROM erp_cache WHERE erp = $1 AND kind = $2 AND id = $3",
            )
            .bind(erp)
            .bind(entry.kind.as_str())
            .bind(entry.id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match before {
                None => Upserted::Added,
                Some(body) if body == entry.body => {
                    done.push(Upserted::Unchanged);
                    continue;
                }
                Some(_) => Upserted::Updated,
            };
            sqlx::query::<DB>(
                "INSERT INTO erp_cache (erp, kind, id, parent, body) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (erp, kind, id) DO UPDATE SET parent = excluded.parent, \
                 body = excluded.body",
            )
            .bind(erp)
            .bind(entry.kind.as_str())
            .bind(entry.id.as_str())
            .bind(entry.parent.as_deref())
            .bind(entry.body.as_str())
            .execute(&mut *tx)
            .await?;
            done.push(outcome);
        }
        tx.commit().await?;
        Ok(done)
    }

    /// [`ErpCacheStore::erp_cache_remove`].
    pub async fn remove(&self, erp: &str, kind: CacheKind, ids: &[String]) -> StoreResult<u64> {
        // RETURNING counts in both dialects; sqlx has no portable row count.
        let sql = format!(
            "DELETE FROM erp_cache WHERE erp = $1 AND kind = $2 AND id IN {} RETURNING id",
            (self.in_list)("$3")
        );
        let removed = sqlx::query_scalar::<DB, String>(&sql)
            .bind(erp)
            .bind(kind.as_str())
            .bind(serde_json::to_string(ids)?)
            .fetch_all(self.pool)
            .await?;
        Ok(removed.len() as u64)
    }

    /// [`ErpCacheStore::erp_cache_ids`].
    pub async fn ids(&self, erp: &str, kind: CacheKind) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar::<DB, String>(
            "SELECT id FROM erp_cache WHERE erp = $1 AND kind = $2 ORDER BY id",
        )
        .bind(erp)
        .bind(kind.as_str())
        .fetch_all(self.pool)
        .await?)
    }

    /// [`ErpCacheStore::erp_cache_get`] (`column` `id`) and
    /// [`ErpCacheStore::erp_cache_children`] (`column` `parent`).
    pub async fn by(
        &self,
        erp: &str,
        kind: CacheKind,
        column: &str,
        keys: Option<&[String]>,
    ) -> StoreResult<Vec<CacheEntry>> {
        let filter = match keys {
            Some(_) => format!("AND {column} IN {}", (self.in_list)("$3")),
            None => String::new(),
        };
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM erp_cache WHERE erp = $1 AND kind = $2 {filter} ORDER BY id"
        );
        let mut query = sqlx::query::<DB>(&sql).bind(erp).bind(kind.as_str());
        if let Some(keys) = keys {
            query = query.bind(serde_json::to_string(keys)?);
        }
        let rows = query.fetch_all(self.pool).await?;
        rows.iter()
            .map(|row| {
                use sqlx::Row;
                Ok(CacheEntry {
                    kind,
                    id: row.try_get("id")?,
                    parent: row.try_get("parent")?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }
}
