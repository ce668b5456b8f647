//! The model's answer ([`LlmReading`]), as the model gives it.
//!
//! The answer type is tolerant: every field may be missing or `null`, amounts
//! may come as strings or numbers, quotes may be flat (`"seller.iban"`) or
//! nested (`"seller": {"iban": ...}`), a Markdown code fence around the JSON
//! is dropped, and keys Docket did not ask for are ignored. Values of the
//! wrong JSON type (an object where a string belongs) are a schema error.
//!
//! The same types describe the answer to the model: [`crate::schema`]
//! generates the JSON Schema sent with every request from them, and
//! [`LlmReading::from_answer`] checks an answer against that schema before
//! anything in it is used.
//!
//! [`LlmReading::into_document`] (in [`crate::convert`]) turns it into a
//! document, checking every value against the text: a value the text does
//! not support stays empty, and one that fails a check keeps a confidence
//! defined here, far below [`docket_domain::Confidence::REVIEW_THRESHOLD`],
//! so the document goes to a person with the reason in the evidence. Parsing
//! never invents: an amount or date that does not parse is absent, not zero
//! or today.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;

use docket_extract::layout::numbers::{DateOrder, Notation, find_amounts, find_dates};
use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::Error as _;
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::LlmError;
use crate::settings::AnswerFormat;

/// Confidence of a document kind the text does not show (a document always
/// has a kind; any other value without support in the text is left empty).
pub const UNGROUNDED: f32 = 0.05;
/// Highest confidence of an identifier that fails its check digits or format.
pub const INVALID: f32 = 0.1;
/// Highest confidence of an amount whose currency had to be assumed.
pub const ASSUMED_CURRENCY: f32 = 0.3;

/// The keys the answer schema has (for telling an answer from other JSON).
const KNOWN_KEYS: &[&str] = &[
    "kind",
    "number",
    "issue_date",
    "due_date",
    "currency",
    "seller",
    "buyer",
    "po_reference",
    "net",
    "tax",
    "gross",
    "lines",
    "quotes",
];

/// The keys of [`Quotes`]: every scalar value of the answer, by its path.
pub const QUOTE_KEYS: &[&str] = &[
    "kind",
    "number",
    "issue_date",
    "due_date",
    "currency",
    "seller.name",
    "seller.vat_id",
    "seller.iban",
    "seller.bic",
    "buyer.name",
    "buyer.vat_id",
    "po_reference",
    "net",
    "tax",
    "gross",
];

/// A party as the model read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LlmParty {
    /// The name.
    #[serde(deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// The VAT id.
    #[serde(deserialize_with = "lenient_string")]
    pub vat_id: Option<String>,
    /// The IBAN (seller only).
    #[serde(deserialize_with = "lenient_string")]
    pub iban: Option<String>,
    /// The BIC (seller only).
    #[serde(deserialize_with = "lenient_string")]
    pub bic: Option<String>,
}

/// A document line as the model read it (amounts as decimal strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct LlmLine {
    /// The item description.
    #[serde(deserialize_with = "lenient_string")]
    pub description: Option<String>,
    /// The quantity, as a decimal string (`"40"`, `"2.5"`).
    #[serde(deserialize_with = "lenient_string")]
    pub quantity: Option<String>,
    /// The net unit price, as a decimal string (`"4.85"`).
    #[serde(deserialize_with = "lenient_string")]
    pub unit_price: Option<String>,
    /// The net line amount, as a decimal string (`"194.00"`).
    #[serde(deserialize_with = "lenient_string")]
    pub amount: Option<String>,
    /// The purchase order line referred to.
    #[serde(deserialize_with = "lenient_string")]
    pub po_line: Option<String>,
}

/// The verbatim quotes the model gave, by key (`number`, `seller.iban`, ...).
///
/// Written with every key of [`QUOTE_KEYS`] (`null` where there is no
/// quote), as the strict answer schema wants; read flat or nested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quotes(pub BTreeMap<String, String>);

impl Serialize for Quotes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(QUOTE_KEYS.len()))?;
        for key in QUOTE_KEYS {
            map.serialize_entry(key, &self.0.get(*key))?;
        }
        map.end()
    }
}

impl JsonSchema for Quotes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quotes".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let properties: serde_json::Map<String, Value> = QUOTE_KEYS
            .iter()
            .map(|k| {
                (
                    k.to_string(),
                    serde_json::json!({"type": ["string", "null"]}),
                )
            })
            .collect();
        json_schema!({
            "description": "For each value given, the exact text of the document it was read from, label included; null where the value is null.",
            "type": "object",
            "properties": properties,
        })
    }
}

impl Quotes {
    /// The quote for a key, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn flatten(prefix: &str, value: Value, out: &mut BTreeMap<String, String>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    Self::flatten(&key(&k), v, out);
                }
            }
            Value::String(s) if !s.trim().is_empty() && !prefix.is_empty() => {
                out.insert(prefix.to_string(), s);
            }
            Value::Number(n) if !prefix.is_empty() => {
                out.insert(prefix.to_string(), n.to_string());
            }
            // Nulls, arrays and booleans are not quotes: ignored.
            _ => {}
        }
    }
}

impl<'de> Deserialize<'de> for Quotes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = BTreeMap::new();
        Quotes::flatten("", Value::deserialize(d)?, &mut out);
        Ok(Quotes(out))
    }
}

/// The model's answer, as requested by [`crate::prompt::SYSTEM_PROMPT`] and
/// described by [`crate::schema::answer`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
#[schemars(
    description = "The fields of one business document, each as the document text states it; null where it does not."
)]
pub struct LlmReading {
    /// `invoice`, `credit_note` or `order`.
    #[serde(deserialize_with = "lenient_string")]
    #[schemars(schema_with = "kind_schema")]
    pub kind: Option<String>,
    /// The document number.
    #[serde(deserialize_with = "lenient_string")]
    pub number: Option<String>,
    /// The issue date, as `YYYY-MM-DD`.
    #[serde(deserialize_with = "lenient_string")]
    pub issue_date: Option<String>,
    /// The due date, as `YYYY-MM-DD`.
    #[serde(deserialize_with = "lenient_string")]
    pub due_date: Option<String>,
    /// The ISO 4217 currency code.
    #[serde(deserialize_with = "lenient_string")]
    pub currency: Option<String>,
    /// The seller.
    pub seller: Option<LlmParty>,
    /// The buyer.
    pub buyer: Option<LlmParty>,
    /// The buyer's purchase order number(s), comma-separated.
    #[serde(deserialize_with = "lenient_string")]
    pub po_reference: Option<String>,
    /// Total without VAT, as a decimal string (`"1234.56"`).
    #[serde(deserialize_with = "lenient_string")]
    pub net: Option<String>,
    /// Total VAT, as a decimal string.
    #[serde(deserialize_with = "lenient_string")]
    pub tax: Option<String>,
    /// Total with VAT, as a decimal string.
    #[serde(deserialize_with = "lenient_string")]
    pub gross: Option<String>,
    /// The lines.
    #[serde(deserialize_with = "lenient_vec")]
    pub lines: Vec<LlmLine>,
    /// The verbatim quote behind each scalar value.
    pub quotes: Quotes,
}

impl LlmReading {
    /// Reads a model's message: a JSON object (a surrounding Markdown code
    /// fence is tolerated) with at least one of the requested keys, unless
    /// it is empty (nothing found).
    pub fn from_message(content: &str) -> Result<Self, LlmError> {
        let value = parse_json(content)?;
        let Value::Object(map) = &value else {
            return Err(LlmError::Schema(format!(
                "expected a JSON object, got {}",
                json_kind(&value)
            )));
        };
        if !map.is_empty() && !map.keys().any(|k| KNOWN_KEYS.contains(&k.as_str())) {
            let found: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
            return Err(LlmError::Schema(format!(
                "none of the requested keys is there (found {})",
                found.join(", ")
            )));
        }
        serde_json::from_value(value).map_err(|e| LlmError::Schema(e.to_string()))
    }

    /// Reads a model's answer as Docket uses it: a JSON object that
    /// satisfies the answer schema ([`crate::schema::answer`]); with
    /// [`AnswerFormat::JsonObject`] a key left out passes as not given,
    /// since the server could not be given the schema. Returns the reading and
    /// the answer as compact JSON (what the cache keeps).
    pub fn from_answer(content: &str, format: AnswerFormat) -> Result<(Self, String), LlmError> {
        let value = parse_json(content)?;
        let absent_allowed = format == AnswerFormat::JsonObject;
        crate::validate::validate(crate::schema::answer(), &value, absent_allowed)
            .map_err(LlmError::Schema)?;
        let compact = value.to_string();
        let reading = serde_json::from_value(value).map_err(|e| LlmError::Schema(e.to_string()))?;
        Ok((reading, compact))
    }
}

/// Parses an amount the model gave: `1234.56` as asked, or tolerantly any
/// single amount in the notations the layout reader knows. `None` when it is
/// not exactly one amount.
pub fn parse_amount(raw: &str) -> Option<Decimal> {
    let raw = raw.trim();
    if let Ok(d) = Decimal::from_str(raw) {
        return Some(d);
    }
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    match find_amounts(&tokens, Notation::DecimalPoint).as_slice() {
        [one] => Some(one.value),
        _ => None,
    }
}

/// Parses a date the model gave: `YYYY-MM-DD` as asked, or tolerantly one
/// date in another common notation (day first). `None` otherwise.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Some(d);
    }
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    match find_dates(&tokens, DateOrder::DayFirst).as_slice() {
        [(_, _, d)] => Some(*d),
        _ => None,
    }
}

/// The schema of `kind`: one of the kinds Docket asks about, or null.
fn kind_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The kind of document, or null when it is none of these.",
        "type": ["string", "null"],
        "enum": ["invoice", "credit_note", "order", null],
    })
}

/// A model's message as JSON (a surrounding Markdown code fence dropped).
fn parse_json(content: &str) -> Result<Value, LlmError> {
    serde_json::from_str(strip_code_fence(content)).map_err(|e| {
        LlmError::NotJson(format!(
            "{e}; the answer began with {:?}",
            crate::error::shorten(content, 80)
        ))
    })
}

fn strip_code_fence(content: &str) -> &str {
    let t = content.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// What kind of JSON value `v` is, for messages (`a number`, `an object`).
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => {
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_string()))
        }
        Value::Number(n) => Ok(Some(n.to_string())),
        other => Err(D::Error::custom(format!(
            "expected a string, got {}",
            json_kind(&other)
        ))),
    }
}

fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
#[path = "reading_tests.rs"]
mod tests;
