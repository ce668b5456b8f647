//! The one error type of the domain crate: invalid identifiers and values.

/// Why a value could not be accepted as a domain value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Not an ISO 4217 currency code Docket knows.
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
    /// An IBAN that fails the ISO 13616 structure or mod-97 check.
    #[error("invalid IBAN {iban:?}: {reason}")]
    InvalidIban {
        /// The IBAN as given.
        iban: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A BIC (SWIFT code) that fails the ISO 9362 structure.
    #[error("invalid BIC {bic:?}: {reason}")]
    InvalidBic {
        /// The BIC as given.
        bic: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A VAT identifier that fails its country's format or check digits.
    #[error("invalid VAT id {vat_id:?}: {reason}")]
    InvalidVatId {
        /// The VAT id as given.
        vat_id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {0} and {1}")]
    CurrencyMismatch(String, String),
}
