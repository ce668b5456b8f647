//! The RabbitMQ adapter of the [`Queue`] port (lapin).
//!
//! Durable (or quorum) queue per stage behind a direct exchange, publisher
//! confirms on every publish, per-consumer prefetch, delayed retries through
//! TTL tier queues that dead-letter back to the work exchange, a parking queue
//! for messages over `max_attempts`, and an exceptions fanout other systems
//! may subscribe to. See [`topology`] for the names and arguments.
//!
//! Delivery is at-least-once: after a reconnect the broker redelivers whatever
//! was unacked, and a publish interrupted by a dropped connection is repeated.
//! Handlers are idempotent per document (DESIGN.md invariant 3).
//!
//! Errors: while the connection is down, `publish` and `next` reconnect with
//! exponential backoff (100 ms doubling, capped at 3 s), re-declare the
//! topology and recreate consumers; past `reconnect_timeout` they report
//! [`QueueError::Transient`]. A broker nack is transient too (reported at
//! once, the caller retries later). Refused credentials, missing or
//! mismatched queues and unroutable messages are [`QueueError::Permanent`].

mod admin;
mod codec;
mod connection;
mod delivery;
mod settings;
pub mod topology;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use docket_domain::{Stage, WorkMessage};
use tokio::sync::{Mutex, watch};

pub use admin::ParkedMessage;
pub use codec::{ATTEMPT_HEADER, ExceptionNotice, REASON_HEADER};
pub use settings::RabbitSettings;
pub use topology::Topology;

use self::codec::{encode_exception, encode_work};
use self::connection::{Link, Target};
use self::delivery::StageConsumer;
use crate::{Delivery, Queue, QueueError};

/// The RabbitMQ queue. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct RabbitQueue {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    link: Link,
    consumers: HashMap<Stage, Mutex<Option<StageConsumer>>>,
    /// Set by `close`: no new messages are handed out.
    closed: watch::Sender<bool>,
    /// Deliveries handed out and not yet settled (for a graceful shutdown).
    outstanding: watch::Sender<usize>,
}

impl std::fmt::Debug for RabbitQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RabbitQueue")
            .field("settings", self.inner.link.settings())
            .field("generation", &self.inner.link.generation())
            .finish_non_exhaustive()
    }
}

impl RabbitQueue {
    /// Connects (retrying within `reconnect_timeout`) and declares the topology.
    #[tracing::instrument(skip_all, fields(prefix = %settings.prefix))]
    pub async fn connect(settings: RabbitSettings) -> Result<Self, QueueError> {
        settings.validate()?;
        let consumers = Stage::ALL
            .into_iter()
            .map(|stage| (stage, Mutex::new(None)))
            .collect();
        let inner = Inner {
            link: Link::new(settings),
            consumers,
            closed: watch::channel(false).0,
            outstanding: watch::channel(0).0,
        };
        inner.link.live().await?;
        Ok(RabbitQueue {
            inner: Arc::new(inner),
        })
    }

    /// The names of the exchanges and queues this adapter uses.
    pub fn topology(&self) -> &Topology {
        self.inner.link.topology()
    }

    /// The settings (their `Debug` redacts the password).
    pub fn settings(&self) -> &RabbitSettings {
        self.inner.link.settings()
    }

    /// How many connections were opened: 1 after start-up, +1 per reconnect.
    pub fn connection_generation(&self) -> u64 {
        self.inner.link.generation()
    }

    /// Announces on the exceptions fanout that a document needs a person.
    #[tracing::instrument(skip_all, fields(document_id = %document_id))]
    pub async fn publish_exception(
        &self,
        document_id: &str,
        reason: &str,
    ) -> Result<(), QueueError> {
        let notice = ExceptionNotice {
            document_id: document_id.into(),
            reason: reason.into(),
        };
        let (body, properties) = encode_exception(&notice).map_err(encoding)?;
        let exchange = self.topology().exceptions();
        let target = Target {
            exchange: &exchange,
            routing_key: "",
        };
        self.inner.link.publish(target, &body, &properties).await
    }

    /// Parks a message (publishes it to the parking queue with `reason` in the
    /// `x-docket-reason` header), independently of any delivery.
    #[tracing::instrument(skip_all, fields(document_id = %message.document_id))]
    pub async fn park(&self, message: &WorkMessage, reason: &str) -> Result<(), QueueError> {
        self.inner.park(message, reason).await
    }

    /// Closes gracefully: stops handing out messages, cancels the consumers
    /// (their prefetched messages go back to the queue), waits up to `grace`
    /// for handed-out deliveries to be settled, then closes the connection
    /// (the broker requeues whatever is still unacked).
    ///
    /// Every step is bounded: a broker that stops answering (a cancel or a
    /// close never confirmed) must not keep the process from exiting; what is
    /// unacked then comes back when the connection drops.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.closed.send_replace(true);
        bounded(
            "cancelling the consumers",
            grace,
            self.inner.cancel_consumers(),
        )
        .await;
        let mut outstanding = self.inner.outstanding.subscribe();
        bounded("waiting for in-flight work", grace, async {
            let _ = outstanding.wait_for(|n| *n == 0).await;
        })
        .await;
        bounded(
            "closing the connection",
            CLOSE_TIMEOUT,
            self.inner.link.shutdown(),
        )
        .await;
    }
}

/// How long closing the connection may take at shutdown.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one step of the shutdown for at most `limit`, saying so when it gives up.
async fn bounded(step: &str, limit: Duration, work: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(limit, work).await.is_err() {
        tracing::warn!("shutdown: gave up {step} after {limit:?}");
    }
}

impl Inner {
    async fn park(&self, message: &WorkMessage, reason: &str) -> Result<(), QueueError> {
        let (body, properties) = encode_work(message, Some(reason)).map_err(encoding)?;
        let exchange = self.link.topology().dead_letter_exchange();
        let target = Target {
            exchange: &exchange,
            routing_key: message.stage.as_str(),
        };
        self.link.publish(target, &body, &properties).await
    }

    /// Publishes to the retry tier whose delay is the smallest one `>= delay`
    /// (the longest tier when none is long enough).
    async fn publish_retry(
        &self,
        message: &WorkMessage,
        delay: Duration,
    ) -> Result<(), QueueError> {
        let tier = retry_tier(&self.link.settings().retry_delays, delay);
        let (body, properties) = encode_work(message, None).map_err(encoding)?;
        let exchange = self.link.topology().retry_tier(tier);
        let target = Target {
            exchange: &exchange,
            routing_key: message.stage.as_str(),
        };
        self.link.publish(target, &body, &properties).await
    }

    async fn publish_work(&self, message: &WorkMessage) -> Result<(), QueueError> {
        let (body, properties) = encode_work(message, None).map_err(encoding)?;
        let exchange = self.link.topology().work_exchange();
        let target = Target {
            exchange: &exchange,
            routing_key: message.stage.as_str(),
        };
        self.link.publish(target, &body, &properties).await
    }
}

/// The index of the tier to use for `delay`.
fn retry_tier(tiers: &[Duration], delay: Duration) -> usize {
    let fitting = tiers
        .iter()
        .enumerate()
        .filter(|(_, tier)| **tier >= delay)
        .min_by_key(|(_, tier)| **tier);
    let longest = tiers.iter().enumerate().max_by_key(|(_, tier)| **tier);
    fitting.or(longest).map_or(0, |(index, _)| index)
}

fn encoding(error: serde_json::Error) -> QueueError {
    QueueError::Permanent(format!("encoding a message: {error}"))
}

#[async_trait]
impl Queue for RabbitQueue {
    #[tracing::instrument(skip_all, fields(document_id = %message.document_id, stage = message.stage.as_str()))]
    async fn publish(&self, message: WorkMessage) -> Result<(), QueueError> {
        if *self.inner.closed.borrow() {
            return Err(QueueError::Closed);
        }
        self.inner.publish_work(&message).await
    }

    async fn next(&self, stage: Stage) -> Result<Option<Box<dyn Delivery>>, QueueError> {
        self.inner.next_delivery(stage).await
    }

    async fn park(&self, message: &WorkMessage, reason: &str) -> Result<(), QueueError> {
        self.inner.park(message, reason).await
    }

    fn close(&self) {
        if self.inner.closed.send_replace(true) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { inner.cancel_consumers().await });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_sufficient_tier_is_chosen() {
        let tiers = [1, 10, 60].map(Duration::from_secs);
        assert_eq!(retry_tier(&tiers, Duration::ZERO), 0);
        assert_eq!(retry_tier(&tiers, Duration::from_secs(1)), 0);
        assert_eq!(retry_tier(&tiers, Duration::from_secs(2)), 1);
        assert_eq!(retry_tier(&tiers, Duration::from_secs(60)), 2);
        assert_eq!(retry_tier(&tiers, Duration::from_secs(600)), 2);
        let unsorted = [10, 1].map(Duration::from_secs);
        assert_eq!(retry_tier(&unsorted, Duration::from_millis(500)), 1);
        assert_eq!(retry_tier(&unsorted, Duration::from_secs(99)), 0);
    }
}
