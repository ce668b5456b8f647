//! The fields Docket is scored on, their normalised values, and what a truth
//! source expects of one document.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::norm;

/// A scored field. The JSON name is the snake-case variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    /// The document number (compared as [`crate::norm::reference`]).
    Number,
    /// The issue date.
    IssueDate,
    /// The payment due date.
    DueDate,
    /// The seller's name (compared as [`crate::norm::name`]).
    SellerName,
    /// The seller's VAT id (compared as [`crate::norm::identifier`]).
    SellerVatId,
    /// The buyer's VAT id.
    BuyerVatId,
    /// The seller's IBANs, as a set: right only when Docket read exactly the
    /// IBANs the truth lists.
    Iban,
    /// The document currency.
    Currency,
    /// The buyer's purchase-order reference at header level: right when
    /// Docket's first header-level PO reference is the truth's.
    PoRef,
    /// Total without VAT.
    Net,
    /// Total VAT.
    Tax,
    /// Total with VAT.
    Gross,
    /// Amount due for payment.
    Due,
}

impl FieldName {
    /// Every field, in report order: the [`FieldName::HEADER`] fields first.
    pub const ALL: [FieldName; 13] = [
        FieldName::Number,
        FieldName::IssueDate,
        FieldName::SellerName,
        FieldName::SellerVatId,
        FieldName::Iban,
        FieldName::Currency,
        FieldName::Net,
        FieldName::Tax,
        FieldName::Gross,
        FieldName::PoRef,
        FieldName::DueDate,
        FieldName::BuyerVatId,
        FieldName::Due,
    ];

    /// The header fields the extraction targets are set on (issue 5,
    /// point 7): number, issue date, seller name and VAT id, IBAN, currency,
    /// net, tax, gross and PO reference. `header_accuracy` pools these.
    pub const HEADER: &'static [FieldName] = Self::ALL.as_slice().split_at(10).0;

    /// A value as a document writes it, in this field's normal form (see
    /// [`crate::norm`]); an IBAN becomes a set of one. `None` when nothing
    /// usable is left.
    pub fn normalise(self, raw: &str) -> Option<Value> {
        match self {
            FieldName::Number | FieldName::PoRef => norm::reference(raw).map(Value::Text),
            FieldName::IssueDate | FieldName::DueDate => norm::date(raw).map(Value::Date),
            FieldName::SellerName => norm::name(raw).map(Value::Text),
            FieldName::SellerVatId | FieldName::BuyerVatId => {
                norm::identifier(raw).map(Value::Text)
            }
            FieldName::Iban => norm::identifier(raw).map(|i| Value::Set(BTreeSet::from([i]))),
            FieldName::Currency => norm::currency(raw).map(Value::Text),
            FieldName::Net | FieldName::Tax | FieldName::Gross | FieldName::Due => {
                norm::decimal(raw).map(Value::Amount)
            }
        }
    }

    /// The JSON and table name.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Number => "number",
            FieldName::IssueDate => "issue_date",
            FieldName::DueDate => "due_date",
            FieldName::SellerName => "seller_name",
            FieldName::SellerVatId => "seller_vat_id",
            FieldName::BuyerVatId => "buyer_vat_id",
            FieldName::Iban => "iban",
            FieldName::Currency => "currency",
            FieldName::PoRef => "po_ref",
            FieldName::Net => "net",
            FieldName::Tax => "tax",
            FieldName::Gross => "gross",
            FieldName::Due => "due",
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field value in normal form (see [`crate::norm`]): two values agree
/// exactly when they are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A normalised text (reference, name, identifier, currency code).
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// An amount, normalised (no trailing zeros).
    Amount(Decimal),
    /// A set of normalised texts (IBANs).
    Set(BTreeSet<String>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write!(f, "{d}"),
            Value::Amount(a) => write!(f, "{a}"),
            Value::Set(s) => f.write_str(&s.iter().cloned().collect::<Vec<_>>().join(", ")),
        }
    }
}

/// The three numbers a line is scored on. `None` in a truth line means the
/// truth does not give it (and any value agrees); in an extracted line, that
/// Docket did not read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineValues {
    /// Quantity.
    pub qty: Option<Decimal>,
    /// Net unit price.
    pub unit_price: Option<Decimal>,
    /// Net line amount.
    pub amount: Option<Decimal>,
}

impl LineValues {
    /// Whether there is anything to score this line on.
    pub fn is_scorable(&self) -> bool {
        self.qty.is_some() || self.unit_price.is_some() || self.amount.is_some()
    }
}

/// What a truth source says about one document: the fields it gives (a field
/// it does not give is absent) and its lines (empty: lines not given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expected {
    /// The fields the truth gives, normalised.
    pub fields: BTreeMap<FieldName, Value>,
    /// The lines that can be scored (each gives at least one number).
    pub lines: Vec<LineValues>,
}

impl Expected {
    /// Adds a field when the truth gives it.
    pub fn give(&mut self, field: FieldName, value: Option<Value>) {
        if let Some(value) = value {
            self.fields.insert(field, value);
        }
    }
}
