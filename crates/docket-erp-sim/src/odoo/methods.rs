//! The model methods the simulator serves (`search_read`, `read`,
//! `search_count`, `create`, `write`, `fields_get`, `check_access_rights`,
//! `account.move.action_post`, `sale.order.action_confirm`), their
//! signatures (so JSON-RPC positional arguments and JSON-2 named ones meet
//! the same checks), and the fields
//! Odoo computes: received and billed quantities on purchase lines, the
//! order's `invoice_status`, totals, and `duplicated_ref_ids`, the only
//! trace Odoo leaves of a second bill with the same reference.

use serde_json::{Map, Value, json};

use super::error::OdooError;
use super::schema::Model;
use super::store::{Db, Record};

/// Each method: whether it takes record ids, and its parameters in order.
const SIGNATURES: &[(&str, bool, &[&str])] = &[
    (
        "search_read",
        false,
        &["domain", "fields", "offset", "limit", "order"],
    ),
    ("search_count", false, &["domain", "limit"]),
    ("read", true, &["fields"]),
    ("create", false, &["vals_list"]),
    ("write", true, &["vals"]),
    ("fields_get", false, &["allfields", "attributes"]),
    ("action_post", true, &[]),
    ("action_confirm", true, &[]),
    (
        "check_access_rights",
        false,
        &["operation", "raise_exception"],
    ),
];

/// Which model a model-specific method belongs to.
fn owner(method: &str) -> Option<&'static str> {
    match method {
        "action_post" => Some("account.move"),
        "action_confirm" => Some("sale.order"),
        _ => None,
    }
}

/// The method's signature, or Odoo's error for one the model does not have.
fn signature(model: &str, method: &str) -> Result<(bool, &'static [&'static str]), OdooError> {
    SIGNATURES
        .iter()
        .find(|(name, ..)| *name == method)
        .filter(|_| owner(method).is_none_or(|m| m == model))
        .map(|(_, ids, params)| (*ids, *params))
        .ok_or_else(|| OdooError {
            name: "builtins.AttributeError".into(),
            message: format!("The method '{model}.{method}' does not exist"),
        })
}

/// A call's arguments, named.
#[derive(Debug, Default)]
pub struct Call {
    /// The records (`ids`).
    pub ids: Vec<i64>,
    /// The named arguments.
    pub kwargs: Map<String, Value>,
}

impl Call {
    /// From JSON-RPC `execute_kw` arguments: positional `args` then `kwargs`.
    pub fn positional(
        model: &str,
        method: &str,
        args: &[Value],
        kwargs: Map<String, Value>,
    ) -> Result<Call, OdooError> {
        let (takes_ids, params) = signature(model, method)?;
        let mut args = args.iter();
        let mut call = Call {
            ids: Vec::new(),
            kwargs,
        };
        if takes_ids {
            call.ids = ids_of(args.next().unwrap_or(&Value::Null));
        }
        for (value, name) in args.zip(params.iter()) {
            call.kwargs.insert((*name).to_string(), value.clone());
        }
        Ok(call)
    }
}

fn ids_of(value: &Value) -> Vec<i64> {
    match value {
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        other => other.as_i64().into_iter().collect(),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `model.method` as the server would; a call that changes records
/// (its own or computed ones) stamps their `write_date` with the server's
/// clock, whole seconds in UTC as Odoo shows it.
pub fn run(db: &mut Db, model_name: &str, method: &str, call: Call) -> Result<Value, OdooError> {
    if !matches!(
        method,
        "create" | "write" | "action_post" | "action_confirm"
    ) {
        return dispatch(db, model_name, method, call);
    }
    let before = db.tables();
    let model = db.model(model_name)?.name;
    let written: Vec<(&str, i64)> = if method == "write" {
        call.ids.iter().map(|id| (model, *id)).collect()
    } else {
        Vec::new()
    };
    let result = dispatch(db, model_name, method, call);
    db.stamp(&before, &written, &super::store::now());
    result
}

fn dispatch(db: &mut Db, model_name: &str, method: &str, call: Call) -> Result<Value, OdooError> {
    let model = db.model(model_name)?;
    let (takes_ids, params) = signature(model_name, method)?;
    if let Some(unexpected) = call
        .kwargs
        .keys()
        .find(|k| !params.contains(&k.as_str()) && k.as_str() != "context")
    {
        return Err(OdooError {
            name: "builtins.TypeError".into(),
            message: format!("{method}() got an unexpected keyword argument '{unexpected}'"),
        });
    }
    if !takes_ids && !call.ids.is_empty() {
        return Err(OdooError::value(format!(
            "cannot call {model_name}.{method} with ids"
        )));
    }
    let kw = &call.kwargs;
    let fields = strings(kw.get("fields"));
    let domain = kw.get("domain").cloned().unwrap_or(json!([]));
    match method {
        "search_read" => {
            let offset = kw.get("offset").and_then(Value::as_u64).unwrap_or(0);
            let limit = kw.get("limit").and_then(Value::as_u64);
            let order = kw.get("order").and_then(Value::as_str);
            let ids = db.search(
                model,
                &domain,
                order,
                usize::try_from(offset).unwrap_or(0),
                limit.and_then(|l| usize::try_from(l).ok()),
            )?;
            let rows: Result<Vec<Value>, _> = ids
                .iter()
                .map(|id| db.render(model, *id, &fields))
                .collect();
            Ok(Value::Array(rows?))
        }
        "search_count" => Ok(json!(db.search(model, &domain, None, 0, None)?.len())),
        "read" => {
            db.exist(model, &call.ids)?;
            let rows: Result<Vec<Value>, _> = call
                .ids
                .iter()
                .map(|id| db.render(model, *id, &fields))
                .collect();
            Ok(Value::Array(rows?))
        }
        "check_access_rights" => access_rights(db, model, kw),
        "fields_get" => {
            let attributes = kw.get("attributes").map(|a| strings(Some(a)));
            Ok(db.schema.fields_get(model, attributes.as_deref()))
        }
        "create" => {
            let single = kw.get("vals_list").is_some_and(Value::is_object);
            let list: Vec<Map<String, Value>> = match kw.get("vals_list") {
                Some(Value::Object(one)) => vec![one.clone()],
                Some(Value::Array(many)) => {
                    many.iter().filter_map(|v| v.as_object().cloned()).collect()
                }
                _ => return Err(OdooError::value("create() needs vals_list")),
            };
            let mut ids = Vec::new();
            for vals in list {
                let defaults = defaults(db, model_name);
                let id = db.create(model, &vals, defaults)?;
                after_create(db, model_name, id);
                ids.push(id);
            }
            recompute(db);
            Ok(if single { json!(ids[0]) } else { json!(ids) })
        }
        "write" => {
            let vals = kw
                .get("vals")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            db.write(model, &call.ids, &vals)?;
            recompute(db);
            Ok(json!(true))
        }
        "action_post" => {
            db.exist(model, &call.ids)?;
            for id in &call.ids {
                post(db, *id)?;
            }
            recompute(db);
            Ok(json!(false))
        }
        "action_confirm" => {
            db.exist(model, &call.ids)?;
            for id in &call.ids {
                let state = text(db.get("sale.order", *id), "state");
                if state != "draft" && state != "sent" {
                    return Err(OdooError::user(
                        "Some orders are not in a state requiring confirmation.",
                    ));
                }
                if let Some(r) = db.get_mut("sale.order", *id) {
                    r.insert("state".into(), json!("sale"));
                }
            }
            Ok(json!(true))
        }
        _ => Err(OdooError::value(format!("{method} is not served"))),
    }
}

fn text(record: Option<&Record>, field: &str) -> String {
    record
        .and_then(|r| r.get(field))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn number(record: Option<&Record>, field: &str) -> f64 {
    record
        .and_then(|r| r.get(field))
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

fn id_at(record: Option<&Record>, field: &str) -> Option<i64> {
    record.and_then(|r| r.get(field)).and_then(Value::as_i64)
}

/// The next number in a sequence such as `S00001`.
fn next_name(db: &Db, model: &str, prefix: &str, width: usize) -> String {
    let used = db
        .ids(model)
        .iter()
        .filter(|id| text(db.get(model, **id), "name").starts_with(prefix))
        .count();
    format!("{prefix}{:0width$}", used + 1)
}

fn first_currency(db: &Db) -> Value {
    db.ids("res.currency")
        .first()
        .map_or(Value::Bool(false), |c| json!(c))
}

/// What Odoo fills in when the caller does not.
fn defaults(db: &Db, model: &str) -> Record {
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let values = match model {
        "account.move" => json!({"move_type": "entry", "state": "draft", "name": "/",
            "payment_state": "not_paid", "currency_id": first_currency(db)}),
        "sale.order" => json!({"name": next_name(db, "sale.order", "S", 5), "state": "draft",
            "currency_id": first_currency(db), "date_order": now}),
        "purchase.order" => json!({"name": next_name(db, "purchase.order", "P", 5),
            "state": "draft", "currency_id": first_currency(db), "date_order": now}),
        "account.move.line" => json!({"display_type": "product", "quantity": 1.0}),
        _ => json!({}),
    };
    values.as_object().cloned().unwrap_or_default()
}

/// Lines take product, taxes and price from what they point at, as Odoo's
/// computed fields do; bills and orders get their totals.
fn after_create(db: &mut Db, model: &str, id: i64) {
    let (lines_model, parent) = match model {
        "account.move" => ("account.move.line", "move_id"),
        "sale.order" => ("sale.order.line", "order_id"),
        _ => return,
    };
    let (mut untaxed, mut total) = (0.0, 0.0);
    for line in db.children(lines_model, parent, id) {
        let rec = db.get(lines_model, line).cloned().unwrap_or_default();
        let po_line = db
            .get(
                "purchase.order.line",
                id_at(Some(&rec), "purchase_line_id").unwrap_or(0),
            )
            .cloned();
        let product = id_at(Some(&rec), "product_id").or(id_at(po_line.as_ref(), "product_id"));
        let product_rec = product.and_then(|p| db.get("product.product", p)).cloned();
        let taxes = match rec
            .get("tax_ids")
            .or(po_line.as_ref().and_then(|p| p.get("tax_ids")))
        {
            Some(Value::Array(t)) => t.clone(),
            _ => Vec::new(),
        };
        let rate: f64 = taxes
            .iter()
            .filter_map(Value::as_i64)
            .map(|t| number(db.get("account.tax", t), "amount"))
            .sum();
        let quantity_field = if model == "sale.order" {
            "product_uom_qty"
        } else {
            "quantity"
        };
        let price = rec
            .get("price_unit")
            .and_then(Value::as_f64)
            .unwrap_or_else(|| number(product_rec.as_ref(), "lst_price"));
        let subtotal = number(Some(&rec), quantity_field) * price;
        untaxed += subtotal;
        total += subtotal * (1.0 + rate / 100.0);
        if let Some(r) = db.get_mut(lines_model, line) {
            r.insert("product_id".into(), json!(product));
            r.insert("tax_ids".into(), json!(taxes));
            r.insert("price_unit".into(), json!(price));
            r.insert("price_subtotal".into(), json!(subtotal));
            if model == "account.move" && !r.contains_key("display_type") {
                r.insert("display_type".into(), json!("product"));
            }
            if !r.contains_key("name") {
                r.insert("name".into(), json!(text(product_rec.as_ref(), "name")));
            }
            if model == "sale.order" && !r.contains_key("product_uom_id") {
                r.insert(
                    "product_uom_id".into(),
                    json!(id_at(product_rec.as_ref(), "uom_id")),
                );
            }
        }
    }
    if let Some(r) = db.get_mut(model, id) {
        r.insert("amount_untaxed".into(), json!(untaxed));
        r.insert(
            "amount_total".into(),
            json!((total * 100.0).round() / 100.0),
        );
    }
}

/// `account.move.action_post`: Odoo's checks, then the bill's number.
fn post(db: &mut Db, id: i64) -> Result<(), OdooError> {
    let rec = db.get("account.move", id).cloned();
    let (state, name) = (text(rec.as_ref(), "state"), text(rec.as_ref(), "name"));
    if state != "draft" {
        return Err(OdooError::user(format!(
            "The entry {name} (id {id}) is already posted."
        )));
    }
    let move_type = text(rec.as_ref(), "move_type");
    if move_type.starts_with("in_") {
        if id_at(rec.as_ref(), "partner_id").is_none() {
            return Err(OdooError::user(
                "The field 'Vendor' is required, please complete it to validate the Vendor Bill.",
            ));
        }
        if text(rec.as_ref(), "invoice_date").is_empty() {
            return Err(OdooError::user(
                "The Bill/Refund date is required to validate this document.",
            ));
        }
    }
    let date = text(rec.as_ref(), "invoice_date");
    let prefix = match move_type.as_str() {
        "in_refund" => "RBILL",
        "in_invoice" => "BILL",
        _ => "MISC",
    };
    let year_month = date.get(..7).unwrap_or("2026-01").replace('-', "/");
    let name = next_name(db, "account.move", &format!("{prefix}/{year_month}/"), 4);
    if let Some(r) = db.get_mut("account.move", id) {
        r.insert("state".into(), json!("posted"));
        r.insert("name".into(), json!(name));
    }
    Ok(())
}

/// Recomputes what Odoo computes from other records.
pub fn recompute(db: &mut Db) {
    for line in db.ids("purchase.order.line") {
        let rec = db.get("purchase.order.line", line).cloned();
        let mut received = 0.0;
        for m in db.children("stock.move", "purchase_line_id", line) {
            let mv = db.get("stock.move", m);
            if text(mv, "state") == "done" {
                let sign = if id_at(mv, "origin_returned_move_id").is_some() {
                    -1.0
                } else {
                    1.0
                };
                received += sign * number(mv, "quantity");
            }
        }
        let mut invoiced = 0.0;
        for l in db.children("account.move.line", "purchase_line_id", line) {
            let bill_line = db.get("account.move.line", l);
            let bill = db.get("account.move", id_at(bill_line, "move_id").unwrap_or(0));
            if text(bill, "state") != "cancel" {
                let sign = if text(bill, "move_type") == "in_refund" {
                    -1.0
                } else {
                    1.0
                };
                invoiced += sign * number(bill_line, "quantity");
            }
        }
        let product = db.get(
            "product.product",
            id_at(rec.as_ref(), "product_id").unwrap_or(0),
        );
        let billable = if text(product, "purchase_method") == "purchase" {
            number(rec.as_ref(), "product_qty")
        } else {
            received
        };
        if let Some(r) = db.get_mut("purchase.order.line", line) {
            r.insert("qty_received".into(), json!(received));
            r.insert("qty_invoiced".into(), json!(invoiced));
            r.insert("qty_to_invoice".into(), json!(billable - invoiced));
        }
    }
    for order in db.ids("purchase.order") {
        let lines: Vec<Record> = db
            .children("purchase.order.line", "order_id", order)
            .iter()
            .filter_map(|l| db.get("purchase.order.line", *l).cloned())
            .collect();
        let state = text(db.get("purchase.order", order), "state");
        let status = if state != "purchase" && state != "done" {
            "no"
        } else if lines
            .iter()
            .any(|l| number(Some(l), "qty_to_invoice") > 1e-9)
        {
            "to invoice"
        } else if lines.iter().any(|l| number(Some(l), "qty_invoiced") > 1e-9) {
            "invoiced"
        } else {
            "no"
        };
        let untaxed: f64 = lines
            .iter()
            .map(|l| number(Some(l), "product_qty") * number(Some(l), "price_unit"))
            .sum();
        if let Some(r) = db.get_mut("purchase.order", order) {
            r.insert("invoice_status".into(), json!(status));
            r.insert("amount_untaxed".into(), json!(untaxed));
        }
    }
    let moves: Vec<(i64, Record)> = db
        .ids("account.move")
        .into_iter()
        .filter_map(|id| db.get("account.move", id).cloned().map(|r| (id, r)))
        .collect();
    for (id, rec) in &moves {
        let same = |other: &Record| {
            ["ref", "partner_id", "move_type"]
                .iter()
                .all(|k| other.get(*k) == rec.get(*k))
                && text(Some(other), "state") != "cancel"
        };
        let duplicates: Vec<i64> = if text(Some(rec), "ref").is_empty() {
            Vec::new()
        } else {
            moves
                .iter()
                .filter(|(other, r)| other != id && same(r))
                .map(|(other, _)| *other)
                .collect()
        };
        if let Some(r) = db.get_mut("account.move", *id) {
            r.insert("duplicated_ref_ids".into(), json!(duplicates));
        }
    }
}

/// `check_access_rights(operation, raise_exception=True)`, as Odoo's ORM
/// answers it: `true`; for a denied operation Odoo's `AccessError`, or
/// `false` when the caller asked not to raise.
fn access_rights(db: &Db, model: &Model, kw: &Map<String, Value>) -> Result<Value, OdooError> {
    let operation = kw.get("operation").and_then(Value::as_str).unwrap_or("");
    let verb = match operation {
        "read" => "access",
        "write" => "modify",
        "create" => "create",
        "unlink" => "delete",
        _ => return Err(OdooError::value("Invalid access mode")),
    };
    if !db.is_denied(model.name, operation) {
        return Ok(json!(true));
    }
    if kw.get("raise_exception").and_then(Value::as_bool) == Some(false) {
        return Ok(json!(false));
    }
    Err(OdooError {
        name: "odoo.exceptions.AccessError".into(),
        message: format!(
            "You are not allowed to {verb} '{}' ({}) records.\n\nContact your administrator to request access if necessary.",
            model.description, model.name
        ),
    })
}
