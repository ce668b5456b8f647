//! Synthetic pages for the layout tests: words placed by hand, in the
//! monospaced 10 pt text plain text is set in ([`crate::plain`]).

use crate::pdf::text::{PageText, TextLine};
use crate::plain;

/// Width of one character in the synthetic font (10 pt text).
pub const CHAR: f32 = plain::CHAR_WIDTH;

/// A line at baseline `y` with words starting at the given x positions.
pub fn line(y: f32, words: &[(&str, f32)]) -> TextLine {
    let words = words.iter().map(|&(t, x)| plain::word(t, x, y)).collect();
    TextLine::from_words(words).expect("words")
}

/// A line of text starting at `x`, words separated by one blank.
pub fn text(y: f32, x: f32, text: &str) -> TextLine {
    spans(y, &[(x, text)])
}

/// A line of several texts (columns), each starting at its x, its words
/// separated by one blank.
pub fn spans(y: f32, spans: &[(f32, &str)]) -> TextLine {
    let mut words = Vec::new();
    for &(x, text) in spans {
        let mut at = x;
        for w in text.split_whitespace() {
            words.push((w, at));
            at += CHAR * (w.chars().count() + 1) as f32;
        }
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
