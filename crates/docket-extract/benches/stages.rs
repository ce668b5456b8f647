//! Each stage of extraction on its own, on real files of `../shared/corpus`,
//! so that the cost of a whole run (`scripts/bench-extract`) can be traced to
//! the stage it goes to.
//!
//! `cargo bench -p docket-extract --bench stages [-- FILTER] [criterion options]`
//!
//! | benchmark | what runs |
//! |---|---|
//! | `pdf_load/S` | lopdf parses the file ([`docket_extract::pdf::load::load_pdf`]) |
//! | `pdf_text/S` | pdf-extract's glyphs grouped into words and lines, on the loaded file |
//! | `layout/S` | the layout extractor on that text |
//! | `embedded/S` | finding and decoding the e-invoice attached to the loaded file |
//! | `xml/S` | the CII or UBL reader on a standalone file |
//! | `read_document/S` | the whole reading in this process (a guarded thread per file) |
//! | `parser_process/S` | the same through one parser process ([`Reader::Isolated`]) |
//!
//! The samples `S` are found by walking the corpus, never named, so that they
//! follow it: `one_page` is the median-sized one-page PDF without an attached
//! e-invoice and `most_text` the one of those with the most text lines (both
//! read by the layout extractor, so their `read_document` is the text path);
//! `hybrid` the median-sized PDF with an attached CII invoice; `cii` and `ubl`
//! the median-sized standalone XML files of each syntax. The picks are
//! printed first. Without the corpus the bench says SKIPPED and exits 0.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use docket_domain::SourceSyntax;
use docket_extract::isolate::Pool;
use docket_extract::pdf::{embedded, load, text};
use docket_extract::{
    InputKind, Limits, Reader, einvoice, guard, layout, read_document, read_document_visual,
};

/// The corpus folders holding invoices and orders (mail and hostile PDFs are
/// measured elsewhere).
const FOLDERS: [&str; 3] = ["invoices", "orders", "einvoice-xml"];

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        println!("SKIPPED: ../shared/corpus not found");
        return;
    }
    guard::quiet_parser_panics();
    let samples = pick(&corpus);
    for s in &samples {
        println!(
            "{:<10} {} ({} bytes)",
            s.label,
            s.path.display(),
            s.bytes.len()
        );
    }
    // Short runs by default (the PDF stages take milliseconds each and the
    // machine is shared); criterion's own options override these.
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    pdf_stages(&mut c, &samples);
    xml_stage(&mut c, &samples);
    whole(&mut c, &samples);
    c.final_summary();
}

/// One file the stages are measured on.
struct Sample {
    label: &'static str,
    path: PathBuf,
    bytes: Vec<u8>,
    kind: InputKind,
}

/// A group of benchmarks of one stage. Flat sampling: the PDF stages take
/// milliseconds, too long for criterion's default of ever longer samples.
fn stage<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat);
    group
}

fn pdf_stages(c: &mut Criterion, samples: &[Sample]) {
    let max_pages = Limits::default().max_pages;
    for s in samples.iter().filter(|s| s.kind == InputKind::Pdf) {
        stage(c, "pdf_load").bench_function(s.label, |b| b.iter(|| load::load_pdf(&s.bytes)));
        let Ok(doc) = load::load_pdf(&s.bytes) else {
            continue;
        };
        if s.label == "hybrid" {
            stage(c, "embedded")
                .bench_function(s.label, |b| b.iter(|| embedded::find_einvoice(&doc)));
            continue;
        }
        stage(c, "pdf_text")
            .bench_function(s.label, |b| b.iter(|| text::page_texts(&doc, max_pages)));
        let Ok(pages) = text::page_texts(&doc, max_pages) else {
            continue;
        };
        stage(c, "layout").bench_function(s.label, |b| b.iter(|| layout::extract(&pages)));
    }
}

fn xml_stage(c: &mut Criterion, samples: &[Sample]) {
    let mut group = stage(c, "xml");
    for s in samples.iter().filter(|s| s.kind == InputKind::Xml) {
        group.bench_function(s.label, |b| b.iter(|| einvoice::read_xml(&s.bytes)));
    }
}

/// The whole reading, in process and through a parser process; the copy of
/// the bytes is part of it (both readers take them by value).
fn whole(c: &mut Criterion, samples: &[Sample]) {
    let limits = Limits::default();
    // One process, as `docket extract` uses: files are read one at a time.
    let pool = Reader::Isolated(Pool::new(support::launch(), 1));
    for s in samples {
        stage(c, "read_document").bench_function(s.label, |b| {
            b.iter(|| read_document(s.bytes.clone(), s.kind, limits))
        });
        stage(c, "parser_process").bench_function(s.label, |b| {
            b.iter(|| pool.read(s.bytes.clone(), s.kind, limits))
        });
    }
}

/// A file with what picking needs to know about it.
struct Candidate {
    path: PathBuf,
    bytes: Vec<u8>,
    /// The syntax of its e-invoice (standalone, or attached to the PDF).
    syntax: Option<SourceSyntax>,
    /// Pages and text lines the layout extractor read (PDFs without an
    /// e-invoice only).
    pages: usize,
    lines: usize,
}

fn pick(corpus: &Path) -> Vec<Sample> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        support::collect(&corpus.join(folder), &mut files);
    }
    files.sort();
    let (mut pdfs, mut xmls) = (Vec::new(), Vec::new());
    for path in files {
        match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => pdfs.extend(pdf_candidate(path)),
            Some("xml") => xmls.extend(xml_candidate(path)),
            _ => {}
        }
    }
    let text_only = |c: &&Candidate| c.syntax.is_none();
    let one_page = median(pdfs.iter().filter(text_only).filter(|c| c.pages == 1));
    let most_text = pdfs.iter().filter(text_only).max_by_key(|c| c.lines);
    let with = |syntax: SourceSyntax| move |c: &&Candidate| c.syntax == Some(syntax);
    let picks = [
        ("one_page", one_page, InputKind::Pdf),
        ("most_text", most_text, InputKind::Pdf),
        (
            "hybrid",
            median(pdfs.iter().filter(with(SourceSyntax::Cii))),
            InputKind::Pdf,
        ),
        (
            "cii",
            median(xmls.iter().filter(with(SourceSyntax::Cii))),
            InputKind::Xml,
        ),
        (
            "ubl",
            median(xmls.iter().filter(with(SourceSyntax::UblInvoice))),
            InputKind::Xml,
        ),
    ];
    picks
        .into_iter()
        .filter_map(|(label, c, kind)| {
            let c = c?;
            Some(Sample {
                label,
                path: c.path.strip_prefix(corpus).unwrap_or(&c.path).to_path_buf(),
                bytes: c.bytes.clone(),
                kind,
            })
        })
        .collect()
}

/// A PDF that reads: with the syntax of its attached e-invoice, or else
/// with the size of its text (read guarded: the corpus holds deliberately
/// broken files). Files pdftotext had to read are left out, since the
/// `pdf_text` stage would not measure what `read_document` does on them.
fn pdf_candidate(path: PathBuf) -> Option<Candidate> {
    let bytes = std::fs::read(&path).ok()?;
    let doc = load::load_pdf(&bytes).ok()?;
    if let Some(file) = embedded::find_einvoice(&doc) {
        let syntax = einvoice::detect_syntax(&file.data);
        return Some(Candidate {
            path,
            bytes,
            syntax,
            pages: 0,
            lines: 0,
        });
    }
    let read = read_document_visual(bytes.clone(), InputKind::Pdf, Limits::default()).ok()?;
    let text = read.text.filter(|_| !read.method.contains("pdftotext"))?;
    Some(Candidate {
        path,
        bytes,
        syntax: None,
        pages: text.split('\u{c}').count(),
        lines: text.lines().count(),
    })
}

fn xml_candidate(path: PathBuf) -> Option<Candidate> {
    let bytes = std::fs::read(&path).ok()?;
    let syntax = Some(einvoice::detect_syntax(&bytes)?);
    Some(Candidate {
        path,
        bytes,
        syntax,
        pages: 0,
        lines: 0,
    })
}

/// The candidate of median size in bytes (ties to the first path).
fn median<'a>(candidates: impl Iterator<Item = &'a Candidate>) -> Option<&'a Candidate> {
    let mut all: Vec<&Candidate> = candidates.collect();
    all.sort_by_key(|c| c.bytes.len());
    all.get(all.len() / 2).copied()
}
