//! Docket's matching rules (pure: no I/O).
//!
//! [`match_document`] decides what happens to an extracted invoice or credit
//! note given what the ERP knows: book it, wait (goods not received yet), send
//! it to a person with reasons, or recognise it as a duplicate. Every decision
//! comes with reasons and a per-line explanation a person can read.
//!
//! Order of checks: kind and required fields; supplier identification; the
//! supplier controls (blocks, bank account, VAT id); duplicates already booked;
//! arithmetic; purchase orders and their lines (quantity against receipts,
//! price against the PO under the [`Policy`]).

pub mod controls;
pub mod lines;
pub mod policy;
pub mod supplier;
pub mod tolerance;

use docket_domain::erp::{
    BookedInvoice, BookingRequest, ErpSnapshot, PurchaseOrder, idempotency_key,
};
use docket_domain::normalize::invoice_number;
use docket_domain::{
    BusinessDocument, Confidence, Decision, DocumentKind, LineExplanation, Reason, ReasonCode,
};
use serde::{Deserialize, Serialize};

pub use policy::Policy;
pub use supplier::{SellerIds, SupplierMatch};

/// Why matching could not start (its rules themselves never fail).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchingError {
    /// The policy file cannot be read or makes no sense.
    #[error("matching policy: {0}")]
    Policy(String),
}

/// What matching decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Everything lines up: book it.
    Book,
    /// Something the ERP will catch up with (goods receipt): look again later.
    Wait,
    /// A person must look.
    Exception,
    /// Already booked (or received) before.
    Duplicate,
}

impl Verdict {
    /// The decision reported once the verdict is carried out (`Book` ends as booked).
    pub fn decision(self) -> Decision {
        match self {
            Verdict::Book => Decision::Booked,
            Verdict::Wait => Decision::Waiting,
            Verdict::Exception => Decision::Exception,
            Verdict::Duplicate => Decision::Duplicate,
        }
    }
}

/// The full result of matching one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchOutcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The identified supplier, if any.
    pub supplier: Option<SupplierMatch>,
    /// Why (for `Book`: notes such as variances within tolerance).
    pub reasons: Vec<Reason>,
    /// The match table, one row per document line.
    pub lines: Vec<LineExplanation>,
    /// What to book, for `Book`.
    pub booking: Option<BookingRequest>,
    /// Supplier + normalised number + kind, once the supplier is known: the
    /// key under which Docket holds this document exactly once.
    pub business_key: Option<String>,
    /// The policy version that decided.
    pub policy_version: u32,
}

/// What matching reads: the document and the relevant part of the ERP.
pub struct MatchInput<'a> {
    /// The extracted document.
    pub document: &'a BusinessDocument,
    /// Supplier candidates, POs, receipts and bookings the ERP returned for it.
    pub erp: &'a ErpSnapshot,
    /// The e-mail domain it was sent from, if it came by mail.
    pub sender_domain: Option<&'a str>,
}

/// PO numbers the document names, at header and line level, without repeats.
pub fn purchase_order_numbers(doc: &BusinessDocument) -> Vec<String> {
    purchase_order_refs(doc)
        .into_iter()
        .map(|(number, _)| number)
        .collect()
}

/// The purchase order numbers of [`purchase_order_numbers`], each with the
/// lowest confidence it was read with (in the header or on a line).
pub fn purchase_order_refs(doc: &BusinessDocument) -> Vec<(String, Confidence)> {
    let header = doc.references.purchase_orders.iter();
    let lines = doc.lines.iter().filter_map(|l| l.purchase_order.as_ref());
    let mut refs: Vec<(String, Confidence)> = Vec::new();
    for field in header.chain(lines) {
        let number = field.value.trim();
        if number.is_empty() {
            continue;
        }
        match refs.iter_mut().find(|(n, _)| n == number) {
            Some((_, lowest)) if field.confidence < *lowest => *lowest = field.confidence,
            Some(_) => {}
            None => refs.push((number.to_string(), field.confidence)),
        }
    }
    refs
}

fn outcome(verdict: Verdict, reasons: Vec<Reason>, policy: &Policy) -> MatchOutcome {
    MatchOutcome {
        verdict,
        supplier: None,
        reasons,
        lines: Vec::new(),
        booking: None,
        business_key: None,
        policy_version: policy.version,
    }
}

/// Decides what to do with a document.
pub fn match_document(input: &MatchInput<'_>, policy: &Policy) -> MatchOutcome {
    let doc = input.document;
    let kind = doc.kind();
    if !matches!(kind, DocumentKind::Invoice | DocumentKind::CreditNote) {
        let msg = format!(
            "this is a {}, not an invoice or credit note",
            kind.as_str().replace('_', " ")
        );
        return outcome(
            Verdict::Exception,
            vec![Reason::new(ReasonCode::NotAnInvoice, msg)],
            policy,
        );
    }
    let mut exceptions = controls::required_fields(doc, policy);
    let supplier = match supplier::identify(doc, &input.erp.suppliers, input.sender_domain, policy)
    {
        Ok(s) => s,
        Err(reason) => {
            exceptions.insert(0, reason);
            return outcome(Verdict::Exception, exceptions, policy);
        }
    };
    let mut result = outcome(Verdict::Exception, Vec::new(), policy);
    result.business_key = doc.number().map(|n| idempotency_key(&supplier.id, n, kind));
    let booked: Vec<BookedInvoice> = input
        .erp
        .booked_invoices
        .iter()
        .filter(|b| b.supplier_id == supplier.id)
        .cloned()
        .collect();
    if let Some(earlier) = controls::booked_duplicate(doc, &supplier.id, &booked) {
        result.verdict = Verdict::Duplicate;
        result.reasons = vec![Reason::new(
            ReasonCode::Duplicate,
            format!(
                "{} {} of {} is already booked in the ERP as {} ({})",
                kind.as_str().replace('_', " "),
                earlier.supplier_reference,
                supplier.name,
                earlier.erp_ref,
                earlier.document_date
            ),
        )];
        result.supplier = Some(supplier);
        return result;
    }
    if let Some(record) = input.erp.suppliers.iter().find(|s| s.id == supplier.id) {
        exceptions.extend(controls::supplier_controls(doc, record));
    }
    exceptions.extend(controls::arithmetic(doc, policy));
    let orders = find_orders(doc, input.erp, &booked, &supplier, &mut exceptions);
    if !doc.allowances_charges.is_empty() {
        exceptions.push(Reason::new(
            ReasonCode::LineNotMatched,
            "the document has allowances or charges outside its lines, which this policy does not match yet",
        ));
    }
    let lines = lines::match_lines(&doc.lines, kind, &orders, input.erp, &booked, policy);
    if doc.lines.is_empty() {
        exceptions.push(Reason::new(
            ReasonCode::MissingField,
            "no invoice lines could be read",
        ));
    }
    exceptions.extend(lines.exceptions);
    result.lines = lines.explanations;
    result.verdict = if !exceptions.is_empty() {
        Verdict::Exception
    } else if !lines.pending.is_empty() {
        Verdict::Wait
    } else {
        Verdict::Book
    };
    result.reasons = exceptions
        .into_iter()
        .chain(lines.pending)
        .chain(lines.notes)
        .collect();
    if result.verdict == Verdict::Book {
        result.booking = booking_request(doc, &supplier, lines.booking);
        if result.booking.is_none() {
            result.verdict = Verdict::Exception;
            result.reasons.push(Reason::new(
                ReasonCode::MissingField,
                "number, date or gross total missing",
            ));
        }
    }
    result.supplier = Some(supplier);
    result
}

/// The POs the document refers to, checked against the supplier; credit notes
/// also reach the POs of the invoices they credit.
fn find_orders<'a>(
    doc: &BusinessDocument,
    erp: &'a ErpSnapshot,
    booked: &[BookedInvoice],
    supplier: &SupplierMatch,
    exceptions: &mut Vec<Reason>,
) -> Vec<&'a PurchaseOrder> {
    let mut numbers = purchase_order_numbers(doc);
    if doc.kind() == DocumentKind::CreditNote {
        let credited: Vec<&BookedInvoice> = doc
            .references
            .preceding_invoices
            .iter()
            .filter_map(|r| {
                booked.iter().find(|b| {
                    b.kind == DocumentKind::Invoice
                        && invoice_number(&b.supplier_reference) == invoice_number(&r.value)
                })
            })
            .collect();
        if credited.is_empty() {
            let named: Vec<&str> = doc
                .references
                .preceding_invoices
                .iter()
                .map(|f| f.value.as_str())
                .collect();
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
            if !numbers.contains(&line.purchase_order) {
                numbers.push(line.purchase_order.clone());
            }
        }
    }
    if numbers.is_empty() {
        exceptions.push(Reason::new(
            ReasonCode::UnknownPurchaseOrder,
            "the document names no purchase order",
        ));
        return Vec::new();
    }
    let mut orders = Vec::new();
    for number in &numbers {
        match erp.purchase_orders.iter().find(|po| po.number == *number) {
            None => exceptions.push(Reason::new(
                ReasonCode::UnknownPurchaseOrder,
                format!("purchase order {number} does not exist in the ERP"),
            )),
            Some(po) if po.supplier_id != supplier.id => exceptions.push(Reason::new(
                ReasonCode::PurchaseOrderOtherSupplier,
                format!(
                    "purchase order {number} belongs to supplier {}, not {}",
                    po.supplier_id, supplier.id
                ),
            )),
            Some(po) => {
                if let Some(currency) = doc.header.currency.as_ref().map(|f| f.value)
                    && currency != po.currency
                {
                    exceptions.push(Reason::new(
                        ReasonCode::CurrencyMismatch,
                        format!(
                            "the document is in {currency}, purchase order {number} in {}",
                            po.currency
                        ),
                    ));
                }
                orders.push(po);
            }
        }
    }
    orders
}

fn booking_request(
    doc: &BusinessDocument,
    supplier: &SupplierMatch,
    lines: Vec<docket_domain::erp::BookedLine>,
) -> Option<BookingRequest> {
    let number = doc.number()?;
    let mut gross = doc.gross()?;
    gross.amount = gross.amount.abs();
    Some(BookingRequest {
        idempotency_key: idempotency_key(&supplier.id, number, doc.kind()),
        supplier_id: supplier.id.clone(),
        supplier_reference: number.to_string(),
        kind: doc.kind(),
        document_date: doc.header.issue_date.as_ref()?.value,
        gross,
        lines,
    })
}
