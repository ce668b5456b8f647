//! The simulator's HTTP side: routes, request checks, faults, counters.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{SimOptions, SimStats, model};
use crate::prompt;
use crate::protocol::{ChatCompletion, ChatMessage, ChatRequest, Choice, ErrorBody, Usage};

/// Most arrival times kept (a long benchmark must not grow memory without end).
const MAX_ARRIVALS: usize = 10_000;

/// State shared by all requests.
#[derive(Debug)]
pub(super) struct Shared {
    options: SimOptions,
    started: Instant,
    requests: AtomicU64,
    answered: AtomicU64,
    server_errors: AtomicU64,
    rate_limited: AtomicU64,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    arrivals: Mutex<Vec<Duration>>,
    last_request: Mutex<Option<Value>>,
}

impl Shared {
    pub(super) fn new(options: SimOptions) -> Self {
        Shared {
            options,
            started: Instant::now(),
            requests: AtomicU64::new(0),
            answered: AtomicU64::new(0),
            server_errors: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
            arrivals: Mutex::new(Vec::new()),
            last_request: Mutex::new(None),
        }
    }

    pub(super) fn stats(&self) -> SimStats {
        SimStats {
            requests: self.requests.load(Ordering::SeqCst),
            answered: self.answered.load(Ordering::SeqCst),
            server_errors: self.server_errors.load(Ordering::SeqCst),
            rate_limited: self.rate_limited.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            peak_in_flight: self.peak_in_flight.load(Ordering::SeqCst),
        }
    }

    pub(super) fn arrivals(&self) -> Vec<Duration> {
        self.arrivals.lock().map(|a| a.clone()).unwrap_or_default()
    }

    pub(super) fn last_request(&self) -> Option<Value> {
        self.last_request.lock().ok().and_then(|r| r.clone())
    }
}

/// Counts a request as in flight until dropped.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/v1/models", get(models))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "no such endpoint: use POST /v1/chat/completions or GET /v1/models",
            )
        })
        .with_state(shared)
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (status, axum::Json(ErrorBody::new(kind, message))).into_response()
}

async fn models(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(json!({
        "object": "list",
        "data": [{"id": shared.options.model, "object": "model", "created": 0, "owned_by": "docket"}]
    }))
    .into_response()
}

async fn chat(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let seq = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
    if let Ok(mut arrivals) = shared.arrivals.lock()
        && arrivals.len() < MAX_ARRIVALS
    {
        arrivals.push(shared.started.elapsed());
    }
    if let Some(key) = &shared.options.api_key {
        let expected = format!("Bearer {key}");
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if given != Some(expected.as_str()) {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_request_error",
                "Incorrect API key provided.",
            );
        }
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let message = format!("the request body is not JSON: {e}");
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", &message);
        }
    };
    if let Ok(mut last) = shared.last_request.lock() {
        *last = Some(value.clone());
    }
    let request: ChatRequest = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            let message = format!("the request is not a chat completion request: {e}");
            return error(StatusCode::BAD_REQUEST, "invalid_request_error", &message);
        }
    };
    let Some(user) = request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == "user")
        .and_then(|m| m.content.clone())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "messages must contain a user message",
        );
    };
    if request.model.trim().is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "model is required",
        );
    }

    tokio::time::sleep(shared.options.latency).await;

    let options = &shared.options;
    if options.fail_every_nth.is_some_and(|n| seq % n == 0) {
        shared.server_errors.fetch_add(1, Ordering::SeqCst);
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The server had an error while processing your request (injected fault).",
        );
    }
    if options.rate_limit_every_nth.is_some_and(|n| seq % n == 0) {
        shared.rate_limited.fetch_add(1, Ordering::SeqCst);
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_error",
            "Rate limit reached for requests (injected fault).",
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(options.retry_after_secs),
        );
        return response;
    }

    let content = if options.garbage {
        "Sure! I had a look at the invoice. It seems to be from a supplier and the total looks fine to me."
            .to_string()
    } else {
        let text = prompt::document_text(&user).unwrap_or(&user).to_string();
        let gullible = options.gullible;
        match tokio::task::spawn_blocking(move || model::answer(&text, gullible)).await {
            Ok(content) => content,
            Err(e) => {
                let message = format!("the model failed: {e}");
                return error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &message);
            }
        }
    };
    let prompt_chars: usize = request
        .messages
        .iter()
        .filter_map(|m| m.content.as_ref())
        .map(|c| c.chars().count())
        .sum();
    let usage = Usage {
        prompt_tokens: (prompt_chars / 4) as u64,
        completion_tokens: (content.chars().count() / 4) as u64,
        total_tokens: ((prompt_chars + content.chars().count()) / 4) as u64,
    };
    let completion = ChatCompletion {
        id: format!("chatcmpl-sim-{seq}"),
        object: "chat.completion".to_string(),
        created: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
        model: request.model,
        choices: vec![Choice {
            index: 0,
            message: ChatMessage::new("assistant", content),
            finish_reason: Some("stop".to_string()),
        }],
        usage: Some(usage),
    };
    shared.answered.fetch_add(1, Ordering::SeqCst);
    axum::Json(completion).into_response()
}
