//! Layout "F": Atelier Dubois' French invoice, the visible page of the Factur-X hybrid.
//!
//! Company left, "FACTURE" and a reference box right, the client framed on the
//! right, a table `Réf. | Désignation | Qté | P.U. HT | Montant HT`, totals
//! `Total HT / TVA / Total TTC / Net à payer` and the French legal mentions.

use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use super::parts::{
    Col, buyer_lines, col, date, header, money, page_of, paragraph, po_list, price, quantity, rgb,
    row,
};
use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const WINE: Rgb = rgb(122, 28, 48);
const BLUSH: Rgb = rgb(246, 236, 238);
const L: f64 = 50.0;
const R: f64 = 545.0;
const SIZE: f64 = 8.5;

const COLS: [Col; 5] = [
    col("Réf.", 55.0, Align::Left),
    col("Désignation", 122.0, Align::Left),
    col("Qté", 360.0, Align::Right),
    col("P.U. HT", 445.0, Align::Right),
    col("Montant HT", 540.0, Align::Right),
];

/// Renders the single page.
pub fn render(v: &View) -> Vec<Canvas> {
    let s = v.seller;
    let mut c = Canvas::new();
    c.ink(WINE);
    c.text(Font::Bold, 20.0, L, 792.0, "Atelier Dubois");
    c.ink(Rgb::GREY);
    c.lines(
        Font::Regular,
        8.0,
        L,
        778.0,
        10.0,
        &[
            "SARL au capital de 20 000 € · Maroquinerie technique et façonnage".to_string(),
            s.street.to_string(),
            format!("{} {} – France", s.postcode, s.city),
            format!("Tél. {} · {}", s.phone, s.email),
            format!("N° TVA intracommunautaire : {}", s.vat_id),
        ],
    );
    c.ink(WINE);
    c.right(Font::Bold, 24.0, R, 790.0, "FACTURE");
    c.ink(Rgb::BLACK);

    // Reference box, right.
    let refs = [
        ("N° de facture", v.inv.number.to_string()),
        ("Date", date(v, v.inv.date)),
        ("Votre commande", po_list(v)),
        ("Code client", s.our_customer_number.to_string()),
        ("Échéance", date(v, v.due)),
    ];
    let (bx, top) = (345.0, 772.0);
    c.rect(
        bx,
        top - 11.0 * refs.len() as f64 - 8.0,
        R - bx,
        11.0 * refs.len() as f64 + 8.0,
        BLUSH,
    );
    for (i, (label, value)) in refs.iter().enumerate() {
        let y = top - 12.0 - 11.0 * i as f64;
        c.text(Font::Regular, SIZE, bx + 6.0, y, label);
        c.right(
            if i == 0 { Font::Bold } else { Font::Regular },
            SIZE,
            R - 6.0,
            y,
            value,
        );
    }

    // Client, framed on the right.
    c.ink(WINE);
    c.text(Font::Bold, 7.5, 345.0, 688.0, "FACTURÉ À");
    c.ink(Rgb::BLACK);
    c.frame(340.0, 600.0, R - 340.0, 82.0, 0.6, WINE);
    let mut client = buyer_lines(v, "Service comptabilité fournisseurs");
    client.push(format!("N° TVA : {}", v.buyer.vat_id));
    c.lines(Font::Regular, 9.0, 348.0, 670.0, 11.0, &client);
    c.text(
        Font::Regular,
        SIZE,
        L,
        640.0,
        &format!("Date de livraison : {}", date(v, v.inv.delivery_date)),
    );
    c.text(
        Font::Regular,
        SIZE,
        L,
        628.0,
        "Conditions : franco de port, livraison DAP Köln",
    );

    // Lines.
    let mut y = 570.0;
    c.rect(L, y - 5.0, R - L, 17.0, WINE);
    c.ink(Rgb::WHITE);
    header(&mut c, &COLS, y, SIZE);
    c.ink(Rgb::BLACK);
    y -= 20.0;
    for l in &v.lines {
        let desc = wrap(l.description, Font::Regular, SIZE, 185.0);
        let cells = [
            l.seller_item.to_string(),
            desc.first().cloned().unwrap_or_default(),
            quantity(v, l.quantity),
            price(v, l),
            money(v, l.amount),
        ];
        row(&mut c, &COLS, y, Font::Regular, SIZE, &cells);
        let below = c.lines(
            Font::Regular,
            SIZE,
            122.0,
            y - 11.0,
            11.0,
            desc.get(1..).unwrap_or(&[]),
        );
        c.hline(L, R, below + 5.0, 0.3, Rgb::RULE);
        y = below - 6.0;
    }

    // Totals.
    let (lx, vx) = (345.0, 540.0);
    y -= 10.0;
    let mut rows = vec![("Total HT".to_string(), money(v, v.net))];
    for t in &v.taxes {
        rows.push((
            format!("TVA {} (autoliquidation)", fmt::percent(t.rate, Lang::Fr)),
            money(v, t.tax),
        ));
    }
    rows.push(("Total TTC".to_string(), money(v, v.gross)));
    for (label, value) in &rows {
        c.text(Font::Regular, 9.0, lx, y, label);
        c.right(Font::Regular, 9.0, vx, y, &format!("{value} €"));
        y -= 13.0;
    }
    y -= 10.0;
    c.rect(lx - 6.0, y - 7.0, R - lx + 6.0, 20.0, WINE);
    c.ink(Rgb::WHITE);
    c.text(Font::Bold, 10.5, lx, y, "Net à payer");
    c.right(Font::Bold, 10.5, vx, y, &format!("{} €", money(v, v.gross)));
    c.ink(Rgb::BLACK);

    y -= 36.0;
    let mentions = format!(
        "Exonération de TVA, article 262 ter I du CGI – livraison intracommunautaire, autoliquidation par le preneur \
         (N° TVA {}). Paiement à {} jours par virement : IBAN {} – BIC {} ({}). Pas d'escompte pour paiement anticipé. \
         En cas de retard de paiement : pénalités au taux de trois fois le taux d'intérêt légal et indemnité forfaitaire \
         pour frais de recouvrement de 40 €.",
        v.buyer.vat_id,
        v.inv.due_days,
        fmt::iban(v.bank.iban),
        v.bank.bic,
        v.bank.name
    );
    y = paragraph(&mut c, Font::Regular, 8.0, L, y, R - L, &mentions);
    c.ink(WINE);
    paragraph(
        &mut c,
        Font::Regular,
        8.0,
        L,
        y - 8.0,
        R - L,
        "Facture électronique Factur-X (profil EN 16931) : les données structurées sont jointes à ce PDF (factur-x.xml).",
    );

    c.hline(L, R, 56.0, 0.5, WINE);
    c.ink(Rgb::GREY);
    c.center(
        Font::Regular,
        7.0,
        297.5,
        44.0,
        &format!("{} – {} – {}", s.name, s.register, s.web),
    );
    c.right(Font::Regular, 7.0, R, 32.0, &page_of(Lang::Fr, 1, 1));
    vec![c]
}
