//! Tests of the label vocabulary and its matching.

use super::*;

fn kinds(line: &str) -> Vec<(LabelKind, usize, usize)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    find_labels(&words)
        .into_iter()
        .map(|h| (h.kind, h.start, h.end))
        .collect()
}

#[test]
fn labels_in_any_language_and_any_punctuation() {
    assert_eq!(kinds("Rechnungs-Nr.: 4711"), [(DocumentNumber, 0, 1)]);
    assert_eq!(kinds("Invoice No : # 42"), [(DocumentNumber, 0, 2)]);
    assert_eq!(kinds("F actuurnummer: 993548900"), [(DocumentNumber, 0, 2)]);
    assert_eq!(kinds("N° de facture 12"), [(DocumentNumber, 0, 3)]);
    assert_eq!(kinds("Uw ordernummer 4500000110"), [(OrderReference, 0, 2)]);
    assert_eq!(kinds("Votre commande"), [(OrderReference, 0, 2)]);
    assert_eq!(kinds("USt-IdNr.: DE136695976"), [(VatId, 0, 1)]);
    assert_eq!(kinds("Ihre USt.-IdentNr.: DE1"), [(BuyerVatId, 0, 2)]);
    assert_eq!(kinds("Total TTC : 56,02 €"), [(GrossTotal, 0, 2)]);
    assert_eq!(kinds("Käufer-IBAN : DE21"), [(BuyerIban, 0, 1)]);
}

#[test]
fn the_longest_wording_wins_and_labels_do_not_overlap() {
    assert_eq!(kinds("Total HT 46,68"), [(NetTotal, 0, 2)]);
    assert_eq!(kinds("Total 46,68"), [(GrossTotal, 0, 1)]);
    assert_eq!(
        kinds("Invoice Date: Due Date: Reference:"),
        [(IssueDate, 0, 2), (DueDate, 2, 4)]
    );
    assert_eq!(
        kinds("Exclusief BTW € 593,36 Subtotaal € 717,97"),
        [(NetTotal, 0, 2), (NetTotal, 4, 5)]
    );
}

#[test]
fn compound_titles_and_credit_notes() {
    assert_eq!(
        kinds("Handelsrechnung (380) Nr. 471102"),
        [(InvoiceTitle, 0, 1)]
    );
    assert_eq!(kinds("Gutschrift Nr. 17"), [(DocumentNumber, 0, 2)]);
    assert_eq!(kinds("Gutschrift"), [(CreditNoteTitle, 0, 1)]);
    assert_eq!(
        kinds("HANDELSRECHNUNG(380) Nr. 4711"),
        [(InvoiceTitle, 0, 1)]
    );
    assert_eq!(kinds("CREDIT NOTE"), [(CreditNoteTitle, 0, 2)]);
    assert_eq!(compact("Qté"), "qte");
    assert_eq!(compact("Straße"), "strasse");
}

#[test]
fn polish_labels_with_and_without_their_letters() {
    assert_eq!(kinds("Faktura VAT nr FV/1/2024"), [(DocumentNumber, 0, 3)]);
    assert_eq!(kinds("FAKTURA VAT"), [(InvoiceTitle, 0, 2)]);
    assert_eq!(kinds("Faktura korygująca"), [(CreditNoteTitle, 0, 2)]);
    assert_eq!(kinds("Data wystawienia: 2024-03-05"), [(IssueDate, 0, 2)]);
    assert_eq!(kinds("Data sprzedaży: 2024-03-04"), [(DeliveryDate, 0, 2)]);
    assert_eq!(kinds("Termin platnosci: 2024-03-19"), [(DueDate, 0, 2)]);
    assert_eq!(kinds("Wartość netto 100,00"), [(NetTotal, 0, 2)]);
    assert_eq!(kinds("Należność ogółem: 123,00 zł"), [(AmountDue, 0, 2)]);
    assert_eq!(kinds("Razem do zapłaty 123,00"), [(AmountDue, 0, 3)]);
    assert_eq!(kinds("Razem: 100,00 23,00 123,00"), [(GrossTotal, 0, 1)]);
    assert_eq!(compact("Ilość"), "ilosc");
    assert_eq!(compact("ŁĄCZNIE"), "lacznie");
}

#[test]
fn national_schemes_carry_their_country() {
    let hit = |line: &str| {
        let words: Vec<&str> = line.split_whitespace().collect();
        find_labels(&words)
            .into_iter()
            .map(|h| (h.kind, h.country))
            .collect::<Vec<_>>()
    };
    assert_eq!(hit("NIP: 774-00-01-454"), [(VatId, Some("PL"))]);
    assert_eq!(hit("NIP nabywcy: 5261040828"), [(BuyerVatId, Some("PL"))]);
    assert_eq!(hit("Nr rachunku: 61 1090"), [(Iban, Some("PL"))]);
    assert_eq!(hit("USt-IdNr.: DE136695976"), [(VatId, None)]);
}
