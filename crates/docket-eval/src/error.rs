//! The one error type of the scoring crate: truth that cannot be read.

/// Why a truth file or an expected-output file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The truth file is not the JSON list of records `truth/dev.json` holds.
    #[error("truth file is not a list of truth records: {0}")]
    Truth(#[source] serde_json::Error),
    /// An invoice2data expected-output file is not JSON.
    #[error("invoice2data expected output is not JSON: {0}")]
    Invoice2DataJson(#[source] serde_json::Error),
    /// An errata file is not a JSON list of errata.
    #[error("errata file is not a list of errata (file, field, page, why): {0}")]
    Errata(#[source] serde_json::Error),
    /// An erratum names a field Docket does not score.
    #[error("erratum for unknown field {0:?}")]
    ErratumField(String),
    /// An invoice2data expected-output file is JSON of another shape.
    #[error("invoice2data expected output is not a list holding one object")]
    Invoice2DataShape,
}
