//! The `docket` command line: every entry point of Docket.
//!
//! `docket demo` runs the whole flow embedded; `docket extract` reads files
//! offline; `docket eval` scores extraction against ground truth; `docket
//! match` decides one extracted document against an ERP snapshot; `docket
//! policy replay` shows what another matching policy would decide; `docket
//! erp check` checks the configured ERP; `docket schemas` writes the JSON
//! Schemas generated from the types.

mod config;
mod demo;
mod demo_erp;
mod erp_cmd;
mod erp_config;
mod eval;
mod extract;
mod health;
mod mail;
mod match_cmd;
mod policy_cmd;
mod processes;
mod progress;
mod sandbox;
mod schemas;
mod wiring;

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
    /// Score extraction against ground truth: per-field accuracy, coverage, confidently wrong.
    Eval(eval::EvalArgs),
    /// Match one extracted document against an ERP snapshot, offline: decision, reasons, match table.
    Match(match_cmd::MatchArgs),
    /// Matching policies: `docket policy replay` decides the stored documents again under another.
    Policy(policy_cmd::PolicyArgs),
    /// All stages, the outbox relay, the sweeper and intake in one process.
    Run(processes::ConfigArg),
    /// Workers of one stage (or all); run any number, on any machine.
    Worker(processes::WorkerArgs),
    /// Intake only: the IMAP mailboxes and the drop folders.
    Ingest(processes::IngestArgs),
    /// Bring the store's schema up to date.
    Migrate(processes::ConfigArg),
    /// Documents per state, queue depths, oldest unfinished item, parked messages.
    Status(processes::StatusArgs),
    /// What became of the mails taken from IMAP mailboxes (`docket mail log`).
    Mail(mail::MailArgs),
    /// Print the effective settings (passwords redacted).
    Config(processes::ConfigArg),
    /// Inspect and replay parked work (RabbitMQ).
    Parked(processes::ParkedArgs),
    /// The configured ERP: `docket erp check` (connectivity, sign-in, permissions, sample reads).
    Erp(erp_cmd::ErpArgs),
    /// The embedded sandbox ERP: `docket sandbox booked`, `docket sandbox receive`.
    Sandbox(sandbox::SandboxArgs),
    /// Write (or check) the JSON Schemas in schemas/ generated from the Rust types.
    Schemas(schemas::SchemaArgs),
    /// A parser process: reads files for its parent on stdin and stdout.
    #[command(name = wiring::PARSER_CHILD, hide = true)]
    ParserChild,
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
        Command::Eval(args) => eval::run(args),
        Command::Match(args) => match_cmd::run(args),
        Command::Policy(args) => policy_cmd::run(args),
        Command::Run(args) => processes::run(args),
        Command::Worker(args) => processes::worker(args),
        Command::Ingest(args) => processes::ingest(args),
        Command::Migrate(args) => processes::migrate(args),
        Command::Status(args) => processes::status(args),
        Command::Mail(args) => mail::run(args),
        Command::Config(args) => processes::config(args),
        Command::Parked(args) => processes::parked(args),
        Command::Erp(args) => erp_cmd::run(args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Schemas(args) => schemas::run(args),
        Command::ParserChild => Ok(docket_extract::isolate::serve_child()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("docket: {e:#}");
            ExitCode::from(1)
        }
    }
}
