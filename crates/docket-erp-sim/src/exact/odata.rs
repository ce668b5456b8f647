//! The OData subset Exact's list endpoints accept, as strictly as Exact:
//! `$filter` with `eq ne lt le gt ge` joined by `and` / `or` (`and` binds
//! tighter; no parentheses or functions), `$select` (required), `$top` and
//! the server's own `$skiptoken`. Anything else is a 400 with Exact's error
//! body, never silently ignored: a lenient simulator would let an adapter
//! that filters wrongly read everything and pass.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::schema::{Entity, Kind};

/// A parsed list request.
#[derive(Debug)]
pub struct ListQuery {
    pub filter: Vec<Vec<Comparison>>,
    pub select: Vec<String>,
    pub top: Option<usize>,
    pub skiptoken: Option<String>,
    /// The raw `$filter` and `$select`, for the `__next` link.
    pub raw_filter: Option<String>,
    pub raw_select: String,
}

/// `Field op literal`.
#[derive(Debug)]
pub struct Comparison {
    field: String,
    op: Op,
    value: Value,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Decodes `application/x-www-form-urlencoded` pairs (query strings and
/// the OAuth token form).
pub fn form_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a query value for the `__next` link.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/Date(ms)/`, the way Exact writes dates.
pub fn date_value(date: NaiveDate) -> Value {
    let ms = date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |d| d.and_utc().timestamp_millis());
    Value::String(format!("/Date({ms})/"))
}

/// Milliseconds of a `/Date(ms)/` value or an ISO date, for comparisons.
pub fn date_millis(text: &str) -> Option<i64> {
    if let Some(ms) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    {
        return ms.parse().ok();
    }
    let day = text
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())?;
    day.and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp_millis())
}

/// Milliseconds of a `datetime'…'` filter literal: a day, or a day and
/// time of day to the millisecond (`2026-11-21T22:37:17.123`, UTC, an
/// optional `Z`), so that `Modified gt datetime'…'` compares as precisely
/// as Exact does.
pub fn datetime_millis(text: &str) -> Option<i64> {
    let trimmed = text.trim_end_matches('Z');
    if trimmed.len() > 10 {
        let at = chrono::NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
        return Some(at.and_utc().timestamp_millis());
    }
    date_millis(trimmed)
}

impl ListQuery {
    /// Parses the query string of a list request on `entity`.
    pub fn parse(entity: &Entity, raw: &str) -> Result<ListQuery, String> {
        let mut query = ListQuery {
            filter: Vec::new(),
            select: Vec::new(),
            top: None,
            skiptoken: None,
            raw_filter: None,
            raw_select: String::new(),
        };
        for (name, value) in form_pairs(raw) {
            match name.as_str() {
                "$filter" => {
                    query.filter = parse_filter(entity, &value)?;
                    query.raw_filter = Some(value);
                }
                "$select" => {
                    for field in value.split(',').map(str::trim) {
                        if entity.kind(field).is_none() {
                            return Err(format!(
                                "Invalid $select: property '{field}' does not exist on {}",
                                entity.name
                            ));
                        }
                        query.select.push(field.to_string());
                    }
                    query.raw_select = value;
                }
                "$top" => {
                    let top = value
                        .parse()
                        .map_err(|_| format!("Invalid $top: {value}"))?;
                    query.top = Some(top);
                }
                "$skiptoken" => query.skiptoken = Some(value),
                other => return Err(format!("Query option not supported: {other}")),
            }
        }
        if query.select.is_empty() {
            return Err(format!(
                "$select is mandatory for {}: name the properties to return",
                entity.path
            ));
        }
        Ok(query)
    }

    /// Whether `row` passes the filter.
    pub fn admits(&self, row: &Map<String, Value>) -> bool {
        self.filter.is_empty()
            || self
                .filter
                .iter()
                .any(|all| all.iter().all(|c| c.holds(row)))
    }

    /// `row` cut down to the selected fields.
    pub fn project(&self, row: &Map<String, Value>) -> Value {
        let mut out = Map::new();
        for field in &self.select {
            out.insert(
                field.clone(),
                row.get(field).cloned().unwrap_or(Value::Null),
            );
        }
        Value::Object(out)
    }
}

fn parse_filter(entity: &Entity, text: &str) -> Result<Vec<Vec<Comparison>>, String> {
    if text.contains('(') && !text.contains("guid'") && !text.contains("datetime'") {
        return Err(format!("$filter not supported by this simulator: {text}"));
    }
    text.split(" or ")
        .map(|group| {
            group
                .split(" and ")
                .map(|term| parse_comparison(entity, term.trim()))
                .collect()
        })
        .collect()
}

fn parse_comparison(entity: &Entity, term: &str) -> Result<Comparison, String> {
    let mut parts = term.splitn(3, ' ');
    let (Some(field), Some(op), Some(literal)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("Invalid $filter term: {term}"));
    };
    let kind = entity
        .kind(field)
        .ok_or_else(|| format!("Property '{field}' does not exist on {}", entity.name))?;
    let op = match op {
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "lt" => Op::Lt,
        "le" => Op::Le,
        "gt" => Op::Gt,
        "ge" => Op::Ge,
        other => return Err(format!("Operator '{other}' is not supported")),
    };
    let incompatible =
        || format!("Operator '{term}' incompatible with operand types: {field} is {kind:?}");
    let quoted = |prefix: &str| {
        literal
            .strip_prefix(prefix)
            .and_then(|l| l.strip_prefix('\''))
            .and_then(|l| l.strip_suffix('\''))
            .map(|l| l.replace("''", "'"))
    };
    let value = match kind {
        Kind::Guid => Value::String(
            quoted("guid")
                .ok_or_else(incompatible)?
                .to_ascii_lowercase(),
        ),
        Kind::Str => Value::String(
            quoted("")
                .filter(|_| literal.starts_with('\''))
                .ok_or_else(incompatible)?,
        ),
        Kind::Date => {
            let day = quoted("datetime").ok_or_else(incompatible)?;
            Value::from(datetime_millis(&day).ok_or_else(incompatible)?)
        }
        Kind::Bool => match literal {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(incompatible()),
        },
        Kind::Int | Kind::Num => {
            let n: f64 = literal.parse().map_err(|_| incompatible())?;
            Value::from(n)
        }
    };
    Ok(Comparison {
        field: field.to_string(),
        op,
        value,
    })
}

impl Comparison {
    fn holds(&self, row: &Map<String, Value>) -> bool {
        use std::cmp::Ordering;
        let actual = row.get(&self.field).unwrap_or(&Value::Null);
        let ordering = match (actual, &self.value) {
            (Value::String(a), Value::Number(b)) => {
                date_millis(a).zip(b.as_i64()).map(|(a, b)| a.cmp(&b))
            }
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            (Value::Number(a), Value::Number(b)) => a
                .as_f64()
                .zip(b.as_f64())
                .and_then(|(a, b)| a.partial_cmp(&b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        };
        match (self.op, ordering) {
            (Op::Eq, o) => o == Some(Ordering::Equal),
            (Op::Ne, o) => o != Some(Ordering::Equal),
            (_, None) => false,
            (Op::Lt, Some(o)) => o == Ordering::Less,
            (Op::Le, Some(o)) => o != Ordering::Greater,
            (Op::Gt, Some(o)) => o == Ordering::Greater,
            (Op::Ge, Some(o)) => o != Ordering::Less,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::schema::{ACCOUNTS, PURCHASE_ORDERS};

    #[test]
    fn filters_are_typed_and_unknown_ones_refused() {
        let q = ListQuery::parse(
            &PURCHASE_ORDERS,
            "$filter=Supplier%20eq%20guid'AB'%20and%20InvoiceStatus%20lt%2030&$select=OrderNumber",
        )
        .unwrap();
        let mut row = Map::new();
        row.insert("Supplier".into(), "ab".into());
        row.insert("InvoiceStatus".into(), 20.into());
        assert!(q.admits(&row));
        row.insert("InvoiceStatus".into(), 30.into());
        assert!(!q.admits(&row));
        let refused = |raw: &str| ListQuery::parse(&ACCOUNTS, raw).unwrap_err();
        assert!(refused("$filter=ID eq 'x'&$select=ID").contains("incompatible"));
        assert!(refused("$filter=Nope eq 'x'&$select=ID").contains("does not exist"));
        assert!(refused("$filter=substringof('a',Name)&$select=ID").contains("not supported"));
        assert!(refused("$filter=Name eq 'x'").contains("mandatory"));
        assert!(refused("$select=ID&$orderby=Name").contains("not supported"));
    }

    #[test]
    fn datetime_literals_compare_to_the_millisecond() {
        let q = ListQuery::parse(
            &ACCOUNTS,
            "$filter=Modified%20gt%20datetime'2026-11-21T22:37:17.123'&$select=ID",
        )
        .unwrap();
        let at = datetime_millis("2026-11-21T22:37:17.123Z").unwrap();
        let mut row = Map::new();
        row.insert("Modified".into(), format!("/Date({at})/").into());
        assert!(!q.admits(&row));
        row.insert("Modified".into(), format!("/Date({})/", at + 1).into());
        assert!(q.admits(&row));
        assert_eq!(
            datetime_millis("2026-11-21"),
            datetime_millis("2026-11-21T00:00:00")
        );
    }
}
