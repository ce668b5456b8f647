//! PDF text with positions: the words and lines of each page, with boxes.
//!
//! `pdf_extract` interprets the content streams and hands every glyph to an
//! [`pdf_extract::OutputDev`]; [`collect`] records those glyphs in page space and
//! [`group`] turns them into words (by horizontal gaps) and lines (by baseline
//! proximity) in reading order. The layout extractor works only on this model, so
//! its tests can build pages by hand.
//!
//! Coordinates are PDF points with y growing upwards from the bottom of the page
//! (of the media box). Pages whose text runs sideways are turned so that their
//! dominant text direction reads left to right.
//!
//! Pages that pdf-extract cannot read (or finds empty) are read by poppler's
//! `pdftotext` when it is installed ([`poppler`]); its words go through the
//! same line grouping, so the layout extractor sees one model.

mod collect;
mod forms;
mod group;
mod images;
pub mod poppler;
mod prepare;
mod widths;

use docket_domain::BoundingBox;
use lopdf::{Dictionary, Document, Object};

use crate::ExtractError;

/// A word: characters without a visible gap between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The characters of the word.
    pub text: String,
    /// The box around the word (baseline-based estimate of ascent and descent).
    pub bbox: BoundingBox,
}

impl Word {
    /// A word with a box.
    pub fn new(text: impl Into<String>, bbox: BoundingBox) -> Self {
        Word {
            text: text.into(),
            bbox,
        }
    }

    /// The approximate font size: the height of the word's box.
    pub fn size(&self) -> f32 {
        self.bbox.y1 - self.bbox.y0
    }
}

/// A line: words sharing a baseline, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The words joined by single spaces.
    pub text: String,
    /// The box around all words.
    pub bbox: BoundingBox,
    /// The words, left to right.
    pub words: Vec<Word>,
}

impl TextLine {
    /// A line from its words (sorted left to right here); `None` when there are none.
    pub fn from_words(mut words: Vec<Word>) -> Option<Self> {
        words.retain(|w| !w.text.trim().is_empty());
        words.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let bbox = union(words.iter().map(|w| w.bbox))?;
        let text = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Some(TextLine { text, bbox, words })
    }
}

/// The text of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    /// The 1-based page number.
    pub number: u32,
    /// Page width in points.
    pub width: f32,
    /// Page height in points.
    pub height: f32,
    /// The lines, top to bottom.
    pub lines: Vec<TextLine>,
}

impl PageText {
    /// The page's text, one line per text line.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The smallest box around all boxes, `None` for none.
pub fn union(boxes: impl IntoIterator<Item = BoundingBox>) -> Option<BoundingBox> {
    boxes.into_iter().reduce(|a, b| BoundingBox {
        x0: a.x0.min(b.x0),
        y0: a.y0.min(b.y0),
        x1: a.x1.max(b.x1),
        y1: a.y1.max(b.y1),
    })
}

/// The text of a PDF's pages and how many of them pdftotext read.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfText {
    /// The pages with text, in page order.
    pub pages: Vec<PageText>,
    /// How many of them came from pdftotext.
    pub via_pdftotext: usize,
}

/// Reads the text of the first `max_pages` pages with positions.
///
/// A page that fails part-way keeps what was read before the failure; the
/// error ([`ExtractError::Pdf`]) is reported only when no page yields any
/// text. A document without any text at all (a scan) is
/// [`ExtractError::NoText`]; one that could not be decrypted is
/// [`ExtractError::Encrypted`].
pub fn page_texts(doc: &Document, max_pages: usize) -> Result<Vec<PageText>, ExtractError> {
    scan(doc, max_pages)?.into_result()
}

/// [`page_texts`], with the pages pdf-extract could not read (or found
/// empty) read by pdftotext from `bytes` when it is installed, within `budget`.
pub fn page_texts_with_fallback(
    doc: &Document,
    bytes: &[u8],
    max_pages: usize,
    budget: &poppler::Budget,
) -> Result<PdfText, ExtractError> {
    let mut scan = scan(doc, max_pages)?;
    let mut via_pdftotext = 0;
    if let (Some(&first), Some(&last)) = (scan.unread.first(), scan.unread.last())
        && let Some(read) = poppler::read_pages(bytes, first, last, budget)
    {
        match read {
            Ok(pages) => {
                for page in pages {
                    if scan.unread.contains(&page.number) && !page.lines.is_empty() {
                        scan.pages.retain(|p| p.number != page.number);
                        scan.pages.push(page);
                        via_pdftotext += 1;
                    }
                }
                scan.pages.sort_by_key(|p| p.number);
            }
            Err(reason) => tracing::debug!(%reason, "pdftotext could not read the pages either"),
        }
    }
    Ok(PdfText {
        pages: scan.into_result()?,
        via_pdftotext,
    })
}

/// The text of a PDF that lopdf could not load (`reason`), read by pdftotext
/// when it is installed; else, or when it finds no text either, the file is
/// damaged for [`ExtractError::Pdf`]'s `reason`.
pub fn fallback_only(
    bytes: &[u8],
    max_pages: usize,
    budget: &poppler::Budget,
    reason: String,
) -> Result<PdfText, ExtractError> {
    let last = u32::try_from(max_pages).unwrap_or(u32::MAX);
    match poppler::read_pages(bytes, 1, last, budget) {
        None => Err(ExtractError::Pdf(reason)),
        Some(Ok(mut pages)) => {
            pages.retain(|p| !p.lines.is_empty());
            if pages.is_empty() {
                return Err(ExtractError::Pdf(reason));
            }
            Ok(PdfText {
                via_pdftotext: pages.len(),
                pages,
            })
        }
        Some(Err(also)) => Err(ExtractError::Pdf(format!("{reason} (pdftotext: {also})"))),
    }
}

/// What pdf-extract read of a document's pages.
struct Scan {
    /// Pages with text.
    pages: Vec<PageText>,
    /// Numbers of the pages that failed (some with part of their text in
    /// `pages`) or had no text, ascending.
    unread: Vec<u32>,
    /// The first failure, for the reason when no page has text.
    first_error: Option<String>,
}

impl Scan {
    fn into_result(self) -> Result<Vec<PageText>, ExtractError> {
        match (self.pages.is_empty(), self.first_error) {
            (false, _) => Ok(self.pages),
            (true, Some(reason)) => Err(ExtractError::Pdf(reason)),
            (true, None) => Err(ExtractError::NoText),
        }
    }
}

fn scan(doc: &Document, max_pages: usize) -> Result<Scan, ExtractError> {
    // lopdf removes the Encrypt entry once the empty password opened the
    // file; one still there means the content streams are unreadable.
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(ExtractError::Encrypted);
    }
    // Width tables pdf-extract misreads would stretch every word of their
    // font, and images it would parse as operators cost time and memory.
    let prepared = prepare::prepared(doc);
    let doc = prepared.as_ref().unwrap_or(doc);
    let mut pages = Vec::new();
    let mut unread = Vec::new();
    let mut first_error: Option<String> = None;
    for (&number, &id) in doc.get_pages().iter().take(max_pages) {
        // pdf-extract panics on a page without a media box or readable content,
        // and overflows the stack on forms that draw themselves; checking first
        // turns those into ordinary errors.
        if let Err(reason) = precheck_page(doc, id) {
            first_error.get_or_insert(format!("page {number}: {reason}"));
            unread.push(number);
            continue;
        }
        let mut dev = collect::Collector::default();
        let failed = match pdf_extract::output_doc_page(doc, &mut dev, number) {
            Ok(()) => false,
            Err(e) => {
                tracing::debug!(page = number, error = %e, "text extraction stopped on a page");
                first_error.get_or_insert(format!("page {number}: {e}"));
                true
            }
        };
        match dev.finish().map(|raw| group::build_page(number, raw)) {
            // What a failed page yielded is kept unless pdftotext reads it whole.
            Some(page) if !page.lines.is_empty() => {
                pages.push(page);
                if failed {
                    unread.push(number);
                }
            }
            _ => unread.push(number),
        }
    }
    Ok(Scan {
        pages,
        unread,
        first_error,
    })
}

fn precheck_page(doc: &Document, id: lopdf::ObjectId) -> Result<(), String> {
    let dict = doc
        .get_dictionary(id)
        .map_err(|e| format!("page object unreadable: {e}"))?;
    let media_box = inherited(doc, dict, b"MediaBox", 0).ok_or("page has no media box")?;
    let numbers = match media_box {
        Object::Array(items) => items
            .iter()
            .filter(|o| matches!(deref(doc, o), Object::Integer(_) | Object::Real(_)))
            .count(),
        _ => 0,
    };
    if numbers < 4 {
        return Err("page media box is malformed".into());
    }
    let content = doc
        .get_page_content(id)
        .map_err(|e| format!("page content unreadable: {e}"))?;
    let resources = match inherited(doc, dict, b"Resources", 0) {
        Some(Object::Dictionary(d)) => Some(d),
        _ => None,
    };
    forms::check_page(doc, &content, resources)
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

/// A page attribute, looked up the page tree; depth-limited against cycles.
fn inherited<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
    depth: u8,
) -> Option<&'a Object> {
    if depth > 32 {
        return None;
    }
    if let Ok(value) = dict.get(key) {
        return Some(deref(doc, value));
    }
    let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
    let parent = doc.get_dictionary(parent).ok()?;
    inherited(doc, parent, key, depth + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bbox(x0: f32, y0: f32, x1: f32, y1: f32) -> BoundingBox {
        BoundingBox { x0, y0, x1, y1 }
    }

    #[test]
    fn line_from_words_sorts_and_joins() {
        let line = TextLine::from_words(vec![
            Word::new("world", bbox(50.0, 0.0, 80.0, 10.0)),
            Word::new("hello", bbox(10.0, 0.0, 40.0, 10.0)),
            Word::new(" ", bbox(45.0, 0.0, 46.0, 10.0)),
        ])
        .expect("line");
        assert_eq!(line.text, "hello world");
        assert_eq!(line.bbox, bbox(10.0, 0.0, 80.0, 10.0));
        assert!(TextLine::from_words(Vec::new()).is_none());
    }

    #[test]
    fn document_without_pages_has_no_text() {
        let doc = Document::with_version("1.5");
        assert_eq!(page_texts(&doc, 10), Err(ExtractError::NoText));
    }
}
