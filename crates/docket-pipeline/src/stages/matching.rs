//! The match stage: gathers what the ERP knows about the document and lets the
//! pure rules in `docket-matching` decide.

use docket_domain::erp::ErpSnapshot;
use docket_domain::normalize::invoice_number;
use docket_domain::{BusinessDocument, DocumentKind, DocumentState, Reason, ReasonCode, Stage};
use docket_erp::{BookedQuery, SupplierQuery};
use docket_extract::Extraction;
use docket_matching::{
    MatchInput, MatchOutcome, SellerIds, Verdict, match_document, purchase_order_numbers,
};
use docket_store::{DocumentId, DocumentRecord, Patch, Transition};

use crate::{Pipeline, PipelineError};

/// The states from which a document is (re-)matched.
const MATCHABLE: [DocumentState; 2] = [DocumentState::Extracted, DocumentState::Waiting];

/// Matches one document.
pub async fn run(pipeline: &Pipeline, record: DocumentRecord) -> Result<(), PipelineError> {
    let id = &record.id;
    if !MATCHABLE.contains(&record.state) {
        return Ok(());
    }
    let extraction: Extraction = record
        .extracted
        .as_deref()
        .map(|stored| serde_json::from_str(stored.get()))
        .transpose()
        .map_err(|e| PipelineError::Inconsistent(format!("stored extraction of {id}: {e}")))?
        .ok_or_else(|| {
            PipelineError::Inconsistent(format!("{id} is extracted but holds no document"))
        })?;
    let doc = &extraction.document;
    let sender_domain = record
        .sender
        .as_deref()
        .and_then(|s| s.rsplit_once('@'))
        .map(|(_, d)| d);
    let erp = gather(pipeline, doc, sender_domain).await?;
    let input = MatchInput {
        document: doc,
        erp: &erp,
        sender_domain,
    };
    let mut outcome = match_document(&input, &pipeline.policy);
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
            return Ok(());
        }
        received_before(pipeline, &record, &claimed.owner, &mut outcome).await?;
    }
    pipeline.store.transition(id, decided(&outcome)?).await?;
    Ok(())
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
    let what = earlier.part_name.as_deref().unwrap_or(&earlier.file_name);
    outcome.verdict = Verdict::Duplicate;
    outcome.booking = None;
    outcome.reasons = vec![Reason::new(
        ReasonCode::Duplicate,
        format!(
            "the same {} was received before as {what} (document {owner}, now {})",
            record
                .kind
                .as_deref()
                .unwrap_or("document")
                .replace('_', " "),
            earlier.state.as_str()
        ),
    )];
    Ok(())
}

/// Asks the ERP for what matching needs to know about this document.
async fn gather(
    pipeline: &Pipeline,
    doc: &BusinessDocument,
    sender_domain: Option<&str>,
) -> Result<ErpSnapshot, PipelineError> {
    let seller = SellerIds::of(doc);
    let query = SupplierQuery {
        vat_ids: seller.vat_ids,
        ibans: seller.ibans,
        name: seller.name,
        email_domain: sender_domain.map(str::to_string),
    };
    let suppliers = pipeline.erp.supplier_candidates(&query).await?;
    let mut numbers = purchase_order_numbers(doc);
    // An invoice that names no PO is matched against its supplier's open ones.
    let mut searched = Vec::new();
    let search = &pipeline.policy.po_search;
    if numbers.is_empty() && doc.kind() == DocumentKind::Invoice && search.enabled {
        let since = doc.header.issue_date.as_ref().and_then(|d| {
            d.value
                .checked_sub_days(chrono::Days::new(search.max_age_days.into()))
        });
        for supplier in &suppliers {
            searched.extend(
                pipeline
                    .erp
                    .open_purchase_orders(&supplier.id, since)
                    .await?,
            );
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
        let mut booked = pipeline.erp.booked_invoices(&booked_query).await?;
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
                let more = pipeline.erp.booked_invoices(&booked_query).await?;
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
        purchase_orders = pipeline.erp.purchase_orders(&numbers).await?;
    }
    let goods_receipts = pipeline.erp.goods_receipts(&numbers).await?;
    Ok(ErpSnapshot {
        suppliers,
        purchase_orders,
        goods_receipts,
        booked_invoices,
        customers: Vec::new(),
        products: Vec::new(),
    })
}
