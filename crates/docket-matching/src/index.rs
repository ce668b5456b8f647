//! Lookups over an ERP snapshot, so that matching one document costs the
//! same against a million PO lines as against ten.
//!
//! The pipeline hands matching a small snapshot gathered for one document;
//! a master-data cache hands it everything. Both go through [`ErpIndex`]:
//! hash maps from the identifiers matching looks things up by to positions
//! in the snapshot's vectors.

use std::collections::HashMap;

use docket_domain::erp::{BookedInvoice, ErpSnapshot, GoodsReceipt, PurchaseOrder, Supplier};
use docket_domain::normalize::{compact_identifier, company_name};

/// An [`ErpSnapshot`] with the maps matching looks things up by.
pub struct ErpIndex<'a> {
    snapshot: &'a ErpSnapshot,
    supplier_by_id: HashMap<&'a str, usize>,
    suppliers_by_vat: HashMap<String, Vec<usize>>,
    suppliers_by_iban: HashMap<String, Vec<usize>>,
    suppliers_by_domain: HashMap<String, Vec<usize>>,
    suppliers_by_name_word: HashMap<String, Vec<usize>>,
    order_by_number: HashMap<&'a str, usize>,
    orders_by_supplier: HashMap<&'a str, Vec<usize>>,
    receipts_by_order: HashMap<&'a str, Vec<usize>>,
    booked_by_supplier: HashMap<&'a str, Vec<usize>>,
}

/// The words of a normalised company name that say something (legal forms
/// and short words dropped by [`company_name`] and the length filter).
pub(crate) fn name_words(name: &str) -> impl Iterator<Item = String> {
    company_name(name)
        .split_whitespace()
        .filter(|w| w.chars().count() > 2)
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
}

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, key: K, at: usize) {
    let slot = map.entry(key).or_default();
    if slot.last() != Some(&at) {
        slot.push(at);
    }
}

impl<'a> ErpIndex<'a> {
    /// Indexes a snapshot (linear in its size).
    pub fn new(snapshot: &'a ErpSnapshot) -> Self {
        let mut index = ErpIndex {
            snapshot,
            supplier_by_id: HashMap::with_capacity(snapshot.suppliers.len()),
            suppliers_by_vat: HashMap::new(),
            suppliers_by_iban: HashMap::new(),
            suppliers_by_domain: HashMap::new(),
            suppliers_by_name_word: HashMap::new(),
            order_by_number: HashMap::with_capacity(snapshot.purchase_orders.len()),
            orders_by_supplier: HashMap::new(),
            receipts_by_order: HashMap::new(),
            booked_by_supplier: HashMap::new(),
        };
        for (i, s) in snapshot.suppliers.iter().enumerate() {
            index.supplier_by_id.insert(s.id.as_str(), i);
            if let Some(vat) = &s.vat_id {
                push(&mut index.suppliers_by_vat, compact_identifier(vat), i);
            }
            for iban in &s.ibans {
                push(&mut index.suppliers_by_iban, compact_identifier(iban), i);
            }
            for domain in &s.email_domains {
                push(&mut index.suppliers_by_domain, domain.to_lowercase(), i);
            }
            for word in name_words(&s.name) {
                push(&mut index.suppliers_by_name_word, word, i);
            }
        }
        for (i, po) in snapshot.purchase_orders.iter().enumerate() {
            index.order_by_number.insert(po.number.as_str(), i);
            push(&mut index.orders_by_supplier, po.supplier_id.as_str(), i);
        }
        for (i, gr) in snapshot.goods_receipts.iter().enumerate() {
            push(&mut index.receipts_by_order, gr.purchase_order.as_str(), i);
        }
        for (i, b) in snapshot.booked_invoices.iter().enumerate() {
            push(&mut index.booked_by_supplier, b.supplier_id.as_str(), i);
        }
        index
    }

    /// The snapshot indexed.
    pub fn snapshot(&self) -> &'a ErpSnapshot {
        self.snapshot
    }

    fn suppliers_at(&self, at: Option<&Vec<usize>>) -> Vec<&'a Supplier> {
        at.map_or_else(Vec::new, |v| {
            v.iter().map(|&i| &self.snapshot.suppliers[i]).collect()
        })
    }

    /// A supplier by ERP id.
    pub fn supplier(&self, id: &str) -> Option<&'a Supplier> {
        self.supplier_by_id
            .get(id)
            .map(|&i| &self.snapshot.suppliers[i])
    }

    /// Suppliers with this VAT id (compact, upper case) on their record.
    pub fn suppliers_with_vat(&self, vat: &str) -> Vec<&'a Supplier> {
        self.suppliers_at(self.suppliers_by_vat.get(vat))
    }

    /// Suppliers with this IBAN (compact, upper case) on their record.
    pub fn suppliers_with_iban(&self, iban: &str) -> Vec<&'a Supplier> {
        self.suppliers_at(self.suppliers_by_iban.get(iban))
    }

    /// Suppliers sending from this mail domain.
    pub fn suppliers_with_domain(&self, domain: &str) -> Vec<&'a Supplier> {
        self.suppliers_at(self.suppliers_by_domain.get(&domain.to_lowercase()))
    }

    /// Suppliers whose name shares a word with `name` (candidates for a
    /// name comparison; never every supplier). Words that many suppliers
    /// share ("service", "industrie") say little and would cost a comparison
    /// each: only the rarer words count, or the rarest when all are common.
    pub fn suppliers_named_like(&self, name: &str) -> Vec<&'a Supplier> {
        const COMMON: usize = 256;
        let mut lists: Vec<&Vec<usize>> = name_words(name)
            .filter_map(|w| self.suppliers_by_name_word.get(&w))
            .collect();
        lists.sort_by_key(|l| l.len());
        let rare = lists.iter().filter(|l| l.len() <= COMMON).count().max(1);
        let mut at: Vec<usize> = lists
            .into_iter()
            .take(rare)
            .flatten()
            .copied()
            .take(4 * COMMON)
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter()
            .map(|i| &self.snapshot.suppliers[i])
            .collect()
    }

    /// A purchase order by number.
    pub fn order(&self, number: &str) -> Option<&'a PurchaseOrder> {
        self.order_by_number
            .get(number)
            .map(|&i| &self.snapshot.purchase_orders[i])
    }

    /// The supplier's purchase orders, open and closed.
    pub fn orders_of(&self, supplier_id: &str) -> Vec<&'a PurchaseOrder> {
        self.orders_by_supplier
            .get(supplier_id)
            .map_or_else(Vec::new, |v| {
                v.iter()
                    .map(|&i| &self.snapshot.purchase_orders[i])
                    .collect()
            })
    }

    /// Goods receipts (and reversals) of a purchase order.
    pub fn receipts_of(&self, po: &str) -> impl Iterator<Item = &'a GoodsReceipt> + '_ {
        self.receipts_by_order
            .get(po)
            .into_iter()
            .flatten()
            .map(|&i| &self.snapshot.goods_receipts[i])
    }

    /// The supplier's booked invoices and credit notes, oldest first as the ERP gave them.
    pub fn booked_of(&self, supplier_id: &str) -> Vec<&'a BookedInvoice> {
        self.booked_by_supplier
            .get(supplier_id)
            .map_or_else(Vec::new, |v| {
                v.iter()
                    .map(|&i| &self.snapshot.booked_invoices[i])
                    .collect()
            })
    }
}
