//! Fault injection shared by the simulators: what the next requests suffer.
//!
//! Tests arm a fault (`faults.fail_next(2)`), then drive the adapter; the
//! simulator's middleware ([`Faults::layer`]) applies latency, 5xx answers,
//! 429 rate limiting and dropped connections before the handler runs. Faults
//! that depend on the API (an expired token, an expired CSRF token, a
//! response lost after the write was committed) are taken by the handlers
//! themselves through [`Faults::take`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A kind of fault, counted down per request that suffers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer 503 Service Unavailable.
    ServerError,
    /// Answer 429 Too Many Requests (with the API's rate-limit headers, where the simulator sets them).
    RateLimited,
    /// Never answer and commit nothing: to the client it is a connection
    /// that went dead (its time-out fires).
    DropConnection,
    /// Treat the caller's access token as expired (401).
    ExpireToken,
    /// Treat the caller's CSRF token as expired (SAP: 403 with `X-CSRF-Token: Required`).
    ExpireCsrf,
    /// Commit the write, then never answer in time (the client times out).
    LoseResponse,
}

const KINDS: usize = 6;

fn slot(fault: Fault) -> usize {
    match fault {
        Fault::ServerError => 0,
        Fault::RateLimited => 1,
        Fault::DropConnection => 2,
        Fault::ExpireToken => 3,
        Fault::ExpireCsrf => 4,
        Fault::LoseResponse => 5,
    }
}

/// Armed faults and latency, shared between a test and its simulator.
#[derive(Debug, Default)]
pub struct Faults {
    armed: [AtomicU32; KINDS],
    latency_ms: AtomicU64,
    requests: AtomicU64,
}

/// How long a lost response keeps the client waiting: longer than any
/// client timeout the tests set.
pub const LOST_RESPONSE_DELAY: Duration = Duration::from_secs(30);

impl Faults {
    /// No faults.
    pub fn new() -> Arc<Self> {
        Arc::new(Faults::default())
    }

    /// The next `n` requests that can suffer `fault` suffer it.
    pub fn arm(&self, fault: Fault, n: u32) {
        self.armed[slot(fault)].fetch_add(n, Ordering::SeqCst);
    }

    /// Whether this request suffers `fault` (counting it down).
    pub fn take(&self, fault: Fault) -> bool {
        self.armed[slot(fault)]
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Every request waits this long first.
    pub fn set_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.latency_ms.store(ms, Ordering::SeqCst);
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// The middleware applying latency, 5xx, 429 and dropped connections
    /// (`axum::middleware::from_fn_with_state(faults, Faults::layer)`).
    pub async fn layer(
        State(faults): State<Arc<Faults>>,
        request: Request,
        next: Next,
    ) -> Response {
        faults.requests.fetch_add(1, Ordering::SeqCst);
        let latency = faults.latency_ms.load(Ordering::SeqCst);
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        if faults.take(Fault::DropConnection) {
            // Nothing is processed and nothing comes back.
            std::future::pending::<()>().await;
        }
        if faults.take(Fault::ServerError) {
            return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
        }
        if faults.take(Fault::RateLimited) {
            return (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
        }
        next.run(request).await
    }
}
