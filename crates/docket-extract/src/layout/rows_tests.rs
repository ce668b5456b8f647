//! Tests of reading table rows into document lines.

use super::*;
use crate::layout::table::find;
use crate::layout::testkit::{line, page};
use crate::pdf::text::TextLine;
use rust_decimal_macros::dec;

fn lines_of(rows: Vec<TextLine>) -> Vec<Line> {
    let view = View::new(&[page(1, rows)]);
    let tables = find(&view);
    assert_eq!(tables.len(), 1, "one table");
    read(&view, &tables[0], Currency::EUR)
}

fn header() -> TextLine {
    line(
        543.0,
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

#[test]
fn values_by_column_checked_by_arithmetic() {
    let lines = lines_of(vec![
        header(),
        line(
            525.0,
            &[
                ("1", 60.0),
                ("NW-10023", 84.0),
                ("Kopierpapier", 142.0),
                ("500", 264.0),
                ("Blatt", 280.0),
                ("40", 363.0),
                ("Pack", 380.0),
                ("4,85", 449.0),
                ("194,00", 509.0),
            ],
        ),
        line(
            516.0,
            &[
                ("Bestellung", 142.0),
                ("4500000110", 200.0),
                ("Pos.", 255.0),
                ("10", 275.0),
            ],
        ),
    ]);
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(l.id.as_ref().map(|f| f.value.as_str()), Some("1"));
    assert_eq!(
        l.seller_item_id.as_ref().map(|f| f.value.as_str()),
        Some("NW-10023")
    );
    assert_eq!(
        l.description.as_ref().map(|f| f.value.as_str()),
        Some("Kopierpapier 500 Blatt")
    );
    assert_eq!(l.quantity.as_ref().map(|f| f.value), Some(dec!(40)));
    assert_eq!(l.unit.as_ref().map(|f| f.value.as_str()), Some("Pack"));
    assert_eq!(
        l.unit_price.as_ref().map(|f| f.value.amount),
        Some(dec!(4.85))
    );
    let amount = l.amount.as_ref().expect("amount");
    assert_eq!(amount.value.amount, dec!(194.00));
    assert!(amount.confidence.value() >= 0.95);
    assert_eq!(
        l.purchase_order.as_ref().map(|f| f.value.as_str()),
        Some("4500000110")
    );
    assert_eq!(
        l.purchase_order_line.as_ref().map(|f| f.value.as_str()),
        Some("10")
    );
}

#[test]
fn misaligned_columns_fall_back_to_the_triple_that_adds_up() {
    // Quantity printed under the description header, price under "Menge".
    let lines = lines_of(vec![
        header(),
        line(
            525.0,
            &[
                ("1", 60.0),
                ("NW-1", 84.0),
                ("Ordner", 142.0),
                ("3", 330.0),
                ("2,50", 350.0),
                ("7,50", 509.0),
            ],
        ),
    ]);
    let l = &lines[0];
    assert_eq!(l.quantity.as_ref().map(|f| f.value), Some(dec!(3)));
    assert_eq!(
        l.unit_price.as_ref().map(|f| f.value.amount),
        Some(dec!(2.50))
    );
    assert_eq!(l.amount.as_ref().map(|f| f.value.amount), Some(dec!(7.50)));
}

#[test]
fn unchecked_values_keep_a_modest_confidence() {
    let lines = lines_of(vec![
        header(),
        line(
            525.0,
            &[
                ("1", 60.0),
                ("NW-1", 84.0),
                ("Ordner", 142.0),
                ("3", 363.0),
                ("2,50", 449.0),
                ("9,99", 509.0),
            ],
        ),
    ]);
    let amount = lines[0].amount.as_ref().expect("amount");
    assert_eq!(amount.value.amount, dec!(9.99));
    assert!(amount.confidence.value() < 0.8);
}

#[test]
fn a_quantity_printed_half_a_line_off_its_row_is_the_rows() {
    // Tall rows whose cells are centred at different heights: the quantity
    // stands half a line above the prices, a second one half a line below.
    let item = |y: f32, pos: &str, what: &str, asked: &str, agreed: &str, price: &str, amount| {
        vec![
            line(y + 12.0, &[(pos, 60.0), (what, 142.0)]),
            line(y + 5.0, &[("(R)", 340.0), (asked, 363.0)]),
            line(y, &[(price, 449.0), (amount, 509.0)]),
            line(y - 5.0, &[("(A)", 340.0), (agreed, 363.0)]),
        ]
    };
    let mut page_lines = vec![header()];
    page_lines.extend(item(
        500.0,
        "1",
        "Schrauben",
        "6,00",
        "6,00",
        "10,00",
        "60,00",
    ));
    page_lines.extend(item(
        450.0, "2", "Muttern", "10,00", "8,00", "2,50", "20,00",
    ));
    let lines = lines_of(page_lines);
    let read: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l.quantity.as_ref().map(|f| f.value),
                l.unit_price.as_ref().map(|f| f.value.amount),
                l.amount.as_ref().map(|f| f.value.amount),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (Some(dec!(6.00)), Some(dec!(10.00)), Some(dec!(60.00))),
            // The quantity that gives the amount: the agreed one.
            (Some(dec!(8.00)), Some(dec!(2.50)), Some(dec!(20.00))),
        ]
    );
}

#[test]
fn gross_columns_are_never_the_net_figures() {
    // Priced gross: 3 × 12,30 = 36,90 is the gross amount; the net amount
    // 30,00 has no net price beside it, so nothing confirms the figures.
    let lines = lines_of(vec![
        line(
            543.0,
            &[
                ("Lp.", 40.0),
                ("Nazwa", 60.0),
                ("Ilość", 190.0),
                ("Cena", 240.0),
                ("brutto", 265.0),
                ("Wartość", 320.0),
                ("netto", 360.0),
                ("Wartość", 420.0),
                ("brutto", 460.0),
            ],
        ),
        line(
            525.0,
            &[
                ("1", 40.0),
                ("Kawa", 60.0),
                ("3", 210.0),
                ("12,30", 270.0),
                ("30,00", 360.0),
                ("36,90", 460.0),
            ],
        ),
    ]);
    let l = &lines[0];
    assert_eq!(l.amount.as_ref().map(|f| f.value.amount), Some(dec!(30.00)));
    assert!(l.unit_price.is_none());
    assert!(l.amount.as_ref().is_some_and(|f| !f.confidence.is_sure()));
}
