//! The simulator as a server: the OpenAI response shapes, its errors, stopping,
//! and the `docket-llm-sim` binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::INVOICE;
use docket_llm::prompt;
use docket_llm::sim::{self, SimOptions};
use serde_json::{Value, json};

async fn post(url: &str, body: String) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

#[tokio::test]
async fn completions_have_the_openai_shape() {
    let sim = sim::start_local(SimOptions::default()).await.expect("sim");
    let request = prompt::request(&docket_llm::LlmSettings::default(), INVOICE);
    let body = serde_json::to_string(&request).expect("json");
    let url = format!("{}/chat/completions", sim.base_url());
    let (status, v) = post(&url, body).await;
    assert_eq!(status, 200, "{v}");
    assert!(
        v["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("chatcmpl-")),
        "{v}"
    );
    assert_eq!(v["object"], "chat.completion");
    assert!(v["created"].as_i64().is_some_and(|t| t > 1_600_000_000));
    assert_eq!(v["model"], "docket-sim");
    assert_eq!(v["choices"][0]["index"], 0);
    assert_eq!(v["choices"][0]["message"]["role"], "assistant");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    let usage = &v["usage"];
    assert!(usage["total_tokens"].as_u64().is_some_and(|t| t > 0), "{v}");
    let content = v["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    let answer: Value = serde_json::from_str(content).expect("the answer is JSON");
    assert_eq!(answer["number"], "RE-2026-10481");
    assert_eq!(answer["gross"], "406.39");
    assert_eq!(answer["quotes"]["gross"], "Rechnungsbetrag EUR 406,39");
    // The answer fits the schema it was asked for, strictly.
    docket_llm::validate::validate(docket_llm::schema::answer(), &answer, false)
        .expect("the simulator's answer fits the answer schema");
}

#[tokio::test]
async fn json_schema_formats_are_checked_as_strict_mode_checks_them() {
    let sim = sim::start_local(SimOptions::default()).await.expect("sim");
    let url = format!("{}/chat/completions", sim.base_url());
    let request = |format: Value| {
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
               "response_format": format})
        .to_string()
    };
    let open = json!({"type": "json_schema", "json_schema": {"name": "r", "strict": true,
        "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}});
    let (status, v) = post(&url, request(open)).await;
    assert_eq!(status, 400, "{v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Invalid schema for response_format 'r'")
            && message.contains("additionalProperties"),
        "{message}"
    );
    let (status, v) = post(&url, request(json!({"type": "json_schema"}))).await;
    assert_eq!(status, 400, "{v}");
    let (status, v) = post(&url, request(json!({"type": "yaml"}))).await;
    assert_eq!(status, 400, "{v}");
    let ours = serde_json::to_value(docket_llm::prompt::response_format(
        docket_llm::AnswerFormat::JsonSchema,
    ))
    .expect("json");
    let (status, v) = post(&url, request(ours.clone())).await;
    assert_eq!(status, 200, "{v}");

    let older = sim::start_local(SimOptions {
        no_json_schema: true,
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let url = format!("{}/chat/completions", older.base_url());
    let (status, v) = post(&url, request(ours)).await;
    assert_eq!(status, 400, "{v}");
    let (status, v) = post(&url, request(json!({"type": "json_object"}))).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn the_azure_shape_needs_the_deployment_the_version_and_the_api_key_header() {
    let sim = sim::start_local(SimOptions {
        model: "gpt-4o-ap".to_string(),
        api_key: Some("azure-key".to_string()),
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let body = serde_json::to_string(&prompt::request(
        &docket_llm::LlmSettings::default(),
        INVOICE,
    ))
    .expect("json");
    let send = |path: &str, key: Option<(&'static str, &'static str)>| {
        let mut builder = reqwest::Client::new()
            .post(format!("{}{path}", sim.azure_endpoint()))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some((name, value)) = key {
            builder = builder.header(name, value);
        }
        async move { builder.send().await.expect("send").status().as_u16() }
    };
    let path = "/openai/deployments/gpt-4o-ap/chat/completions?api-version=2024-10-21";
    assert_eq!(send(path, Some(("api-key", "azure-key"))).await, 200);
    assert_eq!(
        send(path, Some(("authorization", "Bearer azure-key"))).await,
        401
    );
    assert_eq!(send(path, None).await, 401);
    let no_version = "/openai/deployments/gpt-4o-ap/chat/completions";
    assert_eq!(send(no_version, Some(("api-key", "azure-key"))).await, 404);
    let other = "/openai/deployments/other/chat/completions?api-version=2024-10-21";
    assert_eq!(send(other, Some(("api-key", "azure-key"))).await, 404);
}

#[tokio::test]
async fn models_are_listed() {
    let sim = sim::start_local(SimOptions {
        model: "sim-7b".to_string(),
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let v: Value = reqwest::get(format!("{}/models", sim.base_url()))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["object"], "list");
    assert_eq!(v["data"][0]["id"], "sim-7b");
}

#[tokio::test]
async fn bad_requests_get_openai_style_errors() {
    let sim = sim::start_local(SimOptions::default()).await.expect("sim");
    let url = format!("{}/chat/completions", sim.base_url());
    let (status, v) = post(&url, "{not json".to_string()).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["type"], "invalid_request_error");
    let no_user = json!({"model": "m", "messages": [{"role": "system", "content": "x"}]});
    let (status, v) = post(&url, no_user.to_string()).await;
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("user message")),
        "{v}"
    );
    let (status, _) = post(&format!("{}/embeddings", sim.base_url()), "{}".into()).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn stop_ends_the_server() {
    let sim = sim::start_local(SimOptions::default()).await.expect("sim");
    let url = format!("{}/models", sim.base_url());
    assert!(reqwest::get(&url).await.is_ok());
    sim.stop().await.expect("stops cleanly");
    let after = reqwest::Client::new().get(&url).send().await;
    assert!(after.is_err(), "still answering after stop: {after:?}");
}

/// Kills the child process on drop, so a failed assertion leaves nothing running.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_base_url_first_and_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_docket-llm-sim"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--latency-ms",
                "0",
                "--fault",
                "garbage",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    let base = first.trim();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/v1"),
        "{first:?}"
    );
    let s = docket_llm::LlmSettings {
        max_attempts: 1,
        ..common::settings(base)
    };
    let err = docket_llm::LlmClient::new(s)
        .expect("client")
        .read(INVOICE)
        .await
        .expect_err("the garbage fault is on");
    assert!(matches!(err, docket_llm::LlmError::NotJson(_)), "{err:?}");
}

#[test]
fn the_binary_refuses_an_unknown_fault() {
    let out = Command::new(env!("CARGO_BIN_EXE_docket-llm-sim"))
        .args(["--listen", "127.0.0.1:0", "--fault", "explode"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown fault"), "{stderr}");
}
