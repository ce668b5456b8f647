//! Reading `docket match`'s input files, each failure as one line that names
//! the file and says what is wrong with it.

use std::path::Path;

use docket_domain::BusinessDocument;
use docket_domain::erp::ErpSnapshot;
use docket_matching::Policy;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// An input file that cannot be used, with why (one line).
#[derive(Debug)]
pub struct BadInput(String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The ERP snapshot in `path`.
pub fn snapshot(path: &Path) -> Result<ErpSnapshot, BadInput> {
    let value = json(path)?;
    typed(value, path, "", "schemas/erp-snapshot.json")
}

/// The one document in `path`: `docket extract --json` output (a list of
/// `{file, part, method, document}`, or one such entry) or a bare document.
pub fn document(path: &Path) -> Result<BusinessDocument, BadInput> {
    const SCHEMA: &str = "schemas/business-document.json";
    match json(path)? {
        Value::Array(mut entries) => {
            if entries.len() != 1 {
                return Err(not_one(path, &entries));
            }
            let entry = entries.remove(0);
            let Some(document) = entry_document(entry) else {
                let what = "entry 1 is not a {file, part, method, document} entry of `docket extract --json`";
                return Err(BadInput(format!("{}: {what}", path.display())));
            };
            typed(document, path, "the document of entry 1 ", SCHEMA)
        }
        Value::Object(object) if object.contains_key("document") => {
            let document = object.get("document").cloned().unwrap_or_default();
            typed(document, path, "its document ", SCHEMA)
        }
        bare => typed(bare, path, "", SCHEMA),
    }
}

/// The policy file, else the built-in policy.
pub fn policy(path: Option<&Path>) -> Result<Policy, BadInput> {
    crate::wiring::load_policy(path).map_err(|e| BadInput(format!("{e:#}")))
}

/// The `document` of an entry of `docket extract --json`.
fn entry_document(entry: Value) -> Option<Value> {
    match entry {
        Value::Object(mut object) => object.remove("document"),
        _ => None,
    }
}

/// Why a list that does not hold exactly one document is refused, naming
/// what it holds.
fn not_one(path: &Path, entries: &[Value]) -> BadInput {
    if entries.is_empty() {
        return BadInput(format!(
            "{} holds no document (`docket extract` read nothing from its file?)",
            path.display()
        ));
    }
    let names: Vec<String> = entries
        .iter()
        .map(|e| {
            let file = e.get("file").and_then(Value::as_str).unwrap_or("?");
            match e.get("part").and_then(Value::as_str) {
                Some(part) => format!("{file} > {part}"),
                None => file.to_string(),
            }
        })
        .collect();
    BadInput(format!(
        "{} holds {} documents ({}); `docket match` decides one at a time: \
         extract one file, or keep one entry of the list",
        path.display(),
        entries.len(),
        names.join(", ")
    ))
}

/// The file's JSON.
fn json(path: &Path) -> Result<Value, BadInput> {
    let bytes = std::fs::read(path)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| BadInput(format!("{} is not valid JSON: {e}", path.display())))
}

/// `value` as a `T`; `what` says which part of the file it is, for the message.
fn typed<T: DeserializeOwned>(
    value: Value,
    path: &Path,
    what: &str,
    schema: &str,
) -> Result<T, BadInput> {
    serde_json::from_value(value).map_err(|e| {
        BadInput(format!(
            "{}: {what}does not follow {schema}: {e}",
            path.display()
        ))
    })
}
