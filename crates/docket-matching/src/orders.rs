//! Purchase order determination: the POs a document is matched against.
//!
//! The POs it names (header or lines; a credit note also reaches the POs of
//! the invoices it credits), each checked to exist, to belong to the
//! supplier and to be in the document's currency. A document that names
//! none is matched against the supplier's open POs of the last
//! `po_search.max_age_days`: a PO is taken only when it is the one PO whose
//! lines take every goods line of the document within tolerance (a subset of
//! its lines is fine: partial deliveries are invoiced so); two that fit are
//! ambiguous, none is an exception.

use chrono::Days;
use docket_domain::erp::{BookedInvoice, PurchaseOrder};
use docket_domain::normalize::invoice_number;
use docket_domain::{BusinessDocument, DocumentKind, Reason, ReasonCode};

use crate::charges::charge_amount;
use crate::lines::{LineContext, match_lines};
use crate::purchase_order_numbers;

/// At most this many of the supplier's most recent open POs are tried.
const SEARCHED: usize = 200;

/// The POs found, and what stands in the way.
#[derive(Default)]
pub struct Orders<'e> {
    /// The POs to match against.
    pub orders: Vec<&'e PurchaseOrder>,
    /// Why matching cannot go on as it should.
    pub exceptions: Vec<Reason>,
    /// How a PO was found when the document named none.
    pub notes: Vec<Reason>,
}

/// Finds the POs of a document.
pub fn find<'e>(doc: &BusinessDocument, cx: &LineContext<'_, 'e>) -> Orders<'e> {
    let mut found = Orders::default();
    let mut numbers = purchase_order_numbers(doc);
    if doc.kind() == DocumentKind::CreditNote {
        reach_credited(doc, cx.booked, &mut numbers, &mut found.exceptions);
    }
    if numbers.is_empty() {
        if doc.kind() == DocumentKind::Invoice && cx.policy.po_search.enabled {
            search(doc, cx, &mut found);
        } else if doc.kind() == DocumentKind::Invoice {
            found.exceptions.push(Reason::new(
                ReasonCode::UnknownPurchaseOrder,
                "the document names no purchase order",
            ));
        }
        return found;
    }
    for number in &numbers {
        match cx.erp.order(number) {
            None => found.exceptions.push(Reason::new(
                ReasonCode::UnknownPurchaseOrder,
                format!("purchase order {number} does not exist in the ERP"),
            )),
            Some(po) if po.supplier_id != cx.supplier_id => found.exceptions.push(Reason::new(
                ReasonCode::PurchaseOrderOtherSupplier,
                format!(
                    "purchase order {number} belongs to supplier {}, not {}",
                    po.supplier_id, cx.supplier_id
                ),
            )),
            Some(po) => {
                if let Some(currency) = doc.header.currency.as_ref().map(|f| f.value)
                    && currency != po.currency
                {
                    found.exceptions.push(Reason::new(
                        ReasonCode::CurrencyMismatch,
                        format!(
                            "the document is in {currency}, purchase order {number} in {}",
                            po.currency
                        ),
                    ));
                }
                found.orders.push(po);
            }
        }
    }
    found
}

/// Adds the POs of the invoices a credit note credits.
fn reach_credited(
    doc: &BusinessDocument,
    booked: &[&BookedInvoice],
    numbers: &mut Vec<String>,
    exceptions: &mut Vec<Reason>,
) {
    let named: Vec<&str> = doc
        .references
        .preceding_invoices
        .iter()
        .map(|f| f.value.as_str())
        .collect();
    let credited: Vec<&BookedInvoice> = named
        .iter()
        .filter_map(|r| {
            booked.iter().copied().find(|b| {
                b.kind == DocumentKind::Invoice
                    && !b.reversed
                    && invoice_number(&b.supplier_reference) == invoice_number(r)
            })
        })
        .collect();
    if credited.is_empty() {
        let msg = if named.is_empty() {
            "the credit note names no invoice it credits".to_string()
        } else {
            format!(
                "the credited invoice {} is not booked for this supplier",
                named.join(", ")
            )
        };
        if numbers.is_empty() || !named.is_empty() {
            exceptions.push(Reason::new(ReasonCode::CreditNoteUnlinked, msg));
        }
    }
    for line in credited.iter().flat_map(|b| &b.lines) {
        if line.account.is_none() && !numbers.contains(&line.purchase_order) {
            numbers.push(line.purchase_order.clone());
        }
    }
}

/// Searches the supplier's open POs for the one the document must mean.
fn search<'e>(doc: &BusinessDocument, cx: &LineContext<'_, 'e>, found: &mut Orders<'e>) {
    let date = doc.header.issue_date.as_ref().map(|f| f.value);
    let oldest =
        date.and_then(|d| d.checked_sub_days(Days::new(cx.policy.po_search.max_age_days.into())));
    let currency = doc.header.currency.as_ref().map(|f| f.value);
    let mut open: Vec<&'e PurchaseOrder> = cx
        .erp
        .orders_of(cx.supplier_id)
        .into_iter()
        .filter(|po| !po.closed)
        .filter(|po| currency.is_none_or(|c| c == po.currency))
        .filter(|po| date.is_none_or(|d| po.order_date <= d))
        .filter(|po| oldest.is_none_or(|o| po.order_date >= o))
        .collect();
    open.sort_by(|a, b| {
        b.order_date
            .cmp(&a.order_date)
            .then(a.number.cmp(&b.number))
    });
    let tried = open.len().min(SEARCHED);
    let goods = doc
        .lines
        .iter()
        .filter(|l| charge_amount(l).is_none())
        .count();
    let fits: Vec<&'e PurchaseOrder> = open
        .into_iter()
        .take(SEARCHED)
        .filter(|po| {
            let result = match_lines(&doc.lines, &[po], cx);
            let paired = doc.lines.len() - result.unpaired.len();
            goods > 0 && paired == goods && result.exceptions.is_empty()
        })
        .collect();
    match fits.as_slice() {
        [po] => {
            found.notes.push(Reason::new(
                ReasonCode::WithinTolerance,
                format!(
                    "the document names no purchase order; of the supplier's {tried} open orders \
                     only {} (of {}) takes all its lines",
                    po.number, po.order_date
                ),
            ));
            found.orders.push(po);
        }
        [] => found.exceptions.push(Reason::new(
            ReasonCode::UnknownPurchaseOrder,
            format!(
                "the document names no purchase order, and none of the supplier's {tried} open \
                 orders takes all its lines within tolerance"
            ),
        )),
        several => {
            let names: Vec<&str> = several.iter().map(|po| po.number.as_str()).collect();
            found.exceptions.push(Reason::new(
                ReasonCode::AmbiguousPurchaseOrder,
                format!(
                    "the document names no purchase order, and {} open orders take all its lines: {}",
                    several.len(),
                    names.join(", ")
                ),
            ));
        }
    }
}
