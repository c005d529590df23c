//! The one error type of the crate. Every variant says where the problem is.

use std::fmt;
use std::path::PathBuf;

/// A position in a text input. `line` and `column` are 1-based; `column`
/// counts characters; `byte` is the 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
    pub byte: u64,
}

impl Position {
    /// Computes line and column of byte offset `byte` in `input`.
    pub fn locate(input: &[u8], byte: usize) -> Position {
        let byte = byte.min(input.len());
        let before = &input[..byte];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Count characters, not bytes: skip UTF-8 continuation bytes.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count() as u64
            + 1;
        Position {
            line,
            column,
            byte: byte as u64,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte
        )
    }
}

/// Why a list could not be read. Reading is all or nothing: any of these
/// means no entry of the input was returned.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read the input: {0}")]
    Read(#[source] std::io::Error),

    #[error("{what} is empty")]
    Empty { what: String },

    #[error(
        "the XML document declares a DOCTYPE at {position}; DTDs and entity declarations are refused for security (they allow entity-expansion and external-entity attacks) and the UN list never uses them"
    )]
    DoctypeRefused { position: Position },

    #[error("the XML document refers to the undefined entity `&{name};` at {position}")]
    UndefinedEntity { name: String, position: Position },

    #[error("malformed XML at {position}: {message}")]
    Xml { position: Position, message: String },

    #[error("the XML document ends early (truncated?) at {position}: {message}")]
    XmlTruncated { position: Position, message: String },

    #[error("not a UN consolidated list: {message} at {position}")]
    NotUnList { position: Position, message: String },

    #[error(
        "{file}: invalid UTF-8 at line {line} (byte {byte}); the file is probably Latin-1/Windows-1252 — re-encode it as UTF-8 or enable the Windows-1252 fallback"
    )]
    InvalidUtf8 { file: String, line: u64, byte: u64 },

    #[error("{file}: line {line} has {found} fields, expected {expected}")]
    CsvFieldCount {
        file: String,
        line: u64,
        expected: usize,
        found: usize,
    },

    #[error("{file}: malformed CSV at line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },

    #[error("{file}: line {line}: {message}")]
    InvalidRecord {
        file: String,
        line: u64,
        message: String,
    },

    #[error("line {line}: invalid JSON: {message}")]
    Json { line: u64, message: String },

    #[error("line {line}: not a FollowTheMoney entity: {message}")]
    NotFtmEntity { line: u64, message: String },

    #[error("{}: {message}", path.display())]
    UnknownFormat { path: PathBuf, message: String },
}
