//! The simulator's HTTP side: routes, request checks, faults, counters.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::{SimOptions, SimStats, model};
use crate::protocol::{
    ChatCompletion, ChatMessage, ChatRequest, Choice, ErrorBody, ResponseFormat, Usage,
};
use crate::{prompt, retry, schema};

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

    /// Counts a chat request and notes when it came; its number, from 1.
    fn arrive(&self) -> u64 {
        let seq = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut arrivals) = self.arrivals.lock()
            && arrivals.len() < MAX_ARRIVALS
        {
            arrivals.push(self.started.elapsed());
        }
        seq
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
        .route(
            "/openai/deployments/{deployment}/chat/completions",
            post(azure_chat),
        )
        .route("/v1/models", get(models))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                "no such endpoint: use POST /v1/chat/completions, \
                 POST /openai/deployments/{model}/chat/completions or GET /v1/models",
            )
        })
        .with_state(shared)
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (status, axum::Json(ErrorBody::new(kind, message))).into_response()
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

async fn models(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(json!({
        "object": "list",
        "data": [{"id": shared.options.model, "object": "model", "created": 0, "owned_by": "docket"}]
    }))
    .into_response()
}

/// OpenAI's shape: the key as a bearer token.
async fn chat(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let seq = shared.arrive();
    let _in_flight = InFlight::enter(&shared);
    if let Some(key) = &shared.options.api_key
        && header_text(&headers, header::AUTHORIZATION.as_str()) != Some(&format!("Bearer {key}"))
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "Incorrect API key provided.",
        );
    }
    complete(&shared, seq, &body).await
}

/// Azure OpenAI's shape: the deployment in the path, `api-version` in the
/// query, the key in an `api-key` header (a bearer token would be an Entra
/// ID token, which the simulator does not issue).
async fn azure_chat(
    State(shared): State<Arc<Shared>>,
    Path(deployment): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seq = shared.arrive();
    let _in_flight = InFlight::enter(&shared);
    if let Some(key) = &shared.options.api_key
        && header_text(&headers, "api-key") != Some(key)
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint.",
        );
    }
    let has_version = uri.query().unwrap_or_default().split('&').any(|pair| {
        pair.strip_prefix("api-version=")
            .is_some_and(|v| !v.is_empty())
    });
    if !has_version {
        return error(StatusCode::NOT_FOUND, "404", "Resource not found");
    }
    if deployment != shared.options.model {
        return error(
            StatusCode::NOT_FOUND,
            "DeploymentNotFound",
            "The API deployment for this resource does not exist.",
        );
    }
    complete(&shared, seq, &body).await
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The request's checks, the faults and the answer, for either shape.
async fn complete(shared: &Shared, seq: u64, body: &[u8]) -> Response {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return bad_request(&format!("the request body is not JSON: {e}")),
    };
    if let Ok(mut last) = shared.last_request.lock() {
        *last = Some(value.clone());
    }
    let request: ChatRequest = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(&format!(
                "the request is not a chat completion request: {e}"
            ));
        }
    };
    let Some(user) = request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == "user")
        .and_then(|m| m.content.clone())
    else {
        return bad_request("messages must contain a user message");
    };
    if request.model.trim().is_empty() {
        return bad_request("model is required");
    }
    if let Some(format) = &request.response_format
        && let Err(message) = check_format(format, &shared.options)
    {
        return bad_request(&message);
    }

    tokio::time::sleep(shared.options.latency).await;

    let options = &shared.options;
    if options
        .fail_every_nth
        .is_some_and(|n| seq.is_multiple_of(n))
    {
        shared.server_errors.fetch_add(1, Ordering::SeqCst);
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The server had an error while processing your request (injected fault).",
        );
    }
    if options
        .rate_limit_every_nth
        .is_some_and(|n| seq.is_multiple_of(n))
    {
        shared.rate_limited.fetch_add(1, Ordering::SeqCst);
        return rate_limited(options);
    }

    let content = match answer(options, &user).await {
        Ok(content) => content,
        Err(message) => {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &message);
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
        usage: (!options.no_usage).then_some(usage),
    };
    shared.answered.fetch_add(1, Ordering::SeqCst);
    axum::Json(completion).into_response()
}

/// Whether the simulator takes a response format: `json_schema` as OpenAI
/// checks it (a name, a schema, and in strict mode one strict mode accepts),
/// unless it plays a server without structured output.
fn check_format(format: &ResponseFormat, options: &SimOptions) -> Result<(), String> {
    match (format.kind.as_str(), &format.json_schema) {
        ("text" | "json_object", _) => Ok(()),
        ("json_schema", _) if options.no_json_schema => Err(
            "response_format type \"json_schema\" is not supported by this server (injected fault)"
                .to_string(),
        ),
        ("json_schema", None) => {
            Err("Missing required parameter: 'response_format.json_schema'.".to_string())
        }
        ("json_schema", Some(js)) => {
            let Some(schema) = &js.schema else {
                return Err(
                    "Missing required parameter: 'response_format.json_schema.schema'.".to_string(),
                );
            };
            let problem = match js.strict {
                Some(true) => schema::strict_problem(schema),
                _ => None,
            };
            match problem {
                Some(p) => Err(format!(
                    "Invalid schema for response_format '{}': {p}",
                    js.name
                )),
                None => Ok(()),
            }
        }
        (other, _) => Err(format!(
            "Invalid value: '{other}'. Supported values are: 'json_object', 'json_schema', and 'text'."
        )),
    }
}

/// An injected HTTP 429, with `Retry-After` in seconds or as a date.
fn rate_limited(options: &SimOptions) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_error",
        "Rate limit reached for requests (injected fault).",
    );
    let value = if options.retry_after_as_date {
        // Whole seconds: an HTTP-date has no finer grain, so the wait asked
        // for is at least `retry_after_secs` and less than one more.
        let at =
            chrono::Utc::now() + chrono::Duration::seconds(options.retry_after_secs as i64 + 1);
        HeaderValue::from_str(&retry::format_http_date(at)).ok()
    } else {
        Some(HeaderValue::from(options.retry_after_secs))
    };
    if let Some(value) = value {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The model's message for the user message: the faulty kinds, or the
/// deterministic reading of the fenced text.
async fn answer(options: &SimOptions, user: &str) -> Result<String, String> {
    if options.garbage {
        return Ok("Sure! I had a look at the invoice. It seems to be from a supplier and the total looks fine to me."
            .to_string());
    }
    let text = prompt::document_text(user).unwrap_or(user).to_string();
    let gullible = options.gullible;
    let content = tokio::task::spawn_blocking(move || model::answer(&text, gullible))
        .await
        .map_err(|e| format!("the model failed: {e}"))?;
    if !options.off_schema {
        return Ok(content);
    }
    // What models add unasked: a key the schema does not have.
    let mut value: Value = serde_json::from_str(&content).unwrap_or_else(|_| json!({}));
    if let Value::Object(map) = &mut value {
        map.insert("confidence".to_string(), json!(0.95));
    }
    Ok(value.to_string())
}
