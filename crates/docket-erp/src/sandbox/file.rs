//! The sandbox's files, shared by every process that opens the same state file.
//!
//! - `<state>.json`: the ERP as seeded, written once (to a temporary file, then
//!   renamed) and never rewritten;
//! - `<state>.bookings.jsonl`: every booking since, one JSON line each, appended
//!   and synced before the booking counts; goods receipts recorded since
//!   (`docket sandbox receive`) are lines of it too, as `{"goods_receipt": ...}`;
//! - `<state>.lock`: an exclusive advisory lock held around every operation.
//!
//! Each process keeps what it has read and catches up from the log offset it
//! last saw, so a booking costs one appended line instead of rewriting the whole
//! ERP. A line torn by a crash is cut off before the next append.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use docket_domain::erp::{BookedInvoice, BookedSalesOrder, ErpSnapshot, GoodsReceipt};

use super::index::Index;

use crate::ErpError;

/// The data as far as the log was read, with the bookings indexed.
pub(super) struct Cached {
    pub snapshot: ErpSnapshot,
    pub index: Index,
    log_offset: u64,
}

impl Cached {
    /// Data held in memory only.
    pub fn in_memory(snapshot: ErpSnapshot) -> Self {
        Cached {
            index: Index::of(&snapshot),
            snapshot,
            log_offset: 0,
        }
    }

    /// Records a booking or a goods receipt.
    pub fn push(&mut self, entry: Entry) {
        match entry {
            Entry::Booking(booked) => {
                self.index.add(self.snapshot.booked_invoices.len(), &booked);
                self.snapshot.booked_invoices.push(booked);
            }
            Entry::Receipt(receipt) => {
                let at = self.snapshot.goods_receipts.len();
                self.index.add_receipt(at, &receipt);
                self.snapshot.goods_receipts.push(receipt);
            }
            Entry::SalesOrder(order) => self.snapshot.sales_orders.push(order),
        }
    }
}

/// What happened in the sandbox since it was seeded: one line of the log.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Entry {
    /// An invoice or credit note booked.
    Booking(BookedInvoice),
    /// Goods received.
    Receipt(GoodsReceipt),
    /// A sales order created.
    SalesOrder(BookedSalesOrder),
}

/// The key of a receipt's line; a booking's line is the booking itself, as
/// the log held only bookings before receipts were added to it.
const RECEIPT_KEY: &str = "goods_receipt";
/// The key of a sales order's line.
const SALES_ORDER_KEY: &str = "sales_order";

impl Entry {
    fn to_line(&self) -> serde_json::Result<Vec<u8>> {
        let mut line = match self {
            Entry::Booking(booked) => serde_json::to_vec(booked)?,
            Entry::Receipt(receipt) => {
                serde_json::to_vec(&serde_json::json!({ RECEIPT_KEY: receipt }))?
            }
            Entry::SalesOrder(order) => {
                serde_json::to_vec(&serde_json::json!({ SALES_ORDER_KEY: order }))?
            }
        };
        line.push(b'\n');
        Ok(line)
    }

    fn from_line(line: &[u8]) -> serde_json::Result<Entry> {
        let mut value: serde_json::Value = serde_json::from_slice(line)?;
        if let Some(order) = value.get_mut(SALES_ORDER_KEY).map(serde_json::Value::take) {
            return Ok(Entry::SalesOrder(serde_json::from_value(order)?));
        }
        match value.get_mut(RECEIPT_KEY).map(serde_json::Value::take) {
            Some(receipt) => Ok(Entry::Receipt(serde_json::from_value(receipt)?)),
            None => Ok(Entry::Booking(serde_json::from_value(value)?)),
        }
    }
}

/// The files behind one state path.
pub(super) struct SharedFiles {
    state: PathBuf,
    log: PathBuf,
    lock: PathBuf,
}

fn transient(path: &Path, e: std::io::Error) -> ErpError {
    ErpError::Transient(format!("{}: {e}", path.display()))
}

impl SharedFiles {
    pub fn new(state: &Path) -> Self {
        let with = |suffix: &str| {
            let mut name = state.file_name().unwrap_or_default().to_os_string();
            name.push(suffix);
            state.with_file_name(name)
        };
        SharedFiles {
            state: state.to_path_buf(),
            log: with(".bookings.jsonl"),
            lock: with(".lock"),
        }
    }

    /// Writes the seeded state unless it exists already.
    pub fn create_if_missing(
        &self,
        seed: impl FnOnce() -> Result<ErpSnapshot, ErpError>,
    ) -> Result<(), ErpError> {
        let _lock = self.lock()?;
        if !self.state.exists() {
            write_atomically(&self.state, &seed()?)?;
        }
        Ok(())
    }

    /// Takes the exclusive lock; released when the guard drops.
    pub fn lock(&self) -> Result<LockGuard, ErpError> {
        if let Some(dir) = self.lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| transient(dir, e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
            .map_err(|e| transient(&self.lock, e))?;
        file.lock().map_err(|e| transient(&self.lock, e))?;
        Ok(LockGuard(file))
    }

    /// Reads the state and the whole log (under the lock).
    pub fn load(&self, _lock: &LockGuard) -> Result<Cached, ErpError> {
        let bytes = std::fs::read(&self.state).map_err(|e| transient(&self.state, e))?;
        let snapshot = serde_json::from_slice(&bytes).map_err(|e| {
            ErpError::Permanent(format!(
                "sandbox state {} is damaged ({e}); start over with --fresh",
                self.state.display()
            ))
        })?;
        let mut cached = Cached::in_memory(snapshot);
        self.catch_up(&mut cached, _lock)?;
        Ok(cached)
    }

    /// Applies the bookings other processes appended since we last looked, and
    /// cuts off a line a crash left half-written (under the lock).
    pub fn catch_up(&self, cached: &mut Cached, _lock: &LockGuard) -> Result<(), ErpError> {
        let mut file = match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.log)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(transient(&self.log, e)),
        };
        let io = |e| transient(&self.log, e);
        let length = file.metadata().map_err(io)?.len();
        if length <= cached.log_offset {
            return Ok(());
        }
        file.seek(SeekFrom::Start(cached.log_offset)).map_err(io)?;
        let mut fresh = Vec::new();
        file.read_to_end(&mut fresh).map_err(io)?;
        let complete = fresh.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        for line in fresh[..complete]
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
        {
            let entry = Entry::from_line(line).map_err(|e| {
                ErpError::Permanent(format!(
                    "sandbox bookings log {} is damaged: {e}",
                    self.log.display()
                ))
            })?;
            cached.push(entry);
        }
        cached.log_offset += complete as u64;
        if complete < fresh.len() {
            file.set_len(cached.log_offset).map_err(io)?;
        }
        Ok(())
    }

    /// Appends a booking or receipt and syncs it (under the lock, after `catch_up`).
    pub fn append(
        &self,
        cached: &mut Cached,
        entry: Entry,
        _lock: &LockGuard,
    ) -> Result<(), ErpError> {
        let line = entry
            .to_line()
            .map_err(|e| ErpError::Permanent(format!("serialising a log entry: {e}")))?;
        let io = |e| transient(&self.log, e);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(io)?;
        file.write_all(&line).map_err(io)?;
        file.sync_data().map_err(io)?;
        cached.log_offset += line.len() as u64;
        cached.push(entry);
        Ok(())
    }
}

/// The held lock.
pub(super) struct LockGuard(std::fs::File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn write_atomically(path: &Path, data: &ErpSnapshot) -> Result<(), ErpError> {
    let io = |e| transient(path, e);
    let text = serde_json::to_vec_pretty(data)
        .map_err(|e| ErpError::Permanent(format!("serialising sandbox state: {e}")))?;
    let tmp = path.with_extension("json.tmp");
    if let Some(parent) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Everything a sandbox state holds, bookings included: for tools and tests
/// that look at a sandbox without running one.
pub fn load_state(state: &Path) -> Result<ErpSnapshot, ErpError> {
    let files = SharedFiles::new(state);
    let lock = files.lock()?;
    Ok(files.load(&lock)?.snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_domain::{Currency, DocumentKind, Money};

    fn booking(reference: &str) -> BookedInvoice {
        BookedInvoice {
            erp_ref: "5105600001".into(),
            supplier_id: "1".into(),
            supplier_reference: reference.into(),
            kind: DocumentKind::Invoice,
            document_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            gross: Money::new(rust_decimal::Decimal::ONE, Currency::EUR),
            lines: Vec::new(),
            idempotency_key: None,
            reversed: false,
        }
    }

    #[test]
    fn a_line_torn_by_a_crash_is_cut_off_and_later_bookings_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("sandbox.json");
        let files = SharedFiles::new(&state);
        files
            .create_if_missing(|| Ok(ErpSnapshot::default()))
            .unwrap();
        let lock = files.lock().unwrap();
        let mut cached = files.load(&lock).unwrap();
        files
            .append(&mut cached, Entry::Booking(booking("A")), &lock)
            .unwrap();
        drop(lock);
        // A process died half-way through its append.
        let mut log = std::fs::OpenOptions::new()
            .append(true)
            .open(&files.log)
            .unwrap();
        log.write_all(br#"{"erp_ref":"51056"#).unwrap();
        let lock = files.lock().unwrap();
        let mut other = files.load(&lock).unwrap();
        assert_eq!(
            other.snapshot.booked_invoices.len(),
            1,
            "the torn line is not a booking"
        );
        files
            .append(&mut other, Entry::Booking(booking("B")), &lock)
            .unwrap();
        drop(lock);
        let refs: Vec<String> = load_state(&state)
            .unwrap()
            .booked_invoices
            .into_iter()
            .map(|b| b.supplier_reference)
            .collect();
        assert_eq!(refs, vec!["A", "B"]);
    }
}
