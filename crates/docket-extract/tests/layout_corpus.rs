//! The layout extractor over the real documents of `../shared/corpus`.
//!
//! Reads every PDF of the corpus truth file from its text layer only (the
//! attached e-invoice XML is ignored) and scores the invoice number and the
//! gross total where the truth is known to be visible on the page
//! (`verified_visual_vs_xml`), plus the invoice2data test invoices against
//! that project's expected output, as `docket eval` scores them
//! (`docket_eval`; `docket eval --visual-only` gives every field). The
//! figures are printed; the assertions
//! are what must always hold (no panic in Docket's code, no error but
//! `NoText`/`Pdf`/`Encrypted`) and regression floors on wrong and
//! confidently wrong gross totals and document numbers.
//! Skips with a message when the corpus is absent.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use docket_domain::{BusinessDocument, Confidence};
use docket_eval::Outcome as FieldOutcome;
use docket_eval::invoice2data::parse_expected;
use docket_eval::{DocumentScore, Expected, FieldName, FieldScore, score_document};
use docket_extract::ExtractError;
use docket_extract::layout;
use docket_extract::pdf::text::page_texts;

/// Measured on the corpus when this floor was set: 0 of 186 verified gross
/// totals wrong (186 right, 0 empty). A change that makes more than about 2 %
/// of them wrong, or more than 1 % wrong with a confidence that skips review,
/// fails here.
const MAX_WRONG_GROSS_SHARE: f64 = 0.02;
const MAX_CONFIDENTLY_WRONG_GROSS_SHARE: f64 = 0.01;
/// The same floor for document numbers, measured at 188 of 188 verified
/// numbers right (0 wrong, 0 empty) once CID width tables were repaired and
/// order titles read.
const MAX_WRONG_NUMBER_SHARE: f64 = 0.02;
const MAX_CONFIDENTLY_WRONG_NUMBER_SHARE: f64 = 0.01;
const PAGE_LIMIT: usize = 20;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.join("truth/dev.json").is_file().then_some(dir)
}

#[derive(Default, Debug)]
struct Score {
    right: usize,
    wrong: usize,
    confidently_wrong: usize,
    empty: usize,
    sure_right: usize,
}

impl Score {
    fn add(&mut self, got: &FieldScore) {
        let sure = got
            .confidence
            .is_some_and(|c| Confidence::new(c as f32).is_sure());
        match got.outcome {
            FieldOutcome::Missing | FieldOutcome::Unexpected => self.empty += 1,
            FieldOutcome::Right => {
                self.right += 1;
                self.sure_right += usize::from(sure);
            }
            FieldOutcome::Wrong => {
                self.wrong += 1;
                self.confidently_wrong += usize::from(got.confidently_wrong);
            }
        }
    }

    fn total(&self) -> usize {
        self.right + self.wrong + self.empty
    }

    fn line(&self, what: &str) -> String {
        format!(
            "{what}: {} right ({} of them sure), {} wrong ({} of them sure), {} empty, of {}",
            self.right,
            self.sure_right,
            self.wrong,
            self.confidently_wrong,
            self.empty,
            self.total()
        )
    }
}

enum Outcome {
    Read(Box<BusinessDocument>),
    /// No text layer or an unreadable PDF: an accepted answer.
    Refused(ExtractError),
    /// pdf-extract panicked (contained by the caller in production).
    TextPanicked,
}

fn read(path: &Path) -> Outcome {
    let Ok(bytes) = std::fs::read(path) else {
        return Outcome::Refused(ExtractError::Pdf("unreadable file".into()));
    };
    let Ok(doc) = lopdf::Document::load_mem(&bytes) else {
        return Outcome::Refused(ExtractError::Pdf("lopdf cannot load".into()));
    };
    let pages = match catch_unwind(AssertUnwindSafe(|| page_texts(&doc, PAGE_LIMIT))) {
        Ok(Ok(pages)) => pages,
        Ok(Err(e)) => return Outcome::Refused(e),
        Err(_) => return Outcome::TextPanicked,
    };
    match catch_unwind(AssertUnwindSafe(|| layout::extract(&pages))) {
        Ok(Ok(doc)) => Outcome::Read(Box::new(doc)),
        Ok(Err(e)) => Outcome::Refused(e),
        Err(_) => panic!("the layout extractor panicked on {}", path.display()),
    }
}

/// Scores the number and the gross total of a document read from the page,
/// adding them to `scores` (and noting every miss).
fn score(
    file: &str,
    expected: &Expected,
    doc: &BusinessDocument,
    scores: &mut [&mut Score; 2],
    misses: &mut Vec<String>,
) {
    let scored: DocumentScore = score_document(file, file, expected, Ok((doc, "layout")));
    for (field, score) in [FieldName::Number, FieldName::Gross]
        .into_iter()
        .zip(scores)
    {
        let Some(got) = scored.fields.get(&field).filter(|f| f.is_scored()) else {
            continue;
        };
        score.add(got);
        if got.outcome != FieldOutcome::Right {
            misses.push(format!(
                "{field} {file}: want {}, got {:?}",
                got.expected.as_deref().unwrap_or_default(),
                got.got
            ));
        }
    }
}

#[test]
fn layout_reads_the_corpus() {
    let Some(root) = corpus() else {
        eprintln!("SKIPPED layout_reads_the_corpus: ../shared/corpus not found");
        return;
    };
    let records = docket_eval::parse_truth(
        &std::fs::read_to_string(root.join("truth/dev.json")).expect("truth"),
    )
    .expect("json");
    // pdf-extract's own panics are contained by the caller; keep them quiet here.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let (mut files, mut refused, mut text_panics) = (0usize, 0usize, 0usize);
    let (mut numbers, mut grosses) = (Score::default(), Score::default());
    let (mut scen_numbers, mut scen_grosses) = (Score::default(), Score::default());
    let mut scenarios = BTreeSet::new();
    let mut misses = Vec::new();
    for r in &records {
        let file = r.file.as_str();
        if !file.to_ascii_lowercase().ends_with(".pdf") {
            continue;
        }
        files += 1;
        let outcome = read(&root.join(file));
        let doc = match outcome {
            Outcome::Read(doc) => doc,
            Outcome::Refused(e) => {
                assert!(
                    matches!(
                        e,
                        ExtractError::NoText | ExtractError::Pdf(_) | ExtractError::Encrypted
                    ),
                    "{file}: unexpected error {e}"
                );
                refused += 1;
                continue;
            }
            Outcome::TextPanicked => {
                text_panics += 1;
                continue;
            }
        };
        let Ok(truth) = r.scored(true) else {
            continue;
        };
        let expected = truth.expected();
        score(
            file,
            &expected,
            &doc,
            &mut [&mut numbers, &mut grosses],
            &mut misses,
        );
        if scenarios.insert(r.scenario().to_string()) {
            score(
                file,
                &expected,
                &doc,
                &mut [&mut scen_numbers, &mut scen_grosses],
                &mut Vec::new(),
            );
        }
    }
    let (i2d_numbers, i2d_grosses) = invoice2data(&root, &mut misses);
    std::panic::set_hook(hook);

    eprintln!(
        "layout over the corpus: {files} PDFs, {refused} refused (no text / unreadable), {text_panics} pdf-extract panics"
    );
    eprintln!("verified files   {}", numbers.line("numbers"));
    eprintln!("verified files   {}", grosses.line("gross"));
    eprintln!(
        "scenarios ({})  {}",
        scenarios.len(),
        scen_numbers.line("numbers")
    );
    eprintln!(
        "scenarios ({})  {}",
        scenarios.len(),
        scen_grosses.line("gross")
    );
    eprintln!("invoice2data     {}", i2d_numbers.line("numbers"));
    eprintln!("invoice2data     {}", i2d_grosses.line("gross"));
    for m in &misses {
        eprintln!("  miss: {m}");
    }
    let share = |n: usize, of: usize| n as f64 / of.max(1) as f64;
    assert!(
        share(grosses.confidently_wrong, grosses.total()) <= MAX_CONFIDENTLY_WRONG_GROSS_SHARE,
        "too many confidently wrong gross totals: {}",
        grosses.line("gross")
    );
    assert!(
        share(grosses.wrong, grosses.total()) <= MAX_WRONG_GROSS_SHARE,
        "too many wrong gross totals: {}",
        grosses.line("gross")
    );
    assert!(
        share(numbers.confidently_wrong, numbers.total()) <= MAX_CONFIDENTLY_WRONG_NUMBER_SHARE,
        "too many confidently wrong numbers: {}",
        numbers.line("numbers")
    );
    assert!(
        share(numbers.wrong, numbers.total()) <= MAX_WRONG_NUMBER_SHARE,
        "too many wrong numbers: {}",
        numbers.line("numbers")
    );
}

/// The invoice2data test invoices against that project's expected output.
fn invoice2data(root: &Path, misses: &mut Vec<String>) -> (Score, Score) {
    let dir = root.join("invoices/invoice2data-tests/tests/compare");
    let (mut numbers, mut grosses) = (Score::default(), Score::default());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (numbers, grosses);
    };
    let mut pdfs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    for pdf in pdfs {
        let Ok(text) = std::fs::read_to_string(pdf.with_extension("json")) else {
            continue;
        };
        let Ok(expected) = parse_expected(&text) else {
            continue;
        };
        let Outcome::Read(doc) = read(&pdf) else {
            continue;
        };
        let name = pdf
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        score(
            &name,
            &expected.expected,
            &doc,
            &mut [&mut numbers, &mut grosses],
            misses,
        );
    }
    (numbers, grosses)
}
