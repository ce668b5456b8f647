//! Tests of table finding on synthetic pages.

use super::*;
use crate::layout::testkit::{line, page, text};
use crate::pdf::text::TextLine;

/// Header and row words at the columns of a German invoice.
fn header(y: f32) -> TextLine {
    line(
        y,
        &[
            ("Pos", 60.0),
            ("Art.-Nr.", 84.0),
            ("Bezeichnung", 142.0),
            ("Menge", 345.0),
            ("Einheit", 380.0),
            ("Einzelpreis", 421.0),
            ("Gesamt", 504.0),
        ],
    )
}

fn row(
    y: f32,
    pos: &str,
    item: &str,
    what: &str,
    qty: &str,
    price: &str,
    amount: &str,
) -> TextLine {
    let mut words = vec![(pos, 60.0), (item, 84.0)];
    let mut x = 142.0;
    for w in what.split_whitespace() {
        words.push((w, x));
        x += 5.0 * (w.chars().count() + 1) as f32;
    }
    words.extend([
        (qty, 363.0),
        ("Stk", 380.0),
        (price, 449.0),
        (amount, 509.0),
    ]);
    line(y, &words)
}

#[test]
fn header_columns_rows_wrapped_descriptions_and_the_totals_end() {
    let view = View::new(&[page(
        1,
        vec![
            header(543.0),
            row(
                525.0,
                "1",
                "NW-1",
                "Kopierpapier A4, 500 Blatt",
                "40",
                "4,85",
                "194,00",
            ),
            row(509.0, "2", "NW-2", "Ordner A4", "50", "2,95", "147,50"),
            text(500.0, 142.0, "blau, 80 mm"),
            text(470.0, 372.0, "Nettobetrag EUR 341,50"),
            text(458.0, 372.0, "MwSt 19 % EUR 64,89"),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1);
    let t = &tables[0];
    let cols: Vec<Col> = t.columns.iter().map(|c| c.col).collect();
    assert_eq!(
        cols,
        [
            Col::Position,
            Col::ItemId,
            Col::Description,
            Col::Quantity,
            Col::Unit,
            Col::UnitPrice,
            Col::Amount
        ]
    );
    assert_eq!(t.rows, vec![vec![1], vec![2, 3]]);
    assert!(
        !t.lines.contains(&4),
        "the totals are not part of the table"
    );
}

#[test]
fn table_continues_after_a_repeated_header_and_skips_carry_overs() {
    let view = View::new(&[
        page(
            1,
            vec![
                header(543.0),
                row(525.0, "1", "NW-1", "Kugelschreiber", "6", "18,90", "113,40"),
                text(187.0, 142.0, "Zwischensumme (Übertrag auf Seite 2) 113,40"),
            ],
        ),
        page(
            2,
            vec![
                header(743.0),
                text(725.0, 142.0, "Übertrag 113,40"),
                row(708.0, "2", "NW-2", "Ordner", "24", "2,95", "70,80"),
                text(617.0, 372.0, "Nettobetrag EUR 184,20"),
            ],
        ),
    ]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].rows, vec![vec![1], vec![5]]);
}

#[test]
fn a_header_that_ends_its_page_takes_the_rows_at_the_top_of_the_next() {
    let view = View::new(&[
        page(
            1,
            vec![
                text(300.0, 60.0, "Lieferadresse: Hauptstraße 1"),
                header(80.0),
                text(68.0, 84.0, "Art-Nr-Lief."),
            ],
        ),
        page(
            2,
            vec![
                row(775.0, "1", "NW-1", "Kugelschreiber", "6", "18,90", "113,40"),
                row(760.0, "2", "NW-2", "Ordner", "24", "2,95", "70,80"),
                text(700.0, 372.0, "Nettobetrag EUR 184,20"),
            ],
        ),
    ]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].rows, vec![vec![3], vec![4]]);
}

#[test]
fn rows_go_on_at_the_top_of_the_next_page_when_it_opens_with_an_item_or_the_item_above() {
    let first = page(
        1,
        vec![
            header(300.0),
            row(280.0, "1", "NW-1", "Kugelschreiber", "6", "18,90", "113,40"),
            text(265.0, 142.0, "Bruttopreis: 18,90"),
        ],
    );
    let view = View::new(&[
        first.clone(),
        page(
            2,
            vec![
                row(775.0, "2", "NW-2", "", "24", "2,95", "70,80"),
                text(760.0, 142.0, "Ordner"),
                text(700.0, 372.0, "Nettobetrag EUR 184,20"),
            ],
        ),
    ]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].rows, vec![vec![1, 2], vec![3, 4]]);
    // It may open with the last lines of the item above, indented as the
    // descriptions are.
    let view = View::new(&[
        first.clone(),
        page(
            2,
            vec![
                text(790.0, 142.0, "schwarz, mit Clip"),
                text(778.0, 142.0, "Bruttopreis: 19,90"),
                row(760.0, "2", "NW-2", "Ordner", "24", "2,95", "70,80"),
            ],
        ),
    ]);
    let tables = find(&view);
    assert_eq!(tables[0].rows, vec![vec![1, 2], vec![5]]);
    assert!(tables[0].lines.contains(&3) && tables[0].lines.contains(&4));
    // A next page that opens with anything else is not the table's.
    let view = View::new(&[
        first,
        page(
            2,
            vec![
                text(790.0, 60.0, "Rechnung RE-2026-10481 Seite 2"),
                row(760.0, "2", "NW-2", "Ordner", "24", "2,95", "70,80"),
            ],
        ),
    ]);
    let tables = find(&view);
    assert_eq!(tables[0].rows, vec![vec![1, 2]]);
    assert!(!tables[0].lines.contains(&3));
}

#[test]
fn a_heading_in_larger_type_ends_the_table() {
    // 14 pt type over 10 pt rows.
    let mut words = text(470.0, 60.0, "Umsatzsteueraufschlüsselung").words;
    for w in &mut words {
        w.bbox.y1 = w.bbox.y0 + 14.0;
    }
    let heading = TextLine::from_words(words).expect("words");
    let view = View::new(&[page(
        1,
        vec![
            header(543.0),
            row(525.0, "1", "NW-1", "Kugelschreiber", "6", "18,90", "113,40"),
            text(510.0, 142.0, "blau"),
            heading,
            line(
                450.0,
                &[
                    ("Steuerbefreit", 60.0),
                    ("nach", 142.0),
                    ("113,40", 449.0),
                    ("0,00", 509.0),
                ],
            ),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables[0].rows, vec![vec![1, 2]]);
    assert!(!tables[0].lines.contains(&3));
}

#[test]
fn payment_terms_or_bank_details_end_the_table() {
    let view = View::new(&[page(
        1,
        vec![
            header(543.0),
            row(525.0, "1", "NW-1", "Kugelschreiber", "6", "18,90", "113,40"),
            text(505.0, 150.0, "* Herkunftsland: DE"),
            text(485.0, 60.0, "Zahlungsbedingungen:"),
            // A second, smaller table (a VAT breakdown) under the terms.
            line(
                470.0,
                &[
                    ("Befreiung", 60.0),
                    ("2000,00", 380.0),
                    ("0", 470.0),
                    ("0,00", 515.0),
                ],
            ),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables[0].rows, vec![vec![1, 2]]);
    assert!(!tables[0].lines.contains(&3), "the terms are read as terms");
}

#[test]
fn a_subtotal_between_sections_does_not_end_the_table() {
    let view = View::new(&[page(
        1,
        vec![
            line(
                530.0,
                &[
                    ("Description", 60.0),
                    ("Quantity", 250.0),
                    ("Unit", 320.0),
                    ("Price", 345.0),
                    ("Amount", 450.0),
                ],
            ),
            line(
                510.0,
                &[
                    ("Beeswax", 60.0),
                    ("1.00", 250.0),
                    ("42.00", 345.0),
                    ("42.00", 450.0),
                ],
            ),
            line(
                490.0,
                &[("Subtotal", 300.0), ("$", 440.0), ("42.00", 450.0)],
            ),
            line(
                470.0,
                &[
                    ("Olive", 60.0),
                    ("Oil", 95.0),
                    ("2.00", 250.0),
                    ("5.00", 345.0),
                    ("10.00", 450.0),
                ],
            ),
            line(450.0, &[("Total", 300.0), ("$", 440.0), ("52.00", 450.0)]),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables[0].rows, vec![vec![1], vec![3]]);
}

#[test]
fn words_between_headers_belong_to_the_description_on_their_left() {
    let columns = [
        Column {
            col: Col::Description,
            x0: 142.0,
            x1: 197.0,
        },
        Column {
            col: Col::Quantity,
            x0: 345.0,
            x1: 372.0,
        },
        Column {
            col: Col::UnitPrice,
            x0: 421.0,
            x1: 468.0,
        },
    ];
    assert_eq!(column_at(&columns, 264.0, 279.0), 0);
    assert_eq!(column_at(&columns, 363.0, 373.0), 1);
    // Right-aligned numbers wider than their header still overlap it.
    assert_eq!(column_at(&columns, 440.0, 470.0), 2);
}

#[test]
fn prose_with_column_words_is_no_header() {
    let cells = [
        Column {
            col: Col::Other,
            x0: 0.0,
            x1: 1.0,
        },
        Column {
            col: Col::Quantity,
            x0: 2.0,
            x1: 3.0,
        },
        Column {
            col: Col::Other,
            x0: 4.0,
            x1: 5.0,
        },
    ];
    assert!(!is_header(&cells));
}

#[test]
fn line_allowances_and_charges_stay_with_their_item() {
    let view = View::new(&[page(
        1,
        vec![
            header(543.0),
            row(525.0, "1", "GZ250", "Gelierzucker", "50", "1,4500", "72,50"),
            line(
                516.0,
                &[
                    ("Artikelrabatt", 142.0),
                    ("1:", 210.0),
                    ("Basis:", 250.0),
                    ("75,00", 290.0),
                    ("Rabatt:", 380.0),
                    ("-0,03", 449.0),
                ],
            ),
            line(
                507.0,
                &[("Zuschlag", 142.0), ("Fracht", 200.0), ("2,50", 509.0)],
            ),
            row(490.0, "2", "NW-2", "Ordner", "24", "2,95", "70,80"),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables[0].rows, vec![vec![1, 2, 3], vec![4]]);
}

#[test]
fn a_header_stacked_over_three_lines_names_its_columns() {
    // "Price base Qty" and "Net Unit Price" share the word "Price"; only the
    // stacks tell the basis from the price.
    let view = View::new(&[page(
        1,
        vec![
            line(
                560.0,
                &[("Price", 300.0), ("Net", 370.0), ("Requested", 440.0)],
            ),
            line(
                551.0,
                &[
                    ("Pos", 40.0),
                    ("Description", 80.0),
                    ("Unit", 370.0),
                    ("Line", 520.0),
                ],
            ),
            line(
                542.0,
                &[
                    ("base", 295.0),
                    ("Qty", 320.0),
                    ("Price", 370.0),
                    ("Qty", 450.0),
                    ("Total", 520.0),
                ],
            ),
            line(
                520.0,
                &[
                    ("1", 40.0),
                    ("Bolts", 80.0),
                    ("2,00", 300.0),
                    ("20,00", 370.0),
                    ("10,00", 450.0),
                    ("100,00", 520.0),
                ],
            ),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1);
    let cols: Vec<Col> = tables[0].columns.iter().map(|c| c.col).collect();
    assert_eq!(
        cols,
        [
            Col::Position,
            Col::Description,
            Col::PriceBase,
            Col::UnitPrice,
            Col::Quantity,
            Col::Amount
        ]
    );
    assert_eq!(tables[0].rows, vec![vec![3]]);
}

#[test]
fn a_header_stacked_over_five_lines_is_read_whole() {
    // The first line naming two columns is the second of five; the last
    // ("(Art) USt.") must not be taken for a VAT total that ends the table
    // before its first item, whose description is only "4-".
    let view = View::new(&[page(
        1,
        vec![
            line(560.0, &[("Art-Nr-Kunde", 84.0), ("Positions-", 484.0)]),
            line(550.0, &[("Art-Nr-Lief.", 84.0), ("betrag", 508.0)]),
            line(
                544.0,
                &[
                    ("Pos", 60.0),
                    ("Beschreibung", 150.0),
                    ("Nettopreis", 244.0),
                    ("Menge", 358.0),
                    ("USt.", 440.0),
                ],
            ),
            line(538.0, &[("Art-Nr", 84.0), ("ohne", 520.0)]),
            line(527.0, &[("(Art)", 84.0), ("USt.", 520.0)]),
            line(
                514.0,
                &[
                    ("0", 60.0),
                    ("4-", 160.0),
                    ("8,4100", 250.0),
                    ("1", 358.0),
                    ("Stk", 370.0),
                    ("7", 442.0),
                    ("%", 454.0),
                    ("8,41", 520.0),
                ],
            ),
            text(502.0, 160.0, "Fahrten-Karte"),
        ],
    )]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1);
    assert!(tables[0].columns.iter().any(|c| c.col == Col::Amount));
    assert_eq!(tables[0].rows, vec![vec![5, 6]]);
}
