//! Odoo search domains: prefix `&`, `|`, `!` with implicit AND between
//! leaves, leaves `[path, operator, value]` whose path may follow relations
//! (`purchase_line_id.order_id.name`; across an x2many a leaf holds when any
//! related record satisfies it, and a negative operator when none does).

use serde_json::Value;

use super::error::OdooError;
use super::schema::Model;
use super::store::Db;

/// A parsed domain.
#[derive(Debug)]
pub enum Domain {
    /// Every record.
    All,
    /// Both.
    And(Box<Domain>, Box<Domain>),
    /// Either.
    Or(Box<Domain>, Box<Domain>),
    /// Not.
    Not(Box<Domain>),
    /// `[path, operator, value]`.
    Leaf(String, String, Value),
}

const OPERATORS: &[&str] = &[
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "like",
    "ilike",
    "not ilike",
    "=like",
    "=ilike",
];

impl Domain {
    /// Parses a JSON domain (a list), as Odoo's `expression` does.
    pub fn parse(value: &Value) -> Result<Domain, OdooError> {
        let items = match value {
            Value::Null => return Ok(Domain::All),
            Value::Array(items) => items,
            other => return Err(OdooError::value(format!("Invalid domain {other}"))),
        };
        let mut stack: Vec<Domain> = Vec::new();
        for item in items.iter().rev() {
            let pop = |stack: &mut Vec<Domain>| {
                stack
                    .pop()
                    .ok_or_else(|| OdooError::value(format!("Invalid domain {value}")))
            };
            let node = match item {
                Value::String(op) if op == "&" || op == "|" => {
                    let (a, b) = (pop(&mut stack)?, pop(&mut stack)?);
                    if op == "&" {
                        Domain::And(Box::new(a), Box::new(b))
                    } else {
                        Domain::Or(Box::new(a), Box::new(b))
                    }
                }
                Value::String(op) if op == "!" => Domain::Not(Box::new(pop(&mut stack)?)),
                Value::Array(leaf) => match leaf.as_slice() {
                    [Value::String(path), Value::String(op), value]
                        if OPERATORS.contains(&op.as_str()) =>
                    {
                        Domain::Leaf(path.clone(), op.clone(), value.clone())
                    }
                    _ => return Err(OdooError::value(format!("Invalid leaf {item}"))),
                },
                _ => return Err(OdooError::value(format!("Invalid domain term {item}"))),
            };
            stack.push(node);
        }
        let mut domain = stack.pop().unwrap_or(Domain::All);
        while let Some(next) = stack.pop() {
            domain = Domain::And(Box::new(domain), Box::new(next));
        }
        Ok(domain)
    }

    /// Whether record `id` of `model` satisfies the domain.
    pub fn matches(&self, db: &Db, model: &Model, id: i64) -> Result<bool, OdooError> {
        Ok(match self {
            Domain::All => true,
            Domain::And(a, b) => a.matches(db, model, id)? && b.matches(db, model, id)?,
            Domain::Or(a, b) => a.matches(db, model, id)? || b.matches(db, model, id)?,
            Domain::Not(a) => !a.matches(db, model, id)?,
            Domain::Leaf(path, op, value) => {
                let values = path_values(db, model, id, path, op, value)?;
                match op.as_str() {
                    "!=" => !values.iter().any(|v| equal(v, value)),
                    "not in" => !values.iter().any(|v| within(v, value)),
                    "not ilike" => !values.iter().any(|v| like(v, value, true, true)),
                    _ => values.iter().any(|v| holds(v, op, value)),
                }
            }
        })
    }
}

/// The values at the end of `path` from one record (ids for relations).
fn path_values(
    db: &Db,
    model: &Model,
    id: i64,
    path: &str,
    op: &str,
    value: &Value,
) -> Result<Vec<Value>, OdooError> {
    let mut model = model;
    let mut records = vec![id];
    let segments: Vec<&str> = path.split('.').collect();
    for (at, segment) in segments.iter().enumerate() {
        let field = db.schema.field(model, segment).ok_or_else(|| {
            OdooError::value(format!(
                "Invalid field {}.{segment} in leaf ('{path}', '{op}', {value})",
                model.name
            ))
        })?;
        let values: Vec<Value> = records.iter().map(|r| db.raw(model, *r, &field)).collect();
        let flat: Vec<Value> = values
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(ids) => ids,
                other => vec![other],
            })
            .collect();
        if at + 1 == segments.len() {
            return Ok(flat);
        }
        let Some(relation) = field.relation else {
            return Err(OdooError::value(format!(
                "Invalid path {path}: {segment} is not a relation"
            )));
        };
        model = db.model(relation)?;
        records = flat.iter().filter_map(Value::as_i64).collect();
    }
    Ok(Vec::new())
}

fn falsy(v: &Value) -> bool {
    v.is_null() || *v == Value::Bool(false)
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b || (falsy(a) && falsy(b)),
    }
}

fn within(v: &Value, list: &Value) -> bool {
    list.as_array()
        .is_some_and(|items| items.iter().any(|item| equal(v, item)))
}

fn holds(v: &Value, op: &str, value: &Value) -> bool {
    let ordered = || match (v.as_f64(), value.as_f64()) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => v.as_str().zip(value.as_str()).map(|(x, y)| x.cmp(y)),
    };
    match op {
        "=" => equal(v, value),
        "in" => within(v, value),
        "<" => ordered().is_some_and(|o| o.is_lt()),
        "<=" => ordered().is_some_and(|o| o.is_le()),
        ">" => ordered().is_some_and(|o| o.is_gt()),
        ">=" => ordered().is_some_and(|o| o.is_ge()),
        "like" => like(v, value, false, true),
        "ilike" => like(v, value, true, true),
        "=like" => like(v, value, false, false),
        "=ilike" => like(v, value, true, false),
        _ => false,
    }
}

/// SQL LIKE (`%`, `_`); `contains` wraps the pattern in `%` as Odoo's `ilike` does.
fn like(v: &Value, pattern: &Value, insensitive: bool, contains: bool) -> bool {
    let (Some(text), Some(pattern)) = (v.as_str(), pattern.as_str()) else {
        return false;
    };
    let fold = |s: &str| {
        if insensitive {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let pattern = if contains {
        format!("%{}%", fold(pattern))
    } else {
        fold(pattern)
    };
    let text: Vec<char> = fold(text).chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    // matched[j]: the text's first i characters match the pattern's first j.
    let mut matched = vec![false; pattern.len() + 1];
    matched[0] = true;
    for j in 1..=pattern.len() {
        matched[j] = matched[j - 1] && pattern[j - 1] == '%';
    }
    for c in &text {
        let mut next = vec![false; pattern.len() + 1];
        for j in 1..=pattern.len() {
            next[j] = match pattern[j - 1] {
                '%' => next[j - 1] || matched[j],
                '_' => matched[j - 1],
                p => matched[j - 1] && p == *c,
            };
        }
        matched = next;
    }
    matched[pattern.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn like_follows_sql() {
        assert!(like(
            &json!("info@acme.example"),
            &json!("%@ACME.example"),
            true,
            false
        ));
        assert!(!like(
            &json!("info@acme.example.org"),
            &json!("%@acme.example"),
            true,
            false
        ));
        assert!(like(
            &json!("Acme Supplies BV"),
            &json!("supplies"),
            true,
            true
        ));
    }

    #[test]
    fn prefix_operators_parse() {
        let d = Domain::parse(&json!(["|", ["a", "=", 1], ["b", "=", 2], ["c", "=", 3]]));
        assert!(matches!(d, Ok(Domain::And(..))));
        assert!(Domain::parse(&json!(["|", ["a", "=", 1]])).is_err());
        assert!(Domain::parse(&json!([["a", "~", 1]])).is_err());
    }
}
