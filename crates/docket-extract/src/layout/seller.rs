//! The seller's name: under the seller's heading ("Verkäufer:", "Seller:",
//! "Rechnungsersteller"), else on the sender line over the address window,
//! else a company in the footer or letterhead.
//!
//! Where a name stands says whose it probably is, not that it was read
//! whole: a name cut at a line break, or a service-hours line taken for one,
//! reads just as plausibly. So a name gets a confidence at or above the
//! review threshold only when the page states it in a second place (the
//! footer, the letterhead, a note): two places that agree are the evidence.
//! That holds for a name the heading or the sender line introduces; a
//! company found in the footer by position alone stays below it (footers
//! repeat banks and group companies too). Otherwise a person checks it.

use docket_domain::Field;

use super::address::{Row, SALUTATIONS, row_from};
use super::found::{Found, POSITIONAL};
use super::labels::{LabelKind, compact};
use super::view::View;

/// A name under the seller's heading, not confirmed elsewhere.
const UNDER_HEADING: f32 = POSITIONAL;
/// The same name printed in a second place on the document.
const AGREED: f32 = 0.85;
/// How many lines under a heading its block may run.
const BLOCK_LINES: usize = 8;

/// Legal forms that end a company name, compact ("Sp. z o.o." ends in "oo").
const LEGAL_FORMS: &[&str] = &[
    "gmbh", "ag", "kg", "bv", "nv", "ltd", "limited", "inc", "llc", "sa", "sas", "sarl", "ek",
    "gbr", "ohg", "ug", "mbh", "plc", "se", "sl", "srl", "spa", "vof", "kgaa", "pvtltd", "corp",
    "co", "oo", "spzoo", "spj", "spk", "ska",
];

/// The end of a company name with a legal form in a line, if any. Words
/// with digits and punctuation before it (`8.00-20.00`, `12:30`) make the
/// line a time or an amount, not a name ("Mo-Fr 8.00-20.00 Uhr, Sa").
fn legal_form_end(texts: &[&str]) -> Option<usize> {
    let is_form = |t: &str| LEGAL_FORMS.contains(&compact(t).as_str());
    let mut end = texts
        .iter()
        .enumerate()
        .skip(1)
        .find_map(|(i, t)| is_form(t).then_some(i + 1))?;
    // Compound forms run on: "GmbH & Co. KG".
    while let Some(&next) = texts.get(end) {
        let joins = ["&", "+"].contains(&next) && texts.get(end + 1).is_some_and(|t| is_form(t));
        if !is_form(next) && !joins {
            break;
        }
        end += 1;
    }
    let numeric = |t: &&str| {
        t.chars().any(|c| c.is_ascii_digit()) && t.chars().any(|c| matches!(c, '.' | ':' | '-'))
    };
    (!texts[..end].iter().any(numeric)).then_some(end)
}

const SEPARATORS: &[&str] = &["●", "•", "·", "|", "-", "–", "/"];
/// Separators that only a one-line sender address uses.
pub const SENDER_SEPARATORS: &[&str] = &["●", "•", "·", "|"];

/// The seller's name as the page states it: under the seller's heading,
/// else the company on the sender line over the address window.
pub fn stated(view: &View) -> Option<Field<String>> {
    let found = under_heading(view).or_else(|| sender_line(view))?;
    let mut found = agreed(view, found);
    // The issuer's footer naming another company contradicts it.
    let key = compact(&found.value);
    if footer_companies(view).any(|c| compact(&c) != key) {
        found.confidence = found.confidence.min(POSITIONAL);
    }
    Some(found.into_field())
}

/// Company names (words up to a legal form) in the first page's footer.
fn footer_companies(view: &View) -> impl Iterator<Item = String> + '_ {
    let first_page = view.lines.first().map(|l| l.page);
    view.lines
        .iter()
        .filter(move |l| Some(l.page) == first_page && view.depth(l) > 0.8)
        .filter_map(|l| {
            let texts = l.texts();
            let end = legal_form_end(&texts).filter(|&e| e <= 5)?;
            Some(l.text_of(0, end))
        })
}

/// A company name in the footer, else in the letterhead (not in the buyer's
/// address block): only the position says it is the seller's.
pub fn by_position(view: &View, buyer_lines: &[usize]) -> Option<Field<String>> {
    let first_page = view.lines.first()?.page;
    let lines = || {
        view.lines
            .iter()
            .enumerate()
            .filter(|(i, _)| !buyer_lines.contains(i))
    };
    let footer = lines().filter(|(_, l)| l.page == first_page && view.depth(l) > 0.8);
    let letterhead = lines().filter(|(_, l)| l.page == first_page && view.depth(l) < 0.2);
    for (idx, l) in footer.chain(letterhead) {
        let texts = l.texts();
        let under_buyer_heading = view.lines[idx.saturating_sub(4)..idx].iter().any(|o| {
            o.page == l.page && o.labels.iter().any(|h| h.kind == LabelKind::BuyerSection)
        });
        if l.labels.iter().any(|h| h.start == 0)
            || under_buyer_heading
            || SALUTATIONS.contains(&compact(texts[0]).as_str())
        {
            continue;
        }
        // Footers repeat banks and group companies as well: a second place
        // does not make a name found by position alone the seller's.
        if let Some(end) = legal_form_end(&texts).filter(|&e| e <= 5) {
            let found = Found::words(view, idx, 0, end, l.text_of(0, end), POSITIONAL);
            return Some(found.into_field());
        }
    }
    None
}

/// The name the seller's heading introduces: on the heading's own line
/// ("SELLER: ACME Ltd"), in a "Name:" row of its block, or the first line
/// of its block that is not a "key: value" row.
fn under_heading(view: &View) -> Option<Found<String>> {
    let first_page = view.lines.first()?.page;
    for (idx, l) in view.lines.iter().enumerate() {
        if l.page != first_page {
            break;
        }
        let Some(h) = l
            .labels
            .iter()
            .find(|h| h.kind == LabelKind::SellerSection && h.start == 0)
        else {
            continue;
        };
        let own = row_from(view, idx, 0);
        if own.end > h.end {
            // "Lieferant GmbH" starts with a heading word but is a name;
            // "Seller: ACME Ltd" has the name after the heading's colon.
            let colon = l.toks[h.end - 1].text.ends_with(':');
            let start = h.end + usize::from(l.toks[h.end].text == ":");
            if (colon || start > h.end)
                && start < own.end
                && !l.labels.iter().any(|o| o.start == start)
            {
                let row = row_from(view, idx, start);
                return Some(named(view, &[row], UNDER_HEADING));
            }
            continue;
        }
        if let Some(found) = block_name(view, idx) {
            return Some(found);
        }
    }
    None
}

/// Where a "key: value" row's key ends (one past its colon), if the row is
/// one. The colon may stand apart, in a column of its own ("Nummer   : 5").
fn key_end(view: &View, row: &Row) -> Option<usize> {
    let toks = &view.lines[row.line].toks[row.start..];
    toks.iter()
        .take(3)
        .position(|t| t.text.ends_with(':'))
        .map(|i| row.start + i + 1)
}

/// The name in the block under the heading at line `heading`.
fn block_name(view: &View, heading: usize) -> Option<Found<String>> {
    let l = &view.lines[heading];
    let (hx, size) = (l.toks[0].bbox.x0, l.size);
    let mut prev_y0 = l.bbox.y0;
    for j in heading + 1..(heading + 1 + BLOCK_LINES).min(view.lines.len()) {
        let o = &view.lines[j];
        if o.page != l.page || prev_y0 - o.bbox.y1 > 2.5 * size.max(o.size) {
            return None;
        }
        prev_y0 = o.bbox.y0;
        // The block's column: where the heading starts, or a little indented.
        let Some(k) = o
            .toks
            .iter()
            .position(|t| t.bbox.x0 >= hx - 5.0 && t.bbox.x0 <= hx + 4.0 * size)
        else {
            continue;
        };
        let row = row_from(view, j, k);
        // The next block's heading ends this one.
        if o.labels.iter().any(|h| {
            h.start == k
                && matches!(h.kind, LabelKind::BuyerSection | LabelKind::SellerSection)
                && (h.end == row.end || o.toks[h.end - 1].text.ends_with(':'))
        }) {
            return None;
        }
        if let Some(key) = key_end(view, &row) {
            let is_name = compact(&o.text_of(k, key)) == "name";
            if is_name && key < o.toks.len() {
                return Some(keyed_name(view, j, key));
            }
            continue;
        }
        // Identifiers printed without a colon ("GLN 4000001123452").
        if o.toks[k..row.end]
            .iter()
            .any(|t| t.text.len() >= 6 && t.text.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        return Some(named(view, &wrapped(view, row), UNDER_HEADING));
    }
    None
}

/// A name line and, when it has no legal form, the next line if that one
/// ends the name with its legal form ("MVM Musterhafter" /
/// "Versicherungsverein Musterstadt a.G.").
fn wrapped(view: &View, row: Row) -> Vec<Row> {
    let words = |r: &Row| view.lines[r.line].texts()[r.start..r.end].to_vec();
    if legal_form_end(&words(&row)).is_some() {
        return vec![row];
    }
    let l = &view.lines[row.line];
    let x = l.toks[row.start].bbox.x0;
    let next = view.lines.get(row.line + 1).and_then(|n| {
        let k = n.toks.iter().position(|t| (t.bbox.x0 - x).abs() < 2.0)?;
        let close = n.page == l.page && l.bbox.y0 - n.bbox.y1 < 0.8 * l.size;
        close.then(|| row_from(view, row.line + 1, k))
    });
    match next {
        Some(n)
            if legal_form_end(&words(&n)) == Some(n.end - n.start)
                && !n.text.chars().any(|c| c.is_ascii_digit()) =>
        {
            vec![row, n]
        }
        _ => vec![row],
    }
}

/// The value of a "Name:" row, with the lines of its value column that wrap
/// above or below it: a line with nothing in the key column belongs to the
/// nearest keyed row (values are often centred on their key).
fn keyed_name(view: &View, line: usize, value_start: usize) -> Found<String> {
    let l = &view.lines[line];
    let vx = l.toks[value_start].bbox.x0;
    let only_value = |i: usize| {
        let o = &view.lines[i];
        o.page == l.page
            && (o.toks[0].bbox.x0 - vx).abs() < 2.0
            && o.bbox.y0 - l.bbox.y1 < 3.0 * l.size
            && l.bbox.y0 - o.bbox.y1 < 3.0 * l.size
    };
    let gap = |a: usize, b: usize| (view.lines[a].bbox.y0 - view.lines[b].bbox.y0).abs();
    let mut rows = vec![row_from(view, line, value_start)];
    if line > 0 && only_value(line - 1) {
        let keyed_above = (0..line - 1).rev().find(|&i| !only_value(i));
        if keyed_above.is_none_or(|k| gap(line - 1, line) < gap(k, line - 1)) {
            rows.insert(0, row_from(view, line - 1, 0));
        }
    }
    if line + 1 < view.lines.len() && only_value(line + 1) {
        let keyed_below = (line + 2..view.lines.len()).find(|&i| !only_value(i));
        if keyed_below.is_none_or(|k| gap(line + 1, line) < gap(k, line + 1)) {
            rows.push(row_from(view, line + 1, 0));
        }
    }
    named(view, &rows, UNDER_HEADING)
}

/// A candidate name made of rows, top to bottom.
fn named(view: &View, rows: &[Row], confidence: f32) -> Found<String> {
    let text = rows
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let first = &rows[0];
    let mut found = Found::words(view, first.line, first.start, first.end, text, confidence);
    found.bbox = crate::pdf::text::union(
        rows.iter()
            .map(|r| view.lines[r.line].bbox_of(r.start, r.end)),
    )
    .unwrap_or(found.bbox);
    found.source = found.value.clone();
    found
}

/// The company on a one-line sender address ("ACME GmbH · Street 1 · City").
fn sender_line(view: &View) -> Option<Found<String>> {
    let first_page = view.lines.first()?.page;
    for (idx, l) in view
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.page == first_page && view.depth(l) < 0.4)
    {
        let texts = l.texts();
        let Some(sep) = texts.iter().position(|t| SEPARATORS.contains(t)) else {
            continue;
        };
        if sep > 0
            && texts[sep + 1..].iter().any(|t| SEPARATORS.contains(t))
            && let Some(end) = legal_form_end(&texts[..sep])
        {
            let name = l.text_of(0, end);
            return Some(Found::words(view, idx, 0, end, name, POSITIONAL + 0.05));
        }
    }
    None
}

/// The name with its confidence raised when the document prints it in a
/// second place (on one line, or wrapped over two), outside the lines it
/// was read from.
fn agreed(view: &View, mut found: Found<String>) -> Found<String> {
    let key = compact(&found.value);
    if key.len() < 6 {
        return found;
    }
    let own = |i: usize| {
        view.lines[i].page == found.page
            && view.lines[i].bbox.y1 >= found.bbox.y0
            && view.lines[i].bbox.y0 <= found.bbox.y1
    };
    let texts: Vec<String> = view.lines.iter().map(|l| compact(&l.text())).collect();
    let elsewhere = (0..texts.len()).filter(|&i| !own(i)).any(|i| {
        texts[i].contains(&key)
            || texts
                .get(i + 1)
                .filter(|_| !own(i + 1))
                .is_some_and(|next| format!("{}{next}", texts[i]).contains(&key))
    });
    if elsewhere {
        found.confidence = found.confidence.max(AGREED);
    }
    found
}

#[cfg(test)]
#[path = "seller_tests.rs"]
mod tests;
