//! The sandbox ERP: the embedded default, seeded from `fixtures/erp/`.
//!
//! It keeps suppliers, purchase orders, goods receipts, booked invoices,
//! customers and products in memory or, given a state file, in files several
//! processes can share as they would share a real ERP ([`file`]: the seeded
//! state written once, bookings appended to a log, an exclusive lock around
//! every operation). Booking numbers look like SAP's supplier-invoice document
//! numbers (`5105600001`, ...). Goods receipts can be added
//! ([`SandboxErp::receive_goods`]), standing in for the warehouse, so that
//! invoices waiting for their goods can be seen to go through.

mod file;
mod index;
mod sales;

pub use file::load_state;

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use docket_domain::DocumentKind;
use docket_domain::erp::{
    BookedInvoice, BookedSalesOrder, BookingRequest, Customer, CustomerPrice, ErpSnapshot,
    GoodsReceipt, Product, PurchaseOrder, SalesOrderRequest, Supplier,
};
use docket_domain::normalize;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use file::{Cached, Entry, SharedFiles};

use crate::{BookedQuery, CustomerQuery, Erp, ErpError, MasterData, SupplierQuery};

/// The first document number the sandbox hands out when none is booked yet.
const FIRST_ERP_NUMBER: u64 = 5_105_600_001;

/// The first goods receipt (material document) number, when none is numbered yet.
const FIRST_RECEIPT_NUMBER: u64 = 5_000_000_001;

/// The embedded ERP.
pub struct SandboxErp {
    data: Mutex<Cached>,
    files: Option<SharedFiles>,
}

fn read_array<T: DeserializeOwned>(dir: &Path, file: &str) -> Result<Vec<T>, ErpError> {
    let path = dir.join(file);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            ErpError::Permanent(format!("sandbox seed {} is not valid: {e}", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(ErpError::Permanent(format!(
            "cannot read sandbox seed {}: {e}",
            path.display()
        ))),
    }
}

impl SandboxErp {
    /// Loads the seed folder (`suppliers.json`, `purchase_orders.json`, ...; missing files are empty).
    pub fn seed_from_dir(dir: &Path) -> Result<ErpSnapshot, ErpError> {
        if !dir.is_dir() {
            return Err(ErpError::Permanent(format!(
                "sandbox seed folder {} does not exist",
                dir.display()
            )));
        }
        Ok(ErpSnapshot {
            suppliers: read_array(dir, "suppliers.json")?,
            purchase_orders: read_array(dir, "purchase_orders.json")?,
            goods_receipts: read_array(dir, "goods_receipts.json")?,
            booked_invoices: read_array(dir, "booked_invoices.json")?,
            customers: read_array(dir, "customers.json")?,
            products: read_array(dir, "products.json")?,
            price_lists: read_array(dir, "price_lists.json")?,
            sales_orders: read_array(dir, "sales_orders.json")?,
        })
    }

    /// A sandbox over data held in memory only.
    pub fn in_memory(data: ErpSnapshot) -> Self {
        SandboxErp {
            data: Mutex::new(Cached::in_memory(data)),
            files: None,
        }
    }

    /// A sandbox kept in `state_file` (and the files beside it): loaded from it
    /// when it exists, else seeded from `seed_dir` first.
    pub fn open(seed_dir: &Path, state_file: &Path) -> Result<Self, ErpError> {
        let files = SharedFiles::new(state_file);
        files.create_if_missing(|| Self::seed_from_dir(seed_dir))?;
        let cached = {
            let lock = files.lock()?;
            files.load(&lock)?
        };
        Ok(SandboxErp {
            data: Mutex::new(cached),
            files: Some(files),
        })
    }

    /// Everything the sandbox holds now.
    pub async fn snapshot(&self) -> Result<ErpSnapshot, ErpError> {
        self.read(|cached| cached.snapshot.clone()).await
    }

    /// Every booked invoice and credit note, oldest first.
    pub async fn list_booked(&self) -> Result<Vec<BookedInvoice>, ErpError> {
        self.read(|cached| cached.snapshot.booked_invoices.clone())
            .await
    }

    /// Records that `quantity` of line `line` of purchase order
    /// `purchase_order` arrived on `date` (negative: a reversal), under the
    /// next free receipt number; returns the receipt. Other processes sharing
    /// the state file see it at their next call.
    pub async fn receive_goods(
        &self,
        purchase_order: &str,
        line: &str,
        quantity: Decimal,
        date: NaiveDate,
    ) -> Result<GoodsReceipt, ErpError> {
        if quantity.is_zero() {
            return Err(ErpError::Permanent(
                "a goods receipt of quantity 0 records nothing".into(),
            ));
        }
        self.with_data(|cached| {
            let data = &cached.snapshot;
            let po = data
                .purchase_orders
                .iter()
                .find(|po| po.number == purchase_order.trim())
                .ok_or_else(|| ErpError::NotFound(format!("purchase order {purchase_order}")))?;
            let po_line = po
                .lines
                .iter()
                .find(|l| normalize::same_line_number(&l.line, line))
                .ok_or_else(|| {
                    let lines: Vec<&str> = po.lines.iter().map(|l| l.line.as_str()).collect();
                    ErpError::NotFound(format!(
                        "line {line} of purchase order {} (it has lines {})",
                        po.number,
                        lines.join(", ")
                    ))
                })?;
            let highest = data
                .goods_receipts
                .iter()
                .filter_map(|gr| gr.number.parse::<u64>().ok())
                .max();
            let receipt = GoodsReceipt {
                number: highest.map_or(FIRST_RECEIPT_NUMBER, |n| n + 1).to_string(),
                item: "1".into(),
                purchase_order: po.number.clone(),
                purchase_order_line: po_line.line.clone(),
                quantity,
                date,
            };
            Ok((receipt.clone(), Some(Entry::Receipt(receipt))))
        })
        .await
    }

    /// Runs `f` over the current data (see [`with_data`](Self::with_data)), recording nothing.
    async fn read<R>(&self, f: impl FnOnce(&Cached) -> R) -> Result<R, ErpError> {
        self.with_data(|cached| Ok((f(cached), None))).await
    }

    /// Runs `f` over the current data (caught up with other processes'
    /// bookings and receipts, under the lock) and records the booking or
    /// receipt it returns, if any.
    async fn with_data<R>(
        &self,
        f: impl FnOnce(&Cached) -> Result<(R, Option<Entry>), ErpError>,
    ) -> Result<R, ErpError> {
        let mut cached = self.data.lock().await;
        let Some(files) = &self.files else {
            let (result, entry) = f(&cached)?;
            if let Some(entry) = entry {
                cached.push(entry);
            }
            return Ok(result);
        };
        let lock = files.lock()?;
        files.catch_up(&mut cached, &lock)?;
        let (result, entry) = f(&cached)?;
        if let Some(entry) = entry {
            files.append(&mut cached, entry, &lock)?;
        }
        Ok(result)
    }
}

/// Copies of the records at `positions` (found through the index).
fn pick<T: Clone>(all: &[T], positions: Vec<usize>) -> Vec<T> {
    positions.into_iter().map(|at| all[at].clone()).collect()
}

#[async_trait]
impl Erp for SandboxErp {
    fn name(&self) -> &str {
        "sandbox"
    }

    async fn supplier_candidates(&self, query: &SupplierQuery) -> Result<Vec<Supplier>, ErpError> {
        self.read(|cached| {
            let data = &cached.snapshot;
            data.suppliers
                .iter()
                .filter(|s| query.matches(s))
                .cloned()
                .collect()
        })
        .await
    }

    async fn purchase_orders(&self, numbers: &[String]) -> Result<Vec<PurchaseOrder>, ErpError> {
        self.read(|cached| {
            let all = &cached.snapshot.purchase_orders;
            pick(all, cached.index.orders(numbers))
        })
        .await
    }

    async fn open_purchase_orders(
        &self,
        supplier_id: &str,
        since: Option<chrono::NaiveDate>,
    ) -> Result<Vec<PurchaseOrder>, ErpError> {
        self.read(|cached| {
            let all = &cached.snapshot.purchase_orders;
            let open: Vec<usize> = cached
                .index
                .orders_of(supplier_id)
                .iter()
                .copied()
                .filter(|&at| !all[at].closed && since.is_none_or(|d| all[at].order_date >= d))
                .collect();
            pick(all, open)
        })
        .await
    }

    async fn goods_receipts(&self, po_numbers: &[String]) -> Result<Vec<GoodsReceipt>, ErpError> {
        self.read(|cached| {
            let all = &cached.snapshot.goods_receipts;
            pick(all, cached.index.receipts(po_numbers))
        })
        .await
    }

    /// Everything, whatever `since` says: the sandbox keeps no change dates,
    /// so every answer is complete (open purchase orders and their receipts)
    /// and the cache drops what it lacks.
    async fn master_data(&self, since: Option<DateTime<Utc>>) -> Result<MasterData, ErpError> {
        let _ = since;
        let as_of = Utc::now();
        self.read(|cached| {
            let data = &cached.snapshot;
            let purchase_orders: Vec<PurchaseOrder> = data
                .purchase_orders
                .iter()
                .filter(|po| !po.closed)
                .cloned()
                .collect();
            let numbers: Vec<String> = purchase_orders.iter().map(|po| po.number.clone()).collect();
            MasterData {
                suppliers: data.suppliers.clone(),
                goods_receipts: pick(&data.goods_receipts, cached.index.receipts(&numbers)),
                purchase_orders,
                as_of,
                complete: true,
            }
        })
        .await
    }

    async fn booked_invoices(&self, query: &BookedQuery) -> Result<Vec<BookedInvoice>, ErpError> {
        self.read(|cached| {
            let positions = cached.index.select(
                &query.supplier_id,
                &query.references,
                &query.purchase_orders,
            );
            pick(&cached.snapshot.booked_invoices, positions)
        })
        .await
    }

    async fn find_booking(
        &self,
        supplier_id: &str,
        supplier_reference: &str,
        kind: DocumentKind,
    ) -> Result<Option<BookedInvoice>, ErpError> {
        self.read(|cached| {
            let booked = &cached.snapshot.booked_invoices;
            let found = cached
                .index
                .same(booked, supplier_id, supplier_reference, kind);
            found.cloned()
        })
        .await
    }

    async fn book_invoice(&self, request: &BookingRequest) -> Result<BookedInvoice, ErpError> {
        let booked = self
            .with_data(|cached| {
                let data = &cached.snapshot;
                if !data.suppliers.iter().any(|s| s.id == request.supplier_id) {
                    return Err(ErpError::Permanent(format!(
                        "supplier {} does not exist",
                        request.supplier_id
                    )));
                }
                let (supplier, reference) = (&request.supplier_id, &request.supplier_reference);
                let booked = &data.booked_invoices;
                if let Some(existing) = cached.index.same(booked, supplier, reference, request.kind)
                {
                    return Err(ErpError::Conflict(format!(
                        "reference {reference} is already booked as {}",
                        existing.erp_ref
                    )));
                }
                let booked = BookedInvoice {
                    erp_ref: cached
                        .index
                        .highest_number()
                        .map_or(FIRST_ERP_NUMBER, |n| n + 1)
                        .to_string(),
                    supplier_id: request.supplier_id.clone(),
                    supplier_reference: request.supplier_reference.clone(),
                    kind: request.kind,
                    document_date: request.document_date,
                    gross: request.gross,
                    lines: request.lines.clone(),
                    idempotency_key: Some(request.idempotency_key.clone()),
                    reversed: false,
                };
                Ok((booked.clone(), Some(Entry::Booking(booked))))
            })
            .await?;
        tracing::info!(erp_ref = %booked.erp_ref, supplier = %booked.supplier_id, "sandbox booked");
        Ok(booked)
    }

    async fn customer_candidates(&self, query: &CustomerQuery) -> Result<Vec<Customer>, ErpError> {
        self.sales_customers(query).await
    }

    async fn products(&self, codes: &[String]) -> Result<Vec<Product>, ErpError> {
        self.sales_products(codes).await
    }

    async fn customer_prices(
        &self,
        customer_id: &str,
        codes: &[String],
    ) -> Result<Vec<CustomerPrice>, ErpError> {
        self.sales_prices(customer_id, codes).await
    }

    async fn find_sales_order(
        &self,
        customer_id: &str,
        customer_reference: &str,
    ) -> Result<Option<BookedSalesOrder>, ErpError> {
        self.sales_find(customer_id, customer_reference).await
    }

    async fn create_sales_order(
        &self,
        request: &SalesOrderRequest,
    ) -> Result<BookedSalesOrder, ErpError> {
        self.sales_create(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_domain::erp::BookedLine;
    use docket_domain::{Currency, Money};
    use rust_decimal_macros::dec;

    fn supplier() -> Supplier {
        Supplier {
            id: "100101".into(),
            name: "Nordwind Bürobedarf GmbH".into(),
            vat_id: Some("DE136695976".into()),
            tax_number: None,
            country: Some("DE".into()),
            ibans: vec!["DE89370400440532013000".into()],
            email_domains: vec!["nordwind.example".into()],
            posting_blocked: false,
            payment_blocked: false,
        }
    }

    fn request(reference: &str) -> BookingRequest {
        BookingRequest {
            idempotency_key: docket_domain::erp::idempotency_key(
                "100101",
                reference,
                DocumentKind::Invoice,
            ),
            supplier_id: "100101".into(),
            supplier_reference: reference.into(),
            kind: DocumentKind::Invoice,
            document_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            gross: Money::new(dec!(119.00), Currency::EUR),
            company: None,
            lines: vec![BookedLine {
                purchase_order: "4500000101".into(),
                purchase_order_line: "10".into(),
                quantity: dec!(1),
                amount: dec!(100),
                goods_receipt: None,
                account: None,
            }],
        }
    }

    /// A temporary folder with a `seed/` of one supplier.
    fn seed_folder() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let seed = dir.path().join("seed");
        std::fs::create_dir_all(&seed).unwrap();
        std::fs::write(
            seed.join("suppliers.json"),
            serde_json::to_vec(&vec![supplier()]).unwrap(),
        )
        .unwrap();
        (dir, seed)
    }

    fn seeded() -> ErpSnapshot {
        ErpSnapshot {
            suppliers: vec![supplier()],
            ..ErpSnapshot::default()
        }
    }

    #[tokio::test]
    async fn candidates_are_found_by_vat_iban_domain_or_similar_name() {
        let erp = SandboxErp::in_memory(seeded());
        let by = |q: SupplierQuery| {
            let erp = &erp;
            async move { erp.supplier_candidates(&q).await.unwrap().len() }
        };
        let vat = vec!["DE136695976".to_string()];
        assert_eq!(
            by(SupplierQuery {
                vat_ids: vat,
                ..Default::default()
            })
            .await,
            1
        );
        let iban = vec!["DE89370400440532013000".to_string()];
        assert_eq!(
            by(SupplierQuery {
                ibans: iban,
                ..Default::default()
            })
            .await,
            1
        );
        let name = Some("NORDWIND Bürobedarf".to_string());
        assert_eq!(
            by(SupplierQuery {
                name,
                ..Default::default()
            })
            .await,
            1
        );
        let other = Some("Southwind Trading".to_string());
        assert_eq!(
            by(SupplierQuery {
                name: other,
                ..Default::default()
            })
            .await,
            0
        );
        let domain = Some("NORDWIND.example".to_string());
        assert_eq!(
            by(SupplierQuery {
                email_domain: domain,
                ..Default::default()
            })
            .await,
            1
        );
    }

    #[tokio::test]
    async fn booking_numbers_are_sequential_and_a_reference_books_once() {
        let erp = SandboxErp::in_memory(seeded());
        let first = erp.book_invoice(&request("RE-1")).await.unwrap();
        assert_eq!(first.erp_ref, "5105600001");
        let second = erp.book_invoice(&request("RE-2")).await.unwrap();
        assert_eq!(second.erp_ref, "5105600002");
        let again = erp.book_invoice(&request("re 1")).await;
        assert!(matches!(again, Err(ErpError::Conflict(_))), "{again:?}");
        let found = erp
            .find_booking("100101", "RE1", DocumentKind::Invoice)
            .await
            .unwrap();
        assert_eq!(found.unwrap().erp_ref, "5105600001");
        assert!(
            erp.find_booking("100101", "RE1", DocumentKind::CreditNote)
                .await
                .unwrap()
                .is_none()
        );
    }

    fn order() -> docket_domain::erp::PurchaseOrder {
        serde_json::from_value(serde_json::json!({
            "number": "4500000101", "supplier_id": "100101", "order_date": "2026-10-01",
            "currency": "EUR",
            "lines": [{"line": "00010", "description": "Paper", "quantity": "40",
                       "unit": "PAK", "unit_price": "4.85"}]
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn goods_received_are_numbered_logged_and_seen_by_other_processes() {
        let (dir, seed) = seed_folder();
        std::fs::write(
            seed.join("purchase_orders.json"),
            serde_json::to_vec(&vec![order()]).unwrap(),
        )
        .unwrap();
        let state = dir.path().join("sandbox.json");
        let first = SandboxErp::open(&seed, &state).unwrap();
        let second = SandboxErp::open(&seed, &state).unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 9).unwrap();
        let po = "4500000101";
        // Line numbers compare as numbers: `10` is the PO's `00010`.
        let gr = first.receive_goods(po, "10", dec!(25), day).await.unwrap();
        assert_eq!(gr.number, "5000000001");
        assert_eq!(gr.purchase_order_line, "00010");
        // Bookings and receipts share the log.
        first.book_invoice(&request("RE-1")).await.unwrap();
        let more = second.receive_goods(po, "10", dec!(15), day).await.unwrap();
        assert_eq!(
            more.number, "5000000002",
            "numbers continue across processes"
        );
        let seen = first.goods_receipts(&[po.to_string()]).await.unwrap();
        assert_eq!(seen, vec![gr, more]);
        let reopened = load_state(&state).unwrap();
        assert_eq!(reopened.goods_receipts.len(), 2);
        assert_eq!(reopened.booked_invoices.len(), 1);

        let unknown = first.receive_goods("4599999999", "10", dec!(1), day).await;
        assert!(matches!(unknown, Err(ErpError::NotFound(_))), "{unknown:?}");
        let no_line = first.receive_goods(po, "20", dec!(1), day).await;
        let message = no_line.unwrap_err().to_string();
        assert!(message.contains("it has lines 00010"), "{message}");
        assert!(first.receive_goods(po, "10", dec!(0), day).await.is_err());
    }

    #[tokio::test]
    async fn unknown_supplier_is_refused_with_a_reason() {
        let erp = SandboxErp::in_memory(ErpSnapshot::default());
        let err = erp.book_invoice(&request("RE-1")).await.unwrap_err();
        assert!(err.to_string().contains("supplier 100101 does not exist"));
    }

    #[tokio::test]
    async fn bookings_survive_a_restart_through_the_state_file() {
        let (dir, seed) = seed_folder();
        let state = dir.path().join("state/sandbox.json");
        {
            let erp = SandboxErp::open(&seed, &state).unwrap();
            erp.book_invoice(&request("RE-9")).await.unwrap();
        }
        let erp = SandboxErp::open(&seed, &state).unwrap();
        assert_eq!(erp.list_booked().await.unwrap().len(), 1);
        assert!(SandboxErp::open(&dir.path().join("missing"), &dir.path().join("x.json")).is_err());
    }

    #[tokio::test]
    async fn two_processes_sharing_a_state_file_see_each_others_bookings() {
        let (dir, seed) = seed_folder();
        let state = dir.path().join("sandbox.json");
        let first = SandboxErp::open(&seed, &state).unwrap();
        let second = SandboxErp::open(&seed, &state).unwrap();
        first.book_invoice(&request("RE-1")).await.unwrap();
        let seen = second
            .find_booking("100101", "RE-1", DocumentKind::Invoice)
            .await
            .unwrap();
        assert!(
            seen.is_some(),
            "the second instance must see the first one's booking"
        );
        let again = second.book_invoice(&request("RE-1")).await;
        assert!(matches!(again, Err(ErpError::Conflict(_))), "{again:?}");
        let next = second.book_invoice(&request("RE-2")).await.unwrap();
        assert_eq!(
            next.erp_ref, "5105600002",
            "numbers continue across instances"
        );
        assert_eq!(first.list_booked().await.unwrap().len(), 2);
    }
}
