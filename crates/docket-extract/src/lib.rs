//! Docket's extractors.
//!
//! Turns the bytes of a PDF or XML file into a [`docket_domain::BusinessDocument`]
//! whose every field carries evidence and a confidence:
//!
//! - [`einvoice`]: exact readers for CII (ZUGFeRD 2, Factur-X, XRechnung), ZUGFeRD 1
//!   and UBL 2.1 Invoice / CreditNote;
//! - [`pdf`]: PDF access (embedded e-invoice files, text with positions);
//! - [`layout`]: the deterministic label-and-position extractor over PDF text;
//! - [`plain`]: plain text (a mail body) set on pages for the layout extractor;
//! - [`read`]: the entry point, running all of it under [`guard`]'s limits;
//! - [`isolate`]: the same in a pool of parser processes with real limits.

pub mod einvoice;
pub mod error;
pub mod guard;
pub mod instructions;
pub mod isolate;
pub mod layout;
pub mod pdf;
pub mod plain;
pub mod read;

pub use error::ExtractError;
pub use isolate::Reader;
pub use read::{Extraction, InputKind, Limits, read_document, read_document_visual};
