//! Plain text (a mail body, a `.txt` file) read by the layout extractor.
//!
//! Text written for a fixed-width display keeps its layout in blanks:
//! labels sit beside their values, tables line their columns up, totals
//! stand under the amounts they sum. So the text is set on monospaced pages
//! ([`pages`]): one character is [`CHAR_WIDTH`] wide, one line
//! [`LINE_HEIGHT`] high, y grows upwards as in PDF space, a form feed starts
//! a new page (as does every [`LINES_PER_PAGE`]th row), tabs stop every 8
//! columns, words are split on whitespace, so a wide run of blanks is a
//! column gap as it is on a PDF page, and a line wider than any invoice
//! (240 columns) wraps. [`layout::extract`] then reads the pages as it
//! reads a PDF's text.
//!
//! Most mail bodies are prose: the layout's reading is kept only when the
//! text says what it is (an invoice or credit note by a title word or a
//! document number label, an order by its title; never figures alone) and
//! the layout found its number, a total or line items ([`read`]).
//! "Invoice" in a sentence is not enough. Otherwise the text stays a
//! document of kind `other`, whole, for a person to read.

use docket_domain::{
    BoundingBox, BusinessDocument, DocumentKind, Evidence, ExtractorKind, Field, SourceSyntax,
};

use crate::layout;
use crate::pdf::text::{PageText, TextLine, Word};
use crate::read::Extraction;

/// Width of one character on the page, in points (10 pt text).
pub const CHAR_WIDTH: f32 = 5.0;
/// Distance between two lines, in points.
pub const LINE_HEIGHT: f32 = 12.0;
/// Lines on one page: an A4 page's height in lines, less its margins.
pub const LINES_PER_PAGE: usize = 63;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 40.0;
const TOP: f32 = 800.0;
/// Tab stops, in columns.
const TAB: usize = 8;
/// The widest row, in columns: a longer line wraps onto the next row, as a
/// mail client shows it. No plain-text invoice is this wide; a body of one
/// endless line would otherwise give the layout a row of thousands of
/// words, and pairing labels along a row costs the square of their number.
const MAX_COLUMNS: usize = 240;
/// How much of the text the note of an unread text keeps, in characters.
const NOTE_CHARS: usize = 2000;
/// How much of it the evidence of its kind quotes.
const SNIPPET_CHARS: usize = 200;

/// A word of monospaced 10 pt text from `x0` on the baseline `baseline`:
/// [`CHAR_WIDTH`] per character, ascent 8, descent 2.
pub fn word(text: &str, x0: f32, baseline: f32) -> Word {
    Word::new(
        text,
        BoundingBox {
            x0,
            y0: baseline - 2.0,
            x1: x0 + CHAR_WIDTH * text.chars().count() as f32,
            y1: baseline + 8.0,
        },
    )
}

/// Sets a text on monospaced pages; at most `max_pages` of them (the rest
/// of the text is not laid out). Pages without words are left out.
pub fn pages(text: &str, max_pages: usize) -> Vec<PageText> {
    let mut setter = Setter {
        pages: Vec::new(),
        lines: Vec::new(),
        row: 0,
        widest: 0,
        number: 1,
    };
    'text: for raw in text.lines() {
        for (i, part) in raw.split('\u{c}').enumerate() {
            for (k, row) in rows(part).into_iter().enumerate() {
                // A form feed before the part, or a full page.
                if (i > 0 && k == 0) || setter.row == LINES_PER_PAGE {
                    setter.new_page();
                }
                if setter.number as usize > max_pages {
                    break 'text;
                }
                setter.set(row);
            }
        }
    }
    setter.new_page();
    setter.pages
}

/// Pages being set, row by row.
struct Setter {
    pages: Vec<PageText>,
    /// The current page's lines.
    lines: Vec<TextLine>,
    /// The current page's next row.
    row: usize,
    /// The current page's widest row, in columns.
    widest: usize,
    /// The current page's number.
    number: u32,
}

impl Setter {
    /// Sets a row of words (each with its column) on the current page.
    fn set(&mut self, words: Row) {
        let baseline = TOP - LINE_HEIGHT * self.row as f32;
        let end = words
            .last()
            .map_or(0, |(column, w)| column + w.chars().count());
        self.widest = self.widest.max(end);
        let words = words
            .iter()
            .map(|(column, w)| word(w, x_of(*column), baseline))
            .collect();
        self.lines.extend(TextLine::from_words(words));
        self.row += 1;
    }

    /// Ends the current page (kept when it has words) and starts the next.
    fn new_page(&mut self) {
        if !self.lines.is_empty() {
            self.pages.push(PageText {
                number: self.number,
                // A line longer than a sheet widens the page rather than run off it.
                width: PAGE_WIDTH.max(2.0 * LEFT + CHAR_WIDTH * self.widest as f32),
                height: PAGE_HEIGHT,
                lines: std::mem::take(&mut self.lines),
            });
        }
        self.row = 0;
        self.widest = 0;
        self.number += 1;
    }
}

/// A row of words, each with the column it starts in.
type Row = Vec<(usize, String)>;

/// The rows of one line of text: its words placed by their columns, the
/// line wrapped before a word that would end past [`MAX_COLUMNS`].
fn rows(line: &str) -> Vec<Row> {
    let mut rows = vec![Row::new()];
    let mut column = 0usize;
    let mut word = String::new();
    for c in line.chars() {
        if c.is_whitespace() {
            place(&mut rows, &mut word, &mut column);
            column = if c == '\t' {
                (column / TAB + 1) * TAB
            } else {
                column + 1
            };
        } else if !c.is_control() {
            word.push(c);
            column += 1;
        }
    }
    place(&mut rows, &mut word, &mut column);
    rows
}

/// Places the word that ends at `column` (taken out of `word`) on the last
/// row, or at the start of a new one when it would end past [`MAX_COLUMNS`].
fn place(rows: &mut Vec<Row>, word: &mut String, column: &mut usize) {
    let width = word.chars().count();
    if width == 0 {
        return;
    }
    let mut start = *column - width;
    if *column > MAX_COLUMNS && rows.last().is_some_and(|r| !r.is_empty()) {
        rows.push(Row::new());
        (start, *column) = (0, width);
    }
    if let Some(row) = rows.last_mut() {
        row.push((start, std::mem::take(word)));
    }
}

/// Where a column starts on the page.
fn x_of(column: usize) -> f32 {
    LEFT + CHAR_WIDTH * column as f32
}

/// Reads a plain text: the layout extractor's document when it found a
/// business document (see the module docs), else the text kept as a
/// document of kind `other` with its beginning in a note, for a person.
pub fn read(bytes: &[u8], max_pages: usize) -> Extraction {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let method = match text.lines().count() {
        1 => "plain text, 1 line".to_string(),
        n => format!("plain text, {n} lines"),
    };
    let document = match layout::extract(&pages(&text, max_pages)) {
        Ok(mut doc) if stated_and_found(&doc) => {
            doc.header.syntax = SourceSyntax::MailBody;
            doc
        }
        // Nothing a document is made of, or no words at all.
        _ => unread(&text),
    };
    Extraction {
        document,
        method,
        text: Some(text),
    }
}

/// Whether the text states what kind of document it is (not inferred from
/// figures alone) and the layout found its number, a total or lines: a
/// title word in a sentence ("please send the invoice") is not enough.
fn stated_and_found(doc: &BusinessDocument) -> bool {
    doc.kind() != DocumentKind::Other
        && doc.header.kind.confidence.is_sure()
        && (doc.header.number.is_some() || doc.totals.gross.is_some() || !doc.lines.is_empty())
}

/// A text nothing was read from: kind `other`, its beginning in a note.
fn unread(text: &str) -> BusinessDocument {
    let kind = Field::new(
        DocumentKind::Other,
        Evidence {
            extractor: ExtractorKind::Derived,
            page: None,
            bbox: None,
            source_text: Some(text.chars().take(SNIPPET_CHARS).collect()),
            locator: Some("plain text: no invoice number, totals or lines found".to_string()),
        },
    );
    let mut document = BusinessDocument::empty(kind, SourceSyntax::MailBody);
    document
        .header
        .notes
        .push(text.chars().take(NOTE_CHARS).collect());
    document
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
