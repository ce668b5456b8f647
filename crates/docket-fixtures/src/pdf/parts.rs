//! Pieces the layouts share: words per language, tables, footers, metadata.

use chrono::NaiveTime;
use rust_decimal::Decimal;

use super::Meta;
use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use crate::fmt;
use crate::model::{View, ViewLine};
use crate::scenarios::{Lang, Layout};

/// The document's title word: `Rechnung`, `Creditnota`, `Invoice`, `Facture`, ...
pub fn doc_word(v: &View) -> &'static str {
    match (v.seller.lang, v.is_credit()) {
        (Lang::De, false) => "Rechnung",
        (Lang::De, true) => "Gutschrift",
        (Lang::Nl, false) => "Factuur",
        (Lang::Nl, true) => "Creditnota",
        (Lang::En, false) => "Invoice",
        (Lang::En, true) => "Credit Note",
        (Lang::Fr, false) => "Facture",
        (Lang::Fr, true) => "Avoir",
    }
}

/// An amount as this document prints it (negative on a credit note).
pub fn money(v: &View, amount: Decimal) -> String {
    fmt::amount(amount * v.sign(), v.seller.lang)
}

/// A quantity as this document prints it (negative on a credit note).
pub fn quantity(v: &View, q: Decimal) -> String {
    fmt::qty(q * v.sign(), v.seller.lang)
}

/// The unit price (never negative).
pub fn price(v: &View, l: &ViewLine) -> String {
    fmt::amount(l.price, v.seller.lang)
}

/// A date in the document's language.
pub fn date(v: &View, d: chrono::NaiveDate) -> String {
    fmt::date(d, v.seller.lang)
}

/// The gross total exactly as the document prints it.
pub fn printed_gross(v: &View) -> String {
    money(v, v.gross)
}

/// A country's name for an address written in `lang`.
pub fn country_name(code: &str, lang: Lang) -> &'static str {
    match (code, lang) {
        ("DE", Lang::De) => "Deutschland",
        ("DE", Lang::Nl) => "Duitsland",
        ("DE", Lang::En) => "Germany",
        ("DE", Lang::Fr) => "ALLEMAGNE",
        ("NL", _) => "Nederland",
        ("IE", _) => "Ireland",
        ("FR", _) => "France",
        _ => "",
    }
}

/// The buyer's address block, with an attention line and, abroad, the country.
pub fn buyer_lines(v: &View, attention: &str) -> Vec<String> {
    let b = v.buyer;
    let mut lines = vec![b.name.to_string()];
    if !attention.is_empty() {
        lines.push(attention.to_string());
    }
    lines.push(b.street.to_string());
    lines.push(format!("{} {}", b.postcode, b.city));
    if v.seller.country != b.country {
        lines.push(country_name(b.country, v.seller.lang).to_string());
    }
    lines
}

/// A table column: heading, anchor x and alignment.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Heading.
    pub title: &'static str,
    /// Left edge, right edge or centre, per `align`.
    pub x: f64,
    /// Alignment of heading and cells.
    pub align: Align,
}

/// Shorthand for a column.
pub const fn col(title: &'static str, x: f64, align: Align) -> Col {
    Col { title, x, align }
}

/// Draws the headings of `cols` on baseline `y`.
pub fn header(c: &mut Canvas, cols: &[Col], y: f64, size: f64) {
    for col in cols {
        c.text_at(Font::Bold, size, col.x, y, col.align, col.title);
    }
}

/// Draws one row of cells on baseline `y` (empty cells are skipped).
pub fn row(c: &mut Canvas, cols: &[Col], y: f64, font: Font, size: f64, cells: &[String]) {
    for (col, cell) in cols.iter().zip(cells) {
        c.text_at(font, size, col.x, y, col.align, cell);
    }
}

/// Footer columns of small print from `top` down; each column wraps at its width.
pub fn footer(c: &mut Canvas, top: f64, size: f64, columns: &[(f64, f64, Vec<String>)]) {
    let leading = size * 1.3;
    for (x, width, lines) in columns {
        let mut y = top;
        for line in lines {
            for part in wrap(line, Font::Regular, size, *width) {
                c.text(Font::Regular, size, *x, y, &part);
                y -= leading;
            }
        }
    }
}

/// Draws wrapped paragraph text; returns the baseline below it.
pub fn paragraph(
    c: &mut Canvas,
    font: Font,
    size: f64,
    x: f64,
    y: f64,
    width: f64,
    text: &str,
) -> f64 {
    let lines = wrap(text, font, size, width);
    c.lines(font, size, x, y, size * 1.35, &lines)
}

/// The description and, for multi-PO invoices, its PO reference line.
pub fn po_note(v: &View, l: &ViewLine) -> Option<String> {
    let (po, line) = l.po?;
    (v.purchase_orders.len() > 1).then(|| match v.seller.lang {
        Lang::De => format!("Bestellung {po} Pos. {line}"),
        Lang::Nl => format!("Order {po} regel {line}"),
        Lang::En => format!("PO {po} line {line}"),
        Lang::Fr => format!("Commande {po} ligne {line}"),
    })
}

/// The PO numbers as the header lists them.
pub fn po_list(v: &View) -> String {
    match v.inv.order_text {
        Some(text) => text.to_string(),
        None => v.purchase_orders.join(", "),
    }
}

/// `Seite 1 von 2` and its translations.
pub fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    match lang {
        Lang::De => format!("Seite {page} von {pages}"),
        Lang::Nl => format!("Pagina {page} van {pages}"),
        Lang::En => format!("Page {page} of {pages}"),
        Lang::Fr => format!("Page {page} / {pages}"),
    }
}

/// A colour from 0..=255 components.
pub const fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    Rgb(r as f64 / 255.0, g as f64 / 255.0, b as f64 / 255.0)
}

/// The `/Info` of a supplier's PDF: its software, and the time it was printed.
pub fn meta(v: &View) -> Meta {
    let (version, creator, producer, minutes) = match v.seller.layout {
        Layout::A => (
            "1.4",
            "Nordwind Faktura 7.3",
            "Nordwind Faktura PDF-Export",
            9 * 60 + 14,
        ),
        Layout::B => ("1.5", "Exact Online", "Exact Online Reporting", 14 * 60 + 2),
        Layout::C => (
            "1.6",
            "Brightline ERP - Sales Ledger",
            "Brightline Document Services",
            11 * 60 + 47,
        ),
        Layout::D => (
            "1.5",
            "proALPHA Faktura",
            "proALPHA Output Management",
            8 * 60 + 31,
        ),
        Layout::E => ("1.4", "Writer", "LibreOffice 24.8", 17 * 60 + 5),
        Layout::F => (
            "1.7",
            "Atelier Dubois Facturation",
            "Factur-X generator",
            10 * 60 + 20,
        ),
    };
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or(NaiveTime::MIN);
    Meta {
        version,
        title: format!("{} {}", doc_word(v), v.inv.number),
        author: v.seller.name.to_string(),
        subject: format!("{} {} an {}", doc_word(v), v.inv.number, v.buyer.name),
        creator,
        producer,
        created: v.inv.date.and_time(time),
        offset: if v.seller.country == "IE" {
            "+00'00'"
        } else {
            "+01'00'"
        },
        id_seed: format!("{}|{}|{}", v.seller.vat_id, v.inv.number, v.case.file),
    }
}
