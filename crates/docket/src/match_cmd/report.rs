//! What `docket match` prints: the outcome as JSON with a top-level
//! `decision`, or as a report a person reads: the decision, the supplier and
//! its evidence, the reasons, and the match table (one row per document line,
//! the fields of `LineExplanation`).

use std::fmt::Write;

use docket_domain::{LineCheck, LineExplanation};
use docket_matching::MatchOutcome;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

/// The outcome as JSON, with `decision` (book, wait, exception, duplicate) beside it.
pub fn json(outcome: &MatchOutcome) -> serde_json::Result<Value> {
    let mut value = serde_json::to_value(outcome)?;
    if let Value::Object(object) = &mut value {
        object.insert("decision".into(), Value::String(word(&outcome.verdict)));
    }
    Ok(value)
}

/// The outcome as a report.
pub fn text(outcome: &MatchOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "decision  {}", word(&outcome.verdict));
    supplier(&mut out, outcome);
    if let Some(booking) = &outcome.booking {
        let _ = writeln!(
            out,
            "booking   {} {} of {} dated {}, gross {}, {} line(s)",
            booking.kind.as_str().replace('_', " "),
            booking.supplier_reference,
            booking.supplier_id,
            booking.document_date,
            booking.gross,
            booking.lines.len()
        );
    }
    let _ = writeln!(out, "policy    version {}", outcome.policy_version);
    if outcome.reasons.is_empty() {
        let _ = writeln!(out, "reasons   none");
    } else {
        let _ = writeln!(out, "reasons");
        for reason in &outcome.reasons {
            let _ = writeln!(out, "  - [{}] {reason}", word(&reason.code));
        }
    }
    if !outcome.lines.is_empty() {
        let _ = writeln!(out, "lines");
        table(&mut out, &outcome.lines);
    }
    out
}

/// The supplier and its evidence, read through the outcome's JSON, which is
/// the stable interface of the matching rules (their types may grow).
fn supplier(out: &mut String, outcome: &MatchOutcome) {
    let value = serde_json::to_value(&outcome.supplier).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("?");
    if value.is_null() {
        let _ = writeln!(out, "supplier  not identified");
        return;
    }
    let _ = writeln!(out, "supplier  {} {}", text("id"), text("name"));
    let evidence = value.get("evidence").and_then(Value::as_array);
    for item in evidence.into_iter().flatten() {
        let shown = item
            .as_str()
            .map_or_else(|| item.to_string(), str::to_string);
        let _ = writeln!(out, "  - {shown}");
    }
}

/// The match table: the numbers in columns, then per line the tolerances
/// that judged it and its explanation, indented under it.
fn table(out: &mut String, lines: &[LineExplanation]) {
    row(
        out,
        [
            "LINE",
            "PO/LINE",
            "ORDERED",
            "RECEIVED",
            "INV.BEFORE",
            "INV.NOW",
            "OPEN",
            "PRICE INV",
            "PRICE PO",
            "VARIANCE",
            "QUANTITY",
            "PRICE",
        ]
        .map(str::to_string),
    );
    for l in lines {
        let order = match (&l.purchase_order, &l.purchase_order_line) {
            (Some(po), Some(line)) => format!("{po}/{line}"),
            (Some(po), None) => po.clone(),
            _ => "-".to_string(),
        };
        row(
            out,
            [
                l.line.to_string(),
                order,
                quantity(l.quantity_ordered),
                quantity(l.quantity_received),
                quantity(l.quantity_invoiced_before),
                quantity(l.quantity_invoiced),
                quantity(l.quantity_open),
                amount(l.price_invoiced),
                amount(l.price_ordered),
                amount(l.variance),
                check(l.quantity_check),
                check(l.price_check),
            ],
        );
        for tolerance in &l.tolerances {
            let _ = writeln!(out, "{:6}tolerance: {tolerance}", "");
        }
        if !l.explanation.is_empty() {
            let _ = writeln!(out, "{:6}{}", "", l.explanation);
        }
    }
}

/// One row of the match table (the last column unpadded: no trailing blanks).
fn row(out: &mut String, cells: [String; 12]) {
    let [
        line,
        order,
        ordered,
        received,
        before,
        now,
        open,
        inv,
        po,
        variance,
        qty,
        price,
    ] = cells;
    let _ = writeln!(
        out,
        "{line:>4}  {order:<16} {ordered:>9} {received:>9} {before:>10} {now:>9} {open:>9} \
         {inv:>11} {po:>11} {variance:>10}  {qty:<16} {price}"
    );
}

/// A quantity without trailing zeros (`40`, not `40.000`); `-` when absent.
fn quantity(value: Option<Decimal>) -> String {
    value.map_or_else(|| "-".to_string(), |q| q.normalize().to_string())
}

/// An amount as read; `-` when absent.
fn amount(value: Option<Decimal>) -> String {
    value.map_or_else(|| "-".to_string(), |a| a.to_string())
}

fn check(check: LineCheck) -> String {
    word(&check).replace('_', " ")
}

/// The name a value has in JSON (`book`, `price_variance`, `within_tolerance`).
pub fn word<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}
