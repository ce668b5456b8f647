//! The Odoo simulator: JSON-2 (Odoo 19+) and JSON-RPC (16–18, deprecated in
//! 19), for a configurable server version, as `../shared/erp-specs` (NOTES.md
//! section 3 and `odoo/`) shows a real Odoo 19 answering.
//!
//! Strict where Odoo is: field names follow the version (19: `tax_ids`,
//! `product_uom_id`; before: `taxes_id`, `product_uom`) and an unknown one is
//! an error; JSON-RPC errors come back with HTTP 200 in Odoo's envelope;
//! JSON-2 needs the API key as bearer. Awkward where Odoo is: a second bill
//! with the same `ref` is posted silently (only `duplicated_ref_ids` tells).

mod domain;
pub mod error;
mod methods;
mod protocol;
pub mod schema;
mod seed;
mod store;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::routing::post;
use docket_domain::erp::ErpSnapshot;
use serde_json::{Map, Value};

use crate::SimError;
use crate::faults::Faults;
use crate::server::{Running, serve};
use error::OdooError;
use methods::Call;
use schema::Schema;
use store::Db;

/// The server the simulator plays.
#[derive(Debug, Clone)]
pub struct OdooConfig {
    /// Major version: 19 serves JSON-2 and JSON-RPC; 16–18 JSON-RPC only.
    pub version: u32,
    /// The database name.
    pub database: String,
    /// The user's login.
    pub login: String,
    /// The user's password (JSON-RPC).
    pub password: String,
    /// The user's API key (JSON-2 bearer; JSON-RPC in place of the password).
    pub api_key: String,
    /// The user's id.
    pub uid: i64,
}

impl Default for OdooConfig {
    fn default() -> Self {
        OdooConfig {
            version: 19,
            database: "docket".into(),
            login: "docket@example.com".into(),
            password: "not-the-api-key".into(),
            api_key: "0123456789abcdef0123456789abcdef01234567".into(),
            uid: 2,
        }
    }
}

/// A simulated Odoo server's state.
pub struct OdooSim {
    config: OdooConfig,
    db: Mutex<Db>,
    faults: Arc<Faults>,
    injected: Mutex<VecDeque<OdooError>>,
}

impl OdooSim {
    /// A server seeded from `snapshot`.
    pub fn new(snapshot: &ErpSnapshot, config: OdooConfig, faults: Arc<Faults>) -> Arc<Self> {
        let mut db = Db::new(
            Schema {
                version: config.version,
            },
            config.uid,
        );
        seed::seed(&mut db, snapshot);
        methods::recompute(&mut db);
        // Seeded records were last written a day before the server started,
        // so that what a test changes afterwards stands out by `write_date`.
        let seeded = chrono::Utc::now() - chrono::Duration::days(1);
        db.stamp_all(&seeded.format(store::DATETIME).to_string());
        Arc::new(OdooSim {
            config,
            db: Mutex::new(db),
            faults,
            injected: Mutex::new(VecDeque::new()),
        })
    }

    /// The routes, behind the fault middleware.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/json/2/{model}/{method}", post(protocol::json2))
            .route("/jsonrpc", post(protocol::jsonrpc))
            .with_state(Arc::clone(self))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&self.faults),
                Faults::layer,
            ))
    }

    /// Seeds and serves a server on a free loopback port.
    pub async fn serve(
        snapshot: &ErpSnapshot,
        config: OdooConfig,
        faults: Arc<Faults>,
    ) -> Result<(Running, Arc<OdooSim>), SimError> {
        let sim = OdooSim::new(snapshot, config, faults);
        let running = serve(sim.router()).await?;
        Ok((running, sim))
    }

    /// The server's configuration (credentials for tests).
    pub fn config(&self) -> &OdooConfig {
        &self.config
    }

    /// Takes `operation` on `model` away from the user, as a missing group
    /// would: `check_access_rights` then says so (the other methods do not
    /// enforce it yet).
    pub fn deny_access(&self, model: &str, operation: &str) {
        self.lock().deny(model, operation);
    }

    /// The next model call fails with this exception (e.g.
    /// `psycopg2.errors.SerializationFailure`, "could not serialize access
    /// due to concurrent update"), before touching any data.
    pub fn fail_next_call(&self, name: &str, message: &str) {
        self.injected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(OdooError {
                name: name.into(),
                message: message.into(),
            });
    }

    /// `search_read` as an administrator would run it, for tests to look inside.
    pub fn search_read(&self, model: &str, domain: Value, fields: &[&str]) -> Vec<Value> {
        let mut kwargs = Map::new();
        kwargs.insert("domain".into(), domain);
        kwargs.insert("fields".into(), fields.iter().copied().collect());
        let mut db = self.lock();
        methods::run(
            &mut db,
            model,
            "search_read",
            Call {
                ids: Vec::new(),
                kwargs,
            },
        )
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
    }

    /// Runs `model.method` as an administrator would (e.g. `write` on a
    /// `stock.move` or `res.partner.bank`), stamping `write_date` like any call.
    pub fn call(
        &self,
        model: &str,
        method: &str,
        ids: &[i64],
        kwargs: Value,
    ) -> Result<Value, OdooError> {
        let mut db = self.lock();
        methods::run(
            &mut db,
            model,
            method,
            Call {
                ids: ids.to_vec(),
                kwargs: kwargs.as_object().cloned().unwrap_or_default(),
            },
        )
    }

    fn lock(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take_injected(&self) -> Option<OdooError> {
        self.injected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }
}
