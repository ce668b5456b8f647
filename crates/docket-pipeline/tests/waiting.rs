//! Waiting for goods (issue 6, point 5): an invoice whose goods have not
//! arrived waits; the re-check matches it again once they have and it is
//! booked; one that has waited longer than the policy allows goes to a person.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use docket_domain::{DocumentState, ReasonCode, Stage};
use docket_erp::sandbox::SandboxErp;
use docket_matching::Policy;
use docket_pipeline::{Pipeline, stages};
use docket_queue::memory::InProcessQueue;
use rust_decimal::Decimal;
use support::{Running, fixtures, ingest, run_until_rest};

/// The fixture whose purchase order 4500000105 has no goods receipt yet.
const BEFORE_RECEIPT: &str = "05-before-goods-receipt.pdf";

async fn setup(policy: Policy) -> (Arc<Pipeline>, Arc<SandboxErp>) {
    let seed = SandboxErp::seed_from_dir(&fixtures().join("erp")).unwrap();
    let erp = Arc::new(SandboxErp::in_memory(seed));
    let queue = Arc::new(InProcessQueue::new());
    let pipeline = support::pipeline_with_policy(erp.clone(), queue, None, policy).await;
    (pipeline, erp)
}

async fn receive(erp: &SandboxErp, line: &str, quantity: u32) {
    let today = chrono::Utc::now().date_naive();
    erp.receive_goods("4500000105", line, Decimal::from(quantity), today)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_waiting_invoice_is_booked_after_its_goods_arrive_and_the_recheck() {
    let (pipeline, erp) = setup(Policy::default()).await;
    // One run for the whole test: stopping closes the queue.
    let running = Running::start(&pipeline);
    let id = ingest(&pipeline, BEFORE_RECEIPT).await;
    let decided = async || {
        let record = pipeline.store.document(&id).await.unwrap();
        record.state.decision().is_some()
    };
    running.until(decided).await;
    let waiting = pipeline.store.document(&id).await.unwrap();
    assert_eq!(waiting.state, DocumentState::Waiting);
    assert!(
        waiting
            .reasons
            .iter()
            .all(|r| r.code == ReasonCode::AwaitingGoodsReceipt),
        "{:?}",
        waiting.reasons
    );

    // A re-check that finds nothing new leaves the document and its history alone.
    let events = pipeline.store.events(&id).await.unwrap().len();
    let moved = stages::handle(&pipeline, Stage::Match, waiting.clone(), None)
        .await
        .unwrap();
    assert!(!moved, "nothing new: the worker is to give the lease back");
    assert_eq!(pipeline.store.events(&id).await.unwrap().len(), events);

    // Half the goods: still waiting, for the other line.
    receive(&erp, "10", 200).await;
    assert_eq!(pipeline.recheck_waiting().await.unwrap(), 1);
    let one_line_left = async || {
        let record = pipeline.store.document(&id).await.unwrap();
        record.reasons.len() == 1
    };
    running.until(one_line_left).await;
    let record = pipeline.store.document(&id).await.unwrap();
    assert_eq!(record.state, DocumentState::Waiting);
    assert_eq!(record.reasons[0].line, Some(2), "{:?}", record.reasons);

    // The rest arrives; the periodic re-check (which runs at once) finds it.
    receive(&erp, "20", 1000).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let recheck = {
        let p = pipeline.clone();
        tokio::spawn(async move { p.run_recheck(stopped, Duration::from_secs(3600)).await })
    };
    let booked = async || {
        let record = pipeline.store.document(&id).await.unwrap();
        record.state == DocumentState::Booked
    };
    running.until(booked).await;
    running.stop().await;
    stop.send(true).unwrap();
    recheck.await.unwrap().unwrap();
    let record = pipeline.store.document(&id).await.unwrap();
    assert_eq!(record.state, DocumentState::Booked, "{:?}", record.reasons);
    let bookings = erp.list_booked().await.unwrap();
    assert!(
        bookings
            .iter()
            .any(|b| b.supplier_reference == "VL-2026-0447")
    );
}

#[tokio::test]
async fn an_invoice_waiting_longer_than_allowed_is_an_exception() {
    let mut policy = Policy::default();
    policy.waiting.max_days = 0;
    let (pipeline, _erp) = setup(policy).await;
    let id = ingest(&pipeline, BEFORE_RECEIPT).await;
    assert_eq!(
        run_until_rest(&pipeline, &id).await,
        DocumentState::Exception
    );
    let reasons = pipeline.store.document(&id).await.unwrap().reasons;
    let codes: Vec<ReasonCode> = reasons.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [
            ReasonCode::WaitedTooLong,
            ReasonCode::AwaitingGoodsReceipt,
            ReasonCode::AwaitingGoodsReceipt
        ],
        "{reasons:?}"
    );
    let message = &reasons[0].message;
    assert!(
        message.contains("line 1 (PO 4500000105 line 10), line 2 (PO 4500000105 line 20)")
            && message.contains("0 day(s)"),
        "{message}"
    );
}
