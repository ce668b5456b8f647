//! `docket extract FILE... [--json]`: offline extraction, no database.
//!
//! Exits 0 when every file was read, 2 when any could not be (with a one-line
//! reason per file on stderr); the files that were read are printed either way.
//! Files are parsed in a parser process, as the pipeline parses them.
//! `--summary` prints counts and speed instead of documents ([`summary`]);
//! `--files-from` takes the list of files from a file or stdin.

mod summary;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use docket_domain::BusinessDocument;
use docket_extract::{Extraction, InputKind, Limits, Reader};
use docket_ingest::{mail, media};
use serde::Serialize;

/// Arguments of `docket extract`.
#[derive(Args)]
pub struct ExtractArgs {
    /// PDF, XML, EML or plain-text (.txt) files.
    #[arg(required_unless_present = "files_from")]
    files: Vec<PathBuf>,
    /// Also read the files listed in FILE, one path per line (`-`: stdin),
    /// for lists too long for the command line.
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// Print JSON: a list of {file, part, method, document}, `document` per
    /// schemas/business-document.json; with --summary, the summary.
    #[arg(long)]
    json: bool,
    /// Print no documents, only how many files and documents were read, how
    /// many files failed and how fast (progress on stderr): a whole run over
    /// many files in one process, as scripts/bench-extract measures it.
    #[arg(long)]
    summary: bool,
    /// Time budget per file, in seconds.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
    /// Parse on a thread of this process instead of a parser process
    /// (no memory limit; a time-out abandons the thread).
    #[arg(long)]
    in_process: bool,
    /// Read a PDF's page even where it carries an e-invoice XML (what
    /// `docket eval --visual-only` measures; in this process).
    #[arg(long)]
    visual_only: bool,
}

/// One document read from a file.
#[derive(Serialize)]
struct Entry {
    file: String,
    part: Option<String>,
    method: String,
    document: BusinessDocument,
}

/// Runs the command.
pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let limits = Limits {
        time_budget: std::time::Duration::from_secs(args.timeout),
        ..Limits::default()
    };
    let mut files = args.files;
    if let Some(list) = &args.files_from {
        files.extend(read_list(list)?);
    }
    // One process: files are read one after another.
    let reader = if args.visual_only {
        Reader::VisualInProcess
    } else if args.in_process {
        Reader::InProcess
    } else {
        crate::wiring::parser_pool(1)?
    };
    let failed = if args.summary {
        summary::run(&reader, &files, limits, args.json)?
    } else {
        print_all(&reader, &files, limits, args.json)?
    };
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The paths listed in `list` (`-`: stdin), one per line; blank lines are
/// skipped.
fn read_list(list: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let lines: Vec<String> = if list == Path::new("-") {
        std::io::stdin().lock().lines().collect::<Result<_, _>>()
    } else {
        std::fs::read_to_string(list).map(|text| text.lines().map(str::to_string).collect())
    }
    .with_context(|| format!("reading the list of files {}", list.display()))?;
    Ok(lines
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .collect())
}

/// Reads every file and prints the documents read; whether any file failed.
fn print_all(
    reader: &Reader,
    files: &[PathBuf],
    limits: Limits,
    json: bool,
) -> anyhow::Result<bool> {
    let mut entries = Vec::new();
    let mut failed = false;
    for path in files {
        let file = path.display().to_string();
        match read_file(reader, path, limits) {
            Ok(found) => entries.extend(found.into_iter().map(|(part, e)| Entry {
                file: file.clone(),
                part,
                method: e.method,
                document: e.document,
            })),
            Err(reason) => {
                eprintln!("{file}: {reason}");
                failed = true;
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        for entry in &entries {
            print_document(entry);
        }
    }
    Ok(failed)
}

/// Reads one file: a PDF, XML or plain-text (`.txt`) document, or every
/// document a mail carries (with the name of the part it came from).
pub fn read_file(
    reader: &Reader,
    path: &Path,
    limits: Limits,
) -> Result<Vec<(Option<String>, Extraction)>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if metadata.len() > limits.max_bytes as u64 {
        return Err(format!(
            "file is {} bytes, over the limit of {}",
            metadata.len(),
            limits.max_bytes
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match media::sniff(&name, &bytes) {
        media::MAIL => {
            let split =
                mail::split(&bytes, &mail::MailLimits::default()).map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            for part in split.parts {
                let kind = InputKind::from_media_type(part.media_type)
                    .ok_or_else(|| format!("{}: not a document", part.name))?;
                let e = reader
                    .read(part.bytes, kind, limits)
                    .map_err(|e| format!("{}: {e}", part.name))?;
                out.push((Some(part.name), e));
            }
            Ok(out)
        }
        other => {
            // Text has no signature to sniff: a `.txt` file is taken at its name.
            let text = name.to_ascii_lowercase().ends_with(".txt");
            let kind = InputKind::from_media_type(other)
                .or(text.then_some(InputKind::Text))
                .ok_or("not a PDF, XML, e-mail or .txt file")?;
            let e = reader
                .read(bytes, kind, limits)
                .map_err(|e| e.to_string())?;
            Ok(vec![(None, e)])
        }
    }
}

fn print_document(entry: &Entry) {
    let d = &entry.document;
    let title = match &entry.part {
        Some(part) => format!("{} > {part}", entry.file),
        None => entry.file.clone(),
    };
    println!("{title}  ({})", entry.method);
    let show = |label: &str, value: Option<String>, confidence: Option<f32>| {
        if let Some(value) = value {
            let c = confidence
                .map(|c| format!("  [{:.0} %]", c * 100.0))
                .unwrap_or_default();
            println!("  {label:<14} {value}{c}");
        }
    };
    show(
        "kind",
        Some(d.kind().as_str().to_string()),
        Some(d.header.kind.confidence.value()),
    );
    show(
        "number",
        d.header.number.as_ref().map(|f| f.value.clone()),
        d.header.number.as_ref().map(|f| f.confidence.value()),
    );
    show(
        "issue date",
        d.header.issue_date.as_ref().map(|f| f.value.to_string()),
        d.header.issue_date.as_ref().map(|f| f.confidence.value()),
    );
    show(
        "seller",
        d.seller.name().map(str::to_string),
        d.seller.name.as_ref().map(|f| f.confidence.value()),
    );
    show(
        "seller VAT id",
        d.seller.vat_id.as_ref().map(|f| f.value.clone()),
        d.seller.vat_id.as_ref().map(|f| f.confidence.value()),
    );
    for account in &d.seller.bank_accounts {
        show(
            "IBAN",
            Some(account.iban.value.clone()),
            Some(account.iban.confidence.value()),
        );
    }
    show(
        "buyer",
        d.buyer.name().map(str::to_string),
        d.buyer.name.as_ref().map(|f| f.confidence.value()),
    );
    let pos: Vec<&str> = d
        .references
        .purchase_orders
        .iter()
        .map(|f| f.value.as_str())
        .collect();
    show("PO", (!pos.is_empty()).then(|| pos.join(", ")), None);
    let t = &d.totals;
    for (label, field) in [("net", &t.net), ("tax", &t.tax), ("gross", &t.gross)] {
        show(
            label,
            field.as_ref().map(|f| f.value.to_string()),
            field.as_ref().map(|f| f.confidence.value()),
        );
    }
    println!("  {} line(s)", d.lines.len());
    for (i, line) in d.lines.iter().enumerate() {
        let text = line.description.as_ref().map_or("", |f| f.value.as_str());
        let qty = line
            .quantity
            .as_ref()
            .map(|f| f.value.to_string())
            .unwrap_or_default();
        let price = line
            .unit_price
            .as_ref()
            .map(|f| f.value.amount.to_string())
            .unwrap_or_default();
        let amount = line
            .amount
            .as_ref()
            .map(|f| f.value.amount.to_string())
            .unwrap_or_default();
        println!(
            "  {:>3}. {:<40} {:>10} x {:>10} = {:>12}",
            i + 1,
            text.chars().take(40).collect::<String>(),
            qty,
            price,
            amount
        );
    }
    println!();
}
