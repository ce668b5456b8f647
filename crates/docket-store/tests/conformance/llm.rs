//! Conformance of the language model's shared state
//! ([`docket_store::LlmStore`]): the answer cache, the daily token budget
//! across racing workers, and the record of calls, on every adapter.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use docket_store::{
    BudgetRequest, DocumentId, LlmCacheKey, LlmSettlement, LlmSpend, Reservation, Store,
};
use rust_decimal::Decimal;

use super::{new_doc, stores};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn key(model: &str, version: &str) -> LlmCacheKey {
    LlmCacheKey {
        sha256: "ab".repeat(32),
        model: model.into(),
        prompt_version: version.into(),
    }
}

fn request(d: u32, tokens: u64, limit: u64) -> BudgetRequest {
    BudgetRequest {
        day: day(d),
        tokens,
        limit,
        hold: Duration::from_secs(600),
    }
}

/// A call of `document` on day `d` that spent `prompt` + `completion` tokens.
fn spend(document: &DocumentId, d: u32, prompt: u64, completion: u64) -> LlmSpend {
    LlmSpend {
        document_id: document.clone(),
        day: day(d),
        // Whole microseconds: both adapters keep that precision.
        at: DateTime::<Utc>::from_timestamp_micros(1_790_000_000_000_000 + i64::from(d)).unwrap(),
        model: "gpt-test".into(),
        prompt_tokens: prompt,
        completion_tokens: completion,
        estimated: false,
        cost: None,
        outcome: "answered".into(),
    }
}

async fn document(store: &dyn Store, name: &str) -> DocumentId {
    store
        .ingest(new_doc(name, name.as_bytes()))
        .await
        .unwrap()
        .id()
        .clone()
}

fn granted(r: Reservation) -> docket_store::ReservationId {
    match r {
        Reservation::Granted(id) => id,
        other => panic!("expected a reservation, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cached_answer_is_found_by_content_model_and_prompt_version_only() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let doc = document(store, "cache.pdf").await;
        assert_eq!(store.llm_cached(&key("m", "v1")).await.unwrap(), None);
        let settle = |answer: &str| LlmSettlement {
            spend: spend(&doc, 1, 100, 20),
            reservation: None,
            answer: Some((key("m", "v1"), answer.to_string())),
        };
        store
            .llm_settle(&settle(r#"{"number":"1"}"#))
            .await
            .unwrap();
        assert_eq!(
            store.llm_cached(&key("m", "v1")).await.unwrap().as_deref(),
            Some(r#"{"number":"1"}"#),
            "{name}"
        );
        assert_eq!(
            store.llm_cached(&key("m2", "v1")).await.unwrap(),
            None,
            "{name}"
        );
        assert_eq!(
            store.llm_cached(&key("m", "v2")).await.unwrap(),
            None,
            "{name}"
        );
        // A newer answer replaces the older one.
        store
            .llm_settle(&settle(r#"{"number":"2"}"#))
            .await
            .unwrap();
        assert_eq!(
            store.llm_cached(&key("m", "v1")).await.unwrap().as_deref(),
            Some(r#"{"number":"2"}"#),
            "{name}"
        );
        // A call without a usable answer caches nothing.
        let failed = LlmSettlement {
            spend: spend(&doc, 1, 0, 0),
            reservation: None,
            answer: None,
        };
        store.llm_settle(&failed).await.unwrap();
        assert_eq!(store.llm_spend(&doc).await.unwrap().len(), 3, "{name}");
    }
    set.done().await;
}

#[tokio::test]
async fn the_budget_grants_what_fits_and_settling_counts_what_was_spent() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let doc = document(store, "budget.pdf").await;
        let first = granted(store.llm_reserve(&request(2, 600, 1000)).await.unwrap());
        // 600 reserved: another 600 would pass 1000.
        assert_eq!(
            store.llm_reserve(&request(2, 600, 1000)).await.unwrap(),
            Reservation::Exhausted { used: 600 },
            "{name}"
        );
        // Another day has its own budget.
        granted(store.llm_reserve(&request(3, 600, 1000)).await.unwrap());
        // The call spent less than its estimate: the rest is free again.
        let settlement = LlmSettlement {
            spend: spend(&doc, 2, 250, 50),
            reservation: Some(first),
            answer: None,
        };
        store.llm_settle(&settlement).await.unwrap();
        let second = granted(store.llm_reserve(&request(2, 600, 1000)).await.unwrap());
        assert_eq!(
            store.llm_reserve(&request(2, 200, 1000)).await.unwrap(),
            Reservation::Exhausted { used: 900 },
            "{name}: 300 spent and 600 reserved"
        );
        let settlement = LlmSettlement {
            spend: spend(&doc, 2, 500, 250),
            reservation: Some(second),
            answer: None,
        };
        store.llm_settle(&settlement).await.unwrap();
        assert_eq!(
            store.llm_reserve(&request(2, 1, 1000)).await.unwrap(),
            Reservation::Exhausted { used: 1050 },
            "{name}: a call past its estimate counts in full"
        );
    }
    set.done().await;
}

#[tokio::test]
async fn a_reservation_whose_worker_died_stops_counting_when_it_runs_out() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let short = BudgetRequest {
            hold: Duration::from_millis(50),
            ..request(4, 900, 1000)
        };
        granted(store.llm_reserve(&short).await.unwrap());
        assert!(
            matches!(
                store.llm_reserve(&request(4, 900, 1000)).await.unwrap(),
                Reservation::Exhausted { used: 900 }
            ),
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        granted(store.llm_reserve(&request(4, 900, 1000)).await.unwrap());
    }
    set.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_workers_cannot_reserve_past_the_budget() {
    let set = stores().await;
    for (name, store) in &set.list {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..24 {
            let store: Arc<dyn Store> = store.clone();
            tasks.spawn(async move { store.llm_reserve(&request(5, 100, 1050)).await.unwrap() });
        }
        let mut granted_count = 0;
        while let Some(r) = tasks.join_next().await {
            if matches!(r.unwrap(), Reservation::Granted(_)) {
                granted_count += 1;
            }
        }
        assert_eq!(granted_count, 10, "{name}: 10 of 100 fit in 1050");
    }
    set.done().await;
}

#[tokio::test]
async fn spend_is_listed_per_document_and_totalled_per_day() {
    let set = stores().await;
    for (name, store) in set.iter() {
        let a = document(store, "a.pdf").await;
        let b = document(store, "b.pdf").await;
        let priced = |doc: &DocumentId, d: u32, cost: &str| LlmSpend {
            cost: Some(cost.parse::<Decimal>().unwrap()),
            estimated: true,
            outcome: "timeout".into(),
            ..spend(doc, d, 1000, 200)
        };
        let calls = [
            priced(&a, 6, "0.00027"),
            spend(&b, 6, 10, 5),
            priced(&b, 7, "1.5"),
            spend(&a, 9, 1, 1),
        ];
        for call in &calls {
            let settlement = LlmSettlement {
                spend: call.clone(),
                reservation: None,
                answer: None,
            };
            store.llm_settle(&settlement).await.unwrap();
        }
        let of_a = store.llm_spend(&a).await.unwrap();
        assert_eq!(of_a, vec![calls[0].clone(), calls[3].clone()], "{name}");
        let days = store.llm_days(day(6), day(8)).await.unwrap();
        assert_eq!(days.len(), 2, "{name}: {days:?}");
        assert_eq!(days[0].day, day(6));
        assert_eq!(days[0].calls, 2);
        assert_eq!(days[0].prompt_tokens, 1010);
        assert_eq!(days[0].completion_tokens, 205);
        assert_eq!(days[0].cost, Some("0.00027".parse().unwrap()), "{name}");
        assert_eq!(days[1].cost, Some("1.5".parse().unwrap()), "{name}");
        assert!(store.llm_days(day(10), day(12)).await.unwrap().is_empty());
    }
    set.done().await;
}
