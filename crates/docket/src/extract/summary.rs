//! `docket extract --summary`: a whole run over many files in one process,
//! reported as counts and speed instead of documents. This is what
//! `scripts/bench-extract` times against pdftotext; the documents are read
//! exactly as without `--summary`, only not printed (nor kept).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use docket_extract::{Limits, Reader};
use serde::Serialize;

use super::read_file;
use crate::progress::Progress;

/// What a run read, and how fast.
#[derive(Serialize)]
struct Summary {
    files: usize,
    /// Documents read: one per PDF or XML file, one per document a mail carries.
    documents: usize,
    /// Files that could not be read (each with its reason on stderr).
    failed: usize,
    seconds: f64,
    files_per_second: f64,
    documents_per_second: f64,
}

impl Summary {
    fn new(files: usize, documents: usize, failed: usize, elapsed: Duration) -> Self {
        let seconds = elapsed.as_secs_f64();
        // A run over no files (or faster than the clock) has no speed.
        let per_second = |n: usize| {
            if seconds > 0.0 {
                n as f64 / seconds
            } else {
                0.0
            }
        };
        Summary {
            files,
            documents,
            failed,
            seconds,
            files_per_second: per_second(files),
            documents_per_second: per_second(documents),
        }
    }
}

/// Reads every file, printing only the summary (JSON with `json`), the
/// reasons of failed files and progress on stderr; whether any file failed.
pub fn run(reader: &Reader, files: &[PathBuf], limits: Limits, json: bool) -> anyhow::Result<bool> {
    let mut progress = Progress::new("extract", files.len());
    let (mut documents, mut failed) = (0, 0);
    let started = Instant::now();
    for path in files {
        match read_file(reader, path, limits) {
            Ok(found) => documents += found.len(),
            Err(reason) => {
                progress.note(&format!("{}: {reason}", path.display()));
                failed += 1;
            }
        }
        progress.tick();
    }
    let summary = Summary::new(files.len(), documents, failed, started.elapsed());
    progress.finish();
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", table(&summary));
    }
    Ok(failed > 0)
}

/// The summary as `label value` lines (the bench script reads them).
fn table(s: &Summary) -> String {
    format!(
        "files           {}\n\
         documents read  {}\n\
         files failed    {}\n\
         seconds         {:.3}\n\
         files/s         {:.1}\n\
         documents/s     {:.1}\n",
        s.files, s.documents, s.failed, s.seconds, s.files_per_second, s.documents_per_second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_is_per_second_of_the_run() {
        let s = Summary::new(10, 12, 1, Duration::from_secs(4));
        assert_eq!((s.files_per_second, s.documents_per_second), (2.5, 3.0));
        assert!(table(&s).contains("documents read  12\nfiles failed    1\n"));
    }

    #[test]
    fn an_instant_run_has_no_speed() {
        let s = Summary::new(0, 0, 0, Duration::ZERO);
        assert_eq!(s.documents_per_second, 0.0);
    }
}
