//! `docket-llm-sim`: the OpenAI-compatible simulator as a process, for the
//! pipeline benchmark (`scripts/bench-pipeline --llm-latency-ms 800`) and for
//! trying Docket's LLM stage by hand.
//!
//! Prints its API base (`http://127.0.0.1:8089/v1`) as the first line on
//! stdout once it accepts connections, then serves until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use docket_llm::sim::{self, Fault, SimOptions};

/// Serves POST /v1/chat/completions (and Azure OpenAI's
/// /openai/deployments/{model}/chat/completions) and GET /v1/models with a
/// deterministic model that reads documents with Docket's layout reader. Set
/// DOCKET_LLM_SIM_API_KEY to require that key (a bearer token; on the Azure
/// route, the api-key header).
#[derive(Debug, Parser)]
#[command(name = "docket-llm-sim", version)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8089")]
    listen: SocketAddr,
    /// Fixed delay before each answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault to inject: fail-every:N (HTTP 500), rate-limit-every:N (HTTP 429),
    /// garbage (non-JSON answers), off-schema (JSON off the answer schema),
    /// no-json-schema (HTTP 400 for json_schema formats), no-usage (no token
    /// counts), gullible (obeys instructions in documents). May be repeated.
    #[arg(long, value_parser = parse_fault)]
    fault: Vec<Fault>,
    /// Retry-After sent with injected 429s, in seconds.
    #[arg(long, default_value_t = 1)]
    retry_after_secs: u64,
    /// Send Retry-After as an HTTP-date instead of seconds.
    #[arg(long)]
    retry_after_as_date: bool,
    /// Model name to list and report.
    #[arg(long, default_value = "docket-sim")]
    model: String,
}

/// The environment variable holding a bearer token to require (none when
/// unset); an environment variable keeps it off the process list.
const API_KEY_VAR: &str = "DOCKET_LLM_SIM_API_KEY";

fn parse_fault(s: &str) -> Result<Fault, String> {
    s.parse()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let options = args.fault.iter().fold(
        SimOptions {
            latency: Duration::from_millis(args.latency_ms),
            retry_after_secs: args.retry_after_secs,
            retry_after_as_date: args.retry_after_as_date,
            model: args.model.clone(),
            api_key: std::env::var(API_KEY_VAR).ok().filter(|k| !k.is_empty()),
            ..SimOptions::default()
        },
        |o, f| o.with_fault(*f),
    );
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("docket-llm-sim: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    let handle = match sim::serve(listener, options).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("docket-llm-sim: cannot serve: {e}");
            return ExitCode::from(2);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", handle.base_url());
        let _ = out.flush();
    }
    eprintln!(
        "docket-llm-sim: serving on {} (latency {} ms, faults {:?}); Ctrl-C stops",
        handle.base_url(),
        args.latency_ms,
        args.fault
    );
    wait_for_stop().await;
    let stats = handle.stats();
    let result = handle.stop().await;
    eprintln!(
        "docket-llm-sim: stopped after {} requests ({} answered, {} HTTP 500, {} HTTP 429, peak {} in flight)",
        stats.requests,
        stats.answered,
        stats.server_errors,
        stats.rate_limited,
        stats.peak_in_flight
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("docket-llm-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Waits for Ctrl-C, or SIGTERM on Unix (how benchmarks stop it).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
