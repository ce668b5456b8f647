//! The document as the layout extractor reads it: all pages' lines in reading
//! order, with words lightly repaired and labels found once.
//!
//! Two repairs matter for reading values: a label glued to its value
//! (`Kundennummer:2`) is split at the colon, and a number written with a thin
//! blank as thousands separator (`1 234,56`) is joined back, but only when the
//! gap is narrow, so that two numbers in neighbouring columns stay apart.
//!
//! Lines addressed to a language model ([`Instructions`]) are left out of the
//! view: nothing the extractor reads (identifiers, labelled values, table
//! rows) may come from a possible prompt injection. What stood only there is
//! then missing, and a person looks.

use docket_domain::BoundingBox;

use super::labels::{LabelHit, find_labels};
use super::numbers::{DateOrder, Notation};
use crate::instructions::Instructions;
use crate::pdf::text::{PageText, union};

/// A word of the view.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    /// The text.
    pub text: String,
    /// Its box on the page.
    pub bbox: BoundingBox,
}

/// A line of the view.
#[derive(Debug, Clone)]
pub struct VLine {
    /// 1-based page number.
    pub page: u32,
    /// The words, left to right.
    pub toks: Vec<Tok>,
    /// The box around the line.
    pub bbox: BoundingBox,
    /// The line's font size (largest word height).
    pub size: f32,
    /// The labels on the line.
    pub labels: Vec<LabelHit>,
}

impl VLine {
    /// The words' texts.
    pub fn texts(&self) -> Vec<&str> {
        self.toks.iter().map(|t| t.text.as_str()).collect()
    }

    /// The text of words `start..end`, joined by blanks.
    pub fn text_of(&self, start: usize, end: usize) -> String {
        let end = end.min(self.toks.len());
        let start = start.min(end);
        self.toks[start..end]
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The box of words `start..end` (the line's box when empty).
    pub fn bbox_of(&self, start: usize, end: usize) -> BoundingBox {
        let end = end.min(self.toks.len());
        let start = start.min(end);
        union(self.toks[start..end].iter().map(|t| t.bbox)).unwrap_or(self.bbox)
    }

    /// The whole line's text.
    pub fn text(&self) -> String {
        self.text_of(0, self.toks.len())
    }
}

/// Size of a page.
#[derive(Debug, Clone, Copy)]
pub struct PageSize {
    /// 1-based page number.
    pub number: u32,
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
}

/// The whole document, ready for reading.
#[derive(Debug, Clone)]
pub struct View {
    /// All lines, page by page, top to bottom.
    pub lines: Vec<VLine>,
    /// Page sizes.
    pub pages: Vec<PageSize>,
    /// The document's decimal separator habit.
    pub notation: Notation,
    /// The document's slash-date habit.
    pub dates: DateOrder,
    /// How many lines were left out as text addressed to a language model.
    pub instruction_lines: usize,
}

impl View {
    /// Builds the view of a document's pages.
    pub fn new(pages: &[PageText]) -> Self {
        let mut lines = Vec::new();
        let mut instructions = Instructions::default();
        let mut instruction_lines = 0;
        for page in pages {
            instructions.reset();
            let mut above: Option<BoundingBox> = None;
            for line in &page.lines {
                // A gap of two line heights ends an instruction, as a blank
                // line does in plain text.
                if let Some(above) = above
                    && above.y0 - line.bbox.y1 > 2.0 * (line.bbox.y1 - line.bbox.y0).max(1.0)
                {
                    instructions.reset();
                }
                above = Some(line.bbox);
                if instructions.is_instruction(&line.text) {
                    instruction_lines += 1;
                    continue;
                }
                let toks = repair(
                    line.words
                        .iter()
                        .map(|w| Tok {
                            text: w.text.clone(),
                            bbox: w.bbox,
                        })
                        .collect(),
                );
                let Some(bbox) = union(toks.iter().map(|t| t.bbox)) else {
                    continue;
                };
                let size = toks
                    .iter()
                    .map(|t| t.bbox.y1 - t.bbox.y0)
                    .fold(0.0, f32::max)
                    .max(1.0);
                let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
                let labels = find_labels(&words);
                lines.push(VLine {
                    page: page.number,
                    toks,
                    bbox,
                    size,
                    labels,
                });
            }
        }
        let all = || {
            lines
                .iter()
                .flat_map(|l| l.toks.iter().map(|t| t.text.as_str()))
        };
        let notation = Notation::detect(all());
        let dates = DateOrder::detect(all());
        let pages = pages
            .iter()
            .map(|p| PageSize {
                number: p.number,
                width: p.width,
                height: p.height,
            })
            .collect();
        View {
            lines,
            pages,
            notation,
            dates,
            instruction_lines,
        }
    }

    /// The size of a page (a usual sheet when unknown).
    pub fn page(&self, number: u32) -> PageSize {
        self.pages
            .iter()
            .copied()
            .find(|p| p.number == number)
            .unwrap_or(PageSize {
                number,
                width: 595.0,
                height: 842.0,
            })
    }

    /// Where a line sits on its page, 0 at the top and 1 at the bottom.
    pub fn depth(&self, line: &VLine) -> f32 {
        let h = self.page(line.page).height.max(1.0);
        (1.0 - line.bbox.y1 / h).clamp(0.0, 1.0)
    }
}

fn repair(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for tok in toks.into_iter().flat_map(split_colon) {
        if let Some(prev) = out.last_mut()
            && joins_thousands(prev, &tok)
        {
            prev.text = format!("{} {}", prev.text, tok.text);
            prev.bbox.x1 = tok.bbox.x1;
            continue;
        }
        out.push(tok);
    }
    out
}

/// Splits `Label:value` into `Label:` and `value` (not times like `10:35`).
fn split_colon(tok: Tok) -> Vec<Tok> {
    let chars: Vec<char> = tok.text.chars().collect();
    let Some(at) = chars.iter().position(|&c| c == ':') else {
        return vec![tok];
    };
    let before_ok = at > 0 && (chars[at - 1].is_alphabetic() || chars[at - 1] == '.');
    let rest: String = chars[at + 1..].iter().collect();
    if !before_ok || rest.is_empty() || rest.starts_with('/') {
        return vec![tok];
    }
    let head: String = chars[..=at].iter().collect();
    let share = (at + 1) as f32 / chars.len() as f32;
    let split_x = tok.bbox.x0 + (tok.bbox.x1 - tok.bbox.x0) * share;
    vec![
        Tok {
            text: head,
            bbox: BoundingBox {
                x1: split_x,
                ..tok.bbox
            },
        },
        Tok {
            text: rest,
            bbox: BoundingBox {
                x0: split_x,
                ..tok.bbox
            },
        },
    ]
}

/// `1` + `234,56` with a narrow gap is one number.
fn joins_thousands(prev: &Tok, next: &Tok) -> bool {
    let size = (prev.bbox.y1 - prev.bbox.y0).max(1.0);
    let gap = next.bbox.x0 - prev.bbox.x1;
    if gap > 0.35 * size {
        return false;
    }
    let head = prev.text.trim_start_matches(['€', '$', '£', '-']);
    let head_digits = head.rsplit(' ').next().unwrap_or(head);
    if head_digits.is_empty()
        || head_digits.len() > 3
        || !head_digits.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let b = next.text.as_bytes();
    b.len() >= 3
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b.len() == 3
            || matches!(b[3], b'.' | b',') && b.len() > 4 && b[4].is_ascii_digit()
            || next.text[3..].trim_end_matches(['€', '-']).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(text: &str, x0: f32, x1: f32) -> Tok {
        Tok {
            text: text.into(),
            bbox: BoundingBox {
                x0,
                y0: 0.0,
                x1,
                y1: 10.0,
            },
        }
    }

    fn texts(toks: &[Tok]) -> Vec<&str> {
        toks.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn glued_labels_are_split_and_times_are_not() {
        let out = repair(vec![
            tok("Kundennummer:2", 0.0, 70.0),
            tok("10:35", 80.0, 100.0),
        ]);
        assert_eq!(texts(&out), ["Kundennummer:", "2", "10:35"]);
        assert!(out[0].bbox.x1 < out[1].bbox.x0 + 0.01);
    }

    #[test]
    fn thousands_join_only_across_narrow_gaps() {
        let out = repair(vec![tok("1", 0.0, 5.0), tok("234,56", 7.0, 30.0)]);
        assert_eq!(texts(&out), ["1 234,56"]);
        let out = repair(vec![tok("1", 0.0, 5.0), tok("278.61", 40.0, 70.0)]);
        assert_eq!(texts(&out), ["1", "278.61"]);
        let out = repair(vec![tok("12", 0.0, 10.0), tok("2026", 12.0, 30.0)]);
        assert_eq!(texts(&out), ["12", "2026"]);
    }
}
