//! Key-value pairing by position: where the value of a label stands.
//!
//! A value stands to the right of its label on the same line, up to the next
//! label, or (in column layouts, and rows of labels over rows of values)
//! directly below it: in the first line underneath whose words overlap the
//! label horizontally, close enough to belong to it.

use docket_domain::BoundingBox;

use super::labels::LabelHit;
use super::view::{VLine, View};

/// Where a value was found relative to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On the label's line, to its right.
    Right,
    /// Underneath the label.
    Below,
}

/// A run of words that may hold a label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Index of the line in the view.
    pub line: usize,
    /// First word.
    pub start: usize,
    /// One past the last word.
    pub end: usize,
    /// Where it stands relative to the label.
    pub placement: Placement,
}

/// How far below a label its value may stand, in font sizes.
const BELOW_REACH: f32 = 2.6;

/// The words to the right of a label, up to the next label on the line. When
/// nothing follows the label on its own line, a value printed in another
/// font size on a neighbouring baseline still counts when the two boxes
/// share most of their height.
pub fn right_of(view: &View, line: usize, hit: &LabelHit) -> Region {
    let l = &view.lines[line];
    let end = l
        .labels
        .iter()
        .filter(|h| h.start >= hit.end && !qualifies(l, hit, h))
        .map(|h| h.start)
        .min()
        .unwrap_or(l.toks.len());
    let own = Region {
        line,
        start: hit.end,
        end,
        placement: Placement::Right,
    };
    if end > hit.end {
        return own;
    }
    let label = l.bbox_of(hit.start, hit.end);
    let neighbours = line.saturating_sub(2)..(line + 3).min(view.lines.len());
    for idx in neighbours.filter(|&i| i != line) {
        let o = &view.lines[idx];
        let shared = label.y1.min(o.bbox.y1) - label.y0.max(o.bbox.y0);
        if o.page != l.page || shared < 0.5 * (label.y1 - label.y0).min(o.bbox.y1 - o.bbox.y0) {
            continue;
        }
        let Some(start) = o.toks.iter().position(|t| t.bbox.x0 > label.x1) else {
            continue;
        };
        if o.labels.iter().any(|h| (h.start..h.end).contains(&start)) {
            continue;
        }
        let end = o
            .labels
            .iter()
            .map(|h| h.start)
            .filter(|&s| s > start)
            .min()
            .unwrap_or(o.toks.len());
        return Region {
            line: idx,
            start,
            end,
            placement: Placement::Right,
        };
    }
    own
}

/// Whether a party word right after a label only says whose value it is
/// ("Bestellung Nr. Kunde: B123", "Order no. customer: 17"): it does not
/// end the label's value region.
fn qualifies(l: &VLine, hit: &LabelHit, next: &LabelHit) -> bool {
    use super::labels::{LabelKind, compact};
    matches!(
        next.kind,
        LabelKind::BuyerSection | LabelKind::SellerSection
    ) && l.toks[hit.end..next.start].iter().all(|t| {
        matches!(
            compact(&t.text).as_str(),
            "" | "nr" | "no" | "n" | "number" | "nummer" | "numero"
        )
    })
}

/// The words directly below a label, if any stand close enough.
pub fn below(view: &View, line: usize, hit: &LabelHit) -> Option<Region> {
    let l = &view.lines[line];
    let label_box = l.bbox_of(hit.start, hit.end);
    let size = l.size;
    // The value column ends where the next label on the line begins.
    let limit = l
        .labels
        .iter()
        .filter(|h| h.start >= hit.end)
        .map(|h| l.toks[h.start].bbox.x0)
        .fold(f32::INFINITY, f32::min);
    for (idx, other) in view.lines.iter().enumerate().skip(line + 1) {
        if other.page != l.page || label_box.y0 - other.bbox.y1 > BELOW_REACH * size {
            break;
        }
        let Some(first) = other
            .toks
            .iter()
            .position(|t| overlaps(&t.bbox, &label_box, 0.5 * size))
        else {
            continue;
        };
        if other
            .labels
            .iter()
            .any(|h| (h.start..h.end).contains(&first))
        {
            return None;
        }
        let mut end = first + 1;
        while end < other.toks.len()
            && other.toks[end].bbox.x0 - other.toks[end - 1].bbox.x1 <= 1.2 * size
            && other.toks[end].bbox.x1 < limit
            && !other.labels.iter().any(|h| h.start == end)
        {
            end += 1;
        }
        return Some(Region {
            line: idx,
            start: first,
            end,
            placement: Placement::Below,
        });
    }
    None
}

fn overlaps(a: &BoundingBox, b: &BoundingBox, tolerance: f32) -> bool {
    a.x0 < b.x1 + tolerance && a.x1 > b.x0 - tolerance
}

/// Whether a line holds only labels (a row of labels over a row of values).
pub fn is_label_row(line: &VLine) -> bool {
    let covered: usize = line.labels.iter().map(|h| h.end - h.start).sum();
    line.labels.len() >= 2 && covered + line.labels.len() >= line.toks.len()
}

/// Where to look for a label's value, best first: right, then below when the
/// label allows it (or stands in a row of labels).
pub fn regions(view: &View, line: usize, hit: &LabelHit) -> Vec<Region> {
    let mut out = Vec::with_capacity(2);
    let right = right_of(view, line, hit);
    if right.end > right.start {
        out.push(right);
    }
    if hit.below || is_label_row(&view.lines[line]) {
        out.extend(below(view, line, hit));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::labels::LabelKind;
    use crate::pdf::text::{PageText, TextLine, Word};

    /// A line of words at the given x positions (each word 6 pt per char).
    pub(crate) fn line(y: f32, words: &[(&str, f32)]) -> TextLine {
        let words = words
            .iter()
            .map(|&(t, x)| {
                let w = 6.0 * t.chars().count() as f32;
                Word::new(
                    t,
                    BoundingBox {
                        x0: x,
                        y0: y - 2.0,
                        x1: x + w,
                        y1: y + 8.0,
                    },
                )
            })
            .collect();
        TextLine::from_words(words).expect("words")
    }

    fn view(lines: Vec<TextLine>) -> View {
        View::new(&[PageText {
            number: 1,
            width: 595.0,
            height: 842.0,
            lines,
        }])
    }

    fn value(v: &View, r: &Region) -> String {
        v.lines[r.line].text_of(r.start, r.end)
    }

    #[test]
    fn value_right_of_label_up_to_next_label() {
        let v = view(vec![line(
            700.0,
            &[
                ("Rechnungsnr.", 50.0),
                ("30064443", 130.0),
                ("Kundennr.", 250.0),
                ("47774", 320.0),
            ],
        )]);
        let hits = &v.lines[0].labels;
        assert_eq!(hits[0].kind, LabelKind::DocumentNumber);
        let r = regions(&v, 0, &hits[0]);
        assert_eq!(value(&v, &r[0]), "30064443");
        assert_eq!(r[0].placement, Placement::Right);
        let r = regions(&v, 0, &hits[1]);
        assert_eq!(value(&v, &r[0]), "47774");
    }

    #[test]
    fn a_party_word_after_a_label_only_qualifies_it() {
        let v = view(vec![line(
            581.0,
            &[
                ("Bestellung", 66.0),
                ("Nr.", 98.0),
                ("Kunde:", 108.0),
                ("B123456789", 305.0),
            ],
        )]);
        let hits = &v.lines[0].labels;
        assert_eq!(hits[0].kind, LabelKind::OrderReference);
        let r = regions(&v, 0, &hits[0]);
        assert_eq!(value(&v, &r[0]), "Nr. Kunde: B123456789");
    }

    #[test]
    fn value_below_label_in_a_row_of_labels() {
        let v = view(vec![
            line(
                700.0,
                &[
                    ("Invoice", 50.0),
                    ("Date:", 98.0),
                    ("Due", 200.0),
                    ("Date:", 222.0),
                ],
            ),
            line(686.0, &[("03/20/2023", 50.0), ("04/04/2023", 200.0)]),
        ]);
        let hits = v.lines[0].labels.clone();
        assert_eq!(hits.len(), 2);
        let r = regions(&v, 0, &hits[0]);
        assert_eq!(r.len(), 1);
        assert_eq!(value(&v, &r[0]), "03/20/2023");
        assert_eq!(r[0].placement, Placement::Below);
        assert_eq!(value(&v, &regions(&v, 0, &hits[1])[0]), "04/04/2023");
    }

    #[test]
    fn nothing_below_when_too_far_or_another_label() {
        let v = view(vec![
            line(700.0, &[("Rechnungsnummer", 400.0)]),
            line(
                690.0,
                &[("80333", 50.0), ("München", 90.0), ("471102", 400.0)],
            ),
            line(600.0, &[("Total", 400.0)]),
            line(500.0, &[("12,00", 400.0)]),
        ]);
        let r = regions(&v, 0, &v.lines[0].labels[0]);
        assert_eq!(value(&v, &r[0]), "471102");
        // "Total" does not look below, and 100 pt is too far anyway.
        assert!(regions(&v, 2, &v.lines[2].labels[0]).is_empty());
    }
}
