//! `docket policy replay --config F --policy NEW [--json]`: what another
//! matching policy would have decided. Every stored document that reached a
//! match decision is decided again, as the match stage decides (the ERP the
//! settings name, as it is now; the waiting limit as of now; the first
//! document with a business key owns it), under the current policy and under
//! NEW; the report compares the touchless rate, the blocked amounts and the
//! reasons, and lists the documents whose verdict changes.
//!
//! It only reads: nothing is booked, no state changes, nothing is written to
//! the store.

mod tally;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use docket_domain::DocumentState;
use docket_domain::erp::{ErpSnapshot, idempotency_key};
use docket_erp::Erp;
use docket_matching::policy::PoSearchPolicy;
use docket_matching::{MatchInput, MatchOutcome, Policy};
use docket_pipeline::PipelineError;
use docket_pipeline::stages::matching::{decide, gather, sender_domain, stored_extraction};
use docket_store::{DocumentRecord, Store};

use crate::config::{Settings, StoreKind};
use crate::processes::ConfigArg;
use crate::progress::Progress;
use crate::wiring::{self, Schema};
use tally::{DECIDED, Replay, Tally};

/// Arguments of `docket policy`.
#[derive(Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Decide the stored documents again under another policy and show what
    /// would change (touchless rate, blocked amounts, reasons); books nothing
    /// and writes nothing.
    Replay(ReplayArgs),
}

/// Arguments of `docket policy replay`.
#[derive(Args)]
struct ReplayArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The policy to compare with the current one (TOML, docs/matching.md).
    #[arg(long, value_name = "NEW")]
    policy: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let PolicyCommand::Replay(args) = args.command;
    crate::processes::block_on(replay(args))
}

async fn replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let settings = args.config.load()?;
    let current = wiring::policy(&settings).context("the current policy")?;
    let new = wiring::load_policy(Some(&args.policy)).context("the new policy")?;
    let store = existing_store(&settings).await?;
    let erp = wiring::erp(&settings)?;
    let ids = store.documents_in(&DECIDED).await?;
    let mut progress = Progress::of("replay", ids.len(), "documents");
    let mut replay = Replay::new(&current, &new);
    // One moment for every document, so that the waiting limit cuts alike.
    let now = chrono::Utc::now();
    for (id, _) in &ids {
        let record = store.document(id).await?;
        match redecide(erp.as_ref(), &record, [&current, &new], now).await {
            Ok(Some(outcomes)) => replay.add(&record, outcomes),
            Ok(None) => replay.skipped += 1,
            Err(PipelineError::Inconsistent(why)) => {
                progress.note(&format!("replay: {id} left out: {why}"));
                replay.skipped += 1;
            }
            Err(e) => return Err(e).with_context(|| format!("asking the ERP about {id}")),
        }
        progress.tick();
    }
    progress.finish();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&replay)?);
    } else {
        print_report(&replay);
    }
    Ok(ExitCode::SUCCESS)
}

/// The store the settings name, which must exist already: a replay of a
/// store that is not there would only create an empty one.
async fn existing_store(settings: &Settings) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    let path = &settings.store.path;
    if settings.store.kind == StoreKind::Sqlite && !path.exists() {
        anyhow::bail!("the store {} does not exist", path.display());
    }
    wiring::store(settings, Schema::Check).await
}

/// The document's outcomes under each policy, as the match stage would
/// decide now; `None` when it holds no extraction or match outcome (a
/// same-file duplicate, a document a stage gave up on).
async fn redecide(
    erp: &dyn Erp,
    record: &DocumentRecord,
    policies: [&Policy; 2],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<[MatchOutcome; 2]>, PipelineError> {
    if record.extracted.is_none() || record.match_result.is_none() {
        return Ok(None);
    }
    let extraction = stored_extraction(record)?;
    let doc = &extraction.document;
    let sender = sender_domain(record);
    // What either policy's PO search needs: the wider of the two.
    let search = PoSearchPolicy {
        enabled: policies.iter().any(|p| p.po_search.enabled),
        max_age_days: policies
            .iter()
            .map(|p| p.po_search.max_age_days)
            .max()
            .unwrap_or_default(),
    };
    let mut known = gather(erp, doc, sender, &search).await?;
    if record.state == DocumentState::Booked {
        without_own_booking(&mut known, record, doc);
    }
    let input = MatchInput {
        document: doc,
        erp: &known,
        sender_domain: sender,
    };
    Ok(Some(policies.map(|policy| {
        decide(&input, policy, record.received_at, now)
    })))
}

/// Leaves out of what the ERP knows the booking a booked document made: it is
/// the document itself, not an earlier one (which would make it its own
/// duplicate, and its quantities invoiced before it).
fn without_own_booking(
    known: &mut ErpSnapshot,
    record: &DocumentRecord,
    doc: &docket_domain::BusinessDocument,
) {
    let own_key = record
        .supplier_id
        .as_deref()
        .zip(doc.number())
        .map(|(supplier, number)| idempotency_key(supplier, number, doc.kind()));
    known.booked_invoices.retain(|b| {
        let same_ref = record.erp_ref.as_deref() == Some(b.erp_ref.as_str());
        let same_key = own_key.as_deref().is_some_and(|key| {
            b.idempotency_key.as_deref() == Some(key)
                || idempotency_key(&b.supplier_id, &b.supplier_reference, b.kind) == key
        });
        !(same_ref || same_key)
    });
}

fn print_report(replay: &Replay) {
    let (current, new) = (&replay.current, &replay.new);
    println!(
        "{} document(s) decided again against the ERP as it is now ({} left out)",
        replay.documents, replay.skipped
    );
    let head = |t: &Tally, name: &str| format!("{name} (v{})", t.policy_version);
    row("", &head(current, "current"), &head(new, "new"));
    let percent = |t: &Tally| format!("{:.1} %", t.touchless_rate * 100.0);
    row("touchless rate", &percent(current), &percent(new));
    rows("", &pairs(&current.verdicts), &pairs(&new.verdicts));
    rows("blocked ", &blocked(current), &blocked(new));
    println!("documents per reason code");
    rows("  ", &pairs(&current.reasons), &pairs(&new.reasons));
    println!("{} document(s) decided otherwise", replay.changes.len());
    for c in &replay.changes {
        println!("  {} {}: {} -> {}", c.id, c.file, c.from, c.to);
        if let Some(reason) = &c.reason {
            println!("      {reason}");
        }
    }
}

fn row(label: &str, current: &str, new: &str) {
    println!("{label:<28} {current:>16} {new:>16}");
}

/// One row per key of either side (0 where a side lacks it).
fn rows(prefix: &str, current: &[(String, String)], new: &[(String, String)]) {
    let keys: BTreeSet<&String> = current.iter().chain(new).map(|(k, _)| k).collect();
    let value = |side: &[(String, String)], key: &str| {
        let found = side.iter().find(|(k, _)| k == key);
        found.map_or_else(|| "0".to_string(), |(_, v)| v.clone())
    };
    for key in keys {
        row(
            &format!("{prefix}{key}"),
            &value(current, key),
            &value(new, key),
        );
    }
}

fn pairs<V: ToString>(map: &BTreeMap<String, V>) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect()
}

fn blocked(tally: &Tally) -> Vec<(String, String)> {
    let rounded = tally
        .blocked
        .iter()
        .map(|(c, a)| (c.clone(), a.round_dp(2)));
    rounded.map(|(c, a)| (c, a.to_string())).collect()
}
