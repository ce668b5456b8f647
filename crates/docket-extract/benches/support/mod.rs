//! What the benches share: the parser-process binary and the file walk.

use std::path::{Path, PathBuf};
use std::time::Duration;

use docket_extract::isolate::Launch;

/// How to start this crate's `docket-parser` binary, which Cargo builds for
/// the benches; the timeout is generous because a bench may start it while
/// another build keeps the machine busy.
pub fn launch() -> Launch {
    Launch {
        program: env!("CARGO_BIN_EXE_docket-parser").into(),
        args: Vec::new(),
        start_timeout: Duration::from_secs(30),
    }
}

/// Every file under `dir`, recursively, appended to `out` (unreadable
/// folders are skipped: a bench reads what it can).
pub fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
