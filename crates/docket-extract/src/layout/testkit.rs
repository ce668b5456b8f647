//! Synthetic pages for the layout tests: words placed by hand.

use docket_domain::BoundingBox;

use crate::pdf::text::{PageText, TextLine, Word};

/// Width of one character in the synthetic font (10 pt text).
pub const CHAR: f32 = 5.0;

/// A line at baseline `y` with words starting at the given x positions.
pub fn line(y: f32, words: &[(&str, f32)]) -> TextLine {
    let words = words
        .iter()
        .map(|&(t, x)| {
            let w = CHAR * t.chars().count() as f32;
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

/// A line of text starting at `x`, words separated by one blank.
pub fn text(y: f32, x: f32, text: &str) -> TextLine {
    let mut at = x;
    let mut words = Vec::new();
    for w in text.split_whitespace() {
        words.push((w, at));
        at += CHAR * (w.chars().count() + 1) as f32;
    }
    line(y, &words)
}

/// An A4 page.
pub fn page(number: u32, lines: Vec<TextLine>) -> PageText {
    PageText {
        number,
        width: 595.0,
        height: 842.0,
        lines,
    }
}
