//! `docket erp check` on SAP: a CSRF token fetched from each service Docket
//! writes to (which needs the write authorisation, so it proves permission
//! without writing), then the sample reads of every read service; a
//! refusal names the communication arrangement that grants the service.

use crate::check::{CheckResult, Checklist, Read, sample_reads, status_of};
use crate::{Erp, ErpError};

use super::SapErp;

/// The services Docket posts to: supplier invoices, sales orders.
const WRITTEN: [&str; 2] = ["API_SUPPLIERINVOICE_PROCESS_SRV", "API_SALES_ORDER_SRV"];

/// Each service and the S/4HANA Cloud communication scenario that grants it
/// (NOTES.md 1.2: 0057 and 0008 verified; 0053 and 0108 commonly cited).
const SCENARIOS: [(&str, &str); 5] = [
    (
        "API_SUPPLIERINVOICE_PROCESS_SRV",
        "SAP_COM_0057 (Supplier Invoice Integration)",
    ),
    (
        "API_BUSINESS_PARTNER",
        "SAP_COM_0008 (Business Partner, Customer and Supplier Integration)",
    ),
    (
        "API_PURCHASEORDER_PROCESS_SRV",
        "SAP_COM_0053 (Purchase Order Integration; scenario id as commonly cited)",
    ),
    (
        "API_MATERIAL_DOCUMENT_SRV",
        "SAP_COM_0108 (Material Document Integration; scenario id as commonly cited)",
    ),
    (
        "API_SALES_ORDER_SRV",
        "the sales order integration scenario of your release",
    ),
];

/// SAP's sharper hint: which arrangement or role a refused service needs.
fn hint(error: &ErpError) -> Option<String> {
    let text = error.to_string();
    let (service, scenario) = SCENARIOS.iter().find(|(s, _)| text.contains(s))?;
    match status_of(error)? {
        401 => Some(format!(
            "SAP refused the credentials: check erp.sap.user and password (or client_id, client_secret, token_url); \
             in S/4HANA Cloud the communication user of {scenario}"
        )),
        403 => Some(format!(
            "the user may not use {service}: in S/4HANA Cloud add it to a communication arrangement for {scenario}; \
             on premise give it the role for the service and activate the service in /IWFND/MAINT_SERVICE"
        )),
        404 => Some(format!(
            "{service} is not there: check erp.sap.base_url (host and port only) and that the service is activated \
             (on premise: /IWFND/MAINT_SERVICE)"
        )),
        _ => None,
    }
}

impl SapErp {
    pub(super) async fn run_checks(&self) -> Vec<CheckResult> {
        let mut list = Checklist::new();
        for (n, service) in WRITTEN.into_iter().enumerate() {
            let name = format!("write permission on {service} (CSRF token)");
            let fetch = self.client.fresh_csrf_token(service);
            let detail = |_| "token issued".to_string();
            // The first fetch is also the sign-in: refused, nothing else can work.
            if n == 0 {
                list.gate(&name, &hint, fetch, detail).await;
            } else {
                list.run(&name, &hint, fetch, detail).await;
            }
        }
        // Products and prices come from services the adapter does not read yet.
        let reads: Vec<Read> = Read::ALL
            .into_iter()
            .filter(|r| *r != Read::Products)
            .collect();
        sample_reads(self as &dyn Erp, &reads, &hint, &mut list).await;
        list.finish()
    }
}
