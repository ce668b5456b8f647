//! Field comparison on hand-made documents.

use chrono::NaiveDate;
use docket_domain::{
    BankAccount, BusinessDocument, Confidence, Currency, DocumentKind, Evidence, ExtractorKind,
    Field, Line, Money, SourceSyntax,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::truth::parse_truth;

fn field<T>(value: T, confidence: f32) -> Field<T> {
    let evidence = Evidence::page_text(ExtractorKind::Layout, 1, None, "");
    Field::new(value, evidence).with_confidence(Confidence::new(confidence))
}

fn eur(amount: Decimal, confidence: f32) -> Option<Field<Money>> {
    Some(field(Money::new(amount, Currency::EUR), confidence))
}

/// A document as the layout extractor might read the truth below: the number
/// with other punctuation, the name in other case, the VAT id with blanks,
/// a wrong gross total read surely, a wrong tax read unsurely, no net total.
fn read_document() -> BusinessDocument {
    let mut d = BusinessDocument::empty(field(DocumentKind::Invoice, 0.9), SourceSyntax::PdfText);
    d.header.number = Some(field("re 2024/001".to_string(), 0.9));
    d.header.issue_date = Some(field(NaiveDate::from_ymd_opt(2024, 3, 7).unwrap(), 0.9));
    d.header.currency = Some(field(Currency::EUR, 0.9));
    d.seller.name = Some(field("LIEFERANT  GmbH".to_string(), 0.8));
    d.seller.vat_id = Some(field("DE 123 456 789".to_string(), 0.9));
    d.seller.bank_accounts.push(BankAccount {
        iban: field("DE88200800000970375700".to_string(), 0.9),
        bic: None,
        holder: None,
    });
    d.totals.tax = eur(dec!(19.5), 0.5);
    d.totals.gross = eur(dec!(119.5), 0.95);
    d.payment.due_date = Some(field(NaiveDate::from_ymd_opt(2024, 4, 7).unwrap(), 0.9));
    d.lines.push(Line {
        quantity: Some(field(dec!(1.000), 0.9)),
        unit_price: eur(dec!(100), 0.9),
        amount: eur(dec!(100.00), 0.9),
        ..Line::default()
    });
    d
}

fn expected() -> Expected {
    let records = parse_truth(
        r#"[{"file": "a.pdf", "scenario_key": "s1",
             "truth": {"number": "RE-2024-001", "issue_date": "20240307", "currency": "EUR",
                       "seller": {"name": "Lieferant GmbH", "vat_id": "DE123456789"},
                       "iban": ["DE88 2008 0000 0970 3757 00"],
                       "totals": {"net": "100.00", "tax": "19.00", "gross": "119.00"},
                       "lines": [{"qty": "1", "unit_price": "100.00", "amount": "100"},
                                 {"qty": "2", "unit_price": "5", "amount": "10"}]}}]"#,
    )
    .unwrap();
    records[0].truth.as_ref().unwrap().expected()
}

fn outcome(score: &DocumentScore, field: FieldName) -> Option<Outcome> {
    score.fields.get(&field).map(|f| f.outcome)
}

#[test]
fn each_field_is_right_wrong_missing_or_unexpected() {
    let doc = read_document();
    let s = score_document(
        "a.pdf",
        "s1",
        &expected(),
        Ok((&doc, "PDF text, 1 page(s)")),
    );
    for right in [
        FieldName::Number,
        FieldName::IssueDate,
        FieldName::Currency,
        FieldName::SellerName,
        FieldName::SellerVatId,
        FieldName::Iban,
    ] {
        assert_eq!(outcome(&s, right), Some(Outcome::Right), "{right}");
    }
    assert_eq!(outcome(&s, FieldName::Gross), Some(Outcome::Wrong));
    assert_eq!(outcome(&s, FieldName::Tax), Some(Outcome::Wrong));
    assert_eq!(outcome(&s, FieldName::Net), Some(Outcome::Missing));
    // The truth gives no due date: noted, not scored.
    assert_eq!(outcome(&s, FieldName::DueDate), Some(Outcome::Unexpected));
    assert!(!s.fields[&FieldName::DueDate].is_scored());
    // Neither side has a PO reference.
    assert_eq!(outcome(&s, FieldName::PoRef), None);
    assert_eq!(s.method.as_deref(), Some("PDF text, 1 page(s)"));
}

#[test]
fn only_a_sure_wrong_value_is_confidently_wrong() {
    let doc = read_document();
    let s = score_document("a.pdf", "s1", &expected(), Ok((&doc, "m")));
    let gross = &s.fields[&FieldName::Gross];
    assert!(gross.confidently_wrong);
    assert_eq!(gross.expected.as_deref(), Some("119"));
    assert_eq!(gross.got.as_deref(), Some("119.5"));
    // Wrong, but below the threshold: a person looks.
    assert!(!s.fields[&FieldName::Tax].confidently_wrong);
    assert_eq!(s.confidently_wrong(), 1);
}

#[test]
fn exactly_the_threshold_is_sure() {
    let mut doc = read_document();
    doc.totals.tax = eur(dec!(19.5), Confidence::REVIEW_THRESHOLD.value());
    let s = score_document("a.pdf", "s1", &expected(), Ok((&doc, "m")));
    assert!(s.fields[&FieldName::Tax].confidently_wrong);
}

#[test]
fn iban_sets_must_be_equal_and_are_as_sure_as_their_least_sure_member() {
    let mut doc = read_document();
    doc.seller.bank_accounts.push(BankAccount {
        iban: field("NL91ABNA0417164300".to_string(), 0.4),
        bic: None,
        holder: None,
    });
    let s = score_document("a.pdf", "s1", &expected(), Ok((&doc, "m")));
    let iban = &s.fields[&FieldName::Iban];
    assert_eq!(iban.outcome, Outcome::Wrong);
    assert!(!iban.confidently_wrong);
    assert_eq!(iban.confidence, Some(0.4));
}

#[test]
fn an_unread_file_misses_every_field_the_truth_gives() {
    let e = expected();
    let s = score_document("a.pdf", "s1", &e, Err("PDF is damaged".to_string()));
    assert_eq!(s.error.as_deref(), Some("PDF is damaged"));
    assert_eq!(s.fields.len(), e.fields.len());
    assert!(s.fields.values().all(|f| f.outcome == Outcome::Missing));
    let lines = s.lines.unwrap();
    assert_eq!((lines.expected, lines.extracted, lines.f1), (2, 0, 0.0));
}

#[test]
fn lines_are_scored_from_the_document() {
    let doc = read_document();
    let s = score_document("a.pdf", "s1", &expected(), Ok((&doc, "m")));
    let lines = s.lines.unwrap();
    assert_eq!((lines.expected, lines.extracted, lines.matched), (2, 1, 1));
    assert!((lines.f1 - 2.0 / 3.0).abs() < 1e-9);
}

#[test]
fn lines_without_numbers_are_not_counted_as_extracted() {
    let mut doc = read_document();
    doc.lines.push(Line::default());
    let s = score_document("a.pdf", "s1", &expected(), Ok((&doc, "m")));
    assert_eq!(s.lines.unwrap().extracted, 1);
}

#[test]
fn truth_ids_that_fail_their_check_digits_are_marked() {
    let records = parse_truth(
        r#"[{"file": "a.pdf", "truth": {
             "seller": {"vat_id": "DE123456789"}, "buyer": {"vat_id": "DE136695976"},
             "iban": ["DE12 1234 4321 9876 00"]}}]"#,
    )
    .unwrap();
    let e = records[0].truth.as_ref().unwrap().expected();
    let s = score_document("a.pdf", "a.pdf", &e, Err("unread".to_string()));
    assert!(s.fields[&FieldName::SellerVatId].truth_invalid);
    assert!(s.fields[&FieldName::Iban].truth_invalid);
    assert!(!s.fields[&FieldName::BuyerVatId].truth_invalid);
}

#[test]
fn a_vat_id_in_its_national_form_is_the_same_number_with_its_prefix() {
    let want = |id: &str| {
        let mut e = Expected::default();
        e.give(FieldName::SellerVatId, FieldName::SellerVatId.normalise(id));
        e
    };
    let mut doc = read_document();
    doc.seller.vat_id = Some(field("PL7740001454".to_string(), 0.9));
    let vat = |e: &Expected, doc: &BusinessDocument| {
        outcome(
            &score_document("a.txt", "a.txt", e, Ok((doc, "m"))),
            FieldName::SellerVatId,
        )
    };
    assert_eq!(vat(&want("774-000-14-54"), &doc), Some(Outcome::Right));
    assert_eq!(vat(&want("PL7740001454"), &doc), Some(Outcome::Right));
    // Another number, or another country's id, is not the same.
    assert_eq!(vat(&want("7740001455"), &doc), Some(Outcome::Wrong));
    assert_eq!(vat(&want("DE7740001454"), &doc), Some(Outcome::Wrong));
    doc.seller.vat_id = Some(field("DE136695976".to_string(), 0.9));
    assert_eq!(vat(&want("201/113/40209"), &doc), Some(Outcome::Wrong));
}
