//! The JSON Schema of the model's answer, generated from [`LlmReading`] (the
//! one place the answer's shape is written down) in the form OpenAI's strict
//! structured outputs accept: every object closed
//! (`additionalProperties: false`) with every property required (absence is
//! `null`), subschemas inlined (no `$ref`, which some local servers' grammar
//! converters do not follow), and no keywords beyond `type`, `enum`,
//! `properties`, `required`, `additionalProperties`, `items`, `anyOf` and
//! `description`.
//!
//! It is sent with every request (`response_format: json_schema`), every
//! answer is checked against it ([`crate::validate`]), and it is committed as
//! `schemas/llm-reading.json` (house rule 7: `docket schemas` writes it, a
//! test fails when it is stale).

use std::sync::LazyLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::LlmReading;

/// The schema's name in `response_format.json_schema.name`.
pub const NAME: &str = "docket_document_reading";

/// The file under `schemas/` that holds the schema.
pub const FILE: &str = "llm-reading.json";

/// Keywords the strict form may use (what OpenAI's strict mode and the
/// validator both understand).
const KEYWORDS: &[&str] = &[
    "type",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
    "description",
];

/// The answer schema, strict form.
pub fn answer() -> &'static Value {
    static SCHEMA: LazyLock<Value> = LazyLock::new(generate);
    &SCHEMA
}

/// The committed schema files of this crate: name under `schemas/` and text.
pub fn files() -> Vec<(&'static str, String)> {
    let mut text = serde_json::to_string_pretty(answer()).unwrap_or_default();
    text.push('\n');
    vec![(FILE, text)]
}

fn generate() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<LlmReading>().to_value();
    make_strict(&mut schema);
    schema
}

/// Closes every object and requires all its properties; drops what strict
/// mode does not take (`title`, `default`, `format`, `$schema`).
fn make_strict(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    for key in ["title", "default", "format", "$schema"] {
        map.remove(key);
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        let required: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
        map.insert("required".into(), Value::Array(required));
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => {
                properties.values_mut().for_each(make_strict);
            }
            ("items", item) => make_strict(item),
            ("anyOf", Value::Array(options)) => options.iter_mut().for_each(make_strict),
            _ => {}
        }
    }
}

/// Why a schema is not one strict structured output accepts, the first
/// reason found (`None` when it is fine): the root must be an object, every
/// object closed with all its properties required, and only the keywords
/// above used. The simulator refuses such schemas as OpenAI does.
pub fn strict_problem(schema: &Value) -> Option<String> {
    if schema.get("type") != Some(&Value::String("object".into())) {
        return Some("the root schema must be of type \"object\"".to_string());
    }
    problem_at("$", schema)
}

fn problem_at(path: &str, schema: &Value) -> Option<String> {
    let Value::Object(map) = schema else {
        return Some(format!("{path}: a schema must be an object"));
    };
    if let Some(key) = map.keys().find(|k| !KEYWORDS.contains(&k.as_str())) {
        return Some(format!("{path}: keyword {key:?} is not supported"));
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        if map.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Some(format!("{path}: additionalProperties must be false"));
        }
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(missing) = properties.keys().find(|k| !required.contains(&k.as_str())) {
            return Some(format!("{path}: property {missing:?} must be required"));
        }
        for (name, sub) in properties {
            if let Some(p) = problem_at(&format!("{path}.{name}"), sub) {
                return Some(p);
            }
        }
    }
    if let Some(items) = map.get("items") {
        return problem_at(&format!("{path}[]"), items);
    }
    map.get("anyOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|option| problem_at(path, option))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::QUOTE_KEYS;

    #[test]
    fn the_answer_schema_is_strict_and_self_contained() {
        let schema = answer();
        assert_eq!(strict_problem(schema), None, "{schema:#}");
        let text = schema.to_string();
        assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
        let properties = schema["properties"].as_object().expect("properties");
        for key in [
            "kind", "number", "seller", "buyer", "net", "gross", "lines", "quotes",
        ] {
            assert!(properties.contains_key(key), "{key} in {text}");
        }
        assert_eq!(schema["properties"]["lines"]["type"], "array");
        let quotes = schema["properties"]["quotes"]["properties"]
            .as_object()
            .expect("quote keys");
        assert_eq!(quotes.len(), QUOTE_KEYS.len());
        let kinds = schema["properties"]["kind"]["enum"].to_string();
        assert_eq!(kinds, r#"["invoice","credit_note","order",null]"#);
    }

    #[test]
    fn schemas_strict_mode_would_refuse_are_named() {
        let open = serde_json::json!({
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "required": ["a"]
        });
        let why = strict_problem(&open).expect("open object");
        assert!(why.contains("additionalProperties"), "{why}");
        let optional = serde_json::json!({
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "required": ["a"],
            "additionalProperties": false
        });
        assert!(strict_problem(&optional).is_some_and(|w| w.contains("\"b\"")));
        let pattern = serde_json::json!({
            "type": "object",
            "properties": {"a": {"type": "string", "minLength": 2}},
            "required": ["a"],
            "additionalProperties": false
        });
        assert!(strict_problem(&pattern).is_some_and(|w| w.contains("minLength")));
        assert!(strict_problem(&serde_json::json!({"type": "array"})).is_some());
    }

    #[test]
    fn every_quote_key_is_named_in_the_prompt() {
        for key in QUOTE_KEYS {
            assert!(
                crate::prompt::SYSTEM_PROMPT.contains(&format!("\"{key}\"")),
                "{key}"
            );
        }
    }
}
