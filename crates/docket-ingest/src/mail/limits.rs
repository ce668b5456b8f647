//! How much a single mail may cost before Docket stops reading it.
//!
//! Mail is hostile input: anyone can send a 40 MB message, a thousand
//! attachments or a ZIP that unpacks to gigabytes. These limits bound the
//! memory and time one mail can take. A mail over them is quarantined with a
//! reason a person can read; only ZIP entries past their limits are left out
//! of a mail that is otherwise read, each with a note in
//! [`SplitMail::skipped`](super::SplitMail::skipped).

use serde::{Deserialize, Serialize};

/// Limits applied while splitting one mail.
///
/// Every field has a default, so a configuration only names what it changes:
///
/// ```toml
/// max_attachments = 20
/// max_unzipped_bytes = 20_000_000
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailLimits {
    /// The largest raw message accepted, in bytes (headers and encoded body).
    /// Mail servers commonly refuse beyond 25 to 50 MB; base64 adds a third.
    pub max_message_bytes: usize,
    /// The most attachments one mail may carry, counted through forwarded
    /// messages (but not inside ZIP files, see `max_zip_entries`).
    pub max_attachments: usize,
    /// The most bytes unpacked from all ZIP attachments of one mail together.
    /// An entry that would go past it is left out with a note.
    pub max_unzipped_bytes: u64,
    /// The most entries read from one ZIP attachment; the rest are left out with a note.
    pub max_zip_entries: usize,
    /// How deep forwarded messages (a mail attached to a mail attached to ...)
    /// are followed.
    pub max_nesting: usize,
}

impl Default for MailLimits {
    fn default() -> Self {
        MailLimits {
            max_message_bytes: 50 * 1024 * 1024,
            max_attachments: 100,
            max_unzipped_bytes: 100 * 1024 * 1024,
            max_zip_entries: 200,
            max_nesting: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_only_what_they_change() {
        let limits: MailLimits = toml::from_str("max_attachments = 20").unwrap();
        assert_eq!(limits.max_attachments, 20);
        assert_eq!(
            MailLimits {
                max_attachments: MailLimits::default().max_attachments,
                ..limits
            },
            MailLimits::default()
        );
        assert!(
            toml::from_str::<MailLimits>("max_attachment = 20").is_err(),
            "typos are refused"
        );
    }
}
