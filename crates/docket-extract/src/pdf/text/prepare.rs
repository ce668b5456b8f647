//! The document `pdf_extract` is given: a copy with what it misreads or
//! wastes its time on taken care of, made only when there is something to
//! change (the usual text invoice without CID width ranges or images is read
//! as it is).
//!
//! - CID width tables written with ranges are rewritten ([`super::widths`]);
//! - image XObjects become empty forms ([`super::images`]).

use lopdf::Document;

use super::{images, widths};

/// The prepared copy, or `None` when the document can be read as it is.
pub(super) fn prepared(doc: &Document) -> Option<Document> {
    let repairs = widths::plan(doc);
    let images = images::ids(doc);
    if repairs.is_empty() && images.is_empty() {
        return None;
    }
    let mut copy = images::copy_without(doc, &images);
    widths::apply(&mut copy, repairs);
    Some(copy)
}
