//! Poppler's `pdftotext -bbox-layout` as a second reader of a PDF's text.
//!
//! Optional: used when a `pdftotext` is on the `PATH`, looked up once per
//! process. It reads the pages pdf-extract could not, or whole files lopdf
//! could not load. It is a separate process, so it runs under the reader's
//! limits for real: killed at its deadline, and (on Linux) given the memory
//! limit and a CPU-time limit as soon as it exists. Its deadline is half the
//! time left: poppler loops forever on some files, and the reader should
//! still answer with what pdf-extract read before the budget is gone. It
//! stays in its parent's process group, so killing a parser process's group
//! takes it along.
//! `xhtml` turns its output into our page model.

mod xhtml;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Instant;

use super::PageText;

/// Output beyond this is not read: 50 pages of words take a few megabytes.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024 * 1024;

/// What one reading may cost.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// When the whole reading of the file must be over.
    pub deadline: Instant,
    /// Memory (address space) pdftotext may use, in bytes.
    pub max_memory: usize,
}

/// The `pdftotext` on the `PATH`, if any.
pub fn installed() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|dir| dir.join("pdftotext"))
                .find(|candidate| candidate.is_file())
        })
        .as_deref()
}

/// Pages `first..=last` of the PDF in `bytes` as pdftotext reads them;
/// `None` when pdftotext is not installed, else its pages or why it failed.
pub fn read_pages(
    bytes: &[u8],
    first: u32,
    last: u32,
    budget: &Budget,
) -> Option<Result<Vec<PageText>, String>> {
    let program = installed()?;
    let now = Instant::now();
    let own = Budget {
        deadline: now + budget.deadline.saturating_duration_since(now) / 2,
        ..*budget
    };
    Some(run(program, bytes, first, last, &own).and_then(|out| xhtml::pages(&out, first)))
}

fn run(
    program: &Path,
    bytes: &[u8],
    first: u32,
    last: u32,
    budget: &Budget,
) -> Result<String, String> {
    // The file goes in on stdin (pdftotext reads `-` whole before parsing),
    // so nothing is left behind in a temporary folder when this is killed.
    let mut child = Command::new(program)
        .args(["-q", "-bbox-layout", "-enc", "UTF-8", "-f"])
        .arg(first.to_string())
        .arg("-l")
        .arg(last.to_string())
        .args(["-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    limit(&child, budget);
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(stop(child, "no pipes"));
    };
    // Helper threads feed and drain the pipes so that this one can keep the
    // deadline; both end once pdftotext has ended or been killed.
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // An early exit of pdftotext shows in its output, not here.
            let _ = stdin.write_all(bytes);
        });
        let (tx, rx) = mpsc::channel();
        scope.spawn(move || {
            let mut out = Vec::new();
            let read = stdout.take(MAX_OUTPUT_BYTES + 1).read_to_end(&mut out);
            let _ = tx.send(read.map(|_| out));
        });
        let wait = budget.deadline.saturating_duration_since(Instant::now());
        finish(child, rx.recv_timeout(wait))
    })
}

/// What became of pdftotext, given what its output reader got in time.
fn finish(
    mut child: Child,
    output: Result<std::io::Result<Vec<u8>>, mpsc::RecvTimeoutError>,
) -> Result<String, String> {
    match output {
        Ok(Ok(out)) if out.len() as u64 > MAX_OUTPUT_BYTES => Err(stop(child, "too much output")),
        Ok(Ok(out)) => {
            let _ = child.wait();
            // The exit status says little: pdftotext exits 1 after reading
            // a damaged file with some success; the output is what counts.
            if out.is_empty() {
                return Err("could not read it either".to_string());
            }
            Ok(String::from_utf8_lossy(&out).into_owned())
        }
        Ok(Err(e)) => Err(stop(child, &format!("reading its output: {e}"))),
        Err(_) => Err(stop(child, "stopped at its time limit")),
    }
}

/// Kills and reaps pdftotext; returns `reason`.
fn stop(mut child: Child, reason: &str) -> String {
    let _ = child.kill();
    let _ = child.wait();
    reason.to_string()
}

/// Sets the memory limit and a CPU-time limit (the budget left, rounded up)
/// on pdftotext from outside, right after it started; best effort.
#[cfg(target_os = "linux")]
fn limit(child: &Child, budget: &Budget) {
    use rustix::process::{Pid, Resource, Rlimit, prlimit};
    let pid = Some(Pid::from_child(child));
    let memory = u64::try_from(budget.max_memory).unwrap_or(u64::MAX);
    let cpu = budget
        .deadline
        .saturating_duration_since(Instant::now())
        .as_secs()
        + 1;
    for (resource, value) in [(Resource::As, memory), (Resource::Cpu, cpu)] {
        let new = Rlimit {
            current: Some(value),
            maximum: Some(value),
        };
        if let Err(e) = prlimit(pid, resource, new) {
            tracing::debug!(error = %e, "could not limit pdftotext");
        }
    }
}

/// Elsewhere pdftotext inherits this process's limits and is killed at the deadline.
#[cfg(not(target_os = "linux"))]
fn limit(_child: &Child, _budget: &Budget) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn budget() -> Budget {
        Budget {
            deadline: Instant::now() + Duration::from_secs(20),
            max_memory: 512 * 1024 * 1024,
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/inbox")
            .join(name);
        std::fs::read(path).expect("fixture")
    }

    #[test]
    fn pdftotext_reads_a_fixture_into_our_model() {
        if installed().is_none() {
            eprintln!("SKIPPED: pdftotext is not installed (Debian: poppler-utils)");
            return;
        }
        let pages = read_pages(&fixture("01-exact-match.pdf"), 1, 1, &budget())
            .expect("installed")
            .expect("read");
        assert_eq!(pages.len(), 1);
        let page = &pages[0];
        assert_eq!((page.number, page.width, page.height), (1, 595.0, 842.0));
        // Poppler's y grows downwards: the letterhead it puts near y = 32 is
        // near the top of our y-up page.
        let top = &page.lines[0];
        assert!(top.bbox.y1 > 780.0, "{top:?}");
        assert!(page.text().contains("RE-2026-10481"), "{}", page.text());
    }

    #[test]
    fn pdftotext_failing_on_a_damaged_file_gives_a_reason() {
        if installed().is_none() {
            eprintln!("SKIPPED: pdftotext is not installed (Debian: poppler-utils)");
            return;
        }
        let read = read_pages(b"%PDF-1.4 nothing here", 1, 5, &budget()).expect("installed");
        assert_eq!(read, Err("could not read it either".to_string()));
    }
}
