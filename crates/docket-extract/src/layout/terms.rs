//! Payment terms: the due date, net days and cash discount, read from the
//! sentences invoices write them in ("zahlbar innerhalb von 30 Tagen netto",
//! "Net 30 days", "3% Skonto innerhalb 10 Tagen", "uiterlijk op 03-12-2026").

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::found::{Found, GENERIC};
use super::labels::{LabelKind, compact};
use super::numbers::{find_dates, parse_percent};
use super::view::View;

/// A sentence that runs on to the next line ("... innerhalb von 30 Tagen ohne" /
/// "Abzug.") is read to its end (one more line at most).
pub fn continued(view: &View, region: &super::pairing::Region, text: String) -> String {
    let l = &view.lines[region.line];
    let next = view.lines.get(region.line + 1);
    let runs_on = region.end == l.toks.len() && !text.ends_with(['.', '!']);
    match next {
        Some(n)
            if runs_on
                && n.page == l.page
                && l.bbox.y0 - n.bbox.y1 < 0.8 * l.size
                && (n.bbox.x0 - l.bbox.x0).abs() < 2.0 * l.size
                && !n.labels.iter().any(|h| h.start == 0) =>
        {
            let texts = n.texts();
            let end = texts
                .iter()
                .position(|t| t.ends_with('.'))
                .map_or(texts.len(), |i| i + 1);
            format!("{text} {}", texts[..end].join(" "))
        }
        _ => text,
    }
}

/// Words that make a sentence about paying.
const PAYMENT_WORDS: &[&str] = &[
    "zahlbar",
    "uberweisen",
    "zahlen",
    "zahlung",
    "remit",
    "pay",
    "payable",
    "payment",
    "betalen",
    "betaal",
    "betaling",
    "payer",
    "paiement",
    "reglement",
    "netto",
    "net",
    "platnosc",
    "platne",
    "zaplata",
    "zaplaty",
    "zaplacic",
    "przelew",
];
const UNTIL_WORDS: &[&str] = &[
    "bis",
    "zum",
    "until",
    "by",
    "before",
    "voor",
    "avant",
    "le",
    "uiterlijk",
    "do",
];

fn is_payment_line(tokens: &[&str]) -> bool {
    tokens.iter().any(|t| {
        let c = compact(t);
        PAYMENT_WORDS
            .iter()
            .any(|w| c == *w || (w.len() > 4 && c.starts_with(w)))
    })
}

/// "Bitte überweisen Sie bis zum 29.10.2015", "Please remit until 2019-07-01":
/// the latest such date, since earlier ones are cash-discount deadlines.
pub fn payable_until(view: &View, skip_line: &dyn Fn(usize) -> bool) -> Option<Found<NaiveDate>> {
    let mut latest: Option<Found<NaiveDate>> = None;
    for (idx, l) in view.lines.iter().enumerate() {
        let tokens = l.texts();
        if skip_line(idx) || !is_payment_line(&tokens) {
            continue;
        }
        for (start, n, date) in find_dates(&tokens, view.dates) {
            let until = start > 0 && UNTIL_WORDS.contains(&compact(tokens[start - 1]).as_str());
            if until && latest.as_ref().is_none_or(|f| date > f.value) {
                let mut f =
                    Found::words(view, idx, start.saturating_sub(2), start + n, date, GENERIC);
                f.priority = 1;
                latest = Some(f);
            }
        }
    }
    latest
}

/// Net days and cash discount from sentences such as "30 Tage netto",
/// "Net 30 days", "innerhalb von 14 Tagen mit 2 % Skonto", read clause by
/// clause so that the discount's days are not taken for the net days.
pub fn terms_numbers(
    view: &View,
    skip_line: &dyn Fn(usize) -> bool,
) -> (Option<u32>, Option<(Decimal, u32)>) {
    const DAYS: &[&str] = &[
        "tage", "tagen", "days", "dagen", "jours", "day", "dag", "tag", "dni", "dzien",
    ];
    const DISCOUNT: &[&str] = &[
        "skonto", "discount", "korting", "escompte", "remise", "rabat",
    ];
    let (mut net, mut discount) = (None::<u32>, None);
    for (idx, l) in view.lines.iter().enumerate() {
        let tokens = l.texts();
        let terms_label = l.labels.iter().any(|h| h.kind == LabelKind::PaymentTerms);
        if skip_line(idx)
            || !(terms_label
                || is_payment_line(&tokens)
                || tokens.iter().any(|t| compact(t).contains("skonto")))
        {
            continue;
        }
        for clause in
            tokens.split_inclusive(|t| t.ends_with([',', ';']) || (t.ends_with('.') && t.len() > 3))
        {
            let c: Vec<String> = clause.iter().map(|t| compact(t)).collect();
            let days = (0..clause.len()).find_map(|i| {
                let d = clause[i]
                    .trim_start_matches('(')
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d <= 365)?;
                c.get(i + 1)
                    .is_some_and(|w| DAYS.contains(&w.as_str()))
                    .then_some(d)
            });
            let Some(days) = days else { continue };
            let percent = (0..clause.len()).find_map(|j| {
                let t = clause[j];
                (t.ends_with('%') || clause.get(j + 1).is_some_and(|n| *n == "%"))
                    .then(|| parse_percent(t, view.notation))
                    .flatten()
            });
            let discounted = c.iter().any(|w| DISCOUNT.iter().any(|d| w.contains(d)));
            match (percent, discounted) {
                (Some(p), true) => {
                    discount.get_or_insert((p, days));
                }
                (None, false) => net = Some(net.map_or(days, |n| n.max(days))),
                _ => {}
            }
        }
    }
    (net, discount)
}
