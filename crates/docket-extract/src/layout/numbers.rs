//! Amounts, quantities and dates as invoices write them.
//!
//! Amounts come as `1.234,56`, `1,234.56`, `1 234,56`, `1'234.56`, `-12,00`,
//! `12,00-`, `(12.00)`, with a currency symbol or code before or after. A lone
//! separator followed by three digits (`1.000`) is ambiguous; the document's own
//! habit ([`Notation`], counted over all its amounts) decides. Dates come as
//! `21.11.2026`, `21-11-2026`, `21/11/2026` (day first unless the document shows
//! a month-first date), `2026-11-21`, `21 November 2026`, `21. November 2026`,
//! `21 novembre 2026`, `21 listopada 2026` and `November 21, 2026`.

use chrono::NaiveDate;
use docket_domain::Currency;
use rust_decimal::Decimal;

/// Which character a document uses as decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// `1.234,56`
    DecimalComma,
    /// `1,234.56`
    DecimalPoint,
    /// Not known (too few amounts to tell).
    Unknown,
}

impl Notation {
    /// Guesses the notation from the words of a document: the separator
    /// followed by exactly two final digits wins.
    pub fn detect<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let (mut comma, mut point) = (0usize, 0usize);
        for w in words {
            let w = w.trim_end_matches(['-', '€', '$', '£', '%', ')', ',', ';', ':']);
            let b = w.as_bytes();
            let n = b.len();
            if n >= 4
                && b[n - 1].is_ascii_digit()
                && b[n - 2].is_ascii_digit()
                && b[n - 4].is_ascii_digit()
            {
                match b[n - 3] {
                    b',' => comma += 1,
                    b'.' => point += 1,
                    _ => {}
                }
            }
        }
        match comma.cmp(&point) {
            std::cmp::Ordering::Greater => Notation::DecimalComma,
            std::cmp::Ordering::Less => Notation::DecimalPoint,
            std::cmp::Ordering::Equal => Notation::Unknown,
        }
    }
}

/// Whether numeric dates with `/` put the month first (US habit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Day, month, year (European).
    DayFirst,
    /// Month, day, year (only when the document proves it with a day > 12).
    MonthFirst,
}

impl DateOrder {
    /// Month first only when some slash date cannot be day-first.
    pub fn detect<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        for w in words {
            let parts: Vec<&str> = w.trim_end_matches(['.', ',']).split('/').collect();
            if parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                let (a, b) = (
                    parts[0].parse::<u32>().unwrap_or(0),
                    parts[1].parse::<u32>().unwrap_or(0),
                );
                if a <= 12 && b > 12 && b <= 31 && parts[2].len() == 4 {
                    return DateOrder::MonthFirst;
                }
            }
        }
        DateOrder::DayFirst
    }
}

/// An amount found among tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct AmountMatch {
    /// First token of the amount (currency included).
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The value, negative when written so.
    pub value: Decimal,
    /// The currency written with it, if any.
    pub currency: Option<Currency>,
    /// Digits after the decimal separator (0 for whole numbers).
    pub decimals: u32,
}

/// Parses a plain number (no currency, no sign): digits with grouping and
/// decimal separators. Returns the value and its number of decimals.
pub fn parse_number(text: &str, notation: Notation) -> Option<(Decimal, u32)> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_digit() || !bytes[bytes.len() - 1].is_ascii_digit() {
        return None;
    }
    let is_sep = |c: char| matches!(c, '.' | ',' | '\'' | '’' | ' ');
    if text.chars().any(|c| !c.is_ascii_digit() && !is_sep(c)) {
        return None;
    }
    let seps: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| is_sep(*c)).collect();
    let decimal_at = decimal_separator(text, &seps, notation)?;
    let (int_part, frac_part) = match decimal_at {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    if !groups_ok(int_part) || frac_part.chars().any(|c| !c.is_ascii_digit()) {
        return None;
    }
    let digits: String = int_part
        .chars()
        .filter(char::is_ascii_digit)
        .chain(frac_part.chars())
        .collect();
    if digits.len() > 20 {
        return None;
    }
    let scale = frac_part.len() as u32;
    let mantissa: i64 = digits.parse().ok()?;
    Some((Decimal::new(mantissa, scale), scale))
}

/// The byte index of the decimal separator, `Some(None)` for a whole number,
/// `None` for something that is not a number.
fn decimal_separator(
    text: &str,
    seps: &[(usize, char)],
    notation: Notation,
) -> Option<Option<usize>> {
    let Some(&(last_at, last)) = seps.last() else {
        return Some(None);
    };
    if matches!(last, '\'' | '’' | ' ') {
        return Some(None);
    }
    let mixed = seps
        .iter()
        .any(|&(_, c)| matches!(c, '.' | ',') && c != last);
    if mixed {
        // The last of two different marks is the decimal one; the other must
        // not come after it.
        return Some(Some(last_at));
    }
    let same = seps.iter().filter(|&&(_, c)| c == last).count();
    if same > 1 {
        return Some(None);
    }
    let after = text.len() - last_at - 1;
    if after != 3 {
        return Some(Some(last_at));
    }
    let decimal = match (notation, last) {
        (Notation::DecimalComma, ',') | (Notation::DecimalPoint, '.') => true,
        (Notation::DecimalComma, _) | (Notation::DecimalPoint, _) => false,
        // "0,025" cannot be grouping; otherwise grouping is the likelier reading.
        (Notation::Unknown, _) => text[..last_at].trim_start_matches('0').is_empty(),
    };
    Some(if decimal { Some(last_at) } else { None })
}

/// Digit groups of an integer part: the first 1-3 digits, the rest exactly 3.
fn groups_ok(int_part: &str) -> bool {
    let groups: Vec<&str> = int_part.split(['.', ',', '\'', '’', ' ']).collect();
    if groups.len() == 1 {
        return !groups[0].is_empty();
    }
    groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3)
}

/// A currency symbol or code standing alone.
pub fn currency_token(token: &str) -> Option<Currency> {
    let t = token.trim_matches(|c: char| c == ':' || c == '(' || c == ')');
    match t {
        "€" | "EUR" | "Euro" | "EURO" | "euro" => Some(Currency::EUR),
        "$" | "US$" | "USD" => Currency::parse("USD").ok(),
        "£" | "GBP" => Currency::parse("GBP").ok(),
        "CHF" | "SFr." | "Fr." => Currency::parse("CHF").ok(),
        "Rs" | "Rs." | "₹" | "INR" => Currency::parse("INR").ok(),
        "zł" | "zl" | "ZŁ" | "zł." => Currency::parse("PLN").ok(),
        t if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) => Currency::parse(t).ok(),
        _ => None,
    }
}

/// Splits a currency written onto a number (`€12,00`, `12,00€`, `EUR12.00`).
fn split_attached_currency(token: &str) -> (Option<Currency>, &str) {
    for sym in ["€", "$", "£", "₹", "zł"] {
        if let Some(rest) = token.strip_prefix(sym) {
            return (currency_token(sym), rest);
        }
        if let Some(rest) = token.strip_suffix(sym) {
            return (currency_token(sym), rest);
        }
    }
    if token.len() > 3 && token.is_char_boundary(3) {
        let (head, tail) = token.split_at(3);
        if head.bytes().all(|b| b.is_ascii_uppercase())
            && tail.starts_with(|c: char| c.is_ascii_digit() || c == '-')
            && let Some(c) = currency_token(head)
        {
            return (Some(c), tail);
        }
        let cut = token.len() - 3;
        if !token.is_char_boundary(cut) {
            return (None, token);
        }
        let (head, tail) = token.split_at(cut);
        if tail.bytes().all(|b| b.is_ascii_uppercase())
            && head.ends_with(|c: char| c.is_ascii_digit())
            && let Some(c) = currency_token(tail)
        {
            return (Some(c), head);
        }
    }
    (None, token)
}

/// Reads one token as a signed amount with an optional attached currency.
fn token_amount(token: &str, notation: Notation) -> Option<(Decimal, u32, Option<Currency>, bool)> {
    let mut t = token.trim_end_matches([',', ';', ':', '*']);
    let mut negative = false;
    if t.starts_with('(') && t.ends_with(')') && t.len() > 2 {
        negative = true;
        t = &t[1..t.len() - 1];
    }
    if let Some(rest) = t.strip_prefix(['-', '−', '–']) {
        negative = true;
        t = rest;
    }
    let (currency, rest) = split_attached_currency(t);
    t = rest;
    if let Some(rest) = t.strip_prefix(['-', '−', '–']) {
        negative = true;
        t = rest;
    }
    if let Some(rest) = t.strip_suffix(['-', '−', '–']) {
        negative = true;
        t = rest;
    }
    let (value, decimals) = parse_number(t, notation)?;
    Some((
        if negative { -value } else { value },
        decimals,
        currency,
        negative,
    ))
}

/// Finds the amounts among a line's tokens, left to right. Percentages, dates
/// and numbers glued to letters are not amounts.
pub fn find_amounts(tokens: &[&str], notation: Notation) -> Vec<AmountMatch> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some((mut value, decimals, mut currency, _)) = token_amount(tokens[i], notation) else {
            i += 1;
            continue;
        };
        if tokens.get(i + 1).is_some_and(|t| t.starts_with('%')) || looks_like_date(tokens[i]) {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut end = i + 1;
        if currency.is_none() && i > 0 {
            if let Some(c) = currency_token(tokens[i - 1]) {
                currency = Some(c);
                start = i - 1;
            } else if matches!(tokens[i - 1], "-" | "−")
                && i > 1
                && let Some(c) = currency_token(tokens[i - 2])
            {
                currency = Some(c);
                value = -value;
                start = i - 2;
            }
        }
        if currency.is_none()
            && let Some(c) = tokens.get(end).and_then(|next| currency_token(next))
        {
            currency = Some(c);
            end += 1;
        }
        if tokens.get(end).is_some_and(|t| matches!(*t, "-" | "−")) && value > Decimal::ZERO {
            value = -value;
            end += 1;
        }
        out.push(AmountMatch {
            start,
            end,
            value,
            currency,
            decimals,
        });
        i = end;
    }
    out
}

fn looks_like_date(token: &str) -> bool {
    parse_numeric_date(token, DateOrder::DayFirst).is_some()
}

/// Parses a quantity such as `1,00`, `400.00001` or `20` (no currency, sign allowed).
pub fn parse_quantity(token: &str, notation: Notation) -> Option<Decimal> {
    let t = token.trim_end_matches([',', ';', 'x', '×']);
    let (negative, t) = match t.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest),
        None => match t.strip_suffix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        },
    };
    let (v, _) = parse_number(t, notation)?;
    Some(if negative { -v } else { v })
}

/// Parses a percentage token (`19%`, `19,0`, `7 %` given as `7`), without the sign.
pub fn parse_percent(token: &str, notation: Notation) -> Option<Decimal> {
    let t = token.trim_end_matches('%').trim();
    let (v, _) = parse_number(t, notation)?;
    (v <= Decimal::from(100)).then_some(v)
}

#[rustfmt::skip]
const MONTHS: &[(&str, u32)] = &[
    ("january", 1), ("jan", 1), ("januar", 1), ("jänner", 1), ("januari", 1), ("janvier", 1),
    ("janv", 1), ("february", 2), ("feb", 2), ("febr", 2), ("februar", 2), ("februari", 2),
    ("février", 2), ("fevrier", 2), ("févr", 2), ("fév", 2), ("march", 3), ("mar", 3), ("märz", 3),
    ("maerz", 3), ("mär", 3), ("mrz", 3), ("maart", 3), ("mars", 3), ("mrt", 3), ("april", 4),
    ("apr", 4), ("avril", 4), ("avr", 4), ("may", 5), ("mai", 5), ("mei", 5), ("june", 6),
    ("jun", 6), ("juni", 6), ("juin", 6), ("july", 7), ("jul", 7), ("juli", 7), ("juillet", 7),
    ("juil", 7), ("august", 8), ("aug", 8), ("augustus", 8), ("août", 8), ("aout", 8),
    ("september", 9), ("sep", 9), ("sept", 9), ("septembre", 9), ("october", 10), ("oct", 10),
    ("oktober", 10), ("okt", 10), ("octobre", 10), ("november", 11), ("nov", 11), ("novembre", 11),
    ("december", 12), ("dec", 12), ("dezember", 12), ("dez", 12), ("décembre", 12),
    ("decembre", 12), ("déc", 12),
    // Polish, in the genitive dates use ("5 marca 2024") and as named.
    ("stycznia", 1), ("styczeń", 1), ("lutego", 2), ("luty", 2), ("marca", 3), ("marzec", 3),
    ("kwietnia", 4), ("kwiecień", 4), ("maja", 5), ("maj", 5), ("czerwca", 6), ("czerwiec", 6),
    ("lipca", 7), ("lipiec", 7), ("sierpnia", 8), ("sierpień", 8), ("września", 9),
    ("wrzesień", 9), ("października", 10), ("październik", 10), ("listopada", 11),
    ("listopad", 11), ("grudnia", 12), ("grudzień", 12),
];

fn month(token: &str) -> Option<u32> {
    let t = token.trim_end_matches(['.', ',']).to_lowercase();
    MONTHS.iter().find(|(name, _)| *name == t).map(|&(_, m)| m)
}

fn year(token: &str) -> Option<i32> {
    let t = token.trim_end_matches(['.', ',', ')', ';']);
    match t.len() {
        4 if t.bytes().all(|b| b.is_ascii_digit()) => {
            t.parse().ok().filter(|y| (1990..=2100).contains(y))
        }
        2 if t.bytes().all(|b| b.is_ascii_digit()) => t
            .parse::<i32>()
            .ok()
            .map(|y| 2000 + y)
            .filter(|y| *y < 2070),
        _ => None,
    }
}

fn day(token: &str) -> Option<u32> {
    let t = token.trim_end_matches([',', '.']);
    let t = t
        .strip_suffix("er")
        .or_else(|| t.strip_suffix("th"))
        .or_else(|| t.strip_suffix("st"))
        .or_else(|| t.strip_suffix("nd"))
        .or_else(|| t.strip_suffix("rd"))
        .unwrap_or(t);
    (t.len() <= 2 && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
        .filter(|d| (1..=31).contains(d))
}

/// Parses a single-token numeric date.
pub fn parse_numeric_date(token: &str, order: DateOrder) -> Option<NaiveDate> {
    let t = token
        .trim_end_matches(['.', ',', ';', ')', ':'])
        .trim_start_matches('(');
    let sep = t.chars().find(|c| matches!(c, '.' | '-' | '/'))?;
    let parts: Vec<&str> = t.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if parts[0].len() == 4 {
        let y = year(parts[0])?;
        return NaiveDate::from_ymd_opt(y, parts[1].parse().ok()?, parts[2].parse().ok()?);
    }
    if parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    let y = year(parts[2])?;
    let (a, b): (u32, u32) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
    let (d, m) = if sep == '/' && order == DateOrder::MonthFirst {
        (b, a)
    } else {
        (a, b)
    };
    NaiveDate::from_ymd_opt(y, m, d).or_else(|| {
        // A day-first reading that cannot be a date may be a US date.
        (sep == '/' && order == DateOrder::DayFirst)
            .then(|| NaiveDate::from_ymd_opt(y, a, b))
            .flatten()
    })
}

/// Parses a date starting at `tokens[i]`; returns it and the number of tokens used.
pub fn parse_date_at(tokens: &[&str], i: usize, order: DateOrder) -> Option<(NaiveDate, usize)> {
    let t = tokens.get(i)?;
    if let Some(d) = parse_numeric_date(t, order) {
        return Some((d, 1));
    }
    // 21 November 2026 / 21. November 2026 / 1er janvier 2026
    if let (Some(d), Some(m)) = (day(t), tokens.get(i + 1).and_then(|t| month(t)))
        && let Some(y) = tokens
            .get(i + 2)
            .and_then(|t| year(t))
            .filter(|_| tokens[i + 2].len() >= 4)
    {
        return NaiveDate::from_ymd_opt(y, m, d).map(|date| (date, 3));
    }
    // November 21, 2026 / August 3 , 2014
    if let Some(m) = month(t) {
        let d = tokens.get(i + 1).and_then(|t| day(t))?;
        let mut j = i + 2;
        if tokens.get(j).is_some_and(|t| *t == ",") {
            j += 1;
        }
        let y = tokens
            .get(j)
            .filter(|t| t.len() >= 4)
            .and_then(|t| year(t))?;
        return NaiveDate::from_ymd_opt(y, m, d).map(|date| (date, j + 1 - i));
    }
    None
}

/// All dates among tokens: `(first token, tokens used, date)`.
pub fn find_dates(tokens: &[&str], order: DateOrder) -> Vec<(usize, usize, NaiveDate)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((d, n)) = parse_date_at(tokens, i, order) {
            out.push((i, n, d));
            i += n;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
#[path = "numbers_tests.rs"]
mod tests;
