//! The sap simulator (to be built; see crates/docket-erp-sim/src/lib.rs).
