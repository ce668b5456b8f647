//! Splitting an e-mail into the documents it carries.
//!
//! A supplier's mail usually carries one PDF or XML invoice; forwarded mail
//! carries the original as a `message/rfc822` part; some mails carry nothing but
//! text (orders are often written in the body). Every document found becomes a
//! part with its own bytes; a mail with no document yields its body, so that
//! nothing is dropped without a person seeing why.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use crate::IngestError;
use crate::media;

/// How deep forwarded messages are followed.
const MAX_NESTING: usize = 5;
/// At most this many documents from one mail.
const MAX_PARTS: usize = 50;

/// One document found in a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPart {
    /// The attachment's file name (or `body.txt`).
    pub name: String,
    /// Its media type as recognised from its bytes.
    pub media_type: &'static str,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// What a mail carries, and who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMail {
    /// The `From` address of the mail itself (the forwarder, for forwarded mail).
    pub sender: Option<String>,
    /// The `From` address of the innermost forwarded original, when there is one.
    pub original_sender: Option<String>,
    /// The subject.
    pub subject: Option<String>,
    /// The documents found.
    pub parts: Vec<MailPart>,
    /// Attachments left out, with why (images, signatures, ...).
    pub skipped: Vec<String>,
}

impl SplitMail {
    /// The domain of the original sender (or of the sender), for supplier identification.
    pub fn sender_domain(&self) -> Option<&str> {
        let address = self.original_sender.as_deref().or(self.sender.as_deref())?;
        address.rsplit_once('@').map(|(_, domain)| domain)
    }
}

fn from_address(message: &Message<'_>) -> Option<String> {
    message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.to_ascii_lowercase())
}

/// Splits a raw mail into its documents.
pub fn split(raw: &[u8]) -> Result<SplitMail, IngestError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| IngestError::Mail("no message headers found".to_string()))?;
    if message.headers().is_empty() {
        return Err(IngestError::Mail("no message headers found".to_string()));
    }
    let mut split = SplitMail {
        sender: from_address(&message),
        original_sender: None,
        subject: message.subject().map(str::to_string),
        parts: Vec::new(),
        skipped: Vec::new(),
    };
    collect(&message, 0, &mut split);
    if split.parts.is_empty() {
        let body = message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default();
        split.parts.push(MailPart {
            name: "body.txt".to_string(),
            media_type: media::TEXT,
            bytes: body.into_bytes(),
        });
    }
    Ok(split)
}

fn collect(message: &Message<'_>, depth: usize, split: &mut SplitMail) {
    for (index, part) in message.attachments().enumerate() {
        if split.parts.len() >= MAX_PARTS {
            split.skipped.push(format!(
                "more than {MAX_PARTS} attachments: the rest left out"
            ));
            return;
        }
        if let PartType::Message(inner) = &part.body {
            if depth + 1 >= MAX_NESTING {
                split
                    .skipped
                    .push("forwarded messages nested too deep".to_string());
                continue;
            }
            if let Some(original) = from_address(inner) {
                split.original_sender = Some(original);
            }
            collect(inner, depth + 1, split);
            continue;
        }
        let name = part
            .attachment_name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("attachment-{}", index + 1));
        let bytes = part.contents();
        let media_type = media::sniff(&name, bytes);
        if media_type == media::PDF || media_type == media::XML {
            split.parts.push(MailPart {
                name,
                media_type,
                bytes: bytes.to_vec(),
            });
        } else {
            let ctype = part
                .content_type()
                .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("*")))
                .unwrap_or_else(|| "unknown type".to_string());
            split
                .skipped
                .push(format!("{name} ({ctype}) is not a PDF or XML document"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF_B64: &str = "JVBERi0xLjQKJeLjz9MK"; // "%PDF-1.4\n%âãÏÓ\n"

    fn mail_with_attachment(name_header: &str) -> String {
        format!(
            "From: Billing <billing@nordwind.example>\r\nTo: ap@kestrel.example\r\n\
             Subject: Rechnung\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
             --b1\r\nContent-Type: text/plain\r\n\r\nAnbei die Rechnung.\r\n\
             --b1\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; {name_header}\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{PDF_B64}\r\n\
             --b1\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=logo.png\r\n\r\nPNG\r\n\
             --b1--\r\n"
        )
    }

    #[test]
    fn pdf_attachment_is_found_by_content_even_as_octet_stream() {
        let split = split(mail_with_attachment("filename=\"RE-1.pdf\"").as_bytes()).unwrap();
        assert_eq!(split.parts.len(), 1);
        assert_eq!(split.parts[0].name, "RE-1.pdf");
        assert_eq!(split.parts[0].media_type, media::PDF);
        assert!(split.parts[0].bytes.starts_with(b"%PDF-1.4"));
        assert_eq!(split.sender.as_deref(), Some("billing@nordwind.example"));
        assert_eq!(split.sender_domain(), Some("nordwind.example"));
        assert_eq!(split.skipped.len(), 1, "{:?}", split.skipped);
    }

    #[test]
    fn rfc2231_file_names_are_decoded() {
        let header = "filename*=utf-8''Rechnung%20M%C3%A4rz.pdf";
        let split = split(mail_with_attachment(header).as_bytes()).unwrap();
        assert_eq!(split.parts[0].name, "Rechnung März.pdf");
    }

    #[test]
    fn forwarded_mail_keeps_both_senders() {
        let inner = mail_with_attachment("filename=a.pdf");
        let outer = format!(
            "From: clerk@kestrel.example\r\nSubject: Fwd: Rechnung\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n\
             --o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n\
             --o\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--o--\r\n"
        );
        let split = split(outer.as_bytes()).unwrap();
        assert_eq!(split.sender.as_deref(), Some("clerk@kestrel.example"));
        assert_eq!(
            split.original_sender.as_deref(),
            Some("billing@nordwind.example")
        );
        assert_eq!(split.sender_domain(), Some("nordwind.example"));
        assert_eq!(split.parts.len(), 1);
    }

    #[test]
    fn a_mail_without_documents_yields_its_body() {
        let raw = "From: a@b.example\r\nSubject: order\r\n\r\nPlease send 10 boxes.\r\n";
        let split = split(raw.as_bytes()).unwrap();
        assert_eq!(split.parts.len(), 1);
        assert_eq!(split.parts[0].media_type, media::TEXT);
        assert!(String::from_utf8_lossy(&split.parts[0].bytes).contains("10 boxes"));
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert!(split(b"").is_err());
    }
}
