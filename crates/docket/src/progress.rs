//! `files done / total` on stderr, for the commands that read many files
//! (`docket eval`, `docket extract --summary`).

use std::io::{IsTerminal, Write};

/// Progress of a run over `total` files: rewritten in place on a terminal,
/// every tenth of the way otherwise (a log should not get a line per file).
pub struct Progress {
    label: &'static str,
    total: usize,
    done: usize,
    terminal: bool,
}

impl Progress {
    /// Progress of the command `label` over `total` files.
    pub fn new(label: &'static str, total: usize) -> Self {
        Progress {
            label,
            total,
            done: 0,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// One more file done.
    pub fn tick(&mut self) {
        self.done += 1;
        let step = self.total.div_ceil(10).max(1);
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r{}: {}/{} files", self.label, self.done, self.total);
        } else if self.done.is_multiple_of(step) || self.done == self.total {
            let _ = writeln!(err, "{}: {}/{} files", self.label, self.done, self.total);
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
