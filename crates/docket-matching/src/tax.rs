//! Whether the VAT rates on a document exist in the seller's country.
//!
//! A rate no country charges (19 % from a Dutch supplier, 16 % from a German
//! one years after the 2020 cut) is a misreading, a wrong template or a
//! forged invoice; a person looks. The table holds each country's standard
//! and reduced rates of the last years (a recent change keeps the old rate
//! plausible: late invoices and credit notes carry it). 0 % is always
//! plausible: exempt supplies, exports, intra-EU deliveries and reverse charge.

use docket_domain::normalize::compact_identifier;
use docket_domain::{BusinessDocument, Reason, ReasonCode};
use rust_decimal::Decimal;

/// Rates in tenths of a percent, per ISO country code (Greece as GR; its VAT ids start with EL).
const RATES: &[(&str, &[u16])] = &[
    ("AT", &[100, 130, 200]),
    ("BE", &[60, 120, 210]),
    ("BG", &[90, 200]),
    ("CH", &[25, 26, 37, 38, 77, 81]),
    ("CY", &[30, 50, 90, 190]),
    ("CZ", &[100, 120, 150, 210]),
    ("DE", &[50, 70, 160, 190]),
    ("DK", &[250]),
    ("EE", &[50, 90, 130, 200, 220, 240]),
    ("ES", &[40, 50, 100, 210]),
    ("FI", &[100, 135, 140, 240, 255]),
    ("FR", &[21, 55, 100, 200]),
    ("GB", &[50, 200]),
    ("GR", &[60, 130, 240]),
    ("HR", &[50, 130, 250]),
    ("HU", &[50, 180, 270]),
    ("IE", &[48, 90, 135, 230]),
    ("IT", &[40, 50, 100, 220]),
    ("LT", &[50, 90, 120, 210]),
    ("LU", &[30, 70, 80, 130, 140, 160, 170]),
    ("LV", &[50, 120, 210]),
    ("MT", &[50, 70, 180]),
    ("NL", &[90, 210]),
    ("NO", &[120, 150, 250]),
    ("PL", &[50, 80, 230]),
    ("PT", &[60, 130, 230]),
    ("RO", &[50, 90, 110, 190, 210]),
    ("SE", &[60, 120, 250]),
    ("SI", &[50, 95, 220]),
    ("SK", &[50, 100, 190, 200, 230]),
];

/// The plausible rates of a country, if the table knows it.
fn rates_of(country: &str) -> Option<&'static [u16]> {
    RATES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(country))
        .map(|(_, r)| *r)
}

fn plausible(rate: Decimal, rates: &[u16]) -> bool {
    if rate.is_zero() {
        return true;
    }
    let tenths = (rate * Decimal::TEN).round();
    rates.iter().any(|r| Decimal::from(*r) == tenths)
}

/// The seller's country: the master record's, else the prefix of the VAT id read.
pub fn seller_country(doc: &BusinessDocument, recorded: Option<&str>) -> Option<String> {
    if let Some(c) = recorded.filter(|c| c.len() == 2) {
        return Some(c.to_ascii_uppercase());
    }
    let vat = compact_identifier(&doc.seller.vat_id.as_ref()?.value);
    let prefix = vat.get(..2)?;
    Some(if prefix == "EL" { "GR" } else { prefix }.to_string())
}

/// One reason per rate on the document that the seller's country does not have.
pub fn implausible_rates(doc: &BusinessDocument, country: Option<&str>) -> Vec<Reason> {
    let Some(country) = country else {
        return Vec::new();
    };
    let Some(rates) = rates_of(country) else {
        return Vec::new();
    };
    let mut seen: Vec<Decimal> = Vec::new();
    let read = doc.tax_breakdown.iter().filter_map(|t| t.rate).chain(
        doc.lines
            .iter()
            .filter_map(|l| l.tax_rate.as_ref().map(|f| f.value)),
    );
    for rate in read {
        if !plausible(rate, rates) && !seen.contains(&rate) {
            seen.push(rate);
        }
    }
    seen.into_iter()
        .map(|rate| {
            let known: Vec<String> = rates
                .iter()
                .map(|r| (Decimal::from(*r) / Decimal::TEN).normalize().to_string())
                .collect();
            Reason::new(
                ReasonCode::TaxRateImplausible,
                format!(
                    "VAT rate {} % does not exist in {country} (rates there: 0, {} %)",
                    rate.normalize(),
                    known.join(", ")
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rates_are_judged_per_country() {
        let de = rates_of("de").unwrap();
        assert!(plausible(dec!(19), de));
        assert!(plausible(dec!(7.00), de));
        assert!(plausible(dec!(0), de));
        assert!(!plausible(dec!(21), de));
        let fr = rates_of("FR").unwrap();
        assert!(plausible(dec!(5.5), fr));
        assert!(!plausible(dec!(19), fr));
        assert!(rates_of("XX").is_none());
    }
}
