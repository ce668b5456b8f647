//! Reading: resource paths (`Set`, `Set('k')`, `Set(A='x',B='y')/to_Nav`),
//! the query options (`$filter`, `$select`, `$expand`, `$top`, `$skip`,
//! `$inlinecount`, `$skiptoken`, `$format`) and the verbose JSON envelope
//! with `__metadata`, `__deferred`, `__count` and server-side paging
//! (`__next`). Options the simulator does not implement are refused with
//! a 400, never ignored.

use serde_json::{Map, Value, json};

use super::filter::Filter;
use super::schema::{self, EntitySet, Nav};
use super::store::{Record, Tables};

/// A resource path within a service.
#[derive(Debug)]
pub struct Resource {
    /// The entity set addressed.
    pub set: &'static EntitySet,
    /// Key values (property, value), when one entity is addressed.
    pub key: Option<Vec<(&'static str, String)>>,
    /// A navigation from that entity.
    pub nav: Option<&'static Nav>,
}

/// Parses `A_Set`, `A_Set('k')`, `A_Set(K1='a',K2='b')` and `…/to_Nav`.
pub fn resource(service: &str, path: &str) -> Result<Resource, String> {
    let mut parts = path.trim_end_matches('/').splitn(2, '/');
    let first = parts.next().unwrap_or_default();
    let nav_name = parts.next();
    let (name, key_text) = match first.find('(') {
        Some(at) if first.ends_with(')') => (&first[..at], Some(&first[at + 1..first.len() - 1])),
        Some(_) => return Err(format!("Invalid key in segment '{first}'")),
        None => (first, None),
    };
    let set = schema::set(service, name)
        .ok_or_else(|| format!("Resource not found for segment '{name}'"))?;
    let key = key_text.map(|k| parse_key(set, k)).transpose()?;
    let nav = match nav_name {
        None => None,
        Some(n) if key.is_some() => Some(
            set.nav(n)
                .ok_or_else(|| format!("Resource not found for segment '{n}'"))?,
        ),
        Some(n) => return Err(format!("Segment '{n}' needs a key on '{name}'")),
    };
    Ok(Resource { set, key, nav })
}

fn unquote(v: &str) -> Result<String, String> {
    v.strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .map(|v| v.replace("''", "'"))
        .ok_or_else(|| format!("Key value {v} must be a quoted string"))
}

fn parse_key(set: &EntitySet, text: &str) -> Result<Vec<(&'static str, String)>, String> {
    if !text.contains('=') {
        if set.keys.len() != 1 {
            return Err(format!(
                "The key of '{}' has {} parts",
                set.name,
                set.keys.len()
            ));
        }
        return Ok(vec![(set.keys[0], unquote(text)?)]);
    }
    let mut key = Vec::new();
    for part in text.split(',') {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("Invalid key part '{part}'"))?;
        let name = set
            .keys
            .iter()
            .find(|k| **k == name.trim())
            .ok_or_else(|| format!("'{name}' is not a key property of '{}'", set.name))?;
        key.push((*name, unquote(value.trim())?));
    }
    if key.len() != set.keys.len() {
        return Err(format!("Incomplete key for '{}'", set.name));
    }
    Ok(key)
}

/// The query options of a read.
#[derive(Debug, Default)]
pub struct Options {
    filter: Option<Filter>,
    select: Option<Vec<String>>,
    expand: Vec<&'static Nav>,
    top: Option<usize>,
    skip: usize,
    skiptoken: usize,
    inlinecount: bool,
}

fn number(name: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("Invalid value '{value}' for system query option {name}"))
}

/// Parses the query options for reading `set`.
pub fn options(set: &EntitySet, params: &[(String, String)]) -> Result<Options, String> {
    let mut o = Options::default();
    for (name, value) in params {
        match name.as_str() {
            "$filter" => o.filter = Some(Filter::parse(value, set)?),
            "$select" => {
                let names: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
                for n in &names {
                    if !set.has(n) && set.nav(n).is_none() && n != "*" {
                        return Err(format!(
                            "Property '{n}' not found in type '{}'",
                            set.entity_type
                        ));
                    }
                }
                o.select = Some(names);
            }
            "$expand" => {
                for n in value.split(',').map(str::trim) {
                    let nav = set.nav(n).ok_or_else(|| {
                        format!(
                            "Navigation property '{n}' not found in type '{}'",
                            set.entity_type
                        )
                    })?;
                    o.expand.push(nav);
                }
            }
            "$top" => o.top = Some(number(name, value)?),
            "$skip" => o.skip = number(name, value)?,
            "$skiptoken" => o.skiptoken = number(name, value)?,
            "$inlinecount" => match value.as_str() {
                "allpages" => o.inlinecount = true,
                "none" => o.inlinecount = false,
                _ => return Err(format!("Invalid value '{value}' for $inlinecount")),
            },
            "$format" if value == "json" => {}
            n if n.starts_with('$') => {
                return Err(format!(
                    "System query option {n}={value} is not supported by the simulator"
                ));
            }
            // sap-client, sap-language and the like.
            _ => {}
        }
    }
    Ok(o)
}

/// Where a service's resources live, for `__metadata` and `__next`.
pub struct Base {
    /// `http://host/sap/opu/odata/sap/<SRV>/`
    pub service_url: String,
}

fn key_text(set: &EntitySet, r: &Record) -> String {
    let value = |k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .replace('\'', "''")
    };
    if set.keys.len() == 1 {
        format!("('{}')", value(set.keys[0]))
    } else {
        let parts: Vec<String> = set
            .keys
            .iter()
            .map(|k| format!("{k}='{}'", value(k)))
            .collect();
        format!("({})", parts.join(","))
    }
}

/// The records of `nav.target` belonging to `r`.
pub fn related<'t>(tables: &'t Tables, nav: &Nav, r: &Record) -> Vec<&'t Record> {
    tables
        .all(nav.target)
        .iter()
        .filter(|t| {
            nav.join
                .iter()
                .all(|(here, there)| r.get(*here) == t.get(*there))
        })
        .collect()
}

/// One entity in the verbose JSON format.
pub fn entity(
    tables: &Tables,
    base: &Base,
    set: &EntitySet,
    r: &Record,
    select: Option<&[String]>,
    expand: &[&Nav],
) -> Value {
    let uri = format!("{}{}{}", base.service_url, set.name, key_text(set, r));
    let mut out = Map::new();
    out.insert(
        "__metadata".into(),
        json!({"id": uri, "uri": uri, "type": format!("{}.{}", set.service, set.entity_type)}),
    );
    let wanted = |n: &str| select.is_none_or(|s| s.iter().any(|x| x == n || x == "*"));
    for p in set.properties {
        if wanted(p) {
            out.insert((*p).to_string(), r.get(*p).cloned().unwrap_or(Value::Null));
        }
    }
    for nav in set.navigations {
        if expand.iter().any(|e| e.name == nav.name) {
            let target = schema::by_name(nav.target);
            let mut results = related(tables, nav, r)
                .into_iter()
                .map(|t| entity(tables, base, target, t, None, &[]));
            let expanded = if nav.many {
                json!({"results": results.collect::<Vec<Value>>()})
            } else {
                results.next().unwrap_or(Value::Null)
            };
            out.insert(nav.name.into(), expanded);
        } else if wanted(nav.name) {
            out.insert(
                nav.name.into(),
                json!({"__deferred": {"uri": format!("{uri}/{}", nav.name)}}),
            );
        }
    }
    Value::Object(out)
}

/// A collection read: filtered, counted, paged at `page_size` with `__next`.
pub fn collection(
    tables: &Tables,
    base: &Base,
    set: &EntitySet,
    candidates: Vec<&Record>,
    o: &Options,
    raw_query: &str,
    page_size: usize,
) -> Result<Value, String> {
    let mut hits = Vec::new();
    for r in candidates {
        if o.filter.as_ref().map_or(Ok(true), |f| f.test(r))? {
            hits.push(r);
        }
    }
    let total = hits.len();
    let limit_end = o.top.map_or(total, |t| total.min(o.skip + t));
    let start = (o.skip + o.skiptoken).min(limit_end);
    let end = limit_end.min(start + page_size);
    let results: Vec<Value> = hits[start..end]
        .iter()
        .map(|r| entity(tables, base, set, r, o.select.as_deref(), &o.expand))
        .collect();
    let mut d = Map::new();
    d.insert("results".into(), Value::Array(results));
    if o.inlinecount {
        d.insert("__count".into(), Value::String(total.to_string()));
    }
    if end < limit_end {
        let kept: Vec<&str> = raw_query
            .split('&')
            .filter(|p| {
                !p.is_empty() && !p.starts_with("$skiptoken=") && !p.starts_with("%24skiptoken=")
            })
            .collect();
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        let token = end - o.skip;
        d.insert(
            "__next".into(),
            Value::String(format!(
                "{}{}?{query}$skiptoken={token}",
                base.service_url, set.name
            )),
        );
    }
    Ok(json!({ "d": d }))
}

/// The options a single-entity read allows (`$select`, `$expand`).
pub fn single(tables: &Tables, base: &Base, set: &EntitySet, r: &Record, o: &Options) -> Value {
    json!({ "d": entity(tables, base, set, r, o.select.as_deref(), &o.expand) })
}

/// Whether the record has these key values.
pub fn has_key(r: &Record, key: &[(&str, String)]) -> bool {
    key.iter()
        .all(|(k, v)| r.get(*k).and_then(Value::as_str) == Some(v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        let r = resource(
            "API_PURCHASEORDER_PROCESS_SRV",
            "A_PurchaseOrder('4500000001')/to_PurchaseOrderItem",
        )
        .unwrap();
        assert_eq!(r.set.name, "A_PurchaseOrder");
        assert_eq!(
            r.key.unwrap(),
            vec![("PurchaseOrder", "4500000001".to_string())]
        );
        assert_eq!(r.nav.unwrap().target, "A_PurchaseOrderItem");
        let r = resource(
            "API_SUPPLIERINVOICE_PROCESS_SRV",
            "A_SupplierInvoice(SupplierInvoice='5105600001',FiscalYear='2024')",
        )
        .unwrap();
        assert_eq!(r.key.unwrap().len(), 2);
        assert!(resource("API_PURCHASEORDER_PROCESS_SRV", "A_Nothing").is_err());
        assert!(resource("API_BUSINESS_PARTNER", "A_PurchaseOrder").is_err());
    }
}
