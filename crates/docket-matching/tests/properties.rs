//! Invariants of matching, checked on generated invoices (proptest):
//!
//! - a failed control never books;
//! - a credit note mirrors the invoice it credits;
//! - the order of a document's lines does not change the decision;
//! - a common currency rescale keeps percent-only tolerances' decisions;
//! - `Tolerance::judge` is what docs/matching.md says it is.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use docket_domain::erp::{BookedInvoice, ErpSnapshot};
use docket_domain::{DocumentKind, ReasonCode};
use docket_matching::policy::{Limit, Tolerance};
use docket_matching::tolerance::{Dimension, Judgement, Variance};
use docket_matching::{MatchInput, MatchOutcome, Policy, Verdict, match_document};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use support::*;

/// Nordwind's PO lines in these tests: (our item code, description, ordered, PO price).
const ITEMS: [(&str, &str, u32, Decimal); 5] = [
    ("A-1", "Kopierpapier A4 80 g", 100, dec!(5.00)),
    ("B-2", "Toner schwarz", 4, dec!(12.50)),
    ("C-3", "Kugelschreiber blau", 50, dec!(0.80)),
    ("D-4", "Bürostuhl ergonomisch", 2, dec!(149.90)),
    ("F-6", "Ordner breit", 10, dec!(23.45)),
];

fn po_line_no(item: usize) -> String {
    ((item + 1) * 10).to_string()
}

/// Nordwind's PO [`PO`] over [`ITEMS`] with prices times `scale`, and
/// `received[i]` received of item `i`.
fn property_world(scale: Decimal, received: &[u32]) -> ErpSnapshot {
    let lines = ITEMS
        .iter()
        .enumerate()
        .map(|(i, (item, text, ordered, price))| {
            po_line(
                &po_line_no(i),
                item,
                text,
                Decimal::from(*ordered),
                price * scale,
            )
        })
        .collect();
    ErpSnapshot {
        suppliers: vec![nordwind(), leeuwen()],
        purchase_orders: vec![order(PO, NORDWIND, lines)],
        goods_receipts: received
            .iter()
            .enumerate()
            .filter(|(_, qty)| **qty > 0)
            .map(|(i, qty)| receipt(PO, &po_line_no(i), Decimal::from(*qty)))
            .collect(),
        ..ErpSnapshot::default()
    }
}

fn fully_received() -> Vec<u32> {
    ITEMS.iter().map(|i| i.2).collect()
}

/// One invoice line: an item of [`ITEMS`], a quantity and the price's
/// deviation from the PO price in basis points.
#[derive(Debug, Clone, Copy)]
struct Pick {
    item: usize,
    qty: u32,
    bps: i32,
}

impl Pick {
    /// The invoice price (4 places, as e-invoices give them), unscaled.
    fn price(self) -> Decimal {
        let po_price = ITEMS[self.item].3;
        (po_price * Decimal::from(10_000 + self.bps) / dec!(10000)).round_dp(4)
    }

    fn line(self, scale: Decimal) -> L {
        let (item, text, _, _) = ITEMS[self.item];
        L::item(item, text, Decimal::from(self.qty), self.price() * scale)
    }
}

/// Distinct items, each with a quantity up to what was ordered (one in
/// five up to `over` more) and a price deviation drawn from `bps`.
fn picks(
    bps: impl Strategy<Value = i32> + Clone + 'static,
    over: u32,
) -> impl Strategy<Value = Vec<Pick>> {
    let all: Vec<usize> = (0..ITEMS.len()).collect();
    proptest::sample::subsequence(all, 1..=ITEMS.len()).prop_flat_map(move |items| {
        items
            .into_iter()
            .map(|item| {
                let ordered = ITEMS[item].2;
                let qty = prop_oneof![4 => 1..=ordered, 1 => 1..=ordered + over];
                (qty, bps.clone()).prop_map(move |(qty, bps)| Pick { item, qty, bps })
            })
            .collect::<Vec<_>>()
    })
}

/// Invoices that book: quantities within what was received, prices within
/// the built-in 2 % (with a margin for the 4-place rounding).
fn booking_picks() -> impl Strategy<Value = Vec<Pick>> {
    picks(-180..=180, 0)
}

fn invoice_of(picks: &[Pick], scale: Decimal) -> Doc {
    Doc {
        lines: picks.iter().map(|p| p.line(scale)).collect(),
        ..Doc::invoice()
    }
}

fn decide(erp: &ErpSnapshot, doc: &Doc, policy: &Policy) -> MatchOutcome {
    let document = doc.build();
    match_document(
        &MatchInput {
            document: &document,
            erp,
            sender_domain: None,
        },
        policy,
    )
}

fn codes(outcome: &MatchOutcome) -> BTreeSet<String> {
    outcome
        .reasons
        .iter()
        .map(|r| serde_json::to_string(&r.code).unwrap())
        .collect()
}

/// Modest case counts keep the suite fast; no regression files (an
/// integration test has no lib.rs for proptest to put them beside).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A control that fails, injected into a case that books.
#[derive(Debug, Clone, Copy)]
enum Control {
    BankAccountNotOnRecord,
    VatIdMismatch,
    PostingBlocked,
    PaymentBlocked,
    ImplausibleVatRate,
    LineArithmetic,
}

const CONTROLS: [Control; 6] = [
    Control::BankAccountNotOnRecord,
    Control::VatIdMismatch,
    Control::PostingBlocked,
    Control::PaymentBlocked,
    Control::ImplausibleVatRate,
    Control::LineArithmetic,
];

impl Control {
    /// Makes the control fail; returns the reason it must give.
    fn inject(self, erp: &mut ErpSnapshot, doc: &mut Doc) -> ReasonCode {
        match self {
            Control::BankAccountNotOnRecord => {
                doc.ibans.push(STRANGE_IBAN.into());
                ReasonCode::BankAccountNotOnRecord
            }
            Control::VatIdMismatch => {
                // Identified by the IBAN on record, the VAT id differs.
                doc.vat_id = Some(STRANGE_VAT.into());
                ReasonCode::VatIdMismatch
            }
            Control::PostingBlocked => {
                erp.suppliers[0].posting_blocked = true;
                ReasonCode::SupplierBlocked
            }
            Control::PaymentBlocked => {
                erp.suppliers[0].payment_blocked = true;
                ReasonCode::SupplierBlocked
            }
            Control::ImplausibleVatRate => {
                doc.vat_rate = dec!(21);
                ReasonCode::TaxRateImplausible
            }
            Control::LineArithmetic => {
                let line = &mut doc.lines[0];
                line.amount = Some(line.amount() + dec!(1.00));
                ReasonCode::ArithmeticError
            }
        }
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// (a) Whatever else matches, a failed control never books.
    #[test]
    fn a_failed_control_never_books(
        picks in booking_picks(),
        control in proptest::sample::select(CONTROLS.to_vec()),
    ) {
        let mut erp = property_world(Decimal::ONE, &fully_received());
        let mut doc = invoice_of(&picks, Decimal::ONE);
        let policy = Policy::default();
        let before = decide(&erp, &doc, &policy);
        prop_assert_eq!(before.verdict, Verdict::Book, "{:?}", before.reasons);
        let code = control.inject(&mut erp, &mut doc);
        let after = decide(&erp, &doc, &policy);
        prop_assert_ne!(after.verdict, Verdict::Book, "{:?}: {:?}", control, after.reasons);
        prop_assert!(after.booking.is_none());
        prop_assert!(
            after.reasons.iter().any(|r| r.code == code),
            "{:?} gives no {:?}: {:?}", control, code, after.reasons
        );
    }

    /// (b) Once an invoice is booked, a credit note with the same lines that
    /// names it books the same PO lines, quantities and amounts.
    #[test]
    fn a_credit_note_mirrors_its_invoice(picks in booking_picks()) {
        let mut erp = property_world(Decimal::ONE, &fully_received());
        let invoice = invoice_of(&picks, Decimal::ONE);
        let policy = Policy::default();
        let booked = decide(&erp, &invoice, &policy);
        prop_assert_eq!(booked.verdict, Verdict::Book, "{:?}", booked.reasons);
        let booking = booked.booking.unwrap();
        erp.booked_invoices.push(BookedInvoice {
            erp_ref: "5105609999".into(),
            supplier_id: booking.supplier_id.clone(),
            supplier_reference: booking.supplier_reference.clone(),
            kind: DocumentKind::Invoice,
            document_date: booking.document_date,
            gross: booking.gross,
            lines: booking.lines.clone(),
            idempotency_key: Some(booking.idempotency_key.clone()),
            reversed: false,
        });
        let credit = Doc::credit_note("GS-2026-0077", &invoice.number, invoice.lines.clone());
        let credited = decide(&erp, &credit, &policy);
        prop_assert_eq!(credited.verdict, Verdict::Book, "{:?}", credited.reasons);
        let mirror = credited.booking.unwrap();
        prop_assert_eq!(mirror.kind, DocumentKind::CreditNote);
        prop_assert_eq!(mirror.gross, booking.gross);
        let key = |l: &docket_domain::erp::BookedLine| {
            (l.purchase_order.clone(), l.purchase_order_line.clone(), l.quantity, l.amount)
        };
        let mut invoiced: Vec<_> = booking.lines.iter().map(key).collect();
        let mut credited_lines: Vec<_> = mirror.lines.iter().map(key).collect();
        invoiced.sort();
        credited_lines.sort();
        prop_assert_eq!(invoiced, credited_lines);
    }

    /// (c) Reordering the lines changes neither the verdict nor the reasons,
    /// whatever the case decides (prices and quantities beyond tolerance,
    /// goods not received, lines no PO knows, freight).
    #[test]
    fn the_order_of_the_lines_does_not_matter(
        (picks, received, freight, stranger, order) in (
            picks(prop_oneof![3 => -180..=180, 1 => -500..=500], 20),
            ITEMS
                .iter()
                .map(|i| prop_oneof![3 => Just(i.2), 1 => 0..=i.2])
                .collect::<Vec<_>>(),
            proptest::option::weighted(0.3, 1u32..=40),
            proptest::bool::weighted(0.2),
        ).prop_flat_map(|(picks, received, freight, stranger)| {
            let n = picks.len() + usize::from(freight.is_some()) + usize::from(stranger);
            let order = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
            (Just(picks), Just(received), Just(freight), Just(stranger), order)
        })
    ) {
        let erp = property_world(Decimal::ONE, &received);
        let mut doc = invoice_of(&picks, Decimal::ONE);
        if let Some(freight) = freight {
            doc.lines.push(L::text("Frachtkosten", Decimal::from(freight)));
        }
        if stranger {
            doc.lines.push(L::item("Z-9", "Sonderanfertigung Logodruck", dec!(1), dec!(80.00)));
        }
        let policy = Policy::default();
        let as_written = decide(&erp, &doc, &policy);
        let mut reordered = doc.clone();
        reordered.lines = order.iter().map(|&i| doc.lines[i].clone()).collect();
        let shuffled = decide(&erp, &reordered, &policy);
        prop_assert_eq!(as_written.verdict, shuffled.verdict);
        prop_assert_eq!(codes(&as_written), codes(&shuffled));
    }

    /// (d) Under a percent-only price tolerance, multiplying the PO prices and
    /// the invoice's prices (hence amounts and totals) by one factor keeps
    /// the decision: within stays within, beyond stays beyond.
    #[test]
    fn a_common_rescale_keeps_percent_tolerances(
        (limit, picks) in (1i32..=10).prop_flat_map(|limit| {
            let margin = 5;
            let within = -(100 * limit - margin)..=(100 * limit - margin);
            let above = (100 * limit + margin)..=(100 * limit + 300);
            let below = -(100 * limit + 300)..=-(100 * limit + margin);
            (Just(limit), picks(prop_oneof![3 => within, 1 => above, 1 => below], 0))
        }),
        cents in 50u32..=5000,
    ) {
        let factor = Decimal::from(cents) / dec!(100);
        let policy = Policy::from_toml(&format!(
            "[[tolerance]]\ndimension = \"unit_price\"\nlower = {{ percent = \"{limit}\" }}\nupper = {{ percent = \"{limit}\" }}\n"
        )).unwrap();
        let original = decide(
            &property_world(Decimal::ONE, &fully_received()),
            &invoice_of(&picks, Decimal::ONE),
            &policy,
        );
        let rescaled = decide(
            &property_world(factor, &fully_received()),
            &invoice_of(&picks, factor),
            &policy,
        );
        let all_within = picks.iter().all(|p| p.bps.abs() <= 100 * limit);
        let expected = if all_within { Verdict::Book } else { Verdict::Exception };
        prop_assert_eq!(original.verdict, expected, "{:?}", original.reasons);
        prop_assert_eq!(rescaled.verdict, original.verdict, "x{}: {:?}", factor, rescaled.reasons);
        prop_assert_eq!(codes(&rescaled), codes(&original));
    }
}

// (e) The semantics of Tolerance::judge.

/// How docs/matching.md and tolerance.rs describe a judgement: exact when
/// there is no variance; else the side of the variance's sign decides:
/// unlimited admits anything, no limit admits nothing, and every limit
/// given must hold, inclusively (a percentage of a zero reference never
/// holds).
fn documented(rule: &Tolerance, v: Variance) -> Judgement {
    if v.difference.is_zero() && v.amount.is_zero() {
        return Judgement::Exact;
    }
    let side = if v.difference.is_sign_negative() {
        &rule.lower
    } else {
        &rule.upper
    };
    let within = |ok: bool| {
        if ok {
            Judgement::Within
        } else {
            Judgement::Beyond
        }
    };
    if side.unlimited {
        return Judgement::Within;
    }
    if side.percent.is_none() && side.absolute.is_none() {
        return Judgement::Beyond;
    }
    let percent_ok = side.percent.is_none_or(|limit| {
        if v.reference.is_zero() {
            return false;
        }
        v.difference.abs() / v.reference.abs() * Decimal::ONE_HUNDRED <= limit
    });
    let absolute_ok = side.absolute.is_none_or(|limit| v.amount.abs() <= limit);
    within(percent_ok && absolute_ok)
}

/// Amounts with up to 4 places in [-max, max].
fn amount(max: i64) -> impl Strategy<Value = Decimal> + Clone {
    (-max * 10_000..=max * 10_000).prop_map(|n| Decimal::new(n, 4))
}

fn limit() -> impl Strategy<Value = Limit> {
    let size = |max: i64| (0..=max * 100).prop_map(|n| Decimal::new(n, 2));
    prop_oneof![
        1 => Just(Limit::unlimited()),
        1 => Just(Limit::default()),
        4 => (proptest::option::of(size(20)), proptest::option::of(size(50)))
            .prop_map(|(percent, absolute)| Limit { percent, absolute, unlimited: false }),
    ]
}

fn variance() -> impl Strategy<Value = Variance> {
    let reference = prop_oneof![1 => Just(Decimal::ZERO), 6 => amount(500).prop_map(|a| a.abs())];
    (
        reference,
        amount(60),
        prop_oneof![1 => Just(0i64), 1 => Just(1), 2 => 0i64..=100],
    )
        .prop_flat_map(|(reference, difference, per)| {
            // Usually the amount is the difference times a price; sometimes a
            // difference near the limits in percent of the reference.
            let near = prop_oneof![
                Just(difference),
                (-2500i64..=2500).prop_map(move |bp| (reference * Decimal::new(bp, 4)).round_dp(4)),
            ];
            (near, Just(reference), Just(per))
        })
        .prop_map(|(difference, reference, per)| Variance {
            difference,
            reference,
            amount: difference * Decimal::from(per),
        })
}

proptest! {
    #![proptest_config(config(2000))]

    /// (e) `judge` is Within iff every limit given on the variance's side
    /// holds (inclusive); `unlimited` always admits; no limits admit only
    /// no variance; no variance is Exact.
    #[test]
    fn judge_follows_the_documented_semantics(
        lower in limit(),
        upper in limit(),
        v in variance(),
    ) {
        let rule = Tolerance { lower, upper, ..Tolerance::builtin(Dimension::UnitPrice) };
        prop_assert_eq!(rule.judge(v), documented(&rule, v), "{:?} under {}", v, rule.describe());
    }
}

/// Two variances that once slipped through: a percentage just past the
/// limit (compared unrounded) and a variance worth nothing (free samples)
/// on a side without limits.
#[test]
fn near_misses_are_beyond() {
    let rule = Tolerance::builtin(Dimension::UnitPrice);
    let just_past = Variance {
        difference: dec!(0.1002),
        reference: dec!(5.00),
        amount: dec!(0.1002),
    };
    assert_eq!(rule.judge(just_past), Judgement::Beyond);
    let mut strict = Tolerance::builtin(Dimension::QuantityReceived);
    strict.upper = Limit::default();
    let free_samples = Variance {
        difference: dec!(8),
        reference: dec!(2),
        amount: Decimal::ZERO,
    };
    assert_eq!(strict.judge(free_samples), Judgement::Beyond);
}
