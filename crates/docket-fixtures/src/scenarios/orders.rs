//! The purchase orders and goods receipts in the ERP.
//!
//! Conventions: PO numbers `45000001xx`, goods receipts `50000001xx` (the same
//! `xx` as their PO). Full receipts are derived from the PO lines so that
//! quantities cannot drift apart; partial receipts and returns are explicit.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::catalogue::*;
use super::parties::{BRIGHTLINE, DUBOIS, MUELLER, NORDWIND, SCHMIDT, VAN_LEEUWEN};
use super::{Company, Po, PoLine, Receipt, d};

fn line(no: &'static str, a: Article, quantity: Decimal) -> PoLine {
    PoLine {
        line: no,
        item_code: a.1,
        supplier_item_code: a.0,
        description: a.2,
        quantity,
        unit: a.3,
        price: a.4,
    }
}

fn po(
    number: &'static str,
    supplier: &'static Company,
    date: (u32, u32),
    lines: Vec<PoLine>,
) -> Po {
    Po {
        number,
        supplier,
        date: d(2026, date.0, date.1),
        lines,
    }
}

/// The purchase orders in the ERP.
pub fn purchase_orders() -> Vec<Po> {
    vec![
        po(
            "4500000100",
            &NORDWIND,
            (10, 1),
            vec![line("10", N_PAPER, dec!(60)), line("20", N_PENS, dec!(4))],
        ),
        po(
            "4500000101",
            &NORDWIND,
            (10, 12),
            vec![
                line("10", N_PAPER, dec!(40)),
                line("20", N_BINDER, dec!(50)),
                line("30", N_TONER, dec!(4)),
                line("40", N_NOTES, dec!(12)),
            ],
        ),
        po(
            "4500000102",
            &VAN_LEEUWEN,
            (10, 13),
            vec![
                line("10", V_BOX, dec!(500)),
                line("20", V_STRETCH, dec!(24)),
                line("30", V_TAPE, dec!(144)),
            ],
        ),
        po(
            "4500000103",
            &BRIGHTLINE,
            (10, 15),
            vec![
                line("10", B_DCDC, dec!(40)),
                line("20", B_MCU, dec!(200)),
                line("30", B_USBC, dec!(400)),
            ],
        ),
        po(
            "4500000104",
            &NORDWIND,
            (10, 14),
            vec![
                line("10", N_PAPER, dec!(100)),
                line("20", N_ENVELOPES, dec!(20)),
            ],
        ),
        po(
            "4500000105",
            &VAN_LEEUWEN,
            (10, 26),
            vec![line("10", V_FOAM, dec!(200)), line("20", V_ESD, dec!(1000))],
        ),
        po(
            "4500000106",
            &BRIGHTLINE,
            (10, 8),
            vec![
                line("10", B_TFT, dec!(60)),
                line("20", B_SENSOR, dec!(25)),
                line("30", B_MLCC, dec!(2)),
            ],
        ),
        po(
            "4500000107",
            &NORDWIND,
            (10, 20),
            vec![
                line("10", N_FOLDERS, dec!(10)),
                line("20", N_MARKERS, dec!(15)),
                line("30", N_PUNCH, dec!(6)),
            ],
        ),
        po(
            "4500000108",
            &VAN_LEEUWEN,
            (10, 5),
            vec![
                line("10", V_PALLETBOX, dec!(40)),
                line("20", V_FILLER, dec!(10)),
            ],
        ),
        po(
            "4500000110",
            &NORDWIND,
            (10, 22),
            vec![
                line("10", N_PENS, dec!(6)),
                line("20", N_LABELS, dec!(10)),
                line("30", N_STAPLES, dec!(20)),
                line("40", N_LAMINATE, dec!(5)),
                line("50", N_FILES, dec!(40)),
                line("60", N_TAPE, dec!(12)),
                line("70", N_HIGHLIGHT, dec!(15)),
                line("80", N_SLEEVES, dec!(20)),
            ],
        ),
        po(
            "4500000111",
            &NORDWIND,
            (10, 23),
            vec![
                line("10", N_FLIPCHART, dec!(8)),
                line("20", N_DESKPAD, dec!(12)),
                line("30", N_LAMP, dec!(6)),
                line("40", N_BATTERIES, dec!(10)),
                line("50", N_PAPER, dec!(30)),
                line("60", N_BINDER, dec!(24)),
                line("70", N_NOTES, dec!(6)),
                line("80", N_MARKERS, dec!(10)),
            ],
        ),
        po(
            "4500000112",
            &DUBOIS,
            (10, 9),
            vec![
                line("10", D_CASE, dec!(12)),
                line("20", D_PANEL, dec!(50)),
                line("30", D_POUCH, dec!(20)),
            ],
        ),
        po(
            "4500000113",
            &SCHMIDT,
            (10, 21),
            vec![
                line("10", S_GLOVES, dec!(20)),
                line("20", S_SCREWS, dec!(15)),
                line("30", S_IPA, dec!(6)),
                line("40", S_TORQUE, dec!(2)),
            ],
        ),
        po(
            "4500000114",
            &MUELLER,
            (10, 6),
            vec![
                line("10", M_BASE, dec!(50)),
                line("20", M_LID, dec!(50)),
                line("30", M_HOLDER, dec!(200)),
            ],
        ),
        po(
            "4500000115",
            &NORDWIND,
            (10, 27),
            vec![
                line("10", N_TONER, dec!(6)),
                line("20", N_ENVELOPES, dec!(10)),
                line("30", N_BATTERIES, dec!(10)),
            ],
        ),
    ]
}

/// A receipt of every line of a PO in full, as one material document.
fn receive_all(
    pos: &[Po],
    po_number: &'static str,
    gr: &'static str,
    date: (u32, u32),
) -> Vec<Receipt> {
    let lines = pos
        .iter()
        .find(|p| p.number == po_number)
        .map(|p| p.lines.as_slice())
        .unwrap_or(&[]);
    lines
        .iter()
        .zip(ITEMS)
        .map(|(l, item)| Receipt {
            number: gr,
            item,
            po: po_number,
            po_line: l.line,
            quantity: l.quantity,
            date: d(2026, date.0, date.1),
        })
        .collect()
}

const ITEMS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// The goods receipts and returns in the ERP.
pub fn receipts(pos: &[Po]) -> Vec<Receipt> {
    let mut r = Vec::new();
    r.extend(receive_all(pos, "4500000100", "5000000100", (10, 5)));
    r.extend(receive_all(pos, "4500000101", "5000000101", (10, 19)));
    r.extend(receive_all(pos, "4500000102", "5000000102", (10, 22)));
    r.extend(receive_all(pos, "4500000103", "5000000103", (10, 28)));
    // Case 04: 60 of 100 packs of paper so far; the envelopes in full.
    r.push(Receipt {
        number: "5000000104",
        item: "1",
        po: "4500000104",
        po_line: "10",
        quantity: dec!(60),
        date: d(2026, 10, 21),
    });
    r.push(Receipt {
        number: "5000000104",
        item: "2",
        po: "4500000104",
        po_line: "20",
        quantity: dec!(20),
        date: d(2026, 10, 21),
    });
    // Case 05: nothing received for 4500000105 yet.
    r.extend(receive_all(pos, "4500000106", "5000000106", (10, 20)));
    r.extend(receive_all(pos, "4500000107", "5000000107", (10, 27)));
    r.extend(receive_all(pos, "4500000108", "5000000108", (10, 14)));
    r.extend(receive_all(pos, "4500000110", "5000000110", (10, 29)));
    r.extend(receive_all(pos, "4500000111", "5000000111", (10, 30)));
    r.extend(receive_all(pos, "4500000112", "5000000112", (11, 2)));
    r.extend(receive_all(pos, "4500000113", "5000000113", (10, 30)));
    r.extend(receive_all(pos, "4500000114", "5000000114", (11, 4)));
    r.extend(receive_all(pos, "4500000115", "5000000115", (11, 3)));
    // Case 08: five damaged pallet boxes went back (return delivery, movement 122).
    r.push(Receipt {
        number: "5000000117",
        item: "1",
        po: "4500000108",
        po_line: "10",
        quantity: dec!(-5),
        date: d(2026, 10, 28),
    });
    r
}
