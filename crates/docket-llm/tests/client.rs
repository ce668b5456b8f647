//! The client against the simulator over real HTTP on loopback: reading and
//! grounding, concurrency and its bound, retries, and each failure class.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{INJECTION, INVOICE, settings};
use docket_domain::{Currency, DocumentKind, ExtractorKind, Money};
use docket_llm::sim::{self, SimOptions};
use docket_llm::{AnswerFormat, LlmApi, LlmClient, LlmError, LlmSettings, prompt};
use rust_decimal_macros::dec;

async fn start(options: SimOptions) -> sim::SimHandle {
    sim::start_local(options).await.expect("simulator starts")
}

fn client(s: LlmSettings) -> LlmClient {
    LlmClient::new(s).expect("client")
}

#[tokio::test]
async fn a_plain_text_invoice_is_read_with_grounded_fields() {
    let sim = start(SimOptions::default()).await;
    let reading = client(settings(&sim.base_url()))
        .read(INVOICE)
        .await
        .expect("read");
    let doc = reading.into_document(INVOICE);

    let llm = ExtractorKind::Llm.base_confidence();
    assert_eq!(doc.kind(), DocumentKind::Invoice);
    assert_eq!(doc.number(), Some("RE-2026-10481"));
    let gross = doc.totals.gross.as_ref().expect("gross");
    assert_eq!(gross.value, Money::new(dec!(406.39), Currency::EUR));
    assert_eq!(gross.evidence.extractor, ExtractorKind::Llm);
    assert_eq!(
        gross.evidence.source_text.as_deref(),
        Some("Rechnungsbetrag EUR 406,39")
    );
    assert_eq!(
        doc.seller.bank_accounts[0].iban.value,
        "DE12200505501283746510"
    );
    assert_eq!(
        doc.seller.vat_id.as_ref().map(|f| f.value.as_str()),
        Some("DE273819459")
    );
    assert_eq!(doc.references.purchase_orders[0].value, "4500000101");
    assert_eq!(doc.lines.len(), 2);
    assert!(doc.header.notes.is_empty(), "{:?}", doc.header.notes);
    // Every value was found in the text, so none is marked down.
    let fields = doc.lowest_confidence_fields();
    assert!(fields.len() >= 7, "{fields:?}");
    assert!(fields.iter().all(|(_, c)| *c == llm), "{fields:?}");
    assert_eq!(doc.header.kind.confidence, llm);

    let stats = sim.stats();
    assert_eq!((stats.requests, stats.answered), (1, 1));
}

#[tokio::test]
async fn the_request_asks_for_the_answer_schema_at_temperature_zero_with_the_document_fenced() {
    let sim = start(SimOptions {
        api_key: Some("sk-test-key".to_string()),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        api_key: Some("sk-test-key".to_string()),
        model: "some-model".to_string(),
        ..settings(&sim.base_url())
    };
    client(s).read(INVOICE).await.expect("read with the key");
    let request = sim.last_request().expect("a request was seen");
    assert_eq!(request["model"], "some-model");
    assert_eq!(request["response_format"]["type"], "json_schema");
    assert_eq!(
        &request["response_format"]["json_schema"]["schema"],
        docket_llm::schema::answer()
    );
    assert_eq!(request["temperature"], 0.0);
    assert_eq!(request["messages"][0]["role"], "system");
    assert_eq!(request["messages"][0]["content"], prompt::SYSTEM_PROMPT);
    let user = request["messages"][1]["content"]
        .as_str()
        .expect("user text");
    assert_eq!(prompt::document_text(user), Some(INVOICE));
}

#[tokio::test]
async fn a_wrong_api_key_is_a_permanent_error() {
    let sim = start(SimOptions {
        api_key: Some("sk-right".to_string()),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        api_key: Some("sk-wrong".to_string()),
        ..settings(&sim.base_url())
    };
    let err = client(s).read(INVOICE).await.expect_err("refused");
    assert!(
        matches!(err, LlmError::Rejected { status: 401, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert!(err.to_string().contains("check the API key"), "{err}");
    assert!(!err.to_string().contains("sk-wrong"), "{err}");
    assert_eq!(sim.stats().requests, 1, "a permanent error is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_served_concurrently() {
    let sim = start(SimOptions {
        latency: Duration::from_millis(200),
        ..SimOptions::default()
    })
    .await;
    let client = Arc::new(client(settings(&sim.base_url())));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move { client.read(INVOICE).await });
    }
    while let Some(result) = tasks.join_next().await {
        let reading = result.expect("task").expect("read");
        assert_eq!(reading.number.as_deref(), Some("RE-2026-10481"));
    }
    let stats = sim.stats();
    assert_eq!(stats.answered, 20);
    // Served one after another, no two would overlap.
    assert!(stats.peak_in_flight >= 10, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_concurrency_bounds_requests_in_flight() {
    let sim = start(SimOptions {
        latency: Duration::from_millis(100),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        max_concurrency: 3,
        ..settings(&sim.base_url())
    };
    let client = Arc::new(client(s));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let client = client.clone();
        tasks.spawn(async move { client.read(INVOICE).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("read");
    }
    let stats = sim.stats();
    assert_eq!(stats.answered, 12);
    assert_eq!(stats.peak_in_flight, 3, "{stats:?}");
}

#[tokio::test]
async fn server_errors_are_retried_until_they_succeed() {
    let sim = start(SimOptions {
        fail_every_nth: Some(2),
        ..SimOptions::default()
    })
    .await;
    let client = client(settings(&sim.base_url()));
    for _ in 0..3 {
        let reading = client.read(INVOICE).await.expect("read after a retry");
        assert_eq!(reading.gross.as_deref(), Some("406.39"));
    }
    // Requests 2 and 4 failed and were retried as 3 and 5.
    let stats = sim.stats();
    assert_eq!(
        (stats.requests, stats.server_errors, stats.answered),
        (5, 2, 3)
    );
}

#[tokio::test]
async fn a_server_that_keeps_failing_gives_a_transient_error_after_max_attempts() {
    let sim = start(SimOptions {
        fail_every_nth: Some(1),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        max_attempts: 3,
        ..settings(&sim.base_url())
    };
    let err = client(s).read(INVOICE).await.expect_err("always 500");
    assert!(
        matches!(err, LlmError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(err.to_string().contains("injected fault"), "{err}");
    assert_eq!(sim.stats().requests, 3);
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_wait_the_server_asks_for() {
    let sim = start(SimOptions {
        rate_limit_every_nth: Some(2),
        retry_after_secs: 1,
        ..SimOptions::default()
    })
    .await;
    let client = client(settings(&sim.base_url()));
    client.read(INVOICE).await.expect("first read");
    client
        .read(INVOICE)
        .await
        .expect("second read, after a 429");
    let stats = sim.stats();
    assert_eq!((stats.requests, stats.rate_limited), (3, 1));
    // The backoff alone would be 10 ms; Retry-After asked for 1 s.
    let arrivals = sim.arrivals();
    let waited = arrivals[2] - arrivals[1];
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
}

#[tokio::test]
async fn a_retry_after_given_as_an_http_date_is_waited_out_too() {
    let sim = start(SimOptions {
        rate_limit_every_nth: Some(1),
        retry_after_secs: 1,
        retry_after_as_date: true,
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        max_attempts: 2,
        ..settings(&sim.base_url())
    };
    let err = client(s).read(INVOICE).await.expect_err("429 twice");
    assert!(
        matches!(err, LlmError::RateLimited { retry_after: Some(w) } if w > Duration::ZERO),
        "{err:?}"
    );
    // A date has whole seconds only: the server asked for 1 to 2 s.
    let arrivals = sim.arrivals();
    let waited = arrivals[1] - arrivals[0];
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert_eq!(sim.stats().rate_limited, 2);
}

#[tokio::test]
async fn a_retry_after_beyond_backoff_max_is_handed_back_not_waited_out() {
    let sim = start(SimOptions {
        rate_limit_every_nth: Some(1),
        retry_after_secs: 30,
        ..SimOptions::default()
    })
    .await;
    let err = client(settings(&sim.base_url()))
        .read(INVOICE)
        .await
        .expect_err("429");
    assert_eq!(
        err,
        LlmError::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert!(err.is_transient());
    assert_eq!(sim.stats().requests, 1);
}

#[tokio::test]
async fn a_garbage_answer_is_a_permanent_error_with_a_clear_message() {
    let sim = start(SimOptions {
        garbage: true,
        ..SimOptions::default()
    })
    .await;
    let err = client(settings(&sim.base_url()))
        .read(INVOICE)
        .await
        .expect_err("not JSON");
    assert!(matches!(err, LlmError::NotJson(_)), "{err:?}");
    assert!(!err.is_transient());
    let message = err.to_string();
    assert!(
        message.starts_with(
            "the language model answered with something that is not the requested JSON: "
        ),
        "{message}"
    );
    assert!(message.contains("Sure! I had a look"), "{message}");
    assert_eq!(sim.stats().requests, 1, "a permanent error is not retried");
}

#[tokio::test]
async fn an_answer_off_the_schema_is_a_permanent_error_naming_the_mismatch() {
    let sim = start(SimOptions {
        off_schema: true,
        ..SimOptions::default()
    })
    .await;
    let exchange = client(settings(&sim.base_url())).exchange(INVOICE).await;
    let err = exchange.result.expect_err("off the schema");
    assert_eq!(
        err,
        LlmError::Schema("$: key \"confidence\" is not in the schema".to_string())
    );
    assert!(!err.is_transient());
    assert_eq!(sim.stats().requests, 1, "a permanent error is not retried");
    // It was answered, so it cost what the service counted.
    assert!(exchange.spent.total() > 0 && !exchange.spent.estimated);
}

#[tokio::test]
async fn servers_without_json_schema_are_asked_for_a_json_object() {
    let sim = start(SimOptions {
        no_json_schema: true,
        ..SimOptions::default()
    })
    .await;
    let err = client(settings(&sim.base_url()))
        .read(INVOICE)
        .await
        .expect_err("json_schema refused");
    assert!(
        matches!(err, LlmError::Rejected { status: 400, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("json_schema"), "{err}");
    let s = LlmSettings {
        response_format: AnswerFormat::JsonObject,
        ..settings(&sim.base_url())
    };
    let reading = client(s)
        .read(INVOICE)
        .await
        .expect("read as a JSON object");
    assert_eq!(reading.number.as_deref(), Some("RE-2026-10481"));
    let request = sim.last_request().expect("request");
    assert_eq!(
        request["response_format"],
        serde_json::json!({"type": "json_object"})
    );
}

#[tokio::test]
async fn tokens_are_counted_as_reported_or_estimated_when_not() {
    let sim = start(SimOptions::default()).await;
    let c = client(settings(&sim.base_url()));
    let exchange = c.exchange(INVOICE).await;
    exchange.result.expect("read");
    let spent = exchange.spent;
    assert!(
        spent.prompt_tokens > 500 && spent.completion_tokens > 50,
        "{spent:?}"
    );
    assert!(!spent.estimated);
    assert_eq!(spent.attempts, 1);
    let estimate = c.estimate(INVOICE);
    assert!(
        estimate.total() > spent.total(),
        "{estimate:?} vs {spent:?}"
    );

    let silent = start(SimOptions {
        no_usage: true,
        ..SimOptions::default()
    })
    .await;
    let c = client(settings(&silent.base_url()));
    let exchange = c.exchange(INVOICE).await;
    exchange.result.expect("read");
    assert!(exchange.spent.estimated);
    assert_eq!(exchange.spent.total(), c.estimate(INVOICE).total());

    let failing = start(SimOptions {
        fail_every_nth: Some(1),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        max_attempts: 2,
        ..settings(&failing.base_url())
    };
    let exchange = client(s).exchange(INVOICE).await;
    assert!(exchange.result.is_err());
    assert_eq!(exchange.spent.total(), 0, "refused requests cost nothing");
    assert_eq!(exchange.spent.attempts, 2);
}

#[tokio::test]
async fn azure_openai_is_reached_by_deployment_with_the_api_key_header() {
    let sim = start(SimOptions {
        model: "docket-gpt-4o".to_string(),
        api_key: Some("azure-secret".to_string()),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        api: LlmApi::Azure,
        model: "docket-gpt-4o".to_string(),
        api_key: Some("azure-secret".to_string()),
        ..settings(&sim.azure_endpoint())
    };
    let reading = client(s.clone()).read(INVOICE).await.expect("read");
    assert_eq!(reading.number.as_deref(), Some("RE-2026-10481"));
    let wrong = LlmSettings {
        api_key: Some("not-it".to_string()),
        ..s
    };
    let err = client(wrong).read(INVOICE).await.expect_err("wrong key");
    assert!(
        matches!(err, LlmError::Rejected { status: 401, .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains("not-it"), "{err}");
}

#[tokio::test]
async fn a_slow_model_times_out_as_a_transient_error() {
    let sim = start(SimOptions {
        latency: Duration::from_secs(5),
        ..SimOptions::default()
    })
    .await;
    let s = LlmSettings {
        timeout: Duration::from_millis(300),
        max_attempts: 2,
        ..settings(&sim.base_url())
    };
    let err = client(s).read(INVOICE).await.expect_err("time-out");
    assert_eq!(
        err,
        LlmError::Timeout {
            after: Duration::from_millis(300)
        }
    );
    assert!(err.is_transient());
    assert_eq!(
        err.to_string(),
        "the language model did not answer within 0.3 s"
    );
    assert_eq!(sim.stats().requests, 2, "time-outs are retried");
}

#[tokio::test]
async fn an_unreachable_service_is_a_transient_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let s = LlmSettings {
        max_attempts: 2,
        ..settings(&format!("http://{addr}/v1"))
    };
    let err = client(s).read(INVOICE).await.expect_err("nobody listens");
    assert!(matches!(err, LlmError::Connection(_)), "{err:?}");
    assert!(err.is_transient());
    assert!(
        err.to_string()
            .starts_with("could not reach the language model service"),
        "{err}"
    );
}

#[tokio::test]
async fn an_injected_iban_the_model_obeys_is_not_trusted() {
    let text = format!("{INVOICE}{INJECTION}");
    let honest = start(SimOptions::default()).await;
    let doc = client(settings(&honest.base_url()))
        .read(&text)
        .await
        .expect("read")
        .into_document(&text);
    let iban = &doc.seller.bank_accounts[0].iban;
    assert_eq!(iban.value, "DE12200505501283746510");
    assert_eq!(iban.confidence, ExtractorKind::Llm.base_confidence());

    let gullible = start(SimOptions {
        gullible: true,
        ..SimOptions::default()
    })
    .await;
    let reading = client(settings(&gullible.base_url()))
        .read(&text)
        .await
        .expect("read");
    // The model fell for it ...
    let claimed = reading.seller.as_ref().and_then(|s| s.iban.clone());
    assert_eq!(claimed.as_deref(), Some("DE89370400440532013000"));
    let doc = reading.into_document(&text);
    // ... and Docket does not: a valid IBAN, written in the text, but only in
    // the injected instruction, is no evidence; the reviewer reads why.
    assert!(doc.seller.bank_accounts.is_empty(), "{:?}", doc.seller);
    let notes = doc.header.notes.join("\n");
    assert!(notes.contains("possible prompt injection"), "{notes}");
    assert!(notes.contains("DE89370400440532013000"), "{notes}");
    // The rest of the document is read as before.
    assert_eq!(
        doc.totals.gross.as_ref().map(|f| f.confidence),
        Some(ExtractorKind::Llm.base_confidence())
    );
}

#[tokio::test]
async fn an_injected_iban_with_wrong_check_digits_is_left_out_too() {
    let injection = INJECTION.replace("0130 00", "0130 01");
    let text = format!("{INVOICE}{injection}");
    let gullible = start(SimOptions {
        gullible: true,
        ..SimOptions::default()
    })
    .await;
    let doc = client(settings(&gullible.base_url()))
        .read(&text)
        .await
        .expect("read")
        .into_document(&text);
    // Only in the injected instruction: no evidence, so no bank account,
    // whatever its check digits.
    assert!(doc.seller.bank_accounts.is_empty(), "{:?}", doc.seller);
    let notes = doc.header.notes.join("\n");
    assert!(notes.contains("DE89370400440532013001"), "{notes}");
}

#[tokio::test]
async fn long_documents_are_cut_with_a_note() {
    let sim = start(SimOptions::default()).await;
    let s = LlmSettings {
        max_input_chars: 600,
        ..settings(&sim.base_url())
    };
    let reading = client(s).read(INVOICE).await.expect("read");
    let request = sim.last_request().expect("request");
    let user = request["messages"][1]["content"].as_str().expect("user");
    let total = INVOICE.chars().count();
    assert!(
        user.contains(&format!("cut after 600 of its {total} characters")),
        "{user}"
    );
    let sent = prompt::document_text(user).expect("fenced");
    assert!(sent.chars().count() <= 601, "{}", sent.chars().count());
    // The header was in the first 600 characters; the totals were not.
    assert_eq!(reading.number.as_deref(), Some("RE-2026-10481"));
    assert_eq!(reading.gross, None);
}
