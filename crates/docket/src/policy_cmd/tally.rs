//! The counts `docket policy replay` reports: per policy the verdicts, the
//! touchless rate, the blocked amounts and the documents per reason code; and
//! the documents whose verdict the new policy changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use docket_domain::DocumentState;
use docket_matching::{MatchOutcome, Policy, Verdict};
use docket_pipeline::stages::matching::duplicate_of;
use docket_store::DocumentRecord;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::match_cmd::word;

/// What one policy decides over the replayed documents.
#[derive(Debug, Default, Serialize)]
pub struct Tally {
    /// The policy's version.
    pub policy_version: u32,
    /// Documents re-decided.
    pub documents: usize,
    /// Documents per verdict (`book`, `wait`, `exception`, `duplicate`).
    pub verdicts: BTreeMap<String, usize>,
    /// The share decided `book`, from 0 to 1.
    pub touchless_rate: f64,
    /// Per currency, the gross amounts (as absolute values: a credit note
    /// held up is work held up too) of the documents that wait or go to a person.
    pub blocked: BTreeMap<String, Decimal>,
    /// Per reason code, how many documents have at least one reason of it.
    pub reasons: BTreeMap<String, usize>,
}

impl Tally {
    fn new(policy: &Policy) -> Self {
        Tally {
            policy_version: policy.version,
            ..Tally::default()
        }
    }

    fn add(&mut self, record: &DocumentRecord, outcome: &MatchOutcome) {
        self.documents += 1;
        *self.verdicts.entry(word(&outcome.verdict)).or_default() += 1;
        let booked = self.verdicts.get("book").copied().unwrap_or(0);
        self.touchless_rate = booked as f64 / self.documents as f64;
        if matches!(outcome.verdict, Verdict::Wait | Verdict::Exception)
            && let Some(gross) = record.gross
        {
            *self.blocked.entry(gross.currency.to_string()).or_default() += gross.amount.abs();
        }
        let codes: BTreeSet<String> = outcome.reasons.iter().map(|r| word(&r.code)).collect();
        for code in codes {
            *self.reasons.entry(code).or_default() += 1;
        }
    }
}

/// A document the new policy decides otherwise.
#[derive(Debug, Serialize)]
pub struct Change {
    /// The document's id.
    pub id: String,
    /// Its file (`mail.eml > part.pdf` for a part of a mail).
    pub file: String,
    /// The verdict under the current policy.
    pub from: String,
    /// The verdict under the new policy.
    pub to: String,
    /// The first reason of the new verdict (of the current one when the new
    /// verdict has none, as a `book` often has not).
    pub reason: Option<String>,
}

/// The replay so far.
#[derive(Debug, Serialize)]
pub struct Replay {
    /// Documents re-decided.
    pub documents: usize,
    /// Documents left out: no stored extraction or match outcome, or one that
    /// cannot be read.
    pub skipped: usize,
    /// Under the policy the settings name (or the built-in one).
    pub current: Tally,
    /// Under the policy given.
    pub new: Tally,
    /// The documents whose verdict changes.
    pub changes: Vec<Change>,
    /// Per policy, the first document seen with each business key, which
    /// owns it as in the match stage: a later one is a duplicate of it.
    #[serde(skip)]
    owners: [HashMap<String, DocumentRecord>; 2],
}

impl Replay {
    /// An empty replay of `current` against `new`.
    pub fn new(current: &Policy, new: &Policy) -> Self {
        Replay {
            documents: 0,
            skipped: 0,
            current: Tally::new(current),
            new: Tally::new(new),
            changes: Vec::new(),
            owners: [HashMap::new(), HashMap::new()],
        }
    }

    /// Adds a document's outcomes under the current and the new policy;
    /// documents come oldest first, as the match stage met them.
    pub fn add(&mut self, record: &DocumentRecord, mut outcomes: [MatchOutcome; 2]) {
        for (owners, outcome) in self.owners.iter_mut().zip(outcomes.iter_mut()) {
            claim(owners, record, outcome);
        }
        let [current, new] = outcomes;
        self.documents += 1;
        self.current.add(record, &current);
        self.new.add(record, &new);
        if current.verdict != new.verdict {
            let reason = new.reasons.first().or(current.reasons.first());
            self.changes.push(Change {
                id: record.id.to_string(),
                file: file_of(record),
                from: word(&current.verdict),
                to: word(&new.verdict),
                reason: reason.map(ToString::to_string),
            });
        }
    }
}

/// The match stage's business-key claim, in memory: the first document with
/// a key owns it, a later one becomes its duplicate.
fn claim(
    owners: &mut HashMap<String, DocumentRecord>,
    record: &DocumentRecord,
    outcome: &mut MatchOutcome,
) {
    if outcome.verdict == Verdict::Duplicate {
        return;
    }
    let Some(key) = outcome.business_key.clone() else {
        return;
    };
    match owners.get(&key) {
        Some(earlier) if earlier.id != record.id => duplicate_of(outcome, record, earlier),
        Some(_) => {}
        None => {
            // Only what the duplicate's reason names is kept, not the JSON.
            let earlier = DocumentRecord {
                extracted: None,
                match_result: None,
                ..record.clone()
            };
            owners.insert(key, earlier);
        }
    }
}

/// `file`, or `file > part` for a part of a container.
pub fn file_of(record: &DocumentRecord) -> String {
    match &record.part_name {
        Some(part) => format!("{} > {part}", record.file_name),
        None => record.file_name.clone(),
    }
}

/// Whether a stored document reached a match decision: the states the
/// match stage leads to (a same-file duplicate has no extraction and is
/// left out by the caller).
pub const DECIDED: [DocumentState; 5] = [
    DocumentState::Matched,
    DocumentState::Booked,
    DocumentState::Waiting,
    DocumentState::Exception,
    DocumentState::Duplicate,
];
