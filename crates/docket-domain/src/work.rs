//! The vocabulary of pipeline work: stages and the messages that wake them.
//!
//! Messages carry ids, never documents (DESIGN.md invariant 3): the database is
//! the truth and a message only says "look at document X for stage S".

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A pipeline stage that consumes work messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Read the stored bytes: split containers, extract documents.
    Extract,
    /// Identify supplier, find POs and receipts, decide.
    Match,
    /// Book in the ERP through the posting ledger.
    Post,
}

impl Stage {
    /// Every stage, in flow order.
    pub const ALL: [Stage; 3] = [Stage::Extract, Stage::Match, Stage::Post];

    /// The stage's name as stored and used for queue names.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Extract => "extract",
            Stage::Match => "match",
            Stage::Post => "post",
        }
    }

    /// Parses a stage name.
    pub fn parse(s: &str) -> Option<Self> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == s)
    }
}

/// A message that wakes a stage for one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WorkMessage {
    /// The document to work on.
    pub document_id: String,
    /// The stage that should look at it.
    pub stage: Stage,
    /// How many times this work was attempted before (our own counter, not the broker's).
    pub attempt: u32,
}
