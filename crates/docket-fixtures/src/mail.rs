//! RFC 5322 / MIME messages as suppliers' mail systems send them.
//!
//! Lines end in CRLF; attachments are base64 in 76-character lines; text parts
//! are quoted-printable UTF-8; non-ASCII header text uses RFC 2047 encoded
//! words and non-ASCII file names RFC 2231 (`filename*=UTF-8''...`).

use chrono::{NaiveDateTime, NaiveTime};

use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const CRLF: &str = "\r\n";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, on one line.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 folded into 76-character lines, each ending in CRLF.
fn base64_lines(data: &[u8]) -> String {
    let text = base64(data);
    let mut out = String::new();
    for line in text.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push_str(CRLF);
    }
    out
}

/// Quoted-printable (RFC 2045) of UTF-8 text; `\n` in the text becomes CRLF.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str(CRLF);
        }
        let bytes = line.as_bytes();
        let mut width = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let token = match b {
                b'=' => "=3D".to_string(),
                b' ' | b'\t' if last => format!("={b:02X}"),
                33..=126 | b' ' | b'\t' => char::from(b).to_string(),
                _ => format!("={b:02X}"),
            };
            if width + token.len() > 75 {
                out.push_str("=\r\n");
                width = 0;
            }
            width += token.len();
            out.push_str(&token);
        }
    }
    out
}

/// An RFC 2047 header value: the text itself when ASCII, else B-encoded words
/// of at most 75 characters, folded onto continuation lines.
pub fn encoded_words(text: &str) -> String {
    b_words(text, 42).join("\r\n ")
}

/// One B-encoded word however long, as mailers put into a quoted `name=` parameter.
pub fn encoded_word(text: &str) -> String {
    b_words(text, usize::MAX).concat()
}

fn b_words(text: &str, max_bytes: usize) -> Vec<String> {
    if text.is_ascii() {
        return vec![text.to_string()];
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for ch in text.chars() {
        if chunk.len() + ch.len_utf8() > max_bytes {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(ch);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words
}

/// An RFC 2231 extended parameter value: `UTF-8''` and percent-encoding.
pub fn rfc2231(value: &str) -> String {
    let mut out = "UTF-8''".to_string();
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An RFC 5322 date: `Fri, 06 Nov 2026 10:02:11 +0100`.
fn rfc5322_date(t: NaiveDateTime) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0100").to_string()
}

fn at(v: &View, h: u32, m: u32, s: u32) -> NaiveDateTime {
    v.inv
        .date
        .and_time(NaiveTime::from_hms_opt(h, m, s).unwrap_or(NaiveTime::MIN))
}

fn headers(
    out: &mut String,
    v: &View,
    from: &str,
    subject: &str,
    sent: NaiveDateTime,
    extra: &[(&str, String)],
) {
    let s = v.seller;
    let domain = s.email_domains.first().copied().unwrap_or("invalid");
    let received = sent + chrono::Duration::seconds(6);
    let lines = [
        ("Return-Path", format!("<{}>", s.email)),
        (
            "Received",
            format!(
                "from mail.{domain} (mail.{domain} [192.0.2.41]){CRLF}\tby mx.kestrel-instruments.example with ESMTPS id {}{CRLF}\tfor <{}>; {}",
                v.inv.number.replace('-', "").to_lowercase(),
                v.buyer.email,
                rfc5322_date(received)
            ),
        ),
        ("From", format!("{} <{}>", from, s.email)),
        ("To", format!("Kestrel Kreditoren <{}>", v.buyer.email)),
        ("Subject", encoded_words(subject)),
        ("Date", rfc5322_date(sent)),
        (
            "Message-ID",
            format!(
                "<{}.{}@{domain}>",
                sent.format("%Y%m%d%H%M%S"),
                v.inv.number
            ),
        ),
    ];
    for (name, value) in lines.iter().chain(extra) {
        out.push_str(&format!("{name}: {value}{CRLF}"));
    }
    out.push_str(&format!("MIME-Version: 1.0{CRLF}"));
}

/// Case 12: a short text and the UBL invoice as an attachment.
pub fn ubl_mail(v: &View, xml: &str) -> Vec<u8> {
    let boundary = format!("=_mixed_{}", v.inv.number);
    let mut m = String::new();
    headers(
        &mut m,
        v,
        &format!("\"{} - Buchhaltung\"", v.seller.name),
        &format!(
            "Rechnung {} zu Ihrer Bestellung {}",
            v.inv.number,
            v.purchase_orders.join(", ")
        ),
        at(v, 10, 2, 11),
        &[("X-Mailer", "SIB Faktura Mailservice 3.1".to_string())],
    );
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"{CRLF}{CRLF}"
    ));
    m.push_str(&format!(
        "This is a multi-part message in MIME format.{CRLF}{CRLF}--{boundary}{CRLF}"
    ));
    m.push_str(&format!("Content-Type: text/plain; charset=utf-8{CRLF}Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"));
    let body = format!(
        "Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie unsere Rechnung {} vom {} über {} EUR\nals elektronische Rechnung (UBL 2.1, Peppol BIS Billing 3.0).\n\nMit freundlichen Grüßen\nBuchhaltung\n{}\n{} · {} {}\n",
        v.inv.number,
        fmt::date(v.inv.date, Lang::De),
        fmt::amount(v.gross, Lang::De),
        v.seller.name,
        v.seller.street,
        v.seller.postcode,
        v.seller.city
    );
    m.push_str(&quoted_printable(&body));
    let name = format!("{}.xml", v.inv.number);
    m.push_str(&format!("{CRLF}--{boundary}{CRLF}"));
    m.push_str(&format!(
        "Content-Type: application/xml; charset=utf-8; name=\"{name}\"{CRLF}"
    ));
    m.push_str(&format!("Content-Transfer-Encoding: base64{CRLF}"));
    m.push_str(&format!(
        "Content-Disposition: attachment; filename=\"{name}\"{CRLF}{CRLF}"
    ));
    m.push_str(&base64_lines(xml.as_bytes()));
    m.push_str(&format!("--{boundary}--{CRLF}"));
    m.into_bytes()
}

/// The attachment name of a mailed PDF: `Rechnung_<number>_<name without its
/// legal form>.pdf`, e.g. case 13's `Rechnung_MP-2026-04471_Müller_Präzisionsteile.pdf`
/// (with umlauts on purpose).
pub fn pdf_attachment_name(v: &View) -> String {
    let mut words: Vec<&str> = v.seller.name.split_whitespace().collect();
    if words.len() > 1 {
        words.pop();
    }
    format!("Rechnung_{}_{}.pdf", v.inv.number, words.join("_"))
}

/// Case 13: text and HTML alternatives and the invoice PDF attached.
pub fn pdf_mail(v: &View, pdf: &[u8]) -> Vec<u8> {
    let outer = format!("----=_Part_{}_outer", v.inv.number);
    let inner = format!("----=_Part_{}_alt", v.inv.number);
    let gross = fmt::amount(v.gross, Lang::De);
    let mut m = String::new();
    headers(
        &mut m,
        v,
        &encoded_words(v.seller.name),
        &format!("Rechnung {} – {}", v.inv.number, v.seller.name),
        at(v, 16, 45, 3),
        &[
            ("X-Mailer", "Microsoft Outlook 16.0".to_string()),
            ("Content-Language", "de-DE".to_string()),
        ],
    );
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{outer}\"{CRLF}{CRLF}"
    ));
    m.push_str(&format!(
        "--{outer}{CRLF}Content-Type: multipart/alternative; boundary=\"{inner}\"{CRLF}{CRLF}"
    ));
    let text = format!(
        "Guten Tag,\n\nim Anhang senden wir Ihnen unsere Rechnung {} über {} EUR (brutto)\nzu Ihrer Bestellung {}.\n\nFreundliche Grüße\nSabine Höfler\nDebitorenbuchhaltung\n{}\n",
        v.inv.number,
        gross,
        v.purchase_orders.join(", "),
        v.seller.name
    );
    let html = format!(
        "<html><head><meta charset=\"utf-8\"></head><body style=\"font-family:Calibri,sans-serif\">\n<p>Guten Tag,</p>\n<p>im Anhang senden wir Ihnen unsere Rechnung <b>{}</b> über <b>{} EUR</b> (brutto) zu Ihrer Bestellung {}.</p>\n<p>Freundliche Grüße<br>Sabine Höfler<br>Debitorenbuchhaltung<br>{}</p>\n</body></html>\n",
        v.inv.number,
        gross,
        v.purchase_orders.join(", "),
        v.seller.name
    );
    for (mime, body) in [("text/plain", text), ("text/html", html)] {
        m.push_str(&format!(
            "--{inner}{CRLF}Content-Type: {mime}; charset=utf-8{CRLF}"
        ));
        m.push_str(&format!(
            "Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
        ));
        m.push_str(&quoted_printable(&body));
        m.push_str(CRLF);
    }
    m.push_str(&format!("--{inner}--{CRLF}{CRLF}"));
    let name = pdf_attachment_name(v);
    m.push_str(&format!("--{outer}{CRLF}"));
    m.push_str(&format!(
        "Content-Type: application/pdf;{CRLF}\tname=\"{}\"{CRLF}",
        encoded_word(&name)
    ));
    m.push_str(&format!("Content-Transfer-Encoding: base64{CRLF}"));
    m.push_str(&format!(
        "Content-Disposition: attachment;{CRLF}\tfilename*={}{CRLF}{CRLF}",
        rfc2231(&name)
    ));
    m.push_str(&base64_lines(pdf));
    m.push_str(&format!("--{outer}--{CRLF}"));
    m.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn quoted_printable_escapes_and_folds() {
        assert_eq!(
            quoted_printable("Grüße = gut "),
            "Gr=C3=BC=C3=9Fe =3D gut=20"
        );
        let long = "a".repeat(100);
        assert!(quoted_printable(&long).split("\r\n").all(|l| l.len() <= 76));
    }

    #[test]
    fn header_encodings() {
        assert_eq!(encoded_words("plain"), "plain");
        assert_eq!(encoded_words("Müller"), "=?UTF-8?B?TcO8bGxlcg==?=");
        assert_eq!(rfc2231("Müller a.pdf"), "UTF-8''M%C3%BCller%20a.pdf");
    }
}
