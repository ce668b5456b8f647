//! `docket match --erp SNAPSHOT --document DOC [--policy F] [--sender ADDRESS] [--json]`:
//! offline matching of one extracted document against an ERP snapshot, with
//! no database and no ERP: the decision, the supplier and its evidence, the
//! reasons and the match table, exactly as the match stage would decide
//! (without the waiting limit, which needs to know when the document came).
//!
//! Exits 0 whatever the decision; 2, with one line naming the file, when an
//! input file is missing, is not JSON or does not follow its schema.

mod input;
mod report;

pub use report::word;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use docket_matching::{MatchInput, match_document};

/// Arguments of `docket match`.
#[derive(Args)]
pub struct MatchArgs {
    /// The ERP as matching sees it: a JSON file per schemas/erp-snapshot.json.
    #[arg(long, value_name = "SNAPSHOT")]
    erp: PathBuf,
    /// The document: what `docket extract --json FILE` prints for one
    /// document, or a bare document per schemas/business-document.json.
    #[arg(long, value_name = "DOC")]
    document: PathBuf,
    /// A matching policy in TOML (docs/matching.md); the built-in one by default.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The mail address the document came from (or just its domain): a
    /// domain on the supplier's master record counts as evidence.
    #[arg(long, value_name = "ADDRESS")]
    sender: Option<String>,
    /// Print the match outcome as JSON, with a top-level `decision`.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: MatchArgs) -> anyhow::Result<ExitCode> {
    let loaded = input::snapshot(&args.erp).and_then(|erp| {
        let document = input::document(&args.document)?;
        let policy = input::policy(args.policy.as_deref())?;
        Ok((erp, document, policy))
    });
    let (erp, document, policy) = match loaded {
        Ok(loaded) => loaded,
        Err(bad) => {
            eprintln!("docket: {bad}");
            return Ok(ExitCode::from(2));
        }
    };
    let sender_domain = args
        .sender
        .as_deref()
        .map(|s| s.rsplit_once('@').map_or(s, |(_, domain)| domain).trim());
    let outcome = match_document(
        &MatchInput {
            document: &document,
            erp: &erp,
            sender_domain,
        },
        &policy,
    );
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::json(&outcome)?)?
        );
    } else {
        print!("{}", report::text(&outcome));
    }
    Ok(ExitCode::SUCCESS)
}
