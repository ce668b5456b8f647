//! Layout "C": Brightline Electronics' English invoice.
//!
//! A large "INVOICE" title, "Bill to" and "Ship to" blocks, a row of boxes with
//! Invoice No. / Invoice Date / Due Date / PO Number, a table with a filled
//! heading `Item | Description | Qty | Unit Price | Amount`, totals with "VAT 0%
//! reverse charge" and a boxed payment details block.

use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use super::parts::{
    Col, buyer_lines, col, date, header, money, page_of, paragraph, po_list, price, quantity, rgb,
    row,
};
use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const TEAL: Rgb = rgb(0, 122, 135);
const PALE: Rgb = rgb(226, 242, 244);
const L: f64 = 48.0;
const R: f64 = 547.0;
const SIZE: f64 = 8.5;

const COLS: [Col; 5] = [
    col("Item", 54.0, Align::Left),
    col("Description", 128.0, Align::Left),
    col("Qty", 372.0, Align::Right),
    col("Unit Price", 452.0, Align::Right),
    col("Amount", 541.0, Align::Right),
];

/// Renders the single page.
pub fn render(v: &View) -> Vec<Canvas> {
    let s = v.seller;
    let mut c = Canvas::new();
    c.rect(0.0, 832.0, 595.0, 10.0, TEAL);

    // Company, left; title, right.
    c.ink(TEAL);
    c.text(Font::Bold, 15.0, L, 790.0, s.name);
    c.ink(Rgb::GREY);
    c.lines(
        Font::Regular,
        8.0,
        L,
        776.0,
        10.0,
        &[
            s.street.to_string(),
            format!("{} {}, Ireland", s.city, s.postcode),
            format!("Tel {}  ·  {}", s.phone, s.email),
            format!("VAT No. {}", s.vat_id),
        ],
    );
    c.ink(TEAL);
    c.right(Font::Bold, 30.0, R, 780.0, "INVOICE");
    c.ink(Rgb::BLACK);

    // Bill to / ship to.
    c.ink(TEAL);
    c.text(Font::Bold, 8.0, L, 718.0, "BILL TO");
    c.text(Font::Bold, 8.0, 300.0, 718.0, "SHIP TO");
    c.ink(Rgb::BLACK);
    let mut bill = buyer_lines(v, "Accounts Payable");
    bill.push(format!("VAT No. {}", v.buyer.vat_id));
    c.lines(Font::Regular, 9.0, L, 704.0, 11.5, &bill);
    let ship = [
        v.buyer.name.to_string(),
        "Goods Inwards, Gate 3".to_string(),
        v.buyer.street.to_string(),
        format!("{} {}, Germany", v.buyer.postcode, v.buyer.city),
    ];
    c.lines(Font::Regular, 9.0, 300.0, 704.0, 11.5, &ship);

    // Reference boxes.
    let boxes = [
        ("INVOICE NO.", v.inv.number.to_string()),
        ("INVOICE DATE", date(v, v.inv.date)),
        ("DUE DATE", date(v, v.due)),
        ("PO NUMBER", po_list(v)),
    ];
    let w = (R - L - 3.0 * 6.0) / 4.0;
    for (i, (label, value)) in boxes.iter().enumerate() {
        let x = L + (w + 6.0) * i as f64;
        c.rect(x, 580.0, w, 38.0, PALE);
        c.frame(x, 580.0, w, 38.0, 0.6, TEAL);
        c.ink(TEAL);
        c.text(Font::Bold, 7.0, x + 7.0, 606.0, label);
        c.ink(Rgb::BLACK);
        c.text(Font::Bold, 10.5, x + 7.0, 589.0, value);
    }
    c.ink(Rgb::GREY);
    c.text(
        Font::Regular,
        8.0,
        L,
        564.0,
        &format!(
            "Customer account {}  ·  Delivery date {}  ·  Currency EUR",
            s.our_customer_number,
            date(v, v.inv.delivery_date)
        ),
    );

    // Lines.
    let mut y = 540.0;
    c.rect(L, y - 5.0, R - L, 17.0, TEAL);
    c.ink(Rgb::WHITE);
    header(&mut c, &COLS, y, SIZE);
    c.ink(Rgb::BLACK);
    y -= 20.0;
    for l in &v.lines {
        let desc = wrap(l.description, Font::Regular, SIZE, 200.0);
        let cells = [
            l.seller_item.to_string(),
            desc.first().cloned().unwrap_or_default(),
            quantity(v, l.quantity),
            price(v, l),
            money(v, l.amount),
        ];
        row(&mut c, &COLS, y, Font::Regular, SIZE, &cells);
        let extra = desc.get(1..).unwrap_or(&[]);
        let below = c.lines(Font::Regular, SIZE, 128.0, y - 11.0, 11.0, extra);
        c.hline(L, R, below + 5.0, 0.3, Rgb::RULE);
        y = below - 6.0;
    }

    // Totals.
    let (lx, vx) = (372.0, 541.0);
    y -= 8.0;
    c.text(Font::Regular, 9.0, lx, y, "Subtotal");
    c.right(Font::Regular, 9.0, vx, y, &money(v, v.net));
    for t in &v.taxes {
        y -= 14.0;
        c.text(
            Font::Regular,
            9.0,
            lx,
            y,
            &format!("VAT {} reverse charge", fmt::percent(t.rate, Lang::En)),
        );
        c.right(Font::Regular, 9.0, vx, y, &money(v, t.tax));
    }
    y -= 24.0;
    c.rect(lx - 8.0, y - 7.0, R - lx + 8.0, 22.0, TEAL);
    c.ink(Rgb::WHITE);
    c.text(Font::Bold, 11.0, lx, y, "Total EUR");
    c.right(Font::Bold, 11.0, vx, y, &money(v, v.gross));
    c.ink(Rgb::BLACK);

    y -= 36.0;
    y = paragraph(
        &mut c,
        Font::Regular,
        8.0,
        L,
        y,
        R - L,
        &format!(
            "Reverse charge: intra-Community supply of goods, exempt under Article 138 of Directive 2006/112/EC. \
             VAT to be accounted for by the recipient ({}).",
            v.buyer.vat_id
        ),
    );

    // Payment details.
    let top = y - 10.0;
    c.frame(L, top - 78.0, 300.0, 78.0, 0.6, TEAL);
    c.ink(TEAL);
    c.text(Font::Bold, 8.0, L + 8.0, top - 14.0, "PAYMENT DETAILS");
    c.ink(Rgb::BLACK);
    let pay = [
        ("Account name", s.name.to_string()),
        ("Bank", v.bank.name.to_string()),
        ("IBAN", fmt::iban(v.bank.iban)),
        ("BIC / SWIFT", v.bank.bic.to_string()),
        ("Reference", v.inv.number.to_string()),
    ];
    for (i, (label, value)) in pay.iter().enumerate() {
        let yy = top - 27.0 - 10.0 * i as f64;
        c.text(Font::Regular, 8.0, L + 8.0, yy, label);
        c.text(Font::Bold, 8.0, L + 80.0, yy, value);
    }
    c.text(
        Font::Regular,
        8.0,
        365.0,
        top - 27.0,
        &format!("Terms: {} days net", v.inv.due_days),
    );
    c.text(
        Font::Regular,
        8.0,
        365.0,
        top - 37.0,
        "Thank you for your business.",
    );

    // Footer.
    c.hline(L, R, 58.0, 0.5, TEAL);
    c.ink(Rgb::GREY);
    c.text(
        Font::Regular,
        7.0,
        L,
        46.0,
        &format!(
            "{} · {} · VAT No. {} · Directors: {}",
            s.name, s.register, s.vat_id, s.managers
        ),
    );
    c.text(
        Font::Regular,
        7.0,
        L,
        36.0,
        &format!(
            "Registered office: {}, {} {}, Ireland · {}",
            s.street, s.city, s.postcode, s.web
        ),
    );
    c.right(Font::Regular, 7.0, R, 36.0, &page_of(Lang::En, 1, 1));
    vec![c]
}
