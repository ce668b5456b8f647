//! PDF access: loading (with one repair attempt), embedded e-invoice files, and
//! the visible text with positions.

pub mod embedded;
pub mod load;
pub mod text;
