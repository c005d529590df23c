//! Errors a caller can show to the person who typed the query.

use thiserror::Error;

/// Longest name accepted, in characters. Real names, even organization names
/// with all their legal forms, stay far below this; anything longer is a pasted
/// document, and scoring it would only burn CPU.
pub const MAX_NAME_CHARS: usize = 512;

/// Why a query cannot be screened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    #[error("the name is empty")]
    EmptyName,
    #[error("the name has no letters (only digits, punctuation or symbols)")]
    NoLetters,
    #[error("the name is too long: {got} characters, at most {max} are accepted")]
    NameTooLong { max: usize, got: usize },
    #[error(
        "the name contains only legal-form or title words (e.g. \"LLC\", \"Mr\"), nothing to match on"
    )]
    OnlyStopWords,
    #[error(
        "the birth date {0:?} is not understood (use 1970-01-31, 1970-01, 1970, 31 Jan 1970 or 1968-1970)"
    )]
    BadBirthDate(String),
}
