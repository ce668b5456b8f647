//! `docket erp check`: whether Docket can work with the configured ERP,
//! one line per check, each failure with what the operator should fix.
//!
//! [`Erp::check`](crate::Erp::check) runs [`sample_reads`] by default: the
//! read calls Docket makes, with queries that match nothing (an impossible
//! VAT id, purchase order `0`), so they prove connectivity, credentials and
//! read permission without depending on the ERP's data. Adapters put their
//! own checks first (SAP's CSRF fetch per service written to, Exact's token
//! and division, Odoo's protocol, fields and access rights) and may sharpen
//! the hints. A failed gate check (signing in) skips the rest: fifty lines
//! saying "credentials refused" would hide the one that matters.

use std::future::Future;

use docket_domain::DocumentKind;
use serde::Serialize;

use crate::{BookedQuery, CustomerQuery, Erp, ErpError, SupplierQuery};

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It worked.
    Ok,
    /// It failed: see the hint.
    Failed,
    /// Not run because an earlier check it depends on failed.
    Skipped,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// What was checked (`sign in`, `read suppliers`, ...).
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What was seen: the ERP's answer in short, or its error.
    pub detail: String,
    /// What the operator should fix (failures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl CheckResult {
    /// A passed check.
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Self {
        CheckResult {
            name: name.into(),
            outcome: Outcome::Ok,
            detail: detail.into(),
            hint: None,
        }
    }

    /// A failed check with what to fix.
    pub fn failed(
        name: impl Into<String>,
        detail: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        CheckResult {
            name: name.into(),
            outcome: Outcome::Failed,
            detail: detail.into(),
            hint: Some(hint.into()),
        }
    }

    /// A check failed with `error`, hinted by `hint` (adapter-specific) or [`hint`].
    pub fn from_error(name: impl Into<String>, error: &ErpError, hints: &Hints) -> Self {
        let hint = hints(error).unwrap_or_else(|| generic_hint(error));
        CheckResult::failed(name, error.to_string(), hint)
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Ok
    }
}

/// An adapter's sharper hint for an error, where it has one.
pub type Hints = dyn Fn(&ErpError) -> Option<String> + Send + Sync;

/// No adapter-specific hints.
pub fn no_hints(_: &ErpError) -> Option<String> {
    None
}

/// The HTTP status an adapter's message names (`… HTTP 403: …`), if any.
pub fn status_of(error: &ErpError) -> Option<u16> {
    let text = error.to_string();
    let at = text.find("HTTP ")? + 5;
    text.get(at..at + 3)?.parse().ok()
}

/// What to fix, judged from the error's class, HTTP status and transport cause.
pub fn generic_hint(error: &ErpError) -> String {
    let text = error.to_string().to_lowercase();
    let hint = match status_of(error) {
        Some(401) => {
            "the ERP refused the credentials: check the user and password (or client id and secret, or API key)"
        }
        Some(403) => {
            "signed in, but this user may not do this: grant it the permission (role, communication arrangement, access group) for this service"
        }
        Some(404) => {
            "nothing at this address: check base_url (host only, no path) and that the service is activated in the ERP"
        }
        Some(429) => "the ERP's rate limit is reached: wait for it to reset, then check again",
        Some(s) if s >= 500 => {
            "the ERP answered with a server error (temporary): try again later; if it persists, ask the ERP's administrators"
        }
        _ if text.contains("dns error") || text.contains("failed to lookup address") => {
            "the host name does not resolve (DNS): check base_url"
        }
        _ if ["certificate", "tls", "ssl", "handshake"]
            .iter()
            .any(|w| text.contains(w)) =>
        {
            "the TLS connection failed: check that the certificate is valid for the host and trusted here, and the https/http scheme and port in base_url"
        }
        _ if text.contains("connection refused") || text.contains("could not connect") => {
            "nothing accepts connections there: check the host and port in base_url, and any firewall or proxy"
        }
        _ if text.contains("timed out") => {
            "the ERP did not answer in time: check base_url and the network path, or raise erp.timeout_secs"
        }
        _ => match error {
            ErpError::Transient(_) => "a temporary failure: try again later",
            ErpError::NotFound(_) => {
                "not found: check base_url and the settings naming ERP objects"
            }
            ErpError::Conflict(_) => "the ERP reported a conflict: see its message",
            ErpError::Permanent(_) => "the ERP refused: see its message",
        },
    };
    hint.to_string()
}

/// Runs checks in order; after a failed gate check the rest are skipped.
#[derive(Default)]
pub struct Checklist {
    results: Vec<CheckResult>,
    blocked_by: Option<String>,
}

impl Checklist {
    /// An empty list.
    pub fn new() -> Self {
        Checklist::default()
    }

    /// Whether a gate check failed (later checks are skipped).
    pub fn blocked(&self) -> bool {
        self.blocked_by.is_some()
    }

    /// Runs `check` unless blocked; `detail` says what a success showed.
    pub async fn run<T, Fut>(
        &mut self,
        name: &str,
        hints: &Hints,
        check: Fut,
        detail: impl FnOnce(T) -> String,
    ) -> Option<()>
    where
        Fut: Future<Output = Result<T, ErpError>>,
    {
        if let Some(gate) = &self.blocked_by {
            self.results.push(CheckResult {
                name: name.to_string(),
                outcome: Outcome::Skipped,
                detail: format!("not run: {gate} failed"),
                hint: None,
            });
            return None;
        }
        let result = match check.await {
            Ok(value) => CheckResult::ok(name, detail(value)),
            Err(e) => CheckResult::from_error(name, &e, hints),
        };
        let passed = result.passed();
        self.results.push(result);
        passed.then_some(())
    }

    /// Like [`run`](Self::run), and a failure skips every later check.
    pub async fn gate<T, Fut>(
        &mut self,
        name: &str,
        hints: &Hints,
        check: Fut,
        detail: impl FnOnce(T) -> String,
    ) -> Option<()>
    where
        Fut: Future<Output = Result<T, ErpError>>,
    {
        let passed = self.run(name, hints, check, detail).await;
        if passed.is_none() && self.blocked_by.is_none() {
            self.blocked_by = Some(name.to_string());
        }
        passed
    }

    /// Adds a result made elsewhere (skipped when blocked).
    pub fn push(&mut self, result: CheckResult) {
        match &self.blocked_by {
            Some(gate) => self.results.push(CheckResult {
                outcome: Outcome::Skipped,
                detail: format!("not run: {gate} failed"),
                hint: None,
                ..result
            }),
            None => self.results.push(result),
        }
    }

    /// The results, in order.
    pub fn finish(self) -> Vec<CheckResult> {
        self.results
    }
}

/// The read calls Docket makes, for [`sample_reads`] to exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Suppliers by VAT id (with their bank accounts).
    Suppliers,
    /// Purchase orders by number.
    PurchaseOrders,
    /// Goods receipts of purchase orders.
    GoodsReceipts,
    /// Booked invoices by supplier and reference (the idempotency look-up).
    Bookings,
    /// Customers by number.
    Customers,
    /// Products by code.
    Products,
    /// Sales orders by customer reference (the idempotency look-up).
    SalesOrders,
}

impl Read {
    /// Every read.
    pub const ALL: [Read; 7] = [
        Read::Suppliers,
        Read::PurchaseOrders,
        Read::GoodsReceipts,
        Read::Bookings,
        Read::Customers,
        Read::Products,
        Read::SalesOrders,
    ];
}

/// Matches no real record in any ERP: the reads prove access, not data.
const NOBODY: &str = "0";
const NO_REFERENCE: &str = "DOCKET-CHECK-0";

fn answered<T>(_: T) -> String {
    "answered".to_string()
}

/// Runs the harmless sample `reads` on `erp`, adding them to `list`.
pub async fn sample_reads<E: Erp + ?Sized>(
    erp: &E,
    reads: &[Read],
    hints: &Hints,
    list: &mut Checklist,
) {
    let count = |n: usize| format!("answered ({n} found)");
    let nobody = [NOBODY.to_string()];
    for read in reads {
        match read {
            Read::Suppliers => {
                let query = SupplierQuery {
                    vat_ids: vec!["XX000000000".into()],
                    ..SupplierQuery::default()
                };
                let call = erp.supplier_candidates(&query);
                list.run("read suppliers", hints, call, |v| count(v.len()))
                    .await
            }
            Read::PurchaseOrders => {
                let call = erp.purchase_orders(&nobody);
                list.run("read purchase orders", hints, call, |v| count(v.len()))
                    .await
            }
            Read::GoodsReceipts => {
                let call = erp.goods_receipts(&nobody);
                list.run("read goods receipts", hints, call, |v| count(v.len()))
                    .await
            }
            Read::Bookings => {
                let query = BookedQuery {
                    supplier_id: NOBODY.into(),
                    references: vec![NO_REFERENCE.into()],
                    purchase_orders: Vec::new(),
                };
                let call = erp.booked_invoices(&query);
                list.run("read booked invoices", hints, call, |v| count(v.len()))
                    .await;
                let call = erp.find_booking(NOBODY, NO_REFERENCE, DocumentKind::Invoice);
                list.run("look up a booking (idempotency)", hints, call, answered)
                    .await
            }
            Read::Customers => {
                let query = CustomerQuery {
                    customer_number: Some(NOBODY.into()),
                    ..CustomerQuery::default()
                };
                let call = erp.customer_candidates(&query);
                list.run("read customers", hints, call, |v| count(v.len()))
                    .await
            }
            Read::Products => {
                let codes = [NO_REFERENCE.to_string()];
                let call = erp.products(&codes);
                list.run("read products", hints, call, |v| count(v.len()))
                    .await
            }
            Read::SalesOrders => {
                let call = erp.find_sales_order(NOBODY, NO_REFERENCE);
                list.run("look up a sales order (idempotency)", hints, call, answered)
                    .await
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_the_status_and_the_transport_cause() {
        let hint = |e: ErpError| generic_hint(&e);
        assert!(hint(ErpError::Permanent("GET x: HTTP 401: no".into())).contains("credentials"));
        assert!(hint(ErpError::Permanent("GET x: HTTP 403: no".into())).contains("permission"));
        assert!(hint(ErpError::Transient("GET x: HTTP 503: busy".into())).contains("server error"));
        assert!(hint(ErpError::Transient("GET x: HTTP 429: slow".into())).contains("rate limit"));
        let dns = "GET x: connection failed: error sending request: dns error: failed to lookup address information";
        assert!(hint(ErpError::Transient(dns.into())).contains("DNS"));
        let tls = "GET x: could not connect: invalid peer certificate: UnknownIssuer";
        assert!(hint(ErpError::Transient(tls.into())).contains("TLS"));
        let refused = "GET x: could not connect: tcp connect error: Connection refused";
        assert!(hint(ErpError::Transient(refused.into())).contains("host and port"));
    }

    #[tokio::test]
    async fn a_failed_gate_skips_the_rest() {
        let mut list = Checklist::new();
        let fail = async { Err::<(), _>(ErpError::Permanent("HTTP 401: no".into())) };
        list.gate("sign in", &no_hints, fail, |_| String::new())
            .await;
        list.run("read", &no_hints, async { Ok(1) }, |n| n.to_string())
            .await;
        let results = list.finish();
        assert_eq!(results[0].outcome, Outcome::Failed);
        assert_eq!(results[1].outcome, Outcome::Skipped);
        assert!(results[1].detail.contains("sign in"));
    }
}
