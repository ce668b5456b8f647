//! IBAN validation (ISO 13616): country length and mod-97 check digits.
//! (Filled in by the validation work; see tests.)

use crate::DomainError;

/// Validates an IBAN and returns it in compact upper-case form.
pub fn validate(iban: &str) -> Result<String, DomainError> {
    let compact = crate::normalize::compact_identifier(iban);
    Ok(compact)
}
