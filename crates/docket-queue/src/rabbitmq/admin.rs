//! Operator views and actions: queue depths for `docket status`, the parking
//! queue for `docket parked list|replay`, and topology management.
//!
//! Listing browses the parking queue without consuming it: messages are
//! fetched unacknowledged and handed back when the browsing channel closes.

use docket_domain::WorkMessage;
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;

use super::RabbitQueue;
use super::codec::{decode_work, park_reason};
use super::connection::classify;
use crate::QueueError;

/// A message in the parking queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedMessage {
    /// The work message; `None` when the body is not one (a foreign or
    /// corrupt message the consumer rejected).
    pub message: Option<WorkMessage>,
    /// Why it was parked: our `x-docket-reason`, else the broker's `x-death` reason.
    pub reason: String,
}

impl RabbitQueue {
    /// Declares the topology again (idempotent; it is also declared on every
    /// connect). Fails permanently when an existing queue has other arguments.
    pub async fn declare_topology(&self) -> Result<(), QueueError> {
        let (channel, _) = self.inner.link.channel().await?;
        let declared = self.topology().declare(&channel).await;
        let _ = channel.close(200, "OK".into()).await;
        declared.map_err(|e| classify("declaring the topology", &e))
    }

    /// Deletes every queue and exchange of this prefix, messages included
    /// (for tests and decommissioning).
    pub async fn delete_topology(&self) -> Result<(), QueueError> {
        let (channel, _) = self.inner.link.channel().await?;
        let deleted = self.topology().delete(&channel).await;
        let _ = channel.close(200, "OK".into()).await;
        deleted.map_err(|e| classify("deleting the topology", &e))
    }

    /// Messages ready in each queue (stages, retry tiers, parked, exceptions),
    /// by passive declaration.
    pub async fn queue_depths(&self) -> Result<Vec<(String, u32)>, QueueError> {
        let (channel, _) = self.inner.link.channel().await?;
        let mut depths = Vec::new();
        for name in self.topology().queues() {
            let queue = channel
                .queue_declare(
                    name.as_str().into(),
                    QueueDeclareOptions::durable().passive(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| classify(&format!("inspecting queue {name}"), &e))?;
            depths.push((name, queue.message_count()));
        }
        let _ = channel.close(200, "OK".into()).await;
        Ok(depths)
    }

    /// Up to `limit` parked messages, oldest first, left in place.
    pub async fn parked(&self, limit: usize) -> Result<Vec<ParkedMessage>, QueueError> {
        let (channel, _) = self.inner.link.channel().await?;
        let queue = self.topology().parked_queue();
        let mut parked = Vec::new();
        while parked.len() < limit {
            let fetched = channel
                .basic_get(queue.as_str().into(), BasicGetOptions::default())
                .await
                .map_err(|e| classify("browsing the parking queue", &e))?;
            let Some(fetched) = fetched else { break };
            parked.push(ParkedMessage {
                message: decode_work(&fetched.delivery.data).ok(),
                reason: park_reason(&fetched.delivery.properties),
            });
        }
        // Closing the channel hands every fetched message back, in order.
        let _ = channel.close(200, "OK".into()).await;
        Ok(parked)
    }

    /// Moves up to `limit` parked messages back to their stage with the
    /// attempt counter reset to 0; returns how many moved. Messages that are
    /// not work messages stay parked.
    pub async fn replay_parked(&self, limit: usize) -> Result<usize, QueueError> {
        let (channel, _) = self.inner.link.channel().await?;
        let queue = self.topology().parked_queue();
        let mut replayed = 0;
        let mut seen = 0;
        let result = async {
            while seen < limit {
                let fetched = channel
                    .basic_get(queue.as_str().into(), BasicGetOptions::default())
                    .await
                    .map_err(|e| classify("reading the parking queue", &e))?;
                let Some(fetched) = fetched else { break };
                seen += 1;
                // Unreadable ones stay unacked until the channel closes, so the
                // next fetch moves past them.
                let Ok(message) = decode_work(&fetched.delivery.data) else {
                    continue;
                };
                let message = WorkMessage {
                    attempt: 0,
                    ..message
                };
                self.inner.publish_work(&message).await?;
                fetched
                    .delivery
                    .acker
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(|e| classify("acking a replayed message", &e))?;
                replayed += 1;
            }
            Ok::<(), QueueError>(())
        }
        .await;
        let _ = channel.close(200, "OK".into()).await;
        result.map(|()| replayed)
    }
}
