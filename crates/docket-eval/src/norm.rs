//! Normalisation: the one place where a truth value and an extracted value are
//! brought to the same form before they are compared.
//!
//! Truth files write values as the XML wrote them (CII dates `YYYYMMDD`, UBL
//! dates `YYYY-MM-DD`, amounts with any number of decimals, VAT ids and IBANs
//! with or without blanks); Docket's values are typed. Each function here is
//! applied to both sides, so two values agree exactly when their normal forms
//! are equal.

use chrono::NaiveDate;
use docket_domain::normalize::{compact_identifier, invoice_number};
use rust_decimal::Decimal;

/// A trimmed text, `None` when nothing is left.
pub fn text(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A date from `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYY-MM-DD` (the forms CII,
/// ZUGFeRD 1 and UBL write): the first eight digits, whatever separates them.
pub fn date(raw: &str) -> Option<NaiveDate> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    NaiveDate::parse_from_str(digits.get(..8)?, "%Y%m%d").ok()
}

/// A decimal as written (`"496.00"`, `"-8.79"`, `"0"`), compared by value, so
/// that `496.00` and `496` are the same amount. The sign is kept: a credit
/// note's negative total read as positive is a different amount.
pub fn decimal(raw: &str) -> Option<Decimal> {
    raw.trim().parse::<Decimal>().ok().map(|d| d.normalize())
}

/// A document or order number in the form Docket's duplicate control and
/// idempotency keys use (letters and digits only, upper case): two spellings
/// this form does not tell apart are booked as the same number.
pub fn reference(raw: &str) -> Option<String> {
    let key = invoice_number(raw);
    (!key.is_empty()).then_some(key)
}

/// A VAT id, IBAN or similar code: upper case, without blanks, dots, dashes
/// or slashes.
pub fn identifier(raw: &str) -> Option<String> {
    let compact = compact_identifier(raw);
    (!compact.is_empty()).then_some(compact)
}

/// A party name, compared without regard to case or to how blanks and line
/// breaks are laid out. Punctuation and legal forms count: `Lieferant GmbH`
/// and `Lieferant` are different names.
pub fn name(raw: &str) -> Option<String> {
    let joined = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (!joined.is_empty()).then_some(joined)
}

/// An ISO 4217 currency code, upper case.
pub fn currency(raw: &str) -> Option<String> {
    text(raw).map(|c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn dates_of_every_syntax_agree() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 7);
        assert_eq!(date("20240307"), want);
        assert_eq!(date("2024-03-07"), want);
        assert_eq!(date("202403071530"), want);
        assert_eq!(date("2024-13-07"), None);
        assert_eq!(date("7.3.2024"), None);
    }

    #[test]
    fn decimals_compare_by_value_and_keep_the_sign() {
        assert_eq!(decimal("496.00"), decimal("496"));
        assert_eq!(decimal(" 0.7900 "), Some(dec!(0.79)));
        assert_ne!(decimal("-8.79"), decimal("8.79"));
        assert_eq!(decimal("12,50"), None);
    }

    #[test]
    fn references_ignore_case_blanks_and_punctuation() {
        assert_eq!(reference("re-2014/001"), reference("RE 2014 001"));
        assert_ne!(reference("RE-1"), reference("RE-01"));
        assert_eq!(reference(" - "), None);
    }

    #[test]
    fn identifiers_lose_blanks() {
        assert_eq!(identifier("DE 136 695 976"), Some("DE136695976".into()));
        assert_eq!(
            identifier("de88 2008 0000 0970 3757 00"),
            Some("DE88200800000970375700".into())
        );
    }

    #[test]
    fn names_ignore_case_and_layout_but_not_legal_forms() {
        assert_eq!(name("Lieferant  GmbH\n"), name("LIEFERANT gmbh"));
        assert_ne!(name("Lieferant GmbH"), name("Lieferant"));
        assert_eq!(name("   "), None);
    }
}
