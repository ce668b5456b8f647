//! The expected decisions follow from the committed ERP data.
//!
//! A deliberately plain reference matcher (2 % unit-price tolerance, goods-
//! receipt-based quantities, IBAN on record, duplicate by supplier + number)
//! reads `fixtures/erp/*.json` and the scenario's documents and must reach the
//! decision in `fixtures/expected.json` for every inbox file.

mod common;

use std::collections::BTreeMap;

use docket_domain::erp::{BookedInvoice, GoodsReceipt, PurchaseOrder, Supplier};
use docket_domain::normalize::invoice_number;
use docket_domain::{Decision, DocumentKind};
use docket_fixtures::model::View;
use docket_fixtures::scenarios::{Case, Channel, World};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::de::DeserializeOwned;

fn load<T: DeserializeOwned>(file: &str) -> Vec<T> {
    serde_json::from_slice(&common::read_committed(&format!("erp/{file}"))).expect("valid ERP JSON")
}

struct Erp {
    suppliers: Vec<Supplier>,
    pos: Vec<PurchaseOrder>,
    receipts: Vec<GoodsReceipt>,
    booked: Vec<BookedInvoice>,
}

fn decide(world: &World, case: &Case, erp: &Erp) -> (Decision, &'static str) {
    if case.channel == Channel::DamagedPdf {
        return (Decision::Quarantined, "unreadable");
    }
    let v = View::new(world, case).expect("view");
    let Some(supplier) = erp
        .suppliers
        .iter()
        .find(|s| s.vat_id.as_deref() == Some(v.seller.vat_id))
    else {
        return (Decision::Exception, "unknown supplier");
    };
    let kind = case.invoice.kind;
    let duplicate = erp.booked.iter().any(|b| {
        !b.reversed
            && b.supplier_id == supplier.id
            && b.kind == kind
            && invoice_number(&b.supplier_reference) == invoice_number(case.invoice.number)
            && b.gross.amount == v.gross * v.sign()
    });
    if duplicate {
        return (Decision::Duplicate, "already booked");
    }
    if !supplier.ibans.iter().any(|i| i == v.bank.iban) {
        return (Decision::Exception, "bank account not on record");
    }
    if let Some(original) = case.invoice.corrects {
        let found = erp
            .booked
            .iter()
            .any(|b| b.supplier_id == supplier.id && b.supplier_reference == original);
        if !found {
            return (Decision::Exception, "credited invoice not booked");
        }
    }
    let mut waiting = false;
    for line in &v.lines {
        let Some((po, po_line)) = line.po else {
            return (Decision::Exception, "line without PO");
        };
        let Some(order) = erp
            .pos
            .iter()
            .find(|p| p.number == po && p.supplier_id == supplier.id)
        else {
            return (Decision::Exception, "PO not found for supplier");
        };
        let Some(pol) = order.lines.iter().find(|l| l.line == po_line) else {
            return (Decision::Exception, "PO line not found");
        };
        if ((line.price - pol.unit_price) / pol.unit_price).abs() > dec!(0.02) {
            return (Decision::Exception, "price beyond tolerance");
        }
        let received: Decimal = erp
            .receipts
            .iter()
            .filter(|r| r.purchase_order == po && r.purchase_order_line == po_line)
            .map(|r| r.quantity)
            .sum();
        let invoiced: Decimal = erp
            .booked
            .iter()
            .filter(|b| !b.reversed)
            .flat_map(|b| &b.lines)
            .filter(|l| l.purchase_order == po && l.purchase_order_line == po_line)
            .map(|l| l.quantity)
            .sum();
        match kind {
            DocumentKind::CreditNote
                if line.quantity > invoiced || invoiced - line.quantity != received =>
            {
                return (
                    Decision::Exception,
                    "credit does not square invoiced with received",
                );
            }
            DocumentKind::CreditNote => {}
            _ if received <= Decimal::ZERO => waiting = true,
            _ if line.quantity > received - invoiced => {
                return (
                    Decision::Exception,
                    "more billed than received and not yet invoiced",
                );
            }
            _ => {}
        }
    }
    if waiting {
        (Decision::Waiting, "goods not received")
    } else {
        (Decision::Booked, "matched")
    }
}

#[test]
fn expected_decisions_follow_from_the_erp_data() {
    let world = World::new();
    let erp = Erp {
        suppliers: load("suppliers.json"),
        pos: load("purchase_orders.json"),
        receipts: load("goods_receipts.json"),
        booked: load("booked_invoices.json"),
    };
    let expected: BTreeMap<String, Decision> =
        serde_json::from_slice(&common::read_committed("expected.json")).expect("expected.json");
    assert_eq!(expected.len(), 14);
    for case in world.inbox() {
        let (decision, why) = decide(&world, case, &erp);
        assert_eq!(
            Some(&decision),
            expected.get(case.file),
            "{}: reference matcher says {decision:?} ({why})",
            case.file
        );
    }
}

#[test]
fn tax_arithmetic_is_exact_and_never_on_a_half_cent() {
    let world = World::new();
    for case in &world.cases {
        let v = View::new(&world, case).expect("view");
        let net: Decimal = v.lines.iter().map(|l| l.amount).sum();
        assert_eq!(net, v.net);
        for l in &v.lines {
            assert_eq!(
                l.quantity * l.price,
                l.amount,
                "{}: line {} not exact",
                case.invoice.number,
                l.pos
            );
        }
        let exact = v.net * v.taxes[0].rate / Decimal::ONE_HUNDRED;
        assert_ne!(
            (exact * dec!(1000)) % dec!(10),
            dec!(5),
            "{}: VAT on a half cent",
            case.invoice.number
        );
        assert_eq!(v.gross, v.net + v.tax);
    }
}

#[test]
fn price_deviations_are_as_the_cases_say() {
    let world = World::new();
    let deviation = |file: &str| {
        let case = world
            .inbox()
            .find(|c| c.file.starts_with(file))
            .expect("case");
        let v = View::new(&world, case).expect("view");
        let (po, line) = v.lines[0].po.expect("po");
        let pol = world
            .po(po)
            .and_then(|p| p.lines.iter().find(|l| l.line == line))
            .expect("po line");
        (v.lines[0].price - pol.price) / pol.price * Decimal::ONE_HUNDRED
    };
    assert_eq!(deviation("02-"), dec!(1.5));
    assert_eq!(deviation("03-"), dec!(12));
}
