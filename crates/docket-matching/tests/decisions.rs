//! Matching decisions on small, hand-built cases: one rule per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use docket_domain::erp::{
    BookedInvoice, BookedLine, ErpSnapshot, GoodsReceipt, PurchaseOrder, PurchaseOrderLine,
    Supplier,
};
use docket_domain::{
    BankAccount, BusinessDocument, Confidence, Currency, DocumentKind, Evidence, ExtractorKind,
    Field, Line, Money, ReasonCode, SourceSyntax,
};
use docket_matching::controls::unsupported_for_booking;
use docket_matching::{MatchInput, MatchOutcome, Policy, Verdict, match_document};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const IBAN: &str = "DE89370400440532013000";
const VAT: &str = "DE136695976";

fn f<T>(value: T) -> Field<T> {
    Field::new(value, Evidence::xml(ExtractorKind::Cii, "test", "test"))
}

fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR)
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
}

fn supplier(id: &str, vat: &str, iban: &str) -> Supplier {
    Supplier {
        id: id.into(),
        name: format!("Supplier {id} GmbH"),
        vat_id: Some(vat.into()),
        tax_number: None,
        country: Some("DE".into()),
        ibans: vec![iban.into()],
        email_domains: vec![],
        posting_blocked: false,
        payment_blocked: false,
    }
}

/// PO 4500000001 of S1: line 10 = 10 x A-1 at 5.00, line 20 = 4 x B-2 at 12.50.
fn erp() -> ErpSnapshot {
    let line = |n: &str, item: &str, qty: Decimal, price: Decimal| PurchaseOrderLine {
        line: n.into(),
        item_code: Some(item.into()),
        supplier_item_code: None,
        description: format!("Item {item}"),
        quantity: qty,
        unit: "PCE".into(),
        unit_price: price,
        price_unit: Decimal::ONE,
        tax_rate: Some(dec!(19)),
        goods_receipt_based: true,
        unit_conversions: Vec::new(),
    };
    ErpSnapshot {
        suppliers: vec![supplier("S1", VAT, IBAN)],
        purchase_orders: vec![PurchaseOrder {
            number: "4500000001".into(),
            supplier_id: "S1".into(),
            order_date: date(),
            currency: Currency::EUR,
            company: None,
            planned_delivery_costs: None,
            closed: false,
            lines: vec![
                line("10", "A-1", dec!(10), dec!(5.00)),
                line("20", "B-2", dec!(4), dec!(12.50)),
            ],
        }],
        goods_receipts: vec![gr("10", dec!(10)), gr("20", dec!(4))],
        ..ErpSnapshot::default()
    }
}

fn gr(line: &str, qty: Decimal) -> GoodsReceipt {
    GoodsReceipt {
        number: format!("50000000{line}"),
        item: "1".into(),
        purchase_order: "4500000001".into(),
        purchase_order_line: line.into(),
        quantity: qty,
        date: date(),
    }
}

/// An invoice from S1 on PO 4500000001 with (item, qty, price) lines, 19 % VAT.
fn invoice(number: &str, lines: &[(&str, Decimal, Decimal)]) -> BusinessDocument {
    let mut doc = BusinessDocument::empty(f(DocumentKind::Invoice), SourceSyntax::Cii);
    doc.header.number = Some(f(number.to_string()));
    doc.header.issue_date = Some(f(date()));
    doc.header.currency = Some(f(Currency::EUR));
    doc.seller.name = Some(f("Supplier S1 GmbH".to_string()));
    doc.seller.vat_id = Some(f(VAT.to_string()));
    doc.seller.bank_accounts = vec![BankAccount {
        iban: f(IBAN.to_string()),
        bic: None,
        holder: None,
    }];
    doc.references.purchase_orders = vec![f("4500000001".to_string())];
    doc.lines = lines
        .iter()
        .map(|(item, qty, price)| Line {
            seller_item_id: Some(f(item.to_string())),
            quantity: Some(f(*qty)),
            unit_price: Some(f(eur(*price))),
            amount: Some(f(eur((qty * price).round_dp(2)))),
            ..Line::default()
        })
        .collect();
    set_totals(&mut doc);
    doc
}

fn set_totals(doc: &mut BusinessDocument) {
    let net: Decimal = doc
        .lines
        .iter()
        .map(|l| l.amount.as_ref().unwrap().value.amount)
        .sum();
    let tax = (net * dec!(0.19)).round_dp(2);
    doc.totals.net = Some(f(eur(net)));
    doc.totals.tax = Some(f(eur(tax)));
    doc.totals.gross = Some(f(eur(net + tax)));
}

fn decide(doc: &BusinessDocument, erp: &ErpSnapshot) -> MatchOutcome {
    match_document(
        &MatchInput {
            document: doc,
            erp,
            sender_domain: None,
        },
        &Policy::default(),
    )
}

fn codes(outcome: &MatchOutcome) -> Vec<ReasonCode> {
    outcome.reasons.iter().map(|r| r.code).collect()
}

fn exact() -> BusinessDocument {
    invoice(
        "RE-1",
        &[("A-1", dec!(10), dec!(5.00)), ("B-2", dec!(4), dec!(12.50))],
    )
}

#[test]
fn an_exact_match_books_with_receipt_references() {
    let outcome = decide(&exact(), &erp());
    assert_eq!(outcome.verdict, Verdict::Book, "{:?}", outcome.reasons);
    let booking = outcome.booking.unwrap();
    assert_eq!(booking.supplier_id, "S1");
    assert_eq!(booking.gross.amount, dec!(119.00));
    assert_eq!(booking.lines.len(), 2);
    assert_eq!(
        booking.lines[0].goods_receipt.as_deref(),
        Some("5000000010")
    );
    assert_eq!(outcome.business_key.as_deref(), Some("S1|RE1|invoice"));
}

#[test]
fn a_small_price_difference_books_with_a_note_and_a_large_one_does_not() {
    let within = invoice("RE-2", &[("A-1", dec!(10), dec!(5.05))]);
    let outcome = decide(&within, &erp());
    assert_eq!(outcome.verdict, Verdict::Book, "{:?}", outcome.reasons);
    assert_eq!(codes(&outcome), vec![ReasonCode::WithinTolerance]);

    let beyond = invoice("RE-3", &[("A-1", dec!(10), dec!(5.60))]);
    let outcome = decide(&beyond, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome), vec![ReasonCode::PriceVariance]);
    assert!(
        outcome.reasons[0].message.contains("12.00 %"),
        "{}",
        outcome.reasons[0].message
    );
}

#[test]
fn goods_not_received_wait_and_more_than_ordered_is_an_exception() {
    let mut erp = erp();
    erp.goods_receipts.retain(|g| g.purchase_order_line != "10");
    let waiting = invoice("RE-4", &[("A-1", dec!(10), dec!(5.00))]);
    assert_eq!(decide(&waiting, &erp).verdict, Verdict::Wait);

    let too_many = invoice("RE-5", &[("A-1", dec!(11), dec!(5.00))]);
    let outcome = decide(&too_many, &erp);
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome), vec![ReasonCode::QuantityExceedsReceived]);
}

#[test]
fn a_partial_delivery_books_what_was_received() {
    let mut erp = erp();
    erp.goods_receipts = vec![gr("10", dec!(6))];
    let partial = invoice("RE-6", &[("A-1", dec!(6), dec!(5.00))]);
    assert_eq!(decide(&partial, &erp).verdict, Verdict::Book);
    // ...and quantities already invoiced count against what was received.
    erp.booked_invoices
        .push(booked("RE-6", DocumentKind::Invoice, dec!(6)));
    let rest = invoice("RE-7", &[("A-1", dec!(4), dec!(5.00))]);
    assert_eq!(
        decide(&rest, &erp).verdict,
        Verdict::Wait,
        "the other 4 are still on order"
    );
    let beyond = invoice("RE-8", &[("A-1", dec!(5), dec!(5.00))]);
    assert_eq!(
        decide(&beyond, &erp).verdict,
        Verdict::Exception,
        "only 4 are left on order"
    );
}

fn booked(reference: &str, kind: DocumentKind, qty: Decimal) -> BookedInvoice {
    BookedInvoice {
        erp_ref: "5105600001".into(),
        supplier_id: "S1".into(),
        supplier_reference: reference.into(),
        kind,
        document_date: date(),
        gross: eur(dec!(35.70)),
        lines: vec![BookedLine {
            purchase_order: "4500000001".into(),
            purchase_order_line: "10".into(),
            quantity: qty,
            amount: qty * dec!(5),
            goods_receipt: None,
            account: None,
        }],
        idempotency_key: None,
        reversed: false,
    }
}

#[test]
fn an_invoice_already_booked_is_a_duplicate_whatever_its_punctuation() {
    let mut erp = erp();
    erp.booked_invoices
        .push(booked("re 1", DocumentKind::Invoice, dec!(10)));
    let outcome = decide(&exact(), &erp);
    assert_eq!(outcome.verdict, Verdict::Duplicate);
    assert!(outcome.reasons[0].message.contains("5105600001"));
    // A reversed booking does not count.
    erp.booked_invoices[0].reversed = true;
    erp.booked_invoices[0].lines.clear();
    assert_eq!(decide(&exact(), &erp).verdict, Verdict::Book);
}

#[test]
fn a_bank_account_not_on_the_master_record_blocks_booking() {
    let mut doc = exact();
    doc.seller.bank_accounts[0].iban = f("GB82WEST12345698765432".to_string());
    let outcome = decide(&doc, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome), vec![ReasonCode::BankAccountNotOnRecord]);
    assert_eq!(
        outcome.supplier.unwrap().id,
        "S1",
        "still identified by VAT id"
    );
}

#[test]
fn an_unknown_supplier_names_the_closest_candidate() {
    let mut doc = exact();
    doc.seller.vat_id = Some(f("DE268371427".to_string()));
    doc.seller.bank_accounts.clear();
    doc.seller.name = Some(f("Supplier S1 AG".to_string()));
    let outcome = decide(&doc, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome)[0], ReasonCode::UnknownSupplier);
    assert!(
        outcome.reasons[0]
            .message
            .contains("close, but not enough to be sure: Supplier S1 GmbH (S1)"),
        "{}",
        outcome.reasons[0].message
    );
}

#[test]
fn identifiers_pointing_at_two_suppliers_are_ambiguous() {
    let mut erp = erp();
    erp.suppliers
        .push(supplier("S2", "DE268371427", "GB82WEST12345698765432"));
    let mut doc = exact();
    doc.seller.bank_accounts[0].iban = f("GB82WEST12345698765432".to_string());
    let outcome = decide(&doc, &erp);
    assert_eq!(codes(&outcome)[0], ReasonCode::AmbiguousSupplier);
}

#[test]
fn totals_that_do_not_add_up_are_an_exception() {
    let mut doc = exact();
    doc.totals.gross = Some(f(eur(dec!(120.00))));
    let outcome = decide(&doc, &erp());
    assert_eq!(codes(&outcome), vec![ReasonCode::ArithmeticError]);
}

#[test]
fn an_unsure_total_goes_to_a_person() {
    let mut doc = exact();
    doc.totals.gross = doc
        .totals
        .gross
        .map(|g| g.with_confidence(Confidence::new(0.4)));
    let outcome = decide(&doc, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome), vec![ReasonCode::MissingField]);
}

#[test]
fn unsure_lines_and_order_references_go_to_a_person_even_when_they_match() {
    // Lines that did not add up to the net (the layout lowers them all), or a
    // language model's lines no check has raised yet: they match the PO
    // exactly, and still a person looks first.
    let unsure = Confidence::new(0.6);
    let mut doc = exact();
    doc.lines[1].quantity = doc.lines[1]
        .quantity
        .take()
        .map(|q| q.with_confidence(unsure));
    let outcome = decide(&doc, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome), vec![ReasonCode::MissingField]);
    assert_eq!(outcome.reasons[0].line, Some(2));
    assert!(
        outcome.reasons[0].message.contains("quantity"),
        "{:?}",
        outcome.reasons
    );

    let mut doc = exact();
    // The same reference in the header and on a line is one reason.
    for po in &mut doc.references.purchase_orders {
        po.confidence = unsure;
    }
    doc.lines[0].purchase_order = Some(f("4500000001".to_string()).with_confidence(unsure));
    let outcome = decide(&doc, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert_eq!(codes(&outcome), vec![ReasonCode::MissingField]);
    assert!(
        outcome.reasons[0]
            .message
            .contains("purchase order reference 4500000001"),
        "{:?}",
        outcome.reasons
    );
}

#[test]
fn what_booking_lacks_support_for_is_named_and_nothing_when_all_is_there() {
    let policy = Policy::default();
    let unsupported = |doc: &BusinessDocument| unsupported_for_booking(doc, &policy);
    let doc = exact();
    assert!(unsupported(&doc).is_empty());
    assert_eq!(decide(&doc, &erp()).verdict, Verdict::Book, "so it books");

    let mut doc = exact();
    doc.header.issue_date = None;
    doc.totals.gross = doc
        .totals
        .gross
        .map(|g| g.with_confidence(Confidence::new(0.4)));
    doc.seller.vat_id = None;
    doc.seller.bank_accounts[0].iban.confidence = Confidence::new(0.5);
    doc.references.purchase_orders.clear();
    assert_eq!(
        unsupported(&doc),
        vec![
            "invoice date",
            "gross total",
            "IBAN",
            "seller VAT id or IBAN",
            "purchase order reference"
        ]
    );
    doc.lines.clear();
    assert!(unsupported(&doc).contains(&"lines"));

    let mut credit = exact();
    credit.header.kind = f(DocumentKind::CreditNote);
    credit.references.purchase_orders.clear();
    credit.references.preceding_invoices = vec![f("RE-9".to_string())];
    assert!(
        unsupported(&credit).is_empty(),
        "{:?}",
        unsupported(&credit)
    );

    let mut order = exact();
    order.header.kind = f(DocumentKind::Order);
    order.header.number = None;
    assert!(unsupported(&order).is_empty(), "orders are not booked");
}

#[test]
fn no_currency_read_means_no_booking() {
    let mut doc = exact();
    doc.header.currency = None;
    let outcome = decide(&doc, &erp());
    assert_eq!(outcome.verdict, Verdict::Exception);
    assert!(
        outcome
            .reasons
            .iter()
            .any(|r| r.message.contains("currency could not be read"))
    );
}

#[test]
fn a_credit_note_books_against_the_invoice_it_credits_up_to_its_quantity() {
    let mut erp = erp();
    erp.booked_invoices
        .push(booked("RE-9", DocumentKind::Invoice, dec!(10)));
    let mut credit = invoice("GS-1", &[("A-1", dec!(2), dec!(5.00))]);
    credit.header.kind = f(DocumentKind::CreditNote);
    credit.references.purchase_orders.clear();
    credit.references.preceding_invoices = vec![f("RE-9".to_string())];
    let outcome = decide(&credit, &erp);
    assert_eq!(outcome.verdict, Verdict::Book, "{:?}", outcome.reasons);
    assert_eq!(outcome.booking.unwrap().kind, DocumentKind::CreditNote);

    let mut too_much = credit.clone();
    too_much.lines[0].quantity = Some(f(dec!(12)));
    too_much.lines[0].amount = Some(f(eur(dec!(60))));
    set_totals(&mut too_much);
    assert_eq!(
        codes(&decide(&too_much, &erp)),
        vec![ReasonCode::CreditNoteUnlinked]
    );

    let mut unlinked = credit;
    unlinked.references.preceding_invoices = vec![f("RE-404".to_string())];
    assert!(codes(&decide(&unlinked, &erp)).contains(&ReasonCode::CreditNoteUnlinked));
}

#[test]
fn blocked_suppliers_and_foreign_orders_are_exceptions() {
    let mut blocked = erp();
    blocked.suppliers[0].posting_blocked = true;
    assert_eq!(
        codes(&decide(&exact(), &blocked)),
        vec![ReasonCode::SupplierBlocked]
    );

    let mut foreign = erp();
    foreign.purchase_orders[0].supplier_id = "S9".into();
    assert!(codes(&decide(&exact(), &foreign)).contains(&ReasonCode::PurchaseOrderOtherSupplier));

    // Without a reference the supplier's one open PO that takes the lines is
    // found; with the search off, the missing reference is an exception.
    let mut no_po = exact();
    no_po.references.purchase_orders.clear();
    let found = decide(&no_po, &erp());
    assert_eq!(found.verdict, Verdict::Book, "{:?}", found.reasons);
    assert!(
        found.reasons[0].message.contains("only 4500000001"),
        "{:?}",
        found.reasons
    );
    let mut policy = Policy::default();
    policy.po_search.enabled = false;
    let input = MatchInput {
        document: &no_po,
        erp: &erp(),
        sender_domain: None,
    };
    assert!(codes(&match_document(&input, &policy)).contains(&ReasonCode::UnknownPurchaseOrder));
}

#[test]
fn price_units_are_respected() {
    let mut erp = erp();
    erp.purchase_orders[0].lines[0].price_unit = dec!(100);
    erp.purchase_orders[0].lines[0].unit_price = dec!(500.00);
    let outcome = decide(&exact(), &erp);
    assert_eq!(outcome.verdict, Verdict::Book, "{:?}", outcome.reasons);
}

#[test]
fn orders_are_not_booked_as_invoices() {
    let mut order = exact();
    order.header.kind = f(DocumentKind::Order);
    assert_eq!(
        codes(&decide(&order, &erp())),
        vec![ReasonCode::NotAnInvoice]
    );
}

#[test]
fn a_line_that_fits_no_po_line_is_named() {
    let doc = invoice(
        "RE-10",
        &[("A-1", dec!(10), dec!(5.00)), ("Z-9", dec!(1), dec!(3.00))],
    );
    let outcome = decide(&doc, &erp());
    assert_eq!(codes(&outcome), vec![ReasonCode::LineNotMatched]);
    assert_eq!(outcome.reasons[0].line, Some(2));
}
