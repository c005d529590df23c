pub mod codes;
pub mod error;
