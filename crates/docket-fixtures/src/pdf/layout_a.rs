//! Layout "A": Nordwind Bürobedarf's German DIN 5008 invoice.
//!
//! Letterhead left with a coloured rule, sender line above the address window,
//! info block right, line table `Pos | Art.-Nr. | Bezeichnung | Menge | Einheit |
//! Einzelpreis | Gesamt`, totals, payment terms and a four-column footer. Long
//! invoices continue on further pages with a carried subtotal ("Übertrag").

use super::canvas::{Align, Canvas, Rgb, wrap};
use super::fonts::Font;
use super::parts::{
    Col, buyer_lines, col, date, doc_word, footer, header, money, page_of, paragraph, po_list,
    po_note, price, quantity, rgb, row,
};
use crate::fmt;
use crate::model::View;
use crate::scenarios::Lang;

const NAVY: Rgb = rgb(14, 58, 110);
const TINT: Rgb = rgb(221, 232, 245);
const L: f64 = 57.0;
const R: f64 = 538.0;
const SIZE: f64 = 8.5;
const DESC_X: f64 = 142.0;
const DESC_W: f64 = 205.0;
/// Rows stop above this line; below it: carried total and footer.
const TABLE_BOTTOM: f64 = 200.0;
/// The height the totals, terms and greeting need below the last row.
const TOTALS_H: f64 = 150.0;
const FOOTER_TOP: f64 = 92.0;

const COLS: [Col; 7] = [
    col("Pos", 60.0, Align::Left),
    col("Art.-Nr.", 84.0, Align::Left),
    col("Bezeichnung", DESC_X, Align::Left),
    col("Menge", 372.0, Align::Right),
    col("Einheit", 380.0, Align::Left),
    col("Einzelpreis", 466.0, Align::Right),
    col("Gesamt", 535.0, Align::Right),
];

struct Row {
    desc: Vec<String>,
    note: Option<String>,
    height: f64,
}

/// Renders the invoice; returns one canvas per page.
pub fn render(v: &View) -> Vec<Canvas> {
    let rows: Vec<Row> = v
        .lines
        .iter()
        .map(|l| {
            let desc = wrap(l.description, Font::Regular, SIZE, DESC_W);
            let note = po_note(v, l);
            let height = 6.0 + 10.5 * desc.len() as f64 + if note.is_some() { 9.0 } else { 0.0 };
            Row { desc, note, height }
        })
        .collect();

    // Paginate: page 1 starts below the letter head, later pages near the top.
    let first_top = if v.inv.remark.is_some() { 515.0 } else { 535.0 };
    let next_top = 715.0;
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut y = first_top;
    for (i, r) in rows.iter().enumerate() {
        if y - r.height < TABLE_BOTTOM && pages.last().is_some_and(|p| !p.is_empty()) {
            pages.push(Vec::new());
            y = next_top;
        }
        if let Some(p) = pages.last_mut() {
            p.push(i);
        }
        y -= r.height;
    }
    if y - TOTALS_H < FOOTER_TOP {
        pages.push(Vec::new());
    }
    let count = pages.len();

    let mut out = Vec::new();
    let mut carried = rust_decimal::Decimal::ZERO;
    for (p, indices) in pages.iter().enumerate() {
        let mut c = Canvas::new();
        c.fold_marks();
        let mut y = if p == 0 {
            letterhead(&mut c, v, count)
        } else {
            continuation_head(&mut c, v, p + 1, count)
        };
        // Table heading.
        c.rect(L, y - 4.0, R - L, 15.0, TINT);
        c.ink(NAVY);
        header(&mut c, &COLS, y, SIZE);
        c.ink(Rgb::BLACK);
        y -= 18.0;
        if p > 0 {
            c.text(Font::Bold, SIZE, DESC_X, y, "Übertrag");
            c.right(Font::Bold, SIZE, 535.0, y, &money(v, carried));
            c.hline(L, R, y - 5.0, 0.4, Rgb::RULE);
            y -= 17.0;
        }
        for &i in indices {
            let (l, r) = (&v.lines[i], &rows[i]);
            let cells = [
                l.pos.to_string(),
                l.seller_item.to_string(),
                r.desc.first().cloned().unwrap_or_default(),
                quantity(v, l.quantity),
                l.unit.label(Lang::De).to_string(),
                price(v, l),
                money(v, l.amount),
            ];
            row(&mut c, &COLS, y, Font::Regular, SIZE, &cells);
            let mut yy = y;
            for more in r.desc.iter().skip(1) {
                yy -= 10.5;
                c.text(Font::Regular, SIZE, DESC_X, yy, more);
            }
            if let Some(note) = &r.note {
                yy -= 9.0;
                c.ink(Rgb::GREY);
                c.text(Font::Regular, 7.5, DESC_X, yy, note);
                c.ink(Rgb::BLACK);
            }
            c.hline(L, R, yy - 5.0, 0.3, Rgb::RULE);
            carried += l.amount;
            y -= r.height;
        }
        if p + 1 < count {
            y -= 6.0;
            c.text(
                Font::Bold,
                SIZE,
                DESC_X,
                y,
                "Zwischensumme (Übertrag auf Seite 2)",
            );
            c.right(Font::Bold, SIZE, 535.0, y, &money(v, carried));
        } else {
            totals(&mut c, v, y - 8.0);
        }
        page_footer(&mut c, v, p + 1, count);
        out.push(c);
    }
    out
}

/// The first page's head; returns the baseline for the table heading.
fn letterhead(c: &mut Canvas, v: &View, pages: usize) -> f64 {
    let s = v.seller;
    c.ink(NAVY);
    c.text(Font::Bold, 20.0, L, 795.0, s.name);
    c.ink(Rgb::GREY);
    c.text(
        Font::Regular,
        8.0,
        L,
        781.0,
        "Büro- und Organisationsbedarf für Industrie und Verwaltung",
    );
    c.rect(L, 768.0, R - L, 2.5, NAVY);
    c.rect(L, 765.0, 120.0, 1.5, TINT);
    for (i, line) in [
        format!("{} · {} {}", s.street, s.postcode, s.city),
        format!("Tel. {}", s.phone),
        s.web.to_string(),
    ]
    .iter()
    .enumerate()
    {
        c.right(Font::Regular, 7.5, R, 805.0 - 9.0 * i as f64, line);
    }
    // Sender line above the address window.
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
        &buyer_lines(v, "Kreditorenbuchhaltung"),
    );

    // Info block.
    let orders_label = if v.purchase_orders.len() > 1 {
        "Ihre Bestellungen"
    } else {
        "Ihre Bestellung"
    };
    let info = [
        ("Rechnungsnummer", v.inv.number.to_string()),
        ("Rechnungsdatum", date(v, v.inv.date)),
        ("Lieferdatum", date(v, v.inv.delivery_date)),
        ("Kundennummer", s.our_customer_number.to_string()),
        (orders_label, po_list(v)),
        ("Ihre USt-IdNr.", v.buyer.vat_id.to_string()),
        ("Bearbeiter", "Frau Petersen".to_string()),
        ("Seite", format!("1 von {pages}")),
    ];
    for (i, (label, value)) in info.iter().enumerate() {
        let y = 716.0 - 12.0 * i as f64;
        c.ink(Rgb::GREY);
        c.text(Font::Regular, SIZE, 355.0, y, &format!("{label}:"));
        c.ink(Rgb::BLACK);
        let font = if i == 0 { Font::Bold } else { Font::Regular };
        c.text(font, SIZE, 438.0, y, value);
    }

    c.text(
        Font::Bold,
        14.0,
        L,
        608.0,
        &format!("{} {}", doc_word(v), v.inv.number),
    );
    c.text(
        Font::Regular,
        9.0,
        L,
        586.0,
        "Sehr geehrte Damen und Herren,",
    );
    let deliveries = if v.purchase_orders.len() > 1 {
        "Ihre Bestellungen"
    } else {
        "Ihre Bestellung"
    };
    c.text(
        Font::Regular,
        9.0,
        L,
        573.0,
        &format!(
            "für {} {} liefern und berechnen wir Ihnen wie folgt (Lieferung vom {}):",
            deliveries,
            po_list(v),
            date(v, v.inv.delivery_date)
        ),
    );
    let mut y = 545.0;
    if let Some(remark) = v.inv.remark {
        c.ink(rgb(176, 20, 30));
        c.text(Font::Bold, 9.0, L, 553.0, remark);
        c.ink(Rgb::BLACK);
        y = 525.0;
    }
    y
}

/// The head of pages 2 and later; returns the baseline for the table heading.
fn continuation_head(c: &mut Canvas, v: &View, page: usize, pages: usize) -> f64 {
    c.ink(NAVY);
    c.text(Font::Bold, 12.0, L, 800.0, v.seller.name);
    c.rect(L, 790.0, R - L, 1.5, NAVY);
    c.ink(Rgb::BLACK);
    c.text(
        Font::Regular,
        SIZE,
        L,
        772.0,
        &format!(
            "{} {} vom {} · Kundennummer {}",
            doc_word(v),
            v.inv.number,
            date(v, v.inv.date),
            v.seller.our_customer_number
        ),
    );
    c.right(
        Font::Regular,
        SIZE,
        R,
        772.0,
        &page_of(Lang::De, page, pages),
    );
    745.0
}

fn totals(c: &mut Canvas, v: &View, top: f64) {
    let (lx, cx, vx) = (372.0, 470.0, 535.0);
    let mut y = top - 6.0;
    c.text(Font::Regular, 9.0, lx, y, "Nettobetrag");
    c.text(Font::Regular, 9.0, cx, y, "EUR");
    c.right(Font::Regular, 9.0, vx, y, &money(v, v.net));
    for t in &v.taxes {
        y -= 13.0;
        c.text(
            Font::Regular,
            9.0,
            lx,
            y,
            &format!("MwSt {}", fmt::percent(t.rate, Lang::De)),
        );
        c.text(Font::Regular, 9.0, cx, y, "EUR");
        c.right(Font::Regular, 9.0, vx, y, &money(v, t.tax));
    }
    c.hline(lx, R, y - 5.0, 0.6, Rgb::BLACK);
    y -= 18.0;
    c.text(Font::Bold, 10.0, lx, y, "Rechnungsbetrag");
    c.text(Font::Bold, 10.0, cx, y, "EUR");
    c.right(Font::Bold, 10.0, vx, y, &money(v, v.gross));
    c.hline(lx, R, y - 4.0, 0.6, Rgb::BLACK);
    c.hline(lx, R, y - 6.0, 0.6, Rgb::BLACK);

    let skonto = v.inv.date + chrono::Days::new(14);
    let text = format!(
        "Zahlungsbedingungen: innerhalb von 14 Tagen (bis {}) mit 2 % Skonto, innerhalb von 30 Tagen (bis {}) ohne Abzug. \
         Bitte geben Sie bei Zahlung die Rechnungsnummer an. Das Lieferdatum entspricht dem Leistungsdatum.",
        date(v, skonto),
        date(v, v.due)
    );
    let y = paragraph(c, Font::Regular, 8.5, L, y - 30.0, R - L, &text);
    c.text(Font::Regular, 9.0, L, y - 10.0, "Mit freundlichen Grüßen");
    c.text(Font::Regular, 9.0, L, y - 22.0, v.seller.name);
}

fn page_footer(c: &mut Canvas, v: &View, page: usize, pages: usize) {
    let s = v.seller;
    c.ink(Rgb::GREY);
    c.right(
        Font::Regular,
        7.0,
        R,
        FOOTER_TOP + 8.0,
        &page_of(Lang::De, page, pages),
    );
    c.rect(L, FOOTER_TOP, R - L, 1.0, NAVY);
    footer(
        c,
        FOOTER_TOP - 10.0,
        6.5,
        &[
            (
                L,
                100.0,
                vec![
                    s.name.to_string(),
                    s.street.to_string(),
                    format!("{} {}", s.postcode, s.city),
                ],
            ),
            (
                162.0,
                118.0,
                vec![
                    format!("Tel. {}", s.phone),
                    s.email.to_string(),
                    s.web.to_string(),
                ],
            ),
            (
                285.0,
                118.0,
                vec![
                    v.bank.name.to_string(),
                    format!("IBAN {}", fmt::iban(v.bank.iban)),
                    format!("BIC {}", v.bank.bic),
                ],
            ),
            (
                408.0,
                130.0,
                vec![
                    format!("USt-IdNr. {}", s.vat_id),
                    format!("St.-Nr. {}", s.tax_number.unwrap_or_default()),
                    s.register.to_string(),
                    "Geschäftsführer:".to_string(),
                    s.managers.to_string(),
                ],
            ),
        ],
    );
    c.ink(Rgb::BLACK);
}
