//! The match stage: gathers what the ERP knows about the document and lets the
//! pure rules in `docket-matching` decide; a document waiting for its goods
//! longer than the policy allows goes to a person ([`waiting`](super::waiting)).
//!
//! [`gather`], [`decide`], [`duplicate_of`], [`stored_extraction`] and
//! [`sender_domain`] are public so that `docket policy replay` re-decides
//! stored documents exactly as this stage decides them.

use chrono::{DateTime, Utc};
use docket_domain::erp::ErpSnapshot;
use docket_domain::normalize::invoice_number;
use docket_domain::{BusinessDocument, DocumentKind, DocumentState, Reason, ReasonCode, Stage};
use docket_erp::{BookedQuery, Erp, SupplierQuery};
use docket_extract::Extraction;
use docket_matching::policy::PoSearchPolicy;
use docket_matching::{
    MatchInput, MatchOutcome, Policy, SellerIds, Verdict, match_document, purchase_order_numbers,
};
use docket_store::{DocumentId, DocumentRecord, Patch, Transition};

use crate::{Pipeline, PipelineError};

/// The states from which a document is (re-)matched.
const MATCHABLE: [DocumentState; 2] = [DocumentState::Extracted, DocumentState::Waiting];

/// Matches one document; returns whether it is done with the lease (`false`:
/// a re-check of a waiting document found nothing new and left it as it was,
/// so the worker gives the lease back).
pub async fn run(pipeline: &Pipeline, record: DocumentRecord) -> Result<bool, PipelineError> {
    let id = &record.id;
    if !MATCHABLE.contains(&record.state) {
        return Ok(true);
    }
    let extraction = stored_extraction(&record)?;
    let doc = &extraction.document;
    let sender_domain = sender_domain(&record);
    let erp = gather(
        pipeline.erp.as_ref(),
        doc,
        sender_domain,
        &pipeline.policy.po_search,
    )
    .await?;
    let input = MatchInput {
        document: doc,
        erp: &erp,
        sender_domain,
    };
    let mut outcome = decide(&input, &pipeline.policy, record.received_at, Utc::now());
    // Waiting documents are looked at again every few minutes: one that still
    // waits for the same reasons keeps its state without an event, or its
    // history would fill with a line per re-check.
    if record.state == DocumentState::Waiting
        && outcome.verdict == Verdict::Wait
        && outcome.reasons == record.reasons
    {
        return Ok(false);
    }
    // The first document with a business key (supplier, number, kind) claims
    // it in the same statement that moves it on; a later one with the same
    // key, whatever channel it came through, is a duplicate of the first.
    if outcome.verdict != Verdict::Duplicate
        && let Some(key) = outcome.business_key.clone()
    {
        let claimed = pipeline
            .store
            .claim_and_transition(&key, id, decided(&outcome)?)
            .await?;
        if claimed.owner == *id {
            return Ok(true);
        }
        received_before(pipeline, &record, &claimed.owner, &mut outcome).await?;
    }
    pipeline.store.transition(id, decided(&outcome)?).await?;
    Ok(true)
}

/// What the stage decides for a document received at `received_at`, as of
/// `now`: the rules' outcome under `policy`, with the waiting limit applied.
pub fn decide(
    input: &MatchInput<'_>,
    policy: &Policy,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> MatchOutcome {
    let mut outcome = match_document(input, policy);
    super::waiting::expire(&mut outcome, now - received_at, policy.waiting.max_days);
    outcome
}

/// The extracted document a record holds.
pub fn stored_extraction(record: &DocumentRecord) -> Result<Extraction, PipelineError> {
    super::stored(
        record.extracted.as_deref(),
        &record.id,
        "extraction",
        "is extracted but holds no document",
    )
}

/// The mail domain a document was sent from, which counts as supplier evidence.
pub fn sender_domain(record: &DocumentRecord) -> Option<&str> {
    record
        .sender
        .as_deref()
        .and_then(|s| s.rsplit_once('@'))
        .map(|(_, d)| d)
}

/// The state change a match outcome makes.
fn decided(outcome: &MatchOutcome) -> Result<Transition, PipelineError> {
    let to = match outcome.verdict {
        Verdict::Book => DocumentState::Matched,
        Verdict::Wait => DocumentState::Waiting,
        Verdict::Exception => DocumentState::Exception,
        Verdict::Duplicate => DocumentState::Duplicate,
    };
    let detail = format!("{:?}: {} reason(s)", outcome.verdict, outcome.reasons.len());
    Ok(Transition {
        from: MATCHABLE.to_vec(),
        to,
        patch: Patch {
            supplier_id: outcome.supplier.as_ref().map(|s| s.id.clone()),
            supplier_name: outcome.supplier.as_ref().map(|s| s.name.clone()),
            reasons: Some(outcome.reasons.clone()),
            match_result: Some(serde_json::value::to_raw_value(outcome).map_err(|e| {
                PipelineError::Inconsistent(format!("serialising the match outcome: {e}"))
            })?),
            ..Patch::default()
        },
        enqueue: (to == DocumentState::Matched).then_some(Stage::Post),
        actor: "pipeline:match".to_string(),
        detail,
    })
}

/// Turns the outcome into a duplicate of `owner`, the document that was
/// received before with the same business key.
async fn received_before(
    pipeline: &Pipeline,
    record: &DocumentRecord,
    owner: &DocumentId,
    outcome: &mut MatchOutcome,
) -> Result<(), PipelineError> {
    let earlier = pipeline.store.document(owner).await?;
    duplicate_of(outcome, record, &earlier);
    Ok(())
}

/// Turns the outcome of `record` into a duplicate of `earlier`, received
/// before with the same business key.
pub fn duplicate_of(outcome: &mut MatchOutcome, record: &DocumentRecord, earlier: &DocumentRecord) {
    let what = earlier.part_name.as_deref().unwrap_or(&earlier.file_name);
    outcome.verdict = Verdict::Duplicate;
    outcome.booking = None;
    outcome.reasons = vec![Reason::new(
        ReasonCode::Duplicate,
        format!(
            "the same {} was received before as {what} (document {}, now {})",
            record
                .kind
                .as_deref()
                .unwrap_or("document")
                .replace('_', " "),
            earlier.id,
            earlier.state.as_str()
        ),
    )];
}

/// Asks the ERP for what matching needs to know about this document
/// (with `search` enabled, an invoice naming no PO brings its supplier's open POs).
pub async fn gather(
    erp: &dyn Erp,
    doc: &BusinessDocument,
    sender_domain: Option<&str>,
    search: &PoSearchPolicy,
) -> Result<ErpSnapshot, PipelineError> {
    let seller = SellerIds::of(doc);
    let query = SupplierQuery {
        vat_ids: seller.vat_ids,
        ibans: seller.ibans,
        name: seller.name,
        email_domain: sender_domain.map(str::to_string),
    };
    let suppliers = erp.supplier_candidates(&query).await?;
    let mut numbers = purchase_order_numbers(doc);
    // An invoice that names no PO is matched against its supplier's open ones.
    let mut searched = Vec::new();
    if numbers.is_empty() && doc.kind() == DocumentKind::Invoice && search.enabled {
        let since = doc.header.issue_date.as_ref().and_then(|d| {
            d.value
                .checked_sub_days(chrono::Days::new(search.max_age_days.into()))
        });
        for supplier in &suppliers {
            searched.extend(erp.open_purchase_orders(&supplier.id, since).await?);
        }
        numbers.extend(searched.iter().map(|po| po.number.clone()));
    }
    let credited: Vec<String> = doc
        .references
        .preceding_invoices
        .iter()
        .map(|f| f.value.clone())
        .collect();
    let references: Vec<String> = doc
        .number()
        .map(str::to_string)
        .into_iter()
        .chain(credited.iter().cloned())
        .collect();
    let credited_numbers: Vec<String> = credited.iter().map(|n| invoice_number(n)).collect();
    let mut booked_invoices = Vec::new();
    for supplier in &suppliers {
        let mut booked_query = BookedQuery {
            supplier_id: supplier.id.clone(),
            references: references.clone(),
            purchase_orders: numbers.clone(),
        };
        let mut booked = erp.booked_invoices(&booked_query).await?;
        if doc.kind() == DocumentKind::CreditNote {
            // A credit note reaches the POs of the invoices it credits, and
            // what was invoiced on those POs so far.
            let reached: Vec<String> = booked
                .iter()
                .filter(|b| credited_numbers.contains(&invoice_number(&b.supplier_reference)))
                .flat_map(|b| b.lines.iter().map(|l| l.purchase_order.clone()))
                .filter(|po| !numbers.contains(po))
                .collect();
            if !reached.is_empty() {
                booked_query.purchase_orders = reached.clone();
                let seen: Vec<String> = booked.iter().map(|b| b.erp_ref.clone()).collect();
                let more = erp.booked_invoices(&booked_query).await?;
                booked.extend(more.into_iter().filter(|b| !seen.contains(&b.erp_ref)));
                for po in reached {
                    if !numbers.contains(&po) {
                        numbers.push(po);
                    }
                }
            }
        }
        booked_invoices.extend(booked);
    }
    let mut purchase_orders = searched;
    if purchase_orders.is_empty() {
        purchase_orders = erp.purchase_orders(&numbers).await?;
    }
    let goods_receipts = erp.goods_receipts(&numbers).await?;
    Ok(ErpSnapshot {
        suppliers,
        purchase_orders,
        goods_receipts,
        booked_invoices,
        ..ErpSnapshot::default()
    })
}
