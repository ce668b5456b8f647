//! Forwarded mail: who wrote the original.
//!
//! Invoices reach the intake mailbox forwarded by people: attached as a
//! `message/rfc822` part (which carries its own `From`, see
//! [`super::attachments`]) or inline, quoted below a marker line in the body.
//! The supplier is the original sender, not the colleague who forwarded it, so
//! both are recorded. Inline blocks are recognised by the marker lines of the
//! common mail clients, in the languages Docket's users write:
//!
//! ```text
//! ---------- Forwarded message ---------      (Gmail)
//! -------- Forwarded Message --------         (Thunderbird)
//! Begin forwarded message:                    (Apple Mail)
//! -----Original Message-----                  (Outlook, forwards and replies alike)
//! ---------- Weitergeleitete Nachricht ----------   -----Ursprüngliche Nachricht-----
//! ```
//!
//! followed by a header block with a `From:` (`Von:`, `De :`, ...) line.

use mail_parser::Message;

use super::address::{self, address_in};

/// Marker lines (lower-cased, without the dashes around them) that open a
/// forwarded message.
const FORWARD_MARKERS: [&str; 7] = [
    "forwarded message",
    "begin forwarded message:",
    "weitergeleitete nachricht",
    "message transféré",
    "mensaje reenviado",
    "doorgestuurd bericht",
    "messaggio inoltrato",
];

/// Marker lines that open a quoted earlier message: Outlook writes them for
/// forwards and replies alike.
const QUOTE_MARKERS: [&str; 5] = [
    "original message",
    "ursprüngliche nachricht",
    "message d'origine",
    "mensaje original",
    "oorspronkelijk bericht",
];

/// Labels of the sender line in a quoted header block.
const FROM_LABELS: [&str; 5] = ["from", "von", "de", "van", "da"];

/// How many lines after a marker the `From:` line is looked for.
const HEADER_BLOCK_LINES: usize = 12;

/// The forwarded message as text: its main headers, then its body, for the
/// body document of a mail that carries no attachment.
pub(super) fn as_text(message: &Message<'_>) -> String {
    let mut text = String::from("---------- Forwarded message ----------\n");
    if let Some(from) = message.from().and_then(|a| a.first()) {
        let address = from.address().unwrap_or_default();
        match from.name() {
            Some(name) => text.push_str(&format!("From: {name} <{address}>\n")),
            None => text.push_str(&format!("From: {address}\n")),
        }
    }
    if let Some(date) = message.date() {
        text.push_str(&format!("Date: {}\n", date.to_rfc822()));
    }
    if let Some(subject) = message.subject() {
        text.push_str(&format!("Subject: {subject}\n"));
    }
    text.push('\n');
    text.push_str(&super::body_text(message));
    text
}

/// The sender of an inline-forwarded original in `body`: that of the last
/// forward marker (a forward of a forward leads back to the supplier); without
/// one, that of the first quote marker (deeper quotes are older replies).
pub(super) fn inline_original_sender(body: &str) -> Option<String> {
    let lines: Vec<&str> = body.lines().map(unquoted).collect();
    let mut forwarded = None;
    let mut quoted = None;
    for (index, line) in lines.iter().enumerate() {
        let marker = line
            .trim_matches(|c: char| c == '-' || c == '_' || c.is_whitespace())
            .to_lowercase();
        let is_forward = FORWARD_MARKERS.contains(&marker.as_str());
        let is_quote = QUOTE_MARKERS.contains(&marker.as_str())
            // Outlook's HTML forwards become a line of underscores.
            || (marker.is_empty() && line.trim().len() >= 10 && line.trim().starts_with('_'));
        if !is_forward && !is_quote {
            continue;
        }
        let Some(sender) = sender_below(&lines[index + 1..]) else {
            continue;
        };
        if is_forward {
            forwarded = Some(sender);
        } else if quoted.is_none() {
            quoted = Some(sender);
        }
    }
    forwarded.or(quoted)
}

/// The sender in the header block that starts at `lines` (after blank lines).
fn sender_below(lines: &[&str]) -> Option<String> {
    lines
        .iter()
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| !line.trim().is_empty())
        .take(HEADER_BLOCK_LINES)
        .find_map(|line| {
            let (label, value) = line.trim().trim_start_matches('*').split_once(':')?;
            let label = label.trim().trim_end_matches('*').to_lowercase();
            FROM_LABELS
                .contains(&label.as_str())
                .then(|| address_in(value))
                .flatten()
        })
        .filter(|sender| address::domain_of(sender).is_some())
}

/// A line without the `> ` quoting some clients put before forwarded text.
fn unquoted(line: &str) -> &str {
    line.trim_start_matches(['>', ' '])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_clients_markers_are_recognised() {
        for (client, body) in [
            (
                "gmail",
                "FYI\n\n---------- Forwarded message ---------\nFrom: Billing <billing@nordwind.example>\nDate: Mon, 3 Mar 2025\nSubject: Rechnung\nTo: <clerk@kestrel.example>\n\nAnbei.",
            ),
            (
                "thunderbird",
                "-------- Forwarded Message --------\nSubject: \tRechnung\nDate: \tMon, 3 Mar 2025\nFrom: \tBilling <billing@nordwind.example>\nTo: \tclerk@kestrel.example\n\nAnbei.",
            ),
            (
                "apple",
                "See below.\n\nBegin forwarded message:\n\n> From: Billing <billing@nordwind.example>\n> Subject: Rechnung\n\n> Anbei.",
            ),
            (
                "outlook",
                "-----Original Message-----\nFrom: Billing [mailto:billing@nordwind.example]\nSent: Monday\nTo: Clerk\n\nAnbei.",
            ),
            (
                "outlook-de",
                "Bitte buchen.\n\n-----Ursprüngliche Nachricht-----\nVon: Billing <billing@nordwind.example>\nGesendet: Montag\n\nAnbei.",
            ),
            (
                "outlook-html",
                "Please book.\n\n________________________________\n*From:* Billing <billing@nordwind.example>\n*Sent:* Monday\n\nAnbei.",
            ),
            (
                "gmail-fr",
                "---------- Message transféré ---------\nDe : Billing <billing@nordwind.example>\nDate: lun. 3 mars 2025\n\nCi-joint.",
            ),
        ] {
            assert_eq!(
                inline_original_sender(body).as_deref(),
                Some("billing@nordwind.example"),
                "{client}"
            );
        }
    }

    #[test]
    fn a_forward_of_a_forward_leads_to_the_innermost_sender() {
        let body = "---------- Forwarded message ---------\nFrom: colleague@kestrel.example\n\nsee below\n\n\
                    ---------- Forwarded message ---------\nFrom: billing@nordwind.example\n\nAnbei.";
        assert_eq!(
            inline_original_sender(body).as_deref(),
            Some("billing@nordwind.example")
        );
    }

    #[test]
    fn quoted_replies_inside_a_forward_do_not_win() {
        let body = "---------- Forwarded message ---------\nFrom: billing@nordwind.example\n\nAnbei.\n\n\
                    -----Original Message-----\nFrom: clerk@kestrel.example\n\nBitte Rechnung senden.";
        assert_eq!(
            inline_original_sender(body).as_deref(),
            Some("billing@nordwind.example")
        );
    }

    #[test]
    fn text_without_a_marker_or_a_sender_names_no_one() {
        assert_eq!(
            inline_original_sender("Please send 10 boxes.\nFrom: me"),
            None
        );
        assert_eq!(
            inline_original_sender(
                "We discussed the forwarded message yesterday.\nFrom: a@b.example"
            ),
            None
        );
        assert_eq!(
            inline_original_sender(
                "-----Original Message-----\nFrom: Billing Department\nSent: Monday"
            ),
            None
        );
    }
}
