//! Accord's screening engine: reads names the way people type them in any
//! script of Central and South Asia, finds the list entries they may refer
//! to without scanning the list, and explains every score. No I/O.
//!
//! See README.md for the design and the measured quality and speed.

pub mod countries;
pub mod dates;
pub mod entity;
pub mod error;
pub mod explain;
pub mod index;
pub mod keys;
pub mod prepare;
pub mod score;
pub mod script;
pub mod tokens;
pub mod translit;
pub mod types;
pub mod variants;

pub use dates::DateSpec;
pub use entity::{compare, compare_names};
pub use error::{MAX_NAME_CHARS, QueryError};
pub use explain::{Explanation, WEAK_ALIAS_NOTE};
pub use index::Index;
pub use script::{Script, detect_script};
pub use types::{Candidate, NameKind, Query, Record, RecordName, Schema, ScreenOptions};

/// The `normalize` facade the UI uses to show "how we read your query".
pub mod normalize {
    pub use crate::prepare::{
        normalize_name, prepare, prepare_all, prepare_forms, prepare_with_readings,
    };
    pub use crate::translit::fold_latin;
}

/// Score at or above which a result is reported by default.
///
/// Scores mean: 1.0 the same name after transliteration and folding; ≥ 0.9
/// the same name with variant spellings, a missing middle part or a small
/// typo; 0.70–0.9 a probable match worth a human look (a part missing on one
/// side, a looser spelling); below 0.70 mostly different names that share a
/// part. 0.70 is where F1 peaks on the nomenklatura evaluation set.
pub const DEFAULT_THRESHOLD: f64 = 0.70;
