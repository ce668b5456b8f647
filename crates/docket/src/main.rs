//! The `docket` command line: every entry point of Docket.
//!
//! `docket demo` runs the whole flow embedded; `docket extract` reads files
//! offline; `docket schemas` writes the JSON Schemas generated from the types.

mod demo;
mod extract;
mod sandbox;
mod schemas;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Docket reads supplier invoices, matches them with the ERP and books what lines up.
#[derive(Parser)]
#[command(name = "docket", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the embedded demo over fixtures/: ingest, extract, match, book in the sandbox ERP.
    Demo(demo::DemoArgs),
    /// Read PDF, XML or EML files offline and print the structured documents.
    Extract(extract::ExtractArgs),
    /// Inspect the embedded sandbox ERP (e.g. `docket sandbox booked`).
    Sandbox(sandbox::SandboxArgs),
    /// Write (or check) the JSON Schemas in schemas/ generated from the Rust types.
    Schemas(schemas::SchemaArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOCKET_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    docket_extract::guard::quiet_parser_panics();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Schemas(args) => schemas::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("docket: {e:#}");
            ExitCode::from(1)
        }
    }
}
