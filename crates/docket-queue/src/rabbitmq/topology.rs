//! The broker topology: names, arguments and its idempotent declaration.
//!
//! ```text
//! publish ─► <p>.work (direct) ──key=stage──► <p>.<stage>   (x-dead-letter-exchange=<p>.dlx)
//! retry   ─► <p>.retry.<n> (fanout) ─► <p>.retry.<n>  (x-message-ttl=tier, dead-letters to <p>.work
//!                                                      with the original key: back to its stage)
//! park / reject ─► <p>.dlx (fanout) ─► <p>.parked
//! exceptions ─► <p>.exceptions (fanout) ─► <p>.exceptions (+ whoever else binds)
//! ```
//!
//! Declaring is idempotent as long as the arguments are unchanged; changing
//! the queue type or a tier delay of an existing queue makes the broker answer
//! PRECONDITION_FAILED (a permanent error): delete the old queue first.

use docket_domain::Stage;
use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, ExchangeKind};

use super::settings::RabbitSettings;

/// The names of every exchange and queue of one prefix.
#[derive(Debug, Clone)]
pub struct Topology {
    prefix: String,
    retry_delays_ms: Vec<i64>,
    quorum: bool,
}

impl Topology {
    /// The topology described by the settings.
    pub fn new(settings: &RabbitSettings) -> Self {
        Topology {
            prefix: settings.prefix.clone(),
            retry_delays_ms: settings
                .retry_delays
                .iter()
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .collect(),
            quorum: settings.quorum,
        }
    }

    /// The direct exchange stage messages are published to (routing key = stage).
    pub fn work_exchange(&self) -> String {
        format!("{}.work", self.prefix)
    }

    /// The queue of one stage.
    pub fn stage_queue(&self, stage: Stage) -> String {
        format!("{}.{}", self.prefix, stage.as_str())
    }

    /// The fanout dead-letter exchange feeding the parking queue.
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.dlx", self.prefix)
    }

    /// The parking queue: messages over `max_attempts` or rejected.
    pub fn parked_queue(&self) -> String {
        format!("{}.parked", self.prefix)
    }

    /// The exchange and queue of retry tier `index` (0-based; names count from 1).
    pub fn retry_tier(&self, index: usize) -> String {
        format!("{}.retry.{}", self.prefix, index + 1)
    }

    /// The fanout exchange (and our own queue of the same name) announcing exceptions.
    pub fn exceptions(&self) -> String {
        format!("{}.exceptions", self.prefix)
    }

    /// Every queue, in a stable order (stages, retry tiers, parked, exceptions).
    pub fn queues(&self) -> Vec<String> {
        let mut queues: Vec<String> = Stage::ALL.iter().map(|s| self.stage_queue(*s)).collect();
        queues.extend((0..self.retry_delays_ms.len()).map(|i| self.retry_tier(i)));
        queues.push(self.parked_queue());
        queues.push(self.exceptions());
        queues
    }

    /// Every exchange.
    pub fn exchanges(&self) -> Vec<String> {
        let mut exchanges = vec![
            self.work_exchange(),
            self.dead_letter_exchange(),
            self.exceptions(),
        ];
        exchanges.extend((0..self.retry_delays_ms.len()).map(|i| self.retry_tier(i)));
        exchanges
    }

    fn queue_arguments(&self) -> FieldTable {
        let mut arguments = FieldTable::default();
        let queue_type = if self.quorum { "quorum" } else { "classic" };
        arguments.insert("x-queue-type".into(), text(queue_type));
        arguments
    }

    /// Declares everything; safe to repeat (after every reconnect, by every process).
    pub(crate) async fn declare(&self, channel: &Channel) -> lapin::Result<()> {
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        let exchange = |name: String, kind: ExchangeKind| {
            channel.exchange_declare(name.into(), kind, durable, FieldTable::default())
        };
        exchange(self.work_exchange(), ExchangeKind::Direct).await?;
        exchange(self.dead_letter_exchange(), ExchangeKind::Fanout).await?;
        exchange(self.exceptions(), ExchangeKind::Fanout).await?;

        for stage in Stage::ALL {
            let mut arguments = self.queue_arguments();
            arguments.insert(
                "x-dead-letter-exchange".into(),
                text(&self.dead_letter_exchange()),
            );
            self.queue(channel, self.stage_queue(stage), arguments)
                .await?;
            self.bind(
                channel,
                self.stage_queue(stage),
                self.work_exchange(),
                stage.as_str(),
            )
            .await?;
        }

        for (index, delay_ms) in self.retry_delays_ms.iter().enumerate() {
            let name = self.retry_tier(index);
            exchange(name.clone(), ExchangeKind::Fanout).await?;
            let mut arguments = self.queue_arguments();
            arguments.insert("x-message-ttl".into(), AMQPValue::LongLongInt(*delay_ms));
            // No dead-letter routing key: the message keeps the stage it was
            // published with and the work exchange routes it home.
            arguments.insert("x-dead-letter-exchange".into(), text(&self.work_exchange()));
            self.queue(channel, name.clone(), arguments).await?;
            self.bind(channel, name.clone(), name, "").await?;
        }

        self.queue(channel, self.parked_queue(), self.queue_arguments())
            .await?;
        self.bind(
            channel,
            self.parked_queue(),
            self.dead_letter_exchange(),
            "",
        )
        .await?;
        self.queue(channel, self.exceptions(), self.queue_arguments())
            .await?;
        self.bind(channel, self.exceptions(), self.exceptions(), "")
            .await?;
        Ok(())
    }

    async fn queue(
        &self,
        channel: &Channel,
        name: String,
        arguments: FieldTable,
    ) -> lapin::Result<()> {
        channel
            .queue_declare(name.into(), QueueDeclareOptions::durable(), arguments)
            .await
            .map(|_| ())
    }

    async fn bind(
        &self,
        channel: &Channel,
        queue: String,
        exchange: String,
        key: &str,
    ) -> lapin::Result<()> {
        channel
            .queue_bind(
                queue.into(),
                exchange.into(),
                key.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
    }

    /// Deletes every queue and exchange of the prefix (messages included).
    pub(crate) async fn delete(&self, channel: &Channel) -> lapin::Result<()> {
        for queue in self.queues() {
            channel
                .queue_delete(queue.into(), QueueDeleteOptions::default())
                .await?;
        }
        for exchange in self.exchanges() {
            channel
                .exchange_delete(exchange.into(), ExchangeDeleteOptions::default())
                .await?;
        }
        Ok(())
    }
}

fn text(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value))
}
