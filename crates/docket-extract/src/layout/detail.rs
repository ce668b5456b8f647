//! Lines inside an item table that qualify the item above instead of being
//! items themselves: line allowances and charges ("Artikelrabatt 1: 2,00 %
//! Rabatt: -0,03 €/Stk.", "Zuschlag Versandkosten"), the gross price before
//! them ("Bruttopreis: 1,5000 €") and keyed details ("Basis: 75,00").
//!
//! An item row carries its numbers unlabelled, under the table's columns; a
//! line whose every number has its own label ("Rabatt: -0,03"), or that
//! opens with an allowance or charge word, says something about an item and
//! is not one. Such a line neither starts an item nor adds to its
//! description; its amounts are already in the item's net amount.

use super::labels::compact;
use super::numbers::find_amounts;
use super::view::View;

/// Word stems of allowances, charges and gross prices, in compact form, in
/// English, German, Dutch and French. A word that starts or ends with one
/// ("Artikelrabatt", "Sondernachlass", "Zu-/Abschlag") names one.
const ADJUSTMENT_STEMS: &[&str] = &[
    "allowance",
    "discount",
    "surcharge",
    "charge",
    "charges",
    "rebate",
    "grossprice",
    "rabatt",
    "nachlass",
    "zuschlag",
    "abschlag",
    "bruttopreis",
    "korting",
    "toeslag",
    "brutoprijs",
    "remise",
    "rabais",
    "ristourne",
    "majoration",
    "prixbrut",
    // "abzgl. 16,7 % Rabatt", "zzgl. Versandkosten": less, plus.
    "abzgl",
    "abzuglich",
    "zzgl",
    "zuzuglich",
];

/// Endings a stem may carry and still name the adjustment ("Rabattbetrag",
/// "Discounts"); "Rabattmarken" names a product.
const ENDINGS: &[&str] = &[
    "", "s", "e", "en", "betrag", "satz", "amount", "bedrag", "montant",
];

/// Words that open a note on what an item's amount contains ("Enthält 19 %
/// Versicherungssteuer = 12,77 €", "Contains deposit 2.50"): the amount is
/// part of the item's, not another item. In compact form. Not "incl.",
/// "inkl.": such a line may as well be a charge of its own with its own
/// quantity ("Incl. Thuiskopieheffing 1 € 4,24").
const INCLUDED: &[&str] = &[
    "enthalt",
    "enthalten",
    "darin",
    "contains",
    "includes",
    "waarvan",
    "dont",
    "comprend",
];

/// Whether a word names an allowance, a charge or a gross price.
fn adjustment_word(word: &str) -> bool {
    let key = compact(word);
    ADJUSTMENT_STEMS.iter().any(|s| {
        key.ends_with(s)
            || key
                .strip_prefix(s)
                .is_some_and(|rest| ENDINGS.contains(&rest))
    })
}

/// Whether a table line qualifies the item above rather than being one.
pub fn is_detail(view: &View, line: usize) -> bool {
    let l = &view.lines[line];
    let texts = l.texts();
    opens_as_detail(&texts) || all_keyed(&texts, view)
}

/// The first words tell: "Rabatt 10 % -5,00", "Artikelrabatt 1: …",
/// "• Beschreibung: Enthält 19 % …" (past bullets and a key of its own).
fn opens_as_detail(texts: &[&str]) -> bool {
    for t in texts.iter().filter(|t| t.chars().any(char::is_alphabetic)) {
        // Words whose boxes overlap are glued ("AbschlagLagerware"): the
        // first part of a word joined at a capital names it as well.
        let head = glued_head(t);
        if adjustment_word(t) || adjustment_word(head) || INCLUDED.contains(&compact(t).as_str()) {
            return true;
        }
        if !t.ends_with(':') {
            return false;
        }
    }
    false
}

/// The part of a word before a capital that follows a small letter (two
/// words printed without a gap: "AbschlagLagerware"); the word itself
/// when there is none.
fn glued_head(word: &str) -> &str {
    let mut prev_lower = false;
    for (i, c) in word.char_indices() {
        if prev_lower && c.is_uppercase() {
            return &word[..i];
        }
        prev_lower = c.is_lowercase();
    }
    word
}

/// Every amount on the line stands right after its own label ("Basis:
/// 75,00 € Rabatt: -0,03 €"; an amount's currency counts as part of it).
fn all_keyed(texts: &[&str], view: &View) -> bool {
    // Whole numbers count too: "GTIN: 9,90 20 Stk" is an item whose
    // quantity stands unlabelled.
    let amounts = find_amounts(texts, view.notation);
    amounts.iter().any(|m| m.decimals > 0)
        && amounts
            .iter()
            .all(|m| m.start > 0 && texts[m.start - 1].ends_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::testkit::{page, text};

    fn detail(line: &str) -> bool {
        let view = View::new(&[page(1, vec![text(500.0, 60.0, line)])]);
        is_detail(&view, 0)
    }

    #[test]
    fn allowances_charges_and_keyed_details_qualify_the_item_above() {
        assert!(detail(
            "Artikelrabatt 1: 2,00% Basis: 75,00 € Rabatt: -0,03 €/Stk."
        ));
        assert!(detail("Bruttopreis: 1,5000 € Artikelgesamtrabatt: -2,50 €"));
        assert!(detail("Zuschlag Versandkosten 137,30 7 % 5,80"));
        assert!(detail("Discount 10 % -5.00"));
        assert!(detail("Basis : 75,00"));
        assert!(detail("Enthält 16,34 % Versicherungssteuer = 163,40 €"));
        assert!(detail(
            "• Beschreibung: Enthält 19% Versicherungssteuer = 12,7726 €"
        ));
        assert!(detail("Includes deposit 2.50"));
        assert!(detail("abzgl. 16,7% Rabatt -2,00"));
        assert!(detail("zzgl. Versandkosten 137,30 7 % 5,80"));
        assert!(detail(
            "AbschlagLagerware (Bilateral vereinbart) 10 1000,00 -100,00"
        ));
        assert!(!detail("Incl. Thuiskopieheffing 1 21% 4,24"));
    }

    #[test]
    fn items_are_no_details() {
        assert!(!detail("1 Kopierpapier A4 40 Pack 4,85 194,00"));
        assert!(!detail("Ordner 3 2,50 7,50"));
        assert!(!detail("Charging cable USB-C 2 9.90 19.80"));
        assert!(!detail("Rabattmarken 2 1,00 2,00"));
        assert!(!detail("1 GTIN: 9,9000 20 Stk 19 % 198,00"));
        assert!(!detail("Farbe: Rabattmarken 2 1,00 2,00"));
        assert!(!detail("iPhone 15 1 999,00 999,00"));
        assert!(!detail("Inkjet cartridge incl. 2 refills 1 24.90 24.90"));
    }
}
