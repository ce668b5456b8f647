//! Mail addresses: who sent a message and to whom, as plain lower-cased
//! `local@domain` strings (supplier identification and filters compare them).

use std::collections::HashSet;

use mail_parser::{HeaderValue, Message};

/// The `From` address of a message (the `Sender` when there is no `From`).
pub(super) fn from_address(message: &Message<'_>) -> Option<String> {
    message
        .from()
        .or_else(|| message.sender())
        .and_then(|a| a.iter().find_map(|a| a.address()))
        .map(str::to_lowercase)
}

/// `To`, `Cc`, `Delivered-To` and `X-Original-To`, without duplicates.
pub(super) fn recipients(message: &Message<'_>) -> Vec<String> {
    let listed = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address())
        .map(str::to_lowercase);
    // Envelope headers are not parsed as address lists: they are plain text.
    let delivered = ["Delivered-To", "X-Original-To"]
        .into_iter()
        .flat_map(|name| message.header_values(name))
        .filter_map(|value| match value {
            HeaderValue::Text(text) => address_in(text),
            _ => None,
        });
    // A set beside the list: a hostile header can name millions of
    // addresses, and checking the list for each would take hours.
    let mut seen = HashSet::new();
    listed
        .chain(delivered)
        .filter(|address| seen.insert(address.clone()))
        .collect()
}

/// The domain of an address.
pub(super) fn domain_of(address: &str) -> Option<&str> {
    address
        .rsplit_once('@')
        .map(|(_, domain)| domain)
        .filter(|d| !d.is_empty())
}

/// The first thing in `text` that looks like a mail address: inside `<...>`,
/// after `mailto:`, or a bare `local@domain` word; lower-cased.
pub(super) fn address_in(text: &str) -> Option<String> {
    let bracketed = text
        .split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(inside, _)| inside));
    // Pieces that do not overlap, so that a line of a million `mailto:`
    // costs one pass over it, not one per `mailto:`.
    let mailto = text.split("mailto:").skip(1);
    let words = text.split(|c: char| c.is_whitespace() || "<>[](),;:\"'".contains(c));
    bracketed
        .chain(mailto)
        .chain(words)
        .filter_map(|candidate| {
            let candidate = candidate
                .split(|c: char| c.is_whitespace() || "<>[](),;\"'".contains(c))
                .next()?
                .trim_matches(['.', '*']);
            let (local, domain) = candidate.rsplit_once('@')?;
            (!local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
                .then(|| candidate.to_lowercase())
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_in_the_forms_mail_clients_write() {
        for (text, expected) in [
            (
                "Billing <Billing@Nordwind.example>",
                Some("billing@nordwind.example"),
            ),
            (
                "Billing [mailto:billing@nordwind.example]",
                Some("billing@nordwind.example"),
            ),
            ("billing@nordwind.example", Some("billing@nordwind.example")),
            (
                "*Billing* <billing@nordwind.example>",
                Some("billing@nordwind.example"),
            ),
            ("\"Müller, Anna\" <anna@m.example>", Some("anna@m.example")),
            ("Billing Department", None),
            ("at @ noon", None),
            ("a@localhost", None),
        ] {
            assert_eq!(address_in(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn domains_are_what_follows_the_last_at() {
        assert_eq!(domain_of("a@b.example"), Some("b.example"));
        assert_eq!(domain_of("\"x@y\"@b.example"), Some("b.example"));
        assert_eq!(domain_of("nobody"), None);
        assert_eq!(domain_of("a@"), None);
    }
}
