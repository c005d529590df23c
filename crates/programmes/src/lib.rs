pub mod codes;
pub mod error;
pub mod model;
pub mod programme;
pub mod rules;
