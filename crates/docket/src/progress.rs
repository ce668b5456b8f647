//! `files done / total` on stderr, for the commands that read many files
//! (`docket eval`, `docket extract --summary`) or go over many stored
//! documents (`docket policy replay`).

use std::io::{IsTerminal, Write};

/// Progress of a run over `total` files: rewritten in place on a terminal,
/// every tenth of the way otherwise (a log should not get a line per file).
pub struct Progress {
    label: &'static str,
    unit: &'static str,
    total: usize,
    done: usize,
    terminal: bool,
}

impl Progress {
    /// Progress of the command `label` over `total` files.
    pub fn new(label: &'static str, total: usize) -> Self {
        Progress::of(label, total, "files")
    }

    /// Progress of the command `label` over `total` things called `unit`.
    pub fn of(label: &'static str, total: usize, unit: &'static str) -> Self {
        Progress {
            label,
            unit,
            total,
            done: 0,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// One more done.
    pub fn tick(&mut self) {
        self.done += 1;
        let step = self.total.div_ceil(10).max(1);
        let mut err = std::io::stderr().lock();
        let (label, done, total, unit) = (self.label, self.done, self.total, self.unit);
        if self.terminal {
            let _ = write!(err, "\r{label}: {done}/{total} {unit}");
        } else if done.is_multiple_of(step) || done == total {
            let _ = writeln!(err, "{label}: {done}/{total} {unit}");
        }
    }

    /// A line of its own on stderr, such as why a file could not be read:
    /// on a terminal it replaces the progress line, which the next tick
    /// writes again.
    pub fn note(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            // Back to the line's start and clear it (ANSI "erase in line").
            let _ = writeln!(err, "\r\x1b[K{line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
    }

    /// Ends the run: a terminal's cursor leaves the progress line.
    pub fn finish(&self) {
        if self.terminal {
            let _ = writeln!(std::io::stderr());
        }
    }
}
