//! Order documents: a purchase order, an order change or an order response
//! names itself in its title ("PURCHASE ORDER: PO123", "ORDER CHANGE:
//! PO123-C02", "Auftragsbestätigung Nr. 4711"), and the identifier after
//! that title is the document's own number. On an invoice the same words
//! announce the buyer's order reference instead, so a page is read as an
//! order only when it has no invoice or credit-note title and no document
//! number label at all.

use docket_domain::DocumentKind;

use super::found::{Found, GENERIC, LABELLED, POSITIONAL};
use super::header::first_identifier;
use super::labels::{LabelKind, compact};
use super::pairing::regions;
use super::view::View;

/// How far down the first page a title may stand (share of the height).
const TITLE_DEPTH: f32 = 0.35;

/// What an order title says the document is, from its compact wording.
fn order_kind(title: &str) -> Option<DocumentKind> {
    const CHANGE: &[&str] = &["change", "anderung", "modification", "wijziging", "zmiana"];
    const RESPONSE: &[&str] = &[
        "response",
        "confirmation",
        "bestatigung",
        "antwort",
        "reponse",
        "bevestiging",
        "potwierdzenie",
    ];
    const ORDER: &[&str] = &[
        "purchaseorder",
        "bestellung",
        "bondecommande",
        "commande",
        "inkooporder",
        "bestelling",
        "zamowienie",
        "order",
    ];
    if CHANGE.iter().any(|w| title.contains(w)) {
        Some(DocumentKind::OrderChange)
    } else if RESPONSE.iter().any(|w| title.contains(w)) {
        Some(DocumentKind::OrderResponse)
    } else {
        ORDER.contains(&title).then_some(DocumentKind::Order)
    }
}

/// The kind and number an order's title gives, when the page is an order.
pub fn title(view: &View) -> Option<(Found<DocumentKind>, Option<Found<String>>)> {
    let first_page = view.lines.first()?.page;
    let page = || {
        view.lines
            .iter()
            .enumerate()
            .filter(move |(_, l)| l.page == first_page)
    };
    let not_an_order = page().any(|(_, l)| {
        l.labels.iter().any(|h| {
            matches!(
                h.kind,
                LabelKind::InvoiceTitle | LabelKind::CreditNoteTitle | LabelKind::DocumentNumber
            )
        })
    });
    if not_an_order {
        return None;
    }
    for (idx, l) in page().filter(|(_, l)| view.depth(l) <= TITLE_DEPTH) {
        for hit in &l.labels {
            if !matches!(hit.kind, LabelKind::OrderTitle | LabelKind::OrderReference) {
                continue;
            }
            let Some(kind) = order_kind(&compact(&l.text_of(hit.start, hit.end))) else {
                continue;
            };
            let kind = Found::words(view, idx, hit.start, hit.end, kind, LABELLED);
            let number = regions(view, idx, hit).into_iter().find_map(|region| {
                let texts = view.lines[region.line].texts();
                let (i, id) = first_identifier(&texts[region.start..region.end])?;
                let at = super::pairing::Region {
                    start: region.start + i,
                    end: region.start + i + 1,
                    ..region
                };
                // A title that names the order type says what follows is its
                // number; a bare "Purchase order" might head a reference.
                let confidence = if hit.kind == LabelKind::OrderTitle {
                    GENERIC
                } else {
                    POSITIONAL + 0.05
                };
                let mut f = Found::at(view, idx, (hit.start, hit.end), &at, id, hit.priority);
                f.confidence = confidence;
                Some(f)
            });
            return Some((kind, number));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::testkit::{page, text};

    fn read(lines: Vec<crate::pdf::text::TextLine>) -> Option<(DocumentKind, Option<String>)> {
        let view = View::new(&[page(1, lines)]);
        title(&view).map(|(k, n)| (k.value, n.map(|f| f.value)))
    }

    #[test]
    fn an_order_titles_itself_and_its_number() {
        assert_eq!(
            read(vec![text(800.0, 300.0, "ORDER CHANGE: PO123456789-C02")]),
            Some((DocumentKind::OrderChange, Some("PO123456789-C02".into())))
        );
        assert_eq!(
            read(vec![text(800.0, 300.0, "PURCHASE ORDER: PO123456789")]),
            Some((DocumentKind::Order, Some("PO123456789".into())))
        );
        assert_eq!(
            read(vec![text(800.0, 300.0, "ZAMÓWIENIE nr ZAM/7/2024")]),
            Some((DocumentKind::Order, Some("ZAM/7/2024".into())))
        );
        assert_eq!(
            read(vec![text(800.0, 300.0, "Potwierdzenie zamówienia nr 4711")]),
            Some((DocumentKind::OrderResponse, Some("4711".into())))
        );
    }

    #[test]
    fn on_an_invoice_the_order_is_a_reference() {
        assert_eq!(
            read(vec![
                text(800.0, 50.0, "INVOICE"),
                text(780.0, 300.0, "Purchase order: 4500012345"),
            ]),
            None
        );
    }
}
