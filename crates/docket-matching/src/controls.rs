//! AP controls that do not depend on PO lines: required fields, confidence,
//! blocked suppliers, bank accounts, VAT ids, arithmetic, and booked duplicates.

use docket_domain::erp::{BookedInvoice, Supplier};
use docket_domain::normalize::{compact_identifier, invoice_number};
use docket_domain::{BusinessDocument, Confidence, DocumentKind, Reason, ReasonCode};
use rust_decimal::Decimal;

use crate::Policy;

/// The header fields booking cannot do without, by the name reasons use,
/// each with its confidence (`None`: not read). An IBAN is not needed, but
/// one that was read must be sure, or money could go to a misread account.
fn header_needs(doc: &BusinessDocument) -> Vec<(&'static str, Option<Confidence>)> {
    let h = &doc.header;
    let mut needs = vec![
        ("invoice number", h.number.as_ref().map(|f| f.confidence)),
        ("invoice date", h.issue_date.as_ref().map(|f| f.confidence)),
        (
            "gross total",
            doc.totals.gross.as_ref().map(|f| f.confidence),
        ),
        // Amounts without a currency read from the document are a guess: never book on one.
        ("currency", h.currency.as_ref().map(|f| f.confidence)),
    ];
    for account in &doc.seller.bank_accounts {
        needs.push(("IBAN", Some(account.iban.confidence)));
    }
    needs
}

/// Fields booking cannot do without: present, and read with enough confidence.
pub fn required_fields(doc: &BusinessDocument, policy: &Policy) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for (name, confidence) in header_needs(doc) {
        match confidence {
            None => reasons.push(Reason::new(
                ReasonCode::MissingField,
                format!("the {name} could not be read"),
            )),
            Some(c) if c < policy.min_confidence() => reasons.push(Reason::new(
                ReasonCode::MissingField,
                format!(
                    "the {name} was read with low confidence ({:.0} %): please check",
                    c.value() * 100.0
                ),
            )),
            Some(_) => {}
        }
    }
    reasons.extend(unsure_match_inputs(doc, policy));
    reasons
}

/// What the match compares with the ERP, read with low confidence: line
/// quantities, prices and amounts, and purchase order references (header
/// and line references as one list, see [`crate::purchase_order_refs`]). The layout
/// extractor lowers every line when the lines do not add up to the net, and
/// a language model's values stay below the threshold until a check raises
/// them; such values could still match a purchase order by chance, so they
/// go to a person first.
fn unsure_match_inputs(doc: &BusinessDocument, policy: &Policy) -> Vec<Reason> {
    let unsure = |c: Confidence| c < policy.min_confidence();
    let mut reasons = Vec::new();
    for (index, line) in doc.lines.iter().enumerate() {
        let fields = [
            ("quantity", line.quantity.as_ref().map(|f| f.confidence)),
            ("unit price", line.unit_price.as_ref().map(|f| f.confidence)),
            ("amount", line.amount.as_ref().map(|f| f.confidence)),
        ];
        let names: Vec<&str> = fields
            .iter()
            .filter(|(_, c)| c.is_some_and(unsure))
            .map(|(name, _)| *name)
            .collect();
        if !names.is_empty() {
            let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
            reasons.push(Reason::on_line(
                ReasonCode::MissingField,
                line,
                format!(
                    "{} read with low confidence: please check",
                    names.join(", ")
                ),
            ));
        }
    }
    if let Some(vat) = doc.seller.vat_id.as_ref().filter(|f| unsure(f.confidence)) {
        reasons.push(Reason::new(
            ReasonCode::MissingField,
            format!(
                "the seller's VAT id {} was read with low confidence ({:.0} %): please check",
                vat.value,
                vat.confidence.value() * 100.0
            ),
        ));
    }
    // Header and line references together, each once, at its lowest.
    for (number, confidence) in crate::purchase_order_refs(doc) {
        if unsure(confidence) {
            reasons.push(Reason::new(
                ReasonCode::MissingField,
                format!(
                    "the purchase order reference {number} was read with low confidence ({:.0} %): please check",
                    confidence.value() * 100.0
                ),
            ));
        }
    }
    reasons
}

/// What booking needs that the document's reading does not support: the
/// header fields of [`required_fields`] absent or unsure, the seller without
/// a sure VAT id or IBAN (the strong evidence [`crate::supplier::identify`]
/// looks for), no lines, and an invoice without a purchase order reference
/// (a credit note may name the invoice it credits instead). Empty for
/// documents that are not invoices or credit notes: they are not booked.
///
/// The extract stage asks a language model only when this is not empty.
pub fn unsupported_for_booking(doc: &BusinessDocument, policy: &Policy) -> Vec<&'static str> {
    if !matches!(doc.kind(), DocumentKind::Invoice | DocumentKind::CreditNote) {
        return Vec::new();
    }
    let sure = |c: Confidence| c >= policy.min_confidence();
    let mut missing: Vec<&'static str> = header_needs(doc)
        .into_iter()
        .filter(|(_, c)| !c.is_some_and(sure))
        .map(|(name, _)| name)
        .collect();
    let seller = &doc.seller;
    if !seller.vat_id.as_ref().is_some_and(|f| sure(f.confidence))
        && !seller.bank_accounts.iter().any(|a| sure(a.iban.confidence))
    {
        missing.push("seller VAT id or IBAN");
    }
    if doc.lines.is_empty() {
        missing.push("lines");
    }
    let credits_an_invoice =
        doc.kind() == DocumentKind::CreditNote && !doc.references.preceding_invoices.is_empty();
    if crate::purchase_order_numbers(doc).is_empty() && !credits_an_invoice {
        missing.push("purchase order reference");
    }
    missing
}

/// Supplier-level controls: blocks, bank accounts, VAT id.
pub fn supplier_controls(doc: &BusinessDocument, supplier: &Supplier) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if supplier.posting_blocked || supplier.payment_blocked {
        let what = match (supplier.posting_blocked, supplier.payment_blocked) {
            (true, true) => "posting and payment",
            (true, false) => "posting",
            _ => "payment",
        };
        reasons.push(Reason::new(
            ReasonCode::SupplierBlocked,
            format!(
                "{} ({}) is blocked for {what} in the ERP",
                supplier.name, supplier.id
            ),
        ));
    }
    let on_record: Vec<String> = supplier
        .ibans
        .iter()
        .map(|i| compact_identifier(i))
        .collect();
    for account in &doc.seller.bank_accounts {
        let iban = compact_identifier(&account.iban.value);
        if !on_record.contains(&iban) {
            let known = if on_record.is_empty() {
                "none".to_string()
            } else {
                on_record.join(", ")
            };
            reasons.push(Reason::new(
                ReasonCode::BankAccountNotOnRecord,
                format!(
                    "bank account {iban} on the document is not on the master record of {} \
                     (on record: {known}); Docket never takes bank details from documents: \
                     confirm the change with the supplier through a known channel",
                    supplier.name
                ),
            ));
        }
    }
    if let (Some(read), Some(recorded)) = (&doc.seller.vat_id, &supplier.vat_id) {
        let (read, recorded) = (
            compact_identifier(&read.value),
            compact_identifier(recorded),
        );
        if read != recorded {
            reasons.push(Reason::new(
                ReasonCode::VatIdMismatch,
                format!(
                    "VAT id {read} on the document differs from {recorded} on the master record"
                ),
            ));
        }
    }
    reasons
}

/// The earlier booking of the same supplier reference and kind, if any
/// (a credit note never duplicates the invoice of the same number).
pub fn booked_duplicate<'e>(
    doc: &BusinessDocument,
    booked: &[&'e BookedInvoice],
) -> Option<&'e BookedInvoice> {
    let number = invoice_number(doc.number()?);
    booked.iter().copied().find(|b| {
        !b.reversed && b.kind == doc.kind() && invoice_number(&b.supplier_reference) == number
    })
}

/// Bookings of the same kind and gross amount, dated at most
/// `duplicates.near_date_days` apart, under another number: the same
/// invoice sent again with a new number, or typed in by hand with a typo.
pub fn possible_duplicates(
    doc: &BusinessDocument,
    booked: &[&BookedInvoice],
    policy: &Policy,
) -> Vec<Reason> {
    let days = i64::from(policy.duplicates.near_date_days);
    let (Some(gross), Some(date)) = (doc.gross(), doc.header.issue_date.as_ref()) else {
        return Vec::new();
    };
    if days == 0 {
        return Vec::new();
    }
    booked
        .iter()
        .filter(|b| {
            !b.reversed
                && b.kind == doc.kind()
                && b.gross.currency == gross.currency
                && b.gross.amount.abs() == gross.amount.abs()
                && (b.document_date - date.value).num_days().abs() <= days
        })
        .map(|b| {
            Reason::new(
                ReasonCode::PossibleDuplicate,
                format!(
                    "{} {} {} of {} is already booked as {} under number {}: the same amount \
                     within {days} days; is this the same {} sent again?",
                    b.gross.currency,
                    crate::lines::money_text(b.gross.amount.abs()),
                    b.kind.as_str().replace('_', " "),
                    b.document_date,
                    b.erp_ref,
                    b.supplier_reference,
                    b.kind.as_str().replace('_', " "),
                ),
            )
        })
        .collect()
}

/// Arithmetic of each line: quantity x price / price unit (+ its own charges)
/// = amount, within the rounding tolerance. The totals are judged in
/// [`crate::totals`].
pub fn arithmetic(doc: &BusinessDocument, policy: &Policy) -> Vec<Reason> {
    let tol = policy.arithmetic_tolerance;
    let mut reasons = Vec::new();
    for (i, line) in doc.lines.iter().enumerate() {
        let (Some(qty), Some(price), Some(total)) = (
            line.quantity.as_ref().map(|f| f.value),
            line.unit_price.as_ref().map(|f| f.value.amount),
            line.amount.as_ref().map(|f| f.value.amount),
        ) else {
            continue;
        };
        let per = line.price_unit.as_ref().map_or(Decimal::ONE, |f| f.value);
        if per.is_zero() {
            continue;
        }
        let expected = qty * price / per;
        let line_charges = crate::totals::net_charges(&line.allowances_charges);
        if (expected + line_charges - total).abs() > tol {
            reasons.push(Reason::on_line(
                ReasonCode::ArithmeticError,
                line_no(i),
                format!(
                    "{qty} x {price} makes {}, but the line says {total}",
                    expected.round_dp(2)
                ),
            ));
        }
    }
    for sub in &doc.tax_breakdown {
        if let (Some(rate), Some(base)) = (sub.rate, sub.taxable.as_ref()) {
            let expected = (base.value.amount * rate / Decimal::ONE_HUNDRED).round_dp(2);
            if (expected - sub.tax.value.amount).abs() > tol {
                reasons.push(Reason::new(
                    ReasonCode::ArithmeticError,
                    format!(
                        "VAT at {rate} % of {} is {expected}, but the document says {}",
                        base.value.amount, sub.tax.value.amount
                    ),
                ));
            }
        }
    }
    reasons
}

/// 1-based line number for reasons.
pub(crate) fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
