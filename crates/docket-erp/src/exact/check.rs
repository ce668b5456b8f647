//! `docket erp check` on Exact Online: the token chain (loaded from the
//! shared store, refreshed only when due, so the check never wastes one of
//! the 200 daily token calls), `current/Me`, the division, the sample reads
//! of every read Docket makes, and the rate limit left.

use crate::check::{CheckResult, Checklist, Read, sample_reads, status_of};
use crate::{Erp, ErpError};

use super::ExactErp;
use super::tokens::now_ms;

/// Exact's sharper hints: the token chain and the division.
fn hint(error: &ErpError) -> Option<String> {
    let text = error.to_string();
    if text.contains("no Exact token") {
        return Some(
            "no token chain yet: authorise Docket in Exact (the authorization-code flow) so that \
             erp.exact.token_file holds a token pair"
                .into(),
        );
    }
    if text.contains("Exact token") {
        return Some(
            "Exact refused the refresh: the chain is broken (a refresh token used twice, unused for \
             30 days, or the app's client_id/client_secret/redirect_uri changed): authorise Docket again"
                .into(),
        );
    }
    match status_of(error)? {
        403 if text.contains("division") => Some(
            "this user has no access to erp.exact.division: remove the setting to use the user's \
             current division, or give the user access to that company in Exact"
                .into(),
        ),
        401 => Some("Exact refused the access token: authorise Docket again".into()),
        403 => Some(
            "the app or user lacks the right for this endpoint: check the app's scopes and the user's \
             roles in Exact (and that the company's subscription has the module)"
                .into(),
        ),
        429 => Some(
            "Exact's rate limit (60 calls a minute, 5,000 a day per company) is used up: wait for the reset"
                .into(),
        ),
        _ => None,
    }
}

impl ExactErp {
    pub(super) async fn run_checks(&self) -> Vec<CheckResult> {
        let mut list = Checklist::new();
        let client = &self.client;
        list.gate("token chain", &hint, client.access_token(None), |_| {
            "access token ready (refreshed only when due)".to_string()
        })
        .await;
        let mut current = None;
        list.gate("current/Me", &hint, client.me(), |(name, division)| {
            current = Some(division);
            format!("signed in as {name}, current division {division}")
        })
        .await;
        let configured = self.settings().division;
        list.gate("division", &hint, client.division(), |division| {
            match (configured, current) {
                (Some(_), Some(c)) if c != division => {
                    format!("{division} (set in erp.exact.division; the user's current one is {c})")
                }
                (Some(_), _) => format!("{division} (set in erp.exact.division)"),
                (None, _) => format!("{division} (the user's current division)"),
            }
        })
        .await;
        sample_reads(self as &dyn Erp, &Read::ALL, &hint, &mut list).await;
        list.push(match client.calls_left().await {
            Some((0, reset)) => CheckResult::failed(
                "rate limit",
                format!(
                    "no calls left for {} s",
                    reset.saturating_sub(now_ms()) / 1000
                ),
                "wait for the reset; Docket waits by itself, but only up to a minute",
            ),
            Some((left, _)) => {
                CheckResult::ok("rate limit", format!("{left} calls left until the reset"))
            }
            None => CheckResult::ok("rate limit", "Exact announced no limits"),
        });
        list.finish()
    }
}
