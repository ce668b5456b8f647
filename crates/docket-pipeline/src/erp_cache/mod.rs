//! Docket's own copy of the ERP's master data, for fast matching.
//!
//! - [`sync`]: one run of `docket erp sync` (and of `docket run`'s
//!   background sync every `erp.sync_minutes`): asks the ERP for what changed
//!   since the stored watermark ([`docket_erp::Erp::master_data`]) and writes
//!   it into the store's cache ([`docket_store::ErpCacheStore`]);
//! - [`cached`]: [`CachedErp`], an `Erp` that answers matching's master-data
//!   questions from that cache once a sync has run (`erp.use_cache`).
//!
//! The cache is keyed by the ERP's kind ([`docket_erp::Erp::name`]), so a
//! store that changes ERPs never mixes their records.

pub mod cached;
pub mod sync;

pub use cached::CachedErp;
pub use sync::{Counts, SyncReport, sync};
