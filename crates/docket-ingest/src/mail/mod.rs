//! Splitting an e-mail into the documents it carries.
//!
//! A supplier's mail usually carries one PDF or XML invoice, in whatever
//! transfer encoding its mail client chose; forwarded mail carries the original
//! as a `message/rfc822` part or quoted in the body; some mails carry a ZIP of
//! invoices; some carry nothing but text (orders are often written in the
//! body). Every document found becomes a [`MailPart`] with its own bytes; a
//! mail with no document yields its body, so that nothing is dropped without a
//! person seeing why.
//!
//! - [`attachments`]: walks the parts, decodes them and decides what is a document.
//! - [`forwarded`]: the original sender of forwarded mail, attached or inline.
//! - [`unzip`]: ZIP attachments, read within the limits.
//! - [`limits`]: [`MailLimits`], what one mail may cost.
//! - [`filter`]: [`MailFilter`], which mails an account takes.
//!
//! Mail is hostile input: splitting is bounded by [`MailLimits`], and a panic
//! inside the third-party MIME parser is contained and reported as a reason.

mod address;
mod attachments;
mod filter;
mod forwarded;
mod limits;
mod unzip;

#[cfg(test)]
mod tests;

use std::cell::LazyCell;
use std::ops::Deref;

use mail_parser::{HeaderName, Message, MessageParser, PartType};

pub use filter::MailFilter;
pub use limits::MailLimits;

use crate::{IngestError, media};

/// One document found in a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPart {
    /// The attachment's file name (`archive.zip/entry.pdf` for a ZIP entry,
    /// `body.txt` for the body).
    pub name: String,
    /// Its media type as recognised from its bytes.
    pub media_type: &'static str,
    /// The decoded bytes, exactly as the sender attached them.
    pub bytes: Vec<u8>,
}

/// What a mail carries, and who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMail {
    /// The `From` address of the mail itself (the forwarder, for forwarded mail), lower-cased.
    pub sender: Option<String>,
    /// The `From` address of the forwarded original, when there is one: the
    /// deepest attached `message/rfc822`, else the sender named in an
    /// inline-forwarded block of the body.
    pub original_sender: Option<String>,
    /// Every address the mail was sent to: `To`, `Cc`, and the envelope's
    /// `Delivered-To` / `X-Original-To` (how Bcc'd mail reached the mailbox);
    /// lower-cased, without duplicates.
    pub to: Vec<String>,
    /// The `Message-ID`, without angle brackets (for de-duplicating fetched mail).
    pub message_id: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// How many attachments of any kind the mail carries, forwarded ones included.
    pub attachments: usize,
    /// The documents found (the body, when there was no document).
    pub parts: Vec<MailPart>,
    /// What was left out, with why (images, signatures, parts over a limit, ...).
    pub skipped: Vec<String>,
}

impl SplitMail {
    /// The domain of the original sender (or of the sender), for supplier identification.
    pub fn sender_domain(&self) -> Option<&str> {
        let address = self.original_sender.as_deref().or(self.sender.as_deref())?;
        address::domain_of(address)
    }
}

/// Splits a raw mail into its documents, within `limits`.
///
/// Fails, with a reason a person can read, when the bytes are not a mail, when
/// the mail is over a limit, or when it carries nothing to read at all.
pub fn split(raw: &[u8], limits: &MailLimits) -> Result<SplitMail, IngestError> {
    if raw.len() > limits.max_message_bytes {
        return Err(IngestError::OverLimit(format!(
            "the message is {} bytes; at most {} are read",
            raw.len(),
            limits.max_message_bytes
        )));
    }
    // The MIME parser is third-party code fed hostile bytes, with internal
    // assertions that fire in debug builds: a panic there must quarantine this
    // mail, not take the worker down with it.
    std::panic::catch_unwind(|| split_within_limits(raw, limits)).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no detail".to_string());
        Err(IngestError::Mail(format!(
            "the MIME parser failed on this message ({detail})"
        )))
    })
}

/// The headers at least one of which any e-mail has; without one, the bytes
/// are something else that merely has a colon in its first line.
const MAIL_HEADERS: [HeaderName<'static>; 10] = [
    HeaderName::From,
    HeaderName::To,
    HeaderName::Cc,
    HeaderName::Subject,
    HeaderName::Date,
    HeaderName::MessageId,
    HeaderName::ContentType,
    HeaderName::MimeVersion,
    HeaderName::Received,
    HeaderName::ReturnPath,
];

fn split_within_limits(raw: &[u8], limits: &MailLimits) -> Result<SplitMail, IngestError> {
    let message = ParsedMail::parse(headers_start(raw))
        .filter(|m| m.headers().iter().any(|h| MAIL_HEADERS.contains(&h.name)))
        .ok_or_else(|| {
            IngestError::Mail("no e-mail headers found (From, To, Subject, Date, ...)".to_string())
        })?;
    let mut walk = attachments::Walk::new(limits);
    walk.message(&message, 0)?;
    // Converting the body (HTML too) to text is done once, and only when the
    // inline forward markers or the body document need it.
    let body = LazyCell::new(|| body_text(&message));
    let original_sender = walk
        .original_sender()
        .or_else(|| forwarded::inline_original_sender(&body));
    if walk.parts.is_empty() {
        let part = body_part(&body, &walk)?;
        walk.parts.push(part);
    }
    Ok(SplitMail {
        sender: address::from_address(&message),
        original_sender,
        to: address::recipients(&message),
        message_id: message.message_id().map(str::to_string),
        subject: message.subject().map(str::to_string),
        attachments: walk.attachments,
        parts: walk.parts,
        skipped: walk.skipped,
    })
}

/// Where the headers start: after leading blank lines and an mbox `From `
/// separator line, which exported and hand-saved mails often carry and which
/// would otherwise end the headers before the first one.
fn headers_start(raw: &[u8]) -> &[u8] {
    let trimmed = raw.trim_ascii_start();
    if trimmed.starts_with(b"From ")
        && let Some(end) = trimmed.iter().position(|&b| b == b'\n')
    {
        return &trimmed[end + 1..];
    }
    trimmed
}

/// The body as the document, for a mail that carries no PDF or XML: the text
/// of the mail (`body`) and of every message forwarded in it, in order.
fn body_part(body: &str, walk: &attachments::Walk<'_>) -> Result<MailPart, IngestError> {
    if !walk.limit_notes.is_empty() {
        // What was left out may well have been the document: a person looks.
        return Err(IngestError::OverLimit(walk.limit_notes.join("; ")));
    }
    let skipped = &walk.skipped;
    let mut text = body.to_string();
    for forwarded in &walk.forwarded {
        text.push_str("\n\n");
        text.push_str(&forwarded.text);
    }
    if text.trim().is_empty() {
        const SHOWN: usize = 5;
        let left_out = if skipped.is_empty() {
            String::new()
        } else {
            let more = skipped.len().saturating_sub(SHOWN);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "; left out: {}{more}",
                skipped[..skipped.len().min(SHOWN)].join(", ")
            )
        };
        return Err(IngestError::NothingToRead(format!(
            "no PDF or XML attachment and no text in the body{left_out}"
        )));
    }
    Ok(MailPart {
        name: "body.txt".to_string(),
        media_type: media::TEXT,
        bytes: text.into_bytes(),
    })
}

/// Every text body of a message (HTML ones converted to text), joined.
fn body_text(message: &Message<'_>) -> String {
    (0..message.text_body_count())
        .filter_map(|index| message.body_text(index))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A parsed message that is dropped level by level.
///
/// mail-parser nests forwarded messages by value; dropping them recursively
/// overflows the stack for a mail nested some ten thousand levels deep, which
/// a hostile sender can write in under a megabyte.
struct ParsedMail<'x>(Message<'x>);

impl<'x> ParsedMail<'x> {
    fn parse(raw: &'x [u8]) -> Option<Self> {
        MessageParser::default().parse(raw).map(ParsedMail)
    }
}

impl<'x> Deref for ParsedMail<'x> {
    type Target = Message<'x>;

    fn deref(&self) -> &Message<'x> {
        &self.0
    }
}

impl Drop for ParsedMail<'_> {
    fn drop(&mut self) {
        let mut pending = take_nested(&mut self.0);
        while let Some(mut message) = pending.pop() {
            pending.extend(take_nested(&mut message));
        }
    }
}

/// Moves the messages nested directly in `message` out of it.
fn take_nested<'x>(message: &mut Message<'x>) -> Vec<Message<'x>> {
    message
        .parts
        .iter_mut()
        .filter_map(|part| match std::mem::take(&mut part.body) {
            PartType::Message(inner) => Some(inner),
            other => {
                part.body = other;
                None
            }
        })
        .collect()
}
