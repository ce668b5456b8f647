//! Header values: document number, dates, order references, customer number,
//! currency, payment terms, and the kind of document.
//!
//! Every value comes from a label and the region next to or below it; a few
//! sentence patterns add to that ("Rechnung Nr. 4711 vom 05.03.2024",
//! "zahlbar bis 04.04.2024", "30 Tage netto") because invoices write header
//! data as prose too.

use chrono::NaiveDate;
use docket_domain::{Currency, DocumentKind};
use rust_decimal::Decimal;

use super::found::{Found, LABELLED, POSITIONAL, best};
use super::labels::{LabelHit, LabelKind, compact};
use super::numbers::{find_dates, parse_date_at, parse_number};
use super::pairing::{Placement, regions};
use super::terms::{continued, payable_until, terms_numbers};
use super::view::View;

/// Header values found in a document.
#[derive(Debug, Default)]
pub struct HeaderFinds {
    /// The document number.
    pub number: Option<Found<String>>,
    /// The issue date.
    pub issue_date: Option<Found<NaiveDate>>,
    /// The due date.
    pub due_date: Option<Found<NaiveDate>>,
    /// The delivery date.
    pub delivery_date: Option<Found<NaiveDate>>,
    /// Purchase order numbers, in order of appearance, without repeats.
    pub purchase_orders: Vec<Found<String>>,
    /// The buyer's customer number at the seller.
    pub customer_number: Option<Found<String>>,
    /// The currency named by a label.
    pub currency: Option<Found<Currency>>,
    /// Payment terms as written.
    pub terms: Option<Found<String>>,
    /// Days net, from the terms.
    pub net_days: Option<u32>,
    /// Cash discount percent and days, from the terms.
    pub discount: Option<(Decimal, u32)>,
    /// The kind of document.
    pub kind: Option<Found<DocumentKind>>,
    /// Invoices a credit note refers to ("Betreft factuur 4711").
    pub preceding_invoices: Vec<Found<String>>,
}

/// Words that stand between a label and its number ("Nr.", "#", "(380)").
fn is_filler(token: &str) -> bool {
    let c = compact(token);
    matches!(
        c.as_str(),
        "" | "nr" | "no" | "n" | "number" | "nummer" | "numero" | "numer" | "num" | "ref"
    ) || token.starts_with('(')
}

/// Reads an identifier (document or order number) from a token.
pub fn identifier(token: &str) -> Option<String> {
    let mut t = token
        .trim_end_matches(['.', ',', ';', ':', ')'])
        .trim_start_matches('(');
    for prefix in ["n°", "N°", "nº", "Nº", "#", "Nr.", "No.", "nr.", "no."] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest;
        }
    }
    let ok_chars = t
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | '_'));
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if !ok_chars || digits == 0 || t.len() > 40 || t.starts_with(['-', '/', '.']) {
        return None;
    }
    // An amount ("12,50") or a date is not an identifier.
    if super::numbers::parse_numeric_date(t, super::numbers::DateOrder::DayFirst).is_some() {
        return None;
    }
    let amount_like = t.contains(',')
        || (t.contains('.')
            && parse_number(t, super::numbers::Notation::Unknown).is_some_and(|(_, d)| d == 2));
    (!amount_like).then(|| t.to_string())
}

/// The first identifier in a region after fillers (and at most one sub-label).
pub fn first_identifier(tokens: &[&str]) -> Option<(usize, String)> {
    let mut skipped_word = false;
    let mut in_parens = false;
    for (i, t) in tokens.iter().enumerate() {
        // Codes in parentheses ("(380)", "( 380 )") stand beside the number.
        if in_parens || t.starts_with('(') {
            in_parens = !t.ends_with(')');
            continue;
        }
        if is_filler(t) {
            continue;
        }
        if let Some(id) = identifier(t) {
            return Some((i, id));
        }
        // "Bestellung Nr. Kunde: 2025-4711": one sub-label may stand in between.
        if !skipped_word && t.ends_with(':') && t.chars().any(char::is_alphabetic) {
            skipped_word = true;
            continue;
        }
        return None;
    }
    None
}

/// "Nr.", "No.", "#", "n°": a number follows.
pub fn is_number_word(token: &str) -> bool {
    let c = compact(token);
    matches!(
        c.as_str(),
        "nr" | "no" | "n" | "number" | "nummer" | "numero" | "numer"
    ) || token.starts_with('#')
}

/// After a title word: the number right after it ("Invoice INV/2023/7"), or
/// after a number word a few words on ("Rechnung des Versicherers (575) Nr. 4711").
fn titled_number(tokens: &[&str]) -> Option<(usize, String)> {
    // Right after the title, a version ("XRechnung 1.2") is no document number.
    if let Some(found) = first_identifier(tokens)
        .filter(|(_, id)| id.chars().filter(char::is_ascii_digit).count() >= 3)
    {
        return Some(found);
    }
    let nr = tokens.iter().take(8).position(|t| is_number_word(t))?;
    let (i, id) = first_identifier(&tokens[nr..])?;
    Some((nr + i, id))
}

/// Words that join a document number to its date ("vom", "du", "issued at",
/// "z dnia").
const DATE_CONNECTORS: &[&str] = &[
    "vom", "von", "from", "dated", "du", "van", "issued", "at", "le", "dd", "of", "date", "z",
    "dnia",
];

/// Reads all header values.
pub fn read(view: &View, skip_line: &dyn Fn(usize) -> bool) -> HeaderFinds {
    let mut numbers = Vec::new();
    let (mut titled, mut number_dates): (Vec<Found<String>>, Vec<Found<NaiveDate>>) =
        (Vec::new(), Vec::new());
    let (mut issue, mut due, mut delivery) = (Vec::new(), Vec::new(), Vec::new());
    let mut orders: Vec<Found<String>> = Vec::new();
    let (mut customers, mut currencies, mut terms) = (Vec::new(), Vec::new(), Vec::new());
    for (idx, line) in view.lines.iter().enumerate() {
        if skip_line(idx) {
            continue;
        }
        for hit in &line.labels {
            // A label deep inside a sentence ("... bitte Belegnummer 4711
            // angeben") says less than one that heads a field.
            let in_prose = hit.start > 4 && line.toks.len() > 8;
            let hit = &LabelHit {
                priority: if in_prose {
                    hit.priority.saturating_sub(2)
                } else {
                    hit.priority
                },
                ..*hit
            };
            for region in regions(view, idx, hit) {
                let r = &view.lines[region.line];
                let tokens = r.texts();
                let tokens = &tokens[region.start..region.end];
                macro_rules! at {
                    ($value:expr, $priority:expr) => {
                        Found::at(view, idx, (hit.start, hit.end), &region, $value, $priority)
                    };
                }
                let found = match hit.kind {
                    LabelKind::DocumentNumber
                    | LabelKind::InvoiceTitle
                    | LabelKind::CreditNoteTitle => {
                        let weak = hit.kind != LabelKind::DocumentNumber;
                        // Under a title, only a number announced as one ("# 17", "Nr. 17").
                        let read = match (weak, region.placement) {
                            (false, _) => first_identifier(tokens),
                            (true, Placement::Right) => titled_number(tokens),
                            (true, Placement::Below) if super::pairing::is_label_row(line) => {
                                first_identifier(tokens)
                            }
                            (true, Placement::Below) => tokens
                                .first()
                                .filter(|t| is_number_word(t))
                                .and_then(|_| first_identifier(tokens)),
                        };
                        match read.filter(|(_, id)| !weak || id.len() >= 3) {
                            Some((i, id)) => {
                                // "Rechnung Nr. 4711" says more than "Rechnung 4711".
                                let announced =
                                    weak && tokens[..i].iter().any(|t| is_number_word(t));
                                if hit.kind == LabelKind::InvoiceTitle {
                                    titled.push(at!(id.clone(), hit.priority));
                                }
                                numbers.push(at!(id, hit.priority + u8::from(announced)));
                                let date = connected_date(&tokens[i + 1..]).or_else(|| {
                                    let last = region.start + i + 1 == r.toks.len();
                                    last.then(|| title_runs_on(view, region.line)).flatten()
                                });
                                if let Some(date) = date {
                                    number_dates.push(at!(date, 2));
                                }
                                true
                            }
                            None => false,
                        }
                    }
                    LabelKind::IssueDate | LabelKind::DueDate | LabelKind::DeliveryDate => {
                        match find_dates(tokens, view.dates).first() {
                            Some(&(_, _, date)) => {
                                let list = match hit.kind {
                                    LabelKind::IssueDate => &mut issue,
                                    LabelKind::DueDate => &mut due,
                                    _ => &mut delivery,
                                };
                                list.push(at!(date, hit.priority));
                                true
                            }
                            None => false,
                        }
                    }
                    LabelKind::OrderReference => {
                        let ids = order_numbers(tokens);
                        for id in &ids {
                            if !orders.iter().any(|o| &o.value == id) {
                                orders.push(at!(id.clone(), hit.priority));
                            }
                        }
                        !ids.is_empty()
                    }
                    LabelKind::CustomerNumber => match first_identifier(tokens) {
                        Some((_, id)) => {
                            customers.push(at!(id, hit.priority));
                            true
                        }
                        None => false,
                    },
                    // "Währung : EUR": the colon may stand apart.
                    LabelKind::Currency => match tokens
                        .iter()
                        .find(|t| !compact(t).is_empty())
                        .and_then(|t| super::numbers::currency_token(t))
                    {
                        Some(c) => {
                            currencies.push(at!(c, hit.priority));
                            true
                        }
                        None => false,
                    },
                    LabelKind::PaymentTerms if !tokens.is_empty() => {
                        let text = continued(view, &region, tokens.join(" "));
                        terms.push(at!(text, hit.priority));
                        true
                    }
                    _ => true,
                };
                if found {
                    break;
                }
            }
        }
    }
    let number = best(&numbers, false);
    // "Rechnung Nr. 4711 vom 05.03.2024" dates the document only when 4711 is
    // the document's number (not an invoice a credit note refers to).
    if let Some(n) = &number {
        issue.extend(number_dates.into_iter().filter(|d| d.line == n.line));
    }
    let kind = kind(view);
    let preceding = match (&kind, &number) {
        (Some(k), Some(n)) if k.value == DocumentKind::CreditNote => {
            titled.into_iter().filter(|t| t.value != n.value).collect()
        }
        _ => Vec::new(),
    };
    let mut out = HeaderFinds {
        number,
        preceding_invoices: preceding,
        issue_date: best(&issue, false).or_else(|| lone_top_date(view)),
        due_date: best(&due, false).or_else(|| payable_until(view, skip_line)),
        delivery_date: best(&delivery, false),
        purchase_orders: orders,
        customer_number: best(&customers, false),
        currency: best(&currencies, false),
        terms: best(&terms, false),
        kind,
        ..HeaderFinds::default()
    };
    (out.net_days, out.discount) = terms_numbers(view, skip_line);
    if out.number.is_none()
        && out.kind.is_none()
        && let Some((kind, number)) = super::order::title(view)
    {
        (out.kind, out.number) = (Some(kind), number);
    }
    out
}

fn connected_date(tokens: &[&str]) -> Option<NaiveDate> {
    let mut i = 0;
    while i < tokens.len() && i < 3 {
        if DATE_CONNECTORS.contains(&compact(tokens[i]).as_str())
            && let Some((d, _)) = parse_date_at(tokens, i + 1, super::numbers::DateOrder::DayFirst)
                .or_else(|| parse_date_at(tokens, i + 2, super::numbers::DateOrder::DayFirst))
        {
            return Some(d);
        }
        i += 1;
    }
    None
}

/// A title that wraps after its number ("Gutschrift … Nr. 471102" /
/// "vom 05.03.2018"): the date that opens the next line, in the same size
/// and close below.
fn title_runs_on(view: &View, line: usize) -> Option<NaiveDate> {
    let (l, next) = (&view.lines[line], view.lines.get(line + 1)?);
    let close = next.page == l.page
        && l.bbox.y0 - next.bbox.y1 < 0.8 * l.size
        && (next.size - l.size).abs() < 0.2 * l.size;
    close.then(|| connected_date(&next.texts()))?
}

/// Order numbers in a region: identifiers joined by commas, slashes or "and".
pub fn order_numbers(tokens: &[&str]) -> Vec<String> {
    let Some((first, id)) = first_identifier(tokens) else {
        return Vec::new();
    };
    let mut out = vec![id];
    let mut i = first + 1;
    while i < tokens.len() {
        let t = tokens[i];
        let joiner =
            matches!(compact(t).as_str(), "" | "und" | "and" | "en" | "et") && !t.is_empty();
        if joiner || is_filler(t) {
            i += 1;
            continue;
        }
        match identifier(t) {
            Some(id) if tokens[i - 1].ends_with(',') || joiner_before(tokens, i) => {
                if !out.contains(&id) {
                    out.push(id);
                }
                i += 1;
            }
            _ => break,
        }
    }
    out
}

fn joiner_before(tokens: &[&str], i: usize) -> bool {
    i > 0 && {
        let c = compact(tokens[i - 1]);
        matches!(c.as_str(), "" | "und" | "and" | "en" | "et")
            || tokens[i - 1].ends_with([',', ';', '/'])
    }
}

/// A date standing alone near the top of the first page: only its position
/// says it is the issue date, so a person checks it.
fn lone_top_date(view: &View) -> Option<Found<NaiveDate>> {
    view.lines.iter().enumerate().find_map(|(idx, l)| {
        if l.page != view.lines.first()?.page || view.depth(l) > 0.3 {
            return None;
        }
        let tokens = l.texts();
        match find_dates(&tokens, view.dates).as_slice() {
            [(0, n, d)] if *n == tokens.len() => {
                Some(Found::words(view, idx, 0, tokens.len(), *d, POSITIONAL))
            }
            _ => None,
        }
    })
}

/// Invoice or credit note, from title words on the first page; a UNTDID code
/// printed with the title ("Gutschrift ... (389)") settles it.
fn kind(view: &View) -> Option<Found<DocumentKind>> {
    let first_page = view.lines.first()?.page;
    let mut invoice = None;
    for (idx, l) in view
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.page == first_page)
    {
        for hit in &l.labels {
            let label = compact(&l.text_of(hit.start, hit.end));
            let credit = [
                "gutschrift",
                "creditnot",
                "creditmemo",
                "creditfactuur",
                "avoir",
                "korygujac",
                "korekt",
            ]
            .iter()
            .any(|w| label.contains(w));
            let title = matches!(
                hit.kind,
                LabelKind::InvoiceTitle | LabelKind::CreditNoteTitle | LabelKind::DocumentNumber
            );
            if !title {
                continue;
            }
            let tokens = l.texts();
            let after = &tokens[hit.end..(hit.end + 6).min(tokens.len())];
            if let Some(code) = untdid_code(&after.concat()) {
                let k = DocumentKind::from_untdid_1001(&code);
                return Some(Found::words(view, idx, hit.start, hit.end, k, LABELLED));
            }
            // A self-billed "Gutschrift" is an invoice the buyer issued.
            let self_billed = after.iter().any(|t| {
                let c = compact(t);
                SELF_BILLING.iter().any(|w| c.starts_with(w))
            });
            if credit && !self_billed {
                return Some(Found::words(
                    view,
                    idx,
                    hit.start,
                    hit.end,
                    DocumentKind::CreditNote,
                    LABELLED,
                ));
            }
            if invoice.is_none() && hit.kind != LabelKind::CreditNoteTitle {
                invoice = Some(Found::words(
                    view,
                    idx,
                    hit.start,
                    hit.end,
                    DocumentKind::Invoice,
                    LABELLED,
                ));
            }
        }
    }
    invoice
}

/// Words that mark a self-billed invoice ("Selbst ausgestellte Rechnung").
const SELF_BILLING: &[&str] = &[
    "selbst",
    "selfbill",
    "selfbilled",
    "autofactur",
    "zelffactur",
];

/// A three-digit code in parentheses within a text ("... (389) Nr.").
fn untdid_code(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(4))
        .find(|&i| {
            b[i] == b'(' && b[i + 1..i + 4].iter().all(u8::is_ascii_digit) && b[i + 4] == b')'
        })
        .map(|i| text[i + 1..i + 4].to_string())
}

#[cfg(test)]
#[path = "header_tests.rs"]
mod tests;
