//! The Postgres side of [`ErpCacheStore`]: the ERP master-data cache.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::PgStore;
use crate::StoreResult;
use crate::erp_cache::{CacheEntry, CacheKind, CacheStatements, ErpCacheStore, SyncMark, Upserted};

/// A list travels as one JSON array of text, as in SQLite, so that both
/// adapters share their statements.
fn in_list(placeholder: &str) -> String {
    format!("(SELECT json_array_elements_text({placeholder}::json))")
}

impl PgStore {
    fn cache(&self) -> CacheStatements<'_, sqlx::Postgres> {
        CacheStatements {
            pool: &self.pool,
            in_list,
        }
    }
}

#[async_trait]
impl ErpCacheStore for PgStore {
    async fn erp_cache_upsert(
        &self,
        erp: &str,
        entries: &[CacheEntry],
    ) -> StoreResult<Vec<Upserted>> {
        self.cache().upsert(erp, entries).await
    }

    async fn erp_cache_remove(
        &self,
        erp: &str,
        kind: CacheKind,
        ids: &[String],
    ) -> StoreResult<u64> {
        self.cache().remove(erp, kind, ids).await
    }

    async fn erp_cache_ids(&self, erp: &str, kind: CacheKind) -> StoreResult<Vec<String>> {
        self.cache().ids(erp, kind).await
    }

    async fn erp_cache_get(
        &self,
        erp: &str,
        kind: CacheKind,
        ids: &[String],
    ) -> StoreResult<Vec<CacheEntry>> {
        self.cache().by(erp, kind, "id", Some(ids)).await
    }

    async fn erp_cache_children(
        &self,
        erp: &str,
        kind: CacheKind,
        parents: &[String],
    ) -> StoreResult<Vec<CacheEntry>> {
        self.cache().by(erp, kind, "parent", Some(parents)).await
    }

    async fn erp_cache_all(&self, erp: &str, kind: CacheKind) -> StoreResult<Vec<CacheEntry>> {
        self.cache().by(erp, kind, "id", None).await
    }

    async fn erp_sync_mark(&self, erp: &str) -> StoreResult<Option<SyncMark>> {
        let row = sqlx::query("SELECT watermark, synced_at FROM erp_sync WHERE erp = $1")
            .bind(erp)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(SyncMark {
                watermark: row.try_get::<DateTime<Utc>, _>("watermark")?,
                synced_at: row.try_get::<DateTime<Utc>, _>("synced_at")?,
            })
        })
        .transpose()
    }

    async fn set_erp_sync_mark(&self, erp: &str, mark: &SyncMark) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO erp_sync (erp, watermark, synced_at) VALUES ($1, $2, $3) \
             ON CONFLICT (erp) DO UPDATE SET watermark = excluded.watermark, \
             synced_at = excluded.synced_at",
        )
        .bind(erp)
        .bind(mark.watermark)
        .bind(mark.synced_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
