//! Which mails an account takes: a mailbox often receives more than invoices
//! and orders (newsletters, replies, delivery notices), and an account may be
//! meant for some suppliers or some intake addresses only.
//!
//! Every condition that is set must hold; within one condition any listed
//! value matches. The default filter takes every mail.

use serde::{Deserialize, Serialize};

use super::{SplitMail, address};

/// The conditions a mail must meet for an account to take it.
///
/// In a configuration file (only what is set needs to be given):
///
/// ```toml
/// from = ["@nordwind.example", "billing@kestrel.example"]
/// subject = ["rechnung", "invoice"]
/// has_attachment = true
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailFilter {
    /// Sender addresses (`billing@supplier.example`) or whole domains
    /// (`@supplier.example`, exactly that domain), case-insensitive. The mail's
    /// own `From` and the original sender of forwarded mail both count.
    pub from: Vec<String>,
    /// Recipient addresses or whole domains, as for `from`, matched against
    /// `To`, `Cc`, `Delivered-To` and `X-Original-To`.
    pub to: Vec<String>,
    /// Text the subject must contain, case-insensitive.
    pub subject: Vec<String>,
    /// Whether the mail must (`true`) or must not (`false`) carry an attachment
    /// of any kind; unset takes both.
    pub has_attachment: Option<bool>,
}

impl MailFilter {
    /// Why the account does not take `mail`, or `None` when it does.
    pub fn refusal(&self, mail: &SplitMail) -> Option<String> {
        let senders: Vec<&str> = mail
            .sender
            .iter()
            .chain(&mail.original_sender)
            .map(String::as_str)
            .collect();
        let recipients: Vec<&str> = mail.to.iter().map(String::as_str).collect();
        if let Some(refusal) = unmatched("sender", &self.from, &senders) {
            return Some(refusal);
        }
        if let Some(refusal) = unmatched("recipient", &self.to, &recipients) {
            return Some(refusal);
        }
        if !self.subject.is_empty() {
            let subject = mail.subject.as_deref().unwrap_or_default().to_lowercase();
            if !self
                .subject
                .iter()
                .any(|wanted| subject.contains(&wanted.to_lowercase()))
            {
                return Some(format!(
                    "the subject {:?} contains none of {:?}",
                    mail.subject.as_deref().unwrap_or_default(),
                    self.subject
                ));
            }
        }
        match self.has_attachment {
            Some(true) if mail.attachments == 0 => Some("the mail has no attachment".to_string()),
            Some(false) if mail.attachments > 0 => Some(format!(
                "the mail has {} attachment(s) and this account takes only mail without",
                mail.attachments
            )),
            _ => None,
        }
    }
}

/// Why none of `found` matches any of `wanted`, when `wanted` is not empty.
fn unmatched(role: &str, wanted: &[String], found: &[&str]) -> Option<String> {
    if wanted.is_empty() || found.iter().any(|f| wanted.iter().any(|w| matches(w, f))) {
        return None;
    }
    let found = if found.is_empty() {
        format!("the mail names no {role}")
    } else {
        format!("{role} {}", found.join(", "))
    };
    Some(format!("{found} matches none of {wanted:?}"))
}

/// Whether `address` is `pattern`, or lies in the domain `@pattern`.
fn matches(pattern: &str, address: &str) -> bool {
    let pattern = pattern.trim();
    match pattern.strip_prefix('@') {
        Some(domain) => address::domain_of(address).is_some_and(|d| d.eq_ignore_ascii_case(domain)),
        None => address.eq_ignore_ascii_case(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(
        sender: &str,
        original: Option<&str>,
        to: &[&str],
        subject: &str,
        attachments: usize,
    ) -> SplitMail {
        SplitMail {
            sender: Some(sender.to_string()),
            original_sender: original.map(str::to_string),
            to: to.iter().map(|t| t.to_string()).collect(),
            message_id: None,
            subject: Some(subject.to_string()),
            attachments,
            parts: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn filter(toml_text: &str) -> MailFilter {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn the_default_filter_takes_everything() {
        let open = MailFilter::default();
        assert_eq!(open.refusal(&mail("a@b.example", None, &[], "", 0)), None);
        assert_eq!(filter(""), open);
        assert!(
            toml::from_str::<MailFilter>("form = []").is_err(),
            "typos are refused"
        );
    }

    #[test]
    fn senders_match_by_address_or_whole_domain_case_insensitively() {
        let f = filter(r#"from = ["@Nordwind.example", "Billing@Kestrel.example"]"#);
        assert_eq!(
            f.refusal(&mail("anna@nordwind.example", None, &[], "", 0)),
            None
        );
        assert_eq!(
            f.refusal(&mail("billing@kestrel.example", None, &[], "", 0)),
            None
        );
        let other = f
            .refusal(&mail("anna@kestrel.example", None, &[], "", 0))
            .unwrap();
        assert!(other.contains("anna@kestrel.example"), "{other}");
        // A sub-domain is another domain.
        assert!(
            f.refusal(&mail("x@eu.nordwind.example", None, &[], "", 0))
                .is_some()
        );
        // Forwarded mail is taken for its original sender.
        assert_eq!(
            f.refusal(&mail(
                "clerk@inhouse.example",
                Some("x@nordwind.example"),
                &[],
                "",
                0
            )),
            None
        );
    }

    #[test]
    fn recipients_subjects_and_attachments_are_all_required() {
        let f = filter(
            r#"
            to = ["ap@kestrel.example"]
            subject = ["Rechnung", "invoice"]
            has_attachment = true
            "#,
        );
        let good = mail(
            "a@b.example",
            None,
            &["AP@kestrel.example"],
            "Ihre RECHNUNG 42",
            1,
        );
        // Recipients are lower-cased by the splitter; the filter compares case-insensitively anyway.
        assert_eq!(f.refusal(&good), None);
        let to_other = mail(
            "a@b.example",
            None,
            &["orders@kestrel.example"],
            "Rechnung",
            1,
        );
        assert!(f.refusal(&to_other).unwrap().contains("recipient"));
        let newsletter = mail(
            "a@b.example",
            None,
            &["ap@kestrel.example"],
            "Newsletter",
            1,
        );
        assert!(f.refusal(&newsletter).unwrap().contains("subject"));
        let bare = mail("a@b.example", None, &["ap@kestrel.example"], "invoice", 0);
        assert_eq!(f.refusal(&bare).unwrap(), "the mail has no attachment");
        let without = filter("has_attachment = false");
        assert!(without.refusal(&good).unwrap().contains("1 attachment"));
        assert_eq!(without.refusal(&bare), None);
    }
}
