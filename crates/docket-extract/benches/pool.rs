//! What reading in parser processes costs per document, against reading
//! in-process (a guarded thread per file).
//!
//! `cargo bench -p docket-extract --bench pool -- [DIR...] [--rounds N]`
//!
//! Reads every PDF and XML file under the folders (default: `fixtures/inbox`)
//! `--rounds` times (default 20): first a null request (a 20-byte mail body,
//! which costs no parsing, so what is left is the isolation itself), then the
//! files one at a time, then on as many threads as there are cores. CPU time
//! is this process's (every thread) plus the parser processes' (every thread,
//! from `/proc/<pid>/task/*/schedstat`), per document.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use docket_extract::isolate::{Pool, default_pool_size};
use docket_extract::{InputKind, Limits, Reader};
use rustix::time::{ClockId, clock_gettime};

fn main() {
    let mut dirs = Vec::new();
    let mut rounds = 20usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            "--bench" => {}
            dir => dirs.push(PathBuf::from(dir)),
        }
    }
    if dirs.is_empty() {
        dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/inbox"));
    }
    let mut files = Vec::new();
    for dir in &dirs {
        support::collect(dir, &mut files);
    }
    files.sort();
    let docs: Vec<(Vec<u8>, InputKind)> = files
        .iter()
        .filter_map(|f| {
            let kind = match f.extension()?.to_str()? {
                "pdf" => InputKind::Pdf,
                "xml" => InputKind::Xml,
                _ => return None,
            };
            Some((std::fs::read(f).ok()?, kind))
        })
        .collect();
    let cores = default_pool_size();
    println!(
        "{} PDF/XML files from {dirs:?}, {rounds} rounds, {cores} cores",
        docs.len()
    );

    let null: Vec<(Vec<u8>, InputKind)> =
        vec![(b"Please send 10 boxes".to_vec(), InputKind::Text); docs.len().max(100)];
    for (label, set) in [("null request", &null), ("documents", &docs)] {
        for threads in [1, cores] {
            let in_process = measure(&Reader::InProcess, set, rounds, threads);
            let pool = Pool::new(support::launch(), threads);
            let isolated = measure(&Reader::Isolated(pool.clone()), set, rounds, threads);
            println!(
                "{label}, {threads} thread(s): in-process {in_process}; parser processes {isolated}"
            );
        }
    }
}

struct Figures {
    docs: usize,
    wall: Duration,
    own_cpu: Duration,
    child_cpu: Duration,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.docs as f64;
        let per = |d: Duration| d.as_secs_f64() * 1e6 / n;
        write!(
            f,
            "{:.0} docs/s, {:.1} µs wall/doc, {:.1} µs CPU/doc ({:.1} here + {:.1} in parsers)",
            n / self.wall.as_secs_f64(),
            per(self.wall),
            per(self.own_cpu + self.child_cpu),
            per(self.own_cpu),
            per(self.child_cpu),
        )
    }
}

/// Reads `set` `rounds` times over `threads` threads, after one warm-up round.
fn measure(
    reader: &Reader,
    set: &[(Vec<u8>, InputKind)],
    rounds: usize,
    threads: usize,
) -> Figures {
    let run = |rounds: usize| {
        std::thread::scope(|scope| {
            for t in 0..threads {
                scope.spawn(move || {
                    for _ in 0..rounds {
                        for (bytes, kind) in set.iter().skip(t).step_by(threads) {
                            let _ = reader.read(bytes.clone(), *kind, Limits::default());
                        }
                    }
                });
            }
        })
    };
    run(1);
    let children = || match reader {
        Reader::Isolated(pool) => pool.pids().iter().map(|&p| task_cpu(p)).sum(),
        Reader::InProcess | Reader::VisualInProcess => Duration::ZERO,
    };
    let (own0, child0, t0) = (own_cpu(), children(), Instant::now());
    run(rounds);
    let wall = t0.elapsed();
    Figures {
        docs: set.len() * rounds,
        wall,
        own_cpu: own_cpu() - own0,
        child_cpu: children().saturating_sub(child0),
    }
}

fn own_cpu() -> Duration {
    let t = clock_gettime(ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// CPU time of every thread of a process (nanoseconds in `schedstat`).
fn task_cpu(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .sum()
}
