//! Odoo's exceptions as the simulator raises them, and the two ways they
//! travel: inside a JSON-RPC envelope with HTTP 200
//! (`odoo19_jsonrpc_error_samples.json`), or as a JSON-2 body with a real
//! HTTP status (401 Unauthorized, 403 AccessError, 404 MissingError, 422
//! UserError/ValidationError, 500 anything else).

use axum::http::StatusCode;
use serde_json::{Value, json};

/// An exception raised by a model method or the authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OdooError {
    /// The Python class, e.g. `odoo.exceptions.ValidationError`.
    pub name: String,
    /// The message Odoo shows.
    pub message: String,
}

impl OdooError {
    fn new(name: &str, message: impl Into<String>) -> Self {
        OdooError {
            name: name.to_string(),
            message: message.into(),
        }
    }

    /// `odoo.exceptions.MissingError`.
    pub fn missing(model: &str, ids: &[i64], uid: i64) -> Self {
        let ids: String = ids.iter().map(|i| format!("{i},")).collect();
        Self::new(
            "odoo.exceptions.MissingError",
            format!(
                "Record does not exist or has been deleted.\n(Record: {model}({ids}), User: {uid})"
            ),
        )
    }

    /// `odoo.exceptions.AccessDenied` (bad login, password or API key on JSON-RPC).
    pub fn access_denied() -> Self {
        Self::new("odoo.exceptions.AccessDenied", "Access Denied")
    }

    /// JSON-2's answer to a missing or wrong bearer key.
    pub fn unauthorized() -> Self {
        Self::new("werkzeug.exceptions.Unauthorized", "Invalid apikey")
    }

    /// `odoo.exceptions.ValidationError`, e.g. a mandatory field not set.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("odoo.exceptions.ValidationError", message)
    }

    /// The error Odoo raises for a mandatory field missing on create.
    pub fn required(model: &crate::odoo::schema::Model, field: &str, label: &str) -> Self {
        Self::validation(format!(
            "The operation cannot be completed: Missing required value for the field '{label}' ({field}).\nModel: '{}' ({})\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n",
            model.description, model.name
        ))
    }

    /// `odoo.exceptions.UserError`, e.g. posting an entry twice.
    pub fn user(message: impl Into<String>) -> Self {
        Self::new("odoo.exceptions.UserError", message)
    }

    /// `builtins.ValueError`, e.g. an unknown field.
    pub fn value(message: impl Into<String>) -> Self {
        Self::new("builtins.ValueError", message)
    }

    /// An unknown field on a model.
    pub fn invalid_field(model: &str, field: &str) -> Self {
        Self::value(format!("Invalid field '{field}' on model '{model}'"))
    }

    /// The HTTP status JSON-2 answers with.
    pub fn status(&self) -> StatusCode {
        match self.name.rsplit('.').next().unwrap_or_default() {
            "Unauthorized" => StatusCode::UNAUTHORIZED,
            "AccessDenied" | "AccessError" => StatusCode::FORBIDDEN,
            "MissingError" => StatusCode::NOT_FOUND,
            "UserError" | "ValidationError" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The serialised exception: JSON-2's body, JSON-RPC's `error.data`.
    pub fn body(&self) -> Value {
        json!({
            "name": self.name,
            "message": self.message,
            "arguments": [self.message],
            "context": {},
            "debug": format!("Traceback (most recent call last):\n  ...\n{}: {}", self.name, self.message),
        })
    }

    /// The JSON-RPC envelope (sent with HTTP 200).
    pub fn envelope(&self, id: &Value) -> Value {
        json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": 0, "message": "Odoo Server Error", "data": self.body()},
        })
    }
}
