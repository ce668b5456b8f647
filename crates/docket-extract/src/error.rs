//! The one error type of the extract crate: why a file could not be read.
//!
//! Every variant's message is meant for a person: it ends up as the reason a
//! document is `quarantined`. It crosses the boundary of the parser processes
//! ([`crate::isolate`]) as JSON, hence the serde derives.

use serde::{Deserialize, Serialize};

/// Why extraction failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ExtractError {
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the file.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The PDF has more pages than the configured limit.
    #[error("PDF has {pages} pages, over the limit of {limit}")]
    TooManyPages {
        /// Pages in the PDF.
        pages: usize,
        /// The limit.
        limit: usize,
    },
    /// Parsing took longer than the time budget.
    #[error("reading took longer than {seconds} s and was stopped")]
    Timeout {
        /// The budget in seconds.
        seconds: u64,
    },
    /// The parser crashed on this input (the panic was contained, or the
    /// parser process died).
    #[error("the parser crashed on this file: {0}")]
    ParserCrashed(String),
    /// The parser process reached its memory limit on this input.
    #[error("the PDF parser ran out of its {limit_mib} MiB memory limit")]
    OutOfMemory {
        /// The limit in MiB.
        limit_mib: usize,
    },
    /// No parser process could be started: a fault of this machine, not of
    /// the file, so worth retrying later.
    #[error("no parser process could be started: {0}")]
    Unavailable(String),
    /// Not a format Docket reads.
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// XML that is not well-formed or not safe to read.
    #[error("XML is not readable: {0}")]
    Xml(String),
    /// Well-formed XML of a kind Docket does not read.
    #[error("unsupported XML document: {0}")]
    UnsupportedXml(String),
    /// A PDF that cannot be parsed.
    #[error("PDF is damaged or unreadable: {0}")]
    Pdf(String),
    /// An encrypted PDF that cannot be opened without a password.
    #[error("PDF is encrypted")]
    Encrypted,
    /// A PDF with no text layer (a scan): needs OCR, which is not configured.
    #[error("PDF has no text layer (scanned image?); nothing to read")]
    NoText,
    /// Read, but nothing that looks like an invoice, credit note or order was found.
    #[error("no business document found: {0}")]
    NotADocument(String),
}

impl ExtractError {
    /// Whether reading the same file again later may succeed: the failure
    /// was the machine's, not the file's.
    pub fn is_transient(&self) -> bool {
        matches!(self, ExtractError::Unavailable(_))
    }
}
