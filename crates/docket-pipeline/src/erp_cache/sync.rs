//! One master-data sync: the ERP's answer since the watermark, written into
//! the store's cache, counted.
//!
//! Open purchase orders are upserted; a purchase order the answer says is
//! closed leaves the cache with its receipts. A complete answer (a full
//! sync, or an ERP that cannot filter by change date) is everything there
//! is, so what the cache holds beyond it is dropped: closed purchase orders
//! and suppliers gone from the ERP. The watermark moves only after the
//! records are written: a sync cut short is repeated from the old
//! watermark, and upserting a record twice changes nothing.

use chrono::Utc;
use docket_domain::erp::{GoodsReceipt, PurchaseOrder, Supplier};
use docket_erp::Erp;
use docket_store::{CacheEntry, CacheKind, Store, SyncMark, Upserted};
use serde::Serialize;

use crate::PipelineError;

/// Records written per transaction (and per progress line).
const BATCH: usize = 500;

/// What a sync did to one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// New in the cache.
    pub added: u64,
    /// Changed in the cache.
    pub updated: u64,
    /// Dropped from the cache (for purchase orders: closed).
    pub removed: u64,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The ERP kind.
    pub erp: String,
    /// Whether everything was asked for (no watermark, or `--full`).
    pub full: bool,
    /// Suppliers.
    pub suppliers: Counts,
    /// Purchase orders (`removed`: closed).
    pub purchase_orders: Counts,
    /// Goods receipts.
    pub goods_receipts: Counts,
}

/// Syncs the cache of `erp` in `store`: from the stored watermark, or
/// everything when `full` or when none is stored. `progress` hears a line
/// per batch written, for long runs.
pub async fn sync(
    erp: &dyn Erp,
    store: &dyn Store,
    full: bool,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<SyncReport, PipelineError> {
    let name = erp.name().to_string();
    let since = match full {
        true => None,
        false => store.erp_sync_mark(&name).await?.map(|m| m.watermark),
    };
    progress(&match since {
        Some(at) => format!("asking the {name} ERP for master data changed since {at}"),
        None => format!("asking the {name} ERP for all master data"),
    });
    let data = erp.master_data(since).await?;
    let writer = Writer {
        store,
        erp: &name,
        complete: data.complete,
    };
    let suppliers = writer
        .write(
            CacheKind::Supplier,
            &data.suppliers,
            supplier_entry,
            progress,
        )
        .await?;
    let (closed, open): (Vec<&PurchaseOrder>, Vec<&PurchaseOrder>) =
        data.purchase_orders.iter().partition(|po| po.closed);
    let mut purchase_orders = writer
        .write(CacheKind::PurchaseOrder, &open, order_entry, progress)
        .await?;
    let closed: Vec<String> = closed.iter().map(|po| po.number.clone()).collect();
    purchase_orders.removed += writer.drop_orders(&closed).await?;
    let goods_receipts = writer
        .write(
            CacheKind::GoodsReceipt,
            &data.goods_receipts,
            receipt_entry,
            progress,
        )
        .await?;
    let mark = SyncMark {
        watermark: data.as_of,
        synced_at: Utc::now(),
    };
    store.set_erp_sync_mark(&name, &mark).await?;
    Ok(SyncReport {
        erp: name,
        full: since.is_none(),
        suppliers,
        purchase_orders,
        goods_receipts,
    })
}

/// Writes one answer into the cache of one ERP kind.
struct Writer<'a> {
    store: &'a dyn Store,
    erp: &'a str,
    complete: bool,
}

impl Writer<'_> {
    /// Upserts `records` of `kind` in batches and, for a complete answer,
    /// drops the cached ones it lacks.
    async fn write<T>(
        &self,
        kind: CacheKind,
        records: &[T],
        entry: fn(&T) -> Result<CacheEntry, serde_json::Error>,
        progress: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Counts, PipelineError> {
        let mut counts = Counts::default();
        let mut seen = std::collections::HashSet::new();
        for (at, batch) in records.chunks(BATCH).enumerate() {
            let entries = batch
                .iter()
                .map(entry)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PipelineError::Inconsistent(format!("master data: {e}")))?;
            seen.extend(entries.iter().map(|e| e.id.clone()));
            for done in self.store.erp_cache_upsert(self.erp, &entries).await? {
                match done {
                    Upserted::Added => counts.added += 1,
                    Upserted::Updated => counts.updated += 1,
                    Upserted::Unchanged => {}
                }
            }
            if records.len() > BATCH {
                let written = (at * BATCH + batch.len()).min(records.len());
                progress(&format!(
                    "{}: {written} of {}",
                    kind.as_str(),
                    records.len()
                ));
            }
        }
        if self.complete {
            let gone: Vec<String> = self
                .store
                .erp_cache_ids(self.erp, kind)
                .await?
                .into_iter()
                .filter(|id| !seen.contains(id))
                .collect();
            counts.removed += match kind {
                // A purchase order's receipts go with it.
                CacheKind::PurchaseOrder => self.drop_orders(&gone).await?,
                _ => self.store.erp_cache_remove(self.erp, kind, &gone).await?,
            };
        }
        Ok(counts)
    }

    /// Drops purchase orders and their receipts; returns how many orders were cached.
    async fn drop_orders(&self, numbers: &[String]) -> Result<u64, PipelineError> {
        if numbers.is_empty() {
            return Ok(0);
        }
        let receipts: Vec<String> = self
            .store
            .erp_cache_children(self.erp, CacheKind::GoodsReceipt, numbers)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        self.store
            .erp_cache_remove(self.erp, CacheKind::GoodsReceipt, &receipts)
            .await?;
        Ok(self
            .store
            .erp_cache_remove(self.erp, CacheKind::PurchaseOrder, numbers)
            .await?)
    }
}

fn supplier_entry(s: &Supplier) -> Result<CacheEntry, serde_json::Error> {
    Ok(CacheEntry {
        kind: CacheKind::Supplier,
        id: s.id.clone(),
        parent: None,
        body: serde_json::to_string(s)?,
    })
}

fn order_entry(po: &&PurchaseOrder) -> Result<CacheEntry, serde_json::Error> {
    Ok(CacheEntry {
        kind: CacheKind::PurchaseOrder,
        id: po.number.clone(),
        parent: Some(po.supplier_id.clone()),
        body: serde_json::to_string(po)?,
    })
}

/// A receipt's id: its document number and item (one material document
/// may receive several lines).
fn receipt_id(gr: &GoodsReceipt) -> String {
    format!("{}/{}", gr.number, gr.item)
}

fn receipt_entry(gr: &GoodsReceipt) -> Result<CacheEntry, serde_json::Error> {
    Ok(CacheEntry {
        kind: CacheKind::GoodsReceipt,
        id: receipt_id(gr),
        parent: Some(gr.purchase_order.clone()),
        body: serde_json::to_string(gr)?,
    })
}

impl crate::Pipeline {
    /// Syncs the master-data cache every `every` until `stop` (`docket run`
    /// with `erp.sync_minutes`), starting at once. A failed sync is logged
    /// and tried again next time: a stale cache still answers, and an ERP
    /// that cannot list master data must not stop the workers.
    pub async fn run_erp_sync(
        &self,
        stop: tokio::sync::watch::Receiver<bool>,
        every: std::time::Duration,
    ) -> Result<(), PipelineError> {
        crate::relay::periodically(
            stop,
            std::time::Duration::ZERO,
            every,
            "erp sync",
            || async {
                match sync(self.erp.as_ref(), self.store.as_ref(), false, &mut |line| {
                    tracing::debug!("erp sync: {line}")
                })
                .await
                {
                    Ok(report) => tracing::info!(?report, "erp sync: done"),
                    Err(e) => tracing::warn!(error = %e, "erp sync failed; trying again next time"),
                }
                Ok::<(), PipelineError>(())
            },
        )
        .await
    }
}
