//! Recognising what a file is from its first bytes (and its name as a hint).

/// PDF.
pub const PDF: &str = "application/pdf";
/// Any XML (e-invoice or other).
pub const XML: &str = "application/xml";
/// An e-mail message (RFC 5322).
pub const MAIL: &str = "message/rfc822";
/// Plain text (a mail body).
pub const TEXT: &str = "text/plain";
/// Anything else.
pub const UNKNOWN: &str = "application/octet-stream";

/// The media type of a file, from its content first and its name second.
pub fn sniff(name: &str, bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(1024)];
    let trimmed = trim_start(head);
    // Readers accept a PDF signature anywhere in the first kilobyte, but a mail
    // whose headers come first is a mail, even when a PDF attached to it in
    // binary starts within that kilobyte.
    let mail = looks_like_mail(head);
    if trimmed.starts_with(b"%PDF-") || (!mail && head.windows(5).any(|w| w == b"%PDF-")) {
        return PDF;
    }
    if trimmed.starts_with(b"<?xml") || (trimmed.starts_with(b"<") && !looks_like_html(trimmed)) {
        return XML;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".eml") || mail {
        return MAIL;
    }
    if lower.ends_with(".pdf") {
        // Named a PDF but without the signature: let the PDF reader say why.
        return PDF;
    }
    if lower.ends_with(".xml") {
        return XML;
    }
    UNKNOWN
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

fn looks_like_mail(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let headers = [
        "from:",
        "received:",
        "mime-version:",
        "message-id:",
        "return-path:",
        "subject:",
    ];
    text.lines()
        .take(20)
        .filter(|line| headers.iter().any(|h| line.starts_with(h)))
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_wins_over_name() {
        assert_eq!(sniff("invoice.xml", b"%PDF-1.7\n..."), PDF);
        assert_eq!(
            sniff("x.bin", b"\xEF\xBB\xBF  <?xml version='1.0'?><a/>"),
            XML
        );
        assert_eq!(sniff("x", b"From: a@b\r\nSubject: x\r\n\r\nbody"), MAIL);
        assert_eq!(sniff("x.eml", b"garbage"), MAIL);
        assert_eq!(sniff("scan.pdf", b"garbage"), PDF);
        assert_eq!(sniff("page.htm", b"<!DOCTYPE html><html>"), UNKNOWN);
        assert_eq!(sniff("x", b""), UNKNOWN);
    }

    #[test]
    fn a_mail_carrying_a_binary_pdf_early_is_a_mail() {
        let mail = b"From: a@b.example\r\nSubject: invoice\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
                     --b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\n\r\n%PDF-1.4\n";
        assert_eq!(sniff("forwarded", mail), MAIL);
        // A PDF with a few bytes of junk before its signature is still a PDF.
        assert_eq!(sniff("x", b"\x00\x00junk%PDF-1.4\n"), PDF);
    }
}
