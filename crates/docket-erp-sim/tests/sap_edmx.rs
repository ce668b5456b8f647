//! The SAP simulator's entity sets, keys, properties and navigations
//! against SAP's own EDMX files in `../shared/erp-specs/sap`, so that
//! neither the simulator nor the adapter (which takes its names from the
//! same wire) can drift from the published services.

use std::collections::HashMap;
use std::path::PathBuf;

use docket_erp_sim::sap::schema::SETS;

struct EntityType {
    keys: Vec<String>,
    properties: Vec<String>,
    navigations: Vec<String>,
}

/// Entity set → entity type of one EDMX file.
fn read_edmx(text: &str) -> (HashMap<String, String>, HashMap<String, EntityType>) {
    let doc = roxmltree::Document::parse(text).expect("EDMX is XML");
    let mut sets = HashMap::new();
    let mut types = HashMap::new();
    for node in doc.descendants() {
        match node.tag_name().name() {
            "EntitySet" => {
                let ty = node.attribute("EntityType").unwrap_or_default();
                let short = ty.rsplit('.').next().unwrap_or(ty).to_string();
                sets.insert(
                    node.attribute("Name").unwrap_or_default().to_string(),
                    short,
                );
            }
            "EntityType" => {
                let names = |tag: &str| -> Vec<String> {
                    node.descendants()
                        .filter(|n| n.tag_name().name() == tag)
                        .filter_map(|n| n.attribute("Name").map(str::to_string))
                        .collect()
                };
                types.insert(
                    node.attribute("Name").unwrap_or_default().to_string(),
                    EntityType {
                        keys: names("PropertyRef"),
                        properties: names("Property"),
                        navigations: names("NavigationProperty"),
                    },
                );
            }
            _ => {}
        }
    }
    (sets, types)
}

#[test]
fn simulator_schema_matches_the_edmx_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/erp-specs/sap");
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: {} is absent, the SAP simulator's names are not checked against the EDMX files",
            dir.display()
        );
        return;
    }
    let mut checked = 0;
    for set in SETS {
        let path = dir.join(format!("{}.edmx", set.service));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (sets, types) = read_edmx(&text);
        let ty_name = sets
            .get(set.name)
            .unwrap_or_else(|| panic!("{} has no entity set {}", set.service, set.name));
        assert_eq!(ty_name, set.entity_type, "entity type of {}", set.name);
        let ty = &types[ty_name];
        assert_eq!(ty.keys, set.keys, "key of {}", set.name);
        for p in set.properties {
            assert!(
                ty.properties.iter().any(|x| x == p),
                "{}.{p} is not in {}",
                set.name,
                path.display()
            );
        }
        for nav in set.navigations {
            assert!(
                ty.navigations.iter().any(|x| x == nav.name),
                "{}/{} is not in {}",
                set.name,
                nav.name,
                path.display()
            );
            assert!(
                sets.contains_key(nav.target),
                "{} is not in {}",
                nav.target,
                path.display()
            );
        }
        checked += 1;
    }
    assert_eq!(checked, SETS.len());
}
