//! The connection to the broker, kept alive: connect with exponential backoff,
//! declare the topology on every new connection, keep one publishing channel
//! in confirm mode, and classify lapin errors at the port boundary.
//!
//! A connection that drops (broker restart, `rabbitmqctl close_connection`,
//! network) is noticed through lapin's status; the next caller reconnects.
//! Each new connection gets a higher generation number so consumers know their
//! channel belongs to a dead connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::protocol::{AMQPErrorKind, AMQPHardError};
use lapin::types::LongString;
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ErrorKind};
use tokio::sync::{Mutex, watch};
use tokio::time::Instant;

use super::settings::RabbitSettings;
use super::topology::Topology;
use crate::QueueError;

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(3);

/// A connection believed alive, with its confirm-mode publishing channel.
#[derive(Clone)]
pub(crate) struct Live {
    pub connection: Arc<Connection>,
    pub publisher: Channel,
    pub generation: u64,
}

/// Owns the connection and reconnects it on demand.
pub(crate) struct Link {
    settings: RabbitSettings,
    topology: Topology,
    state: Mutex<Option<Live>>,
    generation: AtomicU64,
    /// Set by `shutdown`: no reconnecting any more.
    shut: watch::Sender<bool>,
}

/// Exponential backoff capped at [`MAX_BACKOFF`], bounded by a deadline.
pub(crate) struct Backoff {
    next: Duration,
    deadline: Instant,
}

impl Backoff {
    pub(crate) fn new(budget: Duration) -> Self {
        Backoff {
            next: FIRST_BACKOFF,
            deadline: Instant::now() + budget,
        }
    }

    /// Sleeps before the next attempt; `false` once the budget is spent.
    pub(crate) async fn wait(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        tokio::time::sleep(self.next.min(self.deadline - now)).await;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        true
    }

    /// Time left in the budget.
    pub(crate) fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// Where a message goes.
pub(crate) struct Target<'a> {
    pub exchange: &'a str,
    pub routing_key: &'a str,
}

impl Link {
    pub(crate) fn new(settings: RabbitSettings) -> Self {
        Link {
            topology: Topology::new(&settings),
            settings,
            state: Mutex::new(None),
            generation: AtomicU64::new(0),
            shut: watch::channel(false).0,
        }
    }

    pub(crate) fn settings(&self) -> &RabbitSettings {
        &self.settings
    }

    pub(crate) fn topology(&self) -> &Topology {
        &self.topology
    }

    /// How many connections were opened so far (1 after start-up, +1 per reconnect).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The live connection, reconnecting (with backoff, within
    /// `reconnect_timeout`) when there is none.
    pub(crate) async fn live(&self) -> Result<Live, QueueError> {
        let mut state = self.state.lock().await;
        let mut backoff = Backoff::new(self.settings.reconnect_timeout);
        loop {
            if *self.shut.borrow() {
                return Err(QueueError::Closed);
            }
            let attempt = match state.as_ref() {
                Some(live) if live.connection.status().connected() => {
                    if live.publisher.status().connected() {
                        return Ok(live.clone());
                    }
                    // A channel-level error closed the publisher; the
                    // connection itself is fine.
                    open_publisher(&live.connection)
                        .await
                        .map(|publisher| Live {
                            publisher,
                            ..live.clone()
                        })
                }
                _ => self.connect().await,
            };
            match attempt {
                Ok(live) => {
                    *state = Some(live.clone());
                    return Ok(live);
                }
                Err(error) => {
                    let error = classify("connecting to rabbitmq", &error);
                    tracing::warn!(%error, "rabbitmq connection attempt failed");
                    if matches!(error, QueueError::Permanent(_)) || !backoff.wait().await {
                        return Err(error);
                    }
                }
            }
        }
    }

    async fn connect(&self) -> lapin::Result<Live> {
        let name = format!("docket:{}", self.settings.prefix);
        let properties =
            ConnectionProperties::default().with_connection_name(LongString::from(name.as_str()));
        let connection = Connection::connect(&self.settings.url, properties).await?;
        let declaring = connection.create_channel().await?;
        self.topology.declare(&declaring).await?;
        let _ = declaring.close(200, "OK".into()).await;
        let publisher = open_publisher(&connection).await?;
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if generation > 1 {
            tracing::info!(generation, "reconnected to rabbitmq");
        }
        Ok(Live {
            connection: Arc::new(connection),
            publisher,
            generation,
        })
    }

    /// Publishes one message and waits for the broker's confirm, reconnecting
    /// and republishing on connection trouble (a duplicate is possible, a
    /// loss is not: at-least-once).
    pub(crate) async fn publish(
        &self,
        target: Target<'_>,
        body: &[u8],
        properties: &BasicProperties,
    ) -> Result<(), QueueError> {
        let mut backoff = Backoff::new(self.settings.reconnect_timeout);
        loop {
            let live = self.live().await?;
            let attempt = tokio::time::timeout(
                backoff.remaining().max(Duration::from_secs(1)),
                publish_confirmed(&live.publisher, &target, body, properties),
            )
            .await;
            match attempt {
                // The broker answered (ack, nack or returned): that is final;
                // a refused message is the caller's to retry later.
                Ok(Ok(answer)) => return answer,
                Ok(Err(QueueError::Transient(reason))) => {
                    tracing::warn!(%reason, exchange = target.exchange, "publish failed, retrying");
                    if !backoff.wait().await {
                        return Err(QueueError::Transient(reason));
                    }
                }
                Ok(Err(error)) => return Err(error),
                Err(_) => {
                    return Err(QueueError::Transient(
                        "no publisher confirm within the reconnect timeout".into(),
                    ));
                }
            }
        }
    }

    /// Opens a fresh channel on the live connection (for consumers and admin).
    pub(crate) async fn channel(&self) -> Result<(Channel, u64), QueueError> {
        let live = self.live().await?;
        let channel = live
            .connection
            .create_channel()
            .await
            .map_err(|e| classify("opening a channel", &e))?;
        Ok((channel, live.generation))
    }

    /// Closes the connection for good; later calls report `Closed`.
    pub(crate) async fn shutdown(&self) {
        self.shut.send_replace(true);
        if let Some(live) = self.state.lock().await.take() {
            let _ = live.connection.close(200, "shutdown".into()).await;
        }
    }
}

async fn open_publisher(connection: &Connection) -> lapin::Result<Channel> {
    let channel = connection.create_channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    Ok(channel)
}

/// Publishes and waits for the confirm: the outer error is trouble reaching
/// the broker (worth a reconnect), the inner result is the broker's answer.
async fn publish_confirmed(
    channel: &Channel,
    target: &Target<'_>,
    body: &[u8],
    properties: &BasicProperties,
) -> Result<Result<(), QueueError>, QueueError> {
    let options = BasicPublishOptions {
        // An unroutable message comes back instead of vanishing.
        mandatory: true,
        ..BasicPublishOptions::default()
    };
    let confirm = channel
        .basic_publish(
            target.exchange.into(),
            target.routing_key.into(),
            options,
            body,
            properties.clone(),
        )
        .await
        .map_err(|e| classify("publishing", &e))?
        .await
        .map_err(|e| classify("waiting for the publisher confirm", &e))?;
    Ok(match confirm {
        Confirmation::Ack(None) => Ok(()),
        Confirmation::Ack(Some(returned)) => Err(QueueError::Permanent(format!(
            "message to exchange `{}` with key `{}` was unroutable ({})",
            target.exchange, target.routing_key, returned.reply_text
        ))),
        Confirmation::Nack(_) => Err(QueueError::Transient(format!(
            "the broker refused (nacked) a message to exchange `{}`",
            target.exchange
        ))),
        Confirmation::NotRequested => Err(QueueError::Permanent(
            "publisher confirms are not enabled on the publishing channel".into(),
        )),
    })
}

/// Classifies a lapin error at the port boundary: connection trouble is
/// transient (reconnecting helps), everything else (missing or mismatched
/// queues, refused credentials, protocol violations) is permanent.
pub(crate) fn classify(context: &str, error: &lapin::Error) -> QueueError {
    let transient = match error.kind() {
        ErrorKind::IOError(_)
        | ErrorKind::MissingHeartbeatError
        | ErrorKind::InvalidChannel(_)
        | ErrorKind::InvalidChannelState(..)
        | ErrorKind::InvalidConnectionState(_) => true,
        ErrorKind::ProtocolError(amqp) => matches!(
            amqp.kind(),
            AMQPErrorKind::Hard(
                AMQPHardError::CONNECTIONFORCED
                    | AMQPHardError::INTERNALERROR
                    | AMQPHardError::RESOURCEERROR
            )
        ),
        _ => false,
    };
    let message = format!("{context}: {error}");
    if transient {
        QueueError::Transient(message)
    } else {
        QueueError::Permanent(message)
    }
}
