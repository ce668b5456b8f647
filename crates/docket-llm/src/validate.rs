//! Checks a JSON value against a schema in the subset the answer schema uses
//! ([`crate::schema`]): `type` (one or several), `enum`, `properties`,
//! `required`, `additionalProperties: false`, `items` and `anyOf`. Other
//! keywords are not in that subset ([`crate::schema::strict_problem`] keeps
//! them out), so they are not looked at.
//!
//! A full JSON Schema crate would pull in regex engines and a resolver for a
//! schema of a dozen objects; this is the part Docket needs, with errors that
//! name the place in the answer (`$.lines[2].amount: expected string or
//! null, got a number`).

use serde_json::Value;

use crate::reading::json_kind;

/// Checks `value` against `schema`; the first mismatch, with its path, when
/// it does not fit. With `absent_allowed`, a required key that is missing
/// passes (it reads as not given); without, it is a mismatch.
pub fn validate(schema: &Value, value: &Value, absent_allowed: bool) -> Result<(), String> {
    Checker { absent_allowed }.check("$", schema, value)
}

struct Checker {
    absent_allowed: bool,
}

impl Checker {
    fn check(&self, path: &str, schema: &Value, value: &Value) -> Result<(), String> {
        if let Some(options) = schema.get("anyOf").and_then(Value::as_array)
            && !options.iter().any(|o| self.check(path, o, value).is_ok())
        {
            // The first option's complaint is the most telling: the others
            // are usually `null`.
            let first = options.first().map(|o| self.check(path, o, value));
            return Err(match first {
                Some(Err(e)) => e,
                _ => format!("{path}: fits none of the allowed shapes"),
            });
        }
        if let Some(types) = schema.get("type") {
            let allowed: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.iter().any(|t| has_type(value, t)) {
                return Err(format!(
                    "{path}: expected {}, got {}",
                    allowed.join(" or "),
                    json_kind(value)
                ));
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            return Err(format!(
                "{path}: {} is not one of {}",
                shown(value),
                Value::Array(allowed.clone())
            ));
        }
        match value {
            Value::Object(map) => self.check_object(path, schema, map),
            Value::Array(items) => match schema.get("items") {
                Some(item_schema) => items.iter().enumerate().try_for_each(|(i, item)| {
                    self.check(&format!("{path}[{i}]"), item_schema, item)
                }),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn check_object(
        &self,
        path: &str,
        schema: &Value,
        map: &serde_json::Map<String, Value>,
    ) -> Result<(), String> {
        let empty = serde_json::Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if schema.get("additionalProperties") == Some(&Value::Bool(false))
            && let Some(extra) = map.keys().find(|k| !properties.contains_key(*k))
        {
            return Err(format!("{path}: key {extra:?} is not in the schema"));
        }
        if !self.absent_allowed
            && let Some(missing) = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find(|key| !map.contains_key(*key))
        {
            return Err(format!("{path}: key {missing:?} is missing"));
        }
        for (key, value) in map {
            if let Some(sub) = properties.get(key) {
                self.check(&format!("{path}.{key}"), sub, value)?;
            }
        }
        Ok(())
    }
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

/// A value for an error message, cut short (it may quote the document).
fn shown(value: &Value) -> String {
    crate::error::shorten(&value.to_string(), 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "kind": {"type": ["string", "null"], "enum": ["invoice", "order", null]},
                "party": {"anyOf": [
                    {"type": "object", "properties": {"name": {"type": ["string", "null"]}},
                     "required": ["name"], "additionalProperties": false},
                    {"type": "null"}
                ]},
                "lines": {"type": "array", "items": {
                    "type": "object", "properties": {"amount": {"type": ["string", "null"]}},
                    "required": ["amount"], "additionalProperties": false
                }}
            },
            "required": ["kind", "party", "lines"],
            "additionalProperties": false
        })
    }

    #[test]
    fn a_fitting_value_passes() {
        let v = json!({"kind": "invoice", "party": {"name": "N"}, "lines": [{"amount": "1.00"}]});
        assert_eq!(validate(&schema(), &v, false), Ok(()));
        let v = json!({"kind": null, "party": null, "lines": []});
        assert_eq!(validate(&schema(), &v, false), Ok(()));
    }

    #[test]
    fn mismatches_are_named_by_their_path() {
        let check = |v: Value| validate(&schema(), &v, false).expect_err("mismatch");
        let e = check(json!({"kind": "invoice", "party": null, "lines": [{"amount": 1.5}]}));
        assert_eq!(
            e,
            "$.lines[0].amount: expected string or null, got a number"
        );
        let e = check(json!({"kind": "receipt", "party": null, "lines": []}));
        assert!(e.starts_with("$.kind: \"receipt\" is not one of"), "{e}");
        let e = check(json!({"kind": null, "party": {"name": 3}, "lines": []}));
        assert_eq!(e, "$.party.name: expected string or null, got a number");
        let e = check(json!({"kind": null, "party": null, "lines": [], "iban": "DE.."}));
        assert_eq!(e, "$: key \"iban\" is not in the schema");
        let e = check(json!({"kind": null, "lines": []}));
        assert_eq!(e, "$: key \"party\" is missing");
        let e = check(json!(["not", "an", "object"]));
        assert_eq!(e, "$: expected object, got an array");
    }

    #[test]
    fn absent_keys_may_pass_when_asked_but_present_ones_are_checked() {
        let v = json!({"lines": [{}]});
        assert_eq!(validate(&schema(), &v, true), Ok(()));
        let v = json!({"lines": [{"amount": 3}]});
        let e = validate(&schema(), &v, true).expect_err("a number");
        assert_eq!(
            e,
            "$.lines[0].amount: expected string or null, got a number"
        );
    }
}
