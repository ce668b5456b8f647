//! Helpers shared by the fixture tests.

#![allow(dead_code)]

pub mod matcher;

use std::path::PathBuf;

use mail_parser::{MessageParser, MimeHeaders};

/// The committed fixtures directory.
pub fn committed() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"))
}

/// Reads a committed fixture file.
pub fn read_committed(rel: &str) -> Vec<u8> {
    std::fs::read(committed().join(rel)).unwrap_or_else(|e| {
        panic!("{rel}: {e}; fixtures are stale: run cargo run -p docket-fixtures -- --out fixtures")
    })
}

/// The attachments of a mail: (file name, decoded bytes).
pub fn attachments(eml: &[u8]) -> Vec<(String, Vec<u8>)> {
    let message = MessageParser::default().parse(eml).expect("mail parses");
    message
        .attachments()
        .map(|part| {
            (
                part.attachment_name().unwrap_or_default().to_string(),
                part.contents().to_vec(),
            )
        })
        .collect()
}
