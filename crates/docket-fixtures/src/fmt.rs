//! Numbers and dates written the way each language's invoices write them.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::scenarios::Lang;

/// Groups the integer digits of a non-negative decimal string with `sep`.
fn group(int: &str, sep: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn separators(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::De | Lang::Nl => (".", ","),
        Lang::En => (",", "."),
        Lang::Fr => (" ", ","),
    }
}

/// A number with `dp` decimals: `1.234,56` (de, nl), `1,234.56` (en), `1 234,56` (fr).
pub fn number(value: Decimal, dp: u32, lang: Lang) -> String {
    let (thousands, decimal) = separators(lang);
    let rounded = value.round_dp(dp);
    let text = format!("{:.*}", dp as usize, rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    out.push_str(&group(int, thousands));
    if dp > 0 {
        out.push_str(decimal);
        out.push_str(frac);
    }
    out
}

/// A money amount with two decimals.
pub fn amount(value: Decimal, lang: Lang) -> String {
    number(value, 2, lang)
}

/// A quantity: no decimals when whole.
pub fn qty(value: Decimal, lang: Lang) -> String {
    let normal = value.normalize();
    number(normal, normal.scale(), lang)
}

/// A VAT rate: `19 %` (de, fr), `19%` (nl, en).
pub fn percent(value: Decimal, lang: Lang) -> String {
    let n = qty(value, lang);
    match lang {
        Lang::De | Lang::Fr => format!("{n} %"),
        Lang::Nl | Lang::En => format!("{n}%"),
    }
}

/// A date: `04.11.2026` (de), `04-11-2026` (nl), `4 November 2026` (en), `04/11/2026` (fr).
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::De => d.format("%d.%m.%Y").to_string(),
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => format!("{} {}", d.day(), d.format("%B %Y")),
        Lang::Fr => d.format("%d/%m/%Y").to_string(),
    }
}

/// An IBAN in groups of four, as printed.
pub fn iban(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(amount(dec!(1234.5), Lang::De), "1.234,50");
        assert_eq!(amount(dec!(1234567.891), Lang::En), "1,234,567.89");
        assert_eq!(amount(dec!(-93.75), Lang::Nl), "-93,75");
        assert_eq!(amount(dec!(1740), Lang::Fr), "1 740,00");
        assert_eq!(amount(dec!(0.62), Lang::En), "0.62");
        assert_eq!(qty(dec!(500), Lang::De), "500");
        assert_eq!(qty(dec!(2.50), Lang::De), "2,5");
        assert_eq!(percent(dec!(19), Lang::De), "19 %");
    }

    #[test]
    fn dates_follow_the_language() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
        assert_eq!(date(d, Lang::De), "04.11.2026");
        assert_eq!(date(d, Lang::Nl), "04-11-2026");
        assert_eq!(date(d, Lang::En), "4 November 2026");
        assert_eq!(date(d, Lang::Fr), "04/11/2026");
        assert_eq!(
            iban("DE12200505501283746510"),
            "DE12 2005 0550 1283 7465 10"
        );
    }
}
