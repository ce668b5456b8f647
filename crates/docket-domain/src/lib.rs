//! Docket's domain model.
//!
//! Everything the other crates agree on lives here: the structured business
//! document an extractor produces (with evidence and confidence on every field),
//! money and currencies, parties with their tax and bank identifiers, the ERP
//! master data that matching works against, and the decisions Docket takes.
//!
//! This crate is pure: no I/O, no async runtime, no database or HTTP types.
//! `schemas/*.json` are generated from these types (see [`schema`]).

pub mod decision;
pub mod document;
pub mod erp;
pub mod error;
pub mod field;
pub mod iban;
pub mod media;
pub mod money;
pub mod normalize;
pub mod party;
pub mod schema;
pub mod vat;
pub mod work;

pub use decision::{Decision, DocumentState, LineCheck, LineExplanation, Reason, ReasonCode};
pub use document::{
    AllowanceCharge, BusinessDocument, DocumentKind, Header, Line, PaymentTerms, References,
    SourceSyntax, TaxSubtotal, Totals,
};
pub use error::DomainError;
pub use field::{BoundingBox, Confidence, Evidence, ExtractorKind, Field};
pub use money::{Currency, Money};
pub use party::{Address, BankAccount, Party};
pub use work::{Stage, WorkMessage};
