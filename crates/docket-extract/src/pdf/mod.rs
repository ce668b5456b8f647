//! PDF access (to be written).
pub mod embedded;
pub mod text;
