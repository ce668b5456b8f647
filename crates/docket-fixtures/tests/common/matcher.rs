//! A deliberately plain reference matcher: 2 % unit-price tolerance, goods-
//! receipt-based quantities, IBAN on record, duplicate by supplier + number.
//! It reads ERP JSON files and a world's documents; the committed fixtures and
//! the bulk sets must both reach their expected decisions with it.

use docket_domain::erp::{BookedInvoice, GoodsReceipt, PurchaseOrder, Supplier};
use docket_domain::normalize::invoice_number;
use docket_domain::{Decision, DocumentKind};
use docket_fixtures::model::View;
use docket_fixtures::scenarios::{Case, Channel, World};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::de::DeserializeOwned;

/// The ERP records the matcher reads.
pub struct Erp {
    pub suppliers: Vec<Supplier>,
    pub pos: Vec<PurchaseOrder>,
    pub receipts: Vec<GoodsReceipt>,
    pub booked: Vec<BookedInvoice>,
}

fn parse<T: DeserializeOwned>(bytes: Vec<u8>) -> Vec<T> {
    serde_json::from_slice(&bytes).expect("valid ERP JSON")
}

impl Erp {
    /// Loads the ERP files through `read` (given a name like `suppliers.json`).
    pub fn load(read: impl Fn(&str) -> Vec<u8>) -> Erp {
        Erp {
            suppliers: parse(read("suppliers.json")),
            pos: parse(read("purchase_orders.json")),
            receipts: parse(read("goods_receipts.json")),
            booked: parse(read("booked_invoices.json")),
        }
    }
}

/// The decision for one inbox case, and why.
pub fn decide(world: &World, case: &Case, erp: &Erp) -> (Decision, &'static str) {
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

/// Panics unless every line amount is exactly quantity x price, the net is their
/// sum, the VAT never falls on a half cent and gross = net + VAT.
pub fn assert_exact_arithmetic(world: &World) {
    for case in &world.cases {
        let v = View::new(world, case).expect("view");
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
