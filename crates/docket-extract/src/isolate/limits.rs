//! The limits a parser process sets on itself.
//!
//! Memory is limited as address space (`RLIMIT_AS`): the only limit the kernel
//! enforces on one process by failing its allocations (cgroups would need
//! privileges the worker does not have). Address space counts reservations, not
//! use: the parser thread's 256 MiB stack and the allocator's arenas are
//! reserved before the first request, so the limit is that baseline plus the
//! configured memory. A failed allocation aborts the process with Rust's
//! "memory allocation of N bytes failed", which the parent reads on stderr.
//!
//! Time is the parent's job (it kills at the budget); `RLIMIT_CPU` is set too,
//! one second past the budget, as a backstop for a parser whose parent is gone.
//! Both are soft limits raised or lowered before each request, so a long-lived
//! process keeps them per request; core dumps are off (a crash on hostile input
//! is expected, and a core of a 256 MiB stack is not wanted).

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use rustix::time::{ClockId, clock_gettime};

use crate::Limits;

/// The process's address space as it was when idle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Baseline {
    bytes: Option<u64>,
}

impl Baseline {
    /// Measures the address space now; call once, on the parser thread, after
    /// it has allocated (which gives it its arena).
    pub fn measure() -> Self {
        let _ = set_soft(Resource::Core, 0);
        Baseline {
            bytes: address_space(),
        }
    }

    /// Sets the memory and CPU limits for the next request.
    pub fn apply(&self, limits: &Limits) {
        if let Some(base) = self.bytes {
            let memory = u64::try_from(limits.max_memory).unwrap_or(u64::MAX);
            if let Err(e) = set_soft(Resource::As, base.saturating_add(memory)) {
                tracing::warn!(error = %e, "parser process: memory limit not set");
            }
        }
        let used = clock_gettime(ClockId::ProcessCPUTime).tv_sec;
        let cpu = u64::try_from(used)
            .unwrap_or(0)
            .saturating_add(limits.time_budget.as_secs())
            .saturating_add(1);
        if let Err(e) = set_soft(Resource::Cpu, cpu) {
            tracing::warn!(error = %e, "parser process: CPU limit not set");
        }
    }

    /// Whether the process holds more than `slack` bytes of address space
    /// beyond its baseline: then it ends and a fresh one takes its place,
    /// rather than start the next request with less than its allowance.
    pub fn grown_past(&self, slack: usize) -> bool {
        match (self.bytes, address_space()) {
            (Some(base), Some(now)) => {
                now.saturating_sub(base) > u64::try_from(slack).unwrap_or(u64::MAX)
            }
            _ => false,
        }
    }
}

/// Sets a soft limit, keeping the hard one (and staying under it).
fn set_soft(resource: Resource, value: u64) -> rustix::io::Result<()> {
    let current = getrlimit(resource);
    let value = current.maximum.map_or(value, |max| value.min(max));
    setrlimit(
        resource,
        Rlimit {
            current: Some(value),
            maximum: current.maximum,
        },
    )
}

/// The process's address space in bytes (Linux: `/proc/self/statm`).
#[cfg(target_os = "linux")]
fn address_space() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().next()?.parse().ok()?;
    let page = u64::try_from(rustix::param::page_size()).ok()?;
    Some(pages * page)
}

/// Elsewhere the size is unknown, and memory is not limited.
#[cfg(not(target_os = "linux"))]
fn address_space() -> Option<u64> {
    None
}
