//! One parser process as its parent sees it: started, asked, ended, and
//! its death explained in words.
//!
//! Every blocking pipe operation runs on a helper thread of its own (a writer
//! for requests, a reader for replies, a drain for stderr), so the asking thread
//! only ever waits on a channel with a deadline: a parser that loops, stops
//! reading or is stopped cannot hold it past the budget. The process leads a
//! process group of its own, so ending it also ends a pdftotext it started.

use std::ffi::OsString;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};

use super::protocol::{self, Hello, Reply, Request};
use crate::ExtractError;

/// How much of a process's stderr is kept to explain its death.
const STDERR_TAIL: usize = 8 * 1024;
/// Helper threads only move bytes between pipes and channels.
const HELPER_STACK: usize = 64 * 1024;

/// How to start a parser process.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The program: `docket` itself, or the `docket-parser` binary.
    pub program: PathBuf,
    /// Its arguments, e.g. `["parser-child"]`.
    pub args: Vec<OsString>,
    /// How long it may take to greet.
    pub start_timeout: Duration,
}

/// How a request ended when there was no reply.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The budget passed; the process has been killed.
    TimedOut,
    /// The process ended.
    Died,
    /// The process answered something that is not a reply (a bug).
    Garbled(String),
}

/// A running parser process.
pub(crate) struct ParserProcess {
    child: Child,
    requests: Option<Sender<(Vec<u8>, Vec<u8>)>>,
    replies: Receiver<io::Result<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    helpers: Vec<JoinHandle<()>>,
    ended: Option<ExitStatus>,
}

impl ParserProcess {
    /// Starts a process and waits for its greeting.
    pub fn start(launch: &Launch) -> Result<Self, ExtractError> {
        let unavailable = |e: &dyn std::fmt::Display| {
            ExtractError::Unavailable(format!("{}: {e}", launch.program.display()))
        };
        let mut child = Command::new(&launch.program)
            .args(&launch.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| unavailable(&e))?;
        let (Some(stdin), Some(mut stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(unavailable(&"no pipes"));
        };
        let (requests, to_write) = mpsc::channel::<(Vec<u8>, Vec<u8>)>();
        let (replied, replies) = mpsc::channel();
        let tail = Arc::new(Mutex::new(Vec::new()));
        let drained = tail.clone();
        let helpers = [
            helper("parser-writer", move || write_requests(stdin, to_write)),
            helper("parser-reader", move || {
                loop {
                    let frame = protocol::read_frame(&mut stdout)
                        .and_then(|f| f.ok_or(io::ErrorKind::UnexpectedEof.into()));
                    let end = frame.is_err();
                    if replied.send(frame).is_err() || end {
                        break;
                    }
                }
            }),
            helper("parser-stderr", move || drain(stderr, &drained)),
        ];
        let mut process = ParserProcess {
            child,
            requests: Some(requests),
            replies,
            stderr: tail,
            helpers: helpers.into_iter().flatten().collect(),
            ended: None,
        };
        let greeting = process.replies.recv_timeout(launch.start_timeout);
        let hello = match greeting {
            Ok(Ok(frame)) => protocol::parse::<Hello>(&frame).ok(),
            _ => None,
        };
        match hello {
            Some(h) if h.version == protocol::VERSION => Ok(process),
            Some(h) => {
                process.end();
                Err(unavailable(&format!(
                    "speaks protocol {}, not {} (a stale build?)",
                    h.version,
                    protocol::VERSION
                )))
            }
            None => {
                let status = process.end();
                Err(unavailable(&format!(
                    "did not start ({}): {}",
                    describe(status),
                    process.stderr_tail()
                )))
            }
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process still runs (one that died idle is not used).
    /// It looks without reaping: until [`Self::end`] reaps, the pid (and so
    /// the process group id it signals) cannot be reused.
    pub fn is_alive(&self) -> bool {
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        self.ended.is_none()
            && matches!(
                waitid(WaitId::Pid(Pid::from_child(&self.child)), options),
                Ok(None)
            )
    }

    /// Sends a request and waits for its reply until `budget` has passed.
    pub fn ask(
        &mut self,
        request: &Request,
        body: Vec<u8>,
        budget: Duration,
    ) -> Result<Reply, Failure> {
        let deadline = Instant::now() + budget;
        // A death is explained from what this request left on stderr.
        if let Ok(mut tail) = self.stderr.lock() {
            tail.clear();
        }
        let header = serde_json::to_vec(request).map_err(|e| Failure::Garbled(e.to_string()))?;
        let sent = self.requests.as_ref().map(|r| r.send((header, body)));
        if !matches!(sent, Some(Ok(()))) {
            return Err(Failure::Died);
        }
        match self
            .replies
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(Ok(frame)) => protocol::parse(&frame).map_err(|e| Failure::Garbled(e.to_string())),
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => Err(Failure::Died),
            Err(RecvTimeoutError::Timeout) => Err(Failure::TimedOut),
        }
    }

    /// Kills the process and its group (a no-op for one that has ended),
    /// reaps it and its helper threads; returns how it ended.
    pub fn end(&mut self) -> Option<ExitStatus> {
        if let Some(status) = self.ended {
            return Some(status);
        }
        // Not yet reaped, so the group id is still ours to signal.
        let _ = kill_process_group(Pid::from_child(&self.child), Signal::KILL);
        let status = self.child.wait().ok();
        self.requests = None;
        for helper in self.helpers.drain(..) {
            let _ = helper.join();
        }
        self.ended = status;
        status
    }

    /// The last of what the process wrote to stderr, as text.
    pub fn stderr_tail(&self) -> String {
        let tail = self.stderr.lock().map(|t| t.clone()).unwrap_or_default();
        String::from_utf8_lossy(&tail).trim().to_string()
    }
}

impl Drop for ParserProcess {
    fn drop(&mut self) {
        self.end();
    }
}

/// Why a request failed, for a person: the parent's kill at the budget, or a
/// death by the memory limit (Rust's allocation-failure message), a stack
/// overflow or uncaught panic (their messages), a signal or an exit status.
pub(crate) fn explain(
    failure: &Failure,
    status: Option<ExitStatus>,
    stderr: &str,
    limits: &crate::Limits,
) -> ExtractError {
    let timeout = ExtractError::Timeout {
        seconds: limits.time_budget.as_secs().max(1),
    };
    match failure {
        Failure::TimedOut => return timeout,
        Failure::Garbled(e) => {
            return ExtractError::ParserCrashed(format!(
                "the parser process gave an unreadable answer: {e}"
            ));
        }
        Failure::Died => {}
    }
    if stderr.contains("memory allocation of") {
        return ExtractError::OutOfMemory {
            limit_mib: limits.max_memory / (1024 * 1024),
        };
    }
    if stderr.contains("has overflowed its stack") {
        return ExtractError::ParserCrashed("stack overflow (the file nests too deeply)".into());
    }
    if let Some(at) = stderr.rfind("panicked at ") {
        // "panicked at FILE:LINE:COL:" and the message on the next line.
        let mut lines = stderr[at..].lines();
        let place = lines.next().unwrap_or_default().trim_end_matches(':');
        let message = lines.next().unwrap_or_default().trim();
        return ExtractError::ParserCrashed(format!("{place}: {message}"));
    }
    if status.and_then(|s| s.signal()) == Some(Signal::XCPU.as_raw()) {
        return timeout;
    }
    let mut reason = format!("the parser process {}", describe(status));
    if let Some(last) = stderr.lines().rev().find(|l| !l.trim().is_empty()) {
        reason.push_str(": ");
        reason.push_str(last.trim());
    }
    ExtractError::ParserCrashed(reason)
}

/// How a process ended, in words.
fn describe(status: Option<ExitStatus>) -> String {
    match status {
        Some(s) => match (s.signal(), s.code()) {
            (Some(9), _) => {
                "was killed (signal 9; by the system's out-of-memory killer?)".to_string()
            }
            (Some(signal), _) => format!("died of signal {signal}"),
            (None, Some(code)) => format!("exited with status {code}"),
            (None, None) => "ended".to_string(),
        },
        None => "ended in an unknown way".to_string(),
    }
}

fn helper(name: &str, work: impl FnOnce() + Send + 'static) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .stack_size(HELPER_STACK)
        .spawn(work)
        .ok()
}

fn write_requests(stdin: impl Write, requests: Receiver<(Vec<u8>, Vec<u8>)>) {
    let mut out = BufWriter::new(stdin);
    for (header, body) in requests {
        let sent = protocol::write_frame(&mut out, &header)
            .and_then(|()| protocol::write_frame(&mut out, &body))
            .and_then(|()| out.flush());
        // A dead process shows on the reply side.
        if sent.is_err() {
            return;
        }
    }
}

fn drain(mut stderr: impl Read, tail: &Mutex<Vec<u8>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut buf) {
        if n == 0 {
            return;
        }
        if let Ok(mut tail) = tail.lock() {
            tail.extend_from_slice(&buf[..n]);
            let excess = tail.len().saturating_sub(STDERR_TAIL);
            tail.drain(..excess);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    /// A wait status: killed by `signal`, or exited with `code`.
    fn status(signal: i32, code: i32) -> Option<ExitStatus> {
        Some(ExitStatus::from_raw(if signal > 0 {
            signal
        } else {
            code << 8
        }))
    }

    fn explained(status: Option<ExitStatus>, stderr: &str) -> String {
        explain(&Failure::Died, status, stderr, &Limits::default()).to_string()
    }

    #[test]
    fn deaths_are_explained_from_stderr_and_the_status() {
        let limits = Limits::default();
        assert_eq!(
            explain(&Failure::TimedOut, status(9, 0), "", &limits),
            ExtractError::Timeout { seconds: 20 }
        );
        assert_eq!(
            explained(status(6, 0), "memory allocation of 1048576 bytes failed\n"),
            "the PDF parser ran out of its 512 MiB memory limit"
        );
        assert_eq!(
            explained(
                status(6, 0),
                "\nthread 'docket-parser' has overflowed its stack\nfatal runtime error: stack overflow"
            ),
            "the parser crashed on this file: stack overflow (the file nests too deeply)"
        );
        assert_eq!(
            explained(
                status(0, 101),
                "thread 'main' panicked at src/x.rs:1:1:\nboom\nnote: run with RUST_BACKTRACE"
            ),
            "the parser crashed on this file: panicked at src/x.rs:1:1: boom"
        );
        assert_eq!(
            explained(status(24, 0), ""),
            "reading took longer than 20 s and was stopped"
        );
        assert_eq!(
            explained(status(11, 0), ""),
            "the parser crashed on this file: the parser process died of signal 11"
        );
        assert_eq!(
            explained(status(0, 1), "parser process: frame too large\n\n"),
            "the parser crashed on this file: the parser process exited with status 1: parser process: frame too large"
        );
    }
}
