//! Layout "D": Müller Präzisionsteile's German invoice with a boxed table.
//!
//! An accent bar beside the company name, address window left, a gridded info
//! box right, the line table drawn as a full grid (`Pos. | Artikel-Nr. |
//! Bezeichnung | Menge | ME | E-Preis € | Betrag €`) and a boxed totals block
//! aligned right.

use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use super::parts::{
    Col, buyer_lines, col, date, footer, header, money, page_of, paragraph, po_list, price,
    quantity, rgb, row,
};
use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const RED: Rgb = rgb(150, 24, 36);
const L: f64 = 57.0;
const R: f64 = 538.0;
const SIZE: f64 = 8.5;
/// Vertical grid lines of the table.
const GRID: [f64; 8] = [L, 84.0, 150.0, 330.0, 372.0, 400.0, 466.0, R];

const COLS: [Col; 7] = [
    col("Pos.", 61.0, Align::Left),
    col("Artikel-Nr.", 88.0, Align::Left),
    col("Bezeichnung", 154.0, Align::Left),
    col("Menge", 368.0, Align::Right),
    col("ME", 376.0, Align::Left),
    col("E-Preis €", 462.0, Align::Right),
    col("Betrag €", 534.0, Align::Right),
];

/// Renders the single page.
pub fn render(v: &View) -> Vec<Canvas> {
    let s = v.seller;
    let mut c = Canvas::new();
    c.fold_marks();
    c.rect(L, 772.0, 8.0, 42.0, RED);
    c.text(Font::Bold, 18.0, L + 16.0, 797.0, s.name);
    c.ink(Rgb::GREY);
    c.text(
        Font::Regular,
        8.5,
        L + 16.0,
        780.0,
        "CNC-Fräs- und Drehteile · Baugruppen · Oberflächentechnik",
    );
    c.lines(
        Font::Regular,
        7.5,
        410.0,
        810.0,
        9.0,
        &[
            s.street.to_string(),
            format!("{} {}", s.postcode, s.city),
            format!("Telefon {}", s.phone),
            s.email.to_string(),
        ],
    );
    let sender = format!("{} · {} · {} {}", s.name, s.street, s.postcode, s.city);
    c.text(Font::Regular, 6.5, L, 716.0, &sender);
    c.hline(
        L,
        L + Font::Regular.width(&sender, 6.5),
        714.0,
        0.3,
        Rgb::GREY,
    );
    c.ink(Rgb::BLACK);
    c.lines(
        Font::Regular,
        10.0,
        L,
        698.0,
        12.5,
        &buyer_lines(v, "Rechnungsprüfung"),
    );

    // Gridded info box.
    let info = [
        ("Rechnungs-Nr.", v.inv.number.to_string()),
        ("Datum", date(v, v.inv.date)),
        ("Kunden-Nr.", s.our_customer_number.to_string()),
        ("Ihre Bestellung", po_list(v)),
        ("Lieferdatum", date(v, v.inv.delivery_date)),
        ("Ihre USt-IdNr.", v.buyer.vat_id.to_string()),
    ];
    let (bx, bw, rh, top) = (340.0, R - 340.0, 14.0, 724.0);
    c.rect(bx, top - rh, bw, rh, Rgb::SHADE);
    for (i, (label, value)) in info.iter().enumerate() {
        let y = top - rh * (i as f64 + 1.0);
        c.hline(bx, R, y, 0.4, Rgb::GREY);
        c.ink(Rgb::GREY);
        c.text(Font::Regular, 8.0, bx + 5.0, y + 4.0, label);
        c.ink(Rgb::BLACK);
        c.text(
            if i == 0 { Font::Bold } else { Font::Regular },
            8.0,
            bx + 80.0,
            y + 4.0,
            value,
        );
    }
    let bottom = top - rh * info.len() as f64;
    c.frame(bx, bottom, bw, rh * info.len() as f64, 0.6, Rgb::BLACK);
    c.line(bx + 75.0, bottom, bx + 75.0, top, 0.4, Rgb::GREY);

    c.ink(RED);
    c.text(Font::Bold, 16.0, L, 598.0, "RECHNUNG");
    c.ink(Rgb::BLACK);
    c.text(
        Font::Bold,
        11.0,
        L + 95.0,
        598.0,
        &format!("Nr. {}", v.inv.number),
    );
    c.text(
        Font::Regular,
        9.0,
        L,
        578.0,
        "Wir danken für Ihren Auftrag und berechnen Ihnen folgende Lieferung:",
    );

    // The gridded table.
    let head_top = 560.0;
    let mut y = head_top - 12.0;
    c.rect(L, head_top - 17.0, R - L, 17.0, rgb(225, 225, 225));
    header(&mut c, &COLS, y, SIZE);
    y -= 18.0;
    for l in &v.lines {
        let desc = wrap(l.description, Font::Regular, SIZE, 170.0);
        let cells = [
            l.pos.to_string(),
            l.seller_item.to_string(),
            desc.first().cloned().unwrap_or_default(),
            quantity(v, l.quantity),
            l.unit.label(Lang::De).to_string(),
            price(v, l),
            money(v, l.amount),
        ];
        row(&mut c, &COLS, y, Font::Regular, SIZE, &cells);
        let below = c.lines(
            Font::Regular,
            SIZE,
            154.0,
            y - 11.0,
            11.0,
            desc.get(1..).unwrap_or(&[]),
        );
        c.hline(L, R, below + 5.0, 0.5, Rgb::BLACK);
        y = below - 6.0;
    }
    let table_bottom = y + 11.0;
    c.hline(L, R, head_top - 17.0, 0.5, Rgb::BLACK);
    for x in GRID {
        c.line(x, table_bottom, x, head_top, 0.5, Rgb::BLACK);
    }
    c.hline(L, R, head_top, 0.5, Rgb::BLACK);

    // Boxed totals, right.
    let (tx, rh) = (372.0, 16.0);
    let mut rows = vec![("Warenwert netto".to_string(), money(v, v.net), false)];
    for t in &v.taxes {
        rows.push((
            format!("zzgl. USt. {}", fmt::percent(t.rate, Lang::De)),
            money(v, t.tax),
            false,
        ));
    }
    rows.push(("Endbetrag EUR".to_string(), money(v, v.gross), true));
    let mut ty = table_bottom - 12.0;
    for (label, value, strong) in &rows {
        if *strong {
            c.rect(tx, ty - rh, R - tx, rh, rgb(225, 225, 225));
        }
        c.frame(tx, ty - rh, R - tx, rh, 0.5, Rgb::BLACK);
        let font = if *strong { Font::Bold } else { Font::Regular };
        c.text(font, 9.0, tx + 5.0, ty - 11.5, label);
        c.right(font, 9.0, 534.0, ty - 11.5, value);
        ty -= rh;
    }
    c.line(466.0, ty, 466.0, table_bottom - 12.0, 0.5, Rgb::BLACK);

    let text = format!(
        "Bitte überweisen Sie den Rechnungsbetrag ohne Abzug bis zum {} auf das unten genannte Konto. \
         Die Ware bleibt bis zur vollständigen Bezahlung unser Eigentum. Lieferung frei Haus.",
        date(v, v.due)
    );
    paragraph(&mut c, Font::Regular, 8.5, L, ty - 28.0, R - L, &text);

    // Footer.
    c.hline(L, R, 88.0, 0.8, RED);
    c.ink(Rgb::GREY);
    footer(
        &mut c,
        78.0,
        6.8,
        &[
            (
                L,
                120.0,
                vec![
                    s.name.to_string(),
                    s.street.to_string(),
                    format!("{} {}", s.postcode, s.city),
                ],
            ),
            (
                190.0,
                110.0,
                vec![
                    s.register.to_string(),
                    format!("Geschäftsführung: {}", s.managers),
                ],
            ),
            (
                305.0,
                120.0,
                vec![
                    v.bank.name.to_string(),
                    format!("IBAN {}", fmt::iban(v.bank.iban)),
                    format!("BIC {}", v.bank.bic),
                ],
            ),
            (
                432.0,
                106.0,
                vec![
                    format!("USt-IdNr. {}", s.vat_id),
                    format!("Steuer-Nr. {}", s.tax_number.unwrap_or_default()),
                    s.web.to_string(),
                ],
            ),
        ],
    );
    c.right(Font::Regular, 7.0, R, 96.0, &page_of(Lang::De, 1, 1));
    vec![c]
}
