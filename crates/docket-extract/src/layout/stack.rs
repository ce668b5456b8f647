//! Table headers whose words stand over several lines ("Net / Unit /
//! Price", "Positions- / betrag / ohne USt."): which lines belong to the
//! header band, and what a stack of words names when no single wording does.

use super::numbers::find_amounts;
use super::table::Col;
use super::view::View;

/// How many lines a header may reach above or below its main line: three,
/// since the line first found to name two columns may be the second of a
/// five-line stack ("Art-Nr-Kunde / Art-Nr-Lief. / Pos … / Art-Nr / (Art)").
const REACH: usize = 3;

/// The lines stacked with a header line: its neighbours on the same page,
/// each close to the one before, that hold no amounts (nearest first).
pub fn band(view: &View, line: usize) -> Vec<usize> {
    let l = &view.lines[line];
    let mut out = Vec::new();
    for step in [-1isize, 1] {
        let mut prev = line;
        for _ in 0..REACH {
            let Some(next) = prev.checked_add_signed(step) else {
                break;
            };
            let (Some(o), p) = (view.lines.get(next), &view.lines[prev]) else {
                break;
            };
            let gap = if step < 0 {
                o.bbox.y0 - p.bbox.y1
            } else {
                p.bbox.y0 - o.bbox.y1
            };
            if o.page != l.page
                || gap > 0.8 * l.size
                || !find_amounts(&o.texts(), view.notation).is_empty()
            {
                break;
            }
            out.push(next);
            prev = next;
        }
    }
    out
}

/// Words (compact) that name a column within a stack, strongest first: a
/// price basis says "price" too, a line total may say "net".
#[rustfmt::skip]
const STACK_WORDS: &[(Col, &[&str])] = &[
    (Col::PriceBase, &["base", "basis", "preisbasis", "basismenge", "prijsbasis"]),
    (Col::Amount, &[
        "total", "gesamt", "betrag", "amount", "montant", "bedrag", "totaal", "summe",
        "nettobetrag", "positionsbetrag", "gesamtpreis", "nettowert", "linetotal", "extension",
        "wartosc",
    ]),
    (Col::Discount, &[
        "discount", "rabatt", "allowance", "allowances", "charge", "charges", "remise",
        "korting", "nachlass", "rabat", "upust",
    ]),
    (Col::UnitPrice, &[
        "price", "preis", "prix", "prijs", "nettopreis", "einzelpreis", "unitprice", "rate",
        "cena",
    ]),
    (Col::Quantity, &[
        "qty", "quantity", "menge", "anzahl", "aantal", "qte", "quantite", "hoeveelheid",
        "ilosc",
    ]),
    (Col::Unit, &["unit", "einheit", "uom", "unite", "eenheid", "jm", "jednostka"]),
    (Col::VatRate, &["vat", "mwst", "ust", "btw", "tva", "tax", "steuersatz", "stawka"]),
    (Col::Description, &[
        "description", "bezeichnung", "beschreibung", "omschrijving", "designation", "libelle",
        "nazwa", "opis",
    ]),
];

/// Words (compact) after which a stack only qualifies its column ("Preis
/// / ohne MwSt.", "Amount / excl. VAT"): what follows does not name it.
const QUALIFIERS: &[&str] = &[
    "ohne",
    "exkl",
    "inkl",
    "zzgl",
    "excl",
    "incl",
    "excluding",
    "including",
    "exclusief",
    "inclusief",
    "hors",
    "sans",
    "avec",
];

/// What a stack of header words names (each word compact, top to bottom),
/// when the words joined are no known wording: its strongest word, among
/// the words before a qualifier; failing that, the strongest word a
/// compound ends with ("VK-Preis" is a price, "Zeilenbetrag" an amount: in
/// German and Dutch the last part of a compound names the thing).
pub fn classify(words: &[String]) -> Option<Col> {
    let naming = words
        .iter()
        .position(|w| QUALIFIERS.contains(&w.as_str()))
        .map_or(words, |at| &words[..at]);
    let find = |matches: &dyn Fn(&str, &str) -> bool| {
        STACK_WORDS
            .iter()
            .find(|(_, names)| {
                naming
                    .iter()
                    .any(|w| names.iter().any(|name| matches(w, name)))
            })
            .map(|(col, _)| *col)
    };
    find(&|word, name| word == name)
        .or_else(|| find(&|word, name| name.len() >= 4 && word.ends_with(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(words: &[&str]) -> Option<Col> {
        classify(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn stacks_name_their_column_by_their_strongest_word() {
        assert_eq!(of(&["net", "unit", "price"]), Some(Col::UnitPrice));
        assert_eq!(of(&["price", "base", "qty"]), Some(Col::PriceBase));
        assert_eq!(of(&["requested", "agreed", "qty"]), Some(Col::Quantity));
        assert_eq!(of(&["line", "total", "net"]), Some(Col::Amount));
        assert_eq!(
            of(&["positions", "betrag", "ohne", "ust"]),
            Some(Col::Amount)
        );
        assert_eq!(of(&["discount", "or", "charge"]), Some(Col::Discount));
        assert_eq!(of(&["artnrkunde", "artnrlief"]), None);
    }

    #[test]
    fn a_qualifier_does_not_name_the_column_and_a_compound_is_named_by_its_end() {
        assert_eq!(of(&["vkpreis", "ohne", "mwst"]), Some(Col::UnitPrice));
        assert_eq!(of(&["zeilenbetrag", "ohne", "mwst"]), Some(Col::Amount));
        assert_eq!(of(&["amount", "excl", "vat"]), Some(Col::Amount));
        assert_eq!(of(&["mwst", "satz"]), Some(Col::VatRate));
    }
}
