//! Image XObjects, hidden from `pdf_extract`.
//!
//! `pdf_extract` 0.12 follows every `Do` into the XObject it names and reads
//! its decoded data as a content stream, images included: a scanned page's
//! image (megabytes of pixels) is decompressed and parsed as operators, for
//! nothing. A five-page scan took 2 s and 338 MB that way before ending with
//! "no text layer". Text never lives in an image, so in the copy
//! `pdf_extract` reads, every image XObject becomes an empty form XObject:
//! `Do` still finds what it names, and draws nothing.

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

/// The ids of the document's image XObjects.
pub(super) fn ids(doc: &Document) -> BTreeSet<ObjectId> {
    doc.objects
        .iter()
        .filter(|(_, o)| {
            o.as_stream().is_ok_and(|s| {
                s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image")
            })
        })
        .map(|(&id, _)| id)
        .collect()
}

/// An XObject that draws nothing.
fn empty_form() -> Object {
    let dict: Dictionary = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Form",
        "BBox" => vec![0.into(), 0.into(), 0.into(), 0.into()],
    };
    Object::Stream(Stream::new(dict, Vec::new()))
}

/// A copy of the document with the objects in `images` replaced by empty
/// forms; the images' data is never copied.
pub(super) fn copy_without(doc: &Document, images: &BTreeSet<ObjectId>) -> Document {
    let objects = doc
        .objects
        .iter()
        .map(|(id, o)| {
            let o = if images.contains(id) {
                empty_form()
            } else {
                o.clone()
            };
            (*id, o)
        })
        .collect();
    Document {
        version: doc.version.clone(),
        binary_mark: doc.binary_mark.clone(),
        trailer: doc.trailer.clone(),
        reference_table: doc.reference_table.clone(),
        objects,
        max_id: doc.max_id,
        max_bookmark_id: doc.max_bookmark_id,
        bookmarks: doc.bookmarks.clone(),
        bookmark_table: doc.bookmark_table.clone(),
        xref_start: doc.xref_start,
        encryption_state: doc.encryption_state.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page that prints "Invoice" and draws an image whose data, read as
    /// operators, would print "GHOST".
    fn page_with_image() -> Document {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let image = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            b"BT /F1 12 Tf 72 600 Td (GHOST) Tj ET".to_vec(),
        ));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 700 Td (Invoice) Tj ET q 10 0 0 10 0 0 cm /Im1 Do Q".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "Im1" => image },
            },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn text_of(pages: &[super::super::PageText]) -> String {
        pages
            .iter()
            .map(|p| p.text())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn images_are_not_read_as_operators() {
        let doc = page_with_image();
        // What pdf-extract makes of the document as it is: the image's data
        // runs as operators. (Should pdf-extract stop doing that, this
        // module is no longer needed.)
        let mut raw = super::super::collect::Collector::default();
        pdf_extract::output_doc_page(&doc, &mut raw, 1).expect("page");
        let raw = super::super::group::build_page(1, raw.finish().expect("glyphs"));
        assert!(text_of(&[raw]).contains("GHOST"));

        let images = ids(&doc);
        assert_eq!(images.len(), 1);
        let pages = super::super::page_texts(&doc, 10).expect("text");
        let text = text_of(&pages);
        assert!(text.contains("Invoice"), "{text}");
        assert!(!text.contains("GHOST"), "{text}");
        // The copy keeps every other object as it was.
        let copy = copy_without(&doc, &images);
        assert_eq!(copy.objects.len(), doc.objects.len());
        assert_eq!(copy.trailer, doc.trailer);
    }
}
