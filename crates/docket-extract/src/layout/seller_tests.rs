//! Tests of the seller's name on synthetic pages.

use super::*;
use crate::layout::testkit::{line, page, text};
use crate::pdf::text::TextLine;

fn view(lines: Vec<TextLine>) -> View {
    View::new(&[page(1, lines)])
}

fn stated_name(lines: Vec<TextLine>) -> (String, f32) {
    let f = stated(&view(lines)).expect("a name");
    (f.value, f.confidence.value())
}

/// A seller block as e-invoice viewers print it: keyed rows, then the name.
fn block() -> Vec<TextLine> {
    vec![
        text(560.0, 50.0, "Verkäufer:"),
        line(548.0, &[("Nummer", 50.0), (":", 132.0), ("549910", 143.0)]),
        text(536.0, 50.0, "Globale Nummer: 4000001123452 (GTIN)"),
        text(524.0, 50.0, "Lieferant GmbH & Co. KG"),
        text(512.0, 50.0, "Lieferantenstraße 20"),
        text(500.0, 50.0, "DE 80333 München"),
        text(476.0, 50.0, "Käufer:"),
        text(464.0, 50.0, "Kunden AG Mitte"),
    ]
}

#[test]
fn the_first_unkeyed_line_under_the_heading_is_the_name_and_only_a_second_place_confirms_it() {
    let (name, confidence) = stated_name(block());
    assert_eq!(name, "Lieferant GmbH & Co. KG");
    assert!(confidence < 0.7, "only its position says so: {confidence}");

    let mut lines = block();
    lines.push(text(300.0, 50.0, "Lieferant GmbH & Co. KG"));
    lines.push(text(288.0, 50.0, "Geschäftsführer: Hans Muster"));
    let (name, confidence) = stated_name(lines);
    assert_eq!(name, "Lieferant GmbH & Co. KG");
    assert!(confidence >= 0.85);
}

#[test]
fn a_name_centred_on_its_key_keeps_the_line_that_wraps_above_it() {
    let (name, _) = stated_name(vec![
        text(680.0, 70.0, "Verkäufer"),
        line(663.0, &[("Nummer:", 70.0), ("549910", 261.0)]),
        text(645.0, 261.0, "MVM Musterhafter"),
        line(
            633.0,
            &[
                ("Name:", 70.0),
                ("Versicherungsverein", 261.0),
                ("Musterstadt", 361.0),
                ("a.G.", 421.0),
            ],
        ),
        line(
            603.0,
            &[("Anschrift:", 70.0), ("Musterstr.", 261.0), ("12", 320.0)],
        ),
    ]);
    assert_eq!(
        name,
        "MVM Musterhafter Versicherungsverein Musterstadt a.G."
    );
}

#[test]
fn a_name_on_the_headings_own_line_and_a_wrapped_company_name() {
    let (name, _) = stated_name(vec![text(700.0, 300.0, "SELLER: SELLER_NAME")]);
    assert_eq!(name, "SELLER_NAME");
    let (name, _) = stated_name(vec![
        text(560.0, 50.0, "Verkäufer:"),
        text(548.0, 50.0, "MVM Musterhafter"),
        text(537.0, 50.0, "Versicherungsverein Musterstadt a.G."),
        text(514.0, 50.0, "Musterstr. 12"),
    ]);
    assert_eq!(
        name,
        "MVM Musterhafter Versicherungsverein Musterstadt a.G."
    );
}

#[test]
fn another_company_in_the_footer_keeps_the_name_under_review() {
    let mut lines = block();
    lines.push(text(300.0, 50.0, "Lieferant GmbH & Co. KG"));
    lines.push(text(
        60.0,
        50.0,
        "Musterlieferant GmbH Geschäftsführung: Max Mustermann",
    ));
    let (_, confidence) = stated_name(lines);
    assert!(confidence < 0.7);
}

#[test]
fn service_hours_are_no_company_name() {
    let v = view(vec![
        text(80.0, 50.0, "Mo-Fr 8.00-20.00 Uhr, Sa"),
        text(60.0, 50.0, "Nordwind Bürobedarf GmbH"),
    ]);
    let f = by_position(&v, &[]).expect("the footer's company");
    assert_eq!(f.value, "Nordwind Bürobedarf GmbH");
    assert!(!f.confidence.is_sure());
}
