//! ZIP attachments: documents taken, bombs and damaged archives left out with a note.

use std::io::Write;

use super::*;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn zipped_mail(zip: &[u8]) -> Vec<u8> {
    mail(&[base64_part(
        "Content-Type: application/zip\r\nContent-Disposition: attachment; filename=\"invoices.zip\"",
        zip,
    )])
}

#[test]
fn zip_attachments_give_their_documents() {
    let xml = b"<?xml version=\"1.0\"?><Invoice/>";
    let zip = zip_of(&[
        ("2025/RE-1.pdf", PDF),
        ("RE-1.xml", xml),
        ("photo.png", b"\x89PNG\r\n\x1a\n"),
        ("inner.zip", &zip_of(&[("x.pdf", PDF)])),
    ]);
    let split = split_ok(&zipped_mail(&zip));
    assert_eq!(
        names(&split),
        ["invoices.zip/RE-1.pdf", "invoices.zip/RE-1.xml"]
    );
    assert_eq!(split.parts[0].bytes, PDF);
    assert_eq!(split.parts[1].bytes, xml);
    assert_eq!(split.skipped.len(), 2, "{:?}", split.skipped);
    assert_noted(&split, "photo.png");
    assert_noted(&split, "inner.zip is an archive inside");
}

/// `zip` with the uncompressed size of `name` declared as 10 bytes in both
/// of its headers: a bomb that lies about what it holds.
fn lying_about_size(mut zip: Vec<u8>, name: &str) -> Vec<u8> {
    // (signature, offset of the uncompressed size, offset of the name length, offset of the name)
    for (signature, size_at, name_len_at, name_at) in
        [(b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)]
    {
        let mut at = 0;
        while let Some(found) = zip[at..].windows(4).position(|w| w == signature) {
            let header = at + found;
            let len = usize::from(u16::from_le_bytes([
                zip[header + name_len_at],
                zip[header + name_len_at + 1],
            ]));
            if zip.get(header + name_at..header + name_at + len) == Some(name.as_bytes()) {
                zip[header + size_at..header + size_at + 4].copy_from_slice(&10u32.to_le_bytes());
            }
            at = header + 4;
        }
    }
    zip
}

#[test]
fn a_zip_bomb_entry_is_left_out_and_alone_it_quarantines_the_mail() {
    let limits = MailLimits {
        max_unzipped_bytes: 64 * 1024,
        ..MailLimits::default()
    };
    let bomb = vec![0u8; 1024 * 1024];
    let zip = zip_of(&[("RE-1.pdf", PDF), ("bomb.pdf", &bomb), ("RE-2.pdf", PDF)]);
    assert!(
        zip.len() < 8 * 1024,
        "the test zip compresses well: {}",
        zip.len()
    );
    // An honest bomb is refused by its declared size, before inflating anything.
    let split = split(&zipped_mail(&zip), &limits).unwrap();
    assert_eq!(
        names(&split),
        ["invoices.zip/RE-1.pdf", "invoices.zip/RE-2.pdf"]
    );
    assert_noted(&split, "bomb.pdf unpacks to 1048576 bytes");
    // A lying one is stopped as soon as it inflates past its claim (the zip
    // reader checks; the budget would stop it next), and costs the rest nothing.
    let split = super::split(&zipped_mail(&lying_about_size(zip, "bomb.pdf")), &limits).unwrap();
    assert_eq!(
        names(&split),
        ["invoices.zip/RE-1.pdf", "invoices.zip/RE-2.pdf"]
    );
    assert_noted(&split, "bomb.pdf cannot be unpacked");

    let only_bomb = zip_of(&[("bomb.pdf", &bomb)]);
    let err = super::split(&zipped_mail(&only_bomb), &limits).unwrap_err();
    assert!(matches!(err, IngestError::OverLimit(_)), "{err}");
    assert!(err.to_string().contains("bomb.pdf"), "{err}");
}

#[test]
fn zip_entries_beyond_the_limit_are_left_out() {
    let limits = MailLimits {
        max_zip_entries: 2,
        ..MailLimits::default()
    };
    let zip = zip_of(&[("1.pdf", PDF), ("2.pdf", PDF), ("3.pdf", PDF)]);
    let split = split(&zipped_mail(&zip), &limits).unwrap();
    assert_eq!(split.parts.len(), 2);
    assert_noted(&split, "3 entries; only the first 2");
}

#[test]
fn a_damaged_zip_is_noted_not_fatal() {
    let mut zip = zip_of(&[("RE-1.pdf", PDF)]);
    zip.truncate(zip.len() / 2);
    let split = split_ok(&zipped_mail(&zip));
    assert_eq!(only_document(&split).name, "body.txt");
    assert_noted(&split, "not a readable ZIP");
}
