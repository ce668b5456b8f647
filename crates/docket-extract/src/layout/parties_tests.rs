//! Tests of party reading on synthetic pages.

use super::*;
use crate::layout::testkit::{line, page, text};

fn read_lines(lines: Vec<crate::pdf::text::TextLine>) -> PartiesFinds {
    read(&View::new(&[page(1, lines)]))
}

#[test]
fn footer_identifiers_are_the_sellers_and_labelled_ones_the_buyers() {
    let p = read_lines(vec![
        text(700.0, 60.0, "Kestrel Instruments GmbH"),
        text(688.0, 60.0, "Industriestraße 12"),
        text(676.0, 60.0, "50667 Köln"),
        text(650.0, 350.0, "Ihre USt-IdNr.: DE314059263"),
        text(80.0, 60.0, "Nordwind Bürobedarf GmbH USt-IdNr. DE273819459"),
        text(
            70.0,
            60.0,
            "IBAN DE12 2005 0550 1283 7465 10 BIC HASPDEHHXXX",
        ),
    ]);
    let vat = p.seller.vat_id.expect("seller VAT");
    assert_eq!(vat.value, "DE273819459");
    assert!(vat.confidence.is_sure());
    assert_eq!(
        p.buyer.vat_id.map(|f| f.value),
        Some("DE314059263".to_string())
    );
    assert_eq!(p.seller.bank_accounts.len(), 1);
    let account = &p.seller.bank_accounts[0];
    assert_eq!(account.iban.value, "DE12200505501283746510");
    assert_eq!(
        account.bic.as_ref().map(|f| f.value.as_str()),
        Some("HASPDEHHXXX")
    );
    assert_eq!(
        p.buyer.name.map(|f| f.value),
        Some("Kestrel Instruments GmbH".to_string())
    );
    let address = p.buyer.address.expect("address").value;
    assert_eq!(address.postcode.as_deref(), Some("50667"));
    assert_eq!(address.city.as_deref(), Some("Köln"));
}

#[test]
fn identifiers_failing_their_check_digits_are_kept_for_review_only_beside_their_label() {
    let p = read_lines(vec![
        text(
            70.0,
            60.0,
            "IBAN DE12 2005 0550 1283 7465 11 USt-IdNr. DE123456789 HRB 4711",
        ),
        // The same shapes without a label are not evidence of anything.
        text(
            60.0,
            60.0,
            "Referenz DE98765432109876543210 Vorgang DE987654321",
        ),
    ]);
    let vat = p.seller.vat_id.expect("printed beside its label");
    assert_eq!(vat.value, "DE123456789");
    assert!(vat.confidence.value() < 0.5);
    assert_eq!(
        vat.evidence.locator.as_deref(),
        Some(crate::layout::unchecked::NOTE)
    );
    assert_eq!(p.seller.bank_accounts.len(), 1);
    let iban = &p.seller.bank_accounts[0].iban;
    assert_eq!(iban.value, "DE12200505501283746511");
    assert!(iban.confidence.value() < 0.5);
}

#[test]
fn the_buyers_direct_debit_account_is_not_where_to_pay() {
    let p = read_lines(vec![
        text(300.0, 60.0, "Käufer-IBAN : DE21860000000086001055"),
        text(
            280.0,
            60.0,
            "Der Betrag wird von Ihrem Konto mit IBAN DE02120300000000202051 eingezogen.",
        ),
        text(70.0, 60.0, "IBAN DE12 2005 0550 1283 7465 10"),
    ]);
    let ibans = |party: &Party| -> Vec<String> {
        party
            .bank_accounts
            .iter()
            .map(|a| a.iban.value.clone())
            .collect()
    };
    assert_eq!(ibans(&p.seller), ["DE12200505501283746510"]);
    assert_eq!(
        ibans(&p.buyer),
        ["DE21860000000086001055", "DE02120300000000202051"]
    );
}

#[test]
fn section_headings_decide_whose_id_it_is() {
    let p = read_lines(vec![
        line(700.0, &[("Verkäufer", 60.0), ("Käufer", 320.0)]),
        line(
            688.0,
            &[
                ("USt-IdNr.", 60.0),
                ("DE273819459", 110.0),
                ("USt-IdNr.", 320.0),
                ("DE314059263", 370.0),
            ],
        ),
    ]);
    assert_eq!(
        p.seller.vat_id.map(|f| f.value),
        Some("DE273819459".to_string())
    );
    assert_eq!(
        p.buyer.vat_id.map(|f| f.value),
        Some("DE314059263".to_string())
    );
}

#[test]
fn sender_line_names_the_seller_by_position_only() {
    let p = read_lines(vec![text(
        720.0,
        60.0,
        "Nordwind Bürobedarf GmbH · Am Sandtorkai 41 · 20457 Hamburg",
    )]);
    let name = p.seller.name.expect("name");
    assert_eq!(name.value, "Nordwind Bürobedarf GmbH");
    assert!(!name.confidence.is_sure());
}
