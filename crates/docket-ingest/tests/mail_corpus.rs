//! Every file under `../shared/corpus/mail` through the mail splitter.
//!
//! The corpus holds some 1,400 files from five mail-parsing projects: MIME
//! messages (malformed headers, broken boundaries, TNEF, message/partial, odd
//! charsets, PDFs in every encoding) and, beside them, those projects'
//! reference outputs and raw part bodies. All of them go through
//! [`mail::split`] with the default limits, because intake sees whatever a
//! sender or a drop folder hands it: each must end ingested (at least one
//! document) or quarantined (an error with a reason a person can read), with
//! no panic and no hang. The counts and the commonest reasons are printed.
//!
//! Where the corpus has a reference parse (`mail-parser/.../<n>.json` beside
//! `<n>.eml`), every named attachment it lists must be accounted for: taken as
//! a document, or named in a note saying why it was left out.
//!
//! Skips, visibly, when the corpus is absent. `MAIL_CORPUS_LIST=1` lists every
//! quarantined message and every document taken.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use docket_ingest::mail::{self, MailLimits, SplitMail};
use serde_json::Value;

/// Far beyond what any one message takes; only a hang reaches it.
const PER_FILE_BOUND: Duration = Duration::from_secs(60);

/// Extensions of the corpus's reference outputs, extracted part bodies and raw
/// attachments (counted apart in the report; they go through the splitter all the same).
const NOT_MESSAGES: [&str; 17] = [
    "json", "xml", "out", "bin", "html", "htm", "list", "rtf", "tnef", "png", "jpg", "gif", "tiff",
    "doc", "zip", "pdf", "wav",
];

/// Whether a corpus file is one of its projects' reference outputs, part
/// bodies, raw attachments or licence texts rather than a message.
fn is_reference_or_part(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    NOT_MESSAGES.contains(&extension.to_ascii_lowercase().as_str())
        || name.contains("_decoded_")
        || name.starts_with('.')
        || ["COPYING", "NOTICE", "README", "LICENSE"].iter().any(|n| name.contains(n))
        // Files unpacked from the TNEF samples, and licence folders.
        || path.components().any(|c| c.as_os_str() == "tnef" || c.as_os_str() == "LICENSES")
}

fn corpus_mail() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/mail"
    ))
    .to_path_buf()
}

fn files_below(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_below(&path, found);
        } else if path.is_file() {
            found.push(path);
        }
    }
}

/// How one file ended.
enum Outcome {
    Ingested(SplitMail),
    Quarantined(String),
    Panicked(String),
}

fn classify(path: &Path) -> Outcome {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    match std::panic::catch_unwind(|| mail::split(&raw, &MailLimits::default())) {
        Ok(Ok(split)) => Outcome::Ingested(split),
        Ok(Err(e)) => Outcome::Quarantined(e.to_string()),
        Err(panic) => Outcome::Panicked(
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        ),
    }
}

/// A reason with its particulars (numbers, names in parentheses) blurred, for counting.
fn reason_kind(reason: &str) -> String {
    let general: String = reason
        .split([';', '('])
        .next()
        .unwrap_or(reason)
        .trim_end()
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .take(90)
        .collect();
    general
}

#[test]
fn every_corpus_mail_is_ingested_or_quarantined_with_a_reason() {
    let root = corpus_mail();
    if !root.is_dir() {
        eprintln!(
            "SKIPPED every_corpus_mail_is_ingested_or_quarantined_with_a_reason: ../shared/corpus/mail not found"
        );
        return;
    }
    let mut files = Vec::new();
    files_below(&root, &mut files);
    assert!(!files.is_empty(), "no files below {}", root.display());

    // One worker reads them in turn; a hang fails the test instead of blocking CI.
    let (sender, outcomes) = mpsc::channel();
    let worker_files = files.clone();
    std::thread::spawn(move || {
        for path in worker_files {
            let outcome = classify(&path);
            if sender.send((path, outcome)).is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let mut results: Vec<(PathBuf, Outcome)> = Vec::with_capacity(files.len());
    for expected in &files {
        match outcomes.recv_timeout(PER_FILE_BOUND) {
            Ok(result) => results.push(result),
            Err(_) => panic!(
                "no result for {} within {PER_FILE_BOUND:?}: the splitter hangs (or died) on it",
                expected.display()
            ),
        }
    }
    let elapsed = started.elapsed();

    // MAIL_CORPUS_LIST=1 lists every quarantined message and every document taken.
    let listing = std::env::var_os("MAIL_CORPUS_LIST").is_some();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut reasons: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut documents: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut contained, mut panics, mut empty_reasons) = (Vec::new(), Vec::new(), Vec::new());
    for (path, outcome) in &results {
        let set = if is_reference_or_part(path) {
            "reference/part files"
        } else {
            "message files"
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        match outcome {
            Outcome::Ingested(split) => {
                *counts.entry((set, "ingested")).or_default() += 1;
                for part in &split.parts {
                    *documents.entry(part.media_type).or_default() += 1;
                    if listing && part.media_type != "text/plain" {
                        eprintln!("taken {rel}: {} ({})", part.name, part.media_type);
                    }
                }
            }
            Outcome::Quarantined(reason) => {
                *counts.entry((set, "quarantined")).or_default() += 1;
                *reasons.entry((set, reason_kind(reason))).or_default() += 1;
                if reason.trim().is_empty() {
                    empty_reasons.push(rel.clone());
                }
                if reason.contains("MIME parser failed") {
                    contained.push(format!("{rel}: {reason}"));
                }
                if listing && set == "message files" {
                    eprintln!("quarantined {rel}: {reason}");
                }
            }
            Outcome::Panicked(message) => panics.push(format!("{rel}: {message}")),
        }
    }

    eprintln!("mail corpus: {} files in {elapsed:.1?}", results.len());
    for ((set, outcome), count) in &counts {
        eprintln!("  {set:<22} {outcome:<12} {count}");
    }
    eprintln!("  documents taken: {documents:?}");
    let mut commonest: Vec<(&(&str, String), &usize)> = reasons.iter().collect();
    commonest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    eprintln!("  quarantine reasons:");
    for ((set, reason), count) in commonest {
        eprintln!("    {count:>5}  {set:<22} {reason}");
    }
    if !contained.is_empty() {
        eprintln!(
            "  the MIME parser panicked (contained, quarantined) on {}:",
            contained.len()
        );
        for line in &contained {
            eprintln!("    {line}");
        }
    }

    assert!(
        panics.is_empty(),
        "panics escaped the splitter:\n{}",
        panics.join("\n")
    );
    assert!(
        empty_reasons.is_empty(),
        "quarantined without a reason: {empty_reasons:?}"
    );
    assert!(
        counts
            .get(&("message files", "ingested"))
            .copied()
            .unwrap_or(0)
            > 0,
        "the corpus's messages are read at all"
    );

    check_against_reference_parses(&root, &results);
}

/// The named attachments of `part`'s reference parse (mail-parser's JSON).
fn named_attachments(reference: &Value) -> Vec<String> {
    let Some(parts) = reference["parts"].as_array() else {
        return Vec::new();
    };
    let attachments = reference["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    attachments
        .iter()
        .filter_map(|index| parts.get(usize::try_from(index.as_u64()?).ok()?))
        // Forwarded messages are opened, not taken by name.
        .filter(|part| part["body"].get("Message").is_none())
        .filter_map(|part| {
            part["headers"].as_array()?.iter().find_map(|header| {
                let attributes = header["value"]["ContentType"]["attributes"].as_array()?;
                attributes
                    .iter()
                    .filter(|a| a["name"] == "filename" || a["name"] == "name")
                    .find_map(|a| a["value"].as_str())
            })
        })
        // As the splitter names them: the last path component.
        .map(|name| {
            name.rsplit(['/', '\\'])
                .next()
                .unwrap_or(name)
                .trim()
                .to_string()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

fn check_against_reference_parses(root: &Path, results: &[(PathBuf, Outcome)]) {
    let (mut checked_mails, mut checked_names, mut checked_pdfs) = (0, 0, 0);
    let mut missing = Vec::new();
    for (path, outcome) in results {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        // mime4j's expected MIME trees (`<n>.xml` beside `<n>.msg`): every part
        // they declare as a PDF must be taken as one.
        if rel.starts_with("mime4j") && (extension == "msg" || extension == "txt") {
            let Ok(reference) = std::fs::read_to_string(path.with_extension("xml")) else {
                continue;
            };
            let declared = reference
                .to_ascii_lowercase()
                .matches("content-type: application/pdf")
                .count();
            if declared == 0 {
                continue;
            }
            checked_pdfs += declared;
            let taken = match outcome {
                Outcome::Ingested(split) => split
                    .parts
                    .iter()
                    .filter(|p| p.media_type == "application/pdf")
                    .count(),
                _ => 0,
            };
            if taken < declared {
                missing.push(format!(
                    "{rel}: {declared} PDF part(s) in the reference tree, {taken} taken"
                ));
            }
            continue;
        }
        if extension != "eml" {
            continue;
        }
        let Ok(reference) = std::fs::read(path.with_extension("json")) else {
            continue;
        };
        let reference: Value = serde_json::from_slice(&reference)
            .unwrap_or_else(|e| panic!("reference parse of {rel}: {e}"));
        let Outcome::Ingested(split) = outcome else {
            continue;
        };
        checked_mails += 1;
        for name in named_attachments(&reference) {
            checked_names += 1;
            let taken = split
                .parts
                .iter()
                .any(|p| p.name == name || p.name.starts_with(&format!("{name}/")));
            let noted = split.skipped.iter().any(|note| note.contains(&name));
            if !taken && !noted {
                missing.push(format!(
                    "{rel}: {name:?} neither taken ({:?}) nor noted ({:?})",
                    split.parts.iter().map(|p| &p.name).collect::<Vec<_>>(),
                    split.skipped
                ));
            }
        }
    }
    eprintln!(
        "  reference parses: {checked_names} named attachment(s) in {checked_mails} ingested mail(s), {checked_pdfs} PDF part(s) checked"
    );
    assert!(
        checked_mails > 0 && checked_pdfs > 0,
        "the reference parses beside the messages were not found"
    );
    assert!(
        missing.is_empty(),
        "attachments lost without a note:\n{}",
        missing.join("\n")
    );
}
