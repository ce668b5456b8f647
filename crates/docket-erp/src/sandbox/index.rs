//! Lookups over the sandbox's data: purchase orders and receipts by order
//! number, and bookings, kept up to date as bookings and receipts arrive.
//!
//! A real ERP answers "is this reference booked?", "what was invoiced on this
//! PO?" or "give me PO 4500000101" from its own indexes; the sandbox must too,
//! or every call would scan (and every match copy) everything before it, and a
//! long run would slow down with every document.

use std::collections::HashMap;

use docket_domain::DocumentKind;
use docket_domain::erp::{BookedInvoice, ErpSnapshot, GoodsReceipt};
use docket_domain::normalize;

/// Positions in the snapshot's lists, by what they are looked up by.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// Purchase orders by number.
    orders: HashMap<String, usize>,
    /// Purchase orders by supplier id.
    orders_of_supplier: HashMap<String, Vec<usize>>,
    /// Goods receipts by purchase order number.
    receipts: HashMap<String, Vec<usize>>,
    /// By (supplier id, normalised supplier reference).
    by_reference: HashMap<(String, String), Vec<usize>>,
    /// By (supplier id, purchase order number) of any line.
    by_order: HashMap<(String, String), Vec<usize>>,
    /// The highest numeric ERP document number handed out.
    highest_number: Option<u64>,
}

impl Index {
    /// Indexes a snapshot.
    pub fn of(data: &ErpSnapshot) -> Self {
        let mut index = Index::default();
        for (at, po) in data.purchase_orders.iter().enumerate() {
            index.orders.entry(po.number.clone()).or_insert(at);
            index
                .orders_of_supplier
                .entry(po.supplier_id.clone())
                .or_default()
                .push(at);
        }
        for (at, gr) in data.goods_receipts.iter().enumerate() {
            index.add_receipt(at, gr);
        }
        for (at, b) in data.booked_invoices.iter().enumerate() {
            index.add(at, b);
        }
        index
    }

    /// Positions of the purchase orders with these numbers.
    pub fn orders(&self, numbers: &[String]) -> Vec<usize> {
        let mut found: Vec<usize> = numbers
            .iter()
            .filter_map(|n| self.orders.get(n.trim()).copied())
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Positions of the supplier's purchase orders.
    pub fn orders_of(&self, supplier_id: &str) -> &[usize] {
        self.orders_of_supplier
            .get(supplier_id)
            .map_or(&[], Vec::as_slice)
    }

    /// Positions of the goods receipts for these purchase orders.
    pub fn receipts(&self, numbers: &[String]) -> Vec<usize> {
        let mut found: Vec<usize> = numbers
            .iter()
            .filter_map(|n| self.receipts.get(n.trim()))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Adds the goods receipt at position `at`.
    pub fn add_receipt(&mut self, at: usize, gr: &GoodsReceipt) {
        self.receipts
            .entry(gr.purchase_order.clone())
            .or_default()
            .push(at);
    }

    /// Adds the booking at position `at`.
    pub fn add(&mut self, at: usize, b: &BookedInvoice) {
        let reference = normalize::invoice_number(&b.supplier_reference);
        self.by_reference
            .entry((b.supplier_id.clone(), reference))
            .or_default()
            .push(at);
        for line in &b.lines {
            let positions = self
                .by_order
                .entry((b.supplier_id.clone(), line.purchase_order.clone()))
                .or_default();
            if positions.last() != Some(&at) {
                positions.push(at);
            }
        }
        if let Ok(number) = b.erp_ref.parse::<u64>() {
            self.highest_number = self.highest_number.max(Some(number));
        }
    }

    /// The highest numeric ERP document number so far.
    pub fn highest_number(&self) -> Option<u64> {
        self.highest_number
    }

    /// The supplier's live (not reversed) booking of `reference` as `kind`.
    pub fn same<'a>(
        &self,
        booked: &'a [BookedInvoice],
        supplier_id: &str,
        reference: &str,
        kind: DocumentKind,
    ) -> Option<&'a BookedInvoice> {
        self.under_reference(supplier_id, reference)
            .iter()
            .map(|&at| &booked[at])
            .find(|b| b.kind == kind && !b.reversed)
    }

    /// Positions of the supplier's bookings under any of `references` or
    /// against any of `orders`, in booking order, each once.
    pub fn select(
        &self,
        supplier_id: &str,
        references: &[String],
        orders: &[String],
    ) -> Vec<usize> {
        let mut positions: Vec<usize> = references
            .iter()
            .flat_map(|r| self.under_reference(supplier_id, r).iter().copied())
            .chain(orders.iter().flat_map(|po| {
                let key = (supplier_id.to_string(), po.trim().to_string());
                self.by_order.get(&key).into_iter().flatten().copied()
            }))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        positions
    }

    fn under_reference(&self, supplier_id: &str, reference: &str) -> &[usize] {
        let key = (
            supplier_id.to_string(),
            normalize::invoice_number(reference),
        );
        self.by_reference.get(&key).map_or(&[], Vec::as_slice)
    }
}
