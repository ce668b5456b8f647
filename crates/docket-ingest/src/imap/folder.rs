//! One pass over one folder: take every mail past the folder's cursor.
//!
//! Per batch of mails, in this order (DESIGN.md invariant 1):
//!
//! 1. list the new UIDs and sizes, then fetch the bodies with `BODY.PEEK[]`
//!    (nothing is marked seen by reading);
//! 2. per mail: split it (a mail that cannot be read is still stored, and
//!    marked quarantined), check the account's filter, and store it whole as
//!    one `message/rfc822` document, unless it was stored before: recorded at
//!    the same place, recognised by Message-ID and hash after a UIDVALIDITY
//!    change, or stored just before a crash cut off its record;
//! 3. record every mail of the batch (one transaction);
//! 4. apply the post-actions, now that the documents are durable;
//! 5. move the cursor past every mail that is done.
//!
//! A crash anywhere repeats at most the steps after the last durable one: the
//! mail is fetched again, recognised, and its post-action applied. A store that
//! fails leaves its mail untouched on the server (no record, no post-action, the
//! cursor stops before it); the pass ends with the error and is tried again.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use docket_store::{
    DocumentId, MailOutcome, MailRecord, MailboxCursor, NewDocument, Store, StoreError,
};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::actions::{self, Action};
use super::connect::{Connection, fetch_all, imap_error, within};
use super::settings::MailboxSettings;
use crate::IngestError;
use crate::mail::{self, MailLimits};
use crate::media;

/// At most this many mails are fetched, stored and recorded together.
const BATCH_MAILS: usize = 50;
/// At most this many bytes of mail are held in memory at once (a single
/// larger mail is still fetched alone, up to the message-size limit).
const BATCH_BYTES: u64 = 32 * 1024 * 1024;
/// Attempts at storing one mail when the store says it is temporarily unavailable.
const STORE_ATTEMPTS: u32 = 4;
/// Wait before the first retry of a store; doubled for each further one.
const STORE_BACKOFF: Duration = Duration::from_millis(250);

/// What one pass did, per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Mails stored as new documents.
    pub stored: usize,
    /// Mails found to be stored before (a restart, a UIDVALIDITY change).
    pub known: usize,
    /// Mails that could not be read (moved to the error folder).
    pub quarantined: usize,
    /// Mails the account's filter does not take (left alone).
    pub filtered: usize,
}

impl PassReport {
    /// Adds another pass's counts.
    pub fn add(&mut self, other: PassReport) {
        self.stored += other.stored;
        self.known += other.known;
        self.quarantined += other.quarantined;
        self.filtered += other.filtered;
    }

    /// Mails looked at.
    pub fn total(&self) -> usize {
        self.stored + self.known + self.quarantined + self.filtered
    }
}

/// One folder of one account, and where its mails go.
pub(crate) struct Folder<'a> {
    /// The account.
    pub account: &'a MailboxSettings,
    /// The folder's name.
    pub name: &'a str,
    /// Where mails are stored and recorded.
    pub store: &'a dyn Store,
    /// What one mail may cost.
    pub limits: &'a MailLimits,
    /// Set when the process is stopping: the pass ends after its current batch.
    pub stop: Option<&'a watch::Receiver<bool>>,
}

/// A listed mail: its UID and size.
#[derive(Debug, Clone, Copy)]
struct Listed {
    uid: u32,
    size: u64,
}

/// What one batch did.
struct BatchTaken {
    /// Every mail of the batch up to this UID is done (0: none).
    done_up_to: u32,
    /// Mails per outcome.
    counts: PassReport,
    /// A mail of the batch is not done (not fetched, or not stored).
    stuck: bool,
    /// The first storing failure, if any.
    failure: Option<IngestError>,
}

/// What became of one mail of a batch.
enum Taken {
    /// Recorded (now or earlier): its post-action is due.
    Recorded {
        record: MailRecord,
        new: bool,
        known: bool,
    },
    /// Listed but its body did not come (expunged meanwhile, or the server
    /// declined): the cursor stops before it and the next pass looks again
    /// (a mail that is gone is not listed again).
    NotFetched(u32),
    /// Storing failed: left untouched.
    Failed(u32, IngestError),
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Folder<'_> {
    fn store_error(&self, doing: &str, source: StoreError) -> IngestError {
        IngestError::Store {
            path: format!("{} ({doing})", self.account.source(self.name)),
            source,
        }
    }

    fn stopping(&self) -> bool {
        self.stop.is_some_and(|s| *s.borrow())
    }

    /// Takes every mail past the cursor (see the module header).
    pub async fn take_new(&self, conn: &mut Connection) -> Result<PassReport, IngestError> {
        let account = self.account;
        let selected = within(account, "SELECT", conn.session.select(self.name)).await?;
        let uidvalidity = selected
            .uid_validity
            .ok_or_else(|| imap_error(account, "SELECT", "the server sent no UIDVALIDITY"))?;
        let cursor = self
            .store
            .mailbox_cursor(&account.name, self.name)
            .await
            .map_err(|e| self.store_error("reading the cursor", e))?;
        let mut after = match &cursor {
            Some(c) if c.uidvalidity == uidvalidity => c.last_uid,
            Some(c) => {
                tracing::warn!(
                    account = %account.name, folder = self.name,
                    old = c.uidvalidity, new = uidvalidity,
                    "UIDVALIDITY changed: every mail is looked at again; those taken before \
                     are recognised by Message-ID and content hash"
                );
                0
            }
            None => 0,
        };
        let mut report = PassReport::default();
        let nothing_new = selected.exists == 0 || selected.uid_next.is_some_and(|n| n <= after + 1);
        let listed = if nothing_new {
            Vec::new()
        } else {
            self.list(conn, after).await?
        };
        for batch in batches(&listed) {
            if self.stopping() {
                break;
            }
            let taken = self.take_batch(conn, uidvalidity, batch).await?;
            report.add(taken.counts);
            if taken.done_up_to > after {
                after = taken.done_up_to;
                self.save_cursor(uidvalidity, after).await?;
            }
            if let Some(failure) = taken.failure {
                return Err(failure);
            }
            // A later batch must not move the cursor past a mail left undone.
            if taken.stuck {
                break;
            }
        }
        if cursor.as_ref().is_none_or(|c| c.uidvalidity != uidvalidity) && after == 0 {
            // Remember the UIDVALIDITY, so the next pass does not count as a rescan.
            self.save_cursor(uidvalidity, 0).await?;
        }
        Ok(report)
    }

    async fn save_cursor(&self, uidvalidity: u32, last_uid: u32) -> Result<(), IngestError> {
        let cursor = MailboxCursor {
            account: self.account.name.clone(),
            folder: self.name.to_string(),
            uidvalidity,
            last_uid,
        };
        self.store
            .set_mailbox_cursor(&cursor)
            .await
            .map_err(|e| self.store_error("saving the cursor", e))
    }

    /// The UIDs and sizes of the mails after `after`, oldest first.
    async fn list(&self, conn: &mut Connection, after: u32) -> Result<Vec<Listed>, IngestError> {
        let range = format!("{}:*", after.saturating_add(1));
        let fetched = fetch_all(conn, self.account, &range, "(UID RFC822.SIZE)").await?;
        let mut listed: Vec<Listed> = fetched
            .iter()
            .filter_map(|f| {
                Some(Listed {
                    uid: f.uid?,
                    size: u64::from(f.size.unwrap_or(0)),
                })
            })
            // `n:*` always names the last mail, even when its UID is below n.
            .filter(|l| l.uid > after)
            .collect();
        listed.sort_by_key(|l| l.uid);
        listed.dedup_by_key(|l| l.uid);
        Ok(listed)
    }

    /// Takes one batch (see [`BatchTaken`]).
    async fn take_batch(
        &self,
        conn: &mut Connection,
        uidvalidity: u32,
        batch: &[Listed],
    ) -> Result<BatchTaken, IngestError> {
        let account = self.account;
        let uids: Vec<u32> = batch.iter().map(|l| l.uid).collect();
        let mut recorded: HashMap<u32, MailRecord> = self
            .store
            .recorded_mails(&account.name, self.name, uidvalidity, &uids)
            .await
            .map_err(|e| self.store_error("reading the mail log", e))?
            .into_iter()
            .map(|r| (r.uid, r))
            .collect();
        let max = u64::try_from(self.limits.max_message_bytes).unwrap_or(u64::MAX);
        let wanted: Vec<u32> = batch
            .iter()
            .filter(|l| l.size <= max && !recorded.contains_key(&l.uid))
            .map(|l| l.uid)
            .collect();
        let mut bodies = self.fetch(conn, &wanted).await?;
        let taking = batch.iter().map(|listed| {
            let earlier = recorded.remove(&listed.uid);
            let body = bodies.remove(&listed.uid);
            self.take_one(uidvalidity, *listed, earlier, body)
        });
        let taken = futures_util::future::join_all(taking).await;

        let fresh: Vec<MailRecord> = taken
            .iter()
            .filter_map(|t| match t {
                Taken::Recorded {
                    record, new: true, ..
                } => Some(record.clone()),
                _ => None,
            })
            .collect();
        self.store
            .record_mails(&fresh)
            .await
            .map_err(|e| self.store_error("recording mails", e))?;

        let mut report = PassReport::default();
        let mut due: Vec<(Action, u32)> = Vec::new();
        let mut done_up_to = 0;
        let mut failure = None;
        // Set at the first mail that is not done: the cursor stays before it.
        let mut stuck = false;
        for t in taken {
            let uid = match t {
                Taken::Recorded { record, known, .. } => {
                    let action = Action::for_outcome(record.outcome);
                    match (record.outcome, known) {
                        (MailOutcome::Stored, true) => report.known += 1,
                        (MailOutcome::Stored, false) => report.stored += 1,
                        (MailOutcome::Quarantined, _) => report.quarantined += 1,
                        (MailOutcome::Filtered, _) => report.filtered += 1,
                    }
                    due.push((action, record.uid));
                    record.uid
                }
                Taken::NotFetched(uid) => {
                    tracing::warn!(
                        account = %account.name, folder = self.name, uid,
                        "the server sent no body for a listed mail: looked at again next pass"
                    );
                    stuck = true;
                    continue;
                }
                Taken::Failed(uid, e) => {
                    tracing::error!(
                        account = %account.name, folder = self.name, uid, error = %e,
                        "storing a mail failed: it stays untouched and is tried again"
                    );
                    failure.get_or_insert(e);
                    stuck = true;
                    continue;
                }
            };
            if !stuck {
                done_up_to = uid;
            }
        }
        actions::apply(conn, account, &due).await?;
        Ok(BatchTaken {
            done_up_to,
            counts: report,
            stuck,
            failure,
        })
    }

    /// The bodies of `uids`, read with `BODY.PEEK[]` (nothing marked seen).
    async fn fetch(
        &self,
        conn: &mut Connection,
        uids: &[u32],
    ) -> Result<HashMap<u32, Vec<u8>>, IngestError> {
        if uids.is_empty() {
            return Ok(HashMap::new());
        }
        let set = actions::uid_set(uids);
        let fetched = fetch_all(conn, self.account, &set, "(UID BODY.PEEK[])").await?;
        Ok(fetched
            .iter()
            .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
            .collect())
    }

    /// Decides, stores and describes one mail (recording is left to the batch).
    async fn take_one(
        &self,
        uidvalidity: u32,
        listed: Listed,
        earlier: Option<MailRecord>,
        body: Option<Vec<u8>>,
    ) -> Taken {
        if let Some(record) = earlier {
            // Recorded at this very place: a crash came before its post-action.
            return Taken::Recorded {
                known: true,
                new: false,
                record,
            };
        }
        let mut record = MailRecord {
            account: self.account.name.clone(),
            folder: self.name.to_string(),
            uidvalidity,
            uid: listed.uid,
            message_id: None,
            sha256: None,
            sender: None,
            subject: None,
            outcome: MailOutcome::Quarantined,
            reason: None,
            document_id: None,
            at: Utc::now(),
        };
        let max = self.limits.max_message_bytes;
        if listed.size > u64::try_from(max).unwrap_or(u64::MAX) {
            record.reason = Some(format!(
                "the message is {} bytes; at most {max} are read (limits.max_message_bytes): \
                 it was not fetched",
                listed.size
            ));
            return Taken::Recorded {
                record,
                new: true,
                known: false,
            };
        }
        let Some(bytes) = body else {
            return Taken::NotFetched(listed.uid);
        };
        match self.describe_and_store(&mut record, bytes).await {
            Ok(known) => Taken::Recorded {
                record,
                new: true,
                known,
            },
            Err(e) => Taken::Failed(listed.uid, e),
        }
    }

    /// Fills in the record from the mail and stores it (unless filtered or
    /// stored before); `Ok(true)` when it was stored before.
    async fn describe_and_store(
        &self,
        record: &mut MailRecord,
        bytes: Vec<u8>,
    ) -> Result<bool, IngestError> {
        let sha = sha256_hex(&bytes);
        record.sha256 = Some(sha.clone());
        let split = mail::split(&bytes, self.limits);
        match &split {
            Ok(mail) => {
                record.message_id = mail.message_id.clone();
                record.sender = mail.original_sender.clone().or(mail.sender.clone());
                record.subject = mail.subject.clone();
                if let Some(refusal) = self.account.filter.refusal(mail) {
                    record.outcome = MailOutcome::Filtered;
                    record.reason = Some(refusal);
                    return Ok(false);
                }
                record.outcome = MailOutcome::Stored;
            }
            // Stored anyway (nothing is lost, the pipeline shows it to a
            // person), and moved to the error folder.
            Err(e) => {
                record.outcome = MailOutcome::Quarantined;
                record.reason = Some(e.to_string());
            }
        }
        let known = self.stored_before(record, &sha).await?;
        let known = match known {
            Some(id) => {
                record.document_id = Some(id);
                true
            }
            None => {
                let id = self.store_mail(record, bytes).await?;
                record.document_id = Some(id);
                false
            }
        };
        Ok(known)
    }

    /// The document this mail was stored as before, if it was.
    async fn stored_before(
        &self,
        record: &mut MailRecord,
        sha: &str,
    ) -> Result<Option<DocumentId>, IngestError> {
        let account = &self.account.name;
        let earlier = self
            .store
            .mail_by_content(account, record.message_id.as_deref(), sha)
            .await
            .map_err(|e| self.store_error("looking up the mail log", e))?;
        if let Some(earlier) = earlier.filter(|e| e.document_id.is_some()) {
            let note = format!(
                "taken before from {} UID {} (UIDVALIDITY {})",
                earlier.folder, earlier.uid, earlier.uidvalidity
            );
            record.reason = Some(match record.reason.take() {
                Some(reason) => format!("{reason}; {note}"),
                None => note,
            });
            return Ok(earlier.document_id);
        }
        let source = self.account.source(self.name);
        self.store
            .document_by_content(&source, sha)
            .await
            .map_err(|e| self.store_error("looking up documents", e))
    }

    /// Stores the mail whole, retrying while the store is temporarily unavailable.
    async fn store_mail(
        &self,
        record: &MailRecord,
        bytes: Vec<u8>,
    ) -> Result<DocumentId, IngestError> {
        let doc = NewDocument {
            parent_id: None,
            source: self.account.source(self.name),
            file_name: file_name(record),
            part_name: None,
            media_type: media::MAIL.to_string(),
            sender: record.sender.clone(),
            bytes,
        };
        let mut wait = STORE_BACKOFF;
        let mut attempt = 1;
        loop {
            match self.store.ingest(doc.clone()).await {
                Ok(outcome) => return Ok(outcome.id().clone()),
                Err(e) if e.is_transient() && attempt < STORE_ATTEMPTS => {
                    tracing::warn!(
                        account = %self.account.name, folder = self.name, uid = record.uid,
                        error = %e, attempt, "storing a mail failed; trying again"
                    );
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    attempt += 1;
                }
                Err(e) => return Err(self.store_error(&format!("storing UID {}", record.uid), e)),
            }
        }
    }
}

/// A readable file name for a mail: its subject, else its UID, as `.eml`.
fn file_name(record: &MailRecord) -> String {
    let subject: String = record
        .subject
        .as_deref()
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(80)
        .collect();
    let subject = subject.trim();
    if subject.is_empty() {
        format!("mail-{}.eml", record.uid)
    } else {
        format!("{subject}.eml")
    }
}

/// The listing cut into batches of at most [`BATCH_MAILS`] mails and
/// [`BATCH_BYTES`] bytes (a larger mail is a batch of its own).
fn batches(listed: &[Listed]) -> Vec<&[Listed]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, l) in listed.iter().enumerate() {
        let full = i - start >= BATCH_MAILS || (i > start && bytes + l.size > BATCH_BYTES);
        if full {
            out.push(&listed[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += l.size;
    }
    if start < listed.len() {
        out.push(&listed[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(sizes: &[u64]) -> Vec<Listed> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| Listed {
                uid: u32::try_from(i).unwrap() + 1,
                size,
            })
            .collect()
    }

    #[test]
    fn batches_hold_a_bounded_number_of_mails_and_bytes() {
        let many = listed(&[10; 120]);
        let lens: Vec<usize> = batches(&many).iter().map(|b| b.len()).collect();
        assert_eq!(lens, vec![50, 50, 20]);
        let mb = 1024 * 1024;
        let big = listed(&[10 * mb, 10 * mb, 10 * mb, 40 * mb, mb]);
        let lens: Vec<usize> = batches(&big).iter().map(|b| b.len()).collect();
        assert_eq!(
            lens,
            vec![3, 1, 1],
            "a large mail goes alone, never dropped"
        );
        assert!(batches(&[]).is_empty());
    }

    #[test]
    fn file_names_come_from_the_subject_and_are_safe() {
        let mut record = MailRecord {
            account: "ap".into(),
            folder: "INBOX".into(),
            uidvalidity: 1,
            uid: 42,
            message_id: None,
            sha256: None,
            sender: None,
            subject: Some("Rechnung 2026/17: \"März\"".into()),
            outcome: MailOutcome::Stored,
            reason: None,
            document_id: None,
            at: Utc::now(),
        };
        assert_eq!(file_name(&record), "Rechnung 2026_17_ _März_.eml");
        record.subject = Some("  ".into());
        assert_eq!(file_name(&record), "mail-42.eml");
    }
}
