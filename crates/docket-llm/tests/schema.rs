//! The committed `schemas/llm-reading.json` must be the answer schema the
//! client sends (house rule 7).

#[test]
fn the_committed_answer_schema_is_fresh() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    for (name, text) in docket_llm::schema::files() {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/{name} is stale: run `cargo run -p docket -- schemas` and commit"
        );
    }
}
