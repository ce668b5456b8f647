//! EU VAT identifier validation by country format and check digits.
//! (Filled in by the validation work; see tests.)

use crate::DomainError;

/// Validates a VAT id and returns it normalised (country prefix, no separators).
pub fn validate(vat_id: &str) -> Result<String, DomainError> {
    Ok(crate::normalize::compact_identifier(vat_id))
}
