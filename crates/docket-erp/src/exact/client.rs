//! Talking to Exact: the division, bearer tokens (refreshed under the
//! store's lock, not before `refresh_after` unless Exact rejected the
//! token), client-side pacing from the `X-RateLimit-*` headers (wait for
//! the reset instead of sending into a 429; a 429 waits for its reset),
//! `__next` paging, and Exact's error bodies turned into classified errors.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::{Mutex, OnceCell};

use super::ExactSettings;
use super::tokens::{TokenPair, TokenStore, now_ms};
use crate::ErpError;
use crate::http::{status_error, transport_error, with_retries};

/// What the last answer said of the limits.
#[derive(Debug, Default, Clone, Copy)]
struct Pace {
    remaining: Option<u64>,
    reset_ms: Option<u64>,
}

/// A connection to one Exact division.
pub(super) struct Client {
    pub settings: ExactSettings,
    http: reqwest::Client,
    store: Arc<dyn TokenStore>,
    token: Mutex<Option<TokenPair>>,
    division: OnceCell<i64>,
    pace: Mutex<Pace>,
}

/// Exact's message from its error body (or the body itself).
fn message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let m = &v["error"]["message"]["value"];
            let text = m.as_str().or(v["error_description"].as_str())?;
            Some(text.to_string())
        })
        .unwrap_or_else(|| body.chars().take(300).collect())
}

fn header(response: &reqwest::Response, name: &str) -> Option<u64> {
    response.headers().get(name)?.to_str().ok()?.parse().ok()
}

impl Client {
    pub fn new(settings: ExactSettings, store: Arc<dyn TokenStore>) -> Result<Self, ErpError> {
        Ok(Client {
            http: settings.http.client()?,
            settings,
            store,
            token: Mutex::new(None),
            division: OnceCell::new(),
            pace: Mutex::new(Pace::default()),
        })
    }

    fn base(&self) -> &str {
        self.settings.base_url.trim_end_matches('/')
    }

    /// Exchanges an authorization code for the first pair and saves it.
    pub async fn authorize(&self, code: &str) -> Result<(), ErpError> {
        let _lock = self.store.lock().await?;
        let pair = self
            .token_call(&[("grant_type", "authorization_code"), ("code", code)])
            .await?;
        self.store.save(&pair).await?;
        *self.token.lock().await = Some(pair);
        Ok(())
    }

    async fn token_call(&self, grant: &[(&str, &str)]) -> Result<TokenPair, ErpError> {
        let s = &self.settings;
        let mut form = vec![
            ("client_id", s.client_id.as_str()),
            ("client_secret", s.client_secret.as_str()),
            ("redirect_uri", s.redirect_uri.as_str()),
        ];
        form.extend_from_slice(grant);
        let url = format!("{}/api/oauth2/token", self.base());
        let response = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| transport_error("Exact token", &e))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| transport_error("Exact token", &e))?;
        if !status.is_success() {
            let said = format!("Exact token: HTTP {}: {}", status.as_u16(), message(&body));
            return Err(
                if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                    ErpError::Transient(said)
                } else {
                    ErpError::Permanent(format!("{said}; authorise Docket in Exact again"))
                },
            );
        }
        let v: Value = serde_json::from_str(&body)
            .map_err(|e| ErpError::Permanent(format!("Exact token answer: {e}")))?;
        let field = |n: &str| v[n].as_str().map(str::to_string);
        match (field("access_token"), field("refresh_token")) {
            (Some(access_token), Some(refresh_token)) => Ok(TokenPair {
                access_token,
                refresh_token,
                issued_ms: now_ms(),
            }),
            _ => Err(ErpError::Permanent(
                "Exact token answer without tokens".into(),
            )),
        }
    }

    /// A bearer token: the one held while it is young and was not
    /// `rejected`, else the store's (another worker may have refreshed),
    /// else a refresh, saved before use.
    pub async fn access_token(&self, rejected: Option<&str>) -> Result<String, ErpError> {
        let refresh_after = u64::try_from(self.settings.refresh_after.as_millis()).unwrap_or(0);
        let usable = |p: &TokenPair| {
            Some(p.access_token.as_str()) != rejected
                && now_ms().saturating_sub(p.issued_ms) < refresh_after
        };
        if let Some(pair) = self.token.lock().await.as_ref().filter(|p| usable(p)) {
            return Ok(pair.access_token.clone());
        }
        let _lock = self.store.lock().await?;
        let stored = self.store.load().await?.ok_or_else(|| {
            ErpError::Permanent("no Exact token: authorise Docket in Exact first".into())
        })?;
        let pair = if usable(&stored) {
            stored
        } else {
            let pair = self
                .token_call(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &stored.refresh_token),
                ])
                .await?;
            self.store.save(&pair).await?;
            tracing::info!("Exact token refreshed");
            pair
        };
        let token = pair.access_token.clone();
        *self.token.lock().await = Some(pair);
        Ok(token)
    }

    /// Waits while the last answer said no calls are left until a reset.
    async fn wait_for_pace(&self) -> Result<(), ErpError> {
        let pace = *self.pace.lock().await;
        if let (Some(0), Some(reset)) = (pace.remaining, pace.reset_ms) {
            let wait = Duration::from_millis(reset.saturating_sub(now_ms()));
            if wait > self.settings.max_rate_wait {
                return Err(ErpError::Transient(format!(
                    "Exact rate limit reached; calls again in {} s",
                    wait.as_secs()
                )));
            }
            if !wait.is_zero() {
                tracing::info!(
                    wait_ms = wait.as_millis() as u64,
                    "Exact rate limit: waiting"
                );
                tokio::time::sleep(wait).await;
            }
            self.pace.lock().await.remaining = None;
        }
        Ok(())
    }

    /// Remembers the limits an answer announced (the minutely ones when
    /// given, else the daily ones).
    async fn note_pace(&self, response: &reqwest::Response) {
        let minutely = header(response, "X-RateLimit-Minutely-Remaining")
            .zip(header(response, "X-RateLimit-Minutely-Reset"));
        let daily =
            header(response, "X-RateLimit-Remaining").zip(header(response, "X-RateLimit-Reset"));
        let pick = match (daily, minutely) {
            (Some((0, reset)), _) => Some((0, reset)),
            (_, Some(m)) => Some(m),
            (d, None) => d,
        };
        if let Some((remaining, reset)) = pick {
            *self.pace.lock().await = Pace {
                remaining: Some(remaining),
                reset_ms: Some(reset),
            };
        }
    }

    /// One call, with the token refreshed once on a 401 and a 429 waited out.
    async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, ErpError> {
        let what = format!("Exact {method} {}", url.split('?').next().unwrap_or(url));
        let mut rejected: Option<String> = None;
        let mut waits = 0;
        loop {
            self.wait_for_pace().await?;
            let token = self.access_token(rejected.as_deref()).await?;
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&token)
                .header("Accept", "application/json");
            if let Some(body) = body {
                request = request.header("Prefer", "return=representation").json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(&what, &e))?;
            self.note_pace(&response).await;
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|e| transport_error(&what, &e))?;
            match status {
                StatusCode::UNAUTHORIZED if rejected.is_none() => rejected = Some(token),
                StatusCode::TOO_MANY_REQUESTS if waits < 3 => {
                    waits += 1;
                    // Without a reset to wait for, the pace stays unknown and the backoff applies.
                    if self.pace.lock().await.remaining != Some(0) {
                        tokio::time::sleep(self.settings.http.backoff).await;
                    }
                }
                s if s.is_success() => {
                    return serde_json::from_str(&text).map_err(|e| {
                        ErpError::Permanent(format!("{what}: answer is not JSON: {e}"))
                    });
                }
                s => return Err(status_error(&what, s, &message(&text))),
            }
        }
    }

    /// `current/Me`: the user's name and current division.
    pub async fn me(&self) -> Result<(String, i64), ErpError> {
        let url = format!(
            "{}/api/v1/current/Me?$select=FullName,CurrentDivision",
            self.base()
        );
        let me = self.call(Method::GET, &url, None).await?;
        let me = &me["d"]["results"][0];
        let division = me["CurrentDivision"].as_i64().ok_or_else(|| {
            ErpError::Permanent("Exact current/Me gave no CurrentDivision".into())
        })?;
        Ok((me["FullName"].as_str().unwrap_or("?").to_string(), division))
    }

    /// Calls left before the next reset and when it comes (Unix ms), as
    /// the last answer announced them.
    pub async fn calls_left(&self) -> Option<(u64, u64)> {
        let pace = *self.pace.lock().await;
        pace.remaining.zip(pace.reset_ms)
    }

    /// The division: from the settings, else `current/Me` once.
    pub async fn division(&self) -> Result<i64, ErpError> {
        if let Some(d) = self.settings.division {
            return Ok(d);
        }
        let url = format!("{}/api/v1/current/Me?$select=CurrentDivision", self.base());
        let division = self
            .division
            .get_or_try_init(|| async {
                let me = with_retries(&self.settings.http, || self.call(Method::GET, &url, None))
                    .await?;
                me["d"]["results"][0]["CurrentDivision"]
                    .as_i64()
                    .ok_or_else(|| {
                        ErpError::Permanent("Exact current/Me gave no CurrentDivision".into())
                    })
            })
            .await?;
        Ok(*division)
    }

    /// Every record of `path` passing `filter` (`""`: every record), with
    /// the `select`ed fields, following `__next` page by page.
    pub async fn list(
        &self,
        path: &str,
        filter: &str,
        select: &str,
    ) -> Result<Vec<Value>, ErpError> {
        let division = self.division().await?;
        let mut params = vec![("$select", select)];
        if !filter.is_empty() {
            params.insert(0, ("$filter", filter));
        }
        let first = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/{division}/{path}", self.base()),
            params,
        )
        .map_err(|e| ErpError::Permanent(format!("Exact URL: {e}")))?;
        let mut url = Some(first.to_string());
        let mut all = Vec::new();
        while let Some(at) = url.take() {
            let page =
                with_retries(&self.settings.http, || self.call(Method::GET, &at, None)).await?;
            if let Some(rows) = page["d"]["results"].as_array() {
                all.extend(rows.iter().cloned());
            }
            url = page["d"]["__next"].as_str().map(str::to_string);
        }
        Ok(all)
    }

    /// Creates a record; one attempt (the caller retries after looking up).
    pub async fn create(&self, path: &str, body: &Value) -> Result<Value, ErpError> {
        let division = self.division().await?;
        let url = format!("{}/api/v1/{division}/{path}", self.base());
        let created = self.call(Method::POST, &url, Some(body)).await?;
        Ok(created["d"].clone())
    }
}
