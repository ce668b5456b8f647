//! Every file of `../shared/corpus/hostile-pdf` (damaged, encrypted, looping
//! and fuzzer-found PDFs, and the odd file that is no PDF at all) through the
//! pool of parser processes, in parallel, as a PDF: each must end read or
//! refused with a reason, within its time budget plus a margin, with no
//! process left behind. Prints the count per outcome.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use docket_extract::isolate::{Launch, Pool, default_pool_size};
use docket_extract::pdf::text::poppler;
use docket_extract::{ExtractError, InputKind, Limits};

/// Time for the parent to notice an overrun, kill and reap.
const MARGIN: Duration = Duration::from_secs(5);

struct Outcome {
    file: PathBuf,
    took: Duration,
    result: Result<String, ExtractError>,
}

#[test]
fn every_hostile_pdf_is_read_or_refused_with_a_reason_in_time() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/hostile-pdf");
    if !dir.is_dir() {
        eprintln!("SKIPPED: ../shared/corpus not found");
        return;
    }
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let limits = Limits::default();
    let size = default_pool_size();
    let pool = Pool::new(
        Launch {
            program: env!("CARGO_BIN_EXE_docket-parser").into(),
            args: Vec::new(),
            start_timeout: Duration::from_secs(30),
        },
        size,
    );
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..size {
            scope.spawn(|| {
                while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let bytes = std::fs::read(file).expect("read a corpus file");
                    let t0 = Instant::now();
                    let result = pool.read(bytes, InputKind::Pdf, limits).map(|e| e.method);
                    let outcome = Outcome {
                        file: file.strip_prefix(&dir).unwrap_or(file).to_path_buf(),
                        took: t0.elapsed(),
                        result,
                    };
                    outcomes.lock().expect("outcomes").push(outcome);
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let outcomes = outcomes.into_inner().expect("outcomes");

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &outcomes {
        *counts.entry(class(&o.result)).or_default() += 1;
    }
    let mut slowest: Vec<&Outcome> = outcomes.iter().collect();
    slowest.sort_by_key(|o| std::cmp::Reverse(o.took));
    eprintln!(
        "hostile PDFs: {} files in {:.1} s over {size} parser processes (pdftotext {})",
        outcomes.len(),
        elapsed.as_secs_f64(),
        if poppler::installed().is_some() {
            "installed"
        } else {
            "not installed"
        },
    );
    for (class, n) in &counts {
        eprintln!("  {n:>5}  {class}");
    }
    for o in slowest.iter().take(5) {
        eprintln!("  slow: {:>6} ms  {}", o.took.as_millis(), o.file.display());
    }
    // Where the process gave out, file by file; panics by message.
    let mut panics: BTreeMap<String, usize> = BTreeMap::new();
    for o in &outcomes {
        match (class(&o.result), &o.result) {
            ("crashed: a panic, contained", Err(e)) => {
                *panics.entry(e.to_string()).or_default() += 1
            }
            ("crashed: the parser process died" | "time-out" | "memory limit", Err(e)) => {
                eprintln!("  {}: {e}", o.file.display());
            }
            _ => {}
        }
    }
    let mut panics: Vec<(String, usize)> = panics.into_iter().collect();
    panics.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (message, n) in panics.iter().take(10) {
        eprintln!("  {n:>5} x {message}");
    }

    assert_eq!(outcomes.len(), files.len());
    for o in &outcomes {
        if let Err(e) = &o.result {
            assert!(!e.to_string().trim().is_empty(), "{}", o.file.display());
            assert!(!e.is_transient(), "{}: {e}", o.file.display());
        }
        assert!(
            o.took <= limits.time_budget + MARGIN,
            "{} took {:?}",
            o.file.display(),
            o.took
        );
    }
    let pids = pool.pids();
    assert!(pids.len() <= size, "{pids:?}");
    drop(pool);
    assert_eq!(
        children(),
        Vec::<u32>::new(),
        "parser processes left behind"
    );
}

fn class(result: &Result<String, ExtractError>) -> &'static str {
    match result {
        Ok(method) if method.contains("pdftotext") => "read (pdftotext helped)",
        Ok(_) => "read",
        Err(e) => match e {
            ExtractError::TooLarge { .. } => "too large",
            ExtractError::TooManyPages { .. } => "too many pages",
            ExtractError::Timeout { .. } => "time-out",
            ExtractError::OutOfMemory { .. } => "memory limit",
            // A panic is caught in the process; anything else ends it.
            ExtractError::ParserCrashed(why)
                if why.starts_with("the parser process") || why.starts_with("stack overflow") =>
            {
                "crashed: the parser process died"
            }
            ExtractError::ParserCrashed(_) => "crashed: a panic, contained",
            ExtractError::Unavailable(_) => "no parser process (a bug)",
            ExtractError::UnsupportedFormat(_) => "unsupported format",
            ExtractError::Xml(_) | ExtractError::UnsupportedXml(_) => "embedded XML unreadable",
            ExtractError::Pdf(_) => "damaged or not a PDF",
            ExtractError::Encrypted => "encrypted",
            ExtractError::NoText => "no text layer",
            ExtractError::NotADocument(_) => "read, no business document in it",
        },
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("read the corpus folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// This process's living children (zombies included), from `/proc`.
fn children() -> Vec<u32> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // `pid (comm) state ppid ...`; comm may hold blanks and parentheses.
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(1));
        if ppid == Some(me.as_str()) {
            found.push(pid);
        }
    }
    found
}
