//! pdftotext's `-bbox-layout` XHTML turned into our page model.
//!
//! The output is `<doc><page width height><flow><block><line><word xMin yMin
//! xMax yMax>text</word>...`. Only pages and words are used: poppler's blocks
//! and lines follow its own reading order, and ours comes from regrouping the
//! words ([`super::super::group`]). Poppler measures y downwards from the top
//! of the page; ours grows upwards from the bottom, so a word's box is flipped
//! against the page height.

use docket_domain::BoundingBox;
use roxmltree::Node;

use super::super::{PageText, Word, collect, group};
use crate::einvoice::xml;

/// Page size assumed when poppler's is missing or absurd (US Letter).
const DEFAULT_PAGE: (f32, f32) = (612.0, 792.0);

/// The pages in `xhtml`, numbered from `first`.
pub(in crate::pdf::text) fn pages(xhtml: &str, first: u32) -> Result<Vec<PageText>, String> {
    let clean = xml_safe(xhtml);
    // The same safe, bounded parser as for e-invoices.
    let doc = xml::parse(&clean).map_err(|e| format!("output is not well-formed: {e}"))?;
    Ok(doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML, "page")) || n.has_tag_name("page"))
        .zip(first..)
        .map(|(page, number)| page_text(page, number))
        .collect())
}

const XHTML: &str = "http://www.w3.org/1999/xhtml";

fn page_text(page: Node<'_, '_>, number: u32) -> PageText {
    let size = |name| number_attr(page, name).filter(|v| (10.0..=20_000.0).contains(v));
    let (width, height) = match (size("width"), size("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => DEFAULT_PAGE,
    };
    let words = page
        .descendants()
        .filter(|n| n.tag_name().name() == "word")
        .filter_map(|w| word(w, height))
        .collect();
    group::build_page_from_words(number, width, height, words)
}

/// A word with its box turned to y-up; `None` without text or a usable box.
fn word(node: Node<'_, '_>, page_height: f32) -> Option<Word> {
    // The same cleaning as pdf-extract's glyphs get (ligatures, invisible characters).
    let text = collect::clean(node.text()?.trim());
    if text.is_empty() {
        return None;
    }
    let [x0, top, x1, bottom] = ["xMin", "yMin", "xMax", "yMax"].map(|a| number_attr(node, a));
    let (x0, top, x1, bottom) = (x0?, top?, x1?, bottom?);
    if x1 < x0 || bottom <= top {
        return None;
    }
    Some(Word::new(
        text,
        BoundingBox {
            x0,
            y0: page_height - bottom,
            x1,
            y1: page_height - top,
        },
    ))
}

fn number_attr(node: Node<'_, '_>, name: &str) -> Option<f32> {
    node.attribute(name)?
        .trim()
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite())
}

/// The text with characters XML 1.0 forbids replaced by blanks: pdftotext
/// copies control characters from hostile files into its output unescaped,
/// and one would otherwise make the whole page unreadable.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html xmlns="http://www.w3.org/1999/xhtml">
<head><title></title></head>
<body>
<doc>
  <page width="600.000000" height="800.000000">
    <flow>
      <block xMin="300" yMin="690" xMax="400" yMax="702">
        <line xMin="300" yMin="690" xMax="400" yMax="702">
          <word xMin="300.000000" yMin="690.000000" xMax="330.000000" yMax="700.000000">Total</word>
          <word xMin="340.000000" yMin="690.000000" xMax="400.000000" yMax="700.000000">12,00&amp;</word>
        </line>
      </block>
    </flow>
    <flow>
      <block xMin="50" yMin="90" xMax="120" yMax="100">
        <line xMin="50" yMin="90" xMax="120" yMax="100">
          <word xMin="50.000000" yMin="90.000000" xMax="90.000000" yMax="100.000000">Invoice</word>
          <word xMin="95.000000" yMin="90.000000" xMax="120.000000" yMax="100.000000">ﬁne#CTRL</word>
        </line>
      </block>
      <block xMin="450" yMin="690" xMax="500" yMax="700">
        <line xMin="450" yMin="690" xMax="500" yMax="700">
          <word xMin="450.000000" yMin="690.000000" xMax="480.000000" yMax="700.000000">EUR</word>
        </line>
      </block>
    </flow>
  </page>
  <page width="nan" height="800">
  </page>
</doc>
</body>
</html>"#;

    #[test]
    fn words_are_flipped_to_y_up_and_regrouped_into_our_lines() {
        let output = OUTPUT.replace("#CTRL", "\u{1}");
        let pages = pages(&output, 3).expect("well-formed");
        assert_eq!(pages.len(), 2);
        let page = &pages[0];
        assert_eq!((page.number, page.width, page.height), (3, 600.0, 800.0));
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        // Top of the page first; words of two poppler blocks on one baseline
        // make one line, left to right; the ligature is spelled out and the
        // control character (not allowed in XML) does not spoil the page.
        assert_eq!(texts, ["Invoice fine", "Total 12,00& EUR"]);
        let invoice = &page.lines[0].words[0];
        assert_eq!(
            invoice.bbox,
            BoundingBox {
                x0: 50.0,
                y0: 700.0,
                x1: 90.0,
                y1: 710.0
            }
        );
        assert_eq!(page.lines[1].words.len(), 3);
        assert_eq!(page.lines[1].bbox.y0, 100.0);
        // A page without a usable size is assumed to be a Letter sheet.
        assert_eq!((pages[1].number, pages[1].width), (4, 612.0));
        assert!(pages[1].lines.is_empty());
    }

    #[test]
    fn output_cut_off_is_an_error() {
        assert!(pages(&OUTPUT[..OUTPUT.len() / 2], 1).is_err());
    }
}
