//! ZIP attachments: some suppliers zip a month of invoices, and some senders
//! zip a bomb. Entries are read one at a time, each through `take()` bounded by
//! what is left of the mail's unpacking budget, so memory and time stay bounded
//! whatever the archive's headers claim.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::MailLimits;
use crate::media;

/// A document found in a ZIP attachment.
pub(super) struct Entry {
    /// `archive.zip/entry.pdf`.
    pub name: String,
    /// Its media type as recognised from its bytes.
    pub media_type: &'static str,
    /// The unpacked bytes.
    pub bytes: Vec<u8>,
}

/// What one ZIP attachment gave.
pub(super) struct Unzipped {
    /// The PDF and XML documents in it.
    pub entries: Vec<Entry>,
    /// Entries left out because they are not documents or cannot be read.
    pub notes: Vec<String>,
    /// Entries left out because of a limit.
    pub limit_notes: Vec<String>,
}

/// Whether `bytes` start like a ZIP file (a local file header, or the end
/// record of an empty archive).
pub(super) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Reads the documents in the ZIP attachment `zip_name`. `unzipped` counts the
/// bytes the mail has unpacked so far and is charged for every byte read here,
/// also for entries that turn out not to be documents or to be too large.
pub(super) fn unzip(
    zip_name: &str,
    bytes: &[u8],
    limits: &MailLimits,
    unzipped: &mut u64,
) -> Unzipped {
    let mut found = Unzipped {
        entries: Vec::new(),
        notes: Vec::new(),
        limit_notes: Vec::new(),
    };
    let mut archive = match ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(e) => {
            found
                .notes
                .push(format!("{zip_name} is not a readable ZIP file ({e})"));
            return found;
        }
    };
    if archive.len() > limits.max_zip_entries {
        found.limit_notes.push(format!(
            "{zip_name} has {} entries; only the first {} were read",
            archive.len(),
            limits.max_zip_entries
        ));
    }
    for index in 0..archive.len().min(limits.max_zip_entries) {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                found.notes.push(format!(
                    "{zip_name}: entry {} cannot be read ({e})",
                    index + 1
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let entry_name = entry
            .name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or_default().to_string())
            .unwrap_or_else(|_| format!("entry-{}", index + 1));
        let name = format!("{zip_name}/{entry_name}");
        let budget = limits.max_unzipped_bytes.saturating_sub(*unzipped);
        // The declared size is only a claim, but a cheap first refusal.
        if entry.size() > budget {
            found.limit_notes.push(format!(
                "{name} unpacks to {} bytes, more than the {budget} left of the {} allowed per mail",
                entry.size(),
                limits.max_unzipped_bytes
            ));
            continue;
        }
        let mut unpacked = Vec::new();
        let read = (&mut entry)
            .take(budget.saturating_add(1))
            .read_to_end(&mut unpacked);
        *unzipped = unzipped.saturating_add(unpacked.len() as u64);
        if let Err(e) = read {
            found.notes.push(format!("{name} cannot be unpacked ({e})"));
            continue;
        }
        if unpacked.len() as u64 > budget {
            found.limit_notes.push(format!(
                "{name} unpacks to more than the {budget} bytes left of the {} allowed per mail",
                limits.max_unzipped_bytes
            ));
            continue;
        }
        if is_zip(&unpacked) {
            found.notes.push(format!(
                "{name} is an archive inside an archive; it is not opened"
            ));
            continue;
        }
        match media::sniff(&entry_name, &unpacked) {
            media_type @ (media::PDF | media::XML) => found.entries.push(Entry {
                name,
                media_type,
                bytes: unpacked,
            }),
            _ => found
                .notes
                .push(format!("{name} is not a PDF or XML document")),
        }
    }
    found
}
