//! The exact adapter (to be built).
