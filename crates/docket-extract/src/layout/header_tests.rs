//! Tests of header reading on synthetic pages.

use super::*;
use crate::layout::testkit::{page, text};
use chrono::NaiveDate;
use rust_decimal_macros::dec;

fn read_page(lines: Vec<crate::pdf::text::TextLine>) -> HeaderFinds {
    let view = View::new(&[page(1, lines)]);
    read(&view, &|_| false)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn labelled_number_date_and_several_orders() {
    let h = read_page(vec![
        text(700.0, 350.0, "Rechnungsnummer: RE-2026-10617"),
        text(688.0, 350.0, "Rechnungsdatum: 09.11.2026"),
        text(676.0, 350.0, "Ihre Bestellungen: 4500000110, 4500000111"),
        text(664.0, 350.0, "Kundennummer: 24017"),
    ]);
    assert_eq!(h.number.map(|f| f.value), Some("RE-2026-10617".to_string()));
    let issue = h.issue_date.expect("date");
    assert_eq!(issue.value, date(2026, 11, 9));
    assert!(issue.confidence >= 0.85);
    let pos: Vec<String> = h.purchase_orders.into_iter().map(|f| f.value).collect();
    assert_eq!(pos, ["4500000110", "4500000111"]);
    assert_eq!(
        h.customer_number.map(|f| f.value),
        Some("24017".to_string())
    );
}

#[test]
fn title_with_code_number_and_date() {
    let h = read_page(vec![text(
        700.0,
        50.0,
        "Handelsrechnung ( 380 ) Nr. 471102 vom 05.03.2018",
    )]);
    assert_eq!(h.number.map(|f| f.value), Some("471102".to_string()));
    assert_eq!(h.issue_date.map(|f| f.value), Some(date(2018, 3, 5)));
    assert_eq!(h.kind.map(|f| f.value), Some(DocumentKind::Invoice));
}

#[test]
fn a_version_after_a_title_is_no_number() {
    let h = read_page(vec![text(700.0, 50.0, "Rechnungsstandard: XRechnung 1.2")]);
    assert!(h.number.is_none());
}

#[test]
fn credit_note_keeps_its_own_date_and_names_the_invoice_it_corrects() {
    let h = read_page(vec![
        text(700.0, 50.0, "Creditnota"),
        text(680.0, 50.0, "Creditnotanummer VL-2026-0419"),
        text(668.0, 50.0, "Datum 04-11-2026"),
        text(
            640.0,
            50.0,
            "Betreft factuur VL-2026-0377 van 15-10-2026: 5 dozen retour.",
        ),
    ]);
    assert_eq!(h.kind.map(|f| f.value), Some(DocumentKind::CreditNote));
    assert_eq!(h.number.map(|f| f.value), Some("VL-2026-0419".to_string()));
    assert_eq!(h.issue_date.map(|f| f.value), Some(date(2026, 11, 4)));
    let preceding: Vec<String> = h.preceding_invoices.into_iter().map(|f| f.value).collect();
    assert_eq!(preceding, ["VL-2026-0377"]);
}

#[test]
fn payment_terms_clause_by_clause() {
    let h = read_page(vec![
        text(
            400.0,
            50.0,
            "Zahlungsbedingungen: innerhalb von 14 Tagen (bis 16.11.2026) mit 2 % Skonto, innerhalb von 30 Tagen (bis 02.12.2026) ohne",
        ),
        text(
            389.0,
            50.0,
            "Abzug. Bitte geben Sie bei Zahlung die Rechnungsnummer an.",
        ),
    ]);
    assert_eq!(h.net_days, Some(30));
    assert_eq!(h.discount, Some((dec!(2), 14)));
    assert_eq!(h.due_date.map(|f| f.value), Some(date(2026, 12, 2)));
    assert!(h.terms.expect("terms").value.ends_with("ohne Abzug."));
}

#[test]
fn a_lone_date_at_the_top_is_only_a_guess() {
    let h = read_page(vec![
        text(800.0, 450.0, "2015-10-08"),
        text(500.0, 50.0, "Some letter text"),
    ]);
    let d = h.issue_date.expect("date");
    assert_eq!(d.value, date(2015, 10, 8));
    assert!(d.confidence < 0.7);
}

#[test]
fn order_numbers_and_identifiers() {
    assert_eq!(
        order_numbers(&["4500000110,", "4500000111"]),
        ["4500000110", "4500000111"]
    );
    assert_eq!(
        order_numbers(&["4500000110", "und", "4500000111"]),
        ["4500000110", "4500000111"]
    );
    assert_eq!(
        order_numbers(&["Nr.", "2018-471331", "vom", "01.03.2018."]),
        ["2018-471331"]
    );
    assert!(order_numbers(&["telefonisch,", "Frau", "Okafor"]).is_empty());
    assert_eq!(identifier("n°562044387"), Some("562044387".to_string()));
    assert_eq!(identifier("12,50"), None);
    assert_eq!(identifier("05.03.2018"), None);
    assert_eq!(
        identifier("INV/2023/03/0008"),
        Some("INV/2023/03/0008".to_string())
    );
}

#[test]
fn currency_after_a_colon_of_its_own_or_under_amounts_in() {
    use crate::layout::testkit::line;
    let h = read_page(vec![line(
        700.0,
        &[("Währung", 50.0), (":", 173.0), ("EUR", 184.0)],
    )]);
    assert_eq!(h.currency.map(|f| f.value), Some(Currency::EUR));
    // A small label over a value printed on the next baseline, right.
    let h = read_page(vec![
        line(685.0, &[("Beträge", 364.0), ("in", 400.0)]),
        line(684.5, &[("Kunden", 53.0), ("AG", 93.0), ("GBP", 550.0)]),
    ]);
    assert_eq!(h.currency.map(|f| f.value), Currency::parse("GBP").ok());
}

#[test]
fn a_title_that_wraps_after_its_number_dates_the_document_on_the_next_line() {
    let h = read_page(vec![
        text(
            742.0,
            50.0,
            "Gutschrift (Selbst ausgestellte Rechnung) Nr. 471102",
        ),
        text(727.0, 50.0, "vom 05.03.2018"),
    ]);
    assert_eq!(h.number.map(|f| f.value), Some("471102".to_string()));
    assert_eq!(h.issue_date.map(|f| f.value), Some(date(2018, 3, 5)));
}
