//! IMAP mailboxes in the binary: `docket mail log` (what became of the mails
//! taken, newest first: where to look when a mail was not taken), and the glue
//! between the settings and `docket_ingest::imap` for `docket ingest` and
//! `docket run`.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use docket_ingest::imap::{self, MailboxSettings};
use docket_store::{MailOutcome, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Settings;
use crate::processes::{ConfigArg, block_on};
use crate::wiring::{self, Schema};

/// Arguments of `docket mail`.
#[derive(Args)]
pub struct MailArgs {
    #[command(subcommand)]
    command: MailCommand,
}

#[derive(Subcommand)]
enum MailCommand {
    /// What became of the mails taken from IMAP mailboxes, newest first:
    /// stored (with the document), quarantined or filtered (with the reason).
    Log {
        #[command(flatten)]
        config: ConfigArg,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only mails with this outcome.
        #[arg(long, value_enum)]
        outcome: Option<OutcomeArg>,
        /// Print JSON (a list of mail records, see docs/intake.md).
        #[arg(long)]
        json: bool,
    },
}

/// An outcome, as `--outcome` names it.
#[derive(Clone, Copy, ValueEnum)]
enum OutcomeArg {
    Stored,
    Quarantined,
    Filtered,
}

impl From<OutcomeArg> for MailOutcome {
    fn from(arg: OutcomeArg) -> Self {
        match arg {
            OutcomeArg::Stored => MailOutcome::Stored,
            OutcomeArg::Quarantined => MailOutcome::Quarantined,
            OutcomeArg::Filtered => MailOutcome::Filtered,
        }
    }
}

/// Runs `docket mail ...`.
pub fn run(args: MailArgs) -> anyhow::Result<ExitCode> {
    let MailCommand::Log {
        config,
        limit,
        outcome,
        json,
    } = args.command;
    block_on(async move {
        let settings = config.load()?;
        let store = wiring::store(&settings, Schema::Check).await?;
        let mails = store.mail_log(outcome.map(Into::into), limit).await?;
        if json {
            println!("{}", serde_json::to_string_pretty(&mails)?);
            return Ok(ExitCode::SUCCESS);
        }
        for m in &mails {
            let document = m.document_id.as_ref().map_or("-", |d| d.as_str());
            println!(
                "{} {:<11} {}/{} uid {} (uidvalidity {}) document {document}",
                m.at.format("%Y-%m-%d %H:%M:%S"),
                m.outcome.as_str(),
                m.account,
                m.folder,
                m.uid,
                m.uidvalidity,
            );
            println!(
                "    from {} subject {:?} message-id {}",
                m.sender.as_deref().unwrap_or("-"),
                m.subject.as_deref().unwrap_or(""),
                m.message_id.as_deref().unwrap_or("-"),
            );
            if let Some(reason) = &m.reason {
                println!("    {reason}");
            }
        }
        println!("{} mail(s)", mails.len());
        Ok(ExitCode::SUCCESS)
    })
}

/// The configured mailboxes, checked (no two with one name, credentials present, ...).
pub fn mailboxes(settings: &Settings) -> anyhow::Result<&[MailboxSettings]> {
    let mailboxes = &settings.ingest.mailboxes;
    imap::settings::validate_all(mailboxes)?;
    Ok(mailboxes)
}

/// One pass over every mailbox folder (`docket ingest --once`); prints what
/// became of the mails and returns whether every folder was read.
pub async fn take_once(settings: &Settings, store: &dyn Store) -> anyhow::Result<bool> {
    let mailboxes = mailboxes(settings)?;
    if mailboxes.is_empty() {
        return Ok(true);
    }
    let report = imap::take_once(mailboxes, store, &settings.ingest.mail_limits).await;
    let m = report.mails;
    eprintln!(
        "ingest: {} mail(s) stored, {} stored before, {} quarantined, {} filtered",
        m.stored, m.known, m.quarantined, m.filtered
    );
    for failure in &report.failures {
        eprintln!("ingest: not read to the end (tried again next time): {failure}");
    }
    Ok(report.failures.is_empty())
}

/// Starts an IMAP session per mailbox folder, running until `stop` turns true.
pub fn watch(
    settings: &Settings,
    store: Arc<dyn Store>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<JoinHandle<()>> {
    let mailboxes = mailboxes(settings)?.to_vec();
    let limits = settings.ingest.mail_limits;
    Ok(tokio::spawn(imap::watch::watch_all(
        mailboxes, store, limits, stop,
    )))
}
