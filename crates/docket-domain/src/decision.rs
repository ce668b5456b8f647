//! What Docket decided about a document, and why, in words a person can read.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome reported for a document (`docket demo --json`'s `decision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Booked in the ERP.
    Booked,
    /// Waiting for something to happen in the ERP (usually the goods receipt).
    Waiting,
    /// A person must look: the reasons say why.
    Exception,
    /// Rejected by a person.
    Rejected,
    /// A duplicate of a document already received or booked.
    Duplicate,
    /// Could not be read; the reason and the bytes are kept.
    Quarantined,
}

impl Decision {
    /// The lower-case word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Booked => "booked",
            Decision::Waiting => "waiting",
            Decision::Exception => "exception",
            Decision::Rejected => "rejected",
            Decision::Duplicate => "duplicate",
            Decision::Quarantined => "quarantined",
        }
    }
}

/// The state of a document in the pipeline (DESIGN.md section 1, "Document states").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Raw bytes stored; not yet read.
    Received,
    /// Structured; not yet matched.
    Extracted,
    /// Matched and cleared for booking; not yet posted.
    Matched,
    /// Booked in the ERP.
    Booked,
    /// Waiting (e.g. for goods receipt); re-matched later.
    Waiting,
    /// In the review queue.
    Exception,
    /// Approved by a person; to be posted.
    Approved,
    /// Rejected by a person.
    Rejected,
    /// A duplicate.
    Duplicate,
    /// Unreadable.
    Quarantined,
    /// A container (an e-mail) whose documents were split off.
    Split,
}

impl DocumentState {
    /// The state's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentState::Received => "received",
            DocumentState::Extracted => "extracted",
            DocumentState::Matched => "matched",
            DocumentState::Booked => "booked",
            DocumentState::Waiting => "waiting",
            DocumentState::Exception => "exception",
            DocumentState::Approved => "approved",
            DocumentState::Rejected => "rejected",
            DocumentState::Duplicate => "duplicate",
            DocumentState::Quarantined => "quarantined",
            DocumentState::Split => "split",
        }
    }

    /// Parses a stored state name.
    pub fn parse(s: &str) -> Option<Self> {
        use DocumentState::*;
        [
            Received,
            Extracted,
            Matched,
            Booked,
            Waiting,
            Exception,
            Approved,
            Rejected,
            Duplicate,
            Quarantined,
            Split,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }

    /// The reported decision for a state where the pipeline has come to rest.
    pub fn decision(self) -> Option<Decision> {
        match self {
            DocumentState::Booked => Some(Decision::Booked),
            DocumentState::Waiting => Some(Decision::Waiting),
            DocumentState::Exception => Some(Decision::Exception),
            DocumentState::Rejected => Some(Decision::Rejected),
            DocumentState::Duplicate => Some(Decision::Duplicate),
            DocumentState::Quarantined => Some(Decision::Quarantined),
            _ => None,
        }
    }
}

/// A machine-readable reason code; the message says the same for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The file could not be read.
    Unreadable,
    /// Not an invoice or credit note (nothing to book).
    NotAnInvoice,
    /// A field needed for booking is missing or unsure.
    MissingField,
    /// No supplier on the master data matches.
    UnknownSupplier,
    /// Several suppliers match.
    AmbiguousSupplier,
    /// The supplier is blocked for posting or payment.
    SupplierBlocked,
    /// The bank account on the document is not on the supplier's master record.
    BankAccountNotOnRecord,
    /// The VAT id on the document differs from the master record.
    VatIdMismatch,
    /// No purchase order reference, or the PO does not exist.
    UnknownPurchaseOrder,
    /// The PO belongs to another supplier.
    PurchaseOrderOtherSupplier,
    /// A line could not be matched to a PO line.
    LineNotMatched,
    /// Unit price differs from the PO beyond tolerance.
    PriceVariance,
    /// Invoiced quantity exceeds what was received (and not yet invoiced).
    QuantityExceedsReceived,
    /// Goods not received yet.
    AwaitingGoodsReceipt,
    /// Totals do not add up.
    ArithmeticError,
    /// Already booked or already received.
    Duplicate,
    /// Currency differs from the PO.
    CurrencyMismatch,
    /// A credit note that cannot be tied to what it credits.
    CreditNoteUnlinked,
    /// The ERP refused the booking.
    ErpRejected,
    /// Informational: within tolerance, noted.
    WithinTolerance,
    /// Same supplier, same amount, a near date, another number: maybe sent twice.
    PossibleDuplicate,
    /// A VAT rate that does not exist in the seller's country.
    TaxRateImplausible,
    /// Several open purchase orders fit a document that names none.
    AmbiguousPurchaseOrder,
    /// Invoiced in a unit the PO line cannot be converted from.
    UnitMismatch,
    /// Delivery costs or surcharges beyond what the PO planned, or a line amount beyond its limit.
    AmountVariance,
    /// Goods still not received after the policy's waiting time.
    WaitedTooLong,
    /// The policy sends this variance to a person even within its limits.
    ReviewRequired,
}

/// One reason behind a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reason {
    /// What kind of reason.
    pub code: ReasonCode,
    /// The reason in plain language, with the numbers involved.
    pub message: String,
    /// The document line it concerns (1-based), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Reason {
    /// A document-level reason.
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        Reason {
            code,
            message: message.into(),
            line: None,
        }
    }

    /// A reason about one line (1-based).
    pub fn on_line(code: ReasonCode, line: u32, message: impl Into<String>) -> Self {
        Reason {
            code,
            message: message.into(),
            line: Some(line),
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The result of one check on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineCheck {
    /// Passed exactly.
    Ok,
    /// Differs, within tolerance.
    WithinTolerance,
    /// Fails.
    Failed,
    /// Cannot be decided yet (e.g. nothing received).
    Pending,
    /// Not checked (no data).
    NotChecked,
}

/// How one document line was matched: the row of the match table in review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LineExplanation {
    /// 1-based line on the document.
    pub line: u32,
    /// The matched PO and line, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order: Option<String>,
    /// The matched PO line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_line: Option<String>,
    /// Quantity invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_invoiced: Option<Decimal>,
    /// Quantity ordered on the PO line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_ordered: Option<Decimal>,
    /// Quantity received on the PO line (receipts net of reversals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_received: Option<Decimal>,
    /// Quantity invoiced on the PO line before this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_invoiced_before: Option<Decimal>,
    /// Quantity that may be invoiced now: received (or, order-based, ordered)
    /// and not yet invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_open: Option<Decimal>,
    /// Unit price on the invoice (per PO price unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_invoiced: Option<Decimal>,
    /// Unit price on the PO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_ordered: Option<Decimal>,
    /// Quantity check.
    pub quantity_check: LineCheck,
    /// Price check.
    pub price_check: LineCheck,
    /// The price variance on the line, (invoiced - ordered) x quantity, in document currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variance: Option<Decimal>,
    /// The tolerances that judged the line, as people read them
    /// (`unit_price global: -2 % / +2 %, accept`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerances: Vec<String>,
    /// The line's verdict in plain language.
    pub explanation: String,
}
