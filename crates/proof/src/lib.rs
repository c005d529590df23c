//! Proof that the common list was agreed. See README.md.

pub mod jcs;
pub mod keys;
pub mod merkle;
pub mod minisign;
pub mod records;
