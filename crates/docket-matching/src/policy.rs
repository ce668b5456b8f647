//! The tolerance policy: how far an invoice may differ from the PO and still book.
//!
//! Deserialises from TOML (see `docs/matching.md`); every field has a default,
//! so an empty file is the default policy.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

/// Price tolerance per unit against the PO, as percentages below and above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriceTolerance {
    /// How far below the PO price (percent) still books.
    pub lower_percent: Decimal,
    /// How far above the PO price (percent) still books.
    pub upper_percent: Decimal,
    /// An absolute cap per unit above the PO price, in document currency, if any.
    pub upper_absolute: Option<Decimal>,
}

impl Default for PriceTolerance {
    fn default() -> Self {
        PriceTolerance {
            lower_percent: Decimal::TWO,
            upper_percent: Decimal::TWO,
            upper_absolute: None,
        }
    }
}

/// The matching policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Policy version, recorded with every decision.
    pub version: u32,
    /// Unit price against the PO.
    pub price: PriceTolerance,
    /// Rounding tolerance for arithmetic checks (line = qty x price, net + tax = gross).
    pub arithmetic_tolerance: Decimal,
    /// Fields read with less confidence than this send the document to review.
    pub min_confidence: f32,
    /// Name similarity (0-1, Jaro-Winkler on normalised names) that counts as a name match.
    pub name_similarity: f64,
    /// Description similarity (0-1) needed to pair an invoice line with a PO line without an item code.
    pub description_similarity: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            version: 1,
            price: PriceTolerance::default(),
            arithmetic_tolerance: Decimal::new(2, 2),
            min_confidence: docket_domain::Confidence::REVIEW_THRESHOLD.value(),
            name_similarity: 0.92,
            description_similarity: 0.8,
        }
    }
}

impl Policy {
    /// The confidence threshold as a domain confidence.
    pub fn min_confidence(&self) -> docket_domain::Confidence {
        docket_domain::Confidence::new(self.min_confidence)
    }

    /// Judges an invoiced unit price against the ordered one.
    pub fn judge_price(&self, invoiced: Decimal, ordered: Decimal) -> PriceJudgement {
        if invoiced == ordered {
            return PriceJudgement::Equal;
        }
        let difference = invoiced - ordered;
        let percent = if ordered.is_zero() {
            Decimal::from_u32(100).unwrap_or(Decimal::ONE_HUNDRED)
        } else {
            (difference / ordered * Decimal::ONE_HUNDRED).round_dp(2)
        };
        let within_percent = if difference > Decimal::ZERO {
            percent <= self.price.upper_percent
        } else {
            -percent <= self.price.lower_percent
        };
        let within_absolute = match self.price.upper_absolute {
            Some(cap) if difference > Decimal::ZERO => difference <= cap,
            _ => true,
        };
        if within_percent && within_absolute {
            PriceJudgement::WithinTolerance { percent }
        } else {
            PriceJudgement::Beyond { percent }
        }
    }
}

/// The verdict on one unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceJudgement {
    /// Same price.
    Equal,
    /// Differs by `percent` (signed), within tolerance.
    WithinTolerance {
        /// Signed difference in percent of the PO price.
        percent: Decimal,
    },
    /// Differs by `percent` (signed), beyond tolerance.
    Beyond {
        /// Signed difference in percent of the PO price.
        percent: Decimal,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn default_policy_allows_two_percent_either_way() {
        let p = Policy::default();
        assert_eq!(p.judge_price(dec!(10), dec!(10)), PriceJudgement::Equal);
        assert_eq!(
            p.judge_price(dec!(10.15), dec!(10)),
            PriceJudgement::WithinTolerance {
                percent: dec!(1.50)
            }
        );
        assert_eq!(
            p.judge_price(dec!(11.20), dec!(10)),
            PriceJudgement::Beyond {
                percent: dec!(12.00)
            }
        );
        assert_eq!(
            p.judge_price(dec!(9.70), dec!(10)),
            PriceJudgement::Beyond {
                percent: dec!(-3.00)
            }
        );
    }

    #[test]
    fn absolute_cap_applies_above_the_po_price() {
        let mut p = Policy::default();
        p.price.upper_absolute = Some(dec!(0.10));
        assert!(matches!(
            p.judge_price(dec!(101.50), dec!(100)),
            PriceJudgement::Beyond { .. }
        ));
    }

    #[test]
    fn policy_reads_from_toml_with_defaults() {
        let p: Policy = toml::from_str("[price]\nupper_percent = 5\n").unwrap();
        assert_eq!(p.price.upper_percent, dec!(5));
        assert_eq!(p.price.lower_percent, dec!(2));
        assert!(toml::from_str::<Policy>("unknown = 1").is_err());
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn the_example_policy_parses_and_equals_the_default() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/policy.example.toml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let policy: Policy = toml::from_str(&text).unwrap();
        assert_eq!(policy, Policy::default());
    }
}
