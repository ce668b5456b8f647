//! Tolerance rules and how a variance is judged against them.
//!
//! A rule names a [`Dimension`] (what is compared), a scope (where it applies),
//! lower and upper [`Limit`]s and an [`Action`]. A variance is *within* a
//! side's limit when it exceeds none of the limits given on that side: the
//! percentage of the reference value and the absolute amount are both checked
//! when both are set, and the stricter decides (as SAP's tolerance keys do).
//! A side with no limit at all allows no variance; `unlimited = true` turns
//! the side's check off. Limits are inclusive.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a tolerance rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Invoiced unit price against the PO price, per the PO's price unit.
    /// Percent of the PO price; absolute per unit (price unit), in document currency.
    UnitPrice,
    /// Quantity invoiced against received and not yet invoiced (goods-receipt-based lines).
    /// Percent of the open quantity; absolute as the amount, excess x PO price.
    QuantityReceived,
    /// Quantity invoiced against ordered and not yet invoiced (order-based billing).
    /// Percent of the open quantity; absolute as the amount, excess x PO price.
    QuantityOrdered,
    /// A line's amount against the PO value of the invoiced quantity
    /// (quantity x PO price / price unit). Percent of that value; absolute in currency.
    LineAmount,
    /// A line's amount itself (a cap per line, as SAP's AN/AP). Absolute in currency.
    ItemAmount,
    /// The document's own totals against what its lines add up to (net
    /// against lines plus charges, net plus VAT against gross).
    TotalDifference,
    /// Delivery costs, surcharges and discounts outside the PO lines against
    /// the delivery costs the PO planned (none planned: 0).
    DeliveryCosts,
}

impl Dimension {
    /// Every dimension, in the order the docs list them.
    pub const ALL: [Dimension; 7] = [
        Dimension::UnitPrice,
        Dimension::QuantityReceived,
        Dimension::QuantityOrdered,
        Dimension::LineAmount,
        Dimension::ItemAmount,
        Dimension::TotalDifference,
        Dimension::DeliveryCosts,
    ];

    /// The name in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::UnitPrice => "unit_price",
            Dimension::QuantityReceived => "quantity_received",
            Dimension::QuantityOrdered => "quantity_ordered",
            Dimension::LineAmount => "line_amount",
            Dimension::ItemAmount => "item_amount",
            Dimension::TotalDifference => "total_difference",
            Dimension::DeliveryCosts => "delivery_costs",
        }
    }

    /// Whether a difference can be booked to an account (quantities cannot).
    fn has_bookable_difference(self) -> bool {
        !matches!(
            self,
            Dimension::QuantityReceived | Dimension::QuantityOrdered | Dimension::ItemAmount
        )
    }
}

/// One side's limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limit {
    /// At most this many percent of the reference value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// At most this much, in document currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absolute: Option<Decimal>,
    /// No check on this side.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unlimited: bool,
}

impl Limit {
    /// Only a percentage.
    pub fn percent(p: Decimal) -> Limit {
        Limit {
            percent: Some(p),
            ..Limit::default()
        }
    }

    /// Only an absolute amount.
    pub fn absolute(a: Decimal) -> Limit {
        Limit {
            absolute: Some(a),
            ..Limit::default()
        }
    }

    /// No check.
    pub fn unlimited() -> Limit {
        Limit {
            unlimited: true,
            ..Limit::default()
        }
    }

    /// Whether `variance` stays within this side's limits. The percentage is
    /// compared unrounded (2.004 % is beyond 2 %), and a variance that is
    /// worth nothing (free samples, a screw at 4.00 per 1000) is still a
    /// variance: only the limits say whether it may pass.
    fn admits(&self, variance: &Variance) -> bool {
        if self.unlimited {
            return true;
        }
        if self.percent.is_none() && self.absolute.is_none() {
            return false;
        }
        let percent_ok = self.percent.is_none_or(|limit| {
            // Any variance of nothing is infinitely many percent.
            !variance.reference.is_zero()
                && variance.difference.abs() * Decimal::ONE_HUNDRED
                    <= limit * variance.reference.abs()
        });
        let absolute_ok = self
            .absolute
            .is_none_or(|limit| variance.amount.abs() <= limit);
        percent_ok && absolute_ok
    }

    fn describe(&self, sign: char) -> String {
        if self.unlimited {
            return format!("{sign}any");
        }
        let mut parts = Vec::new();
        if let Some(p) = self.percent {
            parts.push(format!("{sign}{} %", p.normalize()));
        }
        if let Some(a) = self.absolute {
            parts.push(format!("{sign}{}", a.normalize()));
        }
        if parts.is_empty() {
            format!("{sign}0")
        } else {
            parts.join(" and ")
        }
    }

    fn validate(&self) -> Result<(), String> {
        if [self.percent, self.absolute]
            .iter()
            .flatten()
            .any(|v| v.is_sign_negative())
        {
            return Err("limits are sizes, never negative".to_string());
        }
        if self.unlimited && (self.percent.is_some() || self.absolute.is_some()) {
            return Err("a side is either unlimited or limited, not both".to_string());
        }
        Ok(())
    }
}

/// What happens to a variance within the limits (beyond them is always an exception).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Book as invoiced.
    #[default]
    Accept,
    /// Book at the PO's value and the difference, on its own line, to `account`.
    BookDifference,
    /// A person looks at any variance, however small.
    Exception,
}

/// Where a rule applies; the narrowest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Everywhere.
    Global,
    /// One buying company (SAP company code).
    Company(&'a str),
    /// One supplier (ERP id).
    Supplier(&'a str),
    /// One item (our item code).
    Item(&'a str),
}

impl Scope<'_> {
    /// Precedence: item over supplier over company over global.
    pub fn rank(self) -> u8 {
        match self {
            Scope::Global => 0,
            Scope::Company(_) => 1,
            Scope::Supplier(_) => 2,
            Scope::Item(_) => 3,
        }
    }

    /// Whether the rule applies to a comparison in `key`.
    pub fn applies_to(self, key: &ScopeKey<'_>) -> bool {
        match self {
            Scope::Global => true,
            Scope::Company(c) => key.company == Some(c),
            Scope::Supplier(s) => key.supplier == Some(s),
            Scope::Item(i) => key.item == Some(i),
        }
    }
}

/// Where a comparison happens: the PO's company, the supplier, the item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeKey<'a> {
    /// The buying company.
    pub company: Option<&'a str>,
    /// The supplier's ERP id.
    pub supplier: Option<&'a str>,
    /// Our item code.
    pub item: Option<&'a str>,
}

/// One tolerance rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// What it compares.
    pub dimension: Dimension,
    /// Scope: one company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Scope: one supplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Scope: one item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Below the reference.
    #[serde(default)]
    pub lower: Limit,
    /// Above the reference.
    #[serde(default)]
    pub upper: Limit,
    /// What a variance within the limits does.
    #[serde(default)]
    pub action: Action,
    /// The G/L account differences (and delivery costs) are booked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// How a variance fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// No variance.
    Exact,
    /// A variance within the limits.
    Within,
    /// A variance beyond them.
    Beyond,
}

/// A variance to judge: `difference` against `reference` gives the percentage,
/// `amount` (in currency) is what absolute limits compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variance {
    /// Signed: above the reference is positive.
    pub difference: Decimal,
    /// The value the percentage is of.
    pub reference: Decimal,
    /// The difference as an amount in document currency (signed like `difference`).
    pub amount: Decimal,
}

impl Variance {
    /// The signed percentage of the reference, rounded to 2 places; `None`
    /// when the reference is zero.
    pub fn percent(&self) -> Option<Decimal> {
        if self.reference.is_zero() {
            return None;
        }
        Some((self.difference / self.reference.abs() * Decimal::ONE_HUNDRED).round_dp(2))
    }
}

impl Tolerance {
    /// The built-in rule of a dimension (docs/matching.md lists them).
    pub fn builtin(dimension: Dimension) -> Tolerance {
        let two = Decimal::TWO;
        let (lower, upper) = match dimension {
            Dimension::UnitPrice => (Limit::percent(two), Limit::percent(two)),
            // Invoicing less than is open is partial invoicing; more needs goods.
            Dimension::QuantityReceived | Dimension::QuantityOrdered => {
                (Limit::unlimited(), Limit::default())
            }
            Dimension::LineAmount | Dimension::ItemAmount => {
                (Limit::unlimited(), Limit::unlimited())
            }
            Dimension::TotalDifference => (
                Limit::absolute(Decimal::new(2, 2)),
                Limit::absolute(Decimal::new(2, 2)),
            ),
            Dimension::DeliveryCosts => (Limit::unlimited(), Limit::default()),
        };
        Tolerance {
            dimension,
            company: None,
            supplier: None,
            item: None,
            lower,
            upper,
            action: Action::Accept,
            account: None,
        }
    }

    /// The rule's scope.
    pub fn scope(&self) -> Scope<'_> {
        if let Some(item) = &self.item {
            Scope::Item(item)
        } else if let Some(supplier) = &self.supplier {
            Scope::Supplier(supplier)
        } else if let Some(company) = &self.company {
            Scope::Company(company)
        } else {
            Scope::Global
        }
    }

    /// Judges a variance against the side it falls on.
    pub fn judge(&self, variance: Variance) -> Judgement {
        if variance.difference.is_zero() && variance.amount.is_zero() {
            return Judgement::Exact;
        }
        let side = if variance.difference.is_sign_negative() {
            &self.lower
        } else {
            &self.upper
        };
        if side.admits(&variance) {
            Judgement::Within
        } else {
            Judgement::Beyond
        }
    }

    /// The rule as people read it: `unit_price supplier S-1: -2 % / +2 %, accept`.
    pub fn describe(&self) -> String {
        let scope = match self.scope() {
            Scope::Global => "global".to_string(),
            Scope::Company(c) => format!("company {c}"),
            Scope::Supplier(s) => format!("supplier {s}"),
            Scope::Item(i) => format!("item {i}"),
        };
        let action = match (self.action, &self.account) {
            (Action::Accept, _) => "accept".to_string(),
            (Action::BookDifference, Some(a)) => format!("book the difference to {a}"),
            (Action::BookDifference, None) => "book the difference".to_string(),
            (Action::Exception, _) => "a person looks".to_string(),
        };
        format!(
            "{} {scope}: {} / {}, {action}",
            self.dimension.as_str(),
            self.lower.describe('-'),
            self.upper.describe('+')
        )
    }

    /// The reason for a variance within the limits that `action = "exception"`
    /// sends to a person anyway; `said` names what differs.
    pub fn review_reason(&self, said: &str) -> docket_domain::Reason {
        docket_domain::Reason::new(
            docket_domain::ReasonCode::ReviewRequired,
            format!(
                "{said}: within the limits, but the policy wants a person to look ({})",
                self.describe()
            ),
        )
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let scopes = [&self.company, &self.supplier, &self.item]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if scopes > 1 {
            return Err("give at most one of company, supplier and item".to_string());
        }
        self.lower.validate()?;
        self.upper.validate()?;
        if self.action == Action::BookDifference {
            if !self.dimension.has_bookable_difference() {
                return Err("book_difference needs an amount to book, not a quantity".to_string());
            }
            if self.account.as_deref().is_none_or(|a| a.trim().is_empty()) {
                return Err("book_difference needs the account to book to".to_string());
            }
        }
        Ok(())
    }
}
