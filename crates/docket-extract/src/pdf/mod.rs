//! PDF access (to be written).
