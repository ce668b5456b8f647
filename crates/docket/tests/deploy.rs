//! The deployment files parse, and every `docket ...` command they run is a real
//! subcommand with real flags, so a renamed flag cannot silently break them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn files(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path, ext));
        } else if path
            .extension()
            .is_some_and(|e| ext.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Checks that `docket <words...>` is accepted: the subcommand exists and every
/// `--flag` appears in its help.
fn assert_docket_command(words: &[String], origin: &Path) {
    let sub = &words[0];
    let help = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args([sub, "--help"])
        .output()
        .unwrap();
    assert!(
        help.status.success(),
        "{}: `docket {sub}` is not a command",
        origin.display()
    );
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in words.iter().filter(|w| w.starts_with("--")) {
        assert!(
            text.contains(flag.as_str()),
            "{}: `docket {sub}` has no {flag}",
            origin.display()
        );
    }
}

fn args_of(node: &Yaml, found: &mut Vec<Vec<String>>) {
    match node {
        Yaml::Hash(map) => {
            for (key, value) in map {
                if matches!(key.as_str(), Some("args" | "command"))
                    && let Some(list) = value.as_vec()
                {
                    let words: Vec<String> = list
                        .iter()
                        .filter_map(|w| w.as_str().map(str::to_string))
                        .collect();
                    if !words.is_empty() {
                        found.push(words);
                    }
                }
                args_of(value, found);
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| args_of(i, found)),
        _ => {}
    }
}

#[test]
fn yaml_files_parse_and_run_real_commands() {
    let yamls = files(&deploy(), &["yml", "yaml"]);
    assert!(yamls.len() >= 4, "{yamls:?}");
    let mut commands = 0;
    for path in yamls {
        let text = std::fs::read_to_string(&path).unwrap();
        let docs =
            YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!docs.is_empty(), "{}", path.display());
        for doc in &docs {
            let mut found = Vec::new();
            args_of(doc, &mut found);
            for words in found
                .iter()
                .filter(|w| !w[0].starts_with('-') && w[0] != "CMD")
            {
                // Compose healthchecks and other images' commands are not ours.
                if ["pg_isready", "rabbitmq-diagnostics"].contains(&words[0].as_str()) {
                    continue;
                }
                let words = if words[0] == "docket" {
                    &words[1..]
                } else {
                    &words[..]
                };
                assert_docket_command(words, &path);
                commands += 1;
            }
        }
    }
    assert!(
        commands >= 6,
        "only {commands} docket commands found in the YAML files"
    );
}

#[test]
fn kubernetes_has_a_deployment_per_stage_and_the_embedded_config_parses() {
    let dir = deploy().join("kubernetes");
    for stage in ["extract", "match", "post"] {
        let text = std::fs::read_to_string(dir.join(format!("worker-{stage}.yaml"))).unwrap();
        let doc = &YamlLoader::load_from_str(&text).unwrap()[0];
        assert_eq!(doc["kind"].as_str(), Some("Deployment"));
        let container = &doc["spec"]["template"]["spec"]["containers"][0];
        let args: Vec<&str> = container["args"]
            .as_vec()
            .unwrap()
            .iter()
            .filter_map(Yaml::as_str)
            .collect();
        assert_eq!(args.last(), Some(&stage), "{args:?}");
        for (probe, path) in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")] {
            let get = &container[probe]["httpGet"];
            assert_eq!(get["path"].as_str(), Some(path), "{stage}: {probe}");
            assert_eq!(get["port"].as_str(), Some("health"), "{stage}: {probe}");
        }
        assert_eq!(
            container["ports"][0]["containerPort"].as_i64(),
            Some(9464),
            "{stage}"
        );
    }
    let text = std::fs::read_to_string(dir.join("config.yaml")).unwrap();
    let docs = YamlLoader::load_from_str(&text).unwrap();
    let config = docs[0]["data"]["docket.toml"].as_str().unwrap();
    let table: toml::Table = config.parse().unwrap();
    assert_eq!(table["store"]["kind"].as_str(), Some("postgres"));
    // The probes above reach the port the configuration serves health on.
    assert_eq!(table["health"]["listen"].as_str(), Some("0.0.0.0:9464"));
}

#[test]
fn systemd_units_run_real_commands_and_the_image_is_not_root() {
    let units = files(&deploy().join("systemd"), &["service"]);
    assert!(units.len() >= 2);
    for unit in units {
        let text = std::fs::read_to_string(&unit).unwrap();
        for section in ["[Unit]", "[Service]", "[Install]"] {
            assert!(
                text.contains(section),
                "{}: {section} missing",
                unit.display()
            );
        }
        for line in text.lines().filter(|l| l.starts_with("ExecStart")) {
            let command = line.split_once('=').unwrap().1;
            let words: Vec<String> = command
                .split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect();
            assert_docket_command(&words, &unit);
        }
    }
    let dockerfile = std::fs::read_to_string(deploy().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(" AS build") && dockerfile.contains("FROM debian"),
        "multi-stage"
    );
    assert!(
        dockerfile
            .lines()
            .any(|l| l.starts_with("USER ") && !l.contains("root")),
        "non-root user"
    );
}
