//! Statements both adapters run alike.
//!
//! SQLite reads `$1`, `IS NOT DISTINCT FROM` and most of the SQL Docket uses
//! like PostgreSQL, so a lookup can be one statement text, bound and run the
//! same way against either pool. Only the rows differ (timestamps, dates and
//! decimals are text in SQLite), so each adapter brings its own decoding.
//! The lookups themselves live beside their port (`llm.rs`, `mailbox.rs`), as
//! inherent methods of [`Portable`] for that port's record type.

use crate::StoreResult;

/// An adapter's pool and its decoding of the rows of record type `R`.
pub(crate) struct Portable<'p, DB: sqlx::Database, R> {
    /// The adapter's pool.
    pub pool: &'p sqlx::Pool<DB>,
    /// The adapter's row decoding.
    pub decode: fn(&DB::Row) -> StoreResult<R>,
}
