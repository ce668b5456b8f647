//! Files embedded in a PDF, and the e-invoice XML among them.
//!
//! Hybrid invoices (ZUGFeRD, Factur-X, XRechnung in PDF/A-3, Order-X) carry
//! their XML as an embedded file, reachable from the catalog's
//! `/Names /EmbeddedFiles` name tree and, in PDF/A-3, its `/AF` array. Both are
//! walked because producers fill one, the other or both. The PDF is untrusted:
//! the walk is bounded in depth, nodes, files and decoded bytes, and a
//! decompression bomb is cut off instead of being inflated.

use std::collections::HashSet;
use std::io::Read;

use docket_domain::BusinessDocument;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::ExtractError;
use crate::einvoice;
use crate::pdf::load::load_pdf;

/// At most this many embedded files are decoded.
const MAX_FILES: usize = 50;
/// At most this many bytes are decoded over all embedded files.
const MAX_TOTAL_BYTES: usize = 50 * 1024 * 1024;
/// Name trees are shallow in practice; this bounds a crafted deep or cyclic one.
const MAX_TREE_DEPTH: usize = 32;
/// Name tree nodes visited at most.
const MAX_TREE_NODES: usize = 10_000;
/// The highest expansion ratios of the filters decoded by lopdf, used to refuse
/// a stream before decoding it when its worst case would exceed the budget.
const RATIO_ASCII85: usize = 5;
const RATIO_LZW: usize = 4096;

/// The names under which the e-invoice standards attach their XML, in order of preference.
const STANDARD_NAMES: &[&str] = &[
    "factur-x.xml",
    "zugferd-invoice.xml",
    "xrechnung.xml",
    "order-x.xml",
];

/// A file embedded in a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// The file name the PDF gives it (`/UF`, else `/F`, else its name-tree key).
    pub name: String,
    /// The decoded content.
    pub data: Vec<u8>,
}

/// Lists the files embedded in the PDF (name tree and `/AF`), decoded, each once.
///
/// Files that cannot be decoded (unknown filter, damaged stream, over the
/// limits) are left out; at most 50 files and 50 MB in total are decoded.
pub fn embedded_files(pdf: &Document) -> Vec<EmbeddedFile> {
    let Ok(catalog) = pdf.catalog() else {
        return Vec::new();
    };
    let mut specs: Vec<(Option<String>, &Dictionary)> = Vec::new();
    if let Some(tree) = deref(pdf, catalog.get(b"Names").ok())
        .and_then(|o| o.as_dict().ok())
        .and_then(|names| deref(pdf, names.get(b"EmbeddedFiles").ok()))
    {
        walk_name_tree(pdf, tree, &mut specs);
    }
    if let Some(af) = deref(pdf, catalog.get(b"AF").ok()).and_then(|o| o.as_array().ok()) {
        for spec in af.iter().take(MAX_TREE_NODES) {
            if let Some(dict) = deref(pdf, Some(spec)).and_then(|o| o.as_dict().ok()) {
                specs.push((None, dict));
            }
        }
    }

    let mut files = Vec::new();
    let mut seen_streams: HashSet<ObjectId> = HashSet::new();
    let mut budget = MAX_TOTAL_BYTES;
    for (key, spec) in specs {
        if files.len() >= MAX_FILES {
            break;
        }
        let Some(ef) = deref(pdf, spec.get(b"EF").ok()).and_then(|o| o.as_dict().ok()) else {
            continue;
        };
        let Some(stream_obj) = ef.get(b"F").or_else(|_| ef.get(b"UF")).ok() else {
            continue;
        };
        if let Ok(id) = stream_obj.as_reference()
            && !seen_streams.insert(id)
        {
            continue;
        }
        let Some(stream) = deref(pdf, Some(stream_obj)).and_then(|o| o.as_stream().ok()) else {
            continue;
        };
        let Some(data) = decode(stream, budget) else {
            continue;
        };
        budget = budget.saturating_sub(data.len());
        let name = file_name(spec)
            .or(key)
            .unwrap_or_else(|| "unnamed".to_string());
        files.push(EmbeddedFile { name, data });
    }
    files
}

/// Finds the embedded e-invoice or e-order: a file under one of the standard
/// names (case-insensitive) first, else any `.xml` file that [`einvoice::read_xml`]
/// recognises.
pub fn find_einvoice(pdf: &Document) -> Option<EmbeddedFile> {
    let files = embedded_files(pdf);
    for standard in STANDARD_NAMES {
        if let Some(file) = files.iter().find(|f| f.name.eq_ignore_ascii_case(standard)) {
            return Some(file.clone());
        }
    }
    files.into_iter().find(|f| {
        f.name.to_ascii_lowercase().ends_with(".xml") && einvoice::detect_syntax(&f.data).is_some()
    })
}

/// Loads a PDF and reads its embedded e-invoice, if it has one.
///
/// Returns the attachment's name with the document; `Ok(None)` for a PDF
/// without an e-invoice. Encrypted PDFs that do not open with the empty
/// password fail with [`ExtractError::Encrypted`], damaged ones with
/// [`ExtractError::Pdf`]; an attached e-invoice that cannot be read fails with
/// its reader's error.
pub fn read_hybrid_pdf(bytes: &[u8]) -> Result<Option<(String, BusinessDocument)>, ExtractError> {
    let pdf = load_pdf(bytes)?;
    match find_einvoice(&pdf) {
        Some(file) => einvoice::read_xml(&file.data).map(|doc| Some((file.name, doc))),
        None => Ok(None),
    }
}

/// Follows references (lopdf bounds the chain) from an optional object.
fn deref<'a>(pdf: &'a Document, obj: Option<&'a Object>) -> Option<&'a Object> {
    pdf.dereference(obj?).ok().map(|(_, o)| o)
}

/// Collects `(key, file spec)` pairs from a name tree, iteratively.
fn walk_name_tree<'a>(
    pdf: &'a Document,
    root: &'a Object,
    out: &mut Vec<(Option<String>, &'a Dictionary)>,
) {
    let mut stack: Vec<(&Object, usize)> = vec![(root, 0)];
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut visited = 0usize;
    while let Some((obj, depth)) = stack.pop() {
        visited += 1;
        if visited > MAX_TREE_NODES || depth > MAX_TREE_DEPTH {
            break;
        }
        if let Ok(id) = obj.as_reference()
            && !seen.insert(id)
        {
            continue;
        }
        let Some(node) = deref(pdf, Some(obj)).and_then(|o| o.as_dict().ok()) else {
            continue;
        };
        if let Some(names) = deref(pdf, node.get(b"Names").ok()).and_then(|o| o.as_array().ok()) {
            for pair in names.chunks(2).take(MAX_TREE_NODES) {
                let key = pair.first().and_then(|k| lopdf::decode_text_string(k).ok());
                let spec = pair.get(1).and_then(|v| deref(pdf, Some(v)));
                if let Some(dict) = spec.and_then(|s| s.as_dict().ok()) {
                    out.push((key, dict));
                }
            }
        }
        if let Some(kids) = deref(pdf, node.get(b"Kids").ok()).and_then(|o| o.as_array().ok()) {
            // Reversed so that the stack yields the kids in document order.
            for kid in kids.iter().take(MAX_TREE_NODES).rev() {
                stack.push((kid, depth + 1));
            }
        }
    }
}

fn file_name(spec: &Dictionary) -> Option<String> {
    [b"UF".as_slice(), b"F".as_slice()]
        .iter()
        .filter_map(|k| spec.get(k).ok())
        .filter_map(|o| lopdf::decode_text_string(o).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
}

/// Decodes a stream within `budget` bytes; `None` when it cannot be, or would not fit.
fn decode(stream: &Stream, budget: usize) -> Option<Vec<u8>> {
    let filters: Vec<&[u8]> = match stream.dict.get(b"Filter") {
        Err(_) => Vec::new(),
        Ok(_) => stream.filters().ok()?,
    };
    let predictor = has_predictor(stream);
    let data = match filters.as_slice() {
        [] => stream.content.clone(),
        // The common case, inflated under a cap: lopdf would inflate without one.
        [b"FlateDecode"] if !predictor => inflate(&stream.content, budget)?,
        _ => {
            let worst = filters.iter().try_fold(stream.content.len(), |size, f| {
                let ratio = match *f {
                    b"ASCII85Decode" => RATIO_ASCII85,
                    b"LZWDecode" => RATIO_LZW,
                    // Deflate's maximal ratio is about 1032:1.
                    b"FlateDecode" => 1032,
                    _ => return None,
                };
                Some(size.saturating_mul(ratio))
            })?;
            if worst > budget {
                tracing::warn!(
                    worst,
                    budget,
                    "embedded file skipped: could exceed the size limit"
                );
                return None;
            }
            stream.decompressed_content().ok()?
        }
    };
    (data.len() <= budget).then_some(data)
}

/// Whether the stream's decode parameters ask for a PNG/TIFF predictor (rare on files).
fn has_predictor(stream: &Stream) -> bool {
    stream
        .dict
        .get(b"DecodeParms")
        .and_then(Object::as_dict)
        .and_then(|p| p.get(b"Predictor"))
        .and_then(Object::as_i64)
        .is_ok_and(|p| p > 1)
}

/// Inflates zlib (or, failing that, raw deflate) data, refusing more than `limit` bytes.
fn inflate(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    let zlib = flate2::read::ZlibDecoder::new(data)
        .take(cap)
        .read_to_end(&mut out);
    if zlib.is_err() {
        // Some producers write a damaged checksum or a bare deflate stream;
        // keep what inflated, or retry without the zlib header.
        if out.is_empty() {
            let raw = data.get(2..)?;
            flate2::read::DeflateDecoder::new(raw)
                .take(cap)
                .read_to_end(&mut out)
                .ok()?;
        }
    }
    (out.len() <= limit).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use lopdf::{Object, Stream, dictionary};

    use super::*;

    const UBL: &[u8] = br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>E-1</cbc:ID></Invoice>"#;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// A file spec for `data`, Flate-compressed.
    fn spec(pdf: &mut Document, name: &str, data: &[u8]) -> ObjectId {
        let stream = Stream::new(
            dictionary! { "Type" => "EmbeddedFile", "Filter" => "FlateDecode" },
            deflate(data),
        );
        let file = pdf.add_object(stream);
        pdf.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal(name),
            "EF" => dictionary! { "F" => file },
        })
    }

    /// A PDF whose catalog holds `extra` besides an empty page tree.
    fn pdf_with(build: impl FnOnce(&mut Document) -> lopdf::Dictionary) -> Vec<u8> {
        let mut pdf = Document::with_version("1.7");
        let pages =
            pdf.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
        let mut catalog = build(&mut pdf);
        catalog.set("Type", "Catalog");
        catalog.set("Pages", pages);
        let root = pdf.add_object(catalog);
        pdf.trailer.set("Root", root);
        let mut out = Vec::new();
        pdf.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn name_tree_with_kids_and_af_are_walked_once_each() {
        let bytes = pdf_with(|pdf| {
            let invoice = spec(pdf, "Factur-X.xml", UBL);
            let note = spec(pdf, "note.txt", b"hello");
            let leaf = pdf.add_object(dictionary! {
                "Names" => vec![Object::string_literal("factur-x.xml"), invoice.into(), Object::string_literal("note.txt"), note.into()],
            });
            let tree = pdf.add_object(dictionary! { "Kids" => vec![leaf.into()] });
            dictionary! {
                "Names" => dictionary! { "EmbeddedFiles" => tree },
                "AF" => vec![invoice.into()],
            }
        });
        let pdf = load_pdf(&bytes).unwrap();
        let names: Vec<String> = embedded_files(&pdf).into_iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            vec!["Factur-X.xml".to_string(), "note.txt".to_string()]
        );
        let found = find_einvoice(&pdf).unwrap();
        assert_eq!(found.data, UBL);
        let (name, doc) = read_hybrid_pdf(&bytes).unwrap().unwrap();
        assert_eq!((name.as_str(), doc.number()), ("Factur-X.xml", Some("E-1")));
    }

    #[test]
    fn any_xml_the_readers_accept_is_found_under_another_name() {
        let bytes = pdf_with(|pdf| {
            let other = spec(pdf, "meta.xml", b"<meta/>");
            let invoice = spec(pdf, "rechnung.XML", UBL);
            dictionary! { "AF" => vec![other.into(), invoice.into()] }
        });
        let pdf = load_pdf(&bytes).unwrap();
        assert_eq!(find_einvoice(&pdf).unwrap().name, "rechnung.XML");
    }

    #[test]
    fn a_cyclic_name_tree_terminates() {
        let bytes = pdf_with(|pdf| {
            let node = pdf.new_object_id();
            pdf.objects.insert(
                node,
                Object::Dictionary(dictionary! { "Kids" => vec![node.into(), node.into()] }),
            );
            dictionary! { "Names" => dictionary! { "EmbeddedFiles" => node } }
        });
        assert!(embedded_files(&load_pdf(&bytes).unwrap()).is_empty());
    }

    #[test]
    fn a_pdf_without_attachments_has_no_einvoice() {
        let bytes = pdf_with(|_| lopdf::Dictionary::new());
        assert_eq!(read_hybrid_pdf(&bytes), Ok(None));
    }

    #[test]
    fn garbage_is_a_pdf_error() {
        for input in [
            &b""[..],
            b"%PDF-1.7\n",
            b"not a pdf at all",
            b"%PDF-1.4\n1 0 obj\n<<",
        ] {
            assert!(
                matches!(read_hybrid_pdf(input), Err(ExtractError::Pdf(_))),
                "{input:?}"
            );
        }
    }

    #[test]
    fn inflating_stops_at_the_limit() {
        let bomb = deflate(&vec![0u8; 1 << 20]);
        assert_eq!(inflate(&bomb, 4096), None);
        assert_eq!(inflate(&bomb, 1 << 20).map(|d| d.len()), Some(1 << 20));
        let stream = Stream::new(dictionary! { "Filter" => "FlateDecode" }, bomb);
        assert!(decode(&stream, 4096).is_none());
        let lzw = Stream::new(dictionary! { "Filter" => "LZWDecode" }, vec![0; 4096]);
        assert!(
            decode(&lzw, 1 << 20).is_none(),
            "worst case over the budget"
        );
    }

    #[test]
    fn shifted_offsets_are_repaired() {
        let bytes =
            pdf_with(|pdf| dictionary! { "AF" => vec![spec(pdf, "factur-x.xml", UBL).into()] });
        // A comment inserted after the header moves every object, as an in-place edit would.
        let mut shifted = bytes.get(..9).unwrap().to_vec();
        shifted.extend_from_slice(b"%% inserted comment line\n");
        shifted.extend_from_slice(bytes.get(9..).unwrap());
        let (name, _) = read_hybrid_pdf(&shifted).unwrap().unwrap();
        assert_eq!(name, "factur-x.xml");
    }
}
