//! The `[erp]` settings: which ERP Docket talks to, and how to reach it.
//!
//! `kind` picks the adapter: `sandbox` (the embedded default), `sap`, `exact`
//! or `odoo`, each with its own table (`[erp.sap]`, ...). Passwords, secrets
//! and API keys are [`Secret`]s: never printed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use docket_erp::Erp;
use docket_erp::exact::{ExactErp, ExactSettings, FileTokenStore};
use docket_erp::http::HttpSettings;
use docket_erp::odoo::{OdooErp, OdooSettings, Protocol};
use docket_erp::sandbox::SandboxErp;
use docket_erp::sap::{SapAuth, SapErp, SapSettings};
use docket_ingest::imap::Secret;
use serde::{Deserialize, Serialize};

/// The ERP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ErpSettings {
    /// `sandbox`, `sap`, `exact` or `odoo`.
    pub kind: String,
    /// The sandbox's seed folder.
    pub seed: PathBuf,
    /// The sandbox's state file.
    pub state: PathBuf,
    /// Seconds before one ERP request times out.
    pub timeout_secs: u64,
    /// Attempts of one ERP call on transient failures, the first included.
    pub attempts: u32,
    /// Minutes between master-data syncs in `docket run` (0: none).
    pub sync_minutes: u32,
    /// Whether matching reads suppliers, purchase orders and receipts from
    /// the master-data cache (once `docket erp sync` has run).
    pub use_cache: bool,
    /// SAP S/4HANA.
    pub sap: SapConfig,
    /// Exact Online.
    pub exact: ExactConfig,
    /// Odoo.
    pub odoo: OdooConfig,
}

impl Default for ErpSettings {
    fn default() -> Self {
        ErpSettings {
            kind: "sandbox".into(),
            seed: PathBuf::from("fixtures/erp"),
            state: PathBuf::from(".docket/sandbox-erp.json"),
            timeout_secs: 30,
            attempts: 3,
            sync_minutes: 60,
            use_cache: false,
            sap: SapConfig::default(),
            exact: ExactConfig::default(),
            odoo: OdooConfig::default(),
        }
    }
}

/// `[erp.sap]`: Basic (`user`, `password`) or OAuth2 client credentials
/// (`client_id`, `client_secret`, `token_url`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SapConfig {
    /// `https://host:port`, without `/sap/opu/odata`.
    pub base_url: String,
    /// Communication user (Basic).
    pub user: String,
    /// Its password.
    pub password: Option<Secret>,
    /// OAuth2 client id (instead of Basic).
    pub client_id: Option<String>,
    /// OAuth2 client secret.
    pub client_secret: Option<Secret>,
    /// OAuth2 token endpoint.
    pub token_url: Option<String>,
    /// Company code when the purchase orders name none.
    pub company_code: String,
    /// Sales order type.
    pub sales_order_type: String,
    /// Sales organisation.
    pub sales_organization: String,
    /// Distribution channel.
    pub distribution_channel: String,
    /// Division.
    pub division: String,
}

impl Default for SapConfig {
    fn default() -> Self {
        SapConfig {
            base_url: String::new(),
            user: String::new(),
            password: None,
            client_id: None,
            client_secret: None,
            token_url: None,
            company_code: "1010".into(),
            sales_order_type: "OR".into(),
            sales_organization: "1010".into(),
            distribution_channel: "10".into(),
            division: "00".into(),
        }
    }
}

/// `[erp.exact]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExactConfig {
    /// `https://start.exactonline.nl` (or .be, .de, ...).
    pub base_url: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: Option<Secret>,
    /// The redirect URI registered with the app.
    pub redirect_uri: String,
    /// The division; absent: the user's current division.
    pub division: Option<i64>,
    /// The purchase journal code.
    pub purchase_journal: String,
    /// G/L account (GUID) for purchase-entry lines that name none.
    pub expense_gl_account: Option<String>,
    /// Where the token chain is kept (shared by every worker, under a file lock).
    pub token_file: PathBuf,
}

impl Default for ExactConfig {
    fn default() -> Self {
        let d = ExactSettings::default();
        ExactConfig {
            base_url: d.base_url,
            client_id: String::new(),
            client_secret: None,
            redirect_uri: d.redirect_uri,
            division: None,
            purchase_journal: d.purchase_journal,
            expense_gl_account: None,
            token_file: PathBuf::from(".docket/exact-token.json"),
        }
    }
}

/// `[erp.odoo]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OdooConfig {
    /// `https://mycompany.odoo.com`.
    pub base_url: String,
    /// The database.
    pub database: String,
    /// The user's login (JSON-RPC).
    pub login: String,
    /// The user's API key.
    pub api_key: Option<Secret>,
    /// `auto`, `json2` or `jsonrpc`.
    pub protocol: String,
}

impl Default for OdooConfig {
    fn default() -> Self {
        OdooConfig {
            base_url: String::new(),
            database: String::new(),
            login: String::new(),
            api_key: None,
            protocol: "auto".into(),
        }
    }
}

fn secret(value: &Option<Secret>, what: &str) -> anyhow::Result<String> {
    value
        .as_ref()
        .map(|s| s.expose().to_string())
        .with_context(|| format!("{what} is not set"))
}

fn required(value: &str, what: &str) -> anyhow::Result<String> {
    anyhow::ensure!(!value.trim().is_empty(), "{what} is not set");
    Ok(value.to_string())
}

impl ErpSettings {
    fn http(&self) -> HttpSettings {
        HttpSettings {
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            attempts: self.attempts.max(1),
            ..HttpSettings::default()
        }
    }

    /// The configured ERP adapter.
    pub fn adapter(&self) -> anyhow::Result<Arc<dyn Erp>> {
        Ok(match self.kind.as_str() {
            "sandbox" => Arc::new(self.sandbox()?),
            "sap" => Arc::new(SapErp::new(self.sap_settings()?)?),
            "exact" => Arc::new(ExactErp::new(
                self.exact_settings()?,
                Arc::new(FileTokenStore::new(&self.exact.token_file)),
            )?),
            "odoo" => Arc::new(OdooErp::new(self.odoo_settings()?)?),
            other => {
                anyhow::bail!("erp.kind {other:?} is not known: use sandbox, sap, exact or odoo")
            }
        })
    }

    /// The sandbox ERP itself (for `docket sandbox ...`); an error for other kinds.
    pub fn sandbox(&self) -> anyhow::Result<SandboxErp> {
        anyhow::ensure!(
            self.kind == "sandbox",
            "erp.kind is {:?}: this needs the sandbox ERP",
            self.kind
        );
        Ok(SandboxErp::open(&self.seed, &self.state)?)
    }

    /// The SAP adapter's settings.
    pub fn sap_settings(&self) -> anyhow::Result<SapSettings> {
        let c = &self.sap;
        let auth = match (&c.client_id, &c.token_url) {
            (Some(client_id), Some(token_url)) => SapAuth::OAuth2 {
                client_id: client_id.clone(),
                client_secret: secret(&c.client_secret, "erp.sap.client_secret")?,
                token_url: token_url.clone(),
            },
            _ => SapAuth::Basic {
                user: required(&c.user, "erp.sap.user")?,
                password: secret(&c.password, "erp.sap.password")?,
            },
        };
        Ok(SapSettings {
            base_url: required(&c.base_url, "erp.sap.base_url")?,
            auth,
            company_code: c.company_code.clone(),
            tax_codes: Vec::new(),
            sales_order_type: c.sales_order_type.clone(),
            sales_organization: c.sales_organization.clone(),
            distribution_channel: c.distribution_channel.clone(),
            division: c.division.clone(),
            http: self.http(),
        })
    }

    /// The Exact adapter's settings.
    pub fn exact_settings(&self) -> anyhow::Result<ExactSettings> {
        let c = &self.exact;
        Ok(ExactSettings {
            base_url: required(&c.base_url, "erp.exact.base_url")?,
            client_id: required(&c.client_id, "erp.exact.client_id")?,
            client_secret: secret(&c.client_secret, "erp.exact.client_secret")?,
            redirect_uri: c.redirect_uri.clone(),
            division: c.division,
            purchase_journal: c.purchase_journal.clone(),
            expense_gl_account: c.expense_gl_account.clone(),
            http: self.http(),
            ..ExactSettings::default()
        })
    }

    /// The Odoo adapter's settings.
    pub fn odoo_settings(&self) -> anyhow::Result<OdooSettings> {
        let c = &self.odoo;
        let protocol = match c.protocol.as_str() {
            "auto" => Protocol::Auto,
            "json2" => Protocol::Json2,
            "jsonrpc" => Protocol::JsonRpc,
            other => anyhow::bail!("erp.odoo.protocol {other:?}: use auto, json2 or jsonrpc"),
        };
        Ok(OdooSettings {
            base_url: required(&c.base_url, "erp.odoo.base_url")?,
            database: c.database.clone(),
            login: c.login.clone(),
            api_key: secret(&c.api_key, "erp.odoo.api_key")?,
            protocol,
            http: self.http(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_builds_its_adapter_or_says_what_is_missing() {
        let mut settings: ErpSettings = toml::from_str(
            "kind = \"sap\"\n[sap]\nbase_url = \"http://127.0.0.1:1\"\nuser = \"DOCKET\"\n",
        )
        .unwrap();
        let err = settings.adapter().err().unwrap().to_string();
        assert!(err.contains("erp.sap.password"), "{err}");
        settings.sap.password = Some(Secret::new("s3cret"));
        assert_eq!(settings.adapter().unwrap().name(), "sap");
        assert!(!format!("{settings:?}").contains("s3cret"));

        settings.kind = "odoo".into();
        settings.odoo.base_url = "http://127.0.0.1:1".into();
        settings.odoo.api_key = Some(Secret::new("k"));
        settings.odoo.protocol = "xmlrpc".into();
        assert!(
            settings
                .adapter()
                .err()
                .unwrap()
                .to_string()
                .contains("xmlrpc")
        );
        settings.odoo.protocol = "jsonrpc".into();
        assert_eq!(settings.adapter().unwrap().name(), "odoo");

        settings.kind = "exact".into();
        assert!(
            settings
                .adapter()
                .err()
                .unwrap()
                .to_string()
                .contains("erp.exact.client_id")
        );
        settings.kind = "navision".into();
        assert!(
            settings
                .adapter()
                .err()
                .unwrap()
                .to_string()
                .contains("sandbox, sap, exact or odoo")
        );
    }
}
