//! Which ERP `docket demo` books into: the embedded sandbox, or one of the
//! real adapters (SAP, Exact, Odoo) talking HTTP to its simulator from
//! `docket-erp-sim`, served in-process on a loopback port.
//!
//! Every simulator is seeded from the same [`ErpSnapshot`] the sandbox loads
//! from `fixtures/erp/` (booked invoices included, so that a duplicate is
//! seen as one), so the demo must decide every document the same way
//! whichever ERP it runs against. The simulators keep their state in memory:
//! each run starts from the fixtures again.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clap::ValueEnum;
use docket_domain::erp::ErpSnapshot;
use docket_erp::Erp;
use docket_erp::exact::{ExactErp, ExactSettings, MemoryTokenStore};
use docket_erp::odoo::{OdooErp, OdooSettings, Protocol};
use docket_erp::sandbox::SandboxErp;
use docket_erp::sap::{SapAuth, SapErp, SapSettings};
use docket_erp_sim::faults::Faults;
use docket_erp_sim::server::Running;
use docket_erp_sim::{exact, odoo, sap};

/// `--erp`: the ERP the demo runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoErp {
    /// The embedded sandbox ERP, persisted in the working folder.
    Sandbox,
    /// The SAP S/4HANA adapter against the SAP simulator (OData v2, Basic auth).
    SapSim,
    /// The Exact Online adapter against the Exact simulator (REST, OAuth2).
    ExactSim,
    /// The Odoo adapter against the Odoo 19 simulator (JSON-2).
    OdooSim,
}

impl DemoErp {
    /// The name the report shows (`sandbox`, `sap-sim`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DemoErp::Sandbox => "sandbox",
            DemoErp::SapSim => "sap-sim",
            DemoErp::ExactSim => "exact-sim",
            DemoErp::OdooSim => "odoo-sim",
        }
    }
}

/// The ERP the pipeline talks to, and the simulator behind it (if any),
/// which stops when this is dropped.
pub struct DemoBackend {
    /// The adapter.
    pub erp: Arc<dyn Erp>,
    /// Where the simulator listens; `None` for the sandbox.
    pub base_url: Option<String>,
    _running: Option<Running>,
}

/// Opens the ERP `kind` for a demo over `fixtures/erp` in `workdir`.
pub async fn open(kind: DemoErp, seed_dir: &Path, workdir: &Path) -> anyhow::Result<DemoBackend> {
    if kind == DemoErp::Sandbox {
        let erp = SandboxErp::open(seed_dir, &workdir.join("sandbox-erp.json"))?;
        return Ok(DemoBackend {
            erp: Arc::new(erp),
            base_url: None,
            _running: None,
        });
    }
    let snapshot = SandboxErp::seed_from_dir(seed_dir)
        .with_context(|| format!("reading the ERP fixtures in {}", seed_dir.display()))?;
    let (erp, running) = serve_simulator(kind, &snapshot).await?;
    Ok(DemoBackend {
        erp,
        base_url: Some(running.base_url()),
        _running: Some(running),
    })
}

/// Seeds simulator `kind` from `snapshot`, serves it on a loopback port and
/// builds the matching adapter against it, authenticated as the simulator
/// expects (its default credentials; Exact's consent step done here).
pub async fn serve_simulator(
    kind: DemoErp,
    snapshot: &ErpSnapshot,
) -> anyhow::Result<(Arc<dyn Erp>, Running)> {
    // No faults armed: the demo shows the happy path; the contract tests
    // (crates/docket-erp/tests) cover the faults.
    let faults = Faults::new();
    Ok(match kind {
        DemoErp::Sandbox => anyhow::bail!("the sandbox is not a simulator"),
        DemoErp::SapSim => {
            let config = sap::SapConfig::default();
            let sim = sap::SapSim::new(snapshot, config.clone(), faults);
            let running = sim.serve().await?;
            let erp = SapErp::new(SapSettings {
                base_url: running.base_url(),
                auth: SapAuth::Basic {
                    user: config.user,
                    password: config.password,
                },
                company_code: config.company_code,
                tax_codes: config.tax_codes,
                sales_order_type: config.sales_order_type,
                sales_organization: config.sales_organization,
                distribution_channel: config.distribution_channel,
                division: config.division,
                http: Default::default(),
            })?;
            (Arc::new(erp), running)
        }
        DemoErp::ExactSim => {
            // Exact allows 60 calls per minute; the demo's fourteen documents
            // take a few hundred, and the adapter would rightly wait out each
            // window (minutes). The demo's division gets a generous minute;
            // the contract tests prove the adapter respects the real one.
            let config = exact::ExactConfig {
                minutely_limit: 10_000,
                ..exact::ExactConfig::default()
            };
            let (running, sim) = exact::start(snapshot, config.clone(), faults).await?;
            let erp = ExactErp::new(
                ExactSettings {
                    base_url: running.base_url(),
                    client_id: config.client_id,
                    client_secret: config.client_secret,
                    ..ExactSettings::default()
                },
                // The simulator's token chain lives as long as this run.
                Arc::new(MemoryTokenStore::new()),
            )?;
            erp.authorize(&sim.issue_code())
                .await
                .context("authorising against the Exact simulator")?;
            (Arc::new(erp), running)
        }
        DemoErp::OdooSim => {
            let (running, sim) =
                odoo::OdooSim::serve(snapshot, odoo::OdooConfig::default(), faults).await?;
            let c = sim.config();
            let erp = OdooErp::new(OdooSettings {
                base_url: running.base_url(),
                database: c.database.clone(),
                login: c.login.clone(),
                api_key: c.api_key.clone(),
                protocol: Protocol::Auto,
                http: Default::default(),
            })?;
            (Arc::new(erp), running)
        }
    })
}
