//! `docket erp`: commands about the configured ERP. `docket erp check`
//! tells whether Docket can work with it: connectivity, signing in, the
//! permission for each call Docket makes and a few harmless sample reads,
//! one line per check with what to fix. Exit 0 when all pass, 1 when one
//! fails, 2 when the settings themselves are wrong (nothing was tried).
//! `docket erp sync` copies the ERP's suppliers, open purchase orders and
//! goods receipts into the store's master-data cache (what changed since the
//! last sync, or everything with `--full`) and prints what it changed.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use docket_erp::check::{CheckResult, Outcome};
use serde::Serialize;

use crate::processes::ConfigArg;

/// Arguments of `docket erp`.
#[derive(Args)]
pub struct ErpArgs {
    #[command(subcommand)]
    command: ErpCommand,
}

#[derive(Subcommand)]
enum ErpCommand {
    /// Check connectivity, sign-in, permissions and sample reads against the configured ERP.
    Check(CheckArgs),
    /// Copy suppliers, open purchase orders and goods receipts into the store's cache.
    Sync(SyncArgs),
}

/// Arguments of `docket erp sync`.
#[derive(Args)]
struct SyncArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Ask for everything instead of what changed since the last sync.
    #[arg(long)]
    full: bool,
}

/// Arguments of `docket erp check`.
#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Print JSON: `{"erp": …, "ok": …, "checks": [{name, outcome, detail, hint?}]}`.
    #[arg(long)]
    json: bool,
}

/// Exit code for settings that cannot even build an adapter.
const BAD_SETTINGS: u8 = 2;

/// Runs the command.
pub fn run(args: ErpArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ErpCommand::Check(args) => crate::processes::block_on(check(args)),
        ErpCommand::Sync(args) => crate::processes::block_on(sync(args)),
    }
}

#[derive(Serialize)]
struct Report<'a> {
    erp: &'a str,
    ok: bool,
    checks: &'a [CheckResult],
}

async fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let erp = match args.config.load().and_then(|s| s.erp.adapter()) {
        Ok(erp) => erp,
        Err(e) => {
            eprintln!("docket: the [erp] settings are not usable: {e:#}");
            return Ok(ExitCode::from(BAD_SETTINGS));
        }
    };
    let checks = erp.check().await;
    let ok = checks.iter().all(|c| c.outcome != Outcome::Failed);
    if args.json {
        let report = Report {
            erp: erp.name(),
            ok,
            checks: &checks,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("checking the {} ERP", erp.name());
        for c in &checks {
            print_line(c);
        }
        let failed = checks
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
            .count();
        if ok {
            println!("all {} checks passed", checks.len());
        } else {
            println!("{failed} of {} checks failed", checks.len());
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_line(c: &CheckResult) {
    let mark = match c.outcome {
        Outcome::Ok => "ok     ",
        Outcome::Failed => "FAILED ",
        Outcome::Skipped => "skipped",
    };
    println!("{mark} {}: {}", c.name, c.detail);
    if let Some(hint) = &c.hint {
        println!("        fix: {hint}");
    }
}

async fn sync(args: SyncArgs) -> anyhow::Result<ExitCode> {
    let settings = args.config.load()?;
    let erp = settings.erp.adapter()?;
    let store = crate::wiring::store(&settings, crate::wiring::Schema::Check).await?;
    let mut progress = |line: &str| eprintln!("docket: {line}");
    let report =
        docket_pipeline::erp_cache::sync(erp.as_ref(), store.as_ref(), args.full, &mut progress)
            .await?;
    let line = |what: &str, c: &docket_pipeline::erp_cache::Counts, removed: &str| {
        println!(
            "{what}: {} added, {} updated, {} {removed}",
            c.added, c.updated, c.removed
        )
    };
    let how = if report.full { "full" } else { "incremental" };
    println!("{how} sync of the {} ERP", report.erp);
    line("suppliers", &report.suppliers, "removed");
    line("purchase orders", &report.purchase_orders, "closed");
    line("goods receipts", &report.goods_receipts, "removed");
    Ok(ExitCode::SUCCESS)
}
