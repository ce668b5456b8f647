//! The layout extractor: a deterministic, template-free reading of an
//! invoice's visible text by labels and positions.
//!
//! It knows no supplier's layout. It finds labels in four languages
//! ([`labels`]), pairs them with the value to their right or below
//! ([`pairing`]), reads amounts and dates in every common notation
//! ([`numbers`]), finds the line-item table by its header row ([`table`],
//! [`rows`]), the totals ([`totals`]) and the parties' identifiers
//! ([`parties`]). Arithmetic (net + VAT = gross, quantity × price = amount,
//! sum of lines = net) raises confidence; a value only its position
//! suggests gets a confidence below the review threshold; a value nothing
//! supports stays empty.

pub mod address;
pub mod detail;
pub mod found;
pub mod header;
pub mod labels;
pub mod numbers;
pub mod order;
pub mod pairing;
pub mod parties;
pub mod rows;
pub mod seller;
pub mod stack;
pub mod table;
pub mod terms;
pub mod totals;
pub mod triple;
pub mod unchecked;
pub mod view;

#[cfg(test)]
mod testkit;

use std::collections::HashMap;

use docket_domain::{
    BusinessDocument, Confidence, Currency, DocumentKind, Evidence, ExtractorKind, Field, Money,
    PaymentTerms, SourceSyntax, Totals,
};
use rust_decimal::Decimal;

use crate::ExtractError;
use crate::pdf::text::PageText;
use found::{CHECKED, Found};
use totals::AmountFound;
use view::View;

/// Reads a business document from the text of its pages.
///
/// Fails only when there is no text at all ([`ExtractError::NoText`]); a page
/// in which nothing invoice-like is found gives a document of kind
/// [`DocumentKind::Other`] with empty fields.
pub fn extract(pages: &[PageText]) -> Result<BusinessDocument, ExtractError> {
    let view = View::new(pages);
    let Some(first) = view.lines.first() else {
        return Err(ExtractError::NoText);
    };
    let first_page = first.page;
    let tables = table::find(&view);
    let in_table = |i: usize| tables.iter().any(|t| t.lines.contains(&i));
    let head = header::read(&view, &in_table);
    let sums = totals::read(&view, &in_table);
    let parties = parties::read(&view);

    let currency = currency(&view, &head, &sums);
    let money_currency = currency.as_ref().map_or(Currency::EUR, |f| f.value);
    let mut lines: Vec<_> = tables
        .iter()
        .flat_map(|t| rows::read(&view, t, money_currency))
        .collect();

    let found_anything = head.number.is_some() || sums.gross.is_some() || !lines.is_empty();
    let kind = match head.kind.clone() {
        Some(k) => k.into_field(),
        None => {
            let (kind, why) = if found_anything {
                (DocumentKind::Invoice, "no title word; read as an invoice")
            } else {
                (
                    DocumentKind::Other,
                    "no invoice number, totals or lines found",
                )
            };
            let evidence = Evidence::page_text(ExtractorKind::Layout, first_page, None, why);
            Field::new(kind, evidence).with_confidence(Confidence::new(0.5))
        }
    };
    let mut doc = BusinessDocument::empty(kind, SourceSyntax::PdfText);
    doc.header.number = head.number.map(Found::into_field);
    doc.header.issue_date = head.issue_date.map(Found::into_field);
    doc.header.delivery_date = head.delivery_date.map(Found::into_field);
    doc.header.currency = currency.map(Found::into_field);

    let to_money = |f: AmountFound| {
        f.map(|(v, c)| Money::new(v, c.unwrap_or(money_currency)))
            .into_field()
    };
    let mut t = Totals {
        line_total: sums.line_total.map(to_money),
        net: sums.net.map(to_money),
        tax: sums.tax.map(to_money),
        gross: sums.gross.map(to_money),
        prepaid: sums.prepaid.map(to_money),
        due: sums.due.map(to_money),
        ..Totals::default()
    };
    check_lines_against_totals(&mut lines, &mut t);
    doc.totals = t;

    doc.references.purchase_orders = head
        .purchase_orders
        .into_iter()
        .map(Found::into_field)
        .collect();
    doc.references.preceding_invoices = head
        .preceding_invoices
        .into_iter()
        .map(Found::into_field)
        .collect();
    for po in lines.iter().filter_map(|l| l.purchase_order.clone()) {
        if !doc
            .references
            .purchase_orders
            .iter()
            .any(|p| p.value == po.value)
        {
            doc.references.purchase_orders.push(po);
        }
    }
    doc.lines = lines;
    doc.seller = parties.seller;
    doc.buyer = parties.buyer;
    doc.buyer.account_id = head.customer_number.map(Found::into_field);
    if view.instruction_lines > 0 {
        // The reviewer should know the page talks to an AI, and that what
        // stands there was not read.
        doc.header.notes.push(format!(
            "{} line(s) addressed to a language model (a possible prompt injection) were not read",
            view.instruction_lines
        ));
    }
    doc.payment = PaymentTerms {
        description: head.terms.map(Found::into_field),
        due_date: head.due_date.map(Found::into_field),
        net_days: head.net_days,
        discount_percent: head.discount.map(|d| d.0),
        discount_days: head.discount.map(|d| d.1),
        payment_reference: None,
    };
    Ok(doc)
}

/// The document currency: a labelled one ("Währung: EUR"), else the one the
/// totals and amounts are written with.
fn currency(
    view: &View,
    head: &header::HeaderFinds,
    sums: &totals::TotalsFinds,
) -> Option<Found<Currency>> {
    if let Some(c) = &head.currency {
        return Some(c.clone());
    }
    let totals = [&sums.gross, &sums.net, &sums.tax, &sums.due];
    if let Some(f) = totals
        .iter()
        .copied()
        .flatten()
        .find(|f| f.value.1.is_some())
    {
        let c = f.value.1?;
        let mut found = f.clone().map(|_| c);
        found.confidence = found.confidence.min(0.88);
        return Some(found);
    }
    // Otherwise the currency most amounts on the page are written with.
    let mut counts: HashMap<Currency, (usize, usize)> = HashMap::new();
    for (idx, l) in view.lines.iter().enumerate() {
        for m in numbers::find_amounts(&l.texts(), view.notation) {
            if let Some(c) = m.currency.filter(|_| m.decimals > 0) {
                counts.entry(c).or_insert((0, idx)).0 += 1;
            }
        }
    }
    let (&c, &(n, idx)) = counts.iter().max_by_key(|(_, (n, _))| *n)?;
    let l = &view.lines[idx];
    let confidence = if n >= 2 { 0.8 } else { found::POSITIONAL };
    Some(Found::words(view, idx, 0, l.toks.len(), c, confidence))
}

/// The sum of the line amounts against the net total (or the line total):
/// when they agree, both are confirmed; when they do not, the lines go to a
/// person.
fn check_lines_against_totals(lines: &mut [docket_domain::Line], totals: &mut Totals) {
    if lines.is_empty() {
        return;
    }
    let sum: Decimal = lines
        .iter()
        .filter_map(|l| l.amount.as_ref())
        .map(|a| a.value.amount)
        .sum();
    let mut agreed = false;
    for total in [&mut totals.line_total, &mut totals.net]
        .into_iter()
        .flatten()
    {
        if total.value.amount == sum {
            total.confidence = Confidence::new(total.confidence.value().max(CHECKED));
            agreed = true;
        }
    }
    if agreed {
        for amount in lines.iter_mut().filter_map(|l| l.amount.as_mut()) {
            amount.confidence = Confidence::new(amount.confidence.value().max(0.9));
        }
    } else if totals.net.is_some() || totals.line_total.is_some() {
        // Lines that do not add up to the total: one is missing, extra or
        // misread, and nothing says which, so a person checks them all.
        let review = Confidence::new(found::POSITIONAL);
        for l in lines.iter_mut() {
            for c in [
                l.quantity.as_mut().map(|f| &mut f.confidence),
                l.unit_price.as_mut().map(|f| &mut f.confidence),
                l.amount.as_mut().map(|f| &mut f.confidence),
            ]
            .into_iter()
            .flatten()
            {
                *c = Confidence::new(c.value().min(review.value()));
            }
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
