//! Who may call, and the CSRF handshake.
//!
//! Basic authentication with the configured user, or OAuth 2.0 client
//! credentials from `/sap/bc/sec/oauth2/token` giving bearer tokens that
//! expire ([`Fault::ExpireToken`] ends one early). Modifying requests need
//! the CSRF token fetched with `X-CSRF-Token: Fetch` *and* the session
//! cookie it was issued with; otherwise 403 with `X-CSRF-Token: Required`
//! ([`Fault::ExpireCsrf`] invalidates the session's token).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::faults::{Fault, Faults};

/// The session cookie SAP's ICF sets (system id and client in the name).
pub const SESSION_COOKIE: &str = "SAP_SESSIONID_DKT_100";

/// Credentials and live tokens and sessions.
#[derive(Debug)]
pub struct Security {
    basic: String,
    client: String,
    token_ttl: Duration,
    tokens: Mutex<HashMap<String, Instant>>,
    sessions: Mutex<HashMap<String, String>>,
    counter: AtomicU64,
    random: RandomState,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (what `Authorization: Basic` carries).
fn base64(input: &[u8]) -> String {
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere must not take the simulator down with it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn unauthorized() -> Response {
    let mut r = (StatusCode::UNAUTHORIZED, "Logon failed").into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"SAP NetWeaver Application Server\""),
    );
    r
}

impl Security {
    /// Accepting `user`/`password` (Basic) and `client_id`/`client_secret` (OAuth 2.0).
    pub fn new(
        user: &str,
        password: &str,
        client_id: &str,
        client_secret: &str,
        ttl: Duration,
    ) -> Self {
        Security {
            basic: format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
            client: format!(
                "Basic {}",
                base64(format!("{client_id}:{client_secret}").as_bytes())
            ),
            token_ttl: ttl,
            tokens: Mutex::default(),
            sessions: Mutex::default(),
            counter: AtomicU64::new(1),
            random: RandomState::new(),
        }
    }

    fn fresh(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        format!("{:016x}{n:08x}", self.random.hash_one(n))
    }

    /// Checks the caller's credentials; the 401 to answer otherwise.
    pub fn authenticate(&self, headers: &HeaderMap, faults: &Faults) -> Result<(), Box<Response>> {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if given == self.basic {
            return Ok(());
        }
        let Some(token) = given.strip_prefix("Bearer ") else {
            return Err(Box::new(unauthorized()));
        };
        let mut tokens = lock(&self.tokens);
        let live = tokens
            .get(token)
            .is_some_and(|until| Instant::now() < *until);
        if !live || faults.take(Fault::ExpireToken) {
            tokens.remove(token);
            return Err(Box::new(unauthorized()));
        }
        Ok(())
    }

    /// `POST /sap/bc/sec/oauth2/token` (client credentials, the client
    /// authenticated with Basic or with `client_id`/`client_secret` in the form).
    pub fn token(&self, headers: &HeaderMap, form: &[(String, String)]) -> Response {
        let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let from_form = match (field("client_id"), field("client_secret")) {
            (Some(id), Some(secret)) => {
                format!("Basic {}", base64(format!("{id}:{secret}").as_bytes()))
            }
            _ => String::new(),
        };
        let from_header = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if from_header != self.client && from_form != self.client {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed"})),
            )
                .into_response();
        }
        if field("grant_type") != Some("client_credentials") {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": "unsupported_grant_type"})),
            )
                .into_response();
        }
        let token = self.fresh();
        lock(&self.tokens).insert(token.clone(), Instant::now() + self.token_ttl);
        axum::Json(json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_ttl.as_secs(),
            "scope": "",
        }))
        .into_response()
    }

    fn session_of(headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.to_string())
    }

    /// Answers `X-CSRF-Token: Fetch`: the session's token (a new session
    /// and its cookie when the caller has none), as response headers.
    pub fn fetch_csrf(&self, headers: &HeaderMap) -> Vec<(header::HeaderName, String)> {
        let mut sessions = lock(&self.sessions);
        let mut out = Vec::new();
        let session = match Self::session_of(headers).filter(|s| sessions.contains_key(s)) {
            Some(s) => s,
            None => {
                let s = self.fresh();
                sessions.insert(s.clone(), String::new());
                out.push((
                    header::SET_COOKIE,
                    format!("{SESSION_COOKIE}={s}; path=/; HttpOnly"),
                ));
                s
            }
        };
        let token = sessions.entry(session).or_default();
        if token.is_empty() {
            *token = self.fresh();
        }
        out.push((
            header::HeaderName::from_static("x-csrf-token"),
            token.clone(),
        ));
        out
    }

    /// Checks a modifying request's CSRF token against its session.
    pub fn check_csrf(
        &self,
        method: &Method,
        headers: &HeaderMap,
        faults: &Faults,
    ) -> Result<(), Box<Response>> {
        if matches!(*method, Method::GET | Method::HEAD) {
            return Ok(());
        }
        let given = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut sessions = lock(&self.sessions);
        let session = Self::session_of(headers);
        let valid = session
            .as_ref()
            .and_then(|s| sessions.get(s))
            .is_some_and(|t| !t.is_empty() && t == given);
        if valid && !faults.take(Fault::ExpireCsrf) {
            return Ok(());
        }
        if let Some(s) = session {
            // The token is gone; the session stays, a fetch issues a new one.
            if let Some(t) = sessions.get_mut(&s) {
                t.clear();
            }
        }
        let mut r = (StatusCode::FORBIDDEN, "CSRF token validation failed").into_response();
        r.headers_mut()
            .insert("x-csrf-token", HeaderValue::from_static("Required"));
        Err(Box::new(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
