//! Talking to Odoo: JSON-2 where the server has it (Odoo 19+, API key as
//! bearer), else JSON-RPC `execute_kw` (16–18), the choice made once per
//! adapter; and Odoo's errors classified at this boundary. JSON-RPC answers
//! an error with HTTP 200, so the envelope is read before anything else;
//! both protocols name the Python exception, which decides the class (a
//! `ValueError` is a refusal even where JSON-2 says 500, a serialization
//! failure is worth retrying whatever the status).

use serde_json::{Map, Value, json};
use tokio::sync::{Mutex, OnceCell};

use super::{OdooSettings, Protocol};
use crate::ErpError;
use crate::http::{status_error, transport_error};

/// The protocol chosen for this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Json2,
    JsonRpc,
}

/// Why a call failed: credentials refused (worth one new login on
/// JSON-RPC), or anything else, classified.
enum Failure {
    Auth(String),
    Other(ErpError),
}

impl From<ErpError> for Failure {
    fn from(e: ErpError) -> Self {
        Failure::Other(e)
    }
}

/// One adapter's connection to one Odoo database.
pub(super) struct Transport {
    settings: OdooSettings,
    client: reqwest::Client,
    wire: OnceCell<Wire>,
    uid: Mutex<Option<i64>>,
}

impl Transport {
    pub(super) fn new(settings: OdooSettings) -> Result<Self, ErpError> {
        Ok(Transport {
            client: settings.http.client()?,
            settings,
            wire: OnceCell::new(),
            uid: Mutex::new(None),
        })
    }

    pub(super) fn settings(&self) -> &OdooSettings {
        &self.settings
    }

    /// `model.method` on records `ids` with named arguments `kwargs`, once (no retries).
    pub(super) async fn call(
        &self,
        model: &str,
        method: &str,
        ids: &[i64],
        kwargs: Value,
    ) -> Result<Value, ErpError> {
        let what = format!("Odoo {model}.{method}");
        let kwargs = match kwargs {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        match self.wire().await? {
            Wire::Json2 => {
                let mut body = kwargs;
                if !ids.is_empty() {
                    body.insert("ids".into(), json!(ids));
                }
                let path = format!("json/2/{model}/{method}");
                self.json2(&what, &path, &Value::Object(body))
                    .await
                    .map_err(|f| refused(&what, f, "the API key (and the database name)"))
            }
            Wire::JsonRpc => {
                let positional = if ids.is_empty() {
                    json!([])
                } else {
                    json!([ids])
                };
                let kwargs = Value::Object(kwargs);
                let what = what.as_str();
                let execute = |uid: i64| {
                    let s = &self.settings;
                    let args = json!([
                        s.database,
                        uid,
                        s.api_key,
                        model,
                        method,
                        &positional,
                        &kwargs
                    ]);
                    async move { self.rpc(what, "object", "execute_kw", args).await }
                };
                match execute(self.uid().await?).await {
                    // The uid may be stale (database restored, user recreated): log in once more.
                    Err(Failure::Auth(_)) => {
                        *self.uid.lock().await = None;
                        execute(self.uid().await?)
                            .await
                            .map_err(|f| refused(what, f, "the login and API key"))
                    }
                    other => other.map_err(|f| refused(what, f, "the login and API key")),
                }
            }
        }
    }

    /// The protocol in use and the server's version, where it tells
    /// (`common.version` needs no sign-in; a JSON-2-only server may not answer it).
    pub(super) async fn describe(&self) -> Result<String, ErpError> {
        let wire = match self.wire().await? {
            Wire::Json2 => "JSON-2",
            Wire::JsonRpc => "JSON-RPC",
        };
        let version = self
            .rpc("Odoo common.version", "common", "version", json!([]))
            .await
            .ok()
            .and_then(|v| v["server_version"].as_str().map(str::to_string));
        Ok(match version {
            Some(v) => format!("{wire}, Odoo {v}"),
            None => format!("{wire} (the server did not tell its version)"),
        })
    }

    async fn wire(&self) -> Result<Wire, ErpError> {
        self.wire
            .get_or_try_init(|| async {
                match self.settings.protocol {
                    Protocol::Json2 => Ok(Wire::Json2),
                    Protocol::JsonRpc => self.check_version().await.map(|()| Wire::JsonRpc),
                    Protocol::Auto => self.detect().await,
                }
            })
            .await
            .copied()
    }

    /// JSON-2 if the server answers it, else JSON-RPC after `common.version`.
    async fn detect(&self) -> Result<Wire, ErpError> {
        let what = "Odoo protocol detection";
        let probe = json!({"domain": [["id", "=", 0]]});
        match self
            .json2(what, "json/2/res.partner/search_count", &probe)
            .await
        {
            Ok(_) => Ok(Wire::Json2),
            Err(Failure::Other(ErpError::NotFound(m))) if m.contains("no JSON-2") => {
                self.check_version().await?;
                Ok(Wire::JsonRpc)
            }
            Err(f) => Err(refused(what, f, "the API key (and the database name)")),
        }
    }

    async fn check_version(&self) -> Result<(), ErpError> {
        let what = "Odoo common.version";
        let info = self
            .rpc(what, "common", "version", json!([]))
            .await
            .map_err(|f| refused(what, f, "the URL"))?;
        let major = info["server_version_info"][0].as_u64().unwrap_or(0);
        if major < 16 {
            return Err(ErpError::Permanent(format!(
                "{what}: Odoo {} is not supported (16 or later is)",
                info["server_version"]
            )));
        }
        tracing::info!(version = %info["server_version"], "Odoo over JSON-RPC");
        Ok(())
    }

    /// The uid, logging in first if needed.
    async fn uid(&self) -> Result<i64, ErpError> {
        let mut uid = self.uid.lock().await;
        if let Some(known) = *uid {
            return Ok(known);
        }
        let s = &self.settings;
        let what = "Odoo common.authenticate";
        let args = json!([s.database, s.login, s.api_key, {}]);
        let answer = self
            .rpc(what, "common", "authenticate", args)
            .await
            .map_err(|f| refused(what, f, "the login and API key"))?;
        let Some(found) = answer.as_i64() else {
            return Err(ErpError::Permanent(format!(
                "{what}: Odoo refused login {} on database {}: check the login, the API key and the database name",
                s.login, s.database
            )));
        };
        *uid = Some(found);
        Ok(found)
    }

    async fn json2(&self, what: &str, path: &str, body: &Value) -> Result<Value, Failure> {
        let url = format!("{}/{path}", self.settings.base_url.trim_end_matches('/'));
        let request = self
            .client
            .post(url)
            .bearer_auth(&self.settings.api_key)
            .header("X-Odoo-Database", &self.settings.database)
            .json(body);
        let (status, text) = send(what, request).await?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| {
                Failure::Other(ErpError::Transient(format!(
                    "{what}: unreadable answer: {e}"
                )))
            });
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(error) if error["name"].is_string() => Err(classify(
                what,
                error["name"].as_str().unwrap_or_default(),
                error["message"].as_str().unwrap_or_default(),
                Some(status),
            )),
            _ if status == reqwest::StatusCode::NOT_FOUND => Err(Failure::Other(
                ErpError::NotFound(format!("{what}: no JSON-2 API at this address (HTTP 404)")),
            )),
            _ => Err(Failure::Other(status_error(what, status, short(&text)))),
        }
    }

    async fn rpc(
        &self,
        what: &str,
        service: &str,
        method: &str,
        args: Value,
    ) -> Result<Value, Failure> {
        let url = format!("{}/jsonrpc", self.settings.base_url.trim_end_matches('/'));
        let body = json!({"jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"service": service, "method": method, "args": args}});
        let (status, text) = send(what, self.client.post(url).json(&body)).await?;
        if !status.is_success() {
            return Err(Failure::Other(status_error(what, status, short(&text))));
        }
        let answer: Value = serde_json::from_str(&text).map_err(|e| {
            Failure::Other(ErpError::Transient(format!(
                "{what}: unreadable answer: {e}"
            )))
        })?;
        // Odoo reports errors with HTTP 200: the envelope decides.
        if let Some(error) = answer.get("error") {
            let data = &error["data"];
            let message = data["message"]
                .as_str()
                .or(error["message"].as_str())
                .unwrap_or_default();
            return Err(classify(
                what,
                data["name"].as_str().unwrap_or_default(),
                message,
                None,
            ));
        }
        Ok(answer.get("result").cloned().unwrap_or(Value::Null))
    }
}

/// Sends a request; the status and the body's text (a failure to get them is transient).
async fn send(
    what: &str,
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, String), Failure> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(what, &e))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| transport_error(what, &e))?;
    Ok((status, text))
}

/// The first line of an error body, for a message a person can read.
fn short(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    line.get(..200).unwrap_or(line)
}

/// A refused credential becomes a permanent error saying what to check.
fn refused(what: &str, failure: Failure, check: &str) -> ErpError {
    match failure {
        Failure::Auth(message) => ErpError::Permanent(format!(
            "{what}: Odoo refused the credentials ({message}): check {check}"
        )),
        Failure::Other(e) => e,
    }
}

/// Classifies an Odoo exception by its Python class (and, for JSON-2, the status).
fn classify(what: &str, name: &str, message: &str, status: Option<reqwest::StatusCode>) -> Failure {
    let said = format!("{what}: {message}");
    let lower = message.to_lowercase();
    if lower.contains("could not serialize access")
        || lower.contains("concurrent update")
        || name.contains("SerializationFailure")
        || name.contains("LockNotAvailable")
    {
        return Failure::Other(ErpError::Transient(said));
    }
    let class = name.rsplit('.').next().unwrap_or_default();
    Failure::Other(match class {
        "AccessDenied" | "Unauthorized" | "SessionExpiredException" => {
            return Failure::Auth(message.to_string());
        }
        "AccessError" => ErpError::Permanent(format!(
            "{what}: the Odoo user lacks access rights: {message}"
        )),
        "MissingError" => ErpError::NotFound(said),
        "ValidationError" | "UserError" | "RedirectWarning" | "ValueError" | "TypeError"
        | "AttributeError" | "KeyError" | "BadRequest" | "NotFound" => ErpError::Permanent(said),
        _ => match status {
            Some(status) => status_error(what, status, message),
            None => ErpError::Permanent(format!("{what}: {name}: {message}")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str, message: &str) -> Option<ErpError> {
        match classify("x", name, message, None) {
            Failure::Other(e) => Some(e),
            Failure::Auth(_) => None,
        }
    }

    #[test]
    fn odoo_exceptions_are_classified() {
        assert!(class("odoo.exceptions.AccessDenied", "Access Denied").is_none());
        assert!(
            matches!(class("odoo.exceptions.ValidationError", "m"), Some(ErpError::Permanent(m)) if m.contains("m"))
        );
        assert!(matches!(
            class("odoo.exceptions.MissingError", "m"),
            Some(ErpError::NotFound(_))
        ));
        let busy = class(
            "psycopg2.errors.SerializationFailure",
            "could not serialize access due to concurrent update",
        );
        assert!(busy.is_some_and(|e| e.is_transient()));
    }
}
