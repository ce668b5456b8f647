//! The layout extractor (to be written).
