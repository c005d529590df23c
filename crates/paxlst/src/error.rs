//! Typed errors and warnings, each with the position of the segment.

use std::fmt;

use serde::Serialize;

/// Where a segment starts: its index in the interchange (UNB is 1; the UNA
/// service string advice is not a segment) and its byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub segment: usize,
    pub offset: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "segment {} (byte {})", self.segment, self.offset)
    }
}

/// Which control count did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    /// UNT: segments UNH … UNT.
    MessageSegments,
    /// UNE: messages in the group.
    GroupMessages,
    /// UNZ: groups, or messages when there are no groups.
    InterchangeContent,
    /// CNT+42.
    Passengers,
    /// CNT+41.
    Crew,
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Count::MessageSegments => "UNT segment count",
            Count::GroupMessages => "UNE message count",
            Count::InterchangeContent => "UNZ count",
            Count::Passengers => "CNT+42 passenger count",
            Count::Crew => "CNT+41 crew count",
        })
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorKind {
    #[error("the input is {size} bytes; at most {max} are accepted")]
    TooLarge { size: usize, max: usize },
    #[error("not an EDIFACT interchange: expected UNA or UNB, found {found:?}")]
    NotEdifact { found: String },
    #[error("the UNA service string advice is invalid: {reason}")]
    InvalidUna { reason: String },
    #[error("the input ends {context} (the file seems cut)")]
    Truncated { context: String },
    #[error("the segment cannot be read: {reason}")]
    Unreadable { reason: String },
    #[error(
        "unsupported character set {identifier:?} (supported: UNOA, UNOB, UNOC, UNOW; UNOD to UNOK when ASCII only)"
    )]
    UnsupportedCharset { identifier: String },
    #[error("a character not allowed by the declared character set {declared}: {detail}")]
    WrongCharset { declared: String, detail: String },
    #[error("message type {found:?} is not PAXLST")]
    NotPaxlst { found: String },
    #[error("{count} says {declared}, but there are {actual}")]
    CountMismatch {
        count: Count,
        declared: u64,
        actual: u64,
    },
    #[error("{trailer} reference {found:?} does not match {header} reference {expected:?}")]
    ReferenceMismatch {
        header: String,
        trailer: String,
        expected: String,
        found: String,
    },
    #[error("{tag} is not expected here: {reason}")]
    Unexpected { tag: String, reason: String },
    #[error("{what} is missing")]
    Missing { what: String },
    #[error("{what} {value:?} is not valid: {reason}")]
    InvalidValue {
        what: String,
        value: String,
        reason: String,
    },
    #[error("{what} {value:?} is not a valid date: {reason}")]
    InvalidDate {
        what: String,
        value: String,
        reason: String,
    },
}

/// A manifest that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{position}{}: {kind}", tag.as_ref().map(|t| format!(" {t}")).unwrap_or_default())]
pub struct ParseError {
    pub position: Position,
    /// The segment tag, when one could be read.
    pub tag: Option<String>,
    /// Boxed: errors travel through every `?` of the parser; the happy
    /// path should not carry their size.
    pub kind: Box<ErrorKind>,
}

/// Something tolerated: the manifest means the same without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub position: Position,
    pub tag: Option<String>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.position)?;
        if let Some(t) = &self.tag {
            write!(f, " {t}")?;
        }
        write!(f, ": {}", self.message)
    }
}
