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
    let mut run = deployment.spawn(&["run"]);
    let expected: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(fixtures.join("expected.json")).unwrap()).unwrap();
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for decision in expected.values() {
        *want.entry(decision.clone()).or_default() += 1;
    }
    want.insert("split".into(), 2); // the two mails, split into their documents
    let got = deployment.wait_for(Duration::from_secs(60), |states| *states == want);
    let exit = terminate(&mut run);
    let stderr = stderr_of(&mut run);
    deployment.clean_up().await;
    assert_eq!(got, want, "documents per state; docket run said:\n{stderr}");
    assert!(exit.success(), "docket run exited with {exit}:\n{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");
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
