//! `docket sandbox booked`: lists what the sandbox ERP holds as booked;
//! `docket sandbox receive`: records a goods receipt in it, standing in for
//! the warehouse, and has the waiting documents matched again at once.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use crate::processes::ConfigArg;
use crate::wiring::{self, Schema};

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
    /// Record a goods receipt for a purchase order line in the sandbox ERP
    /// named by the settings, then queue the waiting documents for matching
    /// again (a running `docket run` or match worker picks them up).
    Receive(ReceiveArgs),
}

/// Arguments of `docket sandbox receive`.
#[derive(Args)]
struct ReceiveArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The purchase order number.
    #[arg(long)]
    po: String,
    /// The purchase order line (`10` is also `00010`).
    #[arg(long)]
    line: String,
    /// The quantity received, in the order unit; negative reverses a receipt.
    #[arg(long, allow_negative_numbers = true)]
    quantity: Decimal,
    /// The posting date (YYYY-MM-DD); today (UTC) by default.
    #[arg(long)]
    date: Option<NaiveDate>,
}

/// Runs the command.
pub fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        SandboxCommand::Booked { workdir, json } => booked(workdir, json),
        SandboxCommand::Receive(args) => crate::processes::block_on(receive(args)),
    }
}

async fn receive(args: ReceiveArgs) -> anyhow::Result<ExitCode> {
    let settings = args.config.load()?;
    let erp = wiring::sandbox_erp(&settings)?;
    let date = args.date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let receipt = erp
        .receive_goods(&args.po, &args.line, args.quantity, date)
        .await
        .context("recording the goods receipt")?;
    let store = wiring::store(&settings, Schema::Check).await?;
    let queued = docket_pipeline::recheck::queue_waiting(store.as_ref()).await?;
    println!(
        "goods receipt {}: {} of purchase order {} line {} on {}; {queued} waiting document(s) queued for matching again",
        receipt.number,
        receipt.quantity,
        receipt.purchase_order,
        receipt.purchase_order_line,
        receipt.date
    );
    Ok(ExitCode::SUCCESS)
}

/// `docket sandbox booked`.
fn booked(workdir: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
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
