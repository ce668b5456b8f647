//! The buyer's address block: the lines over a postcode line in the upper
//! half of the first page, preferably under a heading that names the buyer
//! ("Rechnungsempfänger", "Bill to", "Factuuradres", "Facturé à").

use docket_domain::{Address, Field};

use super::found::{Found, LABELLED, POSITIONAL};
use super::labels::{LabelKind, compact};
use super::seller::SENDER_SEPARATORS;
use super::view::View;

/// Salutations that precede a name in an address block.
pub const SALUTATIONS: &[&str] = &[
    "herrn", "herr", "frau", "firma", "an", "to", "mr", "mrs", "ms", "dhr", "mevr", "m", "mme",
    "tav", "attn",
];

/// One line of an address block: words `start..end` of a view line.
#[derive(Debug, Clone)]
pub struct Row {
    /// The view line.
    pub line: usize,
    /// First word.
    pub start: usize,
    /// One past the last word.
    pub end: usize,
    /// The words' text.
    pub text: String,
}

/// The words of a line from `start` up to the next wide gap (a column break).
pub fn row_from(view: &View, line: usize, start: usize) -> Row {
    let o = &view.lines[line];
    let end = (start + 1..o.toks.len())
        .find(|&j| o.toks[j].bbox.x0 - o.toks[j - 1].bbox.x1 > 2.0 * o.size)
        .unwrap_or(o.toks.len());
    Row {
        line,
        start,
        end,
        text: o.text_of(start, end),
    }
}

/// The block of lines ending in a postcode line: lines above starting in the
/// same column and evenly close, top to bottom.
fn block_rows(view: &View, end: usize, postcode: usize) -> Vec<Row> {
    let l = &view.lines[end];
    let mut seg = postcode;
    while seg > 0 && l.toks[seg].bbox.x0 - l.toks[seg - 1].bbox.x1 < 2.0 * l.size {
        seg -= 1;
    }
    let x = l.toks[seg].bbox.x0;
    let mut rows = vec![row_from(view, end, seg)];
    let mut prev = end;
    for idx in (0..end).rev().take(6) {
        let o = &view.lines[idx];
        if o.page != l.page || o.bbox.y0 - view.lines[prev].bbox.y1 > 1.2 * l.size {
            break;
        }
        // Lines of a column beside the block interleave with it.
        let Some(k) = o.toks.iter().position(|t| (t.bbox.x0 - x).abs() < 3.0) else {
            continue;
        };
        let row = row_from(view, idx, k);
        // A sender line ("Firma · Straße · Ort") sits above the window, not in it.
        if row
            .text
            .split_whitespace()
            .any(|w| SENDER_SEPARATORS.contains(&w))
        {
            break;
        }
        rows.push(row);
        prev = idx;
    }
    rows.reverse();
    rows
}

/// The buyer's name and address: the address block (ending in a postcode
/// line) in the upper half of page one that is not the seller's. Under a
/// buyer heading it is labelled; otherwise only its position says whose it is.
pub fn buyer_block(view: &View, seller: Option<&str>) -> BlockFound {
    let Some(first_page) = view.lines.first().map(|l| l.page) else {
        return (None, None, Vec::new());
    };
    // Blocks under a buyer heading ("Bill to", "Rechnungsempfänger") first.
    for labelled_only in [true, false] {
        if let Some(found) = find_block(view, first_page, seller, labelled_only) {
            return found;
        }
    }
    (None, None, Vec::new())
}

/// The buyer's name, address and the view lines they stand on.
pub type BlockFound = (Option<Field<String>>, Option<Field<Address>>, Vec<usize>);

fn find_block(
    view: &View,
    first_page: u32,
    seller: Option<&str>,
    labelled_only: bool,
) -> Option<BlockFound> {
    for end in 0..view.lines.len() {
        let l = &view.lines[end];
        if l.page != first_page || view.depth(l) > 0.5 {
            continue;
        }
        let texts = l.texts();
        let Some(pc) = postcode_at(&texts) else {
            continue;
        };
        let mut rows = block_rows(view, end, pc);
        let heading = |r: &Row| {
            view.lines[r.line]
                .labels
                .iter()
                .any(|h| h.kind == LabelKind::BuyerSection && h.start == r.start)
        };
        let labelled = rows.first().is_some_and(heading)
            || view.lines[..rows[0].line]
                .iter()
                .rev()
                .take(2)
                .any(|o| o.labels.iter().any(|h| h.kind == LabelKind::BuyerSection));
        while rows
            .first()
            .is_some_and(|r| heading(r) || SALUTATIONS.contains(&compact(&r.text).as_str()))
        {
            rows.remove(0);
        }
        let street_first = rows
            .first()
            .is_some_and(|r| r.text.starts_with(|c: char| c.is_ascii_digit()));
        if rows.len() < 2
            || street_first
            || (labelled_only && !labelled)
            || seller.is_some_and(|s| rows.iter().any(|r| r.text.contains(s)))
        {
            continue;
        }
        let confidence = if labelled {
            LABELLED - 0.06
        } else {
            POSITIONAL
        };
        let mut name = rows[0].clone();
        let words: Vec<&str> = name.text.split_whitespace().collect();
        if words.len() > 1 && SALUTATIONS.contains(&compact(words[0]).as_str()) {
            name.start += 1;
            name.text = words[1..].join(" ");
        }
        let pl = &view.lines[end];
        let last = &rows[rows.len() - 1];
        let city = pl.text_of(pc + 1, last.end.max(pc + 1));
        let address = Address {
            lines: rows[1..rows.len() - 1]
                .iter()
                .map(|r| r.text.clone())
                .collect(),
            postcode: Some(
                texts[pc]
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .to_string(),
            ),
            city: (!city.is_empty()).then_some(city),
            country: None,
        };
        let mut addr = Found::words(
            view,
            rows[0].line,
            rows[0].start,
            rows[0].end,
            address,
            confidence,
        );
        addr.bbox = crate::pdf::text::union(
            rows.iter()
                .map(|r| view.lines[r.line].bbox_of(r.start, r.end)),
        )
        .unwrap_or(addr.bbox);
        addr.source = rows
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let name = Found::words(view, name.line, name.start, name.end, name.text, confidence);
        let lines = rows.iter().map(|r| r.line).collect();
        return Some((Some(name.into_field()), Some(addr.into_field()), lines));
    }
    None
}

/// The postcode word of a "12345 City" / "1234 AB City" / "D-12345 City" line.
fn postcode_at(texts: &[&str]) -> Option<usize> {
    (0..texts.len().saturating_sub(1)).find(|&i| {
        let t = texts[i]
            .trim_start_matches(|c: char| c.is_ascii_uppercase() && texts[i].contains('-'))
            .trim_start_matches('-');
        let digits = t.len() >= 4 && t.len() <= 5 && t.bytes().all(|b| b.is_ascii_digit());
        let next_word = texts[i + 1].chars().next().is_some_and(char::is_alphabetic);
        digits && next_word && (i == 0 || texts[i - 1].len() <= 3 || texts[i - 1].ends_with(','))
    })
}
