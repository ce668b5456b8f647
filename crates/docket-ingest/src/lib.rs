//! Docket's intake: where documents come from.
//!
//! - [`dropfolder`]: a watched folder; files are taken only when stable, moved
//!   into `processing/` while being stored, then into `archive/` (or `error/`
//!   with a `.reason` file beside them). Nothing is deleted. The folder is
//!   watched (inotify and the like) so a dropped file is taken at once, and
//!   rescanned periodically so a missed event loses nothing.
//! - [`mail`]: splits an e-mail into the documents it carries (PDF and XML
//!   attachments in any transfer encoding, inline PDFs, ZIP attachments,
//!   forwarded messages attached or inline, or the body when there is nothing
//!   else), within [`mail::MailLimits`], recording the sender, the original
//!   sender of forwarded mail, the recipients and the `Message-ID`;
//!   [`mail::MailFilter`] says which mails an account takes.
//! - [`imap`]: IMAP mailboxes (several accounts and folders; TLS, LOGIN,
//!   PLAIN, XOAUTH2; IDLE or polling). A mail is stored whole, recorded, and
//!   only then moved or flagged on the server; nothing is deleted.
//! - [`media`] (from the domain): recognises what a file is from its bytes and name.

pub mod dropfolder;
pub mod imap;
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
    /// A mail is beyond one of the limits that keep hostile input cheap
    /// (size, attachments, nesting, unpacked ZIP bytes); a person has to look.
    #[error("over a limit: {0}")]
    OverLimit(String),
    /// The operating system would not watch a drop folder (it is then rescanned only).
    #[error("watching {path}: {source}")]
    Watch {
        /// The folder.
        path: String,
        /// The watcher's error.
        source: notify::Error,
    },
    /// A mail carries no document and no text: nothing to read in it.
    #[error("nothing to read: {0}")]
    NothingToRead(String),
    /// An IMAP server could not be reached, refused the log-in, or the
    /// session broke; the mails stay on the server and are taken on the next try.
    #[error("{0}")]
    Imap(String),
    /// An IMAP server refused the log-in (wrong credentials, an expired token):
    /// trying again at once will not help, a person or a token refresh must act.
    #[error("{0}")]
    LoginRefused(String),
    /// Intake settings that cannot work (a mailbox without credentials, ...).
    #[error("intake settings: {0}")]
    Settings(String),
}
