//! Tests of plain text set on pages and read by the layout extractor.

use super::*;
use rust_decimal_macros::dec;

const MAX_PAGES: usize = 50;

/// An invoice as a supplier's system writes it into a mail body.
const INVOICE_MAIL: &str = "\
Guten Tag,

anbei unsere Rechnung.

Nordwind Bürobedarf GmbH, Am Sandtorkai 41, 20457 Hamburg

Rechnungsnummer:   RE-2026-10481
Rechnungsdatum:    02.11.2026
Ihre Bestellung:   4500000101

Pos  Bezeichnung          Menge   Einzelpreis     Gesamt
1    Kopierpapier A4         40          4,85     194,00
2    Ordner breit            50          2,95     147,50

                               Nettobetrag EUR    341,50
                               MwSt 19 %   EUR     64,89
                               Rechnungsbetrag EUR 406,39

Nordwind Bürobedarf GmbH  USt-IdNr. DE273819459
IBAN DE12 2005 0550 1283 7465 10

Mit freundlichen Grüßen
";

#[test]
fn an_invoice_in_a_mail_body_is_read_by_the_layout() {
    let e = read(INVOICE_MAIL.as_bytes(), MAX_PAGES);
    let doc = &e.document;
    assert_eq!(doc.kind(), DocumentKind::Invoice);
    assert_eq!(doc.header.syntax, SourceSyntax::MailBody);
    assert_eq!(e.method, "plain text, 22 lines");
    assert_eq!(e.text.as_deref(), Some(INVOICE_MAIL));
    assert_eq!(doc.number(), Some("RE-2026-10481"));
    assert_eq!(
        doc.header.issue_date.as_ref().map(|f| f.value.to_string()),
        Some("2026-11-02".to_string())
    );
    let gross = doc.totals.gross.as_ref().expect("gross");
    assert_eq!(gross.value.amount, dec!(406.39));
    assert!(gross.confidence.is_sure(), "{gross:?}");
    assert_eq!(doc.lines.len(), 2);
    assert_eq!(
        doc.lines[0].amount.as_ref().map(|f| f.value.amount),
        Some(dec!(194.00))
    );
    assert_eq!(
        doc.seller.vat_id.as_ref().map(|f| f.value.as_str()),
        Some("DE273819459")
    );
    assert_eq!(doc.references.purchase_orders.len(), 1);
    // Read, so no note is needed: the text itself travels with the extraction.
    assert!(doc.header.notes.is_empty());
}

#[test]
fn a_mail_body_that_is_no_invoice_stays_other_for_a_person() {
    for body in [
        "Hallo,\n\nbitte liefern Sie 10 Kartons bis Freitag.\n\nGruß",
        // A title word in a sentence does not make an invoice.
        "Hi, could you send us the invoice for March again? Thanks.",
        // Nor do figures without a word for what they are.
        "Pos  Bezeichnung     Menge  Einzelpreis  Gesamt\n\
         1    Kopierpapier A4    40         4,85  194,00\n",
        "",
    ] {
        let e = read(body.as_bytes(), MAX_PAGES);
        let doc = &e.document;
        assert_eq!(doc.kind(), DocumentKind::Other, "{body}");
        assert_eq!(doc.header.syntax, SourceSyntax::MailBody);
        assert!(doc.number().is_none() && doc.gross().is_none());
        assert_eq!(e.text.as_deref(), Some(body));
        if !body.is_empty() {
            assert_eq!(doc.header.notes, [body.to_string()]);
            assert_eq!(doc.header.kind.evidence.source_text.as_deref(), Some(body));
        }
    }
    let e = read(b"Bitte liefern Sie 10 Kartons.", MAX_PAGES);
    assert_eq!(e.method, "plain text, 1 line");
}

#[test]
fn an_order_written_in_a_mail_body_is_read_as_an_order() {
    let body = "Bestellung 4711\n\nPos  Bezeichnung     Menge  Einzelpreis  Gesamt\n\
                1    Kopierpapier A4    40         4,85  194,00\n";
    let doc = read(body.as_bytes(), MAX_PAGES).document;
    assert_eq!(doc.kind(), DocumentKind::Order);
    assert_eq!(doc.number(), Some("4711"));
    assert_eq!(doc.lines.len(), 1);
}

#[test]
fn a_form_feed_starts_a_new_page() {
    let text = "Rechnung Nr. 2026-7\nRechnungsdatum: 02.11.2026\n\u{c}Seite 2\n\
                Nettobetrag  100,00\nMwSt 19 %     19,00\nGesamtbetrag 119,00\n";
    let set = pages(text, MAX_PAGES);
    assert_eq!(set.len(), 2);
    assert_eq!((set[0].number, set[1].number), (1, 2));
    assert_eq!(set[0].lines.len(), 2);
    assert_eq!(set[1].lines[0].text, "Seite 2");
    // Each page starts at the top.
    assert_eq!(set[0].lines[0].bbox.y0, set[1].lines[0].bbox.y0);

    let e = read(text.as_bytes(), MAX_PAGES);
    let doc = &e.document;
    assert_eq!(doc.number(), Some("2026-7"));
    let gross = doc.totals.gross.as_ref().expect("gross");
    assert_eq!(gross.value.amount, dec!(119.00));
    assert_eq!(gross.evidence.page, Some(2));
    // Only the first page is laid out when only one may be.
    assert_eq!(pages(text, 1).len(), 1);
}

#[test]
fn a_full_page_starts_a_new_one_and_empty_pages_are_left_out() {
    let text = format!("a\n\nb\u{c}c\n{}", "x\n".repeat(LINES_PER_PAGE + 1));
    let set = pages(&text, MAX_PAGES);
    assert_eq!(set.len(), 3);
    assert_eq!(set[0].lines.len(), 2);
    assert_eq!(set[2].number, 3);
    assert_eq!(set[2].lines.len(), 2);
    assert!(pages("  \n\n", MAX_PAGES).is_empty());
    let set = pages("\u{c}\u{c}Seite 3", MAX_PAGES);
    assert_eq!((set.len(), set[0].number), (1, 3));
}

#[test]
fn words_stand_in_their_columns() {
    let set = pages("a\tbc   d\n\n  x", MAX_PAGES);
    let lines = &set[0].lines;
    let x0 = |line: usize, word: usize| lines[line].words[word].bbox.x0;
    assert_eq!(x0(0, 0), LEFT);
    // A tab stops at column 8; blanks count one column each.
    assert_eq!(x0(0, 1), LEFT + 8.0 * CHAR_WIDTH);
    assert_eq!(x0(0, 2), LEFT + 13.0 * CHAR_WIDTH);
    assert_eq!(lines[0].words[1].bbox.x1, LEFT + 10.0 * CHAR_WIDTH);
    // The empty line keeps its height: "x" stands two lines lower.
    assert_eq!(
        lines[1].words[0].bbox.y0,
        lines[0].bbox.y0 - 2.0 * LINE_HEIGHT
    );
    assert_eq!(x0(1, 0), LEFT + 2.0 * CHAR_WIDTH);
    // A line wider than a sheet widens its page.
    let wide = pages(&"x ".repeat(100), MAX_PAGES);
    assert_eq!(wide[0].width, 2.0 * LEFT + 199.0 * CHAR_WIDTH);
}

#[test]
fn a_line_wider_than_any_invoice_wraps() {
    let long = "abcd ".repeat(100);
    let set = pages(&format!("{long}\nnext"), MAX_PAGES);
    let lines = &set[0].lines;
    // 48 words of 5 columns fit in 240 columns; the rest wrap.
    assert_eq!(lines[0].words.len(), 48);
    assert_eq!(lines[1].words[0].bbox.x0, LEFT);
    assert_eq!(lines[2].words.len(), 4);
    assert_eq!(lines[3].text, "next");
    assert_eq!(
        lines[3].bbox.y0,
        lines[0].bbox.y0 - 3.0 * LINE_HEIGHT,
        "wrapped rows take rows of their own"
    );
    // A form feed in a wrapped line starts one page, not one per row.
    let set = pages(&format!("a\u{c}{long}"), MAX_PAGES);
    assert_eq!(set.len(), 2);
    assert_eq!(set[1].lines.len(), 3);
}
