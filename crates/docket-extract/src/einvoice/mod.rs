//! E-invoice XML readers: the exact path of extraction.
//!
//! [`read_xml`] recognises the document by its root element and namespace and
//! hands it to the reader of its syntax:
//!
//! | root | syntax |
//! |---|---|
//! | `CrossIndustryInvoice` | CII D16B+ (ZUGFeRD 2.x, Factur-X, XRechnung CII) |
//! | `CrossIndustryDocument` | ZUGFeRD 1.0 (and its release candidate's `Invoice` in `CBFBUY:5`) |
//! | `SCRDMCCBDACIOMessageStructure` | Order-X (order, change, response) |
//! | `Invoice`, `CreditNote` (UBL 2 namespaces) | UBL 2.1 |
//!
//! Input is untrusted: size and node limits, no entity declarations, no panics
//! (see the `xml` submodule). Values the XML does not give stay empty.

mod cii;
mod cii_lines;
mod fields;
mod ubl;
mod values;
pub(crate) mod xml;

use docket_domain::{BusinessDocument, SourceSyntax};

use crate::ExtractError;
use xml::El;
pub use xml::MAX_XML_BYTES;

/// Reads an e-invoice or e-order XML document into the domain model.
///
/// Fails with [`ExtractError::UnsupportedXml`] (naming the root) for XML of
/// another kind, [`ExtractError::Xml`] for input that is not well-formed or not
/// safe to read, and [`ExtractError::TooLarge`] past [`MAX_XML_BYTES`].
pub fn read_xml(bytes: &[u8]) -> Result<BusinessDocument, ExtractError> {
    let text = xml::decode(bytes)?;
    if text.is_empty() {
        return Err(ExtractError::Xml("the file is empty".into()));
    }
    let doc = xml::parse(&text)?;
    let root = El::root(&doc);
    match detect(&root)? {
        syntax @ (SourceSyntax::UblInvoice | SourceSyntax::UblCreditNote) => {
            ubl::read(&root, syntax)
        }
        syntax => cii::read(&root, syntax),
    }
}

/// Tells which syntax an XML document is in without reading it, from its root.
///
/// Returns `None` for XML that is not well-formed or of a kind Docket does not read.
pub fn detect_syntax(bytes: &[u8]) -> Option<SourceSyntax> {
    let text = xml::decode(bytes).ok()?;
    let doc = xml::parse(&text).ok()?;
    detect(&El::root(&doc)).ok()
}

fn detect(root: &El<'_, '_>) -> Result<SourceSyntax, ExtractError> {
    let ns = root.namespace().unwrap_or_default();
    let syntax = match root.local() {
        "CrossIndustryInvoice" if ns.contains("CrossIndustryInvoice") => SourceSyntax::Cii,
        "CrossIndustryDocument" if ns.contains("CrossIndustryDocument") => SourceSyntax::Zugferd1,
        // The ZUGFeRD 1.0 release candidate (2013/14), still found in archives:
        // the same building blocks as 1.0 under another root.
        "Invoice" if ns == "urn:un:unece:uncefact:data:standard:CBFBUY:5" => SourceSyntax::Zugferd1,
        "SCRDMCCBDACIOMessageStructure" if ns.contains("SCRDMCCBDACIOMessageStructure") => {
            SourceSyntax::OrderX
        }
        "Invoice" if ns.starts_with("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2") => {
            SourceSyntax::UblInvoice
        }
        "CreditNote"
            if ns.starts_with("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2") =>
        {
            SourceSyntax::UblCreditNote
        }
        other if ns.is_empty() => {
            return Err(ExtractError::UnsupportedXml(format!(
                "root element {other}"
            )));
        }
        other => {
            return Err(ExtractError::UnsupportedXml(format!(
                "root element {other} in namespace {ns}"
            )));
        }
    };
    Ok(syntax)
}

#[cfg(test)]
mod tests;
