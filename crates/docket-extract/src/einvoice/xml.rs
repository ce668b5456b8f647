//! Safe XML access for the e-invoice readers.
//!
//! Turns untrusted bytes into a `roxmltree` document under limits (size, node
//! count, no entity declarations) and offers namespace-agnostic navigation by
//! local name: CII, ZUGFeRD 1 and UBL producers disagree on prefixes, and some
//! even on namespace versions, but never on local names. Every located element
//! carries its path so that a value can cite where it was read.

use std::borrow::Cow;

use docket_domain::{Evidence, ExtractorKind, Field};
use roxmltree::{Document, Node, ParsingOptions};

use crate::ExtractError;

/// The largest XML file read; real e-invoices are a few hundred kilobytes.
pub const MAX_XML_BYTES: usize = 20 * 1024 * 1024;

/// Bounds the tree's memory independently of the byte size (a 20 MB file of
/// empty elements would otherwise become tens of millions of nodes).
const MAX_NODES: u32 = 4_000_000;

/// Decodes the bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM,
/// or ISO-8859-1 / windows-1252 when the XML declaration names it.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ExtractError> {
    if bytes.len() > MAX_XML_BYTES {
        return Err(ExtractError::TooLarge {
            size: bytes.len(),
            limit: MAX_XML_BYTES,
        });
    }
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        utf8(rest)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Cow::Owned(utf16(rest, u16::from_le_bytes)?)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Cow::Owned(utf16(rest, u16::from_be_bytes)?)
    } else if declares_latin1(bytes) {
        Cow::Owned(bytes.iter().map(|&b| latin1_char(b)).collect())
    } else {
        utf8(bytes)?
    };
    // Producers pad attachments with blanks or newlines before the declaration,
    // which strict parsers reject; the content is unaffected.
    Ok(match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_start()),
        Cow::Owned(s) => Cow::Owned(s.trim_start().to_string()),
    })
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, ExtractError> {
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|e| ExtractError::Xml(format!("not valid UTF-8: {e}")))
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> Result<String, ExtractError> {
    let units = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| ExtractError::Xml(format!("not valid UTF-16: {e}")))
}

/// Whether the XML declaration names a single-byte Latin encoding.
fn declares_latin1(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(200)];
    let Some(end) = head.windows(2).position(|w| w == b"?>") else {
        return false;
    };
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    decl.starts_with("<?xml")
        && [
            "iso-8859-1",
            "iso-8859-15",
            "latin1",
            "windows-1252",
            "cp1252",
        ]
        .iter()
        .any(|enc| decl.contains(enc))
}

/// Windows-1252 is a superset of ISO-8859-1 in practice: documents labelled
/// Latin-1 use its 0x80-0x9F characters (the euro sign above all).
fn latin1_char(b: u8) -> char {
    const CP1252_80: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => CP1252_80
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

/// Parses the text, refusing entity declarations (billion laughs, external
/// entities) outright rather than relying on expansion limits alone.
pub fn parse(text: &str) -> Result<Document<'_>, ExtractError> {
    if text.contains("<!DOCTYPE") && text.contains("<!ENTITY") {
        return Err(ExtractError::Xml(
            "the DOCTYPE declares entities, which e-invoices never need".into(),
        ));
    }
    let options = ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| ExtractError::Xml(e.to_string()))
}

/// An element together with its path from the root, for evidence locators.
#[derive(Debug, Clone)]
pub struct El<'a, 'input> {
    node: Node<'a, 'input>,
    path: String,
}

impl<'a, 'input> El<'a, 'input> {
    /// The document's root element.
    pub fn root(doc: &'a Document<'input>) -> Self {
        let node = doc.root_element();
        El {
            path: format!("/{}", qualified(node)),
            node,
        }
    }

    /// The element's local name.
    pub fn local(&self) -> &'a str {
        self.node.tag_name().name()
    }

    /// The element's namespace URI, if any.
    pub fn namespace(&self) -> Option<&'a str> {
        self.node.tag_name().namespace()
    }

    /// The element's path from the root (`/rsm:A/ram:B[2]/ram:C`).
    #[cfg(test)]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The first child element with this local name.
    pub fn child(&self, local: &str) -> Option<Self> {
        let node = self
            .node
            .children()
            .find(|n| n.is_element() && n.tag_name().name() == local)?;
        Some(El {
            path: format!("{}/{}", self.path, qualified(node)),
            node,
        })
    }

    /// The first child element matching any of the local names, tried in order.
    pub fn child_any(&self, locals: &[&str]) -> Option<Self> {
        locals.iter().find_map(|l| self.child(l))
    }

    /// Follows a chain of local names.
    pub fn at(&self, locals: &[&str]) -> Option<Self> {
        let mut el = self.clone();
        for local in locals {
            el = el.child(local)?;
        }
        Some(el)
    }

    /// All child elements with this local name, indexed in their paths.
    pub fn children(&self, local: &str) -> Vec<Self> {
        self.node
            .children()
            .filter(|n| n.is_element() && n.tag_name().name() == local)
            .enumerate()
            .map(|(i, node)| El {
                path: format!("{}/{}[{}]", self.path, qualified(node), i + 1),
                node,
            })
            .collect()
    }

    /// The element's own text (CDATA included), trimmed; `None` when blank.
    pub fn text(&self) -> Option<String> {
        let mut out = String::new();
        for child in self.node.children().filter(|n| n.is_text()) {
            out.push_str(child.text().unwrap_or_default());
        }
        let trimmed = out.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }

    /// The text of the child at the chain of local names.
    pub fn text_at(&self, locals: &[&str]) -> Option<String> {
        self.at(locals)?.text()
    }

    /// An attribute by local name, whatever its namespace, trimmed.
    pub fn attr(&self, local: &str) -> Option<&'a str> {
        self.node
            .attributes()
            .find(|a| a.name() == local)
            .map(|a| a.value().trim())
            .filter(|v| !v.is_empty())
    }

    /// The first value of an attribute on this element or any below it, in
    /// document order, with a locator; used to find a currency when the
    /// document names none outright.
    pub fn first_attr_below(&self, local: &str) -> Option<(String, &'a str)> {
        self.node
            .descendants()
            .filter(|n| n.is_element())
            .find_map(|n| {
                let value = n.attributes().find(|a| a.name() == local)?.value().trim();
                (!value.is_empty()).then(|| (format!("//{}/@{local}", qualified(n)), value))
            })
    }

    /// Evidence pointing at this element.
    pub fn evidence(&self, extractor: ExtractorKind, text: &str) -> Evidence {
        Evidence::xml(extractor, self.path.clone(), text)
    }

    /// The element's text as a string field.
    pub fn string_field(&self, extractor: ExtractorKind) -> Option<Field<String>> {
        let text = self.text()?;
        Some(Field::new(text.clone(), self.evidence(extractor, &text)))
    }

    /// Reads the element's text with `parse` into a field; `None` when blank or unparsable.
    pub fn parse_field<T>(
        &self,
        extractor: ExtractorKind,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<Field<T>> {
        let text = self.text()?;
        let value = parse(&text)?;
        Some(Field::new(value, self.evidence(extractor, &text)))
    }
}

/// `prefix:local` as written in the document, or the bare local name.
fn qualified(node: Node<'_, '_>) -> String {
    let name = node.tag_name();
    match name.namespace().and_then(|ns| node.lookup_prefix(ns)) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:{}", name.name()),
        _ => name.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_leading_blanks_are_skipped() {
        let text = decode(b"\xEF\xBB\xBF \n<a/>").unwrap();
        assert_eq!(text, "<a/>");
    }

    #[test]
    fn latin1_declared_documents_are_transcoded() {
        let text = decode(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>M\xFCller \x80</a>")
            .unwrap();
        let doc = parse(&text).unwrap();
        assert_eq!(El::root(&doc).text().as_deref(), Some("Müller €"));
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "<a>x</a>".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap(), "<a>x</a>");
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(matches!(
            decode(b"<a>\xFF\xFE\xFD</a>"),
            Err(ExtractError::Xml(_))
        ));
    }

    #[test]
    fn entity_declarations_are_refused() {
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
        assert!(matches!(parse(laughs), Err(ExtractError::Xml(_))));
        assert!(parse("<!DOCTYPE a><a/>").is_ok());
    }

    #[test]
    fn navigation_ignores_prefixes_and_records_paths() {
        let doc = parse(r#"<r:root xmlns:r="urn:r" xmlns:x="urn:x"><x:item>1</x:item><x:item> <![CDATA[two]]> </x:item></r:root>"#).unwrap();
        let root = El::root(&doc);
        let items = root.children("item");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].text().as_deref(), Some("two"));
        assert_eq!(items[1].path(), "/r:root/x:item[2]");
        assert_eq!(root.child("item").unwrap().path(), "/r:root/x:item");
        assert!(root.child("missing").is_none());
    }
}
