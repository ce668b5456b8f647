//! The pool of parser processes, with real processes (the `docket-parser`
//! binary): a panic, a loop, an allocation past the memory limit, an abort and
//! a process killed from outside each end as the right reason, and the next
//! request is read as if nothing had happened.
#![cfg(unix)]

use std::path::Path;
use std::time::{Duration, Instant};

use docket_extract::isolate::{Launch, Pool, TestJob};
use docket_extract::{ExtractError, InputKind, Limits, read_document};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process, waitid};

const MIB: usize = 1024 * 1024;

fn pool(size: usize) -> Pool {
    let launch = Launch {
        program: env!("CARGO_BIN_EXE_docket-parser").into(),
        args: Vec::new(),
        start_timeout: Duration::from_secs(30),
    };
    Pool::new(launch, size)
}

fn limits() -> Limits {
    Limits {
        time_budget: Duration::from_secs(30),
        max_memory: 256 * MIB,
        ..Limits::default()
    }
}

fn fixture() -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/inbox/01-exact-match.pdf");
    std::fs::read(path).expect("fixture 01")
}

/// The pool still reads a real invoice, and gets what the in-process reader gets.
#[track_caller]
fn reads_again(pool: &Pool) {
    let isolated = pool
        .read(fixture(), InputKind::Pdf, limits())
        .expect("read in a parser process");
    let in_process = read_document(fixture(), InputKind::Pdf, limits()).expect("read in-process");
    assert_eq!(isolated, in_process);
    assert_eq!(isolated.text, in_process.text);
}

/// The pid of the pool's one process.
#[track_caller]
fn only_process(pool: &Pool) -> u32 {
    let pids = pool.pids();
    assert_eq!(pids.len(), 1, "{pids:?}");
    pids[0]
}

/// The reason of a [`ExtractError::ParserCrashed`].
#[track_caller]
fn crash(result: Result<docket_extract::Extraction, ExtractError>) -> String {
    match result {
        Err(ExtractError::ParserCrashed(reason)) => reason,
        other => panic!("a crash expected: {other:?}"),
    }
}

fn gone(pid: u32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn a_file_reads_the_same_as_in_process() {
    let pool = pool(1);
    reads_again(&pool);
    let pids = pool.pids();
    reads_again(&pool);
    assert_eq!(pool.pids(), pids, "the process is reused");
    let err = pool
        .read(b"%PDF-1.4 garbage".to_vec(), InputKind::Pdf, limits())
        .unwrap_err();
    assert!(matches!(err, ExtractError::Pdf(_)), "{err:?}");
    let small = Limits {
        max_bytes: 4,
        ..limits()
    };
    let err = pool.read(fixture(), InputKind::Pdf, small).unwrap_err();
    assert!(
        matches!(err, ExtractError::TooLarge { limit: 4, .. }),
        "{err:?}"
    );
}

#[test]
fn a_panic_is_a_reason_and_costs_no_process() {
    let pool = pool(1);
    reads_again(&pool);
    let pids = pool.pids();
    let err = pool.run_test_job(TestJob::Panic, limits()).unwrap_err();
    assert_eq!(err, ExtractError::ParserCrashed("test panic".into()));
    assert_eq!(pool.pids(), pids, "caught in the process, which stays");
    reads_again(&pool);
}

#[test]
fn a_loop_is_killed_at_the_budget() {
    let pool = pool(1);
    reads_again(&pool);
    let pid = only_process(&pool);
    let budget = Limits {
        time_budget: Duration::from_millis(500),
        ..limits()
    };
    let started = Instant::now();
    let err = pool.run_test_job(TestJob::Spin, budget).unwrap_err();
    assert_eq!(err, ExtractError::Timeout { seconds: 1 });
    assert_eq!(
        err.to_string(),
        "reading took longer than 1 s and was stopped"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(gone(pid), "the looping process was killed and reaped");
    reads_again(&pool);
    assert!(!pool.pids().contains(&pid));
}

#[test]
fn allocating_past_the_limit_is_out_of_memory() {
    let pool = pool(1);
    let within = pool
        .run_test_job(TestJob::Allocate(64 * MIB), limits())
        .unwrap_err();
    assert!(
        matches!(within, ExtractError::NotADocument(_)),
        "64 MiB of 256 MiB is allowed: {within:?}"
    );
    let err = pool
        .run_test_job(TestJob::Allocate(1024 * MIB), limits())
        .unwrap_err();
    assert_eq!(err, ExtractError::OutOfMemory { limit_mib: 256 });
    assert_eq!(
        err.to_string(),
        "the PDF parser ran out of its 256 MiB memory limit"
    );
    reads_again(&pool);
}

#[test]
fn an_abort_is_a_crash() {
    let pool = pool(1);
    let reason = crash(pool.run_test_job(TestJob::Abort, limits()));
    assert!(reason.contains("died of signal 6"), "{reason}");
    reads_again(&pool);
}

#[test]
fn a_stack_overflow_is_a_crash_with_its_cause() {
    let pool = pool(1);
    let err = pool.run_test_job(TestJob::Overflow, limits()).unwrap_err();
    assert_eq!(
        err,
        ExtractError::ParserCrashed("stack overflow (the file nests too deeply)".into())
    );
    reads_again(&pool);
}

#[test]
fn a_process_killed_from_outside() {
    let pool = pool(1);
    // While idle: the next request goes to a fresh process, unharmed.
    reads_again(&pool);
    let idle = only_process(&pool);
    kill(idle);
    // (A process dies asynchronously, its threads last; a request sent in
    // that instant would fail as if the file had killed the process.)
    wait_until_dead(idle);
    reads_again(&pool);
    assert!(!pool.pids().contains(&idle));

    // While busy: that request fails with the reason, the next one is read.
    let busy = pool.clone();
    let spinning = std::thread::spawn(move || busy.run_test_job(TestJob::Spin, limits()));
    let pid = only_process(&pool);
    // Give the request time to arrive, then kill the process it is in.
    std::thread::sleep(Duration::from_millis(300));
    kill(pid);
    let reason = crash(spinning.join().expect("no panic"));
    assert!(reason.contains("was killed (signal 9"), "{reason}");
    reads_again(&pool);
}

#[test]
fn the_pool_keeps_to_its_size_and_ends_its_processes_when_dropped() {
    let pool = pool(2);
    let readers: Vec<_> = (0..6)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    reads_again(&pool);
                    assert!(pool.pids().len() <= 2);
                }
            })
        })
        .collect();
    for reader in readers {
        reader.join().expect("reader");
    }
    let pids = pool.pids();
    assert!(!pids.is_empty() && pids.len() <= 2, "{pids:?}");
    drop(pool);
    assert!(
        pids.iter().all(|&pid| gone(pid)),
        "{pids:?} ended and reaped"
    );
}

#[test]
fn a_program_that_is_no_parser_makes_the_reader_unavailable() {
    let launch = Launch {
        program: "/bin/true".into(),
        args: Vec::new(),
        start_timeout: Duration::from_secs(5),
    };
    let err = Pool::new(launch, 1)
        .read(fixture(), InputKind::Pdf, limits())
        .unwrap_err();
    assert!(matches!(err, ExtractError::Unavailable(_)), "{err:?}");
    assert!(err.is_transient());
}

/// Waits until `pid` (a child of this test process, through the pool) has
/// ended, without reaping it: the pool's own reaping is under test.
fn wait_until_dead(pid: u32) {
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    for _ in 0..500 {
        if !matches!(waitid(WaitId::Pid(rustix_pid(pid)), options), Ok(None)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{pid} still runs after SIGKILL");
}

fn rustix_pid(pid: u32) -> Pid {
    Pid::from_raw(i32::try_from(pid).expect("pid")).expect("pid")
}

fn kill(pid: u32) {
    kill_process(rustix_pid(pid), Signal::KILL).expect("kill");
}
