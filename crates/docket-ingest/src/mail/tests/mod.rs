//! Splitting hand-written mails: every transfer encoding and naming scheme
//! mail clients use for a PDF, forwarded mail and the limits; ZIP attachments
//! in [`zipped`].

mod zipped;

use super::*;

/// "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n": a PDF signature and the binary comment line.
const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj <<>> endobj\n%%EOF\n";

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
        if out.len() % 78 == 76 {
            out.push_str("\r\n");
        }
    }
    out
}

/// A multipart/mixed mail from a supplier with `parts` (each headers, blank line, body).
fn mail(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut raw = b"From: Billing <billing@nordwind.example>\r\nTo: AP <ap@kestrel.example>\r\n\
        Cc: archive@kestrel.example\r\nMessage-ID: <4711@nordwind.example>\r\nSubject: Rechnung\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
        --b1\r\nContent-Type: text/plain\r\n\r\nAnbei die Rechnung.\r\n"
        .to_vec();
    for part in parts {
        raw.extend_from_slice(b"--b1\r\n");
        raw.extend_from_slice(part);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"--b1--\r\n");
    raw
}

fn part(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut part = format!("{headers}\r\n\r\n").into_bytes();
    part.extend_from_slice(body);
    part
}

fn base64_part(headers: &str, bytes: &[u8]) -> Vec<u8> {
    part(
        &format!("{headers}\r\nContent-Transfer-Encoding: base64"),
        base64(bytes).as_bytes(),
    )
}

fn split_ok(raw: &[u8]) -> SplitMail {
    split(raw, &MailLimits::default()).unwrap()
}

fn names(split: &SplitMail) -> Vec<&str> {
    split.parts.iter().map(|p| p.name.as_str()).collect()
}

/// Asserts that one of the notes on what was left out contains `text`.
fn assert_noted(split: &SplitMail, text: &str) {
    assert!(
        split.skipped.iter().any(|note| note.contains(text)),
        "no note with {text:?} in {:?}",
        split.skipped
    );
}

fn only_document(split: &SplitMail) -> &MailPart {
    assert_eq!(split.parts.len(), 1, "{:?}", split.parts);
    &split.parts[0]
}

#[test]
fn a_base64_octet_stream_with_a_pdf_name_is_taken_and_images_are_noted() {
    let raw = mail(&[
        base64_part(
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"RE-1.pdf\"",
            PDF,
        ),
        base64_part(
            "Content-Type: image/png\r\nContent-Disposition: attachment; filename=logo.png",
            b"\x89PNG\r\n\x1a\nlogo",
        ),
    ]);
    let split = split_ok(&raw);
    let pdf = only_document(&split);
    assert_eq!(pdf.name, "RE-1.pdf");
    assert_eq!(pdf.media_type, media::PDF);
    assert_eq!(pdf.bytes, PDF);
    assert_eq!(split.attachments, 2);
    assert_eq!(split.skipped.len(), 1, "{:?}", split.skipped);
    assert_noted(&split, "logo.png (image/png)");
    assert_eq!(split.sender.as_deref(), Some("billing@nordwind.example"));
    assert_eq!(split.original_sender, None);
    assert_eq!(split.sender_domain(), Some("nordwind.example"));
    assert_eq!(split.message_id.as_deref(), Some("4711@nordwind.example"));
    assert_eq!(split.to, ["ap@kestrel.example", "archive@kestrel.example"]);
}

#[test]
fn quoted_printable_and_binary_pdfs_keep_every_byte() {
    let qp: String = PDF
        .iter()
        .map(|b| match b {
            b'\n' => "\r\n".to_string(),
            b' '..=b'<' | b'>'..=b'~' => char::from(*b).to_string(),
            other => format!("={other:02X}"),
        })
        .collect();
    let raw = mail(&[
        part(
            "Content-Type: application/pdf; name=qp.pdf\r\nContent-Transfer-Encoding: quoted-printable",
            qp.as_bytes(),
        ),
        part(
            "Content-Type: application/pdf; name=bin.pdf\r\nContent-Transfer-Encoding: binary",
            PDF,
        ),
    ]);
    let split = split_ok(&raw);
    assert_eq!(names(&split), ["qp.pdf", "bin.pdf"]);
    // Quoted-printable line breaks are CRLF on the wire; every other byte is kept.
    let crlf: Vec<u8> = PDF
        .iter()
        .flat_map(|b| {
            if *b == b'\n' {
                b"\r\n".to_vec()
            } else {
                vec![*b]
            }
        })
        .collect();
    assert_eq!(split.parts[0].bytes, crlf);
    assert_eq!(split.parts[1].bytes, PDF);
}

#[test]
fn rfc2231_and_encoded_word_file_names_are_decoded() {
    for (header, expected) in [
        (
            "Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf",
            "Rechnung März.pdf",
        ),
        (
            "Content-Disposition: attachment;\r\n filename*0*=utf-8''Rechnung%20;\r\n filename*1*=M%C3%A4rz.pdf",
            "Rechnung März.pdf",
        ),
        (
            "Content-Disposition: attachment; filename=\"=?utf-8?B?UmVjaG51bmcgTcOkcnoucGRm?=\"",
            "Rechnung März.pdf",
        ),
        (
            "Content-Disposition: attachment; filename=\"=?iso-8859-1?Q?Rechnung_M=E4rz.pdf?=\"",
            "Rechnung März.pdf",
        ),
        (
            "Content-Disposition: attachment; filename=\"C:\\\\fakepath\\\\RE-9.pdf\"",
            "RE-9.pdf",
        ),
    ] {
        let raw = mail(&[base64_part(
            &format!("Content-Type: application/octet-stream\r\n{header}"),
            PDF,
        )]);
        let split = split_ok(&raw);
        assert_eq!(only_document(&split).name, expected, "{header}");
    }
}

#[test]
fn inline_pdfs_are_taken_with_or_without_a_disposition_or_a_name() {
    let raw = mail(&[
        base64_part(
            "Content-Type: application/pdf; name=inline.pdf\r\nContent-Disposition: inline",
            PDF,
        ),
        base64_part("Content-Type: application/pdf", PDF),
    ]);
    let split = split_ok(&raw);
    assert_eq!(names(&split), ["inline.pdf", "attachment-2.pdf"]);
    assert!(split.parts.iter().all(|p| p.bytes == PDF));
}

#[test]
fn a_pdf_labelled_as_text_and_latin1_xml_keep_their_bytes() {
    let xml =
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Invoice><Name>M\xFCller</Name></Invoice>";
    let raw = mail(&[
        base64_part("Content-Type: text/plain; name=scan.pdf", PDF),
        part(
            "Content-Type: text/xml; charset=iso-8859-1; name=invoice.xml\r\nContent-Transfer-Encoding: quoted-printable",
            b"<?xml version=3D\"1.0\" encoding=3D\"ISO-8859-1\"?><Invoice><Name>M=FCller</Name></Invoice>",
        ),
    ]);
    let split = split_ok(&raw);
    assert_eq!(split.parts.len(), 2, "{:?}", split.skipped);
    assert_eq!(split.parts[0].name, "scan.pdf");
    assert_eq!(split.parts[0].bytes, PDF);
    assert_eq!(split.parts[1].media_type, media::XML);
    // Not re-encoded to UTF-8: the prolog still tells the truth about the bytes.
    assert_eq!(split.parts[1].bytes, xml);
}

#[test]
fn html_and_enriched_text_are_not_taken_for_xml_but_unnamed_xml_is() {
    let raw = mail(&[
        part(
            "Content-Type: text/html; name=terms.html\r\nContent-Disposition: attachment",
            b"<p>Terms</p>",
        ),
        part(
            "Content-Type: text/enriched\r\nContent-Disposition: attachment",
            b"<bold>Hi</bold>",
        ),
        part(
            "Content-Type: application/octet-stream",
            b"<?xml version=\"1.0\"?><Invoice/>",
        ),
        part("Content-Type: application/xml", b"<Invoice/>"),
    ]);
    let split = split_ok(&raw);
    assert_eq!(names(&split), ["attachment-3.xml", "attachment-4.xml"]);
    assert_eq!(split.skipped.len(), 2, "{:?}", split.skipped);
    assert_noted(&split, "terms.html (text/html)");
    assert_noted(&split, "(text/enriched)");
}

const CLERK: &str = "Clerk <Clerk@Kestrel.example>";
const RFC822: &str = "Content-Type: message/rfc822";

/// A mail from `forwarder` with `inner` attached under the part `headers`.
fn forwarded_by(forwarder: &str, inner: &[u8], headers: &str) -> Vec<u8> {
    // Its own boundary, so that forwards of forwards nest.
    let boundary = format!("fwd{}", inner.len());
    let mut raw = format!(
        "From: {forwarder}\r\nTo: ap@kestrel.example\r\nSubject: Fwd: Rechnung\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--{boundary}\r\n{headers}\r\n\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(inner);
    raw.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    raw
}

#[test]
fn a_forwarded_message_keeps_both_senders() {
    let inner = mail(&[base64_part(
        "Content-Type: application/pdf; name=a.pdf",
        PDF,
    )]);
    for headers in [
        "Content-Type: message/rfc822",
        "Content-Type: application/octet-stream; name=\"Rechnung.eml\"\r\nContent-Disposition: attachment",
    ] {
        let split = split_ok(&forwarded_by(CLERK, &inner, headers));
        assert_eq!(
            split.sender.as_deref(),
            Some("clerk@kestrel.example"),
            "{headers}"
        );
        assert_eq!(
            split.original_sender.as_deref(),
            Some("billing@nordwind.example"),
            "{headers}"
        );
        assert_eq!(split.sender_domain(), Some("nordwind.example"));
        assert_eq!(only_document(&split).name, "a.pdf");
    }
}

#[test]
fn the_deepest_forwarded_original_is_the_supplier() {
    let supplier = mail(&[base64_part(
        "Content-Type: application/pdf; name=a.pdf",
        PDF,
    )]);
    let colleague = forwarded_by("colleague@kestrel.example", &supplier, RFC822);
    let split = split_ok(&forwarded_by(CLERK, &colleague, RFC822));
    assert_eq!(split.sender.as_deref(), Some("clerk@kestrel.example"));
    assert_eq!(
        split.original_sender.as_deref(),
        Some("billing@nordwind.example")
    );
    assert_eq!(split.parts.len(), 1);
}

#[test]
fn an_inline_forwarded_order_is_the_body_with_its_original_sender() {
    let raw = b"From: clerk@kestrel.example\r\nTo: orders@kestrel.example\r\nSubject: Fwd: Bestellung\r\n\r\n\
        Bitte erfassen.\r\n\r\n---------- Forwarded message ---------\r\n\
        From: Einkauf <einkauf@kunde.example>\r\nDate: Mon, 3 Mar 2025 10:00\r\nSubject: Bestellung 4711\r\n\r\n\
        Bitte liefern Sie 10 Kartons.\r\n";
    let split = split_ok(raw);
    assert_eq!(split.sender.as_deref(), Some("clerk@kestrel.example"));
    assert_eq!(
        split.original_sender.as_deref(),
        Some("einkauf@kunde.example")
    );
    let body = only_document(&split);
    assert_eq!(body.media_type, media::TEXT);
    assert!(String::from_utf8_lossy(&body.bytes).contains("10 Kartons"));
}

#[test]
fn a_forwarded_mail_without_documents_gives_its_text_to_the_body() {
    let inner = b"From: Einkauf <einkauf@kunde.example>\r\nSubject: Bestellung 4711\r\n\r\nBitte liefern Sie 10 Kartons.\r\n";
    let split = split_ok(&forwarded_by(CLERK, inner, RFC822));
    let body = String::from_utf8(only_document(&split).bytes.clone()).unwrap();
    assert!(body.starts_with("see attached"), "{body}");
    assert!(
        body.contains("From: Einkauf <einkauf@kunde.example>"),
        "{body}"
    );
    assert!(body.contains("Subject: Bestellung 4711"), "{body}");
    assert!(body.contains("10 Kartons"), "{body}");
    assert_eq!(
        split.original_sender.as_deref(),
        Some("einkauf@kunde.example")
    );
}

#[test]
fn a_mail_without_documents_yields_its_body_even_in_html() {
    let raw = "From: a@b.example\r\nSubject: order\r\n\r\nPlease send 10 boxes.\r\n";
    let split = split_ok(raw.as_bytes());
    assert_eq!(split.attachments, 0);
    let body = only_document(&split);
    assert_eq!(
        (body.name.as_str(), body.media_type),
        ("body.txt", media::TEXT)
    );
    assert!(String::from_utf8_lossy(&body.bytes).contains("10 boxes"));

    let html = "From: a@b.example\r\nSubject: order\r\nContent-Type: text/html\r\n\r\n<html><body><p>Please send <b>12</b> crates.</p></body></html>\r\n";
    let split = split_ok(html.as_bytes());
    let text = String::from_utf8_lossy(&only_document(&split).bytes).into_owned();
    assert!(text.contains("Please send 12 crates."), "{text}");
    assert!(!text.contains("<b>"), "{text}");
}

#[test]
fn a_mail_with_nothing_to_read_is_refused_with_what_was_left_out() {
    let raw = b"From: a@b.example\r\nSubject: scan\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\n\r\n--b\r\nContent-Type: image/jpeg; name=scan.jpg\r\n\r\n\xFF\xD8\xFF\xE0\r\n--b--\r\n";
    let err = split(raw, &MailLimits::default()).unwrap_err();
    assert!(matches!(err, IngestError::NothingToRead(_)), "{err}");
    assert!(err.to_string().contains("scan.jpg (image/jpeg)"), "{err}");
}

#[test]
fn leading_blank_lines_and_an_mbox_separator_are_passed_over() {
    for prefix in [
        "\r\n   \r\n",
        "From billing@nordwind.example Mon Mar  3 10:00:00 2025\n",
    ] {
        let raw = [
            prefix.as_bytes(),
            &mail(&[base64_part(
                "Content-Type: application/pdf; name=a.pdf",
                PDF,
            )]),
        ]
        .concat();
        let split = split_ok(&raw);
        assert_eq!(
            split.sender.as_deref(),
            Some("billing@nordwind.example"),
            "{prefix:?}"
        );
        assert_eq!(only_document(&split).name, "a.pdf");
    }
}

#[test]
fn bytes_that_are_not_a_mail_are_refused_with_a_reason() {
    for garbage in [
        &b""[..],
        b"%PDF-1.4 not a mail",
        b"{\"json\": true}\n",
        b"\x00\x01\x02\xFF",
    ] {
        let err = split(garbage, &MailLimits::default()).unwrap_err();
        assert!(!err.to_string().is_empty());
        assert!(matches!(err, IngestError::Mail(_)), "{garbage:?}: {err}");
    }
}

#[test]
fn limits_on_size_attachments_and_nesting_are_reasons() {
    let raw = mail(&[
        base64_part("Content-Type: application/pdf; name=a.pdf", PDF),
        base64_part("Content-Type: application/pdf; name=b.pdf", PDF),
    ]);
    let small = MailLimits {
        max_message_bytes: raw.len() - 1,
        ..MailLimits::default()
    };
    let err = split(&raw, &small).unwrap_err();
    assert!(
        err.to_string().contains(&format!("{} bytes", raw.len())),
        "{err}"
    );

    let one = MailLimits {
        max_attachments: 1,
        ..MailLimits::default()
    };
    let err = split(&raw, &one).unwrap_err();
    assert!(err.to_string().contains("more than 1 attachments"), "{err}");

    let shallow = MailLimits {
        max_nesting: 1,
        ..MailLimits::default()
    };
    let once = forwarded_by(CLERK, &raw, RFC822);
    assert_eq!(split(&once, &shallow).unwrap().parts.len(), 2);
    let twice = forwarded_by(CLERK, &once, RFC822);
    let err = split(&twice, &shallow).unwrap_err();
    assert!(err.to_string().contains("nested more than 1 deep"), "{err}");
}

#[test]
fn a_panic_in_the_mime_parser_quarantines_the_mail() {
    // A boundary glued to a header line inside a forwarded message (found by
    // mutating the corpus): mail-parser 0.11 trips a debug assertion on it.
    // Should an upgrade stop asserting here, find another input for this test.
    let raw = b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: e@f.example\r\nTo: x--b\r\n\
        Content-Type: message/rfc822\r\n\r\nFrom: g@h.example\r\n\r\n--b--\r\n";
    let result = split(raw, &MailLimits::default());
    if cfg!(debug_assertions) {
        let err = result.unwrap_err();
        assert!(matches!(err, IngestError::Mail(_)), "{err}");
        assert!(err.to_string().contains("MIME parser failed"), "{err}");
    } else {
        // Without its assertions the parser reads on: documents or a reason.
        match result {
            Ok(split) => assert!(!split.parts.is_empty()),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn hostile_nesting_is_refused_without_exhausting_the_stack() {
    // Far deeper than any recursion over it could survive on a 2 MB test thread.
    let levels = 100_000;
    let mut raw =
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\n"
            .to_vec();
    for _ in 0..levels {
        raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\nFrom: a@b.example\r\n");
    }
    raw.extend_from_slice(b"\r\nbody\r\n--q--\r\n");
    let err = split(&raw, &MailLimits::default()).unwrap_err();
    assert!(err.to_string().contains("nested more than 5 deep"), "{err}");
}

#[test]
fn hostile_address_lists_are_read_in_one_pass() {
    // Each took minutes when every address was checked against all before it,
    // or every `mailto:` read to the end of its line.
    let mut raw = b"From: a@b.example\r\nTo: ".to_vec();
    for i in 0..40_000 {
        raw.extend_from_slice(format!("u{i}@d.example, U{i}@d.example, ").as_bytes());
    }
    raw.extend_from_slice(
        b"last@d.example\r\nSubject: x\r\n\r\nPlease book.\r\n\r\n\
          ---------- Forwarded message ---------\r\nFrom: ",
    );
    raw.extend_from_slice(&b"mailto:".repeat(20_000));
    raw.extend_from_slice(b"\r\n\r\nPlease send 10 boxes.\r\n");
    let split = split_ok(&raw);
    assert_eq!(split.to.len(), 40_001, "duplicates are dropped");
    assert_eq!(split.to[..2], ["u0@d.example", "u1@d.example"], "in order");
    assert_eq!(split.to.last().map(String::as_str), Some("last@d.example"));
    assert_eq!(split.original_sender, None);
    assert!(String::from_utf8_lossy(&only_document(&split).bytes).contains("10 boxes"));
}
