//! Building domain fields from located XML elements.
//!
//! The readers share one small context (which extractor reads, in which
//! currency) so that every amount, date and identifier is made the same way and
//! cites the element it came from.

use chrono::NaiveDate;
use docket_domain::{
    Address, AllowanceCharge, Confidence, Currency, Evidence, ExtractorKind, Field, Money,
};
use rust_decimal::Decimal;

use super::values;
use super::xml::El;

/// What the readers need to turn elements into fields.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// The extractor named in every evidence.
    pub ext: ExtractorKind,
    /// The document currency, once known.
    pub currency: Option<Currency>,
    /// Whether `currency` was inferred rather than read (see [`document_currency`]).
    pub currency_assumed: bool,
}

/// Confidence of a value that rests on an inference: below the review threshold.
fn inferred() -> Confidence {
    Confidence::new(0.5)
}

/// Countries whose currency is the euro (EU euro area and the microstates that use it).
const EURO_COUNTRIES: &[&str] = &[
    "AD", "AT", "BE", "CY", "DE", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU",
    "LV", "MC", "ME", "MT", "NL", "PT", "SI", "SK", "SM", "VA", "XK",
];

/// The document currency: the currency-code element, else the first
/// `currencyID` below `scope` (some producers leave the code empty but tag
/// every amount), else the euro inferred from the seller's country.
pub fn document_currency(
    ext: ExtractorKind,
    code: Option<El<'_, '_>>,
    scope: &El<'_, '_>,
    seller_country: Option<El<'_, '_>>,
) -> Option<Field<Currency>> {
    code.and_then(|el| el.parse_field(ext, values::currency))
        .or_else(|| {
            let (locator, text) = scope.first_attr_below("currencyID")?;
            let currency = values::currency(text)?;
            Some(Field::new(currency, Evidence::xml(ext, locator, text)))
        })
        .or_else(|| assumed_currency(seller_country))
}

/// The euro, for documents that state no currency at all, when the seller
/// is in a euro country. The amounts are then kept but marked unsure, so a
/// person confirms them instead of retyping them.
fn assumed_currency(country: Option<El<'_, '_>>) -> Option<Field<Currency>> {
    let country = country?;
    let code = country.text()?.to_ascii_uppercase();
    EURO_COUNTRIES.contains(&code.as_str()).then(|| {
        Field::new(
            Currency::EUR,
            country.evidence(ExtractorKind::Derived, &code),
        )
        .with_confidence(inferred())
    })
}

impl Ctx {
    /// A context for the extractor, in the document currency found (if any).
    pub fn new(ext: ExtractorKind, currency: Option<&Field<Currency>>) -> Self {
        Ctx {
            ext,
            currency: currency.map(|f| f.value),
            currency_assumed: currency
                .is_some_and(|f| f.evidence.extractor == ExtractorKind::Derived),
        }
    }

    /// A string field from the element's text.
    pub fn string(&self, el: Option<El<'_, '_>>) -> Option<Field<String>> {
        el?.string_field(self.ext)
    }

    /// A decimal field from the element's text.
    pub fn decimal(&self, el: Option<El<'_, '_>>) -> Option<Field<Decimal>> {
        el?.parse_field(self.ext, values::decimal)
    }

    /// An amount in the document currency, or in the element's own `currencyID`
    /// when the document names none.
    pub fn money(&self, el: Option<El<'_, '_>>) -> Option<Field<Money>> {
        let el = el?;
        let (currency, assumed) = match self.currency {
            Some(c) if !self.currency_assumed => (c, false),
            assumed => match el.attr("currencyID").and_then(values::currency) {
                Some(own) => (own, false),
                None => (assumed?, true),
            },
        };
        let field = el.parse_field(self.ext, |t| {
            values::decimal(t).map(|a| Money::new(a, currency))
        })?;
        Some(if assumed {
            field.with_confidence(inferred())
        } else {
            field
        })
    }

    /// An amount in the currency its `currencyID` names, else as [`Ctx::money`]:
    /// for the VAT total, which EN 16931 also allows in the tax currency.
    pub fn tagged_money(&self, el: Option<El<'_, '_>>) -> Option<Field<Money>> {
        let el = el?;
        let Some(own) = el.attr("currencyID").and_then(values::currency) else {
            return self.money(Some(el));
        };
        el.parse_field(self.ext, |t| values::decimal(t).map(|a| Money::new(a, own)))
    }

    /// A UBL/ISO date field.
    pub fn iso_date(&self, el: Option<El<'_, '_>>) -> Option<Field<NaiveDate>> {
        el?.parse_field(self.ext, values::iso_date)
    }

    /// A CII date from the element holding a `DateTimeString` (or a `DateString`).
    pub fn cii_date(&self, holder: Option<El<'_, '_>>) -> Option<Field<NaiveDate>> {
        let holder = holder?;
        // The ZUGFeRD 1.0 release candidate wrote the date into the holder itself.
        let el = holder
            .child_any(&["DateTimeString", "DateString"])
            .unwrap_or(holder);
        let format = el.attr("format");
        el.parse_field(self.ext, |t| values::cii_date(t, format))
    }

    /// An address from its parts; `None` when every part is blank.
    pub fn address(
        &self,
        el: &El<'_, '_>,
        lines: Vec<String>,
        postcode: Option<String>,
        city: Option<String>,
        country: Option<String>,
    ) -> Option<Field<Address>> {
        let address = Address {
            lines,
            postcode,
            city,
            country: country.map(|c| c.to_ascii_uppercase()),
        };
        if address == Address::default() {
            return None;
        }
        let mut text = address.lines.join(", ");
        for part in [&address.postcode, &address.city, &address.country]
            .into_iter()
            .flatten()
        {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(part);
        }
        Some(Field::new(address, el.evidence(self.ext, &text)))
    }

    /// An allowance or charge from its already-located parts.
    pub fn allowance_charge(&self, parts: AcParts<'_, '_>) -> Option<AllowanceCharge> {
        let amount = self.money(parts.amount)?;
        let number = |el: Option<El<'_, '_>>| el?.text().and_then(|t| values::decimal(&t));
        let currency = amount.value.currency;
        Some(AllowanceCharge {
            is_charge: parts.is_charge,
            base_amount: number(parts.base).map(|a| Money::new(a, currency)),
            amount,
            percent: number(parts.percent),
            reason: parts.reason.and_then(|e| e.text()),
            reason_code: parts.reason_code.and_then(|e| e.text()),
            tax_rate: number(parts.tax_rate),
        })
    }
}

/// The elements of one allowance or charge, located by the syntax's reader.
pub struct AcParts<'a, 'input> {
    /// Charge (true) or allowance (false).
    pub is_charge: bool,
    /// The amount.
    pub amount: Option<El<'a, 'input>>,
    /// The base amount.
    pub base: Option<El<'a, 'input>>,
    /// The percentage.
    pub percent: Option<El<'a, 'input>>,
    /// The reason text.
    pub reason: Option<El<'a, 'input>>,
    /// The reason code.
    pub reason_code: Option<El<'a, 'input>>,
    /// The VAT rate.
    pub tax_rate: Option<El<'a, 'input>>,
}
