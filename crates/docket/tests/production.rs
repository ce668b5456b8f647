//! `docket run` on the real services: PostgreSQL and RabbitMQ, the fixture inbox
//! as a drop folder. Every document reaches the decision the demo reaches, and
//! SIGTERM stops the process cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::{Deployment, repo, stderr_of, terminate};

#[tokio::test(flavor = "multi_thread")]
async fn docket_run_on_postgres_and_rabbitmq_decides_like_the_demo() {
    let fixtures = repo().join("fixtures");
    let deployment = Deployment::new(&fixtures.join("inbox"), &fixtures.join("erp"));
    let health = free_port();
    let mut run = deployment
        .command(&["run"])
        .env("DOCKET__HEALTH__LISTEN", &health)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let expected: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(fixtures.join("expected.json")).unwrap()).unwrap();
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for decision in expected.values() {
        *want.entry(decision.clone()).or_default() += 1;
    }
    want.insert("split".into(), 2); // the two mails, split into their documents
    let got = deployment.wait_for(Duration::from_secs(60), |states| *states == want);
    let probes = probe_health(&health).await;
    let exit = terminate(&mut run);
    let stderr = stderr_of(&mut run);
    deployment.clean_up().await;
    assert_eq!(got, want, "documents per state; docket run said:\n{stderr}");
    assert!(exit.success(), "docket run exited with {exit}:\n{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");
    let (live, ready, metrics) = probes;
    assert_eq!(live, 200, "/healthz");
    assert_eq!(ready, (200, "ready\n".to_string()), "/readyz");
    let booked = format!("docket_documents{{state=\"booked\"}} {}", want["booked"]);
    assert!(metrics.contains(&booked), "{metrics}");
    assert!(
        metrics.contains("docket_queue_messages{queue="),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_fails_with_the_reason_when_the_database_goes_away() {
    let fixtures = repo().join("fixtures");
    let deployment = Deployment::new(&fixtures.join("inbox"), &fixtures.join("erp"));
    let health = free_port();
    let mut worker = deployment
        .command(&["worker", "--stage", "all"])
        .env("DOCKET__HEALTH__LISTEN", &health)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let readyz = format!("http://{health}/readyz");
    let mut ready = None;
    for _ in 0..100 {
        if let Ok(response) = client.get(&readyz).send().await {
            ready = Some(response.status().as_u16());
            if ready == Some(200) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The database disappears under the running worker.
    let (server, name) = deployment.db_url.rsplit_once('/').unwrap();
    let admin = sqlx::PgPool::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    let gone = client.get(&readyz).send().await.unwrap();
    let gone = (gone.status().as_u16(), gone.text().await.unwrap());
    let live = client
        .get(format!("http://{health}/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    terminate(&mut worker);
    let stderr = stderr_of(&mut worker);
    deployment.clean_up().await;
    assert_eq!(ready, Some(200), "ready before; the worker said:\n{stderr}");
    assert_eq!(gone.0, 503, "{gone:?}");
    assert!(gone.1.starts_with("not ready: the store"), "{gone:?}");
    assert_eq!(
        live, 200,
        "still alive: the orchestrator must not restart it"
    );
}

/// A loopback address with a port nobody listens on.
fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// `/healthz`'s status, `/readyz`'s status and body, and `/metrics`.
async fn probe_health(addr: &str) -> (u16, (u16, String), String) {
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("http://{addr}{path}")).send();
    let live = get("/healthz").await.unwrap().status().as_u16();
    let ready = get("/readyz").await.unwrap();
    let ready = (ready.status().as_u16(), ready.text().await.unwrap());
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    (live, ready, metrics)
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_refuse_a_database_that_is_not_migrated() {
    use sqlx::migrate::MigrateDatabase;
    let fixtures = repo().join("fixtures");
    let deployment = Deployment::new(&fixtures.join("inbox"), &fixtures.join("erp"));
    let unmigrated = format!("{}_empty", deployment.db_url);
    sqlx::Postgres::create_database(&unmigrated).await.unwrap();
    for command in [["status"].as_slice(), ["ingest", "--once"].as_slice()] {
        let out = deployment
            .command(command)
            .env("DOCKET__STORE__URL", &unmigrated)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{command:?} must refuse");
        assert!(
            stderr.contains("run `docket migrate` first"),
            "{command:?}: {stderr}"
        );
    }
    sqlx::Postgres::drop_database(&unmigrated).await.unwrap();
    deployment.clean_up().await;
}
