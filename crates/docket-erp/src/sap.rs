//! The sap adapter (to be built).
