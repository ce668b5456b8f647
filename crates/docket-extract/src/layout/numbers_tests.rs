//! Tests of the amount, quantity and date notations.

use super::*;
use rust_decimal_macros::dec;

fn amounts(line: &str, notation: Notation) -> Vec<(Decimal, Option<String>)> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    find_amounts(&tokens, notation)
        .into_iter()
        .map(|m| (m.value, m.currency.map(|c| c.code().to_string())))
        .collect()
}

fn one(line: &str) -> Decimal {
    let found = amounts(line, Notation::Unknown);
    assert_eq!(found.len(), 1, "{line}: {found:?}");
    found[0].0
}

#[test]
fn amounts_in_every_common_notation() {
    assert_eq!(one("1.234,56"), dec!(1234.56));
    assert_eq!(one("1,234.56"), dec!(1234.56));
    // Blank-grouped thousands arrive as one token (the layout view joins them
    // only when the gap is narrow).
    assert_eq!(
        parse_number("1 234,56", Notation::Unknown),
        Some((dec!(1234.56), 2))
    );
    assert_eq!(one("1'234.56"), dec!(1234.56));
    assert_eq!(one("-12,00"), dec!(-12.00));
    assert_eq!(one("12,00-"), dec!(-12.00));
    assert_eq!(one("(12.00)"), dec!(-12.00));
    assert_eq!(one("1.234.567,89"), dec!(1234567.89));
    assert_eq!(one("0,025"), dec!(0.025));
    assert_eq!(one("10000,0000"), dec!(10000.0000));
}

#[test]
fn currency_before_or_after_attached_or_not() {
    let eur = Some("EUR".to_string());
    assert_eq!(
        amounts("€ 156,20", Notation::Unknown),
        [(dec!(156.20), eur.clone())]
    );
    assert_eq!(
        amounts("156,20 €", Notation::Unknown),
        [(dec!(156.20), eur.clone())]
    );
    assert_eq!(
        amounts("€156,20", Notation::Unknown),
        [(dec!(156.20), eur.clone())]
    );
    assert_eq!(
        amounts("EUR 34,73", Notation::Unknown),
        [(dec!(34.73), eur.clone())]
    );
    assert_eq!(
        amounts("34,73EUR", Notation::Unknown),
        [(dec!(34.73), eur.clone())]
    );
    assert_eq!(
        amounts("€ 189,00-", Notation::Unknown),
        [(dec!(-189.00), eur.clone())]
    );
    assert_eq!(amounts("€ -9,32", Notation::Unknown), [(dec!(-9.32), eur)]);
    let usd = Some("USD".to_string());
    assert_eq!(
        amounts("$4.11", Notation::Unknown),
        [(dec!(4.11), usd.clone())]
    );
    assert_eq!(amounts("$ 42.00", Notation::Unknown), [(dec!(42.00), usd)]);
    let pln = Some("PLN".to_string());
    assert_eq!(
        amounts("316,83 zł", Notation::Unknown),
        [(dec!(316.83), pln.clone())]
    );
    assert_eq!(
        amounts("316,83zł", Notation::Unknown),
        [(dec!(316.83), pln.clone())]
    );
    assert_eq!(
        amounts("PLN 316,83", Notation::Unknown),
        [(dec!(316.83), pln)]
    );
}

#[test]
fn ambiguous_thousands_follow_the_document() {
    assert_eq!(amounts("1.000", Notation::DecimalComma)[0].0, dec!(1000));
    assert_eq!(amounts("1.000", Notation::DecimalPoint)[0].0, dec!(1.000));
    assert_eq!(amounts("1,000", Notation::DecimalComma)[0].0, dec!(1.000));
    assert_eq!(amounts("1,000", Notation::Unknown)[0].0, dec!(1000));
    assert_eq!(
        Notation::detect(["Total", "1.234,56", "12,00", "3.50"]),
        Notation::DecimalComma
    );
    assert_eq!(
        Notation::detect(["$4.11", "12.00-"]),
        Notation::DecimalPoint
    );
}

#[test]
fn percentages_dates_and_words_are_not_amounts() {
    assert!(amounts("19 %", Notation::Unknown).is_empty());
    assert!(amounts("19%", Notation::Unknown).is_empty());
    assert!(amounts("21.11.2026", Notation::Unknown).is_empty());
    assert!(amounts("NL820471616B01 DE136695976", Notation::Unknown).is_empty());
    assert!(amounts("1,23.45", Notation::Unknown).is_empty());
    let found = amounts("Tax 15% on $ 112.90 $ 16.94", Notation::DecimalPoint);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].0, dec!(16.94));
}

#[test]
fn quantities_and_percents() {
    assert_eq!(
        parse_quantity("400,00001", Notation::DecimalComma),
        Some(dec!(400.00001))
    );
    assert_eq!(
        parse_quantity("-5,0000", Notation::DecimalComma),
        Some(dec!(-5.0000))
    );
    assert_eq!(parse_quantity("20", Notation::DecimalComma), Some(dec!(20)));
    assert_eq!(parse_quantity("abc", Notation::DecimalComma), None);
    assert_eq!(parse_percent("19%", Notation::DecimalComma), Some(dec!(19)));
    assert_eq!(
        parse_percent("5,5", Notation::DecimalComma),
        Some(dec!(5.5))
    );
    assert_eq!(parse_percent("250", Notation::DecimalComma), None);
}

fn date(text: &str) -> Option<NaiveDate> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    parse_date_at(&tokens, 0, DateOrder::DayFirst).map(|(d, n)| {
        assert_eq!(n, tokens.len(), "{text}");
        d
    })
}

#[test]
fn dates_in_every_common_notation() {
    let d = NaiveDate::from_ymd_opt(2026, 11, 21);
    for text in [
        "21.11.2026",
        "21-11-2026",
        "21/11/2026",
        "2026-11-21",
        "21 November 2026",
        "21. November 2026",
        "21 novembre 2026",
        "21 november 2026",
        "November 21, 2026",
        "Nov 21 , 2026",
        "21.11.26",
    ] {
        assert_eq!(date(text), d, "{text}");
    }
    assert_eq!(
        date("1er janvier 2026"),
        NaiveDate::from_ymd_opt(2026, 1, 1)
    );
    assert_eq!(date("29 maart 2014"), NaiveDate::from_ymd_opt(2014, 3, 29));
    assert_eq!(date("7. Mai 2014"), NaiveDate::from_ymd_opt(2014, 5, 7));
    assert_eq!(date("21 listopada 2026"), d);
    assert_eq!(
        date("3 Października 2024"),
        NaiveDate::from_ymd_opt(2024, 10, 3)
    );
    assert_eq!(date("32.11.2026"), None);
    assert_eq!(date("2018-471331"), None);
}

#[test]
fn slash_dates_are_month_first_only_when_proven() {
    assert_eq!(
        DateOrder::detect(["03/20/2023", "04/04/2023"]),
        DateOrder::MonthFirst
    );
    assert_eq!(DateOrder::detect(["20/03/2023"]), DateOrder::DayFirst);
    assert_eq!(
        parse_numeric_date("04/05/2023", DateOrder::MonthFirst),
        NaiveDate::from_ymd_opt(2023, 4, 5)
    );
    assert_eq!(
        parse_numeric_date("03/20/2023", DateOrder::DayFirst),
        NaiveDate::from_ymd_opt(2023, 3, 20)
    );
    let tokens = ["Rechnung", "vom", "05.03.2013", "bis", "04.04.2013"];
    let found = find_dates(&tokens, DateOrder::DayFirst);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].0, 4);
}
