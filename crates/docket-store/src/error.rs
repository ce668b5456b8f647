//! The one error type of the store crate, classified for the pipeline.
//!
//! Database driver errors never leave this crate as such (house rule 3): they are
//! turned into one of these variants with the driver's message as text.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The document (or blob) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A uniqueness or state guard was violated.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database is unavailable or busy: worth retrying.
    #[error("store temporarily unavailable: {0}")]
    Transient(String),
    /// Anything else: a bug, a corrupt row, a failed migration.
    #[error("store error: {0}")]
    Permanent(String),
}

impl StoreError {
    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Transient(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound(err.to_string()),
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                StoreError::Transient(err.to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            sqlx::Error::Database(db) if db.message().contains("locked") => {
                StoreError::Transient(db.message().to_string())
            }
            // PostgreSQL going away or too busy: connection exceptions (08),
            // administrator or crash shutdown (57P01-57P03), insufficient
            // resources (53), serialization failures and deadlocks (40001, 40P01).
            sqlx::Error::Database(db)
                if db.code().is_some_and(|c| {
                    c.starts_with("08")
                        || c.starts_with("57P")
                        || c.starts_with("53")
                        || c == "40001"
                        || c == "40P01"
                }) =>
            {
                StoreError::Transient(db.message().to_string())
            }
            sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => {
                StoreError::Transient(err.to_string())
            }
            _ => StoreError::Permanent(err.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Permanent(format!("stored JSON does not fit the model: {err}"))
    }
}
