//! E-invoice XML: UN/CEFACT CII (for Factur-X) and OASIS UBL 2.1 (Peppol BIS 3).
//!
//! Written as text by a small indenting writer, element by element in the order
//! the schemas require, from the same [`crate::model::View`] the PDFs print.

pub mod cii;
pub mod ubl;
pub mod xmp;

use rust_decimal::Decimal;

/// Escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

/// An amount with exactly two decimals, `.` as separator.
pub fn amount(d: Decimal) -> String {
    format!("{:.2}", crate::model::cents(d))
}

/// A quantity or rate without trailing zeros.
pub fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// An indenting XML writer.
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
    open: Vec<&'static str>,
}

impl Xml {
    /// Starts a document with the XML declaration.
    pub fn new() -> Self {
        Xml {
            out: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_string(),
            open: Vec::new(),
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
    }

    /// Opens an element; close it with [`Xml::close`].
    pub fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) -> &mut Self {
        self.start(name, attrs);
        self.out.push_str(">\n");
        self.open.push(name);
        self
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.open.pop() {
            self.indent();
            self.out.push_str(&format!("</{name}>\n"));
        }
        self
    }

    /// A leaf element with text.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.leaf_with(name, &[], text)
    }

    /// A leaf element with attributes and text.
    pub fn leaf_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.start(name, attrs);
        self.out.push_str(&format!(">{}</{name}>\n", escape(text)));
        self
    }

    /// The document (all elements closed).
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn writes_nested_escaped_xml() {
        let mut x = Xml::new();
        x.open("a", &[("k", "1&2")]).leaf("b", "<x>").close();
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a k=\"1&amp;2\">\n  <b>&lt;x&gt;</b>\n</a>\n"
        );
        assert_eq!(amount(dec!(5)), "5.00");
        assert_eq!(plain(dec!(19.00)), "19");
    }
}
