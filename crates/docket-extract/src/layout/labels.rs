//! The label vocabulary: what invoices in English, German, Dutch, French
//! and Polish write next to the values Docket reads.
//!
//! Labels are compared in a compact form (lower case, accents folded, only
//! letters and digits), so `Rechnungs-Nr.:`, `Rechnungsnr` and `RECHNUNGS NR`
//! are one label, and a label broken into pieces by the PDF (`F actuurnummer`)
//! still matches. To support another wording, add it to [`LABELS`].
//!
//! A few labels name a national identifier scheme ("NIP", "Nr rachunku"):
//! the value after them may be printed without the country prefix its
//! international form (VAT id, IBAN) starts with, and the label's hit
//! carries that country ([`LabelHit::country`]).

use std::collections::HashMap;
use std::sync::OnceLock;

/// What a label announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelKind {
    /// The document number (invoice number, credit note number).
    DocumentNumber,
    /// A title word ("Rechnung", "Invoice"): the kind, and weakly the number after it.
    InvoiceTitle,
    /// A credit-note title word.
    CreditNoteTitle,
    /// An order change's or order response's title ([`super::order`]).
    OrderTitle,
    /// The issue date.
    IssueDate,
    /// The payment due date.
    DueDate,
    /// The delivery or service date.
    DeliveryDate,
    /// The buyer's purchase order number(s).
    OrderReference,
    /// The buyer's customer number at the seller.
    CustomerNumber,
    /// Sum of the line amounts.
    LineTotal,
    /// Total without VAT.
    NetTotal,
    /// Total VAT.
    TaxTotal,
    /// Total with VAT.
    GrossTotal,
    /// Amount to pay.
    AmountDue,
    /// Amount already paid.
    Prepaid,
    /// An IBAN follows.
    Iban,
    /// The buyer's IBAN follows (a direct debit draws from it): never where to pay.
    BuyerIban,
    /// A BIC follows.
    Bic,
    /// A VAT id follows (of the party whose block it is in).
    VatId,
    /// The buyer's VAT id follows ("Ihre USt-IdNr.").
    BuyerVatId,
    /// A national tax number follows.
    TaxNumber,
    /// Payment terms follow.
    PaymentTerms,
    /// The document currency follows.
    Currency,
    /// Heads the seller's block.
    SellerSection,
    /// Heads the buyer's block.
    BuyerSection,
    /// A carried-over subtotal between pages.
    CarryOver,
}

/// One group of wordings for a kind, with how much it says.
#[derive(Debug)]
pub struct LabelDef {
    /// What the label announces.
    pub kind: LabelKind,
    /// Higher is more specific ("Rechnungsnummer" over "Nr.").
    pub priority: u8,
    /// Whether the value may stand below the label (column layouts).
    pub below: bool,
    /// The wordings, as printed.
    pub phrases: &'static [&'static str],
    /// The country whose national form a value after these wordings may be
    /// printed in (see the module docs).
    pub country: Option<&'static str>,
}

use LabelKind::*;

const fn def(
    kind: LabelKind,
    priority: u8,
    below: bool,
    phrases: &'static [&'static str],
) -> LabelDef {
    LabelDef {
        kind,
        priority,
        below,
        phrases,
        country: None,
    }
}

/// Wordings of one country after which an identifier may stand in its
/// national form, without the country prefix its international form starts
/// with: the Polish NIP is the VAT id without `PL`, the Polish account
/// number (NRB) the IBAN without `PL`. The label names the scheme, so the
/// prefix is known; the identifier's own check digits still decide.
const fn national(
    country: &'static str,
    kind: LabelKind,
    phrases: &'static [&'static str],
) -> LabelDef {
    LabelDef {
        kind,
        priority: 3,
        below: true,
        phrases,
        country: Some(country),
    }
}

/// The vocabulary. Earlier entries win when two wordings compact alike.
#[rustfmt::skip]
pub static LABELS: &[LabelDef] = &[
    def(DocumentNumber, 3, true, &[
        "Rechnungsnummer", "Rechnungs-Nr.", "Rechnungsnr.", "Rechnung Nr.", "Rechnungs Nr.",
        "Re-Nr.", "Belegnummer", "Beleg-Nr.", "Gutschriftsnummer", "Gutschrift-Nr.",
        "Gutschriftnummer", "Gutschrift Nr.", "Invoice number", "Invoice no.", "Invoice nr.",
        "Invoice ID", "Inv. No.", "Credit note number", "Credit note no.", "Factuurnummer",
        "Factuurnr.", "Factuur nr.", "Creditnotanummer", "Creditnota nr.", "Numéro de facture",
        "N° de facture", "N° facture", "Facture n°", "Numéro facture", "Avoir n°", "Numéro d'avoir",
        "Document number", "Document no.",
        "Faktura nr", "Faktura VAT nr", "Faktura numer", "Faktura VAT numer", "Numer faktury",
        "Nr faktury", "Faktura korygująca nr", "Faktura VAT korygująca nr", "Korekta nr",
        "Numer korekty", "Nr dokumentu", "Numer dokumentu",
    ]),
    def(CreditNoteTitle, 1, true, &[
        "Gutschrift", "Credit note", "Credit memo", "Creditnota", "Creditfactuur", "Avoir",
        "Facture d'avoir",
        "Faktura korygująca", "Faktura VAT korygująca", "Korekta faktury",
        "Korekta faktury VAT",
    ]),
    def(InvoiceTitle, 1, true, &[
        "Rechnung", "Invoice", "Tax invoice", "Factuur", "Facture", "Bill", "Rechnungskorrektur",
        "Korrekturrechnung", "Stornorechnung", "Rechnungsberichtigung", "Invoice correction",
        "Corrected invoice", "Facture rectificative", "Rectificatie", "Proforma",
        "Pro-forma invoice",
        "Faktura", "Faktura VAT", "Faktura zaliczkowa", "Faktura końcowa", "Faktura proforma",
    ]),
    def(OrderTitle, 1, true, &[
        "Order change", "Order response", "Order confirmation", "Purchase order change",
        "Purchase order response", "Auftragsbestätigung", "Bestellbestätigung", "Bestelländerung",
        "Orderbevestiging", "Orderwijziging", "Confirmation de commande",
        "Modification de commande", "Réponse à la commande",
        "Potwierdzenie zamówienia", "Zmiana zamówienia",
    ]),
    def(IssueDate, 3, true, &[
        "Rechnungsdatum", "Rechnungs-Datum", "Datum der Rechnung", "Belegdatum", "Beleg-Datum",
        "Gutschriftsdatum", "Invoice date", "Date of invoice", "Issue date", "Date of issue",
        "Invoice dated", "Factuurdatum", "Factuur datum", "Creditnotadatum", "Date de facture",
        "Date de facturation", "Date facture", "Date d'émission",
        "Data wystawienia", "Data wystawienia faktury", "Miejsce i data wystawienia",
        "Data faktury", "Data dokumentu",
    ]),
    def(IssueDate, 1, true, &[
        "Datum", "Date", "Dated", "Data",
    ]),
    def(DueDate, 3, true, &[
        "Fälligkeitsdatum", "Fällig am", "Fälligkeit", "Zahlbar bis", "Zahlungsziel", "Due date",
        "Payment due", "Payment due date", "Due", "Vervaldatum", "Vervaldag",
        "Uiterste betaaldatum", "Te betalen voor", "Date d'échéance", "Échéance",
        "Date limite de paiement", "A payer avant le",
        "Termin płatności", "Termin zapłaty", "Płatne do", "Płatność do", "Zapłata do",
    ]),
    def(DeliveryDate, 2, true, &[
        "Lieferdatum", "Leistungsdatum", "Liefer- und Leistungsdatum", "Liefertermin",
        "Delivery date", "Date of delivery", "Service date", "Leverdatum", "Afleverdatum",
        "Date de livraison",
        "Data sprzedaży", "Data dostawy", "Data wykonania usługi",
        "Data dostawy/wykonania usługi", "Data zakończenia dostawy",
    ]),
    def(OrderReference, 3, true, &[
        "Ihre Bestellung", "Ihre Bestellungen", "Ihre Bestellnummer", "Ihre Bestell-Nr.",
        "Ihre Bestellnr.", "Bestellnummer", "Bestell-Nr.", "Bestellnr.", "Bestellung",
        "Bestellungen", "Ihr Auftrag", "Ihre Auftragsnummer", "Ihre Order", "PO number",
        "PO numbers", "PO no.", "PO", "P.O.", "Purchase order", "Purchase order number",
        "Purchase orders", "Your order", "Your orders", "Your order number", "Your order no.",
        "Customer order", "Order reference", "Uw ordernummer", "Uw bestelnummer", "Uw order",
        "Uw orders", "Uw bestelling", "Uw bestellingen", "Inkoopordernummer", "Inkooporder",
        "Votre commande", "Vos commandes", "Votre commande n°", "Votre référence de commande",
        "N° de commande", "Numéro de commande", "Bon de commande", "Référence commande",
        "Commande n°",
        "Zamówienie", "Nr zamówienia", "Numer zamówienia", "Nr zam.",
        "Państwa zamówienie", "Wasze zamówienie", "Zamówienie klienta",
    ]),
    def(CustomerNumber, 2, true, &[
        "Kundennummer", "Kunden-Nr.", "Kundennr.", "Ihre Kundennummer", "Customer number",
        "Customer no.", "Customer ID", "Account number", "Klantnummer", "Klantnr.",
        "Debiteurnummer", "Numéro client", "N° client", "Code client", "Réf. client",
        "Nr klienta", "Numer klienta", "Kod klienta", "Nr odbiorcy",
    ]),
    def(LineTotal, 2, false, &[
        "Positionssumme", "Summe Positionen", "Warenwert", "Line total", "Lines total",
        "Total lines", "Total amount of lines", "Sum of line amounts", "Total line amount",
    ]),
    def(NetTotal, 3, false, &[
        "Nettobetrag", "Summe netto", "Nettosumme", "Gesamt netto", "Netto gesamt",
        "Rechnungssumme netto", "Rechnungssumme Netto (excl. USt.)", "Rechnungssumme ohne USt.",
        "Gesamtbetrag netto", "Zwischensumme netto", "Net total", "Net amount", "Total net",
        "Total excl. VAT", "Total excluding VAT", "Total (excl. VAT)", "Amount excl. VAT",
        "Subtotal excl. VAT", "Totaal excl. BTW", "Totaal exclusief BTW", "Exclusief BTW",
        "Excl. BTW", "Subtotaal ex. BTW", "Subtotaal excl. BTW", "Netto bedrag", "Total HT",
        "Montant HT", "Montant total HT", "Total hors taxes", "Sous-total HT",
        "Total amount without VAT", "Total net amount", "Total excl. tax", "Net total amount",
        "Wartość netto", "Razem netto", "Suma netto", "Łącznie netto", "Kwota netto",
        "Razem wartość netto",
    ]),
    def(NetTotal, 2, false, &[
        "Netto", "Net", "Subtotal", "Sub-total", "Sous-total", "Subtotaal",
    ]),
    def(NetTotal, 1, false, &[
        "Grondslag", "Steuerbasis", "Bemessungsgrundlage", "Base HT", "Base imposable",
        "Taxable amount", "Tax base",
    ]),
    def(TaxTotal, 3, false, &[
        "USt. Gesamt", "MwSt. gesamt", "Summe MwSt.", "Summe USt.", "MwSt.-Betrag", "MwSt-Betrag",
        "USt.-Betrag", "Umsatzsteuerbetrag", "Mehrwertsteuerbetrag", "zzgl. MwSt.", "zzgl. USt.",
        "zuzüglich Umsatzsteuer", "zuzüglich MwSt.", "Zuzügl. USt", "Steuerbetrag", "VAT amount",
        "Total VAT", "VAT total", "Total tax", "Tax amount", "Sales tax", "BTW bedrag",
        "BTW-bedrag", "Totaal BTW", "Montant TVA", "Total TVA",
        "Kwota VAT", "Wartość VAT", "Razem VAT", "Suma VAT", "Łącznie VAT", "Podatek VAT",
        "Kwota podatku",
    ]),
    def(TaxTotal, 2, false, &[
        "MwSt.", "USt.", "Umsatzsteuer", "Mehrwertsteuer", "VAT", "Tax", "BTW", "TVA",
        "Podatek",
    ]),
    def(AmountDue, 3, false, &[
        "Zahlbetrag", "Zu zahlen", "Zu zahlender Betrag", "Offener Betrag", "Amount due",
        "Balance due", "Total due", "Total amount due", "Amount payable", "Due payable",
        "Te betalen", "Openstaand bedrag", "Net à payer", "Somme à payer", "Montant à payer",
        "Reste à payer", "Total à payer",
        "Do zapłaty", "Razem do zapłaty", "Kwota do zapłaty", "Pozostało do zapłaty",
        "Pozostaje do zapłaty", "Należność", "Należność ogółem", "Suma do zapłaty",
    ]),
    def(GrossTotal, 3, false, &[
        "Gesamtbetrag", "Rechnungsbetrag", "Rechnungssumme", "Bruttobetrag", "Bruttosumme",
        "Gesamtsumme", "Endbetrag", "Rechnungssumme brutto", "Rechnungssumme Brutto (inkl. USt.)",
        "Gesamt brutto", "Summe brutto", "Summe inkl. USt.", "Summe inkl. MwSt.",
        "Gesamtbetrag brutto", "Gutschriftsbetrag", "Total amount", "Grand total", "Invoice total",
        "Total incl. VAT", "Total including VAT", "Total (incl. VAT)", "Total for this invoice",
        "Totaalbedrag", "Totaal incl. BTW", "Totaal inclusief BTW", "Bedrag incl. BTW",
        "Bedrag inclusief BTW", "Factuurtotaal", "Factuur totaal", "Factuurbedrag", "Total TTC",
        "Montant TTC", "Montant total TTC", "Total facture", "Montant total", "Total gross amount",
        "Gross amount", "Total amount with VAT", "Total incl. tax", "Total amount incl. VAT",
        "Wartość brutto", "Razem brutto", "Suma brutto", "Łącznie brutto", "Kwota brutto",
        "Razem wartość brutto",
    ]),
    def(GrossTotal, 2, false, &[
        "Brutto", "Total", "Totaal", "Summe", "Gesamt",
        "Razem", "Suma", "Łącznie", "Ogółem",
    ]),
    def(Prepaid, 2, false, &[
        "Erhaltene Anzahlungen", "Anzahlung", "Bereits bezahlt", "Amount paid", "Prepaid", "Paid",
        "Reeds betaald", "Acompte", "Déjà payé",
        "Zapłacono", "Wpłacono", "Zaliczka", "Otrzymana zaliczka",
    ]),
    def(Iban, 3, true, &[
        "IBAN", "IBAN-Nr.", "IBAN Nr.", "Verkäufer-IBAN", "Lieferanten-IBAN", "Seller IBAN",
        "Supplier IBAN", "IBAN leverancier", "IBAN du vendeur", "IBAN fournisseur",
    ]),
    def(BuyerIban, 3, true, &[
        "Käufer-IBAN", "Kunden-IBAN", "Ihre IBAN", "IBAN des Zahlungspflichtigen",
        "Zahlungspflichtiger IBAN", "Lastschrift von IBAN", "Your IBAN", "Customer IBAN",
        "Buyer IBAN", "Debtor IBAN", "Payer IBAN", "Uw IBAN", "IBAN klant", "Votre IBAN",
        "IBAN du débiteur", "IBAN client",
    ]),
    def(Bic, 3, true, &[
        "BIC", "SWIFT", "BIC/SWIFT", "SWIFT/BIC", "Swift code", "BIC-Code",
        "Kod SWIFT", "Kod BIC",
    ]),
    def(BuyerVatId, 3, true, &[
        "Ihre USt-IdNr.", "Ihre USt-ID", "Ihre USt.-IdentNr.", "Ihre UStId", "Kunden-USt-ID",
        "Your VAT ID", "Your VAT number", "Your VAT no.", "Customer VAT ID", "Buyer VAT ID",
        "Uw BTW nummer", "Uw BTW-nr.", "Uw BTW nr.", "Votre n° TVA", "Votre numéro de TVA",
        "N° TVA client",
    ]),
    def(VatId, 3, true, &[
        "USt-IdNr.", "USt-ID", "UStId", "USt.-Id.-Nr.", "USt.-Identnr.", "USt-Ident-Nr.",
        "Umsatzsteuer-ID", "Umsatzsteuer-Identifikationsnummer", "VAT ID", "VAT-ID", "VAT No.",
        "VAT number", "VAT reg. no.", "VAT registration number", "BTW nr.", "BTW-nummer",
        "BTW nummer", "BTW-nr.", "BTW-id", "N° TVA", "N° de TVA", "TVA intracommunautaire",
        "N° TVA intracommunautaire", "Numéro de TVA", "N° de TVA intracommunautaire",
    ]),
    national("PL", BuyerVatId, &["NIP nabywcy", "NIP odbiorcy"]),
    national("PL", VatId, &[
        "NIP", "Nr NIP", "NIP sprzedawcy", "NIP UE", "Numer VAT UE", "Nr VAT UE", "VAT UE",
    ]),
    national("PL", Iban, &[
        "Nr rachunku", "Numer rachunku", "Nr rachunku bankowego", "Numer rachunku bankowego",
        "Rachunek bankowy", "Rachunek nr", "Nr konta", "Numer konta", "Konto bankowe", "Konto nr",
    ]),
    def(TaxNumber, 2, true, &[
        "Steuernummer", "Steuer-Nr.", "St.-Nr.", "Steuernr.",
    ]),
    def(PaymentTerms, 2, true, &[
        "Zahlungsbedingungen", "Zahlungsbedingung", "Zahlungskonditionen", "Payment terms",
        "Terms of payment", "Betalingsvoorwaarden", "Betalingstermijn", "Betalingsconditie",
        "Conditions de paiement", "Conditions de règlement", "Modalités de paiement",
        "Warunki płatności",
    ]),
    def(Currency, 2, true, &[
        "Währung", "Rechnungswährung", "Currency", "Valuta", "Devise", "Beträge in",
        "Alle Beträge in", "Amounts in", "All amounts in", "Bedragen in", "Montants en",
        "Waluta", "Waluta faktury", "Kwoty w",
    ]),
    def(SellerSection, 1, false, &[
        "Verkäufer", "Lieferant", "Rechnungsersteller", "Seller", "Supplier", "Vendor", "Sold by",
        "Leverancier", "Verkoper", "Fournisseur", "Vendeur", "Émetteur",
        "Sprzedawca", "Sprzedający", "Wystawca", "Dostawca",
    ]),
    def(BuyerSection, 1, false, &[
        "Käufer", "Rechnungsempfänger", "Käufer/Leistungsempfänger", "Leistungsempfänger", "Kunde",
        "Buyer", "Customer", "Bill to", "Billed to", "Invoice to", "Invoice address",
        "Billing address", "Sold to", "Factuuradres", "Klant", "Koper", "Afnemer", "Acheteur",
        "Client", "Facturé à", "Adresse de facturation", "Destinataire",
        "Nabywca", "Kupujący", "Odbiorca", "Płatnik",
    ]),
    def(CarryOver, 1, false, &[
        "Übertrag", "Zwischensumme", "Carried forward", "Carry forward", "Brought forward",
        "Transport", "Report", "A reporter", "À reporter",
        "Z przeniesienia", "Do przeniesienia",
    ]),
];

/// A label found on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelHit {
    /// What it announces.
    pub kind: LabelKind,
    /// How specific the wording is.
    pub priority: u8,
    /// Whether the value may stand below it.
    pub below: bool,
    /// First word of the label.
    pub start: usize,
    /// One past its last word.
    pub end: usize,
    /// The country of a national form the value may be printed in.
    pub country: Option<&'static str>,
}

/// Folds a text into the form labels are compared in.
pub fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Most text is ASCII: skip Unicode case mapping for it.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
            continue;
        }
        for c in c.to_lowercase() {
            fold_into(&mut out, c);
        }
    }
    out
}

/// Appends a lower-case non-ASCII letter with its accent folded away (also
/// the Polish letters, which texts without them spell plain: "Ilosc").
fn fold_into(out: &mut String, c: char) {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => out.push('a'),
        'ç' | 'ć' => out.push('c'),
        'è' | 'é' | 'ê' | 'ë' | 'ę' => out.push('e'),
        'ì' | 'í' | 'î' | 'ï' => out.push('i'),
        'ł' => out.push('l'),
        'ñ' | 'ń' => out.push('n'),
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => out.push('o'),
        'ś' => out.push('s'),
        'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
        'ý' | 'ÿ' => out.push('y'),
        'ź' | 'ż' => out.push('z'),
        'ß' => out.push_str("ss"),
        c if c.is_alphanumeric() => out.push(c),
        _ => {}
    }
}

/// A compact wording and what it says.
type Index = HashMap<String, &'static LabelDef>;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = Index::new();
        for d in LABELS {
            for p in d.phrases {
                map.entry(compact(p)).or_insert(d);
            }
        }
        map
    })
}

/// The longest a label runs, in words (pieces of a broken word count).
const MAX_LABEL_WORDS: usize = 7;

/// Finds the labels among a line's words, longest wording first, left to right.
pub fn find_labels(words: &[&str]) -> Vec<LabelHit> {
    let index = index();
    let compacted: Vec<String> = words.iter().map(|w| compact(w)).collect();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if compacted[i].is_empty() || compacted[i].starts_with(|c: char| c.is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut key = String::new();
        let mut best: Option<LabelHit> = None;
        for j in i..words.len().min(i + MAX_LABEL_WORDS) {
            // A label never runs into a number.
            if j > i && words[j].starts_with(|c: char| c.is_ascii_digit()) {
                break;
            }
            key.push_str(&compacted[j]);
            if compacted[j].is_empty() {
                continue;
            }
            if let Some(d) = index.get(&key) {
                best = Some(LabelHit {
                    kind: d.kind,
                    priority: d.priority,
                    below: d.below,
                    start: i,
                    end: j + 1,
                    country: d.country,
                });
            }
        }
        let best = best.or_else(|| title_compound(&compacted[i], i));
        match best {
            Some(hit) => {
                hits.push(hit);
                i = hit.end;
            }
            None => i += 1,
        }
    }
    hits
}

/// German compounds ending in a title word ("Handelsrechnung",
/// "Warengutschrift"), also with their type code glued on ("HANDELSRECHNUNG(380)").
fn title_compound(word: &str, i: usize) -> Option<LabelHit> {
    let word = word.trim_end_matches(|c: char| c.is_ascii_digit());
    let kind = if word.len() > 8 && word.ends_with("rechnung") {
        InvoiceTitle
    } else if word.len() > 10 && word.ends_with("gutschrift") {
        CreditNoteTitle
    } else {
        return None;
    };
    Some(LabelHit {
        kind,
        priority: 1,
        below: true,
        start: i,
        end: i + 1,
        country: None,
    })
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
