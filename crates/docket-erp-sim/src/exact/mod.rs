//! A simulator of Exact Online's REST API (`/api/v1/{division}/...`), as
//! NOTES.md §2 describes it: OData-v2 flavoured JSON (`{"d":{"results":[…],
//! "__next":"…"}}`), server-side paging, GUID keys, a strict `$filter`
//! subset and mandatory `$select` ([`odata`]), the OAuth2 authorization-code
//! flow with refresh-token rotation ([`auth`]), per-division rate limits
//! with Exact's headers ([`limits`]), and the writes Docket makes
//! ([`write`]), over data seeded from an [`ErpSnapshot`] ([`seed`]).
//!
//! Faults: [`Faults::layer`] gives latency, 5xx and dropped connections;
//! `RateLimited` is taken here so that its 429 carries the minutely
//! headers; `ExpireToken` kills the caller's access token (401);
//! `LoseResponse` commits a POST and then answers too late.

mod auth;
mod limits;
mod odata;
pub mod schema;
mod seed;
mod write;

#[cfg(test)]
mod spec_tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use docket_domain::erp::ErpSnapshot;
use serde_json::{Value, json};

use crate::SimError;
use crate::faults::{Fault, Faults, LOST_RESPONSE_DELAY};
use crate::server::{Running, serve};

pub use seed::account_code;

/// How the simulated Exact behaves; the defaults are Exact's own figures,
/// tests shrink them to reach the limits quickly.
#[derive(Debug, Clone)]
pub struct ExactConfig {
    /// The one division (company) there is.
    pub division: i64,
    /// The registered app.
    pub client_id: String,
    /// The app's secret.
    pub client_secret: String,
    /// Records per page of a list.
    pub page_size: usize,
    /// Calls per minute window and per day window, per division.
    pub minutely_limit: u32,
    /// Calls per day window.
    pub daily_limit: u32,
    /// The length of the "minute" and "day" windows.
    pub minute: Duration,
    /// The length of the "day" window.
    pub day: Duration,
    /// How long an access token lives (600 s).
    pub token_lifetime: Duration,
    /// How soon after the last token a refresh is accepted (~570 s).
    pub refresh_not_before: Duration,
}

impl Default for ExactConfig {
    fn default() -> Self {
        ExactConfig {
            division: 1_234_567,
            client_id: "docket-client".into(),
            client_secret: "docket-secret".into(),
            page_size: 60,
            minutely_limit: 60,
            daily_limit: 5_000,
            minute: Duration::from_secs(60),
            day: Duration::from_secs(86_400),
            token_lifetime: Duration::from_secs(600),
            refresh_not_before: Duration::from_secs(570),
        }
    }
}

struct Shared {
    config: ExactConfig,
    faults: Arc<Faults>,
    db: Mutex<seed::Db>,
    auth: Mutex<auth::Auth>,
    limits: Mutex<limits::Limits>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A handle on a simulator, for tests: codes, counts, token statistics.
#[derive(Clone)]
pub struct ExactSim {
    shared: Arc<Shared>,
}

impl ExactSim {
    /// An authorization code, as the user's consent at `/api/oauth2/auth` gives.
    pub fn issue_code(&self) -> String {
        locked(&self.shared.auth).issue_code()
    }

    /// How many records the entity set at `path` holds (`purchase/PurchaseInvoices`).
    pub fn count(&self, path: &str) -> usize {
        schema::entity(path).map_or(0, |e| locked(&self.shared.db).rows(e).len())
    }

    /// The records of the entity set at `path`, as stored.
    pub fn records(&self, path: &str) -> Vec<Value> {
        let db = locked(&self.shared.db);
        schema::entity(path).map_or(Vec::new(), |e| {
            db.rows(e).iter().cloned().map(Value::Object).collect()
        })
    }

    /// Sets `field` of the records at `path` whose `key_field` is `key`,
    /// as a user editing them in Exact would (their `Modified` moves);
    /// how many records changed.
    pub fn update(
        &self,
        path: &str,
        key_field: &str,
        key: &Value,
        field: &str,
        value: Value,
    ) -> usize {
        let mut db = locked(&self.shared.db);
        schema::entity(path).map_or(0, |e| db.update(e, key_field, key, field, value))
    }

    /// Posts a goods receipt of `quantity` on line `line` of purchase order
    /// `order` (a new receipt; the PO line and the order change with it);
    /// its receipt number, or `None` for an unknown PO line.
    pub fn receive_goods(&self, order: &str, line: &str, quantity: f64) -> Option<i64> {
        locked(&self.shared.db).receive(order, line, quantity)
    }

    /// Refreshes granted and refused so far.
    pub fn refreshes(&self) -> (u32, u32) {
        let auth = locked(&self.shared.auth);
        (auth.refreshes, auth.refused)
    }

    /// The division.
    pub fn division(&self) -> i64 {
        self.shared.config.division
    }
}

/// Exact's error body.
fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": {"code": "", "message": {"lang": "", "value": message}}});
    (status, axum::Json(body)).into_response()
}

/// The router and a handle on its state.
pub fn router(
    snapshot: &ErpSnapshot,
    config: ExactConfig,
    faults: Arc<Faults>,
) -> (Router, ExactSim) {
    let shared = Arc::new(Shared {
        config,
        faults: faults.clone(),
        db: Mutex::new(seed::Db::seeded(snapshot)),
        auth: Mutex::new(auth::Auth::default()),
        limits: Mutex::new(limits::Limits::default()),
    });
    let router = Router::new()
        .route("/api/oauth2/auth", get(authorize))
        .route("/api/oauth2/token", axum::routing::post(token))
        .route("/api/v1/current/Me", get(me))
        .route(
            "/api/v1/{division}/{service}/{entity}",
            get(list).post(create),
        )
        .layer(axum::middleware::from_fn_with_state(faults, Faults::layer))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            rate_limit,
        ))
        .with_state(shared.clone());
    (router, ExactSim { shared })
}

/// Serves a simulator on a free loopback port.
pub async fn start(
    snapshot: &ErpSnapshot,
    config: ExactConfig,
    faults: Arc<Faults>,
) -> Result<(Running, ExactSim), SimError> {
    let (router, sim) = router(snapshot, config, faults);
    Ok((serve(router).await?, sim))
}

/// Counts API calls against the division's limits (outside the fault
/// layer, so that an injected 429 carries the headers too).
async fn rate_limit(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/v1/") {
        return next.run(request).await;
    }
    let config = &shared.config;
    let admission = if shared.faults.take(Fault::RateLimited) {
        limits::Admission::Refused(locked(&shared.limits).exhaust_minute(config))
    } else {
        locked(&shared.limits).admit(config)
    };
    match admission {
        limits::Admission::Refused(headers) => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded");
            response.headers_mut().extend(headers);
            response
        }
        limits::Admission::Admitted(headers) => {
            let mut response = next.run(request).await;
            response.headers_mut().extend(headers);
            response
        }
    }
}

/// `GET /api/oauth2/auth?client_id&redirect_uri&response_type=code`: the
/// user consents at once; redirects with `?code=`.
async fn authorize(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let form: HashMap<String, String> = odata::form_pairs(query.as_deref().unwrap_or_default())
        .into_iter()
        .collect();
    let field = |n: &str| form.get(n).map(String::as_str).unwrap_or_default();
    if field("client_id") != shared.config.client_id || field("response_type") != "code" {
        return error(
            StatusCode::BAD_REQUEST,
            "Unknown client_id or response_type is not code",
        );
    }
    let code = locked(&shared.auth).issue_code();
    let to = format!(
        "{}?code={}",
        field("redirect_uri"),
        odata::percent_encode(&code)
    );
    Redirect::to(&to).into_response()
}

/// `POST /api/oauth2/token` (form encoded).
async fn token(State(shared): State<Arc<Shared>>, body: String) -> Response {
    let form: HashMap<String, String> = odata::form_pairs(&body).into_iter().collect();
    locked(&shared.auth).token_endpoint(&shared.config, &form)
}

/// Why a request is refused: the status and Exact's message.
type Refusal = (StatusCode, String);

/// The bearer token's check; `ExpireToken` kills it here.
fn authorized(shared: &Shared, headers: &HeaderMap) -> Result<(), Refusal> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let mut auth = locked(&shared.auth);
    if auth.valid(token) && shared.faults.take(Fault::ExpireToken) {
        auth.reject(token);
    }
    if auth.valid(token) {
        Ok(())
    } else {
        let message = "Access token is invalid or has expired";
        Err((StatusCode::UNAUTHORIZED, message.into()))
    }
}

/// `GET /api/v1/current/Me`.
async fn me(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err((status, message)) = authorized(&shared, &headers) {
        return error(status, &message);
    }
    let query = match odata::ListQuery::parse(&schema::ME, query.as_deref().unwrap_or_default()) {
        Ok(q) => q,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let me = json!({"UserID": "00000000-0000-4000-8000-0000000000e1", "UserName": "docket",
                    "FullName": "Docket Integration", "CurrentDivision": shared.config.division});
    let row = me.as_object().cloned().unwrap_or_default();
    axum::Json(json!({"d": {"results": [query.project(&row)]}})).into_response()
}

/// The entity set a division-scoped URL names, after the checks every call passes.
fn target(
    shared: &Shared,
    headers: &HeaderMap,
    division: &str,
    service: &str,
    entity: &str,
) -> Result<&'static schema::Entity, Refusal> {
    authorized(shared, headers)?;
    if division != shared.config.division.to_string() {
        return Err((
            StatusCode::FORBIDDEN,
            format!("No access to division {division}"),
        ));
    }
    schema::entity(&format!("{service}/{entity}")).ok_or_else(|| {
        (
            StatusCode::NOT_FOUND,
            format!("Resource not found: {service}/{entity}"),
        )
    })
}

/// `GET /api/v1/{division}/{service}/{entity}?$filter&$select[&$top][&$skiptoken]`.
async fn list(
    State(shared): State<Arc<Shared>>,
    Path((division, service, entity)): Path<(String, String, String)>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let entity = match target(&shared, &headers, &division, &service, &entity) {
        Ok(e) => e,
        Err((status, message)) => return error(status, &message),
    };
    let query = match odata::ListQuery::parse(entity, query.as_deref().unwrap_or_default()) {
        Ok(q) => q,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let db = locked(&shared.db);
    let matching: Vec<_> = db.rows(entity).iter().filter(|r| query.admits(r)).collect();
    let start = match &query.skiptoken {
        None => 0,
        Some(token) => {
            let key = token.trim_start_matches("guid'").trim_end_matches('\'');
            match matching.iter().position(|r| r[entity.key] == key) {
                Some(at) => at + 1,
                None => return error(StatusCode::BAD_REQUEST, "Invalid $skiptoken"),
            }
        }
    };
    let size = shared
        .config
        .page_size
        .max(1)
        .min(query.top.unwrap_or(usize::MAX));
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(size)
        .map(|r| query.project(r))
        .collect();
    let mut body = json!({"d": {"results": page}});
    let more = start + size < matching.len() && query.top.is_none();
    if let (true, Some(last)) = (more, matching.get(start + size - 1)) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let mut next = format!(
            "http://{host}/api/v1/{division}/{}?$select={}",
            entity.path,
            odata::percent_encode(&query.raw_select)
        );
        if let Some(filter) = &query.raw_filter {
            next.push_str(&format!("&$filter={}", odata::percent_encode(filter)));
        }
        let token = format!("guid'{}'", last[entity.key].as_str().unwrap_or_default());
        next.push_str(&format!("&$skiptoken={}", odata::percent_encode(&token)));
        body["d"]["__next"] = Value::String(next);
    }
    axum::Json(body).into_response()
}

/// `POST /api/v1/{division}/{service}/{entity}`.
async fn create(
    State(shared): State<Arc<Shared>>,
    Path((division, service, entity)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let entity = match target(&shared, &headers, &division, &service, &entity) {
        Ok(e) => e,
        Err((status, message)) => return error(status, &message),
    };
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "The request body is not valid JSON",
        );
    };
    let written = {
        let mut db = locked(&shared.db);
        match entity.path {
            "purchase/PurchaseInvoices" => write::purchase_invoice(&mut db, &body),
            "purchaseentry/PurchaseEntries" => write::purchase_entry(&mut db, &body),
            "salesorder/SalesOrders" => write::sales_order(&mut db, &body),
            other => Err(format!("POST on {other} is not supported by the simulator")),
        }
    };
    let record = match written {
        Ok(record) => record,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    if shared.faults.take(Fault::LoseResponse) {
        tokio::time::sleep(LOST_RESPONSE_DELAY).await;
    }
    let representation = headers
        .get("Prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("return=representation"));
    if representation {
        (StatusCode::CREATED, axum::Json(json!({"d": record}))).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}
