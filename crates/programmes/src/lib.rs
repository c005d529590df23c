pub mod codes;
pub mod csv;
pub mod error;
pub mod iati;
pub mod model;
pub mod programme;
pub mod rules;
pub mod sample;
