//! `docket sandbox booked`: lists what the sandbox ERP holds as booked.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

/// Arguments of `docket sandbox`.
#[derive(Args)]
pub struct SandboxArgs {
    #[command(subcommand)]
    command: SandboxCommand,
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// List the invoices and credit notes booked in the sandbox ERP.
    Booked {
        /// The demo's working folder (holds sandbox-erp.json).
        #[arg(long, default_value = ".docket/demo")]
        workdir: PathBuf,
        /// Print JSON (a list of booked records, per schemas/erp-snapshot.json's BookedInvoice).
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command.
pub fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    let SandboxCommand::Booked { workdir, json } = args.command;
    let path = workdir.join("sandbox-erp.json");
    if !path.exists() {
        anyhow::bail!("{} not found (run `docket demo` first)", path.display());
    }
    let state = docket_erp::sandbox::load_state(&path)
        .with_context(|| format!("reading the sandbox at {}", path.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&state.booked_invoices)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<12} {:<8} {:<20} {:<12} {:<11} {:>14}  BY DOCKET",
        "ERP REF", "SUPPLIER", "REFERENCE", "KIND", "DATE", "GROSS"
    );
    for b in &state.booked_invoices {
        println!(
            "{:<12} {:<8} {:<20} {:<12} {:<11} {:>14}  {}",
            b.erp_ref,
            b.supplier_id,
            b.supplier_reference,
            b.kind.as_str(),
            b.document_date,
            b.gross.to_string(),
            if b.idempotency_key.is_some() {
                "yes"
            } else {
                "no"
            }
        );
    }
    println!("{} booked record(s)", state.booked_invoices.len());
    Ok(ExitCode::SUCCESS)
}
