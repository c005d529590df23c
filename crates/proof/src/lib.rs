//! Proof that the common list was agreed. See README.md.

pub mod jcs;
pub mod merkle;
pub mod minisign;
