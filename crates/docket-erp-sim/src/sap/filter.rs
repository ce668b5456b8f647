//! `$filter`: the subset of OData v2 the adapters use, parsed strictly.
//!
//! Comparisons (`eq`, `ne`, `lt`, `gt`, `le`, `ge`) of a property with a
//! literal ('string', `true`/`false`, a number, `datetime'…'`), joined by
//! `and`/`or` and grouped with parentheses. Anything else (functions such
//! as `substringof`, arithmetic, unknown properties) is refused with the
//! reason, because a simulator that ignored a filter would answer a query
//! the real system never would and hide the adapter's mistake.

use std::cmp::Ordering;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::schema::EntitySet;
use super::wire;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// `property op literal`.
    Compare(String, Op, Literal),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `lt`
    Lt,
    /// `gt`
    Gt,
    /// `le`
    Le,
    /// `ge`
    Ge,
}

/// A literal on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`
    Text(String),
    /// `true` / `false`
    Bool(bool),
    /// `12.5`, `12.5M`
    Number(Decimal),
    /// `datetime'2024-01-01T00:00:00'`, as milliseconds since the epoch
    DateTime(i64),
    /// `datetimeoffset'2024-01-01T00:00:00Z'`, as milliseconds since the epoch
    DateTimeOffset(i64),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
    Lit(Literal),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == '\'' {
            let (s, next) = quoted(&chars, i)?;
            tokens.push(Token::Lit(Literal::Text(s)));
            i = next;
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_-.".contains(chars[i]))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word == "datetime" && chars.get(i) == Some(&'\'') {
                let (s, next) = quoted(&chars, i)?;
                let at = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S")
                    .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M"))
                    .map_err(|_| format!("Invalid datetime literal '{s}'"))?;
                tokens.push(Token::Lit(Literal::DateTime(
                    at.and_utc().timestamp_millis(),
                )));
                i = next;
            } else if word == "datetimeoffset" && chars.get(i) == Some(&'\'') {
                let (s, next) = quoted(&chars, i)?;
                let at = chrono::DateTime::parse_from_rfc3339(&s)
                    .map_err(|_| format!("Invalid datetimeoffset literal '{s}'"))?;
                tokens.push(Token::Lit(Literal::DateTimeOffset(at.timestamp_millis())));
                i = next;
            } else if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                let digits = word.trim_end_matches(['M', 'm', 'L', 'l']);
                let n = digits
                    .parse::<Decimal>()
                    .map_err(|_| format!("Invalid number literal '{word}'"))?;
                tokens.push(Token::Lit(Literal::Number(n)));
            } else if word == "true" || word == "false" {
                tokens.push(Token::Lit(Literal::Bool(word == "true")));
            } else {
                tokens.push(Token::Word(word));
            }
        } else {
            return Err(format!("Invalid token '{c}' at position {i}"));
        }
    }
    Ok(tokens)
}

/// A quoted string starting at `at` ('' stands for one quote); the position after it.
fn quoted(chars: &[char], at: usize) -> Result<(String, usize), String> {
    let mut s = String::new();
    let mut i = at + 1;
    loop {
        match chars.get(i) {
            None => return Err("Unterminated string literal".into()),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                s.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((s, i + 1)),
            Some(&c) => {
                s.push(c);
                i += 1;
            }
        }
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    set: &'a EntitySet,
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.primary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Filter, String> {
        match self.tokens.get(self.at).cloned() {
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return Err("Missing ')'".into());
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Word(property)) => {
                if self.tokens.get(self.at + 1) == Some(&Token::Open) {
                    return Err(format!(
                        "Function '{property}' is not supported by the simulator"
                    ));
                }
                if !self.set.has(&property) {
                    return Err(format!(
                        "Property '{property}' not found in type '{}'",
                        self.set.entity_type
                    ));
                }
                let op = match self.tokens.get(self.at + 1) {
                    Some(Token::Word(w)) => match w.as_str() {
                        "eq" => Op::Eq,
                        "ne" => Op::Ne,
                        "lt" => Op::Lt,
                        "gt" => Op::Gt,
                        "le" => Op::Le,
                        "ge" => Op::Ge,
                        other => return Err(format!("Operator '{other}' is not supported")),
                    },
                    _ => return Err(format!("Expected an operator after '{property}'")),
                };
                let literal = match self.tokens.get(self.at + 2) {
                    Some(Token::Lit(l)) => l.clone(),
                    _ => return Err(format!("Expected a literal after '{property}'")),
                };
                let offset = self.set.is_offset(&property);
                match (&literal, offset) {
                    (Literal::DateTime(_), true) | (Literal::DateTimeOffset(_), false) => {
                        return Err(format!(
                            "Invalid literal for property '{property}': expected {}",
                            if offset {
                                "Edm.DateTimeOffset"
                            } else {
                                "Edm.DateTime"
                            }
                        ));
                    }
                    _ => {}
                }
                self.at += 3;
                Ok(Filter::Compare(property, op, literal))
            }
            _ => Err("Expected a property or '('".into()),
        }
    }
}

impl Filter {
    /// Parses `text` against the properties of `set`.
    pub fn parse(text: &str, set: &EntitySet) -> Result<Filter, String> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, at: 0, set };
        let filter = parser.or()?;
        if parser.at != parser.tokens.len() {
            return Err(format!(
                "Unexpected input after position {} of the filter",
                parser.at
            ));
        }
        Ok(filter)
    }

    /// Whether `record` passes; an impossible comparison (a date against a
    /// string, ...) is an error, as SAP's type check is.
    pub fn test(&self, record: &Map<String, Value>) -> Result<bool, String> {
        match self {
            Filter::And(a, b) => Ok(a.test(record)? && b.test(record)?),
            Filter::Or(a, b) => Ok(a.test(record)? || b.test(record)?),
            Filter::Compare(property, op, literal) => {
                let value = record.get(property).unwrap_or(&Value::Null);
                let Some(ordering) = compare(value, literal, property)? else {
                    return Ok(*op == Op::Ne);
                };
                Ok(match op {
                    Op::Eq => ordering == Ordering::Equal,
                    Op::Ne => ordering != Ordering::Equal,
                    Op::Lt => ordering == Ordering::Less,
                    Op::Gt => ordering == Ordering::Greater,
                    Op::Le => ordering != Ordering::Greater,
                    Op::Ge => ordering != Ordering::Less,
                })
            }
        }
    }
}

/// The stored value against the literal (`None`: the value is null).
fn compare(value: &Value, literal: &Literal, property: &str) -> Result<Option<Ordering>, String> {
    let mismatch = || format!("Invalid literal for property '{property}': type mismatch");
    Ok(Some(match (value, literal) {
        (Value::Null, _) => return Ok(None),
        (Value::Bool(v), Literal::Bool(l)) => v.cmp(l),
        (Value::String(v), Literal::DateTime(l) | Literal::DateTimeOffset(l)) => {
            wire::parse_date_ms(v).ok_or_else(mismatch)?.cmp(l)
        }
        (Value::String(v), Literal::Number(l)) => {
            v.parse::<Decimal>().map_err(|_| mismatch())?.cmp(l)
        }
        (Value::String(v), Literal::Text(l)) if wire::parse_date_ms(v).is_none() => {
            v.as_str().cmp(l.as_str())
        }
        _ => return Err(mismatch()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::schema;

    #[test]
    fn filters_parse_and_test() {
        let set = schema::by_name("A_PurchaseOrder");
        let f = Filter::parse(
            "Supplier eq '17300001' and (PurchasingDocumentDeletionCode eq '' or PurchaseOrderDate gt datetime'2024-01-01T00:00:00')",
            set,
        )
        .unwrap();
        let mut record = Map::new();
        record.insert("Supplier".into(), "17300001".into());
        record.insert("PurchasingDocumentDeletionCode".into(), "L".into());
        record.insert("PurchaseOrderDate".into(), wire::date_ms(1_714_521_600_000));
        assert!(f.test(&record).unwrap());
        assert!(
            Filter::parse("Nonsense eq 'x'", set)
                .unwrap_err()
                .contains("not found")
        );
        assert!(Filter::parse("substringof('x',Supplier)", set).is_err());
        assert!(Filter::parse("Supplier eq 'x' garbage", set).is_err());
        let changed = Filter::parse(
            "LastChangeDateTime ge datetimeoffset'2024-04-30T00:00:00Z'",
            set,
        )
        .unwrap();
        record.insert(
            "LastChangeDateTime".into(),
            wire::offset_ms(1_714_521_600_000),
        );
        assert!(changed.test(&record).unwrap());
        assert!(Filter::parse("LastChangeDateTime ge datetime'2024-04-30T00:00:00'", set).is_err());
        assert!(
            Filter::parse(
                "PurchaseOrderDate ge datetimeoffset'2024-04-30T00:00:00Z'",
                set
            )
            .is_err()
        );
        let bad = Filter::parse("Supplier eq true", set).unwrap();
        assert!(bad.test(&record).is_err());
    }
}
