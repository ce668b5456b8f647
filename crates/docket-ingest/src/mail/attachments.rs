//! Walking a mail's attachments: decoding each one and deciding whether it is
//! a document (PDF, XML), a container to open (ZIP, forwarded mail) or
//! something to leave out with a note.
//!
//! The decision is made on the decoded bytes, not on the declared type: mail
//! clients send PDFs as `application/octet-stream`, as `text/plain` with a
//! `.pdf` name, inline or attached, in base64, quoted-printable or raw binary.

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};

use super::{MailLimits, MailPart, ParsedMail, address, forwarded, unzip};
use crate::{IngestError, media};

/// A forwarded message met on the way.
pub(super) struct Forwarded {
    /// How deep it was: 1 when attached to the mail itself.
    depth: usize,
    /// Its `From`.
    sender: Option<String>,
    /// Its headers and text, for the body document of a mail without attachments.
    pub(super) text: String,
}

/// What a walk over a mail's attachments found so far.
pub(super) struct Walk<'l> {
    limits: &'l MailLimits,
    /// The documents.
    pub(super) parts: Vec<MailPart>,
    /// What was left out, with why.
    pub(super) skipped: Vec<String>,
    /// The notes in `skipped` that are there because of a limit.
    pub(super) limit_notes: Vec<String>,
    /// Attachments seen, at every depth.
    pub(super) attachments: usize,
    /// Forwarded messages, in the order met.
    pub(super) forwarded: Vec<Forwarded>,
    /// Bytes unpacked from ZIP attachments so far.
    unzipped: u64,
}

impl<'l> Walk<'l> {
    /// A walk that has found nothing yet.
    pub(super) fn new(limits: &'l MailLimits) -> Self {
        Walk {
            limits,
            parts: Vec::new(),
            skipped: Vec::new(),
            limit_notes: Vec::new(),
            attachments: 0,
            forwarded: Vec::new(),
            unzipped: 0,
        }
    }

    /// The sender of the forwarded original: the deepest forwarded message
    /// (a forward of a forward leads back to the supplier), the first of equally deep ones.
    pub(super) fn original_sender(&self) -> Option<String> {
        let mut deepest: Option<&Forwarded> = None;
        for message in self.forwarded.iter().filter(|f| f.sender.is_some()) {
            if deepest.is_none_or(|d| message.depth > d.depth) {
                deepest = Some(message);
            }
        }
        deepest.and_then(|f| f.sender.clone())
    }

    /// Walks the attachments of `message`, which is `depth` forwards deep.
    pub(super) fn message(
        &mut self,
        message: &Message<'_>,
        depth: usize,
    ) -> Result<(), IngestError> {
        for part in message.attachments() {
            self.attachments += 1;
            if self.attachments > self.limits.max_attachments {
                return Err(IngestError::OverLimit(format!(
                    "more than {} attachments",
                    self.limits.max_attachments
                )));
            }
            if let PartType::Message(inner) = &part.body {
                self.forwarded_message(inner, depth + 1)?;
            } else {
                self.attachment(part, decoded_bytes(message, part), depth)?;
            }
        }
        Ok(())
    }

    fn forwarded_message(&mut self, inner: &Message<'_>, depth: usize) -> Result<(), IngestError> {
        if depth > self.limits.max_nesting {
            return Err(IngestError::OverLimit(format!(
                "forwarded messages nested more than {} deep",
                self.limits.max_nesting
            )));
        }
        self.forwarded.push(Forwarded {
            depth,
            sender: address::from_address(inner),
            text: forwarded::as_text(inner),
        });
        self.message(inner, depth)
    }

    fn attachment(
        &mut self,
        part: &MessagePart<'_>,
        bytes: Cow<'_, [u8]>,
        depth: usize,
    ) -> Result<(), IngestError> {
        let declared = declared_type(part);
        let given_name = part
            .attachment_name()
            .map(file_name_only)
            .filter(|name| !name.is_empty());
        // Before sniffing: a ZIP that stores a PDF uncompressed shows `%PDF-`
        // in its first kilobyte and would pass for a PDF.
        if unzip::is_zip(&bytes) {
            let name = given_name.unwrap_or_else(|| self.unnamed(".zip"));
            self.unzip(&name, &bytes);
            return Ok(());
        }
        let given = given_name.as_deref().unwrap_or_default();
        let media_type = media::sniff(given, &bytes);
        let meant_as_xml = is_meant_as_xml(given, &declared, &bytes);
        let attached_mail = is_attached_mail(given, &declared);
        let extension = match media_type {
            media::PDF => ".pdf",
            media::XML => ".xml",
            media::MAIL => ".eml",
            _ => "",
        };
        let name = given_name.unwrap_or_else(|| self.unnamed(extension));
        match media_type {
            media::PDF => self.take(name, media_type, bytes.into_owned()),
            media::XML if meant_as_xml => {
                self.take(name, media_type, bytes.into_owned());
            }
            media::MAIL if attached_mail => {
                // A mail attached as a file (`.eml`, `application/octet-stream`),
                // or one the parser could not open in place.
                match ParsedMail::parse(&bytes) {
                    Some(inner) => self.forwarded_message(&inner, depth + 1)?,
                    None => self.skip(format!("{name} ({declared}) is not a readable e-mail")),
                }
            }
            _ => self.skip(format!("{name} ({declared}) is not a PDF or XML document")),
        }
        Ok(())
    }

    fn unzip(&mut self, name: &str, bytes: &[u8]) {
        let unzipped = unzip::unzip(name, bytes, self.limits, &mut self.unzipped);
        for entry in unzipped.entries {
            self.take(entry.name, entry.media_type, entry.bytes);
        }
        self.skipped.extend(unzipped.notes);
        self.skipped.extend(unzipped.limit_notes.iter().cloned());
        self.limit_notes.extend(unzipped.limit_notes);
    }

    fn take(&mut self, name: String, media_type: &'static str, bytes: Vec<u8>) {
        self.parts.push(MailPart {
            name,
            media_type,
            bytes,
        });
    }

    fn skip(&mut self, note: String) {
        self.skipped.push(note);
    }

    /// A name for an attachment that has none.
    fn unnamed(&self, extension: &str) -> String {
        format!("attachment-{}{extension}", self.attachments)
    }
}

/// Whether a part the sniffer takes for XML is meant as an XML document: the
/// sniffer takes anything starting with `<`, and HTML or `text/enriched`
/// parts (`<bold>...`) start so too.
fn is_meant_as_xml(name: &str, declared: &str, bytes: &[u8]) -> bool {
    let head = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii_start();
    head.starts_with(b"<?xml")
        || (declared.contains("xml") && declared != "application/xhtml+xml")
        || name.to_ascii_lowercase().ends_with(".xml")
}

/// Whether a part the sniffer takes for a mail is meant as one (rather than,
/// say, a text file that happens to start with `From:` lines).
fn is_attached_mail(name: &str, declared: &str) -> bool {
    declared.starts_with("message/") || name.to_ascii_lowercase().ends_with(".eml")
}

/// The part's bytes as the sender attached them: transfer encoding undone,
/// character set untouched.
fn decoded_bytes<'a>(message: &'a Message<'_>, part: &'a MessagePart<'_>) -> Cow<'a, [u8]> {
    match &part.body {
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => Cow::Borrowed(bytes.as_ref()),
        PartType::Text(text) | PartType::Html(text) => {
            // mail-parser has converted text parts to UTF-8 by their charset;
            // an XML invoice declares its own encoding in its prolog, and a
            // PDF labelled as text is binary: both need the bytes as sent.
            let raw = message
                .raw_message()
                .get(part.offset_body as usize..part.offset_end as usize);
            raw.and_then(|raw| match part.encoding {
                Encoding::Base64 => base64_decode(raw),
                Encoding::QuotedPrintable => quoted_printable_decode(raw),
                Encoding::None => Some(raw.to_vec()),
            })
            .map_or_else(|| Cow::Borrowed(text.as_bytes()), Cow::Owned)
        }
        PartType::Message(_) | PartType::Multipart(_) => Cow::Borrowed(&[]),
    }
}

/// The declared `type/subtype`, lower-cased, for notes and a few decisions.
fn declared_type(part: &MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("*")).to_ascii_lowercase())
        .unwrap_or_else(|| "no declared type".to_string())
}

/// The last component of a name that may carry a path (`C:\fakepath\RE-1.pdf`).
fn file_name_only(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_attachment_names_are_dropped() {
        assert_eq!(file_name_only("C:\\fakepath\\RE-1.pdf"), "RE-1.pdf");
        assert_eq!(file_name_only("../../etc/x.xml "), "x.xml");
        assert_eq!(file_name_only("plain.pdf"), "plain.pdf");
        assert_eq!(file_name_only("dir/"), "");
    }
}
