//! The committed `fixtures/` are exactly what the generator writes.

mod common;

use docket_fixtures::{OWNED_DIRS, generate, write_all};

const STALE: &str = "fixtures are stale: run cargo run -p docket-fixtures -- --out fixtures";

#[test]
fn committed_fixtures_are_fresh() {
    let tmp = std::env::temp_dir().join(format!("docket-fixtures-fresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let files = write_all(&tmp).expect("generator runs");
    let committed = common::committed();
    let mut problems = Vec::new();
    for f in &files {
        let fresh = std::fs::read(tmp.join(&f.path)).expect("generated file readable");
        assert_eq!(fresh, f.bytes, "{} was not written as generated", f.path);
        match std::fs::read(committed.join(&f.path)) {
            Ok(old) if old == fresh => {}
            Ok(_) => problems.push(format!("{} differs", f.path)),
            Err(_) => problems.push(format!("{} is missing", f.path)),
        }
    }
    for dir in OWNED_DIRS {
        let Ok(entries) = std::fs::read_dir(committed.join(dir)) else {
            problems.push(format!("{dir}/ is missing"));
            continue;
        };
        for entry in entries.flatten() {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !files.iter().any(|f| f.path == rel) {
                problems.push(format!("{rel} is not generated any more"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(problems.is_empty(), "{STALE}\n{}", problems.join("\n"));
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(
        generate().expect("first run"),
        generate().expect("second run")
    );
}
