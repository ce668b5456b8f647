//! Docket's `Queue` port: messages that wake a stage for one document.
//!
//! The queue only wakes workers (DESIGN.md invariant 3): a message carries a
//! document id and a stage, never the document. A lost message delays a
//! document (the sweeper re-enqueues it from the store), it never drops it.
//! Consumers acknowledge only after their effect is committed.
//!
//! Adapters: [`memory::InProcessQueue`] (embedded default) and
//! [`rabbitmq::RabbitQueue`] (production: durable/quorum queues, publisher
//! confirms, retry tiers, parking).

pub mod memory;
pub mod rabbitmq;

use async_trait::async_trait;
use docket_domain::{Stage, WorkMessage};

/// Why a queue operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// The queue was closed (shutdown).
    #[error("queue closed")]
    Closed,
    /// The broker is unavailable: worth retrying.
    #[error("queue temporarily unavailable: {0}")]
    Transient(String),
    /// Anything else.
    #[error("queue error: {0}")]
    Permanent(String),
}

/// A received message that must be acknowledged or handed back.
#[async_trait]
pub trait Delivery: Send {
    /// The message.
    fn message(&self) -> &WorkMessage;
    /// The effect is committed: forget the message.
    async fn ack(self: Box<Self>) -> Result<(), QueueError>;
    /// Hand the message back for another attempt after `delay`, with its attempt
    /// counter raised (our own counter, independent of broker redelivery).
    async fn retry(self: Box<Self>, delay: std::time::Duration) -> Result<(), QueueError>;
}

/// Publishes and consumes wake-up messages per stage.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Publishes a message; returns once the queue has accepted it.
    async fn publish(&self, message: WorkMessage) -> Result<(), QueueError>;
    /// Waits for the next message of a stage; `None` once the queue is closed.
    async fn next(&self, stage: Stage) -> Result<Option<Box<dyn Delivery>>, QueueError>;
    /// Puts a message aside after its last attempt, with the reason, for an
    /// operator to inspect and replay (`docket parked list|replay`).
    async fn park(&self, message: &WorkMessage, reason: &str) -> Result<(), QueueError>;
    /// Stops handing out messages; pending `next` calls return `None`.
    fn close(&self);
}
