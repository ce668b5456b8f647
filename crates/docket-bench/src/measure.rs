//! What the benchmark reads: the store's timestamps, `/proc`, the ERP's records.

use std::collections::HashSet;
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
}
