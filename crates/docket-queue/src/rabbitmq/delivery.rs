//! Consuming: one consumer (own channel, own prefetch) per stage, recreated
//! after a reconnect, and the [`Delivery`] handed to workers.
//!
//! A delivery keeps its channel open until it is settled, so a worker can
//! still ack after `close()` cancelled the consumer. A delivery dropped
//! without being settled is handed back (nack with requeue).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use docket_domain::{Stage, WorkMessage};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions,
    BasicRejectOptions,
};
use lapin::types::FieldTable;
use lapin::{Acker, Channel, Consumer};

use super::Inner;
use super::codec::decode_work;
use super::connection::{Backoff, classify};
use crate::{Delivery, QueueError};

/// The live consumer of one stage.
pub(crate) struct StageConsumer {
    channel: Channel,
    consumer: Consumer,
}

const REQUEUE: BasicNackOptions = BasicNackOptions {
    multiple: false,
    requeue: true,
};

impl Inner {
    /// Starts consuming a stage's queue on a fresh channel with its prefetch.
    async fn consume(&self, stage: Stage) -> Result<StageConsumer, QueueError> {
        let (channel, generation) = self.link.channel().await?;
        channel
            .basic_qos(self.link.settings().prefetch, BasicQosOptions::default())
            .await
            .map_err(|e| classify("setting the prefetch", &e))?;
        let queue = self.link.topology().stage_queue(stage);
        let tag = format!("docket-{}-{generation}", stage.as_str());
        let consumer = channel
            .basic_consume(
                queue.as_str().into(),
                tag.into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| classify(&format!("consuming {queue}"), &e))?;
        Ok(StageConsumer { channel, consumer })
    }

    /// The next message of a stage, (re)creating the consumer as needed.
    pub(crate) async fn next_delivery(
        self: &Arc<Self>,
        stage: Stage,
    ) -> Result<Option<Box<dyn Delivery>>, QueueError> {
        let mut closed = self.closed.subscribe();
        let slot = self.consumers.get(&stage).ok_or_else(|| {
            QueueError::Permanent(format!("no consumer slot for {}", stage.as_str()))
        })?;
        let mut current = tokio::select! {
            guard = slot.lock() => guard,
            _ = closed.wait_for(|c| *c) => return Ok(None),
        };
        let mut backoff = Backoff::new(self.link.settings().reconnect_timeout);
        loop {
            if *closed.borrow() {
                return Ok(None);
            }
            let consumer = match current.as_mut() {
                Some(consumer) if consumer.channel.status().connected() => consumer,
                _ => {
                    *current = None;
                    let created = tokio::select! {
                        created = self.consume(stage) => created,
                        _ = closed.wait_for(|c| *c) => return Ok(None),
                    };
                    match created {
                        Ok(consumer) => current.insert(consumer),
                        Err(QueueError::Transient(reason)) => {
                            tracing::warn!(%reason, stage = stage.as_str(), "consumer not ready");
                            if backoff.wait().await {
                                continue;
                            }
                            return Err(QueueError::Transient(reason));
                        }
                        Err(error) => return Err(error),
                    }
                }
            };
            let item = tokio::select! {
                item = consumer.consumer.next() => item,
                _ = closed.wait_for(|c| *c) => return Ok(None),
            };
            let delivery = match item {
                Some(Ok(delivery)) => delivery,
                Some(Err(error)) => {
                    tracing::warn!(%error, stage = stage.as_str(), "consumer failed, recreating it");
                    *current = None;
                    continue;
                }
                // Cancelled (by the broker, or by `close`): the loop decides.
                None => {
                    *current = None;
                    continue;
                }
            };
            match decode_work(&delivery.data) {
                Ok(message) if message.stage == stage => {
                    self.outstanding.send_modify(|n| *n += 1);
                    return Ok(Some(Box::new(RabbitDelivery {
                        message,
                        acker: delivery.acker,
                        channel: consumer.channel.clone(),
                        inner: Arc::clone(self),
                        settled: false,
                    })));
                }
                // Not ours to interpret: dead-letter it to the parking queue
                // (the broker records why in `x-death`) instead of looping on it.
                _ => {
                    tracing::warn!(stage = stage.as_str(), "rejecting an unreadable message");
                    let options = BasicRejectOptions { requeue: false };
                    let _ = delivery.acker.reject(options).await;
                }
            }
        }
    }

    /// Cancels every stage consumer and hands back the messages they had
    /// prefetched but not handed out. Deliveries already handed out keep
    /// their channel and can still be acked.
    pub(crate) async fn cancel_consumers(&self) {
        for slot in self.consumers.values() {
            let Some(mut stage) = slot.lock().await.take() else {
                continue;
            };
            let tag = stage.consumer.tag();
            if stage.channel.status().connected() {
                let _ = stage
                    .channel
                    .basic_cancel(tag, BasicCancelOptions::default())
                    .await;
            }
            let drain = Duration::from_millis(500);
            while let Ok(Some(Ok(delivery))) =
                tokio::time::timeout(drain, stage.consumer.next()).await
            {
                let _ = delivery.acker.nack(REQUEUE).await;
            }
        }
    }
}

/// A message handed to a worker.
struct RabbitDelivery {
    message: WorkMessage,
    acker: Acker,
    /// Keeps the consumer's channel open until this delivery is settled.
    channel: Channel,
    inner: Arc<Inner>,
    settled: bool,
}

impl RabbitDelivery {
    async fn settle(&mut self, result: lapin::Result<bool>, what: &str) -> Result<(), QueueError> {
        self.settled = true;
        match result {
            Ok(true) => Ok(()),
            // The channel died meanwhile: the broker redelivers the message.
            Ok(false) => Err(QueueError::Transient(format!(
                "{what}: the delivery's channel is gone, the broker will redeliver"
            ))),
            Err(error) => Err(classify(what, &error)),
        }
    }
}

#[async_trait]
impl Delivery for RabbitDelivery {
    fn message(&self) -> &WorkMessage {
        &self.message
    }

    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        let result = self.acker.ack(BasicAckOptions::default()).await;
        self.settle(result, "acking").await
    }

    async fn retry(mut self: Box<Self>, delay: Duration) -> Result<(), QueueError> {
        let next = WorkMessage {
            attempt: self.message.attempt.saturating_add(1),
            ..self.message.clone()
        };
        let max_attempts = self.inner.link.settings().max_attempts;
        let published = if next.attempt >= max_attempts {
            let reason = format!("gave up after {} attempts", next.attempt);
            self.inner.park(&next, &reason).await
        } else {
            self.inner.publish_retry(&next, delay).await
        };
        match published {
            // Only now is the original redundant.
            Ok(()) => {
                let result = self.acker.ack(BasicAckOptions::default()).await;
                self.settle(result, "acking a retried message").await
            }
            Err(error) => {
                let result = self.acker.nack(REQUEUE).await;
                let _ = self.settle(result, "handing back").await;
                Err(error)
            }
        }
    }
}

impl Drop for RabbitDelivery {
    fn drop(&mut self) {
        self.inner
            .outstanding
            .send_modify(|n| *n = n.saturating_sub(1));
        if self.settled {
            return;
        }
        let acker = self.acker.clone();
        let channel = self.channel.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = acker.nack(REQUEUE).await;
                drop(channel);
            });
        }
    }
}
