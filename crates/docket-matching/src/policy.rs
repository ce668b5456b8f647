//! The matching policy: how far an invoice may differ from the PO and still
//! book, and the other knobs matching turns on.
//!
//! Deserialises from TOML (see `docs/matching.md`); every key has a default,
//! so an empty file is the built-in policy. Tolerances are rules per
//! [`Dimension`] with lower and upper [`Limit`]s, a scope (global, company,
//! supplier, item: the narrowest rule wins) and an [`Action`]; see
//! [`tolerance`](crate::tolerance) for how a variance is judged.

use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::MatchingError;
pub use crate::tolerance::{Action, Dimension, Limit, Scope, ScopeKey, Tolerance};

/// How long a document may wait for its goods, and how often it is looked at again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaitingPolicy {
    /// Days after receipt of the document after which a document still
    /// waiting for goods becomes an exception.
    pub max_days: u32,
    /// Minutes between re-checks of waiting documents in `docket run`.
    pub recheck_minutes: u32,
}

impl Default for WaitingPolicy {
    fn default() -> Self {
        WaitingPolicy {
            max_days: 30,
            recheck_minutes: 60,
        }
    }
}

/// The layered duplicate checks beyond the exact ones (same file, same number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DuplicatePolicy {
    /// A booked document of the same supplier and kind with the same gross
    /// amount, dated at most this many days apart, under another number, is
    /// a possible duplicate (a person looks). 0 turns the check off.
    pub near_date_days: u32,
}

impl Default for DuplicatePolicy {
    fn default() -> Self {
        DuplicatePolicy { near_date_days: 7 }
    }
}

/// The search for a purchase order when the document names none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoSearchPolicy {
    /// Search at all (otherwise a document without a PO reference is an exception).
    pub enabled: bool,
    /// Only orders dated at most this many days before the document.
    pub max_age_days: u32,
}

impl Default for PoSearchPolicy {
    fn default() -> Self {
        PoSearchPolicy {
            enabled: true,
            max_age_days: 365,
        }
    }
}

/// The matching policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Policy version, recorded with every decision.
    pub version: u32,
    /// Tolerance rules; a dimension without a rule that fits uses its
    /// built-in default ([`Tolerance::builtin`]).
    #[serde(rename = "tolerance", skip_serializing_if = "Vec::is_empty")]
    pub tolerances: Vec<Tolerance>,
    /// Rounding tolerance of a line's own arithmetic (quantity x price = amount).
    pub arithmetic_tolerance: Decimal,
    /// Fields read with less confidence than this send the document to review.
    pub min_confidence: f32,
    /// Name similarity (0-1, Jaro-Winkler on normalised names) that counts as a name match.
    pub name_similarity: f64,
    /// Description similarity (0-1) needed to pair an invoice line with a PO line without an item code.
    pub description_similarity: f64,
    /// Waiting for goods.
    pub waiting: WaitingPolicy,
    /// Possible duplicates.
    pub duplicates: DuplicatePolicy,
    /// Searching the supplier's open POs.
    pub po_search: PoSearchPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            version: 2,
            tolerances: Vec::new(),
            arithmetic_tolerance: Decimal::new(2, 2),
            min_confidence: docket_domain::Confidence::REVIEW_THRESHOLD.value(),
            name_similarity: 0.92,
            description_similarity: 0.8,
            waiting: WaitingPolicy::default(),
            duplicates: DuplicatePolicy::default(),
            po_search: PoSearchPolicy::default(),
        }
    }
}

impl Policy {
    /// Reads and checks a policy written in TOML.
    pub fn from_toml(text: &str) -> Result<Policy, MatchingError> {
        let policy: Policy =
            toml::from_str(text).map_err(|e| MatchingError::Policy(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Reads and checks a policy file.
    pub fn from_file(path: &Path) -> Result<Policy, MatchingError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| MatchingError::Policy(format!("cannot read {}: {e}", path.display())))?;
        Policy::from_toml(&text)
            .map_err(|e| MatchingError::Policy(format!("{}: {e}", path.display())))
    }

    /// Rejects what TOML's types let through but makes no sense: a rule with
    /// two scopes, negative limits, `book_difference` without an account or
    /// on a quantity, two rules for the same dimension and scope.
    pub fn validate(&self) -> Result<(), MatchingError> {
        for (i, rule) in self.tolerances.iter().enumerate() {
            let name = format!("tolerance #{} ({})", i + 1, rule.dimension.as_str());
            rule.validate()
                .map_err(|e| MatchingError::Policy(format!("{name}: {e}")))?;
            if let Some(earlier) = self.tolerances[..i]
                .iter()
                .position(|r| r.dimension == rule.dimension && r.scope() == rule.scope())
            {
                return Err(MatchingError::Policy(format!(
                    "{name}: the same dimension and scope as tolerance #{}",
                    earlier + 1
                )));
            }
        }
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(MatchingError::Policy(
                "min_confidence must lie between 0 and 1".to_string(),
            ));
        }
        Ok(())
    }

    /// The confidence threshold as a domain confidence.
    pub fn min_confidence(&self) -> docket_domain::Confidence {
        docket_domain::Confidence::new(self.min_confidence)
    }

    /// The rule for `dimension` where `key` applies: the narrowest configured
    /// scope that fits (item, then supplier, then company, then global), else
    /// the built-in default.
    pub fn tolerance(&self, dimension: Dimension, key: &ScopeKey<'_>) -> Tolerance {
        self.tolerances
            .iter()
            .filter(|r| r.dimension == dimension && r.scope().applies_to(key))
            .max_by_key(|r| r.scope().rank())
            .cloned()
            .unwrap_or_else(|| Tolerance::builtin(dimension))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn policy_reads_from_toml_with_defaults() {
        let p = Policy::from_toml(
            "[[tolerance]]\ndimension = \"unit_price\"\nupper = { percent = 5 }\n",
        )
        .unwrap();
        let rule = p.tolerance(Dimension::UnitPrice, &ScopeKey::default());
        assert_eq!(rule.upper.percent, Some(dec!(5)));
        // The lower side was not given: no variance below the PO price.
        assert_eq!(rule.lower, Limit::default());
        assert_eq!(p.waiting.max_days, 30);
        assert!(Policy::from_toml("unknown = 1").is_err());
    }

    #[test]
    fn nonsense_rules_are_refused_with_the_rule_named() {
        let two_scopes =
            "[[tolerance]]\ndimension = \"unit_price\"\nsupplier = \"S\"\nitem = \"I\"\n";
        let err = Policy::from_toml(two_scopes).unwrap_err().to_string();
        assert!(err.contains("tolerance #1 (unit_price)"), "{err}");
        let no_account =
            "[[tolerance]]\ndimension = \"total_difference\"\naction = \"book_difference\"\n";
        assert!(
            Policy::from_toml(no_account)
                .unwrap_err()
                .to_string()
                .contains("account")
        );
        let negative = "[[tolerance]]\ndimension = \"unit_price\"\nupper = { percent = -1 }\n";
        assert!(Policy::from_toml(negative).is_err());
        let twice = "[[tolerance]]\ndimension = \"unit_price\"\n[[tolerance]]\ndimension = \"unit_price\"\n";
        assert!(
            Policy::from_toml(twice)
                .unwrap_err()
                .to_string()
                .contains("#1")
        );
        let quantity = "[[tolerance]]\ndimension = \"quantity_received\"\naction = \"book_difference\"\naccount = \"X\"\n";
        assert!(Policy::from_toml(quantity).is_err());
    }

    #[test]
    fn the_example_policy_parses_and_equals_the_default() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/policy.example.toml"
        );
        let policy = Policy::from_file(Path::new(path)).unwrap();
        let default = Policy::default();
        assert_eq!(
            Policy {
                tolerances: Vec::new(),
                ..policy.clone()
            },
            default
        );
        // The example spells out the built-in rules, nothing else.
        for rule in &policy.tolerances {
            assert_eq!(rule.scope(), Scope::Global);
            assert_eq!(*rule, Tolerance::builtin(rule.dimension), "{rule:?}");
        }
        assert_eq!(policy.tolerances.len(), Dimension::ALL.len());
    }
}
