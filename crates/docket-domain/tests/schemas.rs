//! The committed `schemas/*.json` must be what the types generate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn committed_schemas_are_fresh() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    for (name, text) in docket_domain::schema::all() {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/{name} is stale: run `cargo run -p docket -- schemas` and commit"
        );
    }
}
