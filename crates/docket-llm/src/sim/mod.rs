//! An in-repo server speaking the OpenAI-compatible chat-completions
//! protocol, for tests and benchmarks (design §6: the LLM is tested against a
//! server that speaks its protocol, never against stubs of the client).
//!
//! `POST /v1/chat/completions` answers with a proper `chat.completion`
//! whose message is [`model`]'s deterministic reading of the fenced document
//! text, with `usage` token counts; `GET /v1/models` lists the one model.
//! Azure OpenAI's shape is served too:
//! `POST /openai/deployments/{model}/chat/completions?api-version=...` with
//! the key in an `api-key` header. A `json_schema` response format is checked
//! as OpenAI's strict mode checks it (a schema it would refuse gets the same
//! HTTP 400), and the answer fits it.
//!
//! [`SimOptions`] adds a fixed latency per request (an async sleep, so
//! requests overlap) and faults: HTTP 500 on every n-th request, HTTP 429
//! with `Retry-After` (in seconds or as an HTTP-date) on every n-th, non-JSON
//! answers (`garbage`), JSON that does not fit the schema (`off-schema`), no
//! `json_schema` support (`no-json-schema`, like older local servers), no
//! `usage` in answers (`no-usage`), and a `gullible` model that obeys
//! instructions hidden in the document. [`SimHandle`] reports what the server
//! saw (requests, peak requests in flight, arrival times, the last request).

pub mod model;
mod server;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use server::Shared;

/// How the simulator behaves.
#[derive(Clone, PartialEq, Eq)]
pub struct SimOptions {
    /// Delay before each answer (an async sleep: requests are served concurrently).
    pub latency: Duration,
    /// Answer every n-th request (counting all chat requests from 1) with HTTP 500.
    pub fail_every_nth: Option<u64>,
    /// Answer every n-th request with HTTP 429 and `Retry-After`.
    pub rate_limit_every_nth: Option<u64>,
    /// The `Retry-After` sent with a 429, in whole seconds.
    pub retry_after_secs: u64,
    /// Send `Retry-After` as an HTTP-date (now plus `retry_after_secs`).
    pub retry_after_as_date: bool,
    /// Answer with text that is not JSON.
    pub garbage: bool,
    /// Answer with JSON that does not fit the answer schema.
    pub off_schema: bool,
    /// Refuse `json_schema` response formats with HTTP 400, as servers
    /// without structured output do.
    pub no_json_schema: bool,
    /// Leave `usage` out of answers, as some servers do.
    pub no_usage: bool,
    /// Obey instructions in the document (an injected IBAN becomes the seller's).
    pub gullible: bool,
    /// The model name listed and reported.
    pub model: String,
    /// The API key to require as a bearer token; `None` accepts any request.
    pub api_key: Option<String>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            latency: Duration::ZERO,
            fail_every_nth: None,
            rate_limit_every_nth: None,
            retry_after_secs: 1,
            retry_after_as_date: false,
            garbage: false,
            off_schema: false,
            no_json_schema: false,
            no_usage: false,
            gullible: false,
            model: "docket-sim".to_string(),
            api_key: None,
        }
    }
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimOptions")
            .field("latency", &self.latency)
            .field("fail_every_nth", &self.fail_every_nth)
            .field("rate_limit_every_nth", &self.rate_limit_every_nth)
            .field("retry_after_secs", &self.retry_after_secs)
            .field("retry_after_as_date", &self.retry_after_as_date)
            .field("garbage", &self.garbage)
            .field("off_schema", &self.off_schema)
            .field("no_json_schema", &self.no_json_schema)
            .field("no_usage", &self.no_usage)
            .field("gullible", &self.gullible)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .finish()
    }
}

impl SimOptions {
    /// The options with one more fault switched on.
    pub fn with_fault(mut self, fault: Fault) -> Self {
        match fault {
            Fault::FailEvery(n) => self.fail_every_nth = Some(n),
            Fault::RateLimitEvery(n) => self.rate_limit_every_nth = Some(n),
            Fault::Garbage => self.garbage = true,
            Fault::OffSchema => self.off_schema = true,
            Fault::NoJsonSchema => self.no_json_schema = true,
            Fault::NoUsage => self.no_usage = true,
            Fault::Gullible => self.gullible = true,
        }
        self
    }
}

/// A fault to inject, as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `fail-every:N`: HTTP 500 on every N-th request.
    FailEvery(u64),
    /// `rate-limit-every:N`: HTTP 429 with `Retry-After` on every N-th request.
    RateLimitEvery(u64),
    /// `garbage`: answers that are not JSON.
    Garbage,
    /// `off-schema`: JSON answers that do not fit the answer schema.
    OffSchema,
    /// `no-json-schema`: HTTP 400 for `json_schema` response formats.
    NoJsonSchema,
    /// `no-usage`: answers without token counts.
    NoUsage,
    /// `gullible`: obeys instructions inside the document.
    Gullible,
}

impl FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let every = |n: &str| match n.parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{s:?}: N must be a whole number of at least 1")),
        };
        match s.split_once(':') {
            Some(("fail-every", n)) => every(n).map(Fault::FailEvery),
            Some(("rate-limit-every", n)) => every(n).map(Fault::RateLimitEvery),
            None => match s {
                "garbage" => Ok(Fault::Garbage),
                "off-schema" => Ok(Fault::OffSchema),
                "no-json-schema" => Ok(Fault::NoJsonSchema),
                "no-usage" => Ok(Fault::NoUsage),
                "gullible" => Ok(Fault::Gullible),
                _ => Err(unknown_fault(s)),
            },
            _ => Err(unknown_fault(s)),
        }
    }
}

fn unknown_fault(s: &str) -> String {
    format!(
        "unknown fault {s:?}: use fail-every:N, rate-limit-every:N, garbage, off-schema, \
         no-json-schema, no-usage or gullible"
    )
}

/// What the simulator has seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Chat-completion requests received.
    pub requests: u64,
    /// Requests answered with a completion (HTTP 200).
    pub answered: u64,
    /// Requests answered with an injected HTTP 500.
    pub server_errors: u64,
    /// Requests answered with an injected HTTP 429.
    pub rate_limited: u64,
    /// Requests in flight right now.
    pub in_flight: usize,
    /// Most requests in flight at the same time.
    pub peak_in_flight: usize,
}

/// A running simulator. Dropping it stops the server too.
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SimHandle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base to put in [`crate::LlmSettings::base_url`] (`http://ADDR/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The resource endpoint for Azure OpenAI settings (`http://ADDR`), under
    /// which `/openai/deployments/{model}/...` is served.
    pub fn azure_endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Counters so far.
    pub fn stats(&self) -> SimStats {
        self.shared.stats()
    }

    /// When each chat request arrived, since the server started (the first
    /// 10 000).
    pub fn arrivals(&self) -> Vec<Duration> {
        self.shared.arrivals()
    }

    /// The body of the last chat request, as JSON.
    pub fn last_request(&self) -> Option<serde_json::Value> {
        self.shared.last_request()
    }

    /// Stops accepting connections, lets requests in flight finish (for up
    /// to 5 s) and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(Duration::from_secs(5), &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(std::io::Error::other(join)),
            Err(_) => {
                task.abort();
                Ok(())
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves the simulator on `listener` in a task of the current tokio
/// runtime; returns at once with the handle.
pub async fn serve(listener: TcpListener, options: SimOptions) -> std::io::Result<SimHandle> {
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(options));
    let (tx, rx) = oneshot::channel::<()>();
    let app = server::router(shared.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(SimHandle {
        addr,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Starts a simulator on a free loopback port (`127.0.0.1:0`); its API base
/// is [`SimHandle::base_url`]. For tests.
pub async fn start_local(options: SimOptions) -> std::io::Result<SimHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    serve(listener, options).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_from_the_command_line() {
        assert_eq!("fail-every:3".parse(), Ok(Fault::FailEvery(3)));
        assert_eq!("rate-limit-every:1".parse(), Ok(Fault::RateLimitEvery(1)));
        assert_eq!("garbage".parse(), Ok(Fault::Garbage));
        assert_eq!("gullible".parse(), Ok(Fault::Gullible));
        assert_eq!("off-schema".parse(), Ok(Fault::OffSchema));
        assert_eq!("no-json-schema".parse(), Ok(Fault::NoJsonSchema));
        assert_eq!("no-usage".parse(), Ok(Fault::NoUsage));
        assert!("fail-every:0".parse::<Fault>().is_err());
        assert!("explode".parse::<Fault>().is_err());
        let o = SimOptions::default().with_fault(Fault::FailEvery(2));
        assert_eq!(o.fail_every_nth, Some(2));
    }

    #[test]
    fn the_api_key_is_not_shown() {
        let o = SimOptions {
            api_key: Some("sk-sim-secret".to_string()),
            ..SimOptions::default()
        };
        assert!(!format!("{o:?}").contains("sk-sim-secret"));
    }
}
