//! The language model as a second reader in the extract stage: when it is
//! asked, what asking costs, and what comes of its answer.
//!
//! It is asked about a PDF read from its text, and in `fallback` mode only
//! when the deterministic reading leaves a field booking needs without
//! support ([`docket_matching::controls::unsupported_for_booking`]); e-invoice
//! XML never goes to it. Before a call, the answer cache is asked (document
//! content, model, prompt version): a hit costs neither a call nor budget.
//! Else, with a daily token budget, the call's estimate is reserved in the
//! store first; past the budget the model is not asked and the document goes
//! on with its deterministic reading, a note saying why, so the fields that
//! lacked support send it to a person. Every call is settled in the store
//! with what it spent, its answer cached when usable.
//!
//! The answer fits the answer schema (the client checks) and every value in
//! it is checked against the document text ([`docket_llm::convert`]) before
//! it is merged as a second opinion ([`docket_llm::merge`]): a document can
//! tell the model what it likes, but only what the document itself shows
//! can reach its fields, and those still face the matching controls.

use std::time::Duration;

use chrono::Utc;
use docket_domain::SourceSyntax;
use docket_extract::Extraction;
use docket_llm::merge::merge;
use docket_llm::{LlmClient, LlmMode, LlmReading};
use docket_store::{
    BudgetRequest, DocumentRecord, LlmCacheKey, LlmSettlement, LlmSpend, Reservation,
};

use crate::{Pipeline, PipelineError};

/// How much longer than the longest read a budget reservation holds, so it
/// never runs out under a call still in flight.
const HOLD_MARGIN: Duration = Duration::from_secs(60);

/// What consulting the model came to.
enum Consulted {
    /// An answer, and where it came from (`cached answer`, `812 tokens`).
    Answer(Box<LlmReading>, String),
    /// No answer: why, for the document's notes.
    Without(String),
}

/// Asks the language model, when its settings and the reading call for it,
/// to read a document that was read from its text, and merges its reading
/// as a second opinion (see the module header).
///
/// A transient failure (time-out, rate limit, outage, store) fails the stage
/// so the worker retries it and, if it lasts, parks it for replay. An answer
/// the model cannot give (not fitting the schema, refused) or a spent budget
/// is noted on the document, which goes on with what the layout extractor
/// read: never lost, and unsure fields still send it to a person.
pub async fn second_opinion(
    pipeline: &Pipeline,
    record: &DocumentRecord,
    extraction: &mut Extraction,
) -> Result<(), PipelineError> {
    let Some(llm) = &pipeline.llm else {
        return Ok(());
    };
    let Some(text) = extraction.text.as_deref() else {
        return Ok(());
    };
    let doc = &extraction.document;
    if doc.header.syntax != SourceSyntax::PdfText {
        return Ok(());
    }
    let asked = match llm.settings().mode {
        LlmMode::Off => return Ok(()),
        LlmMode::Always => "a second opinion".to_string(),
        LlmMode::Fallback => {
            let unsupported =
                docket_matching::controls::unsupported_for_booking(doc, &pipeline.policy);
            if unsupported.is_empty() {
                return Ok(());
            }
            format!("asked about {}", unsupported.join(", "))
        }
    };
    let key = LlmCacheKey {
        sha256: record.sha256.clone(),
        model: llm.settings().model.clone(),
        prompt_version: llm.prompt_version().to_string(),
    };
    let consulted = match cached(pipeline, llm, &key, record).await? {
        Some(reading) => Consulted::Answer(Box::new(reading), "cached answer".to_string()),
        None => ask(pipeline, llm, record, key, text).await?,
    };
    match consulted {
        Consulted::Answer(reading, source) => {
            let report = merge(&mut extraction.document, reading.into_document(text));
            extraction.method = format!(
                "{}; {} ({asked}; {source})",
                extraction.method,
                report.summary()
            );
        }
        Consulted::Without(why) => {
            extraction.method = format!("{}; LLM not used ({asked}): {why}", extraction.method);
            extraction.document.header.notes.push(why);
        }
    }
    Ok(())
}

/// The cached answer for the key, when there is one that still fits the
/// answer schema (one that does not is asked for again, and replaced).
async fn cached(
    pipeline: &Pipeline,
    llm: &LlmClient,
    key: &LlmCacheKey,
    record: &DocumentRecord,
) -> Result<Option<LlmReading>, PipelineError> {
    let Some(json) = pipeline.store.llm_cached(key).await? else {
        return Ok(None);
    };
    match LlmReading::from_answer(&json, llm.settings().response_format) {
        Ok((reading, _)) => Ok(Some(reading)),
        Err(e) => {
            tracing::warn!(document = %record.id, error = e.kind(), "a cached language model answer no longer fits; asking again");
            Ok(None)
        }
    }
}

/// Reserves the call's estimate (with a budget), asks the model, and
/// settles what the call spent, caching a usable answer.
async fn ask(
    pipeline: &Pipeline,
    llm: &LlmClient,
    record: &DocumentRecord,
    key: LlmCacheKey,
    text: &str,
) -> Result<Consulted, PipelineError> {
    let settings = llm.settings();
    let day = Utc::now().date_naive();
    let reservation = match settings.daily_token_budget {
        None => None,
        Some(limit) => {
            let request = BudgetRequest {
                day,
                tokens: llm.estimate(text).total(),
                limit,
                hold: llm.longest_read() + HOLD_MARGIN,
            };
            match pipeline.store.llm_reserve(&request).await? {
                Reservation::Granted(id) => Some(id),
                Reservation::Exhausted { used } => {
                    tracing::warn!(document = %record.id, limit, used, "LLM daily token budget exhausted");
                    return Ok(Consulted::Without(format!(
                        "LLM daily token budget of {limit} exhausted ({used} tokens spent or \
                         reserved today): the language model was not asked"
                    )));
                }
            }
        }
    };
    let exchange = llm.exchange(text).await;
    let spent = exchange.spent;
    let settlement = LlmSettlement {
        spend: LlmSpend {
            document_id: record.id.clone(),
            day,
            at: Utc::now(),
            model: settings.model.clone(),
            prompt_tokens: spent.prompt_tokens,
            completion_tokens: spent.completion_tokens,
            estimated: spent.estimated,
            cost: settings.cost(spent.prompt_tokens, spent.completion_tokens),
            outcome: match &exchange.result {
                Ok(_) => "answered".to_string(),
                Err(e) => e.kind().to_string(),
            },
        },
        reservation,
        answer: exchange
            .result
            .as_ref()
            .ok()
            .map(|answer| (key, answer.json.clone())),
    };
    pipeline.store.llm_settle(&settlement).await?;
    match exchange.result {
        Ok(answer) => Ok(Consulted::Answer(
            Box::new(answer.reading),
            format!("{} tokens", spent.total()),
        )),
        Err(e) if e.is_transient() => Err(e.into()),
        Err(e) => {
            tracing::warn!(document = %record.id, error = e.kind(), "the language model gave no usable answer");
            Ok(Consulted::Without(format!(
                "the language model could not read this document: {e}"
            )))
        }
    }
}
