//! Normalisation of identifiers so that the same thing written twice compares equal.

/// Normalises an invoice number for duplicate detection: upper case, only letters
/// and digits, leading zeros of numeric groups kept (they can matter), so that
/// `inv-2024/0001`, `INV 2024 0001` and `INV20240001` are the same key.
pub fn invoice_number(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Normalises a VAT id or IBAN: upper case without blanks, dots, dashes or slashes.
pub fn compact_identifier(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether two PO line numbers are the same line: ERPs write `10` and
/// `00010` for one line (SAP pads to five places), so numbers compare as
/// numbers; anything else compares as written.
pub fn same_line_number(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Similarity (0-1, Jaro-Winkler) of two company names after
/// [`company_name`]: what supplier and customer candidates are judged by.
pub fn company_name_similarity(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(&company_name(a), &company_name(b))
}

/// Normalises a company name for similarity: lower case, legal forms and punctuation removed.
pub fn company_name(name: &str) -> String {
    const LEGAL_FORMS: &[&str] = &[
        "gmbh", "ag", "kg", "co", "bv", "b.v.", "nv", "n.v.", "sa", "sarl", "sas", "ltd",
        "limited", "llc", "inc", "plc", "srl", "spa", "vof", "ohg", "ug", "e.k.", "mbh", "s.r.l.",
        "s.p.a.", "v.o.f.", "s.a.", "s.a.s.", "s.l.", "sl", "oy", "ab", "as", "a.s.", "sp.", "z",
        "o.o.", "s.r.o.", "sro", "kft", "bvba", "sprl",
    ];
    let lowered = name.to_lowercase().replace('&', " ");
    lowered
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.'))
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_numbers_compare_without_punctuation_or_case() {
        assert_eq!(invoice_number("inv-2024/0001"), "INV20240001");
        assert_eq!(invoice_number(" INV 2024 0001 "), "INV20240001");
        assert_ne!(invoice_number("INV-1"), invoice_number("INV-01"));
    }

    #[test]
    fn identifiers_are_compacted() {
        assert_eq!(compact_identifier("de 123.456.789"), "DE123456789");
        assert_eq!(
            compact_identifier("NL91 ABNA 0417 1643 00"),
            "NL91ABNA0417164300"
        );
    }

    #[test]
    fn line_numbers_compare_as_numbers() {
        assert!(same_line_number("00010", "10"));
        assert!(same_line_number(" 10 ", "10"));
        assert!(!same_line_number("100", "10"));
        assert!(same_line_number("A1", "A1"));
        assert!(!same_line_number("A1", "A01"));
    }

    #[test]
    fn company_names_lose_legal_forms() {
        assert_eq!(company_name("Müller & Söhne GmbH"), "müller söhne");
        assert_eq!(company_name("Van Dijk Kantoor B.V."), "van dijk kantoor");
        assert_eq!(company_name("Rossi Forniture S.r.l."), "rossi forniture");
        assert_eq!(company_name("Kowalski Sp. z o.o."), "kowalski");
    }
}
