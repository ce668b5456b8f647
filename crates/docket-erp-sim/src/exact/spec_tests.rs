//! The simulator's entity and field names, URLs and keys checked against
//! Exact's published field lists (`../shared/erp-specs/exact`), so that the
//! simulator cannot drift from the real API.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::schema::{ENTITIES, Entity, Kind, ME};

fn spec() -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/erp-specs/exact/exact_entities_fields.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
        Err(_) => {
            eprintln!(
                "SKIPPED: {} is absent; Exact field names not checked",
                path.display()
            );
            None
        }
    }
}

/// Field names the spec knows for an entity, with the official client's types.
fn known(spec: &Value, entity: &Entity) -> Vec<(String, String)> {
    let e = &spec["entities"][entity.name];
    let mut fields = Vec::new();
    for source in ["dotnet", "picqer"] {
        if let Some(props) = e[source]["properties"].as_object() {
            for (name, p) in props {
                fields.push((
                    name.clone(),
                    p["type"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    fields
}

#[test]
fn entities_fields_urls_and_keys_follow_the_spec() {
    let Some(spec) = spec() else { return };
    let mut problems = BTreeSet::new();
    for entity in ENTITIES.iter().copied().chain([&ME]) {
        let e = &spec["entities"][entity.name];
        if e.is_null() {
            problems.insert(format!("entity {} not in the spec", entity.name));
            continue;
        }
        let url = e["go"]["URL"].as_str().unwrap_or_default();
        if !url.ends_with(entity.path) {
            problems.insert(format!(
                "{}: URL {url} is not …{}",
                entity.name, entity.path
            ));
        }
        if e["dotnet"]["key"].as_str() != Some(entity.key) {
            problems.insert(format!(
                "{}: key is {} in the spec",
                entity.name, e["dotnet"]["key"]
            ));
        }
        let fields = known(&spec, entity);
        for (name, kind) in entity.fields {
            let Some((_, typ)) = fields.iter().find(|(f, _)| f == name) else {
                problems.insert(format!("{}.{name} is not in the spec", entity.name));
                continue;
            };
            let expected = match typ.trim_end_matches('?') {
                "Guid" => Some(Kind::Guid),
                "String" => Some(Kind::Str),
                "Int16" | "Int32" | "Int64" | "Byte" => Some(Kind::Int),
                "Double" | "Decimal" => Some(Kind::Num),
                "Boolean" => Some(Kind::Bool),
                "DateTime" => Some(Kind::Date),
                _ => None,
            };
            if expected.is_some_and(|k| k != *kind) {
                problems.insert(format!(
                    "{}.{name}: {kind:?} here, {typ} in the spec",
                    entity.name
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "simulator drifts from the spec: {problems:#?}"
    );
}
