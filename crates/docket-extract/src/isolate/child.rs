//! The parser process: reads files for its parent, one request at a time.
//!
//! Requests come on stdin, replies go out on a private copy of stdout; fd 1
//! itself is pointed at stderr, so that a library printing to stdout cannot
//! corrupt a frame. Serving runs on one long-lived thread with the parser
//! stack; a panic is caught per request and answered as
//! [`ExtractError::ParserCrashed`], so it costs no new process. What cannot be
//! caught (a stack overflow, a failed allocation at the memory limit, an abort)
//! ends the process, and the parent explains the death from its exit status
//! and stderr.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::Instant;

use super::limits::Baseline;
use super::protocol::{self, Hello, Job, Reply, Request, TestJob, WireExtraction};
use crate::guard::{PARSER_STACK_BYTES, PARSER_THREAD, panic_message, quiet_parser_panics};
use crate::read::{check_size, read_unguarded};
use crate::{ExtractError, Extraction};

/// Serves requests from the parent until stdin ends; the body of the
/// `docket parser-child` command and of the `docket-parser` binary.
pub fn serve_child() -> ExitCode {
    let output = match protocol_output() {
        Ok(output) => output,
        Err(e) => {
            eprintln!("parser process: cannot set up its output: {e}");
            return ExitCode::FAILURE;
        }
    };
    quiet_parser_panics();
    let serving = std::thread::Builder::new()
        .name(PARSER_THREAD.to_string())
        .stack_size(PARSER_STACK_BYTES)
        .spawn(move || serve(io::stdin().lock(), BufWriter::new(output)));
    let outcome = match serving {
        Ok(thread) => thread
            .join()
            .unwrap_or_else(|panic| Err(io::Error::other(panic_message(&*panic)))),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parser process: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A private, close-on-exec copy of stdout for the frames; stdout itself
/// then writes to stderr.
fn protocol_output() -> io::Result<File> {
    let private = rustix::io::fcntl_dupfd_cloexec(io::stdout(), 3)?;
    rustix::stdio::dup2_stdout(io::stderr())?;
    Ok(File::from(private))
}

/// The request loop, until the input ends or the process retires.
fn serve(mut input: impl Read, mut output: impl Write) -> io::Result<()> {
    protocol::write_json(
        &mut output,
        &Hello {
            version: protocol::VERSION,
        },
    )?;
    let baseline = Baseline::measure();
    while let Some(header) = protocol::read_frame(&mut input)? {
        let body = protocol::read_frame(&mut input)?.ok_or(io::ErrorKind::UnexpectedEof)?;
        let request: Request = protocol::parse(&header)?;
        let started = Instant::now();
        baseline.apply(&request.limits);
        let result = catch_unwind(AssertUnwindSafe(|| handle(&request, &body, started)))
            .unwrap_or_else(|panic| Err(ExtractError::ParserCrashed(panic_message(&*panic))));
        drop(body);
        let retire = baseline.grown_past(request.limits.max_memory / 4);
        let reply = Reply {
            result: result.map(WireExtraction::from),
            retire,
        };
        protocol::write_json(&mut output, &reply)?;
        if retire {
            break;
        }
    }
    Ok(())
}

fn handle(request: &Request, body: &[u8], started: Instant) -> Result<Extraction, ExtractError> {
    match request.job {
        Job::Read(kind) => {
            check_size(body.len(), &request.limits)?;
            read_unguarded(body, kind, &request.limits, started)
        }
        Job::Test(test) => misbehave(test),
    }
}

/// The pool's tests ask for these; no document can.
#[allow(clippy::panic)]
fn misbehave(test: TestJob) -> Result<Extraction, ExtractError> {
    match test {
        TestJob::Panic => panic!("test panic"),
        TestJob::Spin => loop {
            std::hint::spin_loop();
        },
        TestJob::Allocate(bytes) => {
            let block = vec![1u8; bytes];
            let touched = block
                .iter()
                .step_by(4096)
                .map(|&b| usize::from(b))
                .sum::<usize>();
            Err(ExtractError::NotADocument(format!(
                "allocated {} bytes",
                std::hint::black_box(touched) * 4096
            )))
        }
        TestJob::Abort => std::process::abort(),
        TestJob::Overflow => Err(ExtractError::NotADocument(format!(
            "recursed {} times",
            recurse(0)
        ))),
    }
}

/// Recursion that uses a page of stack per call and is not optimised away.
fn recurse(depth: u64) -> u64 {
    let page = std::hint::black_box([depth as u8; 4096]);
    if depth == u64::MAX {
        return 0;
    }
    recurse(depth + 1) + u64::from(page[0])
}
