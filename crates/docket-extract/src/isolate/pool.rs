//! The pool: up to `size` long-lived parser processes, started on demand.
//!
//! A request takes an idle process (or starts one while fewer than `size`
//! run, or waits for one), sends the file, and waits at most the time
//! budget. A process that answered goes back to the pool; one that overran is
//! killed, one that died is reaped, and either way the next request starts a
//! fresh one. A process found dead while idle (killed from outside) is
//! replaced before the request is sent, so the file is not blamed for it.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::process::{Launch, ParserProcess, explain};
use super::protocol::{Job, Request, TestJob};
use crate::{ExtractError, Extraction, InputKind, Limits};

/// A pool of parser processes; clones share it. Dropping the last clone
/// ends the processes.
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.shared.size)
            .field("program", &self.shared.launch.program)
            .finish()
    }
}

struct Shared {
    launch: Launch,
    size: usize,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    idle: Vec<ParserProcess>,
    /// Pids of the processes running, idle or busy.
    running: Vec<u32>,
    /// Slots taken by processes being started.
    starting: usize,
}

impl Pool {
    /// A pool of at most `size` (at least one) processes started as `launch` says.
    pub fn new(launch: Launch, size: usize) -> Self {
        Pool {
            shared: Arc::new(Shared {
                launch,
                size: size.max(1),
                state: Mutex::new(State::default()),
                freed: Condvar::new(),
            }),
        }
    }

    /// Reads one file in a parser process, under the limits.
    pub fn read(
        &self,
        bytes: Vec<u8>,
        kind: InputKind,
        limits: Limits,
    ) -> Result<Extraction, ExtractError> {
        crate::read::check_size(bytes.len(), &limits)?;
        self.run(Job::Read(kind), bytes, limits)
    }

    /// Asks a process to misbehave, to test the pool.
    #[doc(hidden)]
    pub fn run_test_job(&self, job: TestJob, limits: Limits) -> Result<Extraction, ExtractError> {
        self.run(Job::Test(job), Vec::new(), limits)
    }

    /// The pids of the running processes (idle or busy).
    pub fn pids(&self) -> Vec<u32> {
        self.shared.lock().running.clone()
    }

    fn run(&self, job: Job, body: Vec<u8>, limits: Limits) -> Result<Extraction, ExtractError> {
        let mut process = self.checkout()?;
        let request = Request { job, limits };
        match process.ask(&request, body, limits.time_budget) {
            Ok(reply) => {
                if reply.retire {
                    self.discard(process);
                } else {
                    self.checkin(process);
                }
                reply.result.map(Extraction::from)
            }
            Err(failure) => {
                let status = process.end();
                let reason = explain(&failure, status, &process.stderr_tail(), &limits);
                tracing::warn!(pid = process.pid(), %reason, "parser process ended");
                self.discard(process);
                Err(reason)
            }
        }
    }

    /// An idle live process, a new one, or (with all busy) the next freed.
    fn checkout(&self) -> Result<ParserProcess, ExtractError> {
        let mut state = self.shared.lock();
        loop {
            if let Some(process) = state.idle.pop() {
                if process.is_alive() {
                    return Ok(process);
                }
                drop(state);
                tracing::warn!(
                    pid = process.pid(),
                    "idle parser process had ended; replaced"
                );
                self.discard(process);
                state = self.shared.lock();
                continue;
            }
            if state.running.len() + state.starting < self.shared.size {
                state.starting += 1;
                drop(state);
                let started = ParserProcess::start(&self.shared.launch);
                let mut state = self.shared.lock();
                state.starting -= 1;
                return match started {
                    Ok(process) => {
                        state.running.push(process.pid());
                        Ok(process)
                    }
                    Err(e) => {
                        self.shared.freed.notify_one();
                        Err(e)
                    }
                };
            }
            state = self
                .shared
                .freed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn checkin(&self, process: ParserProcess) {
        self.shared.lock().idle.push(process);
        self.shared.freed.notify_one();
    }

    /// Ends a process (outside the lock: reaping waits) and frees its slot.
    fn discard(&self, mut process: ParserProcess) {
        process.end();
        let pid = process.pid();
        self.shared.lock().running.retain(|&p| p != pid);
        self.shared.freed.notify_one();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panic (no invariant spans an
        // unwind point), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
