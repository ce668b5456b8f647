//! SAP S/4HANA's OData v2 services, simulated: API_BUSINESS_PARTNER,
//! API_PURCHASEORDER_PROCESS_SRV, API_MATERIAL_DOCUMENT_SRV,
//! API_SUPPLIERINVOICE_PROCESS_SRV and API_SALES_ORDER_SRV under
//! `/sap/opu/odata/sap/<SRV>/`, with Basic and OAuth 2.0 client-credentials
//! authentication, the CSRF handshake, verbose JSON, strict `$filter`,
//! server-side paging, SAP error bodies and the shared [`Faults`].
//!
//! [`schema`] names what is served (checked against the EDMX files),
//! [`store`] holds it, [`odata`] and [`filter`] read it, [`write`] creates
//! invoices and sales orders, [`auth`] guards the door.

pub mod auth;
pub mod filter;
pub mod odata;
pub mod schema;
pub mod store;
pub mod wire;
pub mod write;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use docket_domain::erp::ErpSnapshot;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::SimError;
use crate::faults::{Fault, Faults, LOST_RESPONSE_DELAY};
use crate::server::{self, Running};

use auth::Security;
use store::{Record, Tables};

/// How the simulated system is set up.
#[derive(Debug, Clone)]
pub struct SapConfig {
    /// The communication user (Basic).
    pub user: String,
    /// Its password.
    pub password: String,
    /// The OAuth 2.0 client id.
    pub client_id: String,
    /// The OAuth 2.0 client secret.
    pub client_secret: String,
    /// How long a bearer token lives.
    pub token_ttl: Duration,
    /// Records per page before `__next` (SAP's server-side paging).
    pub page_size: usize,
    /// The company code of POs that name none.
    pub company_code: String,
    /// Tax codes and their rates (what a PO line's rate is written as).
    pub tax_codes: Vec<(String, Decimal)>,
    /// The sales order type accepted.
    pub sales_order_type: String,
    /// The sales organisation accepted.
    pub sales_organization: String,
    /// The distribution channel accepted.
    pub distribution_channel: String,
    /// The division accepted.
    pub division: String,
}

impl Default for SapConfig {
    fn default() -> Self {
        SapConfig {
            user: "DOCKET_COMM".into(),
            password: "Welcome1!".into(),
            client_id: "docket-client".into(),
            client_secret: "docket-secret".into(),
            token_ttl: Duration::from_secs(3600),
            page_size: 50,
            company_code: "1010".into(),
            tax_codes: vec![
                ("V0".into(), Decimal::ZERO),
                ("V1".into(), Decimal::from(19)),
                ("V2".into(), Decimal::from(7)),
                ("V3".into(), Decimal::from(21)),
                ("V4".into(), Decimal::from(9)),
            ],
            sales_order_type: "OR".into(),
            sales_organization: "1010".into(),
            distribution_channel: "10".into(),
            division: "00".into(),
        }
    }
}

struct Inner {
    config: SapConfig,
    tables: Mutex<Tables>,
    security: Security,
    faults: Arc<Faults>,
}

/// A simulated SAP system; clones share it.
#[derive(Clone)]
pub struct SapSim {
    inner: Arc<Inner>,
}

const ODATA_ROOT: &str = "/sap/opu/odata/sap";

fn lock(m: &Mutex<Tables>) -> std::sync::MutexGuard<'_, Tables> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SapSim {
    /// A system holding `data`.
    pub fn new(data: &ErpSnapshot, config: SapConfig, faults: Arc<Faults>) -> Self {
        let tables = Tables::seed(data, &config);
        let security = Security::new(
            &config.user,
            &config.password,
            &config.client_id,
            &config.client_secret,
            config.token_ttl,
        );
        SapSim {
            inner: Arc::new(Inner {
                config,
                tables: Mutex::new(tables),
                security,
                faults,
            }),
        }
    }

    /// The records of an entity set now (for tests: count the invoices).
    pub fn records(&self, set: &str) -> Vec<Record> {
        lock(&self.inner.tables).all(set).to_vec()
    }

    /// Adds a record to `set` (a goods receipt arriving, a reversal),
    /// stamped as SAP stamps it (see [`Tables::insert`]).
    pub fn insert(&self, set: &'static str, values: Vec<(&str, Value)>) {
        lock(&self.inner.tables).insert(set, values);
    }

    /// Changes the records of `set` with these key values (a supplier's
    /// block, a PO item's flag), stamping the change as SAP does; returns
    /// how many records changed.
    pub fn update(
        &self,
        set: &'static str,
        key: &[(&str, &str)],
        values: Vec<(&str, Value)>,
    ) -> usize {
        lock(&self.inner.tables).update(set, key, values)
    }

    /// The HTTP routes, with the faults middleware.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/sap/bc/sec/oauth2/token", post(token))
            .route(&format!("{ODATA_ROOT}/{{service}}"), any(service_root))
            .route(&format!("{ODATA_ROOT}/{{service}}/"), any(service_root))
            .route(
                &format!("{ODATA_ROOT}/{{service}}/{{*path}}"),
                any(resource),
            )
            .layer(axum::middleware::from_fn_with_state(
                self.inner.faults.clone(),
                Faults::layer,
            ))
            .with_state(self.clone())
    }

    /// Serves the simulator on a free loopback port.
    pub async fn serve(&self) -> Result<Running, SimError> {
        server::serve(self.router()).await
    }
}

async fn token(
    State(sim): State<SapSim>,
    headers: HeaderMap,
    Query(form_in_query): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    let mut form: Vec<(String, String)> = url_form(&body);
    form.extend(form_in_query);
    sim.inner.security.token(&headers, &form)
}

/// `application/x-www-form-urlencoded` pairs.
fn url_form(body: &[u8]) -> Vec<(String, String)> {
    Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{}", String::from_utf8_lossy(body))
            .parse()
            .unwrap_or_default(),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}

const SERVICES: [&str; 5] = [
    schema::BUSINESS_PARTNER,
    schema::PURCHASE_ORDER,
    schema::MATERIAL_DOCUMENT,
    schema::SUPPLIER_INVOICE,
    schema::SALES_ORDER,
];

/// Authentication and the CSRF handshake, common to every service request;
/// `Ok(headers)` to add to the answer (a fetched token, its cookie).
fn guard(
    sim: &SapSim,
    service: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Vec<(header::HeaderName, String)>, Box<Response>> {
    sim.inner
        .security
        .authenticate(headers, &sim.inner.faults)?;
    if !SERVICES.contains(&service) {
        return Err(Box::new(wire::error(
            StatusCode::NOT_FOUND,
            "/IWFND/MED/170",
            &format!("No service found for namespace '', name '{service}', version '0001'"),
        )));
    }
    let fetch = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("fetch"));
    if fetch && matches!(*method, Method::GET | Method::HEAD) {
        return Ok(sim.inner.security.fetch_csrf(headers));
    }
    sim.inner
        .security
        .check_csrf(method, headers, &sim.inner.faults)?;
    Ok(Vec::new())
}

fn with_headers(mut r: Response, extra: Vec<(header::HeaderName, String)>) -> Response {
    for (name, value) in extra {
        if let Ok(v) = value.parse() {
            r.headers_mut().append(name, v);
        }
    }
    r
}

fn base(headers: &HeaderMap, service: &str) -> odata::Base {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    odata::Base {
        service_url: format!("http://{host}{ODATA_ROOT}/{service}/"),
    }
}

/// The service document (and the usual place to fetch a CSRF token).
async fn service_root(
    State(sim): State<SapSim>,
    Path(service): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let extra = match guard(&sim, &service, &method, &headers) {
        Ok(extra) => extra,
        Err(r) => return *r,
    };
    let sets: Vec<&str> = schema::SETS
        .iter()
        .filter(|s| s.service == service)
        .map(|s| s.name)
        .collect();
    with_headers(
        axum::Json(json!({"d": {"EntitySets": sets}})).into_response(),
        extra,
    )
}

async fn resource(
    State(sim): State<SapSim>,
    Path((service, path)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let extra = match guard(&sim, &service, &method, &headers) {
        Ok(extra) => extra,
        Err(r) => return *r,
    };
    let target = match odata::resource(&service, &path) {
        Ok(t) => t,
        Err(e) => return wire::error(StatusCode::NOT_FOUND, "/IWBEP/CM_MGW_RT/020", &e),
    };
    let base = base(&headers, &service);
    let answer = match method {
        Method::GET | Method::HEAD => read(
            &sim,
            &target,
            &base,
            &params,
            raw.as_deref().unwrap_or_default(),
        ),
        Method::POST if target.key.is_none() => create(&sim, target.set.name, &base, &body).await,
        _ => wire::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "/IWBEP/CM_MGW_RT/021",
            &format!("Method {method} is not supported on this resource by the simulator"),
        ),
    };
    with_headers(answer, extra)
}

fn read(
    sim: &SapSim,
    target: &odata::Resource,
    base: &odata::Base,
    params: &[(String, String)],
    raw: &str,
) -> Response {
    let tables = lock(&sim.inner.tables);
    let page = sim.inner.config.page_size.max(1);
    let set = target.set;
    let bad = |e: String| wire::bad_request("/IWBEP/CM_MGW_RT/004", &e);
    let Some(key) = &target.key else {
        return match odata::options(set, params).and_then(|o| {
            odata::collection(
                &tables,
                base,
                set,
                tables.all(set.name).iter().collect(),
                &o,
                raw,
                page,
            )
        }) {
            Ok(v) => axum::Json(v).into_response(),
            Err(e) => bad(e),
        };
    };
    let Some(record) = tables.all(set.name).iter().find(|r| odata::has_key(r, key)) else {
        return wire::error(
            StatusCode::NOT_FOUND,
            "/IWBEP/CM_MGW_RT/020",
            &format!("Resource not found for segment '{}'", set.name),
        );
    };
    match target.nav {
        None => match odata::options(set, params) {
            Ok(o) => axum::Json(odata::single(&tables, base, set, record, &o)).into_response(),
            Err(e) => bad(e),
        },
        Some(nav) => {
            let to = schema::by_name(nav.target);
            let related = odata::related(&tables, nav, record);
            match odata::options(to, params)
                .and_then(|o| odata::collection(&tables, base, to, related, &o, raw, page))
            {
                Ok(v) => axum::Json(v).into_response(),
                Err(e) => bad(e),
            }
        }
    }
}

async fn create(sim: &SapSim, set: &str, base: &odata::Base, body: &[u8]) -> Response {
    let Ok(Value::Object(payload)) = serde_json::from_slice::<Value>(body) else {
        return wire::bad_request(
            "/IWBEP/CM_MGW_RT/004",
            "The request body is not a JSON object",
        );
    };
    let created = {
        let mut tables = lock(&sim.inner.tables);
        let result = match set {
            "A_SupplierInvoice" => write::create_invoice(&mut tables, &payload),
            "A_SalesOrder" => write::create_sales_order(&mut tables, &sim.inner.config, &payload),
            other => {
                return wire::error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "/IWBEP/CM_MGW_RT/021",
                    &format!("Creating {other} is not supported by the simulator"),
                );
            }
        };
        match result {
            Err(refusal) => return wire::bad_request(refusal.code, &refusal.message),
            Ok(created) => {
                let s = schema::by_name(set);
                let navs: Vec<&schema::Nav> = s.navigations.iter().collect();
                odata::entity(&tables, base, s, &created, None, &navs)
            }
        }
    };
    // The write is committed; the answer may still be lost on the way back.
    if sim.inner.faults.take(Fault::LoseResponse) {
        tokio::time::sleep(LOST_RESPONSE_DELAY).await;
    }
    let location = created["__metadata"]["uri"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut r = (StatusCode::CREATED, axum::Json(json!({"d": created}))).into_response();
    if let Ok(v) = location.parse() {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
