//! Docket's intake: where documents come from.
//!
//! - [`dropfolder`]: a watched folder; files are taken only when stable, moved
//!   into `processing/` while being stored, then into `archive/` (or `error/`
//!   with a `.reason` file beside them). Nothing is deleted.
//! - [`mail`]: splits an e-mail into the documents it carries (PDF and XML
//!   attachments, forwarded messages, or the body when there is nothing else).
//! - [`media`] (from the domain): recognises what a file is from its bytes and name.
//!
//! IMAP mailboxes are added by a later issue on the same [`mail`] splitting.

pub mod dropfolder;
pub mod mail;

/// What a file is, from its bytes and name (shared with extraction).
pub use docket_domain::media;

/// Why intake failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Storing failed; the file stays where it is and is tried again.
    #[error("storing {path} failed: {source}")]
    Store {
        /// The file.
        path: String,
        /// The store's error.
        source: docket_store::StoreError,
    },
    /// The mail could not be parsed at all.
    #[error("not a readable e-mail: {0}")]
    Mail(String),
}
