//! Docket's matching rules (pure: no I/O).
//!
//! [`match_document`] decides what happens to an extracted invoice or credit
//! note given what the ERP knows: book it, wait (goods not received yet), send
//! it to a person with reasons, or recognise it as a duplicate. Every decision
//! comes with reasons and a per-line explanation a person can read.
//!
//! Order of checks: kind and required fields; supplier identification
//! ([`supplier`]); duplicates already booked, and possible ones ([`controls`]);
//! the supplier controls (blocks, bank account, VAT id) and VAT rates
//! ([`tax`]); line arithmetic; the POs ([`orders`]: named, or searched among
//! the supplier's open ones); the totals ([`totals`]); the lines against PO
//! lines ([`lines`]: quantity against receipts, price and amounts under the
//! [`Policy`]'s [`tolerance`]s); delivery costs and discounts ([`charges`]).
//! Lookups go through an [`ErpIndex`], so a snapshot of a million PO lines
//! costs no more per document than one of ten.

pub mod charges;
pub mod controls;
pub mod index;
pub mod lines;
pub mod orders;
pub mod policy;
pub mod supplier;
pub mod tax;
pub mod tolerance;
pub mod totals;
pub mod units;

use docket_domain::erp::{BookingRequest, ErpSnapshot, idempotency_key};
use docket_domain::{
    BusinessDocument, Confidence, Decision, DocumentKind, LineExplanation, Reason, ReasonCode,
};
use serde::{Deserialize, Serialize};

pub use index::ErpIndex;
use lines::LineContext;
pub use policy::Policy;
pub use supplier::{SellerIds, SupplierMatch};
use tolerance::ScopeKey;

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

/// Decides what to do with a document (indexes the snapshot first; see
/// [`match_indexed`] to match many documents against one snapshot).
pub fn match_document(input: &MatchInput<'_>, policy: &Policy) -> MatchOutcome {
    let index = ErpIndex::new(input.erp);
    match_indexed(input.document, &index, input.sender_domain, policy)
}

/// Decides what to do with a document, given an indexed snapshot.
pub fn match_indexed(
    doc: &BusinessDocument,
    erp: &ErpIndex<'_>,
    sender_domain: Option<&str>,
    policy: &Policy,
) -> MatchOutcome {
    let kind = doc.kind();
    if !matches!(kind, DocumentKind::Invoice | DocumentKind::CreditNote) {
        let what = kind.as_str().replace('_', " ");
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let msg = format!("this is {article} {what}, not an invoice or credit note");
        return outcome(
            Verdict::Exception,
            vec![Reason::new(ReasonCode::NotAnInvoice, msg)],
            policy,
        );
    }
    let mut exceptions = controls::required_fields(doc, policy);
    let supplier = match supplier::identify(doc, erp, sender_domain, policy) {
        Ok(s) => s,
        Err(reason) => {
            exceptions.insert(0, reason);
            return outcome(Verdict::Exception, exceptions, policy);
        }
    };
    let mut result = outcome(Verdict::Exception, Vec::new(), policy);
    result.business_key = doc.number().map(|n| idempotency_key(&supplier.id, n, kind));
    let booked = erp.booked_of(&supplier.id);
    if let Some(earlier) = controls::booked_duplicate(doc, &booked) {
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
    exceptions.extend(controls::possible_duplicates(doc, &booked, policy));
    let record = erp.supplier(&supplier.id);
    if let Some(record) = record {
        exceptions.extend(controls::supplier_controls(doc, record));
    }
    let country = tax::seller_country(doc, record.and_then(|r| r.country.as_deref()));
    exceptions.extend(tax::implausible_rates(doc, country.as_deref()));
    exceptions.extend(controls::arithmetic(doc, policy));
    let cx = LineContext {
        kind,
        supplier_id: &supplier.id,
        erp,
        booked: &booked,
        policy,
    };
    let found = orders::find(doc, &cx);
    exceptions.extend(found.exceptions);
    let key = ScopeKey {
        company: found.orders.first().and_then(|o| o.company.as_deref()),
        supplier: Some(&supplier.id),
        item: None,
    };
    let totals = totals::judge(doc, &key, policy);
    exceptions.extend(totals.exceptions);
    let mut lines = lines::match_lines(&doc.lines, &found.orders, &cx);
    charges::judge(doc, &found.orders, &supplier.id, policy, &mut lines);
    lines.explanations.sort_by_key(|row| row.line);
    lines.booking.extend(totals.booking);
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
        .chain(found.notes)
        .chain(totals.notes)
        .chain(lines.notes)
        .collect();
    if result.verdict == Verdict::Book {
        let company = found.orders.iter().find_map(|o| o.company.clone());
        result.booking = booking_request(doc, &supplier, company, lines.booking);
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

fn booking_request(
    doc: &BusinessDocument,
    supplier: &SupplierMatch,
    company: Option<String>,
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
        company,
        lines,
    })
}
