//! `docket erp check` on Odoo: the protocol and version, signing in, the
//! fields of every model Docket reads or writes (`fields_get`, which also
//! settles the names that differ between versions), the access rights of
//! each operation (`check_access_rights` with `raise_exception=False`, a
//! public ORM method any user may call), then the sample reads.

use serde_json::json;

use crate::check::{CheckResult, Checklist, Read, sample_reads};
use crate::{Erp, ErpError};

use super::OdooErp;

/// The models Docket uses and the operations it needs on each.
const MODELS: [(&str, &[&str]); 10] = [
    ("res.partner", &["read"]),
    ("res.partner.bank", &["read"]),
    ("product.product", &["read"]),
    ("purchase.order", &["read"]),
    ("purchase.order.line", &["read"]),
    ("stock.move", &["read"]),
    // Bills are created with their lines, then posted (a write).
    ("account.move", &["read", "create", "write"]),
    ("account.move.line", &["read", "create"]),
    // Sales orders are created with their lines, then confirmed (a write).
    ("sale.order", &["read", "create", "write"]),
    ("sale.order.line", &["read", "create"]),
];

/// The Odoo application whose user group grants a model.
fn application(model: &str) -> &'static str {
    match model.split('.').next().unwrap_or_default() {
        "account" => "Accounting (Invoicing): Billing or better",
        "purchase" => "Purchase: User",
        "stock" => "Inventory: User",
        "sale" => "Sales: User",
        _ => "an internal user (Contacts)",
    }
}

/// Odoo's sharper hints: the API key, the database, a model's group.
fn hint(error: &ErpError) -> Option<String> {
    let text = error.to_string();
    if text.contains("refused the credentials") || text.contains("refused login") {
        return Some(
            "Odoo refused the API key: check erp.odoo.api_key (Odoo: Preferences, Account Security, \
             New API Key; it is shown once), erp.odoo.login (JSON-RPC) and erp.odoo.database"
                .into(),
        );
    }
    if text.to_lowercase().contains("database") {
        return Some("check erp.odoo.database: the name on Odoo's database selector".into());
    }
    if text.contains("no JSON-2 API") {
        return Some(
            "this server has no JSON-2 API (Odoo before 19): set erp.odoo.protocol = \"auto\" or \"jsonrpc\""
                .into(),
        );
    }
    let model = MODELS
        .iter()
        .map(|(m, _)| *m)
        .find(|m| text.contains(&format!("Odoo {m}.")) || text.contains(&format!("({m})")))?;
    text.contains("access").then(|| {
        format!(
            "give the Odoo user the group {} (Settings, Users) so it may use {model}",
            application(model)
        )
    })
}

impl OdooErp {
    pub(super) async fn run_checks(&self) -> Vec<CheckResult> {
        let mut list = Checklist::new();
        list.gate(
            "protocol and version",
            &hint,
            self.transport.describe(),
            |d| d,
        )
        .await;
        let probe = self.transport.call(
            "res.partner",
            "search_count",
            &[],
            json!({"domain": [["id", "=", 0]]}),
        );
        list.gate("sign in", &hint, probe, |_| "API key accepted".to_string())
            .await;
        for (model, _) in MODELS {
            let fields = self.call(model, "fields_get", &[], json!({"attributes": ["type"]}));
            let name = format!("fields of {model}");
            list.run(&name, &hint, fields, |f| {
                format!("{} fields", f.as_object().map_or(0, |o| o.len()))
            })
            .await;
        }
        list.run(
            "version-dependent field names",
            &hint,
            self.field_names(),
            |n| {
                format!(
                    "purchase line taxes {}, units {}; sales line units {}",
                    n.po_line_taxes, n.po_line_uom, n.so_line_uom
                )
            },
        )
        .await;
        for (model, operations) in MODELS {
            let rights = self.access_rights(model, operations);
            let name = format!("access rights on {model}");
            list.run(&name, &hint, rights, |_| operations.join(", "))
                .await;
        }
        sample_reads(self as &dyn Erp, &Read::ALL, &hint, &mut list).await;
        list.finish()
    }

    /// Fails naming the first of `operations` the user may not do on `model`.
    async fn access_rights(&self, model: &str, operations: &[&str]) -> Result<(), ErpError> {
        for operation in operations {
            let kwargs = json!({"operation": operation, "raise_exception": false});
            let allowed = self.call(model, "check_access_rights", &[], kwargs).await?;
            if allowed != json!(true) {
                return Err(ErpError::Permanent(format!(
                    "Odoo {model}.check_access_rights: the user has no {operation} access ({model})"
                )));
            }
        }
        Ok(())
    }
}
