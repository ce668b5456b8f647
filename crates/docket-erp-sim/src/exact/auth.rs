//! Exact's OAuth2 authorization-code flow, with its awkward parts: the code
//! lives 3 minutes and works once; an access token lives 10 minutes; a
//! refresh is refused until ~570 s after the last token unless the access
//! token was rejected; every refresh hands out a new refresh token and the
//! old one is dead from then on (rotation). One user, one token chain.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::ExactConfig;

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(180);

/// The token chain and the codes handed out.
#[derive(Debug, Default)]
pub struct Auth {
    codes: HashMap<String, Instant>,
    access: HashMap<String, Instant>,
    refresh: Option<String>,
    issued: Option<Instant>,
    rejected: bool,
    counter: u64,
    /// Refreshes granted and refused (for tests).
    pub refreshes: u32,
    /// Refreshes refused.
    pub refused: u32,
}

/// An OAuth error answer (`{"error": "...", "error_description": "..."}`).
fn oauth_error(error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

impl Auth {
    fn token(&mut self, kind: &str) -> String {
        self.counter += 1;
        // Unguessable enough for a simulator, and different in every run.
        let noise = std::hash::BuildHasher::hash_one(
            &std::collections::hash_map::RandomState::new(),
            self.counter,
        );
        format!("{kind}-{:06}-{noise:016x}", self.counter)
    }

    /// A new authorization code.
    pub fn issue_code(&mut self) -> String {
        let code = self.token("code");
        self.codes.insert(code.clone(), Instant::now());
        code
    }

    /// Whether `token` is a live access token.
    pub fn valid(&self, token: &str) -> bool {
        self.access
            .get(token)
            .is_some_and(|until| Instant::now() < *until)
    }

    /// The access token was rejected (fault): it is dead, a refresh is due.
    pub fn reject(&mut self, token: &str) {
        self.access.remove(token);
        self.rejected = true;
    }

    fn grant(&mut self, config: &ExactConfig) -> Response {
        let access = self.token("access");
        let refresh = self.token("refresh");
        self.access
            .insert(access.clone(), Instant::now() + config.token_lifetime);
        self.refresh = Some(refresh.clone());
        self.issued = Some(Instant::now());
        self.rejected = false;
        let body = json!({"access_token": access, "token_type": "bearer",
                          "expires_in": config.token_lifetime.as_secs().to_string(),
                          "refresh_token": refresh});
        axum::Json(body).into_response()
    }

    /// `POST /api/oauth2/token` with its form fields.
    pub fn token_endpoint(
        &mut self,
        config: &ExactConfig,
        form: &HashMap<String, String>,
    ) -> Response {
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        if field("client_id") != config.client_id || field("client_secret") != config.client_secret
        {
            return oauth_error("invalid_client", "Unknown client or wrong secret");
        }
        match field("grant_type") {
            "authorization_code" => match self.codes.remove(field("code")) {
                Some(at) if at.elapsed() < CODE_LIFETIME => self.grant(config),
                _ => oauth_error("invalid_grant", "Authorization code is invalid or expired"),
            },
            "refresh_token" => {
                if self.refresh.as_deref() != Some(field("refresh_token")) {
                    self.refused += 1;
                    return oauth_error("invalid_grant", "Old or unknown refresh token used");
                }
                let early = self
                    .issued
                    .is_some_and(|at| at.elapsed() < config.refresh_not_before);
                if early && !self.rejected {
                    self.refused += 1;
                    return oauth_error(
                        "invalid_request",
                        "The access token has not expired yet; use it until it does",
                    );
                }
                self.refreshes += 1;
                self.grant(config)
            }
            other => oauth_error("unsupported_grant_type", &format!("grant_type {other}")),
        }
    }
}
