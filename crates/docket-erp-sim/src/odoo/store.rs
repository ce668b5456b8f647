//! The simulator's database: records per model under their Odoo 19 field
//! names, with Odoo's rules for reading (many2one as `[id, display_name]`,
//! one2many from the inverse many2one, unset values as `false`), writing
//! (x2many commands, mandatory fields, unknown fields refused) and
//! searching (domains over dotted paths, order, offset, limit).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::domain::Domain;
use super::error::OdooError;
use super::schema::{Field, Model, Schema};

/// One record: field (19 name) → stored value.
pub type Record = Map<String, Value>;

/// Every record of every model, by model and id.
pub type Tables = BTreeMap<&'static str, BTreeMap<i64, Record>>;

/// Odoo's datetime format (UTC, whole seconds).
pub const DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// The server's clock as Odoo writes it (`write_date`).
pub fn now() -> String {
    chrono::Utc::now().format(DATETIME).to_string()
}

/// Every record of every model.
#[derive(Debug)]
pub struct Db {
    /// The names the server shows.
    pub schema: Schema,
    /// The user calls run as (for error messages).
    pub uid: i64,
    tables: Tables,
    /// (model, operation) pairs the user's groups do not grant.
    denied: BTreeSet<(String, String)>,
}

impl Db {
    /// An empty database.
    pub fn new(schema: Schema, uid: i64) -> Self {
        Db {
            schema,
            uid,
            tables: BTreeMap::new(),
            denied: BTreeSet::new(),
        }
    }

    /// Takes `operation` (`read`, `write`, `create`, `unlink`) on `model` away from the user.
    pub fn deny(&mut self, model: &str, operation: &str) {
        self.denied
            .insert((model.to_string(), operation.to_string()));
    }

    /// Whether the user lacks `operation` on `model` (only `check_access_rights` asks).
    pub fn is_denied(&self, model: &str, operation: &str) -> bool {
        self.denied
            .contains(&(model.to_string(), operation.to_string()))
    }

    /// The model, or Odoo's error for an unknown one.
    pub fn model(&self, name: &str) -> Result<&'static Model, OdooError> {
        self.schema
            .model(name)
            .ok_or_else(|| OdooError::value(format!("the model '{name}' does not exist")))
    }

    /// The field a caller names on `model`, or Odoo's error for an unknown one.
    pub fn field(&self, model: &Model, name: &str) -> Result<Field, OdooError> {
        self.schema
            .field(model, name)
            .ok_or_else(|| OdooError::invalid_field(model.name, name))
    }

    /// Stores a record as it is (seeding and computed values); `id` 0 takes the next free id.
    pub fn put(&mut self, model: &'static str, id: i64, record: Record) -> i64 {
        let table = self.tables.entry(model).or_default();
        let id = if id > 0 {
            id
        } else {
            table.keys().next_back().map_or(1, |last| last + 1)
        };
        table.insert(id, record);
        id
    }

    /// A copy of every record, to find what a call changes ([`Db::stamp`]).
    pub fn tables(&self) -> Tables {
        self.tables.clone()
    }

    /// Sets `write_date` to `at` on every record created or changed since
    /// `before` (stored computed fields included) and on `written`, as
    /// Odoo's ORM does on every create, write and recompute.
    pub fn stamp(&mut self, before: &Tables, written: &[(&str, i64)], at: &str) {
        for (model, table) in &mut self.tables {
            let old = before.get(model);
            for (id, record) in table.iter_mut() {
                let changed = old.and_then(|t| t.get(id)) != Some(&*record)
                    || written.contains(&(*model, *id));
                if changed {
                    record.insert("write_date".into(), json!(at));
                }
            }
        }
    }

    /// Sets `write_date` to `at` on every record (seeding).
    pub fn stamp_all(&mut self, at: &str) {
        for record in self.tables.values_mut().flat_map(BTreeMap::values_mut) {
            record.insert("write_date".into(), json!(at));
        }
    }

    /// A stored record.
    pub fn get(&self, model: &str, id: i64) -> Option<&Record> {
        self.tables.get(model)?.get(&id)
    }

    /// A stored record, to change.
    pub fn get_mut(&mut self, model: &str, id: i64) -> Option<&mut Record> {
        self.tables.get_mut(model)?.get_mut(&id)
    }

    /// The ids of a model's records, ascending.
    pub fn ids(&self, model: &str) -> Vec<i64> {
        self.tables
            .get(model)
            .map(|t| t.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The records of `model` whose many2one `field` points at `id`.
    pub fn children(&self, model: &str, field: &str, id: i64) -> Vec<i64> {
        self.tables
            .get(model)
            .map(|t| {
                t.iter()
                    .filter(|(_, r)| r.get(field).and_then(Value::as_i64) == Some(id))
                    .map(|(k, _)| *k)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What Odoo shows for a record in a many2one.
    pub fn display_name(&self, model: &str, id: i64) -> String {
        let Some(record) = self.get(model, id) else {
            return String::new();
        };
        let text = |key: &str| record.get(key).and_then(Value::as_str).map(str::to_string);
        match model {
            "product.product" => match (text("default_code"), text("name")) {
                (Some(code), Some(name)) => format!("[{code}] {name}"),
                (_, name) => name.unwrap_or_default(),
            },
            "purchase.order.line" | "sale.order.line" => record
                .get("product_id")
                .and_then(Value::as_i64)
                .map(|p| self.display_name("product.product", p))
                .or_else(|| text("name"))
                .unwrap_or_default(),
            "res.partner.bank" => text("acc_number").unwrap_or_default(),
            "stock.move" => text("reference").unwrap_or_default(),
            _ => text("name").unwrap_or_default(),
        }
    }

    /// The stored value of `field` (one2many and display names computed):
    /// a many2one as its id or `false`, an x2many as an array of ids.
    pub fn raw(&self, model: &Model, id: i64, field: &Field) -> Value {
        match (field.name, field.ty, field.inverse) {
            ("id", _, _) => json!(id),
            ("display_name", _, _) => json!(self.display_name(model.name, id)),
            (_, "one2many", Some(inverse)) => {
                json!(self.children(field.relation.unwrap_or_default(), inverse, id))
            }
            (name, ty, _) => match self.get(model.name, id).and_then(|r| r.get(name)) {
                Some(value) if !value.is_null() => value.clone(),
                _ => match ty {
                    "many2many" | "one2many" => json!([]),
                    "integer" => json!(0),
                    "float" | "monetary" => json!(0.0),
                    _ => Value::Bool(false),
                },
            },
        }
    }

    /// A record as `read` answers it, with the fields asked for (all when none).
    pub fn render(&self, model: &Model, id: i64, fields: &[String]) -> Result<Value, OdooError> {
        let mut out = Map::new();
        out.insert("id".into(), json!(id));
        let all: Vec<String>;
        let names = if fields.is_empty() {
            all = model
                .fields
                .iter()
                .filter(|f| self.schema.has(f))
                .map(|f| self.schema.visible(f).to_string())
                .collect();
            &all
        } else {
            fields
        };
        for name in names {
            let field = self.field(model, name)?;
            let value = self.raw(model, id, &field);
            let shown = match (field.ty, value.as_i64(), field.relation) {
                ("many2one", Some(target), Some(relation)) => {
                    json!([target, self.display_name(relation, target)])
                }
                _ => value,
            };
            out.insert(name.clone(), shown);
        }
        Ok(Value::Object(out))
    }

    /// The ids matching `domain`, ordered (`"name asc, id desc"`; ids ascending by default).
    pub fn search(
        &self,
        model: &Model,
        domain: &Value,
        order: Option<&str>,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<i64>, OdooError> {
        let domain = Domain::parse(domain)?;
        let mut found = Vec::new();
        for id in self.ids(model.name) {
            if domain.matches(self, model, id)? {
                found.push(id);
            }
        }
        if let Some(order) = order.filter(|o| !o.trim().is_empty()) {
            let mut keys = Vec::new();
            for part in order.split(',') {
                let mut words = part.split_whitespace();
                let name = words.next().unwrap_or("id");
                let descending = words.next().is_some_and(|w| w.eq_ignore_ascii_case("desc"));
                keys.push((self.field(model, name)?, descending));
            }
            found.sort_by(|a, b| {
                keys.iter()
                    .map(|(field, descending)| {
                        let ordering =
                            compare(&self.raw(model, *a, field), &self.raw(model, *b, field));
                        if *descending {
                            ordering.reverse()
                        } else {
                            ordering
                        }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        let found = found.into_iter().skip(offset);
        Ok(match limit {
            Some(limit) => found.take(limit).collect(),
            None => found.collect(),
        })
    }

    /// Creates a record from caller values (names as the server shows
    /// them, x2many commands `[0, 0, vals]`, `[6, 0, ids]`, `[4, id]`);
    /// `defaults` (19 names) fill what the caller left out.
    pub fn create(
        &mut self,
        model: &'static Model,
        vals: &Map<String, Value>,
        defaults: Record,
    ) -> Result<i64, OdooError> {
        let mut record = defaults;
        let mut children = Vec::new();
        for (name, value) in vals {
            let field = self.field(model, name)?;
            match self.convert(&field, value)? {
                Converted::Value(v) => {
                    record.insert(field.name.to_string(), v);
                }
                Converted::Children(list) => children.push((field, list)),
            }
        }
        if let Some(missing) = model.fields.iter().find(|f| {
            f.required.is_some()
                && record
                    .get(f.name)
                    .is_none_or(|v| v.is_null() || *v == false)
        }) {
            return Err(OdooError::required(
                model,
                self.schema.visible(missing),
                missing.required.unwrap_or_default(),
            ));
        }
        let id = self.put(model.name, 0, record);
        for (field, list) in children {
            let child_model = self.model(field.relation.unwrap_or_default())?;
            for mut child in list {
                child.insert(field.inverse.unwrap_or_default().to_string(), json!(id));
                self.create(child_model, &child, Record::new())?;
            }
        }
        Ok(id)
    }

    /// Writes caller values on existing records.
    pub fn write(
        &mut self,
        model: &'static Model,
        ids: &[i64],
        vals: &Map<String, Value>,
    ) -> Result<(), OdooError> {
        self.exist(model, ids)?;
        for (name, value) in vals {
            let field = self.field(model, name)?;
            let Converted::Value(v) = self.convert(&field, value)? else {
                return Err(OdooError::user(format!(
                    "the simulator does not write one2many {name}"
                )));
            };
            for id in ids {
                if let Some(record) = self.get_mut(model.name, *id) {
                    record.insert(field.name.to_string(), v.clone());
                }
            }
        }
        Ok(())
    }

    /// Odoo's MissingError unless every id exists.
    pub fn exist(&self, model: &Model, ids: &[i64]) -> Result<(), OdooError> {
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| self.get(model.name, *id).is_none())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(OdooError::missing(model.name, &missing, self.uid))
        }
    }

    fn convert(&self, field: &Field, value: &Value) -> Result<Converted, OdooError> {
        let ids_of = |v: &Value| -> Vec<i64> {
            v.as_array()
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default()
        };
        match field.ty {
            "many2one" => {
                if let (Some(target), Some(relation)) = (value.as_i64(), field.relation) {
                    self.exist(self.model(relation)?, &[target])?;
                }
                Ok(Converted::Value(value.clone()))
            }
            "many2many" => {
                let mut ids = Vec::new();
                for command in value.as_array().into_iter().flatten() {
                    match command.as_array().map(Vec::as_slice) {
                        Some([c, _, list]) if c.as_i64() == Some(6) => ids = ids_of(list),
                        Some([c, id, ..]) if c.as_i64() == Some(4) => ids.extend(id.as_i64()),
                        None if command.is_i64() => ids.extend(command.as_i64()),
                        _ => return Err(bad_command(field)),
                    }
                }
                Ok(Converted::Value(json!(ids)))
            }
            "one2many" => {
                let mut children = Vec::new();
                for command in value.as_array().into_iter().flatten() {
                    match command.as_array().map(Vec::as_slice) {
                        Some([c, _, Value::Object(vals)]) if c.as_i64() == Some(0) => {
                            children.push(vals.clone());
                        }
                        _ => return Err(bad_command(field)),
                    }
                }
                Ok(Converted::Children(children))
            }
            _ => Ok(Converted::Value(value.clone())),
        }
    }
}

enum Converted {
    Value(Value),
    Children(Vec<Map<String, Value>>),
}

fn bad_command(field: &Field) -> OdooError {
    OdooError::value(format!("Invalid x2many command for field '{}'", field.name))
}

/// Orders two stored values as Odoo's SQL would (numbers, then text; `false` first).
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x.cmp(y),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            _ => Ordering::Equal,
        },
    }
}
