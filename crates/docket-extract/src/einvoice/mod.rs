//! E-invoice XML readers (to be written).
