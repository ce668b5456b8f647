//! Docket's pipeline: the stage workers and what ties them together.
//!
//! The same code runs embedded (`docket demo`: SQLite, in-process queue, sandbox
//! ERP) and in production (PostgreSQL, RabbitMQ, a real ERP): it only sees the
//! `Store`, `Queue` and `Erp` ports.
//!
//! - [`stages`]: one handler per stage (extract, match, post), each idempotent
//!   and guarded by the document's expected state;
//! - [`worker`]: consumes a stage's queue, acknowledges after commit, retries
//!   transient failures with a growing delay and our own attempt counter;
//! - [`relay`]: publishes the store's outbox to the queue, and the sweeper that
//!   re-enqueues documents whose work was lost;
//! - [`recheck`]: queues waiting documents for matching again;
//! - [`erp_cache`]: the ERP master-data sync and the `Erp` that reads it;
//! - [`report`]: one line per document and a summary, for the CLI.

pub mod erp_cache;
pub mod recheck;
pub mod relay;
pub mod report;
pub mod stages;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use docket_erp::{Erp, ErpError};
use docket_extract::{Limits, Reader};
use docket_ingest::mail::MailLimits;
use docket_llm::{LlmClient, LlmError};
use docket_matching::Policy;
use docket_queue::{Queue, QueueError};
use docket_store::{Store, StoreError};

/// Why a stage could not finish its work on a document.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ERP failed.
    #[error(transparent)]
    Erp(#[from] ErpError),
    /// The queue failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// The language model failed.
    #[error(transparent)]
    Llm(#[from] LlmError),
    /// Files could not be read for a reason of this machine's (no parser
    /// process could be started), not of the file's.
    #[error(transparent)]
    Extract(#[from] docket_extract::ExtractError),
    /// A stored record does not fit the model (a bug or a manual edit).
    #[error("inconsistent record: {0}")]
    Inconsistent(String),
}

impl PipelineError {
    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            PipelineError::Store(e) => e.is_transient(),
            PipelineError::Erp(e) => e.is_transient(),
            PipelineError::Queue(e) => matches!(e, QueueError::Transient(_)),
            PipelineError::Llm(e) => e.is_transient(),
            PipelineError::Extract(e) => e.is_transient(),
            PipelineError::Inconsistent(_) => false,
        }
    }
}

/// Retry behaviour for transient failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a document is handed to a person.
    pub max_attempts: u32,
    /// Delay before the first retry; doubles with every attempt.
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            first_delay: Duration::from_millis(500),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `attempt` (0-based), capped at five minutes.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.first_delay
            .saturating_mul(factor)
            .min(Duration::from_secs(300))
    }
}

/// Everything a stage needs: the ports and the policies.
pub struct Pipeline {
    /// The store (truth).
    pub store: Arc<dyn Store>,
    /// The queue (wake-ups).
    pub queue: Arc<dyn Queue>,
    /// The ERP.
    pub erp: Arc<dyn Erp>,
    /// The matching policy.
    pub policy: Policy,
    /// Extraction limits.
    pub limits: Limits,
    /// Where files are read: parser processes, or in-process.
    pub reader: Reader,
    /// What one mail may cost when the extract stage splits it.
    pub mail_limits: MailLimits,
    /// Retry behaviour.
    pub retry: RetryPolicy,
    /// How long a worker holds a document; longer than any handler may take.
    pub lease_ttl: Duration,
    /// The language model, when configured (its settings say when to ask it).
    pub llm: Option<Arc<LlmClient>>,
}

/// The default lease: well above the extraction budget and ERP time-outs.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(300);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_and_are_capped() {
        let retry = RetryPolicy {
            max_attempts: 5,
            first_delay: Duration::from_millis(500),
        };
        assert_eq!(retry.delay(0), Duration::from_millis(500));
        assert_eq!(retry.delay(3), Duration::from_secs(4));
        assert_eq!(retry.delay(40), Duration::from_secs(300));
    }
}
