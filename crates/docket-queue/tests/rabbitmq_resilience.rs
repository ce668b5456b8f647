//! The RabbitMQ adapter when things go wrong: an unreachable broker or bad
//! credentials, a connection dropped mid-stream (`rabbitmqctl
//! close_connection`), and a graceful close. Fixtures: `support`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use docket_domain::Stage;
use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings};
use docket_queue::{Queue, QueueError};

use support::{Fixture, close_connections_of, publish, take, wait_for_depth, within, work};

#[tokio::test]
async fn an_unreachable_broker_is_transient_and_bad_credentials_are_permanent() {
    let unreachable = RabbitSettings {
        url: "amqp://guest:guest@127.0.0.1:1/%2f".into(),
        reconnect_timeout: Duration::from_millis(500),
        ..RabbitSettings::default()
    };
    let result = within(20, "unreachable connect", RabbitQueue::connect(unreachable)).await;
    assert!(
        matches!(result, Err(QueueError::Transient(_))),
        "{result:?}"
    );

    let fixture = Fixture::new(|s| {
        s.url = s.url.replacen("guest:guest", "guest:wrong-password", 1);
        s.reconnect_timeout = Duration::from_secs(5);
    });
    let result = within(
        20,
        "refused connect",
        RabbitQueue::connect(fixture.settings.clone()),
    )
    .await;
    match result {
        Err(QueueError::Permanent(message)) => assert!(!message.contains("wrong-password")),
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_and_consuming_survive_a_dropped_connection_without_loss() {
    let fixture = Fixture::new(|s| s.prefetch = 5);
    let queue = fixture.queue().await;
    const TOTAL: usize = 120;

    let consumer = {
        let queue = queue.clone();
        tokio::spawn(async move {
            let mut seen = HashSet::new();
            let mut deliveries = 0;
            while seen.len() < TOTAL {
                let delivery = match queue.next(Stage::Match).await {
                    Ok(Some(delivery)) => delivery,
                    Ok(None) => break,
                    Err(error) => panic!("next failed: {error}"),
                };
                deliveries += 1;
                let id = delivery.message().document_id.clone();
                // An ack lost with the connection is fine: the broker redelivers.
                let _ = delivery.ack().await;
                seen.insert(id);
            }
            (seen, deliveries)
        })
    };

    for i in 0..TOTAL {
        if i == TOTAL / 3 {
            let closed = tokio::task::spawn_blocking({
                let prefix = fixture.settings.prefix.clone();
                move || close_connections_of(&prefix)
            })
            .await
            .unwrap();
            assert_eq!(closed, 1, "expected to close the adapter's one connection");
        }
        publish(&queue, work(&format!("doc-{i}"), Stage::Match)).await;
    }

    let (seen, deliveries) = within(60, "consuming every message", consumer)
        .await
        .expect("consumer task");
    assert_eq!(seen.len(), TOTAL, "every published message arrived");
    assert!(deliveries >= TOTAL);
    assert!(
        queue.connection_generation() >= 2,
        "the adapter reconnected"
    );
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn close_stops_handing_out_and_gives_back_what_was_not_settled() {
    let fixture = Fixture::new(|s| s.prefetch = 5);
    let queue = fixture.queue().await;
    let name = fixture.topology().stage_queue(Stage::Extract);
    for i in 0..5 {
        publish(&queue, work(&format!("doc-{i}"), Stage::Extract)).await;
    }
    let acked_late = take(&queue, Stage::Extract, 10).await;
    let never_acked = take(&queue, Stage::Extract, 10).await;

    let waiter = {
        let queue = queue.clone();
        tokio::spawn(async move { queue.next(Stage::Post).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    queue.close();
    let waited = within(10, "the pending next", waiter).await.unwrap();
    assert!(matches!(waited, Ok(None)), "a pending next ends with None");
    assert!(matches!(queue.next(Stage::Extract).await, Ok(None)));
    assert_eq!(
        queue.publish(work("late", Stage::Extract)).await,
        Err(QueueError::Closed)
    );

    // Handed out before the close: acking still works.
    acked_late.ack().await.expect("ack after close");
    // The three prefetched but never handed out went back to the queue.
    let observer = fixture.queue().await;
    wait_for_depth(&observer, &name, 3).await;

    let shutdown = queue.shutdown(Duration::from_millis(300));
    within(20, "shutdown", shutdown).await;
    // The unsettled one went back when the connection closed.
    wait_for_depth(&observer, &name, 4).await;
    drop(never_acked);
    observer.shutdown(Duration::from_secs(5)).await;
}
