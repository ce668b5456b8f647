//! Value parsing shared by the e-invoice readers: dates, decimals, currencies,
//! identifiers and indicators, each as the syntaxes write them.
//!
//! Parsers return `None` rather than guessing: a value the reader cannot
//! understand is left empty so that a person looks at it.

use std::str::FromStr;

use chrono::NaiveDate;
use docket_domain::Currency;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Parses a CII `DateTimeString` by its `format` attribute: 102 (`YYYYMMDD`),
/// 203 (`YYYYMMDDHHMM`, the date part is kept), 610 (`YYYYMM`, the first day).
/// Without a format (or with one producers misuse) the usual shapes are tried.
pub fn cii_date(text: &str, format: Option<&str>) -> Option<NaiveDate> {
    let text = text.trim();
    match format.map(str::trim) {
        Some("610") => {
            let digits = digits_prefix(text, 6)?;
            NaiveDate::parse_from_str(&format!("{digits}01"), "%Y%m%d").ok()
        }
        _ => compact_date(text).or_else(|| iso_date(text)),
    }
}

/// `YYYYMMDD`, optionally followed by a time (formats 102 and 203).
fn compact_date(text: &str) -> Option<NaiveDate> {
    let digits = digits_prefix(text, 8)?;
    if !text.get(8..)?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

fn digits_prefix(text: &str, len: usize) -> Option<&str> {
    let prefix = text.get(..len)?;
    prefix.bytes().all(|b| b.is_ascii_digit()).then_some(prefix)
}

/// An XML Schema date (`YYYY-MM-DD`, optionally with a zone or a time), as UBL writes it.
pub fn iso_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date = text.get(..10)?;
    let rest = text.get(10..)?;
    let rest_ok = rest.is_empty()
        || (rest.starts_with(['Z', '+', '-', 'T'])
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b":+-TZ.".contains(&b)));
    if !rest_ok {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// A decimal as XML Schema writes it (`-1234.50`, `+3`, `.5`); exponents are
/// accepted because some generators emit them for zero.
pub fn decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let plain = text.strip_prefix('+').unwrap_or(text);
    Decimal::from_str(plain)
        .ok()
        .or_else(|| Decimal::from_scientific(plain).ok())
}

/// An ISO 4217 code.
pub fn currency(text: &str) -> Option<Currency> {
    Currency::parse(text).ok()
}

/// A CII/UBL indicator (`true`/`false`, also `1`/`0`).
pub fn indicator(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// An IBAN or BIC in compact upper-case form; `None` when it cannot be one.
pub fn compact_account(text: &str) -> Option<String> {
    let compact = docket_domain::normalize::compact_identifier(text);
    (compact.len() >= 8 && compact.len() <= 34).then_some(compact)
}

/// A VAT id without blanks or dots (the domain's normalised form).
pub fn vat_id(text: &str) -> Option<String> {
    let compact = docket_domain::normalize::compact_identifier(text);
    (!compact.is_empty()).then_some(compact)
}

/// A whole number of days from a decimal text (`30`, `30.0`).
pub fn days(text: &str) -> Option<u32> {
    let value = decimal(text)?;
    if value.fract().is_zero() {
        value.to_u32()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn cii_dates_follow_their_format_code() {
        assert_eq!(cii_date("20180305", Some("102")), Some(ymd(2018, 3, 5)));
        assert_eq!(
            cii_date("202003311232", Some("203")),
            Some(ymd(2020, 3, 31))
        );
        assert_eq!(cii_date("202003", Some("610")), Some(ymd(2020, 3, 1)));
        assert_eq!(cii_date("2018-03-05", Some("102")), Some(ymd(2018, 3, 5)));
        assert_eq!(cii_date("20181305", Some("102")), None);
        assert_eq!(cii_date("2018", None), None);
        assert_eq!(cii_date("2018030x", None), None);
        assert_eq!(cii_date("20180305abc", None), None);
    }

    #[test]
    fn iso_dates_allow_zones_only() {
        assert_eq!(iso_date("2019-09-23"), Some(ymd(2019, 9, 23)));
        assert_eq!(iso_date("2019-09-23+01:00"), Some(ymd(2019, 9, 23)));
        assert_eq!(iso_date("2019-09-23Z"), Some(ymd(2019, 9, 23)));
        assert_eq!(iso_date("2019-09-23 garbage"), None);
        assert_eq!(iso_date("2019-9-3"), None);
        assert_eq!(iso_date("ü"), None);
    }

    #[test]
    fn decimals_keep_their_digits() {
        assert_eq!(decimal(" 1234.50 "), Some(dec!(1234.50)));
        assert_eq!(decimal("+3"), Some(dec!(3)));
        assert_eq!(decimal("-0.5"), Some(dec!(-0.5)));
        assert_eq!(decimal("0E+2"), Some(dec!(0)));
        assert_eq!(decimal("1,5"), None);
        assert_eq!(decimal(""), None);
        assert_eq!(decimal(&"9".repeat(100)), None);
    }

    #[test]
    fn small_values() {
        assert_eq!(indicator(" true "), Some(true));
        assert_eq!(indicator("no"), None);
        assert_eq!(days("30.00"), Some(30));
        assert_eq!(days("2.5"), None);
        assert_eq!(days("-1"), None);
        assert_eq!(vat_id("DE 123.456.789").as_deref(), Some("DE123456789"));
        assert_eq!(
            compact_account("DE88 2008 0000 0970 3757 00").as_deref(),
            Some("DE88200800000970375700")
        );
        assert!(currency("EUR").is_some() && currency("XXZ").is_none());
    }
}
