//! What the benchmark reads: the store's timestamps, `/proc`, the ERP's records.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

/// Documents still owed work.
pub async fn unfinished(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM documents WHERE state IN ('received', 'extracted', 'matched', 'approved')",
    )
    .fetch_one(pool)
    .await?)
}

/// Receive-to-decision latency of every decided document (mail parts count
/// from the mail's arrival), in milliseconds, sorted.
pub async fn latencies_ms(pool: &PgPool) -> anyhow::Result<Vec<f64>> {
    let rows = sqlx::query(
        "SELECT COALESCE(p.received_at, d.received_at) AS received, \
                (SELECT MAX(e.at) FROM events e WHERE e.document_id = d.id) AS decided \
         FROM documents d LEFT JOIN documents p ON p.id = d.parent_id \
         WHERE d.state IN ('booked', 'waiting', 'exception', 'duplicate', 'quarantined', 'rejected')",
    )
    .fetch_all(pool)
    .await?;
    let mut out: Vec<f64> = rows
        .iter()
        .map(|r| {
            let received: DateTime<Utc> = r.get("received");
            let decided: DateTime<Utc> = r.get("decided");
            (decided - received).num_microseconds().unwrap_or(0) as f64 / 1000.0
        })
        .collect();
    out.sort_by(|a, b| a.total_cmp(b));
    Ok(out)
}

/// The value below which `q` of the sorted values lie (nearest rank).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A process's peak resident set (VmHWM) in kB, from `/proc`.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Bookings in the ERP that repeat a (supplier, reference, kind) already booked.
pub fn double_booked(state: &Path) -> anyhow::Result<usize> {
    let erp = docket_erp::sandbox::load_state(state)?;
    let mut seen = HashSet::new();
    let mut twice = 0;
    for b in &erp.booked_invoices {
        twice += usize::from(!seen.insert((&b.supplier_id, &b.supplier_reference, b.kind)));
    }
    Ok(twice)
}

/// CPU time the whole machine spent busy so far (every process, user and
/// system), in milliseconds, from `/proc/stat`. The difference over a run,
/// divided by the documents, is a cost per document that does not depend on
/// how the scheduler happened to share the two cores, unlike docs/s.
pub fn machine_busy_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = cpu
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...: all but idle and iowait.
    let busy: u64 = ticks
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    // The kernel counts in USER_HZ, 100 per second on Linux.
    Some(busy as f64 * 10.0)
}

/// CPU time (user and system, milliseconds) of every live process, by pid,
/// with its command name, from `/proc/<pid>/stat`.
pub fn process_cpu_ms() -> HashMap<u32, (String, f64)> {
    let mut found = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(parsed) = process_cpu_ms_of(pid) {
            found.insert(pid, parsed);
        }
    }
    found
}

/// The command name and CPU time (ms) of one process, if it is alive.
pub fn process_cpu_ms_of(pid: u32) -> Option<(String, f64)> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The command name and utime + stime (in ms) of one `/proc/<pid>/stat` line.
fn parse_stat(stat: &str) -> Option<(String, f64)> {
    // The name is in parentheses and may itself hold blanks or parentheses.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // After the name: state(0) ... utime(11) stime(12), in USER_HZ (100/s).
    let utime: f64 = rest.get(11)?.parse().ok()?;
    let stime: f64 = rest.get(12)?.parse().ok()?;
    Some((name, (utime + stime) * 10.0))
}

/// CPU milliseconds spent between two [`process_cpu_ms`] readings, summed by
/// component: `docket`, `postgres`, `rabbitmq` (the Erlang VM) and `other`
/// (whatever else ran: a busy machine shows here). A process that started
/// after the first reading counts whole; one that ended in between is missed,
/// which is why the benchmark reads before it stops its workers.
pub fn cpu_by_component(
    before: &HashMap<u32, (String, f64)>,
    after: &HashMap<u32, (String, f64)>,
) -> BTreeMap<&'static str, f64> {
    let mut sums = BTreeMap::new();
    for (pid, (name, ms)) in after {
        let earlier = before
            .get(pid)
            .filter(|(n, _)| n == name)
            .map_or(0.0, |(_, ms)| *ms);
        let component = match name.as_str() {
            // Parser processes are `docket` run again through /proc/self/exe,
            // which the kernel names `exe`.
            "docket" | "exe" => "docket",
            "postgres" => "postgres",
            n if n.starts_with("beam") || n.starts_with("erl_child") || n == "epmd" => "rabbitmq",
            _ => "other",
        };
        *sums.entry(component).or_insert(0.0) += ms - earlier;
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.50), 50.0);
        assert_eq!(percentile(&values, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn stat_lines_with_odd_command_names_are_read() {
        let line = "4242 (my (odd) cmd) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0";
        assert_eq!(parse_stat(line), Some(("my (odd) cmd".to_string(), 1750.0)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn components_sum_what_each_process_spent_since_the_first_reading() {
        let p = |n: &str, ms: f64| (n.to_string(), ms);
        let before = HashMap::from([(1, p("postgres", 100.0)), (2, p("docket", 50.0))]);
        let after = HashMap::from([
            (1, p("postgres", 160.0)),
            (2, p("docket", 80.0)),
            (3, p("docket", 20.0)),
            (4, p("beam.smp", 5.0)),
            (5, p("cargo", 7.0)),
            (6, p("exe", 4.0)),
        ]);
        let sums = cpu_by_component(&before, &after);
        assert_eq!(sums["postgres"], 60.0);
        assert_eq!(sums["docket"], 54.0);
        assert_eq!(sums["rabbitmq"], 5.0);
        assert_eq!(sums["other"], 7.0);
    }
}
