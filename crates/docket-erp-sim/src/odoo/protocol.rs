//! The two ways in: JSON-2 (`POST /json/2/<model>/<method>`, Odoo 19+, API
//! key as bearer, named arguments, errors with real HTTP statuses and the
//! serialised exception as body) and JSON-RPC (`POST /jsonrpc`, services
//! `common` and `object`, errors in an envelope with HTTP 200). Both take
//! the API-dependent faults here: an expired key or session, a response
//! lost after the write was committed.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::OdooSim;
use super::error::OdooError;
use super::methods::{self, Call};
use crate::faults::{Fault, LOST_RESPONSE_DELAY};

/// Methods that change data: their answer can be lost after the commit.
fn writes(method: &str) -> bool {
    matches!(
        method,
        "create" | "write" | "action_post" | "action_confirm"
    )
}

impl OdooSim {
    /// Runs a call for an authenticated caller; sleeps past the client's
    /// time-out after committing when a lost response is armed.
    async fn execute(&self, model: &str, method: &str, call: Call) -> Result<Value, OdooError> {
        if let Some(error) = self.take_injected() {
            return Err(error);
        }
        let result = {
            let mut db = self.lock();
            methods::run(&mut db, model, method, call)
        };
        if result.is_ok() && writes(method) && self.faults.take(Fault::LoseResponse) {
            tokio::time::sleep(LOST_RESPONSE_DELAY).await;
        }
        result
    }
}

/// `POST /json/2/<model>/<method>`.
pub async fn json2(
    State(sim): State<Arc<OdooSim>>,
    Path((model, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if sim.config.version < 19 {
        // No such route before 19: Odoo's HTML 404 page.
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>404 | Page not found</title></head><body>Page not found</body></html>",
        )
            .into_response();
    }
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    if key != Some(sim.config.api_key.as_str()) || sim.faults.take(Fault::ExpireToken) {
        return json2_error(&OdooError::unauthorized());
    }
    let mut kwargs = if body.is_empty() {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => map,
            _ => {
                return json2_error(&OdooError {
                    name: "werkzeug.exceptions.BadRequest".into(),
                    message: "could not parse the body, expecting a json object".into(),
                });
            }
        }
    };
    let ids = kwargs
        .remove("ids")
        .and_then(|v| v.as_array().cloned())
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    kwargs.remove("context");
    match sim.execute(&model, &method, Call { ids, kwargs }).await {
        Ok(result) => Json(result).into_response(),
        Err(error) => json2_error(&error),
    }
}

fn json2_error(error: &OdooError) -> Response {
    (error.status(), Json(error.body())).into_response()
}

/// `POST /jsonrpc`.
pub async fn jsonrpc(State(sim): State<Arc<OdooSim>>, Json(request): Json<Value>) -> Response {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let params = &request["params"];
    let args: Vec<Value> = params["args"].as_array().cloned().unwrap_or_default();
    let answer = match (params["service"].as_str(), params["method"].as_str()) {
        (Some("common"), Some("version")) => Ok(sim.version_info()),
        (Some("common"), Some("authenticate" | "login")) => Ok(sim.authenticate(&args)),
        (Some("object"), Some("execute_kw")) => sim.execute_kw(&args).await,
        (service, method) => Err(OdooError {
            name: "builtins.NameError".into(),
            message: format!(
                "{}.{} does not exist",
                service.unwrap_or("?"),
                method.unwrap_or("?")
            ),
        }),
    };
    let body = match answer {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => error.envelope(&id),
    };
    Json(body).into_response()
}

impl OdooSim {
    fn version_info(&self) -> Value {
        let v = self.config.version;
        json!({
            "server_version": format!("{v}.0"),
            "server_version_info": [v, 0, 0, "final", 0, ""],
            "server_serie": format!("{v}.0"),
            "protocol_version": 1,
        })
    }

    fn secret_ok(&self, secret: Option<&str>) -> bool {
        secret.is_some_and(|s| s == self.config.password || s == self.config.api_key)
    }

    /// `common.authenticate(db, login, password, {})`: the uid, or `false`.
    fn authenticate(&self, args: &[Value]) -> Value {
        let c = &self.config;
        let ok = args.first().and_then(Value::as_str) == Some(c.database.as_str())
            && args.get(1).and_then(Value::as_str) == Some(c.login.as_str())
            && self.secret_ok(args.get(2).and_then(Value::as_str));
        if ok { json!(c.uid) } else { json!(false) }
    }

    /// `object.execute_kw(db, uid, password, model, method, args, kwargs)`.
    async fn execute_kw(&self, args: &[Value]) -> Result<Value, OdooError> {
        let c = &self.config;
        let authorised = args.first().and_then(Value::as_str) == Some(c.database.as_str())
            && args.get(1).and_then(Value::as_i64) == Some(c.uid)
            && self.secret_ok(args.get(2).and_then(Value::as_str));
        if !authorised || self.faults.take(Fault::ExpireToken) {
            return Err(OdooError::access_denied());
        }
        let model = args.get(3).and_then(Value::as_str).unwrap_or_default();
        let method = args.get(4).and_then(Value::as_str).unwrap_or_default();
        let positional = args
            .get(5)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let kwargs = args
            .get(6)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut call = Call::positional(model, method, &positional, kwargs)?;
        call.kwargs.remove("context");
        self.execute(model, method, call).await
    }
}
