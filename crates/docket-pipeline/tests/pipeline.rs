//! The pipeline under faults: the ERP times out after booking (a lost answer),
//! or fails for a while; messages arrive twice. Nothing is booked twice and
//! nothing is lost.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, GoodsReceipt,
    Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use docket_domain::{DocumentKind, DocumentState, Stage};
use docket_erp::sandbox::SandboxErp;
use docket_erp::{BookedQuery, CustomerQuery, Erp, ErpError, SupplierQuery};
use docket_pipeline::{Pipeline, RetryPolicy, stages};
use docket_queue::memory::InProcessQueue;
use docket_store::DocumentId;
use support::{fixtures, ingest, run_until, run_until_rest};

/// The real sandbox, with faults injected on booking.
struct FaultyErp {
    inner: SandboxErp,
    /// Book, then answer with a time-out, this many times.
    lose_answers: AtomicU32,
    /// Fail without booking, this many times.
    refuse: AtomicU32,
    book_calls: AtomicU32,
    /// When set, only this supplier reference is refused.
    refuse_only: std::sync::Mutex<Option<String>>,
}

fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

#[async_trait]
impl Erp for FaultyErp {
    fn name(&self) -> &str {
        "faulty-sandbox"
    }
    async fn supplier_candidates(&self, q: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        self.inner.supplier_candidates(q).await
    }
    async fn purchase_orders(&self, n: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        self.inner.purchase_orders(n).await
    }
    async fn open_purchase_orders(
        &self,
        s: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        self.inner.open_purchase_orders(s, since).await
    }
    async fn goods_receipts(&self, n: &[String]) -> Result<Vec<GoodsReceipt>, ErpError> {
        self.inner.goods_receipts(n).await
    }
    async fn booked_invoices(&self, q: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError> {
        self.inner.booked_invoices(q).await
    }
    async fn find_booking(
        &self,
        s: &str,
        r: &str,
        k: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        self.inner.find_booking(s, r, k).await
    }
    async fn customer_candidates(&self, q: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        self.inner.customer_candidates(q).await
    }
    async fn products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        self.inner.products(codes).await
    }
    async fn customer_prices(
        &self,
        customer: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        self.inner.customer_prices(customer, codes).await
    }
    async fn find_sales_order(
        &self,
        customer: &str,
        reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        self.inner.find_sales_order(customer, reference).await
    }
    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        self.inner.create_sales_order(request).await
    }
    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        self.book_calls.fetch_add(1, Ordering::SeqCst);
        let targeted = self.refuse_only.lock().unwrap().clone();
        let refused = match targeted {
            Some(reference) => reference == request.supplier_reference,
            None => take(&self.refuse),
        };
        if refused {
            return Err(ErpError::Transient("503 Service Unavailable".into()));
        }
        let booked = self.inner.book_invoice(request).await?;
        if take(&self.lose_answers) {
            return Err(ErpError::Transient(format!(
                "timed out (but booked {})",
                booked.erp_ref
            )));
        }
        Ok(booked)
    }
}

async fn setup(
    lose_answers: u32,
    refuse: u32,
) -> (Arc<Pipeline>, Arc<FaultyErp>, Arc<InProcessQueue>) {
    let seed = SandboxErp::seed_from_dir(&fixtures().join("erp")).unwrap();
    let erp = Arc::new(FaultyErp {
        inner: SandboxErp::in_memory(seed),
        lose_answers: AtomicU32::new(lose_answers),
        refuse: AtomicU32::new(refuse),
        book_calls: AtomicU32::new(0),
        refuse_only: std::sync::Mutex::new(None),
    });
    let queue = Arc::new(InProcessQueue::new());
    let pipeline = support::pipeline(erp.clone(), queue.clone(), None).await;
    (pipeline, erp, queue)
}

async fn bookings_of(erp: &FaultyErp, reference: &str) -> usize {
    erp.inner
        .list_booked()
        .await
        .unwrap()
        .iter()
        .filter(|b| b.supplier_reference == reference)
        .count()
}

#[tokio::test]
async fn a_lost_answer_is_found_again_instead_of_booking_twice() {
    let (pipeline, erp, _queue) = setup(1, 0).await;
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    assert_eq!(run_until_rest(&pipeline, &id).await, DocumentState::Booked);
    assert_eq!(
        erp.book_calls.load(Ordering::SeqCst),
        1,
        "the retry must ask before booking"
    );
    assert_eq!(bookings_of(&erp, "RE-2026-10481").await, 1);
    let record = pipeline.store.document(&id).await.unwrap();
    let booked = erp.inner.list_booked().await.unwrap();
    assert_eq!(
        record.erp_ref.as_deref(),
        Some(booked.last().unwrap().erp_ref.as_str())
    );
}

#[tokio::test]
async fn transient_refusals_are_retried_until_booked() {
    let (pipeline, erp, _queue) = setup(0, 2).await;
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    assert_eq!(run_until_rest(&pipeline, &id).await, DocumentState::Booked);
    assert_eq!(erp.book_calls.load(Ordering::SeqCst), 3);
    assert_eq!(bookings_of(&erp, "RE-2026-10481").await, 1);
}

#[tokio::test]
async fn an_erp_that_never_recovers_gets_its_work_parked_not_swept_again() {
    let (pipeline, erp, queue) = setup(0, 100).await;
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    let other = ingest(&pipeline, "04-partial-delivery.pdf").await;
    erp.refuse_only
        .lock()
        .unwrap()
        .replace("RE-2026-10481".to_string());
    // The other document flows on; the refused one stays matched, parked.
    let both = async || {
        let booked = pipeline.store.document(&other).await.unwrap().state == DocumentState::Booked;
        booked && !queue.parked().is_empty()
    };
    run_until(&pipeline, both).await;
    assert_eq!(
        pipeline.store.document(&other).await.unwrap().state,
        DocumentState::Booked
    );
    let parked = queue.parked();
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert_eq!(parked[0].0.document_id, id.0);
    assert!(
        parked[0].1.contains("gave up after 5 attempts") && parked[0].1.contains("503"),
        "{}",
        parked[0].1
    );
    assert_eq!(
        pipeline.store.document(&id).await.unwrap().state,
        DocumentState::Matched
    );
    assert_eq!(bookings_of(&erp, "RE-2026-10481").await, 0);
    assert!(
        pipeline
            .store
            .stalled(Duration::ZERO)
            .await
            .unwrap()
            .iter()
            .all(|(d, _)| *d != id)
    );
}

#[tokio::test]
async fn repeated_and_stale_messages_change_nothing() {
    let (pipeline, erp, _queue) = setup(0, 0).await;
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    assert_eq!(run_until_rest(&pipeline, &id).await, DocumentState::Booked);
    let events = pipeline.store.events(&id).await.unwrap().len();
    // A stale message's lease never hands the booked document over; each
    // handler must still leave it alone when given it.
    for stage in Stage::ALL {
        let record = pipeline.store.document(&id).await.unwrap();
        stages::handle(&pipeline, stage, record, None)
            .await
            .unwrap();
    }
    assert_eq!(pipeline.store.events(&id).await.unwrap().len(), events);
    assert_eq!(erp.book_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_sweeper_requeues_work_whose_message_was_lost() {
    let (pipeline, _erp, _queue) = setup(0, 0).await;
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    // Lose the outbox message: mark it sent without publishing.
    let pending = pipeline.store.pending_outbox(10).await.unwrap();
    pipeline
        .store
        .mark_sent(&pending.iter().map(|e| e.id).collect::<Vec<_>>())
        .await
        .unwrap();
    assert_eq!(pipeline.sweep().await.unwrap(), 1);
    assert_eq!(run_until_rest(&pipeline, &id).await, DocumentState::Booked);
}

#[tokio::test]
async fn work_leased_by_a_dead_worker_waits_for_the_lease_then_is_swept() {
    let (pipeline, erp, _queue) = setup(0, 0).await;
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    // A worker took the document and died: its lease runs out in 300 ms.
    let states = [DocumentState::Received];
    let ttl = Duration::from_millis(300);
    assert!(
        pipeline
            .store
            .lease(&id, &states, "dead-worker", ttl)
            .await
            .unwrap()
            .is_some()
    );
    let started = std::time::Instant::now();
    assert_eq!(run_until_rest(&pipeline, &id).await, DocumentState::Booked);
    assert!(
        started.elapsed() >= ttl,
        "nobody may work on it while the lease lives"
    );
    assert_eq!(erp.book_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_postgres_and_rabbitmq_a_document_failing_every_time_is_parked_and_the_others_flow() {
    use docket_queue::rabbitmq::{RabbitQueue, RabbitSettings};
    use docket_store::postgres::PgStore;
    use std::str::FromStr;

    let url = std::env::var("DOCKET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("PostgreSQL is needed");
    let schema = format!("docket_test_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
        .execute(&admin)
        .await
        .unwrap();
    let options = sqlx::postgres::PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store = PgStore::connect(options, 4).await.unwrap();
    store.migrate().await.unwrap();
    let settings = RabbitSettings {
        prefix: format!("test-{}", uuid::Uuid::now_v7().simple()),
        max_attempts: 3,
        retry_delays: vec![Duration::from_millis(100)],
        ..RabbitSettings::default()
    };
    let rabbit = Arc::new(
        RabbitQueue::connect(settings)
            .await
            .expect("RabbitMQ is needed"),
    );

    let (sandbox, erp, _) = setup(0, 0).await;
    erp.refuse_only
        .lock()
        .unwrap()
        .replace("RE-2026-10481".to_string());
    let pipeline = Arc::new(Pipeline {
        store: Arc::new(store),
        queue: rabbit.clone(),
        erp: erp.clone(),
        policy: sandbox.policy.clone(),
        limits: sandbox.limits,
        reader: docket_extract::Reader::InProcess,
        mail_limits: Default::default(),
        retry: RetryPolicy {
            max_attempts: 3,
            first_delay: Duration::from_millis(100),
        },
        lease_ttl: docket_pipeline::DEFAULT_LEASE_TTL,
        llm: None,
    });
    let poison = ingest(&pipeline, "01-exact-match.pdf").await;
    let healthy = ingest(&pipeline, "04-partial-delivery.pdf").await;
    let settled = async || {
        let booked =
            pipeline.store.document(&healthy).await.unwrap().state == DocumentState::Booked;
        booked && !rabbit.parked(10).await.unwrap().is_empty()
    };
    run_until(&pipeline, settled).await;

    let state_of = async |id: &DocumentId| pipeline.store.document(id).await.unwrap().state;
    assert_eq!(
        state_of(&healthy).await,
        DocumentState::Booked,
        "the others flow on"
    );
    assert_eq!(
        state_of(&poison).await,
        DocumentState::Matched,
        "the poison keeps its state"
    );
    let parked = rabbit.parked(10).await.unwrap();
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert_eq!(parked[0].message.as_ref().unwrap().document_id, poison.0);
    assert!(
        parked[0].reason.contains("gave up after 3 attempts"),
        "{}",
        parked[0].reason
    );
    assert_eq!(bookings_of(&erp, "RE-2026-10481").await, 0);

    let _ = rabbit.delete_topology().await;
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
}

#[tokio::test]
async fn without_parser_processes_a_document_is_parked_not_quarantined() {
    let (mut pipeline, _erp, queue) = setup(0, 0).await;
    // A program that is no parser: the machine's fault, not the file's.
    Arc::get_mut(&mut pipeline).unwrap().reader =
        docket_extract::Reader::isolated("/bin/true".into(), Vec::new(), 1);
    let id = ingest(&pipeline, "01-exact-match.pdf").await;
    run_until(&pipeline, async || !queue.parked().is_empty()).await;
    let parked = queue.parked();
    assert_eq!(parked[0].0.stage, Stage::Extract);
    assert!(parked[0].1.contains("no parser process"), "{}", parked[0].1);
    let record = pipeline.store.document(&id).await.unwrap();
    assert_eq!(record.state, DocumentState::Received, "kept for replay");
}
