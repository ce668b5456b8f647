//! The RabbitMQ adapter against the real broker: routing per stage, publisher
//! confirms, prefetch, retry tiers, parking and replay, the exceptions fanout
//! and the topology declaration. Fixtures and broker access: `support`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use docket_domain::{Stage, WorkMessage};
use docket_queue::rabbitmq::{ExceptionNotice, RabbitQueue};
use docket_queue::{Queue, QueueError};
use lapin::BasicProperties;
use lapin::options::{
    BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};

use support::{
    Fixture, assert_nothing, depth, publish, raw_channel, take, wait_for_depth, within, work,
};

#[tokio::test]
async fn messages_reach_only_their_stage_in_order() {
    let fixture = Fixture::new(|_| {});
    let queue = fixture.queue().await;
    publish(&queue, work("a", Stage::Extract)).await;
    publish(&queue, work("b", Stage::Match)).await;
    publish(&queue, work("c", Stage::Extract)).await;
    publish(&queue, work("d", Stage::Post)).await;

    let first = take(&queue, Stage::Extract, 10).await;
    assert_eq!(first.message(), &work("a", Stage::Extract));
    first.ack().await.expect("ack");
    let second = take(&queue, Stage::Extract, 10).await;
    assert_eq!(second.message().document_id, "c");
    second.ack().await.expect("ack");
    let matched = take(&queue, Stage::Match, 10).await;
    assert_eq!(matched.message().document_id, "b");
    matched.ack().await.expect("ack");
    let posted = take(&queue, Stage::Post, 10).await;
    assert_eq!(posted.message().document_id, "d");
    posted.ack().await.expect("ack");

    assert_nothing(&queue, Stage::Extract, 300).await;
    for stage in Stage::ALL {
        assert_eq!(
            depth(&queue, &fixture.topology().stage_queue(stage)).await,
            0
        );
    }
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn publish_waits_for_the_confirm_and_reports_nacks_and_unroutable_messages() {
    let fixture = Fixture::new(|_| {});
    let queue = fixture.queue().await;
    let topology = fixture.topology();
    for i in 0..20 {
        publish(&queue, work(&format!("doc-{i}"), Stage::Extract)).await;
    }
    // Confirmed means enqueued: no waiting needed before counting.
    assert_eq!(
        depth(&queue, &topology.stage_queue(Stage::Extract)).await,
        20
    );

    // A post queue that takes one message and refuses more: the broker nacks.
    let (connection, channel) = raw_channel().await;
    let post = topology.stage_queue(Stage::Post);
    channel
        .queue_delete(post.as_str().into(), QueueDeleteOptions::default())
        .await
        .unwrap();
    let mut arguments = FieldTable::default();
    arguments.insert("x-max-length".into(), AMQPValue::LongLongInt(1));
    arguments.insert(
        "x-overflow".into(),
        AMQPValue::LongString("reject-publish".into()),
    );
    channel
        .queue_declare(
            post.as_str().into(),
            QueueDeclareOptions::durable(),
            arguments,
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            post.as_str().into(),
            topology.work_exchange().into(),
            "post".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    publish(&queue, work("fits", Stage::Post)).await;
    let refused = within(
        30,
        "a nacked publish",
        queue.publish(work("refused", Stage::Post)),
    )
    .await;
    assert!(
        matches!(refused, Err(QueueError::Transient(ref m)) if m.contains("nack")),
        "{refused:?}"
    );

    // No match queue at all: the message comes back (mandatory) and that is permanent.
    channel
        .queue_delete(
            topology.stage_queue(Stage::Match).into(),
            QueueDeleteOptions::default(),
        )
        .await
        .unwrap();
    let lost = within(
        20,
        "an unroutable publish",
        queue.publish(work("x", Stage::Match)),
    )
    .await;
    assert!(
        matches!(lost, Err(QueueError::Permanent(ref m)) if m.contains("unroutable")),
        "{lost:?}"
    );
    let _ = connection.close(200, "OK".into()).await;
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_consumer_holds_at_most_prefetch_unacked_messages() {
    let fixture = Fixture::new(|s| s.prefetch = 2);
    let queue = fixture.queue().await;
    for i in 0..5 {
        publish(&queue, work(&format!("doc-{i}"), Stage::Match)).await;
    }
    let first = take(&queue, Stage::Match, 10).await;
    let second = take(&queue, Stage::Match, 10).await;
    assert_nothing(&queue, Stage::Match, 500).await;
    // The broker still holds the other three.
    wait_for_depth(&queue, &fixture.topology().stage_queue(Stage::Match), 3).await;

    first.ack().await.expect("ack");
    let third = take(&queue, Stage::Match, 10).await;
    assert_eq!(third.message().document_id, "doc-2");
    for delivery in [second, third] {
        delivery.ack().await.expect("ack");
    }
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_retry_waits_in_the_fitting_tier_and_returns_with_attempt_plus_one() {
    // Quorum queues: checks the TTL tiers and dead-lettering work with them too.
    let fixture = Fixture::new(|s| s.quorum = true);
    let queue = fixture.queue().await;
    let topology = fixture.topology();
    publish(&queue, work("doc-r", Stage::Post)).await;

    let delivery = take(&queue, Stage::Post, 10).await;
    within(20, "retry", delivery.retry(Duration::from_millis(100)))
        .await
        .expect("retry");
    let again = take(&queue, Stage::Post, 15).await;
    assert_eq!(
        again.message(),
        &WorkMessage {
            attempt: 1,
            ..work("doc-r", Stage::Post)
        }
    );

    // 1 s does not fit the 200 ms tier: it waits in the 3 s tier.
    within(20, "retry", again.retry(Duration::from_secs(1)))
        .await
        .expect("retry");
    assert_eq!(depth(&queue, &topology.retry_tier(1)).await, 1);
    assert_eq!(depth(&queue, &topology.stage_queue(Stage::Post)).await, 0);
    assert_nothing(&queue, Stage::Post, 300).await;
    let third = take(&queue, Stage::Post, 20).await;
    assert_eq!(third.message().attempt, 2);
    third.ack().await.expect("ack");
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn messages_over_max_attempts_are_parked_with_a_reason_and_can_be_replayed() {
    let fixture = Fixture::new(|s| {
        s.max_attempts = 2;
        s.retry_delays = vec![Duration::from_millis(200)];
    });
    let queue = fixture.queue().await;
    publish(&queue, work("doc-p", Stage::Extract)).await;

    let delivery = take(&queue, Stage::Extract, 10).await;
    delivery.retry(Duration::ZERO).await.expect("retry");
    let again = take(&queue, Stage::Extract, 15).await;
    assert_eq!(again.message().attempt, 1);
    again.retry(Duration::ZERO).await.expect("retry parks");
    assert_nothing(&queue, Stage::Extract, 500).await;

    within(
        20,
        "park",
        queue.park(&work("doc-m", Stage::Match), "bank account changed"),
    )
    .await
    .expect("park");
    // Something that is not a work message: the consumer dead-letters it.
    let (connection, channel) = raw_channel().await;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    channel
        .basic_publish(
            fixture.topology().work_exchange().into(),
            "extract".into(),
            BasicPublishOptions::default(),
            b"not json",
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert_nothing(&queue, Stage::Extract, 500).await;

    let parked = within(20, "listing parked", queue.parked(10))
        .await
        .expect("parked");
    assert_eq!(parked.len(), 3, "{parked:?}");
    assert_eq!(
        parked[0].message,
        Some(WorkMessage {
            attempt: 2,
            ..work("doc-p", Stage::Extract)
        })
    );
    assert_eq!(parked[0].reason, "gave up after 2 attempts");
    assert_eq!(parked[1].message, Some(work("doc-m", Stage::Match)));
    assert_eq!(parked[1].reason, "bank account changed");
    assert_eq!(parked[2].message, None);
    assert!(
        parked[2].reason.contains("rejected"),
        "{}",
        parked[2].reason
    );
    // Listing does not consume.
    assert_eq!(queue.parked(10).await.expect("parked").len(), 3);

    assert_eq!(
        within(20, "replay", queue.replay_parked(10))
            .await
            .expect("replay"),
        2
    );
    let replayed = take(&queue, Stage::Extract, 10).await;
    assert_eq!(replayed.message(), &work("doc-p", Stage::Extract));
    replayed.ack().await.expect("ack");
    let replayed = take(&queue, Stage::Match, 10).await;
    assert_eq!(replayed.message(), &work("doc-m", Stage::Match));
    replayed.ack().await.expect("ack");
    let left = queue.parked(10).await.expect("parked");
    assert_eq!(left.len(), 1, "the unreadable one stays parked: {left:?}");
    let _ = connection.close(200, "OK".into()).await;
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn exceptions_fan_out_to_every_subscriber() {
    let fixture = Fixture::new(|_| {});
    let queue = fixture.queue().await;
    let topology = fixture.topology();
    // Another system's queue, bound to the exceptions exchange.
    let (connection, channel) = raw_channel().await;
    let subscriber = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions::exclusive(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    channel
        .queue_bind(
            subscriber.name().clone(),
            topology.exceptions().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();

    within(
        20,
        "exception",
        queue.publish_exception("doc-9", "IBAN not on the master record"),
    )
    .await
    .expect("publish exception");

    let got = channel
        .basic_get(subscriber.name().clone(), BasicGetOptions { no_ack: true })
        .await
        .unwrap()
        .expect("the subscriber got the notice");
    let notice: ExceptionNotice = serde_json::from_slice(&got.delivery.data).unwrap();
    assert_eq!(
        notice,
        ExceptionNotice {
            document_id: "doc-9".into(),
            reason: "IBAN not on the master record".into()
        }
    );
    assert_eq!(depth(&queue, &topology.exceptions()).await, 1);
    let _ = connection.close(200, "OK".into()).await;
    queue.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn declaring_the_topology_again_is_harmless_and_a_mismatch_is_permanent() {
    let fixture = Fixture::new(|_| {});
    let queue = fixture.queue().await;
    publish(&queue, work("kept", Stage::Extract)).await;
    queue.declare_topology().await.expect("second declaration");
    queue.declare_topology().await.expect("third declaration");
    let other = fixture.queue().await;
    let depths = other.queue_depths().await.expect("depths");
    let names: Vec<&str> = depths.iter().map(|(name, _)| name.as_str()).collect();
    let p = &fixture.settings.prefix;
    let expected = [
        "extract",
        "match",
        "post",
        "retry.1",
        "retry.2",
        "parked",
        "exceptions",
    ]
    .map(|suffix| format!("{p}.{suffix}"));
    assert_eq!(names, expected);
    assert_eq!(depths[0].1, 1, "re-declaring keeps the messages");

    // Same names, other queue type: the broker refuses, and retrying cannot help.
    let mut quorum = fixture.settings.clone();
    quorum.quorum = true;
    let refused = within(30, "mismatched connect", RabbitQueue::connect(quorum)).await;
    assert!(
        matches!(refused, Err(QueueError::Permanent(ref m)) if m.contains("PRECONDITION")),
        "{refused:?}"
    );
    other.shutdown(Duration::from_secs(5)).await;
    queue.shutdown(Duration::from_secs(5)).await;
}
