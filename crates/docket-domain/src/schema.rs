//! The JSON Schemas committed under `schemas/`, generated from these types.
//!
//! `cargo run -p docket -- schemas --write` (or the test in `docket`) regenerates
//! them; a test fails when the committed files differ from what the types say.

use schemars::{JsonSchema, schema_for};

use crate::BusinessDocument;
use crate::erp::{BookingRequest, ErpSnapshot};

/// Every generated schema: file name under `schemas/` and its pretty JSON text.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("business-document.json", render::<BusinessDocument>()),
        ("erp-snapshot.json", render::<ErpSnapshot>()),
        ("booking-request.json", render::<BookingRequest>()),
    ]
}

/// Renders one type's schema as pretty JSON with a trailing newline.
pub fn render<T: JsonSchema>() -> String {
    let schema = schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
