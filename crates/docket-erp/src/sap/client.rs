//! Talking OData v2 to SAP: authentication (Basic, or OAuth 2.0 client
//! credentials with the token fetched again after a 401), the CSRF token
//! fetched with its session cookie (kept by the client's cookie store) and
//! fetched again after `403` + `X-CSRF-Token: Required`, paging through
//! `__next`, and every failure classified with SAP's own message.
//!
//! One call here is one attempt; callers wrap them in
//! [`with_retries`](crate::http::with_retries) (reads page by page, the
//! booking as "look up, then post").

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::ErpError;
use crate::http::{status_error, transport_error, with_retries};

use super::wire;
use super::{SapAuth, SapSettings};

/// More pages than any query of Docket's can have: a server that keeps
/// sending `__next` is broken, not generous.
const MAX_PAGES: usize = 10_000;

/// An OData client for one SAP system.
pub struct Client {
    http: reqwest::Client,
    settings: SapSettings,
    token: Mutex<Option<String>>,
    csrf: Mutex<Option<String>>,
}

fn service_url(settings: &SapSettings, service: &str) -> String {
    format!(
        "{}/sap/opu/odata/sap/{service}/",
        settings.base_url.trim_end_matches('/')
    )
}

impl Client {
    /// A client with these settings.
    pub fn new(settings: SapSettings) -> Result<Self, ErpError> {
        Ok(Client {
            http: settings.http.client()?,
            settings,
            token: Mutex::new(None),
            csrf: Mutex::new(None),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &SapSettings {
        &self.settings
    }

    async fn bearer(&self, renew: bool) -> Result<Option<String>, ErpError> {
        let SapAuth::OAuth2 {
            client_id,
            client_secret,
            token_url,
        } = &self.settings.auth
        else {
            return Ok(None);
        };
        let mut token = self.token.lock().await;
        if renew {
            *token = None;
        }
        if let Some(t) = token.as_ref() {
            return Ok(Some(t.clone()));
        }
        let what = "SAP OAuth token";
        let response = self
            .http
            .post(token_url)
            .basic_auth(client_id, Some(client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| transport_error(what, &e))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| transport_error(what, &e))?;
        if !status.is_success() {
            return Err(status_error(
                what,
                status,
                &body.chars().take(300).collect::<String>(),
            ));
        }
        let parsed: Value = serde_json::from_str(&body)
            .map_err(|e| ErpError::Permanent(format!("{what}: not JSON: {e}")))?;
        let fresh = wire::text(&parsed, "access_token").to_string();
        if fresh.is_empty() {
            return Err(ErpError::Permanent(format!(
                "{what}: no access_token in the answer"
            )));
        }
        *token = Some(fresh.clone());
        Ok(Some(fresh))
    }

    async fn authorised(
        &self,
        request: RequestBuilder,
        renew: bool,
    ) -> Result<RequestBuilder, ErpError> {
        Ok(match &self.settings.auth {
            SapAuth::Basic { user, password } => request.basic_auth(user, Some(password)),
            SapAuth::OAuth2 { .. } => match self.bearer(renew).await? {
                Some(token) => request.bearer_auth(token),
                None => request,
            },
        })
    }

    /// Sends one request; a 401 under OAuth 2.0 gets a new token and one
    /// more try. Returns the status, the headers and the body.
    async fn send(
        &self,
        what: &str,
        build: &(dyn Fn() -> RequestBuilder + Send + Sync),
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, String), ErpError> {
        let oauth = matches!(self.settings.auth, SapAuth::OAuth2 { .. });
        let mut renew = false;
        loop {
            let request = self.authorised(build(), renew).await?;
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(what, &e))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && oauth && !renew {
                tracing::info!("SAP token refused, fetching a new one");
                renew = true;
                continue;
            }
            let headers = response.headers().clone();
            let body = response
                .text()
                .await
                .map_err(|e| transport_error(what, &e))?;
            return Ok((status, headers, body));
        }
    }

    /// A fresh CSRF token for `service`: SAP hands one out only to a user
    /// allowed to modify through the service, so this proves write
    /// permission without writing (`docket erp check`).
    pub async fn fresh_csrf_token(&self, service: &str) -> Result<String, ErpError> {
        self.csrf_token(service, true).await
    }

    async fn csrf_token(&self, service: &str, renew: bool) -> Result<String, ErpError> {
        let mut csrf = self.csrf.lock().await;
        if renew {
            *csrf = None;
        }
        if let Some(t) = csrf.as_ref() {
            return Ok(t.clone());
        }
        let url = service_url(&self.settings, service);
        let what = &format!("SAP CSRF token fetch on {service}");
        let (status, headers, body) = self
            .send(what, &|| {
                self.http
                    .request(Method::HEAD, &url)
                    .header("X-CSRF-Token", "Fetch")
            })
            .await?;
        if !status.is_success() {
            return Err(status_error(what, status, &wire::error_message(&body)));
        }
        let token = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("required"))
            .ok_or_else(|| ErpError::Permanent(format!("{what}: SAP sent no token")))?
            .to_string();
        *csrf = Some(token.clone());
        Ok(token)
    }

    /// SAP's own time now: the HTTP `Date` header of a read of the
    /// service document (`None` when the gateway sends none). The header
    /// has whole seconds, rounded down, so it is never after SAP's clock.
    pub async fn server_time(
        &self,
        service: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ErpError> {
        let url = format!("{}?$format=json", service_url(&self.settings, service));
        let what = format!("GET {service} (server time)");
        with_retries(&self.settings.http, || async {
            let (status, headers, body) = self
                .send(&what, &|| {
                    self.http.get(&url).header("Accept", "application/json")
                })
                .await?;
            if !status.is_success() {
                return Err(status_error(&what, status, &wire::error_message(&body)));
            }
            Ok(headers
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
                .map(|t| t.with_timezone(&chrono::Utc)))
        })
        .await
    }

    /// Every record of `path` (an entity set or navigation) under `query`,
    /// following `__next`; each page is retried on its own.
    pub async fn get_all(
        &self,
        service: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<Value>, ErpError> {
        let mut url =
            reqwest::Url::parse(&format!("{}{path}", service_url(&self.settings, service)))
                .map_err(|e| ErpError::Permanent(format!("SAP base URL: {e}")))?;
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())))
            .append_pair("$format", "json");
        let what = format!("GET {service}/{path}");
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = with_retries(&self.settings.http, || async {
                let (status, _, body) = self
                    .send(&what, &|| {
                        self.http
                            .get(url.clone())
                            .header("Accept", "application/json")
                    })
                    .await?;
                if !status.is_success() {
                    return Err(status_error(&what, status, &wire::error_message(&body)));
                }
                serde_json::from_str::<Value>(&body)
                    .map_err(|e| ErpError::Permanent(format!("{what}: not JSON: {e}")))
            })
            .await?;
            let d = &page["d"];
            let results = d["results"].as_array().ok_or_else(|| {
                ErpError::Permanent(format!("{what}: no d.results in the answer"))
            })?;
            all.extend(results.iter().cloned());
            match d.get("__next").and_then(Value::as_str) {
                Some(next) => {
                    url = url
                        .join(next)
                        .map_err(|e| ErpError::Permanent(format!("{what}: bad __next: {e}")))?;
                }
                None => return Ok(all),
            }
        }
        Err(ErpError::Permanent(format!(
            "{what}: more than {MAX_PAGES} pages"
        )))
    }

    /// One POST (a deep insert) with the CSRF token, fetched again once on
    /// `403` + `X-CSRF-Token: Required`. Not retried here: the caller
    /// looks its record up before every attempt.
    pub async fn post(&self, service: &str, set: &str, body: &Value) -> Result<Value, ErpError> {
        let url = format!("{}{set}", service_url(&self.settings, service));
        let what = format!("POST {service}/{set}");
        let mut renew = false;
        loop {
            let token = self.csrf_token(service, renew).await?;
            let (status, headers, answer) = self
                .send(&what, &|| {
                    self.http
                        .post(&url)
                        .header("X-CSRF-Token", token.as_str())
                        .header("Accept", "application/json")
                        .json(body)
                })
                .await?;
            let required = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("required"));
            if status == StatusCode::FORBIDDEN && required && !renew {
                tracing::info!("SAP CSRF token expired, fetching a new one");
                renew = true;
                continue;
            }
            if !status.is_success() {
                return Err(status_error(&what, status, &wire::error_message(&answer)));
            }
            let parsed: Value = serde_json::from_str(&answer)
                .map_err(|e| ErpError::Permanent(format!("{what}: not JSON: {e}")))?;
            return Ok(parsed["d"].clone());
        }
    }
}
