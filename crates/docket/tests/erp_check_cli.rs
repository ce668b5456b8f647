//! `docket erp check` as an operator runs it: every check of a working ERP
//! passes (exit 0), a setting that is missing is named (exit 2), an ERP that
//! cannot be reached fails with a hint (exit 1).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn check(config: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docket.toml");
    std::fs::write(&path, config).unwrap();
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["erp", "check", "--config"])
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .expect("run docket erp check")
}

#[test]
fn the_sandbox_passes_every_check() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/erp");
    let out = check(&format!(
        "[erp]\nkind = \"sandbox\"\nseed = {:?}\nstate = \"state/sandbox.json\"\n",
        seed.display().to_string()
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.lines().filter(|l| l.contains("ok")).count() >= 3,
        "{text}"
    );
}

#[test]
fn a_missing_setting_is_named_and_an_unreachable_erp_fails_with_a_hint() {
    let out = check(
        "[erp]\nkind = \"sap\"\n[erp.sap]\nbase_url = \"http://127.0.0.1:9\"\nuser = \"DOCKET\"\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("erp.sap.password"));

    // Port 9 (discard) on loopback: nothing listens there.
    let out = check(
        "[erp]\nkind = \"sap\"\ntimeout_secs = 2\nattempts = 1\n[erp.sap]\nbase_url = \"http://127.0.0.1:9\"\nuser = \"DOCKET\"\npassword = \"x\"\n",
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("base_url"),
        "the hint names the setting to fix: {text}"
    );
}
