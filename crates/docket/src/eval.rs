//! `docket eval`: scores extraction against ground truth.
//!
//! Two sources of truth: a truth file in the format of
//! `../shared/corpus/truth/dev.json` (`--truth FILE --root DIR`), or
//! invoice2data's expected outputs (`--invoice2data DIR`, a folder of
//! `<name>.json` beside the invoice `<name>.pdf`, or the text `<name>.txt`
//! invoice2data was given for some suppliers). Files are read in parallel
//! (one worker per available core) with progress on stderr; a file that cannot
//! be read scores as all-empty with its reason, it never stops the run.
//! Scoring itself is `docket_eval`'s; docs/extraction.md explains the figures.

mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use docket_eval::invoice2data::parse_expected;
use docket_eval::{
    DocumentScore, Expected, FieldName, Report, Skip, parse_errata, parse_truth, score_document,
};
use docket_extract::{Extraction, Limits, Reader};

use crate::extract::read_file;
use crate::progress::Progress;

/// Arguments of `docket eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// Truth file in the format of ../shared/corpus/truth/dev.json.
    #[arg(long, requires = "root", required_unless_present = "invoice2data")]
    truth: Option<PathBuf>,
    /// Folder the truth's `file` paths are relative to.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Score invoice2data's expected outputs instead: a folder of `<name>.json`
    /// beside the invoice `<name>.pdf` or `<name>.txt` (invoice2data's tests/compare).
    #[arg(long, conflicts_with_all = ["truth", "root"])]
    invoice2data: Option<PathBuf>,
    /// Measure the page itself: ignore attached and embedded XML, and score
    /// only records whose `verified_visual_vs_xml` is true.
    #[arg(long)]
    visual_only: bool,
    /// Print the figures as JSON (the shape is documented in docs/extraction.md).
    #[arg(long)]
    json: bool,
    /// Corrections to the truth where it is not what the page shows (a JSON
    /// list of {file, field, page, why}; docs/extraction.md, "Errata").
    #[arg(long, requires = "truth")]
    errata: Option<PathBuf>,
    /// Also list every field that is not right, per file (human output only).
    #[arg(long)]
    misses: bool,
    /// Time budget per file, in seconds.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
}

/// One file to read and what its truth expects.
struct Job {
    /// The file as the truth names it.
    name: String,
    path: PathBuf,
    scenario: String,
    expected: Expected,
}

/// What was found to score, and what was left out and why.
struct Plan {
    jobs: Vec<Job>,
    /// Records not scored, by reason.
    skipped: BTreeMap<&'static str, usize>,
    /// invoice2data names with no Docket field, and how many files give each.
    unmapped: BTreeMap<String, usize>,
    /// The fields pooled into `header_accuracy`.
    header: &'static [FieldName],
    title: String,
    /// Truth fields replaced by an erratum (what the page shows).
    errata_applied: usize,
}

/// Runs the command.
pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let plan = match (&args.invoice2data, &args.truth, &args.root) {
        (Some(dir), _, _) => invoice2data_plan(dir)?,
        (None, Some(truth), Some(root)) => {
            truth_plan(truth, root, args.visual_only, args.errata.as_deref())?
        }
        _ => anyhow::bail!("give --truth FILE --root DIR, or --invoice2data DIR"),
    };
    if plan.jobs.is_empty() {
        anyhow::bail!("nothing to score: no record has usable truth");
    }
    let limits = Limits {
        time_budget: Duration::from_secs(args.timeout),
        ..Limits::default()
    };
    let documents = score_all(&plan.jobs, args.visual_only, limits);
    let report = Report::new(documents, plan.header);
    if args.json {
        let mut json = report.to_json();
        json["errata_applied"] = plan.errata_applied.into();
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        let mode = if args.visual_only {
            "visual only: the page, embedded XML ignored"
        } else {
            "e-invoice XML where there is one, else the page"
        };
        table::print(&report, &plan, mode, args.misses);
    }
    Ok(ExitCode::SUCCESS)
}

fn truth_plan(
    truth: &Path,
    root: &Path,
    visual_only: bool,
    errata: Option<&Path>,
) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(truth)
        .with_context(|| format!("cannot read the truth file {}", truth.display()))?;
    let records = parse_truth(&text).with_context(|| truth.display().to_string())?;
    let errata = match errata {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the errata file {}", path.display()))?;
            parse_errata(&text).with_context(|| path.display().to_string())?
        }
        None => Vec::new(),
    };
    let mut jobs = Vec::new();
    let mut skipped = BTreeMap::new();
    let mut errata_applied = 0;
    for record in &records {
        match record.scored(visual_only) {
            Ok(t) => {
                let mut expected = t.expected();
                for erratum in errata.iter().filter(|e| e.file == record.file) {
                    errata_applied += usize::from(erratum.apply(&mut expected)?);
                }
                jobs.push(Job {
                    name: record.file.clone(),
                    path: root.join(&record.file),
                    scenario: record.scenario().to_string(),
                    expected,
                });
            }
            Err(skip) => *skipped.entry(Skip::as_str(skip)).or_default() += 1,
        }
    }
    Ok(Plan {
        jobs,
        skipped,
        unmapped: BTreeMap::new(),
        header: FieldName::HEADER,
        title: format!("truth {}", truth.display()),
        errata_applied,
    })
}

/// Every `<name>.json` in `dir` with the input file of the same name beside it.
fn invoice2data_plan(dir: &Path) -> anyhow::Result<Plan> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    let mut jobs = Vec::new();
    let mut skipped = BTreeMap::new();
    let mut unmapped = BTreeMap::new();
    for json in names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(json)
            .with_context(|| format!("cannot read {}", json.display()))?;
        let expected = parse_expected(&text).with_context(|| json.display().to_string())?;
        // invoice2data's input: the file of the same stem that is not the JSON
        // (a PDF, or for some suppliers the text invoice2data was given).
        let Some(input) = names
            .iter()
            .find(|p| p.file_stem() == json.file_stem() && *p != json)
        else {
            *skipped
                .entry("no input file beside the expected output")
                .or_default() += 1;
            continue;
        };
        for name in expected.unmapped {
            *unmapped.entry(name).or_default() += 1;
        }
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        jobs.push(Job {
            scenario: name.clone(),
            name,
            path: input.clone(),
            expected: expected.expected,
        });
    }
    Ok(Plan {
        jobs,
        skipped,
        unmapped,
        // Every field invoice2data gives counts: "how many of its fields".
        header: &FieldName::ALL,
        title: format!("invoice2data expected outputs in {}", dir.display()),
        errata_applied: 0,
    })
}

/// Reads and scores every job on all available cores, in the jobs' order.
fn score_all(jobs: &[Job], visual_only: bool, limits: Limits) -> Vec<DocumentScore> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<DocumentScore>> = vec![None; jobs.len()];
    let mut progress = Progress::new("eval", jobs.len());
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers {
            let (tx, next) = (tx.clone(), &next);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if tx.send((i, score_job(job, visual_only, limits))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, score) in rx {
            slots[i] = Some(score);
            progress.tick();
        }
    });
    progress.finish();
    slots.into_iter().flatten().collect()
}

fn score_job(job: &Job, visual_only: bool, limits: Limits) -> DocumentScore {
    let reading = read(&job.path, visual_only, limits);
    let reading = reading
        .as_ref()
        .map(|e| (&e.document, e.method.as_str()))
        .map_err(Clone::clone);
    score_document(&job.name, &job.scenario, &job.expected, reading)
}

/// The one document of a PDF, XML or text file, read as `docket extract` reads it.
fn read(path: &Path, visual_only: bool, limits: Limits) -> Result<Extraction, String> {
    let reader = if visual_only {
        Reader::VisualInProcess
    } else {
        Reader::InProcess
    };
    let documents = read_file(&reader, path, limits)?;
    documents
        .into_iter()
        .next()
        .map(|(_, e)| e)
        .ok_or_else(|| "no document in the file".to_string())
}
