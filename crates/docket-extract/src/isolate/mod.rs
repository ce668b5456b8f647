//! Reading files in parser processes: real isolation with limits.
//!
//! Hostile PDFs make parsers panic, loop, recurse and allocate without end.
//! In-process ([`crate::guard`]) a loop can only be abandoned, never stopped,
//! and memory is not limited, so one file can take a worker down. Here each file
//! is read by one of a [`Pool`] of long-lived child processes (starting one per
//! file would cost more than the reading): each child has a memory limit and a
//! CPU limit of its own (`limits`), the parent kills a child that overruns the
//! time budget, and a crash, abort, memory exhaustion or time-out becomes an
//! [`crate::ExtractError`] a person can read; the next file gets a fresh child.
//!
//! Children are the running program itself with another entry point: the
//! `docket` binary runs [`serve_child`] as its hidden `parser-child` command,
//! this crate's `docket-parser` binary does nothing else (its tests use it).
//! [`Reader::InProcess`] keeps the guarded thread, for unit tests and for
//! platforms other than Unix, where the limits and process groups used here
//! do not exist; there [`Reader::isolated`] falls back to it.
//!
//! - `pool`: which child reads which file;
//! - `process`: one child as the parent sees it, and why it died;
//! - `child`: the child's side;
//! - `protocol`: the frames between them.

#[cfg(unix)]
mod child;
#[cfg(unix)]
mod limits;
#[cfg(unix)]
mod pool;
#[cfg(unix)]
mod process;
#[cfg(unix)]
mod protocol;

#[cfg(unix)]
pub use child::serve_child;
#[cfg(unix)]
pub use pool::Pool;
#[cfg(unix)]
pub use process::Launch;
#[cfg(unix)]
#[doc(hidden)]
pub use protocol::TestJob;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::{ExtractError, Extraction, InputKind, Limits, read_document, read_document_visual};

/// Where files are read.
#[derive(Debug, Clone)]
pub enum Reader {
    /// On a guarded thread of this process: panics contained, time-outs
    /// abandoned (the thread runs on), memory not limited.
    InProcess,
    /// As [`Reader::InProcess`], reading a PDF's page even where it carries an
    /// e-invoice XML ([`crate::read_document_visual`]): what
    /// `docket eval --visual-only` measures.
    VisualInProcess,
    /// In the parser processes of a pool.
    #[cfg(unix)]
    Isolated(Pool),
}

impl Reader {
    /// A pool of `size` processes running `program args...`, started when
    /// first needed; in-process where isolation is not available.
    pub fn isolated(program: PathBuf, args: Vec<OsString>, size: usize) -> Self {
        #[cfg(unix)]
        {
            let launch = Launch {
                program,
                args,
                // A cold start of a debug build on a busy machine is slow.
                start_timeout: Duration::from_secs(10),
            };
            Reader::Isolated(Pool::new(launch, size))
        }
        #[cfg(not(unix))]
        {
            let _ = (program, args, size);
            tracing::warn!("parser processes need Unix; reading in-process");
            Reader::InProcess
        }
    }

    /// Reads one file under the limits.
    pub fn read(
        &self,
        bytes: Vec<u8>,
        kind: InputKind,
        limits: Limits,
    ) -> Result<Extraction, ExtractError> {
        match self {
            Reader::InProcess => read_document(bytes, kind, limits),
            Reader::VisualInProcess => read_document_visual(bytes, kind, limits),
            #[cfg(unix)]
            Reader::Isolated(pool) => pool.read(bytes, kind, limits),
        }
    }
}

/// The default number of parser processes: one per core.
pub fn default_pool_size() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
