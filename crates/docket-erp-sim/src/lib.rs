//! Simulators of the ERP APIs Docket's adapters talk to, for tests and for
//! `docket demo --erp <name>-sim`: SAP S/4HANA's OData v2 services
//! ([`sap`]), Exact Online's REST API ([`exact`]) and Odoo's JSON-2 and
//! JSON-RPC APIs ([`odoo`]).
//!
//! Each follows `../shared/erp-specs` (entity and field names, keys, JSON
//! envelopes, paging, error bodies, authentication, CSRF, rate limits, token
//! rotation) and is as strict and awkward as the real system: an adapter
//! that passes against a lenient simulator proves nothing. Each is seeded
//! from an [`ErpSnapshot`](docket_domain::erp::ErpSnapshot) and takes
//! [`faults::Faults`] (latency, 5xx, 429, dropped connections, expired
//! tokens, a response lost after the server committed).

pub mod exact;
pub mod faults;
pub mod odoo;
pub mod sap;
pub mod server;

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding or serving failed.
    #[error("simulator: {0}")]
    Io(#[from] std::io::Error),
}
