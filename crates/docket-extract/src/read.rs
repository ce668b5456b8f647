//! The one entry point the pipeline and the CLI use: bytes in, document out.
//!
//! E-invoice XML is read exactly; a PDF is first searched for an embedded
//! e-invoice (Factur-X / ZUGFeRD / XRechnung), and only without one is its
//! visible text read by the layout extractor, as is plain text ([`plain`]). Everything runs under [`Limits`]:
//! here on a guarded thread ([`read_document`]), or in a parser process
//! ([`crate::isolate`]), which calls `read_unguarded` itself.

use std::time::{Duration, Instant};

use docket_domain::media;
use docket_domain::{BusinessDocument, SourceSyntax};
use serde::{Deserialize, Serialize};

use crate::guard::run_guarded;
use crate::pdf::text::PdfText;
use crate::pdf::text::poppler::Budget;
use crate::{ExtractError, einvoice, layout, pdf, plain};

/// Limits for reading one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most pages read from a PDF (and laid out from a plain text).
    pub max_pages: usize,
    /// Time budget for one file.
    pub time_budget: Duration,
    /// Memory a parser process may use on top of what it holds when idle,
    /// in bytes; enforced only in parser processes ([`crate::isolate`]) and
    /// for pdftotext.
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 25 * 1024 * 1024,
            max_pages: 50,
            time_budget: Duration::from_secs(20),
            max_memory: 512 * 1024 * 1024,
        }
    }
}

/// What kind of input a file is, as the caller recognised it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputKind {
    /// A PDF file.
    Pdf,
    /// An XML file.
    Xml,
    /// Plain text (an e-mail body, a `.txt` file).
    Text,
}

/// A document read from a file, with how it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The structured document.
    pub document: BusinessDocument,
    /// How it was read, e.g. `embedded factur-x.xml (CII)` or `PDF text, 2 pages`.
    pub method: String,
    /// The plain text it was read from (pages separated by form feeds), for
    /// a second reader such as the LLM stage; `None` for e-invoice XML, which
    /// is exact. Not stored: the file itself is.
    #[serde(skip)]
    pub text: Option<String>,
}

impl InputKind {
    /// The kind of input a media type is, as intake recognised it from the
    /// bytes ([`docket_domain::media::sniff`]); `None` for anything else.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            media::PDF => Some(InputKind::Pdf),
            media::XML => Some(InputKind::Xml),
            media::TEXT => Some(InputKind::Text),
            _ => None,
        }
    }
}

/// Reads one file under the limits, in this process (see [`crate::guard`]).
pub fn read_document(
    bytes: Vec<u8>,
    kind: InputKind,
    limits: Limits,
) -> Result<Extraction, ExtractError> {
    read_in_process(bytes, kind, limits, Embedded::Read)
}

/// Reads one file as a person sees it, in this process: a PDF's embedded
/// e-invoice XML is ignored and its visible text read by the layout
/// extractor, so that `docket eval --visual-only` measures extraction from
/// the page itself.
pub fn read_document_visual(
    bytes: Vec<u8>,
    kind: InputKind,
    limits: Limits,
) -> Result<Extraction, ExtractError> {
    read_in_process(bytes, kind, limits, Embedded::Ignore)
}

/// Whether a PDF's embedded e-invoice is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Embedded {
    Read,
    Ignore,
}

fn read_in_process(
    bytes: Vec<u8>,
    kind: InputKind,
    limits: Limits,
    embedded: Embedded,
) -> Result<Extraction, ExtractError> {
    check_size(bytes.len(), &limits)?;
    let started = Instant::now();
    run_guarded(limits.time_budget, move || {
        read_with(&bytes, kind, &limits, started, embedded)
    })
}

/// Refuses a file over the size limit before any parser sees it.
pub(crate) fn check_size(size: usize, limits: &Limits) -> Result<(), ExtractError> {
    if size > limits.max_bytes {
        return Err(ExtractError::TooLarge {
            size,
            limit: limits.max_bytes,
        });
    }
    Ok(())
}

/// Reads one file on the calling thread: the caller contains panics and
/// enforces the time budget (counted from `started`).
pub(crate) fn read_unguarded(
    bytes: &[u8],
    kind: InputKind,
    limits: &Limits,
    started: Instant,
) -> Result<Extraction, ExtractError> {
    read_with(bytes, kind, limits, started, Embedded::Read)
}

fn read_with(
    bytes: &[u8],
    kind: InputKind,
    limits: &Limits,
    started: Instant,
    embedded: Embedded,
) -> Result<Extraction, ExtractError> {
    let budget = Budget {
        deadline: started + limits.time_budget,
        max_memory: limits.max_memory,
    };
    match kind {
        InputKind::Xml => read_xml(bytes),
        InputKind::Pdf => read_pdf(bytes, limits.max_pages, &budget, embedded),
        InputKind::Text => Ok(plain::read(bytes, limits.max_pages)),
    }
}

fn read_xml(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    let document = einvoice::read_xml(bytes)?;
    let method = format!("e-invoice XML ({})", syntax_name(document.header.syntax));
    Ok(Extraction {
        document,
        method,
        text: None,
    })
}

fn read_pdf(
    bytes: &[u8],
    max_pages: usize,
    budget: &Budget,
    embedded: Embedded,
) -> Result<Extraction, ExtractError> {
    let doc = match pdf::load::load_pdf(bytes) {
        Ok(doc) => doc,
        // Where lopdf gives up on the file's structure, poppler may not.
        Err(ExtractError::Pdf(reason)) => {
            return from_text(pdf::text::fallback_only(bytes, max_pages, budget, reason)?);
        }
        Err(e) => return Err(e),
    };
    if doc.is_encrypted() {
        return Err(ExtractError::Encrypted);
    }
    let pages = doc.get_pages().len();
    if pages > max_pages {
        return Err(ExtractError::TooManyPages {
            pages,
            limit: max_pages,
        });
    }
    let einvoice = match embedded {
        Embedded::Read => pdf::embedded::find_einvoice(&doc),
        Embedded::Ignore => None,
    };
    if let Some(file) = einvoice {
        let document = einvoice::read_xml(&file.data)?;
        let method = format!(
            "embedded {} ({})",
            file.name,
            syntax_name(document.header.syntax)
        );
        return Ok(Extraction {
            document,
            method,
            text: None,
        });
    }
    from_text(pdf::text::page_texts_with_fallback(
        &doc, bytes, max_pages, budget,
    )?)
}

/// The layout extractor's reading of a PDF's visible text.
fn from_text(text: PdfText) -> Result<Extraction, ExtractError> {
    let document = layout::extract(&text.pages)?;
    let mut method = format!("PDF text, {} page(s)", text.pages.len());
    if text.via_pdftotext > 0 {
        method.push_str(&format!(", {} through pdftotext", text.via_pdftotext));
    }
    let plain = text
        .pages
        .iter()
        .map(|p| p.text())
        .collect::<Vec<_>>()
        .join("\u{c}");
    Ok(Extraction {
        document,
        method,
        text: Some(plain),
    })
}

fn syntax_name(syntax: SourceSyntax) -> &'static str {
    match syntax {
        SourceSyntax::Cii => "CII",
        SourceSyntax::Zugferd1 => "ZUGFeRD 1",
        SourceSyntax::UblInvoice => "UBL invoice",
        SourceSyntax::UblCreditNote => "UBL credit note",
        SourceSyntax::OrderX => "Order-X",
        SourceSyntax::PdfText => "PDF text",
        SourceSyntax::MailBody => "mail body",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_domain::DocumentKind;

    #[test]
    fn media_types_map_to_input_kinds() {
        assert_eq!(InputKind::from_media_type(media::PDF), Some(InputKind::Pdf));
        assert_eq!(InputKind::from_media_type(media::XML), Some(InputKind::Xml));
        assert_eq!(InputKind::from_media_type(media::MAIL), None);
        assert_eq!(InputKind::from_media_type(media::UNKNOWN), None);
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        let err = read_document(b"%PDF-1.4 long".to_vec(), InputKind::Pdf, limits).unwrap_err();
        assert_eq!(err, ExtractError::TooLarge { size: 13, limit: 4 });
    }

    #[test]
    fn garbage_pdf_gets_a_reason() {
        let err = read_document(
            b"%PDF-1.4 garbage".to_vec(),
            InputKind::Pdf,
            Limits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ExtractError::Pdf(_)), "{err:?}");
    }

    #[test]
    fn a_mail_body_becomes_an_other_document() {
        let e = read_document(
            b"Please send 10 boxes".to_vec(),
            InputKind::Text,
            Limits::default(),
        )
        .unwrap();
        assert_eq!(e.document.kind(), DocumentKind::Other);
    }
}
