//! Layout "B": Van Leeuwen Verpakkingen's Dutch invoice and credit note.
//!
//! A logo-like block top right, the addressee left, a large title, a two-column
//! reference box, a zebra-striped table `Artikel | Omschrijving | Aantal | Prijs |
//! Bedrag`, totals with "BTW verlegd 0%", a payment request and a one-line footer.

use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use super::parts::{
    Col, buyer_lines, col, date, doc_word, header, money, page_of, paragraph, po_list, price,
    quantity, rgb, row,
};
use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const ORANGE: Rgb = rgb(232, 110, 28);
const GREEN: Rgb = rgb(22, 84, 62);
const L: f64 = 50.0;
const R: f64 = 545.0;
const SIZE: f64 = 9.0;

const COLS: [Col; 5] = [
    col("Artikel", 54.0, Align::Left),
    col("Omschrijving", 118.0, Align::Left),
    col("Aantal", 368.0, Align::Right),
    col("Prijs", 452.0, Align::Right),
    col("Bedrag", 541.0, Align::Right),
];

/// Renders the single page.
pub fn render(v: &View) -> Vec<Canvas> {
    let s = v.seller;
    let mut c = Canvas::new();

    // Logo block and company details, right.
    c.rect(395.0, 768.0, 150.0, 46.0, ORANGE);
    c.rect(395.0, 764.0, 150.0, 4.0, GREEN);
    c.ink(Rgb::WHITE);
    c.text(Font::Bold, 17.0, 405.0, 792.0, "VAN LEEUWEN");
    c.text(
        Font::Regular,
        9.5,
        405.0,
        778.0,
        "verpakkingen  ·  sinds 1964",
    );
    c.ink(Rgb::GREY);
    let details = [
        s.name.to_string(),
        s.street.to_string(),
        format!("{} {}", s.postcode, s.city),
        format!("T {}", s.phone),
        s.email.to_string(),
        format!("Btw-nr. {}", s.vat_id),
        s.register.to_string(),
    ];
    for (i, d) in details.iter().enumerate() {
        c.right(Font::Regular, 7.5, R, 748.0 - 9.5 * i as f64, d);
    }
    c.ink(Rgb::BLACK);
    c.lines(
        Font::Regular,
        10.0,
        L,
        735.0,
        12.5,
        &buyer_lines(v, "t.a.v. crediteurenadministratie"),
    );

    // Title and reference box.
    c.ink(GREEN);
    c.text(Font::Bold, 22.0, L, 640.0, doc_word(v));
    c.ink(Rgb::BLACK);
    let number_label = if v.is_credit() {
        "Creditnotanummer"
    } else {
        "Factuurnummer"
    };
    let left = [
        (number_label, v.inv.number.to_string()),
        (
            if v.is_credit() {
                "Datum"
            } else {
                "Factuurdatum"
            },
            date(v, v.inv.date),
        ),
        (
            "Vervaldatum",
            if v.is_credit() {
                "-".to_string()
            } else {
                date(v, v.due)
            },
        ),
    ];
    let right = [
        ("Uw ordernummer", po_list(v)),
        ("Klantnummer", s.our_customer_number.to_string()),
        ("Uw btw-nummer", v.buyer.vat_id.to_string()),
    ];
    let (top, h) = (622.0, 54.0);
    c.frame(L, top - h, R - L, h, 0.8, GREEN);
    c.line(297.5, top - h, 297.5, top, 0.5, GREEN);
    for (i, ((ll, lv), (rl, rv))) in left.iter().zip(&right).enumerate() {
        let y = top - 15.0 - 15.0 * i as f64;
        c.ink(Rgb::GREY);
        c.text(Font::Regular, SIZE, L + 8.0, y, ll);
        c.text(Font::Regular, SIZE, 305.0, y, rl);
        c.ink(Rgb::BLACK);
        c.text(
            if i == 0 { Font::Bold } else { Font::Regular },
            SIZE,
            160.0,
            y,
            lv,
        );
        c.text(Font::Regular, SIZE, 410.0, y, rv);
    }

    let mut y = 540.0;
    if let Some(remark) = v.inv.remark {
        y = paragraph(&mut c, Font::Bold, SIZE, L, 548.0, R - L, remark) - 6.0;
    }

    // Lines.
    c.ink(GREEN);
    header(&mut c, &COLS, y, SIZE);
    c.hline(L, R, y - 5.0, 1.5, GREEN);
    c.ink(Rgb::BLACK);
    y -= 20.0;
    for (i, l) in v.lines.iter().enumerate() {
        let desc = wrap(l.description, Font::Regular, SIZE, 190.0);
        let h = 14.0 + 11.0 * (desc.len().saturating_sub(1)) as f64;
        if i % 2 == 1 {
            c.rect(L, y - h + 10.0, R - L, h, Rgb::SHADE);
        }
        let unit_price = format!("{} / {}", price(v, l), l.unit.label(Lang::Nl));
        let cells = [
            l.seller_item.to_string(),
            desc.first().cloned().unwrap_or_default(),
            format!("{} {}", quantity(v, l.quantity), l.unit.label(Lang::Nl)),
            unit_price,
            money(v, l.amount),
        ];
        row(&mut c, &COLS, y, Font::Regular, SIZE, &cells);
        c.lines(Font::Regular, SIZE, 118.0, y - 11.0, 11.0, &desc[1..]);
        y -= h;
    }
    c.hline(L, R, y + 4.0, 0.5, GREEN);

    // Totals.
    let (lx, vx) = (360.0, 541.0);
    y -= 14.0;
    c.text(Font::Regular, SIZE, lx, y, "Subtotaal");
    c.right(Font::Regular, SIZE, vx, y, &money(v, v.net));
    for t in &v.taxes {
        y -= 14.0;
        c.text(
            Font::Regular,
            SIZE,
            lx,
            y,
            &format!("BTW verlegd {}", fmt::percent(t.rate, Lang::Nl)),
        );
        c.right(Font::Regular, SIZE, vx, y, &money(v, t.tax));
    }
    y -= 22.0;
    c.rect(lx - 6.0, y - 6.0, R - lx + 6.0, 20.0, GREEN);
    c.ink(Rgb::WHITE);
    let total_label = if v.is_credit() {
        "Totaal te crediteren EUR"
    } else {
        "Totaal EUR"
    };
    c.text(Font::Bold, 10.5, lx, y, total_label);
    c.right(Font::Bold, 10.5, vx, y, &money(v, v.gross));
    c.ink(Rgb::BLACK);

    // Tax and payment text.
    y -= 40.0;
    y = paragraph(
        &mut c,
        Font::Regular,
        8.5,
        L,
        y,
        R - L,
        &format!(
            "BTW verlegd naar de afnemer: intracommunautaire levering (art. 138 Btw-richtlijn 2006/112/EG). \
             Btw-nummer afnemer: {}. Afleverdatum: {}.",
            v.buyer.vat_id,
            date(v, v.inv.delivery_date)
        ),
    );
    let pay = if v.is_credit() {
        format!(
            "Het bedrag van EUR {} wordt verrekend met uw eerstvolgende betaling. Gelieve deze creditnota niet te betalen.",
            fmt::amount(v.gross, Lang::Nl)
        )
    } else {
        format!(
            "Gelieve te betalen op IBAN {} (BIC {}) t.n.v. {} o.v.v. factuurnummer {}, uiterlijk op {}.",
            fmt::iban(v.bank.iban),
            v.bank.bic,
            s.name,
            v.inv.number,
            date(v, v.due)
        )
    };
    paragraph(&mut c, Font::Bold, 8.5, L, y - 6.0, R - L, &pay);

    // Footer.
    c.hline(L, R, 62.0, 0.5, ORANGE);
    c.ink(Rgb::GREY);
    c.center(
        Font::Regular,
        7.0,
        297.5,
        50.0,
        &format!(
            "{} · {} · {} {} · {} · Btw {} · IBAN {}",
            s.name,
            s.street,
            s.postcode,
            s.city,
            s.register,
            s.vat_id,
            fmt::iban(v.bank.iban)
        ),
    );
    c.center(
        Font::Regular,
        7.0,
        297.5,
        40.0,
        "Op al onze aanbiedingen en leveringen zijn onze algemene voorwaarden van toepassing, gedeponeerd bij de KvK Rotterdam.",
    );
    c.right(Font::Regular, 7.0, R, 28.0, &page_of(Lang::Nl, 1, 1));
    vec![c]
}
