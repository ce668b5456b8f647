//! Layout "E": a small trader's German invoice written in a word processor.
//!
//! Centred letterhead over a green rule, the customer left, a simple list of
//! facts right, a plain table `Nr. | Artikel | Beschreibung | Anzahl | Preis |
//! Summe` and the bank details in the closing text rather than a footer grid.

use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use super::parts::{
    Col, buyer_lines, col, date, header, money, page_of, paragraph, po_list, price, quantity, rgb,
    row,
};
use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const GREEN: Rgb = rgb(46, 125, 50);
const L: f64 = 62.0;
const R: f64 = 533.0;
const SIZE: f64 = 9.0;

const COLS: [Col; 6] = [
    col("Nr.", 64.0, Align::Left),
    col("Artikel", 88.0, Align::Left),
    col("Beschreibung", 140.0, Align::Left),
    col("Anzahl", 380.0, Align::Right),
    col("Preis", 450.0, Align::Right),
    col("Summe", 531.0, Align::Right),
];

/// Renders the single page.
pub fn render(v: &View) -> Vec<Canvas> {
    let s = v.seller;
    let mut c = Canvas::new();
    c.ink(GREEN);
    c.center(Font::Bold, 17.0, 297.5, 800.0, s.name);
    c.rect(L, 790.0, R - L, 1.2, GREEN);
    c.ink(Rgb::GREY);
    c.center(
        Font::Regular,
        8.5,
        297.5,
        777.0,
        "Laborbedarf · Chemikalien · Glaswaren · Verbrauchsmaterial",
    );
    c.center(
        Font::Regular,
        8.0,
        297.5,
        766.0,
        &format!(
            "{} · {} {} · Tel. {} · {}",
            s.street, s.postcode, s.city, s.phone, s.email
        ),
    );
    c.ink(Rgb::BLACK);
    c.lines(
        Font::Regular,
        10.0,
        L,
        700.0,
        12.5,
        &buyer_lines(v, "Einkauf / Labor"),
    );

    let facts = [
        ("Rechnung Nr.", v.inv.number.to_string()),
        ("Datum", date(v, v.inv.date)),
        ("Lieferung", date(v, v.inv.delivery_date)),
        ("Kunden-Nr.", "Neukunde".to_string()),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        let y = 700.0 - 12.5 * i as f64;
        c.text(Font::Regular, SIZE, 360.0, y, label);
        c.text(
            if i == 0 { Font::Bold } else { Font::Regular },
            SIZE,
            430.0,
            y,
            value,
        );
    }

    c.text(
        Font::Bold,
        13.0,
        L,
        610.0,
        &format!("Rechnung {}", v.inv.number),
    );
    c.text(
        Font::Regular,
        SIZE,
        L,
        590.0,
        &format!("Ihre Bestellung: {}", po_list(v)),
    );
    c.text(
        Font::Regular,
        SIZE,
        L,
        576.0,
        "Vielen Dank für Ihre Bestellung. Wir berechnen Ihnen:",
    );

    let mut y = 548.0;
    header(&mut c, &COLS, y, SIZE);
    c.hline(L, R, y - 4.0, 0.8, Rgb::BLACK);
    y -= 18.0;
    for l in &v.lines {
        let desc = wrap(l.description, Font::Regular, SIZE, 190.0);
        let cells = [
            format!("{}.", l.pos),
            l.seller_item.to_string(),
            desc.first().cloned().unwrap_or_default(),
            format!("{} {}", quantity(v, l.quantity), l.unit.label(Lang::De)),
            price(v, l),
            money(v, l.amount),
        ];
        row(&mut c, &COLS, y, Font::Regular, SIZE, &cells);
        y = c.lines(
            Font::Regular,
            SIZE,
            140.0,
            y - 12.0,
            12.0,
            desc.get(1..).unwrap_or(&[]),
        ) - 4.0;
    }
    c.hline(L, R, y + 8.0, 0.8, Rgb::BLACK);

    let (lx, vx) = (360.0, 531.0);
    y -= 8.0;
    c.text(Font::Regular, SIZE, lx, y, "Summe netto");
    c.right(
        Font::Regular,
        SIZE,
        vx,
        y,
        &format!("{} €", money(v, v.net)),
    );
    for t in &v.taxes {
        y -= 13.0;
        c.text(
            Font::Regular,
            SIZE,
            lx,
            y,
            &format!("zzgl. {} USt.", fmt::percent(t.rate, Lang::De)),
        );
        c.right(
            Font::Regular,
            SIZE,
            vx,
            y,
            &format!("{} €", money(v, t.tax)),
        );
    }
    y -= 17.0;
    c.text(Font::Bold, 10.0, lx, y, "Gesamtbetrag");
    c.right(Font::Bold, 10.0, vx, y, &format!("{} €", money(v, v.gross)));
    c.hline(lx, R, y - 4.0, 0.8, GREEN);

    y -= 40.0;
    y = paragraph(
        &mut c,
        Font::Regular,
        SIZE,
        L,
        y,
        R - L,
        &format!(
            "Bitte überweisen Sie den Betrag innerhalb von {} Tagen (bis {}) auf folgendes Konto: {}, IBAN {}, BIC {}. \
             Als Verwendungszweck bitte die Rechnungsnummer angeben.",
            v.inv.due_days,
            date(v, v.due),
            v.bank.name,
            fmt::iban(v.bank.iban),
            v.bank.bic
        ),
    );
    c.text(Font::Regular, SIZE, L, y - 14.0, "Mit freundlichen Grüßen");
    c.text(Font::Regular, SIZE, L, y - 40.0, "Jörg Feldmann");

    c.ink(Rgb::GREY);
    c.center(
        Font::Regular,
        7.0,
        297.5,
        50.0,
        &format!(
            "{} · {} · Steuernummer {} · USt-IdNr. {}",
            s.managers,
            s.register,
            s.tax_number.unwrap_or_default(),
            s.vat_id
        ),
    );
    c.center(Font::Regular, 7.0, 297.5, 40.0, &page_of(Lang::De, 1, 1));
    vec![c]
}
