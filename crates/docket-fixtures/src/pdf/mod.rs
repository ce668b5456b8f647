//! A tiny, deterministic PDF writer on lopdf, and the suppliers' invoice layouts.
//!
//! Output is byte-for-byte reproducible: fixed `/ID`, fixed dates in `/Info`,
//! objects numbered in creation order, streams left uncompressed (so a change in
//! a compression library can never make the committed fixtures stale).

pub mod canvas;
pub mod fonts;
mod layout_a;
mod layout_b;
mod layout_c;
mod layout_d;
mod layout_e;
mod layout_f;
pub mod parts;

use chrono::NaiveDateTime;
use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

use crate::model::View;
use crate::scenarios::Layout;
use canvas::{Canvas, PAGE_H, PAGE_W};
use fonts::Font;

/// Document information and identity.
#[derive(Debug, Clone)]
pub struct Meta {
    /// PDF header version, e.g. `1.4`.
    pub version: &'static str,
    /// `/Title`.
    pub title: String,
    /// `/Author`.
    pub author: String,
    /// `/Subject`.
    pub subject: String,
    /// `/Creator`: the supplier's invoicing software.
    pub creator: &'static str,
    /// `/Producer`.
    pub producer: &'static str,
    /// Creation time (local time of the supplier).
    pub created: NaiveDateTime,
    /// UTC offset of `created`, e.g. `+01'00'`.
    pub offset: &'static str,
    /// Seed of the fixed file identifier.
    pub id_seed: String,
}

/// A file attached to the PDF (PDF/A-3 associated file).
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name.
    pub name: &'static str,
    /// MIME type.
    pub mime: &'static str,
    /// Description.
    pub description: &'static str,
    /// `/AFRelationship`.
    pub relationship: &'static str,
    /// Contents.
    pub data: Vec<u8>,
    /// XMP metadata to attach to the catalog.
    pub xmp: String,
}

/// Renders a view in its supplier's layout; returns the PDF's pages.
pub fn render_pages(view: &View) -> anyhow::Result<Vec<Canvas>> {
    Ok(match view.seller.layout {
        Layout::A => layout_a::render(view),
        Layout::B => layout_b::render(view),
        Layout::C => layout_c::render(view),
        Layout::D => layout_d::render(view),
        Layout::E => layout_e::render(view),
        Layout::F => layout_f::render(view),
    })
}

/// Renders a view to PDF bytes, with an optional attachment.
pub fn render(view: &View, attachment: Option<&Attachment>) -> anyhow::Result<Vec<u8>> {
    let pages = render_pages(view)?;
    write(pages, &parts::meta(view), attachment)
}

/// A PDF date string `D:YYYYMMDDHHmmSS+01'00'`.
pub fn pdf_date(t: NaiveDateTime, offset: &str) -> String {
    format!("D:{}{}", t.format("%Y%m%d%H%M%S"), offset)
}

/// A PDF text string: PDFDocEncoding when ASCII, else UTF-16BE with a BOM.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// A 16-byte identifier from a seed (two FNV-1a passes with different bases).
fn file_id(seed: &str) -> Vec<u8> {
    let fnv = |basis: u64| {
        seed.bytes().fold(basis, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let mut id = fnv(0xcbf2_9ce4_8422_2325).to_be_bytes().to_vec();
    id.extend_from_slice(&fnv(0x8422_2325_cbf2_9ce4).to_be_bytes());
    id
}

fn font_dict(font: Font) -> Dictionary {
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => font.base_font(),
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => font.widths().iter().map(|&w| Object::Integer(i64::from(w))).collect::<Vec<_>>(),
    }
}

/// Assembles pages into a PDF file.
pub fn write(
    pages: Vec<Canvas>,
    meta: &Meta,
    attachment: Option<&Attachment>,
) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::with_version(meta.version);
    let pages_id = doc.new_object_id();
    let f1 = doc.add_object(font_dict(Font::Regular));
    let f2 = doc.add_object(font_dict(Font::Bold));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => f1, "F2" => f2 },
        "ProcSet" => vec![Object::from("PDF"), Object::from("Text")],
    });
    let mut kids = Vec::new();
    for page in pages {
        let content = doc.add_object(Stream::new(Dictionary::new(), page.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), (PAGE_W as i64).into(), (PAGE_H as i64).into()],
            "Resources" => resources,
            "Contents" => content,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = i64::try_from(kids.len())?;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let created = pdf_date(meta.created, meta.offset);
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    if let Some(att) = attachment {
        let size = i64::try_from(att.data.len())?;
        let file = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "EmbeddedFile",
                "Subtype" => att.mime,
                "Params" => dictionary! {
                    "ModDate" => Object::string_literal(created.clone()),
                    "Size" => size,
                },
            },
            att.data.clone(),
        ));
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(att.name),
            "UF" => text_string(att.name),
            "Desc" => text_string(att.description),
            "AFRelationship" => att.relationship,
            "EF" => dictionary! { "F" => file, "UF" => file },
        });
        let mut xmp = Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            att.xmp.clone().into_bytes(),
        );
        xmp.allows_compression = false;
        let xmp = doc.add_object(xmp);
        catalog.set(
            "Names",
            dictionary! {
                "EmbeddedFiles" => dictionary! {
                    "Names" => vec![Object::string_literal(att.name), Object::Reference(spec)],
                },
            },
        );
        catalog.set("AF", vec![Object::Reference(spec)]);
        catalog.set("Metadata", xmp);
        catalog.set("MarkInfo", dictionary! { "Marked" => false });
    }
    let catalog = doc.add_object(catalog);
    let info = doc.add_object(dictionary! {
        "Title" => text_string(&meta.title),
        "Author" => text_string(&meta.author),
        "Subject" => text_string(&meta.subject),
        "Creator" => text_string(meta.creator),
        "Producer" => text_string(meta.producer),
        "CreationDate" => Object::string_literal(created.clone()),
        "ModDate" => Object::string_literal(created),
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let id = file_id(&meta.id_seed);
    doc.trailer.set(
        "ID",
        vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ],
    );
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}
