//! Shared fixtures of the RabbitMQ tests: a unique `test-<uuid>` prefix per
//! test whose queues and exchanges are deleted when the fixture drops (even
//! after a failure), bounded waits, and raw broker access.
//!
//! The broker is 127.0.0.1:5672 guest/guest, or `DOCKET_TEST_AMQP_URL`. An
//! unreachable broker fails the tests: CI runs RabbitMQ (`scripts/test`
//! starts it).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use docket_domain::{Stage, WorkMessage};
use docket_queue::Queue;
use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings, Topology};
use lapin::options::QueueDeleteOptions;
use lapin::{Channel, Connection, ConnectionProperties};

pub fn broker_url() -> String {
    std::env::var("DOCKET_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// One test's prefix; dropping it deletes the prefix's queues and exchanges.
pub struct Fixture {
    pub settings: RabbitSettings,
}

impl Fixture {
    pub fn new(tweak: impl FnOnce(&mut RabbitSettings)) -> Self {
        let mut settings = RabbitSettings {
            url: broker_url(),
            prefix: format!("test-{}", uuid::Uuid::now_v7()),
            prefetch: 10,
            max_attempts: 5,
            retry_delays: vec![Duration::from_millis(200), Duration::from_secs(3)],
            quorum: false,
            reconnect_timeout: Duration::from_secs(20),
        };
        tweak(&mut settings);
        Fixture { settings }
    }

    pub fn topology(&self) -> Topology {
        Topology::new(&self.settings)
    }

    pub async fn queue(&self) -> RabbitQueue {
        let connecting = RabbitQueue::connect(self.settings.clone());
        match tokio::time::timeout(Duration::from_secs(40), connecting).await {
            Ok(Ok(queue)) => queue,
            Ok(Err(error)) => panic!(
                "RabbitMQ is required for these tests at {} (scripts/test starts it): {error}",
                self.settings.redacted_url()
            ),
            Err(_) => panic!(
                "timed out connecting to RabbitMQ at {}",
                self.settings.redacted_url()
            ),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let topology = self.topology();
        let url = self.settings.url.clone();
        // Its own thread and runtime: this runs inside the test's runtime.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let deleting = async {
                    let connection = Connection::connect(&url, ConnectionProperties::default())
                        .await
                        .ok()?;
                    for queue in topology.queues() {
                        let channel = connection.create_channel().await.ok()?;
                        let _ = channel
                            .queue_delete(queue.into(), QueueDeleteOptions::default())
                            .await;
                    }
                    for exchange in topology.exchanges() {
                        let channel = connection.create_channel().await.ok()?;
                        let _ = channel
                            .exchange_delete(exchange.into(), Default::default())
                            .await;
                    }
                    let _ = connection.close(200, "OK".into()).await;
                    Some(())
                };
                let _ = tokio::time::timeout(Duration::from_secs(20), deleting).await;
            });
        });
        let _ = cleanup.join();
    }
}

pub async fn within<T>(seconds: u64, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(seconds), future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {seconds}s: {what}"))
}

pub fn work(id: &str, stage: Stage) -> WorkMessage {
    WorkMessage {
        document_id: id.into(),
        stage,
        attempt: 0,
    }
}

pub async fn publish(queue: &RabbitQueue, message: WorkMessage) {
    within(20, "publishing", queue.publish(message))
        .await
        .expect("publish");
}

/// The next message of a stage, which must come within `seconds`.
pub async fn take(
    queue: &RabbitQueue,
    stage: Stage,
    seconds: u64,
) -> Box<dyn docket_queue::Delivery> {
    within(seconds, "the next message", queue.next(stage))
        .await
        .expect("next")
        .expect("a message, not the end")
}

/// Asserts that no message of `stage` arrives within `millis`.
pub async fn assert_nothing(queue: &RabbitQueue, stage: Stage, millis: u64) {
    let waited = tokio::time::timeout(Duration::from_millis(millis), queue.next(stage)).await;
    if let Ok(Ok(Some(delivery))) = &waited {
        panic!("unexpected message {:?}", delivery.message());
    }
    assert!(
        waited.is_err(),
        "expected nothing, got {:?}",
        waited.map(|r| r.map(|d| d.is_some()))
    );
}

pub async fn depth(queue: &RabbitQueue, name: &str) -> u32 {
    let depths = within(20, "queue depths", queue.queue_depths())
        .await
        .expect("queue depths");
    depths
        .into_iter()
        .find(|(queue, _)| queue == name)
        .unwrap_or_else(|| panic!("no queue {name}"))
        .1
}

/// Polls until a queue holds `expected` ready messages (the broker updates
/// counts asynchronously after requeues).
pub async fn wait_for_depth(queue: &RabbitQueue, name: &str, expected: u32) {
    let mut last = u32::MAX;
    for _ in 0..100 {
        last = depth(queue, name).await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name} holds {last} messages, expected {expected}");
}

pub async fn raw_channel() -> (Connection, Channel) {
    let connection = Connection::connect(&broker_url(), ConnectionProperties::default())
        .await
        .expect("raw connection");
    let channel = connection.create_channel().await.expect("raw channel");
    (connection, channel)
}

/// Closes this test's connections only (by their `docket:<prefix>` name):
/// `close_all_connections` would also cut the tests running beside it.
pub fn close_connections_of(prefix: &str) -> usize {
    let rabbitmqctl = |args: &[&str]| {
        let output = Command::new("rabbitmqctl")
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("the reconnect test needs rabbitmqctl (run as root, as in CI): {e}")
            });
        assert!(
            output.status.success(),
            "rabbitmqctl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let listed = rabbitmqctl(&[
        "-q",
        "--no-table-headers",
        "list_connections",
        "pid",
        "client_properties",
    ]);
    // One line per connection: `<pid>\t[{"connection_name",longstr,...}, ...]`.
    let name = format!("docket:{prefix}");
    let mut closed = 0;
    for line in listed.lines().filter(|line| line.contains(&name)) {
        let pid = line.split_whitespace().next().expect("pid");
        rabbitmqctl(&["-q", "close_connection", pid, "test"]);
        closed += 1;
    }
    closed
}
