//! Running a parser under limits: a time budget, and panics contained.
//!
//! Parsers of hostile input can panic or loop. The work runs on its own thread
//! (with a large stack, because a stack overflow cannot be caught); a panic is
//! turned into [`ExtractError::ParserCrashed`] and an overrun into
//! [`ExtractError::Timeout`]. An overrunning thread is abandoned, not killed:
//! it keeps a core busy until it ends, and memory is not limited at all. This is
//! the in-process mode; [`crate::isolate`] runs the same reader in child
//! processes that can be killed and have a memory limit.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use crate::ExtractError;

/// Stack for parser threads: deep but bounded recursion in PDF object graphs.
pub(crate) const PARSER_STACK_BYTES: usize = 256 * 1024 * 1024;

/// The name of parser threads, whose panics [`quiet_parser_panics`] silences.
pub(crate) const PARSER_THREAD: &str = "docket-parser";

/// Runs `work` on a fresh thread and waits at most `budget` for it.
pub fn run_guarded<T, F>(budget: Duration, work: F) -> Result<T, ExtractError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ExtractError> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(PARSER_THREAD.to_string())
        .stack_size(PARSER_STACK_BYTES)
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(work))
                .unwrap_or_else(|panic| Err(ExtractError::ParserCrashed(panic_message(&*panic))));
            // The receiver may have given up (time-out): nothing to do then.
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(ExtractError::ParserCrashed(format!(
            "could not start a parser thread: {e}"
        )));
    }
    match rx.recv_timeout(budget) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ExtractError::Timeout {
            seconds: budget.as_secs().max(1),
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(ExtractError::ParserCrashed(
            "the parser thread ended without an answer".to_string(),
        )),
    }
}

/// The message a panic was raised with.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Silences the default panic message for parser threads (the panic is
/// reported as a reason instead), keeping it for every other thread.
pub fn quiet_parser_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some(PARSER_THREAD) {
            default(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_pass_through() {
        assert_eq!(run_guarded(Duration::from_secs(5), || Ok(7)), Ok(7));
    }

    #[test]
    #[allow(clippy::panic)]
    fn panics_become_errors() {
        let result: Result<(), _> = run_guarded(Duration::from_secs(5), || panic!("boom"));
        assert_eq!(result, Err(ExtractError::ParserCrashed("boom".to_string())));
    }

    #[test]
    fn overruns_become_timeouts() {
        let result: Result<(), _> = run_guarded(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        });
        assert_eq!(result, Err(ExtractError::Timeout { seconds: 1 }));
    }
}
