//! Master data for Docket's own cache (`docket erp sync`): suppliers, open
//! purchase orders with their lines, and their goods receipts, as one answer
//! of [`crate::Erp::master_data`].
//!
//! An incremental answer holds only what changed since the caller's
//! watermark, closed purchase orders included (so that the cache can drop
//! them); `as_of` is the ERP's own time of the answer, the next watermark.
//! It is taken *before* the reads start, so a record changed while the
//! pages are read is read again next time rather than missed.

use chrono::{DateTime, Utc};
use docket_domain::erp::{GoodsReceipt, PurchaseOrder, Supplier};
use serde::{Deserialize, Serialize};

/// One answer of [`crate::Erp::master_data`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasterData {
    /// Suppliers (with IBANs, VAT ids and blocks) changed since the watermark.
    pub suppliers: Vec<Supplier>,
    /// Purchase orders changed since the watermark: open ones, and closed
    /// ones the cache must drop. A full answer may leave closed ones out.
    pub purchase_orders: Vec<PurchaseOrder>,
    /// Goods receipts (and reversals) of those purchase orders, or posted since the watermark.
    pub goods_receipts: Vec<GoodsReceipt>,
    /// The ERP's time when the answer was taken: the next watermark.
    pub as_of: DateTime<Utc>,
    /// Whether this is everything (`since` was `None`, or the ERP cannot
    /// filter by change date): the cache then drops what the answer lacks.
    pub complete: bool,
}

impl MasterData {
    /// An empty answer as of `as_of`.
    pub fn empty(as_of: DateTime<Utc>, complete: bool) -> Self {
        MasterData {
            suppliers: Vec::new(),
            purchase_orders: Vec::new(),
            goods_receipts: Vec::new(),
            as_of,
            complete,
        }
    }
}
