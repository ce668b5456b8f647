//! The in-process queue: one unbounded channel per stage.
//!
//! Used by the embedded default and tests. Nothing survives the process, which
//! is fine because the store's outbox and sweeper are the durable side.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use docket_domain::{Stage, WorkMessage};
use tokio::sync::{Mutex, mpsc, watch};

use crate::{Delivery, Queue, QueueError};

struct Channel {
    sender: mpsc::UnboundedSender<WorkMessage>,
    receiver: Mutex<mpsc::UnboundedReceiver<WorkMessage>>,
}

/// An in-process queue.
#[derive(Clone)]
pub struct InProcessQueue {
    channels: Arc<HashMap<Stage, Channel>>,
    closed: watch::Sender<bool>,
    parked: Arc<std::sync::Mutex<Vec<(WorkMessage, String)>>>,
}

impl Default for InProcessQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessQueue {
    /// A queue with one channel per stage.
    pub fn new() -> Self {
        let channels = Stage::ALL
            .into_iter()
            .map(|stage| {
                let (sender, receiver) = mpsc::unbounded_channel();
                let channel = Channel {
                    sender,
                    receiver: Mutex::new(receiver),
                };
                (stage, channel)
            })
            .collect();
        InProcessQueue {
            channels: Arc::new(channels),
            closed: watch::channel(false).0,
            parked: Arc::default(),
        }
    }

    /// Messages parked so far, with their reasons.
    pub fn parked(&self) -> Vec<(WorkMessage, String)> {
        self.parked.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn channel(&self, stage: Stage) -> Result<&Channel, QueueError> {
        self.channels
            .get(&stage)
            .ok_or_else(|| QueueError::Permanent(format!("no channel for {}", stage.as_str())))
    }
}

struct InProcessDelivery {
    message: WorkMessage,
    queue: InProcessQueue,
}

#[async_trait]
impl Delivery for InProcessDelivery {
    fn message(&self) -> &WorkMessage {
        &self.message
    }

    async fn ack(self: Box<Self>) -> Result<(), QueueError> {
        Ok(())
    }

    async fn retry(self: Box<Self>, delay: Duration) -> Result<(), QueueError> {
        let mut message = self.message;
        message.attempt += 1;
        let queue = self.queue;
        // The delay runs in the background so the worker is free meanwhile.
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = queue.publish(message).await;
        });
        Ok(())
    }
}

#[async_trait]
impl Queue for InProcessQueue {
    async fn publish(&self, message: WorkMessage) -> Result<(), QueueError> {
        if *self.closed.borrow() {
            return Err(QueueError::Closed);
        }
        self.channel(message.stage)?
            .sender
            .send(message)
            .map_err(|_| QueueError::Closed)
    }

    async fn next(&self, stage: Stage) -> Result<Option<Box<dyn Delivery>>, QueueError> {
        let channel = self.channel(stage)?;
        let mut closed = self.closed.subscribe();
        if *closed.borrow() {
            return Ok(None);
        }
        let mut receiver = channel.receiver.lock().await;
        tokio::select! {
            message = receiver.recv() => Ok(message.map(|message| {
                Box::new(InProcessDelivery { message, queue: self.clone() }) as Box<dyn Delivery>
            })),
            _ = closed.wait_for(|c| *c) => Ok(None),
        }
    }

    async fn park(&self, message: &WorkMessage, reason: &str) -> Result<(), QueueError> {
        let mut parked = self
            .parked
            .lock()
            .map_err(|_| QueueError::Permanent("parking lot poisoned".to_string()))?;
        parked.push((message.clone(), reason.to_string()));
        Ok(())
    }

    fn close(&self) {
        self.closed.send_replace(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str, stage: Stage) -> WorkMessage {
        WorkMessage {
            document_id: id.into(),
            stage,
            attempt: 0,
        }
    }

    #[tokio::test]
    async fn messages_reach_only_their_stage_in_order() {
        let q = InProcessQueue::new();
        q.publish(msg("a", Stage::Extract)).await.unwrap();
        q.publish(msg("b", Stage::Match)).await.unwrap();
        q.publish(msg("c", Stage::Extract)).await.unwrap();
        let first = q.next(Stage::Extract).await.unwrap().unwrap();
        assert_eq!(first.message().document_id, "a");
        first.ack().await.unwrap();
        let second = q.next(Stage::Extract).await.unwrap().unwrap();
        assert_eq!(second.message().document_id, "c");
        let m = q.next(Stage::Match).await.unwrap().unwrap();
        assert_eq!(m.message().document_id, "b");
    }

    #[tokio::test]
    async fn retry_redelivers_with_a_raised_attempt_counter() {
        let q = InProcessQueue::new();
        q.publish(msg("a", Stage::Post)).await.unwrap();
        let d = q.next(Stage::Post).await.unwrap().unwrap();
        d.retry(Duration::from_millis(5)).await.unwrap();
        let again = q.next(Stage::Post).await.unwrap().unwrap();
        assert_eq!(again.message().attempt, 1);
    }

    #[tokio::test]
    async fn close_releases_waiting_consumers_and_refuses_publishing() {
        let q = InProcessQueue::new();
        let waiter = {
            let q = q.clone();
            tokio::spawn(async move { q.next(Stage::Match).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        q.close();
        assert!(waiter.await.unwrap().unwrap().is_none());
        assert_eq!(
            q.publish(msg("x", Stage::Match)).await,
            Err(QueueError::Closed)
        );
    }
}
