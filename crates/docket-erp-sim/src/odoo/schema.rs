//! The models and fields the Odoo simulator knows, as Odoo 19's `fields_get`
//! names them (`../shared/erp-specs/odoo/odoo19_fields_get.json`, checked by
//! a test), with the older names servers 16–18 use where 19 renamed a field.
//!
//! Records are kept under the 19 names; [`Schema`] translates at the API
//! boundary so that a 17 server rejects `tax_ids` on a purchase line exactly
//! as a real one does, and a 19 server rejects `taxes_id`.

use serde_json::{Map, Value, json};

/// One field of a model.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The name in Odoo 19.
    pub name: &'static str,
    /// The `fields_get` type (`char`, `many2one`, ...).
    pub ty: &'static str,
    /// The related model of a relational field.
    pub relation: Option<&'static str>,
    /// The many2one on the related model that a one2many mirrors.
    pub inverse: Option<&'static str>,
    /// The name before 19, where 19 renamed the field.
    pub before_19: Option<&'static str>,
    /// The label Odoo names in "Missing required value" errors, for fields required on create.
    pub required: Option<&'static str>,
    /// The field exists from 19 on only.
    pub new_in_19: bool,
}

const fn f(name: &'static str, ty: &'static str) -> Field {
    Field {
        name,
        ty,
        relation: None,
        inverse: None,
        before_19: None,
        required: None,
        new_in_19: false,
    }
}

const fn m2o(name: &'static str, relation: &'static str) -> Field {
    Field {
        relation: Some(relation),
        ..f(name, "many2one")
    }
}

const fn m2m(name: &'static str, relation: &'static str) -> Field {
    Field {
        relation: Some(relation),
        ..f(name, "many2many")
    }
}

const fn o2m(name: &'static str, relation: &'static str, inverse: &'static str) -> Field {
    Field {
        relation: Some(relation),
        inverse: Some(inverse),
        ..f(name, "one2many")
    }
}

impl Field {
    const fn renamed_from(self, old: &'static str) -> Field {
        Field {
            before_19: Some(old),
            ..self
        }
    }

    const fn new_in_19(self) -> Field {
        Field {
            new_in_19: true,
            ..self
        }
    }

    const fn required(self, label: &'static str) -> Field {
        Field {
            required: Some(label),
            ..self
        }
    }
}

/// A model: its technical name, its description (for error messages) and fields.
#[derive(Debug)]
pub struct Model {
    /// `purchase.order`, ...
    pub name: &'static str,
    /// "Purchase Order", ...
    pub description: &'static str,
    /// The fields besides `id`.
    pub fields: &'static [Field],
}

/// Every model the simulator serves.
pub static MODELS: &[Model] = &[
    Model {
        name: "res.partner",
        description: "Contact",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            f("vat", "char"),
            f("ref", "char"),
            f("email", "char"),
            f("country_code", "char"),
            f("is_company", "boolean"),
            f("active", "boolean"),
            f("supplier_rank", "integer"),
            f("customer_rank", "integer"),
            o2m("bank_ids", "res.partner.bank", "partner_id"),
        ],
    },
    Model {
        name: "res.partner.bank",
        description: "Bank Accounts",
        fields: &[
            f("write_date", "datetime"),
            f("display_name", "char"),
            f("acc_number", "char").required("Account Number"),
            f("sanitized_acc_number", "char"),
            m2o("partner_id", "res.partner").required("Account Holder"),
        ],
    },
    Model {
        name: "res.currency",
        description: "Currency",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
        ],
    },
    Model {
        name: "uom.uom",
        description: "Product Unit of Measure",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
        ],
    },
    Model {
        name: "account.tax",
        description: "Tax",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            f("amount", "float"),
            f("amount_type", "selection"),
            f("type_tax_use", "selection"),
        ],
    },
    Model {
        name: "product.product",
        description: "Product Variant",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            f("default_code", "char"),
            f("barcode", "char"),
            f("lst_price", "float"),
            m2o("uom_id", "uom.uom"),
            m2o("currency_id", "res.currency"),
            f("type", "selection"),
            f("purchase_method", "selection"),
        ],
    },
    Model {
        name: "purchase.order",
        description: "Purchase Order",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            m2o("partner_id", "res.partner").required("Vendor"),
            f("partner_ref", "char"),
            f("state", "selection"),
            f("invoice_status", "selection"),
            f("locked", "boolean").new_in_19(),
            o2m("order_line", "purchase.order.line", "order_id"),
            m2o("currency_id", "res.currency"),
            f("date_order", "datetime"),
            f("amount_untaxed", "monetary"),
            f("amount_total", "monetary"),
        ],
    },
    Model {
        name: "purchase.order.line",
        description: "Purchase Order Line",
        fields: &[
            f("write_date", "datetime"),
            f("display_name", "char"),
            m2o("order_id", "purchase.order").required("Order Reference"),
            m2o("product_id", "product.product"),
            f("name", "text"),
            f("sequence", "integer"),
            f("product_qty", "float"),
            m2o("product_uom_id", "uom.uom").renamed_from("product_uom"),
            f("price_unit", "float"),
            f("discount", "float"),
            m2m("tax_ids", "account.tax").renamed_from("taxes_id"),
            f("qty_received", "float"),
            f("qty_invoiced", "float"),
            f("qty_to_invoice", "float"),
        ],
    },
    Model {
        name: "stock.picking",
        description: "Transfer",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            f("state", "selection"),
            f("origin", "char"),
            f("date_done", "datetime"),
            f("picking_type_code", "selection"),
            o2m("move_ids", "stock.move", "picking_id"),
        ],
    },
    Model {
        name: "stock.move",
        description: "Stock Move",
        fields: &[
            f("write_date", "datetime"),
            f("display_name", "char"),
            m2o("purchase_line_id", "purchase.order.line"),
            m2o("product_id", "product.product"),
            f("product_uom_qty", "float"),
            f("quantity", "float"),
            f("state", "selection"),
            f("picked", "boolean"),
            f("reference", "char"),
            f("date", "datetime"),
            m2o("picking_id", "stock.picking"),
            m2o("origin_returned_move_id", "stock.move"),
            f("to_refund", "boolean"),
        ],
    },
    Model {
        name: "account.move",
        description: "Journal Entry",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            f("move_type", "selection"),
            m2o("partner_id", "res.partner"),
            f("ref", "char"),
            f("invoice_date", "date"),
            f("state", "selection"),
            f("payment_state", "selection"),
            m2o("currency_id", "res.currency"),
            f("amount_untaxed", "monetary"),
            f("amount_total", "monetary"),
            o2m("invoice_line_ids", "account.move.line", "move_id"),
            m2m("duplicated_ref_ids", "account.move"),
        ],
    },
    Model {
        name: "account.move.line",
        description: "Journal Item",
        fields: &[
            f("write_date", "datetime"),
            f("display_name", "char"),
            m2o("move_id", "account.move").required("Journal Entry"),
            m2o("product_id", "product.product"),
            f("name", "char"),
            f("display_type", "selection"),
            f("quantity", "float"),
            f("price_unit", "float"),
            f("price_subtotal", "monetary"),
            m2m("tax_ids", "account.tax"),
            m2o("purchase_line_id", "purchase.order.line"),
        ],
    },
    Model {
        name: "sale.order",
        description: "Sales Order",
        fields: &[
            f("write_date", "datetime"),
            f("name", "char"),
            f("display_name", "char"),
            m2o("partner_id", "res.partner").required("Customer"),
            f("client_order_ref", "char"),
            f("state", "selection"),
            o2m("order_line", "sale.order.line", "order_id"),
            m2o("currency_id", "res.currency"),
            f("date_order", "datetime"),
            f("commitment_date", "datetime"),
            f("amount_total", "monetary"),
        ],
    },
    Model {
        name: "sale.order.line",
        description: "Sales Order Line",
        fields: &[
            f("write_date", "datetime"),
            f("display_name", "char"),
            m2o("order_id", "sale.order").required("Order Reference"),
            m2o("product_id", "product.product"),
            f("name", "text"),
            f("product_uom_qty", "float"),
            m2o("product_uom_id", "uom.uom").renamed_from("product_uom"),
            f("price_unit", "float"),
            m2m("tax_ids", "account.tax").renamed_from("tax_id"),
        ],
    },
];

/// The `id` every model has.
const ID: Field = f("id", "integer");

/// The models and field names as one server version shows them.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// The major version (16 to 19).
    pub version: u32,
}

impl Schema {
    /// The model, if the server has it.
    pub fn model(&self, name: &str) -> Option<&'static Model> {
        MODELS.iter().find(|m| m.name == name)
    }

    /// Whether this server has the field.
    pub fn has(&self, field: &Field) -> bool {
        self.version >= 19 || !field.new_in_19
    }

    /// A field's name on this server.
    pub fn visible(&self, field: &Field) -> &'static str {
        match field.before_19 {
            Some(old) if self.version < 19 => old,
            _ => field.name,
        }
    }

    /// The field a caller names, if this server has it.
    pub fn field(&self, model: &Model, name: &str) -> Option<Field> {
        if name == "id" {
            return Some(ID);
        }
        model
            .fields
            .iter()
            .find(|field| self.has(field) && self.visible(field) == name)
            .copied()
    }

    /// The answer to `fields_get` (with the attributes asked for, or all Odoo gives here).
    pub fn fields_get(&self, model: &Model, attributes: Option<&[String]>) -> Value {
        let mut out = Map::new();
        for field in std::iter::once(&ID)
            .chain(model.fields)
            .filter(|f| self.has(f))
        {
            let full = json!({
                "type": field.ty,
                "relation": field.relation,
                "required": field.required.is_some(),
                "string": field.name,
            });
            let mut described = Map::new();
            if let Value::Object(all) = full {
                for (key, value) in all {
                    let wanted = attributes.is_none_or(|a| a.contains(&key));
                    if wanted && !value.is_null() {
                        described.insert(key, value);
                    }
                }
            }
            out.insert(self.visible(field).to_string(), Value::Object(described));
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_servers_use_the_older_names() {
        let line = Schema { version: 17 }
            .model("purchase.order.line")
            .expect("model");
        assert!(Schema { version: 17 }.field(line, "taxes_id").is_some());
        assert!(Schema { version: 17 }.field(line, "tax_ids").is_none());
        assert!(Schema { version: 19 }.field(line, "tax_ids").is_some());
        assert!(Schema { version: 19 }.field(line, "product_uom").is_none());
    }

    /// Every model and field (under its 19 name) must be in the spec's
    /// `fields_get` of a real Odoo 19, with the same type and relation.
    #[test]
    fn models_and_fields_follow_the_odoo_19_spec() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/erp-specs/odoo/odoo19_fields_get.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "SKIPPED: {} is absent; the Odoo simulator's field names are unchecked",
                path.display()
            );
            return;
        };
        let spec: Value = serde_json::from_str(&text).expect("spec is JSON");
        for model in MODELS {
            let fields = &spec["models"][model.name];
            assert!(
                fields.is_object(),
                "model {} is not in the spec",
                model.name
            );
            for field in model.fields {
                let got = &fields[field.name];
                assert!(
                    got.is_object(),
                    "{}.{} is not in the spec",
                    model.name,
                    field.name
                );
                assert_eq!(
                    got["type"], field.ty,
                    "type of {}.{}",
                    model.name, field.name
                );
                assert_eq!(
                    got["relation"].as_str(),
                    field.relation,
                    "relation of {}.{}",
                    model.name,
                    field.name
                );
            }
        }
    }
}
