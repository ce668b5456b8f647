//! The expected decisions follow from the committed ERP data.
//!
//! The reference matcher (`common/matcher.rs`) reads `fixtures/erp/*.json` and
//! the scenario's documents and must reach the decision in
//! `fixtures/expected.json` for every inbox file.

mod common;

use std::collections::BTreeMap;

use common::matcher::{Erp, assert_exact_arithmetic, decide};
use docket_domain::Decision;
use docket_fixtures::model::View;
use docket_fixtures::scenarios::World;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

#[test]
fn expected_decisions_follow_from_the_erp_data() {
    let world = World::new();
    let erp = Erp::load(|file| common::read_committed(&format!("erp/{file}")));
    let expected: BTreeMap<String, Decision> =
        serde_json::from_slice(&common::read_committed("expected.json")).expect("expected.json");
    assert_eq!(expected.len(), 14);
    for case in world.inbox() {
        let (decision, why) = decide(&world, case, &erp);
        assert_eq!(
            Some(&decision),
            expected.get(case.file),
            "{}: reference matcher says {decision:?} ({why})",
            case.file
        );
    }
}

#[test]
fn tax_arithmetic_is_exact_and_never_on_a_half_cent() {
    assert_exact_arithmetic(&World::new());
}

#[test]
fn price_deviations_are_as_the_cases_say() {
    let world = World::new();
    let deviation = |file: &str| {
        let case = world
            .inbox()
            .find(|c| c.file.starts_with(file))
            .expect("case");
        let v = View::new(&world, case).expect("view");
        let (po, line) = v.lines[0].po.expect("po");
        let pol = world
            .po(po)
            .and_then(|p| p.lines.iter().find(|l| l.line == line))
            .expect("po line");
        (v.lines[0].price - pol.price) / pol.price * Decimal::ONE_HUNDRED
    };
    assert_eq!(deviation("02-"), dec!(1.5));
    assert_eq!(deviation("03-"), dec!(12));
}
