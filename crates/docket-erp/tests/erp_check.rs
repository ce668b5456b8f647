//! `Erp::check` against each simulator: all checks pass on a healthy
//! system; wrong credentials fail the sign-in with a hint that names them
//! (and skip the rest); a server answering 5xx is reported as a failure to
//! retry later, not a crash; the sandbox always passes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use docket_domain::erp::ErpSnapshot;
use docket_erp::Erp;
use docket_erp::check::{CheckResult, Outcome};
use docket_erp::exact::{ExactErp, ExactSettings, MemoryTokenStore, TokenPair, TokenStore};
use docket_erp::http::HttpSettings;
use docket_erp::odoo::{OdooErp, OdooSettings, Protocol};
use docket_erp::sandbox::SandboxErp;
use docket_erp::sap::{SapAuth, SapErp, SapSettings};
use docket_erp_sim::exact::ExactConfig;
use docket_erp_sim::faults::{Fault, Faults};
use docket_erp_sim::odoo::{OdooConfig, OdooSim};
use docket_erp_sim::sap::{SapConfig, SapSim};
use docket_erp_sim::server::Running;

fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erp")
}

fn seed() -> ErpSnapshot {
    SandboxErp::seed_from_dir(&seed_dir()).expect("seed")
}

fn http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(500),
        attempts: 2,
        backoff: Duration::from_millis(10),
    }
}

fn failed(checks: &[CheckResult]) -> Vec<&CheckResult> {
    checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .collect()
}

fn assert_all_ok(checks: &[CheckResult]) {
    assert!(checks.len() > 3, "{checks:#?}");
    assert!(checks.iter().all(CheckResult::passed), "{checks:#?}");
}

/// The first check fails with a hint containing `hint`; the rest are skipped.
fn assert_sign_in_refused(checks: &[CheckResult], hint: &str) {
    let first_failed = checks.iter().position(|c| c.outcome == Outcome::Failed);
    let at = first_failed.unwrap_or_else(|| panic!("nothing failed: {checks:#?}"));
    let text = checks[at].hint.clone().unwrap_or_default();
    assert!(text.contains(hint), "{checks:#?}");
    assert!(
        checks[at + 1..]
            .iter()
            .all(|c| c.outcome == Outcome::Skipped),
        "{checks:#?}"
    );
}

/// A server answering 503 to everything: failures to retry later, no panic.
fn assert_unavailable(checks: &[CheckResult]) {
    let failed = failed(checks);
    assert!(!failed.is_empty(), "{checks:#?}");
    let hint = failed[0].hint.clone().unwrap_or_default();
    assert!(
        failed[0].detail.contains("503") && hint.contains("try again later"),
        "{checks:#?}"
    );
}

async fn sap(password: &str) -> (Running, Arc<Faults>, SapErp) {
    let faults = Faults::new();
    let config = SapConfig::default();
    let sim = SapSim::new(&seed(), config.clone(), faults.clone());
    let running = sim.serve().await.expect("serve");
    let erp = SapErp::new(SapSettings {
        base_url: running.base_url(),
        auth: SapAuth::Basic {
            user: config.user.clone(),
            password: password.into(),
        },
        company_code: config.company_code.clone(),
        tax_codes: config.tax_codes.clone(),
        sales_order_type: config.sales_order_type.clone(),
        sales_organization: config.sales_organization.clone(),
        distribution_channel: config.distribution_channel.clone(),
        division: config.division.clone(),
        http: http(),
    })
    .expect("adapter");
    (running, faults, erp)
}

#[tokio::test]
async fn sap_checks_csrf_per_written_service_credentials_and_outages() {
    let (_running, faults, erp) = sap(&SapConfig::default().password).await;
    let checks = erp.check().await;
    assert_all_ok(&checks);
    assert!(checks[0].name.contains("API_SUPPLIERINVOICE_PROCESS_SRV"));
    assert!(checks[1].name.contains("API_SALES_ORDER_SRV"));

    faults.arm(Fault::ServerError, 1_000);
    assert_unavailable(&erp.check().await);

    let (_running, _, wrong) = sap("wrong").await;
    let checks = wrong.check().await;
    assert_sign_in_refused(&checks, "SAP_COM_0057");
}

/// An adapter whose stored chain Exact no longer knows (`broken`), as after
/// another copy of Docket refreshed it, or a healthy one.
async fn exact(broken: bool) -> (Running, Arc<Faults>, ExactErp) {
    let faults = Faults::new();
    let config = ExactConfig::default();
    let (running, sim) = docket_erp_sim::exact::start(&seed(), config.clone(), faults.clone())
        .await
        .expect("serve");
    let settings = ExactSettings {
        base_url: running.base_url(),
        client_id: config.client_id.clone(),
        client_secret: config.client_secret.clone(),
        http: http(),
        ..ExactSettings::default()
    };
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let erp = ExactErp::new(settings, store.clone()).expect("adapter");
    if broken {
        let dead = TokenPair {
            access_token: "dead".into(),
            refresh_token: "used-elsewhere".into(),
            issued_ms: 0,
        };
        store.save(&dead).await.expect("save");
    } else {
        erp.authorize(&sim.issue_code()).await.expect("authorize");
    }
    (running, faults, erp)
}

#[tokio::test]
async fn exact_checks_the_token_chain_the_division_and_outages() {
    let (_running, faults, erp) = exact(false).await;
    let checks = erp.check().await;
    assert_all_ok(&checks);
    assert!(checks.iter().any(|c| c.name == "division"));
    assert!(checks.iter().any(|c| c.name == "rate limit"));

    faults.arm(Fault::ServerError, 1_000);
    assert_unavailable(&erp.check().await);

    let (_running, _, wrong) = exact(true).await;
    assert_sign_in_refused(&wrong.check().await, "authorise Docket again");
}

async fn odoo(
    version: u32,
    protocol: Protocol,
    key: Option<&str>,
) -> (Running, Arc<OdooSim>, Arc<Faults>, OdooErp) {
    let faults = Faults::new();
    let config = OdooConfig {
        version,
        ..OdooConfig::default()
    };
    let (running, sim) = OdooSim::serve(&seed(), config, faults.clone())
        .await
        .expect("serve");
    let c = sim.config();
    let erp = OdooErp::new(OdooSettings {
        base_url: running.base_url(),
        database: c.database.clone(),
        login: c.login.clone(),
        api_key: key.map_or_else(|| c.api_key.clone(), str::to_string),
        protocol,
        http: http(),
    })
    .expect("adapter");
    (running, sim, faults, erp)
}

#[tokio::test]
async fn odoo_checks_protocol_fields_access_rights_keys_and_outages() {
    for (version, protocol) in [(19, Protocol::Auto), (17, Protocol::Auto)] {
        let (_running, sim, _, erp) = odoo(version, protocol, None).await;
        let checks = erp.check().await;
        assert_all_ok(&checks);
        let wire = if version == 19 { "JSON-2" } else { "JSON-RPC" };
        assert!(checks[0].detail.contains(wire), "{checks:#?}");

        sim.deny_access("account.move", "create");
        let checks = erp.check().await;
        let failed = failed(&checks);
        assert_eq!(failed.len(), 1, "{checks:#?}");
        assert_eq!(failed[0].name, "access rights on account.move");
        assert!(
            failed[0]
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains("Accounting")
        );
    }
    for (version, protocol) in [(19, Protocol::Json2), (17, Protocol::JsonRpc)] {
        let (_running, _, _, wrong) = odoo(version, protocol, Some("wrong-key")).await;
        assert_sign_in_refused(&wrong.check().await, "erp.odoo.api_key");
    }
    let (_running, _, faults, erp) = odoo(19, Protocol::Auto, None).await;
    faults.arm(Fault::ServerError, 1_000);
    assert_unavailable(&erp.check().await);
}

#[tokio::test]
async fn the_sandbox_always_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let erp = SandboxErp::open(&seed_dir(), &dir.path().join("state.json")).expect("sandbox");
    assert_all_ok(&erp.check().await);
}
