//! Parties to a document: seller, buyer, ship-to, payee.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Field;

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Address {
    /// Street lines, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A bank account named on a document (where the supplier wants to be paid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BankAccount {
    /// The IBAN in compact upper-case form (no blanks).
    pub iban: Field<String>,
    /// The BIC / SWIFT code, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<Field<String>>,
    /// The account holder's name, where given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

/// A party: a company or person on a document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Party {
    /// The legal or trading name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Field<String>>,
    /// The VAT identifier, normalised (country prefix, no blanks or dots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<Field<String>>,
    /// A national tax number that is not a VAT id (e.g. German Steuernummer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<Field<String>>,
    /// A company registration id (chamber of commerce, SIRET, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_id: Option<Field<String>>,
    /// The party's identifier in the other party's system (supplier/customer number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Field<String>>,
    /// The postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Field<Address>>,
    /// Contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Field<String>>,
    /// Bank accounts given for this party (for the seller: where to pay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bank_accounts: Vec<BankAccount>,
}

impl Party {
    /// Whether nothing at all is known of the party.
    pub fn is_empty(&self) -> bool {
        *self == Party::default()
    }

    /// The name, if known.
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().map(|f| f.value.as_str())
    }
}
