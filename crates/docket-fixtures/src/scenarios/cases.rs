//! The supplier documents: history already booked, and the inbox cases.
//!
//! ERP invoice documents are numbered `51056000xx`. Invoices quote the PO price
//! unless a line says otherwise; full invoices are derived from the PO lines.

use docket_domain::{Decision, DocumentKind};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::parties::{
    BRIGHTLINE, DUBOIS, FELDMANN, MUELLER, NORDWIND, SCHMIDT, UNRECORDED_BANK, VAN_LEEUWEN,
};
use super::{Booked, Case, Channel, Company, FreeItem, InvLine, Invoice, LineRef, Po, Unit, d};

/// Bills every line of a PO in full at the PO price.
fn bill_all(pos: &[Po], po_number: &'static str) -> Vec<InvLine> {
    pos.iter()
        .filter(|p| p.number == po_number)
        .flat_map(|p| p.lines.iter())
        .map(|l| InvLine {
            what: LineRef::Po(po_number, l.line),
            quantity: l.quantity,
            price: None,
        })
        .collect()
}

fn bill(
    po_number: &'static str,
    po_line: &'static str,
    quantity: Decimal,
    price: Option<Decimal>,
) -> InvLine {
    InvLine {
        what: LineRef::Po(po_number, po_line),
        quantity,
        price,
    }
}

fn free(
    code: &'static str,
    description: &'static str,
    unit: Unit,
    quantity: Decimal,
    price: Decimal,
) -> InvLine {
    InvLine {
        what: LineRef::Free(FreeItem {
            code,
            description,
            unit,
        }),
        quantity,
        price: Some(price),
    }
}

fn invoice(
    number: &'static str,
    supplier: &'static Company,
    date: (u32, u32),
    delivered: (u32, u32),
    lines: Vec<InvLine>,
) -> Invoice {
    Invoice {
        number,
        supplier,
        kind: DocumentKind::Invoice,
        date: d(2026, date.0, date.1),
        delivery_date: d(2026, delivered.0, delivered.1),
        due_days: 30,
        lines,
        order_text: None,
        pay_to: None,
        corrects: None,
        remark: None,
    }
}

fn case(
    file: &'static str,
    invoice: Invoice,
    channel: Channel,
    expected: Decision,
    story: &'static str,
) -> Case {
    Case {
        file,
        invoice,
        channel,
        booked: None,
        expected: Some(expected),
        story,
    }
}

fn history(invoice: Invoice, erp_ref: &'static str, by_docket: bool) -> Case {
    Case {
        file: "",
        invoice,
        channel: Channel::None,
        booked: Some(Booked { erp_ref, by_docket }),
        expected: None,
        story: "",
    }
}

/// All supplier documents: history that is only booked, and the inbox.
pub fn cases(pos: &[Po]) -> Vec<Case> {
    let mut duplicate = case(
        "06-duplicate.pdf",
        invoice(
            "BE-104652",
            &BRIGHTLINE,
            (10, 23),
            (10, 20),
            bill_all(pos, "4500000106"),
        ),
        Channel::Pdf,
        Decision::Duplicate,
        "The same invoice (number, supplier, amount) was booked by hand as 5105600003 on 23 Oct; the PO lines are fully invoiced.",
    );
    duplicate.booked = Some(Booked {
        erp_ref: "5105600003",
        by_docket: false,
    });

    let mut bank = invoice(
        "RE-2026-10559",
        &NORDWIND,
        (11, 5),
        (10, 27),
        bill_all(pos, "4500000107"),
    );
    bank.pay_to = Some(&UNRECORDED_BANK);
    bank.remark = Some("Bitte beachten Sie unsere geänderte Bankverbindung (siehe unten)!");

    let mut credit = invoice(
        "VL-2026-0419",
        &VAN_LEEUWEN,
        (11, 4),
        (10, 14),
        vec![bill("4500000108", "10", dec!(5), None)],
    );
    credit.kind = DocumentKind::CreditNote;
    credit.corrects = Some("VL-2026-0377");
    credit.remark = Some(
        "Betreft factuur VL-2026-0377 van 15-10-2026: 5 palletdozen beschadigd ontvangen en retour genomen.",
    );

    let mut unknown = invoice(
        "2026-1093",
        &FELDMANN,
        (11, 5),
        (11, 3),
        vec![
            free(
                "LB-2200",
                "Pipettenspitzen 200 µl, gelb, 960 St.",
                Unit::Pack,
                dec!(2),
                dec!(38.90),
            ),
            free(
                "LB-0315",
                "Nitril-Untersuchungshandschuhe M, 100 St.",
                Unit::Pack,
                dec!(5),
                dec!(6.20),
            ),
            free(
                "LB-4545",
                "Laborflasche 500 ml, GL 45, Borosilikat",
                Unit::Piece,
                dec!(12),
                dec!(5.75),
            ),
        ],
    );
    unknown.order_text = Some("telefonisch, Frau Okafor, 30.10.2026");
    unknown.due_days = 14;

    let mut two_pos = bill_all(pos, "4500000110");
    two_pos.extend(bill_all(pos, "4500000111"));

    let early = invoice(
        "VL-2026-0447",
        &VAN_LEEUWEN,
        (11, 6),
        (11, 5),
        bill_all(pos, "4500000105"),
    );

    vec![
        history(
            invoice(
                "RE-2026-10233",
                &NORDWIND,
                (10, 6),
                (10, 5),
                bill_all(pos, "4500000100"),
            ),
            "5105600001",
            true,
        ),
        history(
            invoice(
                "VL-2026-0377",
                &VAN_LEEUWEN,
                (10, 15),
                (10, 14),
                bill_all(pos, "4500000108"),
            ),
            "5105600002",
            true,
        ),
        case(
            "01-exact-match.pdf",
            invoice(
                "RE-2026-10481",
                &NORDWIND,
                (11, 2),
                (10, 19),
                bill_all(pos, "4500000101"),
            ),
            Channel::Pdf,
            Decision::Booked,
            "PO fully received, quantities and prices exactly as ordered, IBAN on record.",
        ),
        case(
            "02-price-within-tolerance.pdf",
            invoice(
                "VL-2026-0431",
                &VAN_LEEUWEN,
                (11, 3),
                (10, 22),
                vec![
                    bill("4500000102", "10", dec!(500), Some(dec!(2.03))),
                    bill("4500000102", "20", dec!(24), None),
                    bill("4500000102", "30", dec!(144), None),
                ],
            ),
            Channel::Pdf,
            Decision::Booked,
            "Line 10 is billed at 2.03 against 2.00 on the PO (+1.5 %), inside the 2 % price tolerance; reverse charge 0 %.",
        ),
        case(
            "03-price-beyond-tolerance.pdf",
            invoice(
                "BE-104877",
                &BRIGHTLINE,
                (11, 4),
                (10, 28),
                vec![
                    bill("4500000103", "10", dec!(40), Some(dec!(28.00))),
                    bill("4500000103", "20", dec!(200), None),
                    bill("4500000103", "30", dec!(400), None),
                ],
            ),
            Channel::Pdf,
            Decision::Exception,
            "Line 10 is billed at 28.00 against 25.00 on the PO (+12 %), beyond the 2 % tolerance.",
        ),
        case(
            "04-partial-delivery.pdf",
            invoice(
                "RE-2026-10502",
                &NORDWIND,
                (11, 3),
                (10, 21),
                vec![
                    bill("4500000104", "10", dec!(60), None),
                    bill("4500000104", "20", dec!(20), None),
                ],
            ),
            Channel::Pdf,
            Decision::Booked,
            "100 packs ordered, 60 received and 60 billed (partial delivery); line 20 in full.",
        ),
        case(
            "05-before-goods-receipt.pdf",
            early,
            Channel::Pdf,
            Decision::Waiting,
            "PO 4500000105 exists and prices match, but nothing has been received yet: wait for the goods receipt.",
        ),
        duplicate,
        case(
            "07-bank-account-not-on-record.pdf",
            bank,
            Channel::Pdf,
            Decision::Exception,
            "Everything matches, but the printed IBAN (a valid one) is not on Nordwind's master record.",
        ),
        case(
            "08-credit-note.pdf",
            credit,
            Channel::Pdf,
            Decision::Booked,
            "Credit note for 5 of the 40 pallet boxes of invoice VL-2026-0377 (booked as 5105600002); the ERP shows their return delivery 5000000117.",
        ),
        case(
            "09-unknown-supplier.pdf",
            unknown,
            Channel::Pdf,
            Decision::Exception,
            "Valid VAT id and IBAN, but the supplier is not in the ERP and no PO is named.",
        ),
        case(
            "10-two-purchase-orders.pdf",
            invoice("RE-2026-10617", &NORDWIND, (11, 9), (10, 30), two_pos),
            Channel::Pdf,
            Decision::Booked,
            "One two-page invoice over two POs (each line names its PO and line); both fully received.",
        ),
        case(
            "11-facturx-hybrid.pdf",
            invoice(
                "F2026-00318",
                &DUBOIS,
                (11, 4),
                (11, 2),
                bill_all(pos, "4500000112"),
            ),
            Channel::FacturX,
            Decision::Booked,
            "Factur-X EN 16931: the attached CII names the PO; intra-EU supply, 0 % VAT; matches exactly.",
        ),
        case(
            "12-ubl-by-mail.eml",
            invoice(
                "SIB-2026-30571",
                &SCHMIDT,
                (11, 6),
                (10, 30),
                bill_all(pos, "4500000113"),
            ),
            Channel::UblMail,
            Decision::Booked,
            "Peppol BIS 3 UBL invoice attached to a mail from the supplier's domain; matches exactly.",
        ),
        case(
            "13-pdf-by-mail.eml",
            invoice(
                "MP-2026-04471",
                &MUELLER,
                (11, 6),
                (11, 4),
                bill_all(pos, "4500000114"),
            ),
            Channel::PdfMail,
            Decision::Booked,
            "PDF attached to a multipart/alternative mail (RFC 2231 file name with umlauts); matches exactly.",
        ),
        case(
            "14-damaged.pdf",
            invoice(
                "RE-2026-10644",
                &NORDWIND,
                (11, 10),
                (11, 3),
                bill_all(pos, "4500000115"),
            ),
            Channel::DamagedPdf,
            Decision::Quarantined,
            "A Nordwind invoice cut off half-way with bytes overwritten: it cannot be read.",
        ),
    ]
}
