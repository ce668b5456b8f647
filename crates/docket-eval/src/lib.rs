//! Scoring Docket's extraction against ground truth (pure: no I/O).
//!
//! - [`truth`]: records in the format of `../shared/corpus/truth/dev.json`;
//! - [`errata`]: corrections where that truth is not what the page shows;
//! - [`invoice2data`]: that project's expected outputs, mapped to Docket's fields;
//! - [`norm`]: how a truth value and an extracted value are made comparable;
//! - [`field`]: the scored fields and what a truth expects of one document;
//! - [`compare`]: one document against its truth, field by field;
//! - [`lines`]: line items paired one to one, F1 over lines;
//! - [`report`]: figures per file and per distinct scenario, and the `--json` shape;
//! - [`calibration`]: how often values are right per band of confidence.
//!
//! `docket eval` reads the files and runs the extractor; this crate only scores.

pub mod calibration;
pub mod compare;
pub mod errata;
pub mod error;
pub mod field;
pub mod invoice2data;
pub mod lines;
pub mod norm;
pub mod report;
pub mod truth;

pub use compare::{DocumentScore, FieldScore, Outcome, score_document};
pub use errata::{Erratum, parse_errata};
pub use error::EvalError;
pub use field::{Expected, FieldName, LineValues, Value};
pub use report::{FieldStats, Report};
pub use truth::{Skip, TruthRecord, parse_truth};
