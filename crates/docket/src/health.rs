//! Health endpoints of the long-running processes (`run`, `worker`, `ingest`),
//! for orchestrators and monitoring, served when `[health] listen` is set:
//!
//! - `GET /healthz`: liveness, the process answers (restart it if not);
//! - `GET /readyz`: readiness, the store answers and, on RabbitMQ, the broker
//!   does (503 with the reason if not: take no traffic, do not restart);
//! - `GET /metrics`: Prometheus text: documents per state, unsent outbox
//!   messages, the age of the oldest unfinished document and queue depths.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use docket_queue::rabbitmq::RabbitQueue;
use docket_store::Store;

/// How long one dependency check may take before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// What the endpoints look at.
#[derive(Clone)]
pub struct Probe {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The broker, when the queue is RabbitMQ.
    pub rabbit: Option<Arc<RabbitQueue>>,
}

/// Starts serving the endpoints on `listen`; runs until the process ends.
pub async fn serve(listen: &str, probe: Probe) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for health checks on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(probe);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the health endpoints stopped");
        }
    });
    Ok(addr)
}

async fn ready(State(probe): State<Probe>) -> impl IntoResponse {
    match check(&probe).await {
        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        ),
    }
}

async fn check(probe: &Probe) -> Result<(), String> {
    match tokio::time::timeout(CHECK_TIMEOUT, probe.store.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("the store fails: {e}")),
        Err(_) => return Err(format!("the store did not answer within {CHECK_TIMEOUT:?}")),
    }
    if let Some(rabbit) = &probe.rabbit {
        match tokio::time::timeout(CHECK_TIMEOUT, rabbit.queue_depths()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(format!("the broker fails: {e}")),
            Err(_) => {
                return Err(format!(
                    "the broker did not answer within {CHECK_TIMEOUT:?}"
                ));
            }
        }
    }
    Ok(())
}

async fn metrics(State(probe): State<Probe>) -> impl IntoResponse {
    let mut text = String::new();
    match tokio::time::timeout(CHECK_TIMEOUT, probe.store.status()).await {
        Ok(Ok(status)) => {
            text.push_str("# HELP docket_documents Documents per state.\n");
            text.push_str("# TYPE docket_documents gauge\n");
            for (state, count) in &status.documents {
                let _ = writeln!(text, "docket_documents{{state=\"{state}\"}} {count}");
            }
            text.push_str("# HELP docket_outbox_unsent Messages written but not yet published.\n");
            text.push_str("# TYPE docket_outbox_unsent gauge\n");
            let _ = writeln!(text, "docket_outbox_unsent {}", status.outbox_unsent);
            if let Some(oldest) = status.oldest_unfinished {
                let age = (chrono::Utc::now() - oldest).num_milliseconds() as f64 / 1000.0;
                text.push_str(
                    "# HELP docket_oldest_unfinished_seconds Age of the oldest document still owed work.\n",
                );
                text.push_str("# TYPE docket_oldest_unfinished_seconds gauge\n");
                let _ = writeln!(text, "docket_oldest_unfinished_seconds {age:.3}");
            }
        }
        _ => text.push_str("# the store did not answer\n"),
    }
    if let Some(rabbit) = &probe.rabbit
        && let Ok(Ok(depths)) = tokio::time::timeout(CHECK_TIMEOUT, rabbit.queue_depths()).await
    {
        text.push_str("# HELP docket_queue_messages Messages ready in each queue.\n");
        text.push_str("# TYPE docket_queue_messages gauge\n");
        for (queue, depth) in depths {
            let _ = writeln!(text, "docket_queue_messages{{queue=\"{queue}\"}} {depth}");
        }
    }
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
