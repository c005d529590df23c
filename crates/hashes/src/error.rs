//! Every way input can be refused, each naming what was wrong.

use thiserror::Error;

/// Why a hash, a signal type or a piece of content was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HashError {
    /// A hex hash of the wrong length.
    #[error("a {kind} hash is {expected} hex digits, this one has {found}")]
    WrongLength {
        kind: &'static str,
        expected: usize,
        found: usize,
    },
    /// A hex hash with a character that is not a hex digit.
    #[error("a {kind} hash has only hex digits 0-9 a-f, found {found:?} at position {position}")]
    NotHex {
        kind: &'static str,
        found: char,
        position: usize,
    },
    /// PDQ quality under the reliability threshold.
    #[error(
        "PDQ quality {quality} is below {minimum}: the image has too little detail for a reliable hash"
    )]
    LowQuality { quality: u8, minimum: u8 },
    /// A quality figure outside 0..=100.
    #[error("PDQ quality is 0 to 100, found {0:?}")]
    BadQuality(String),
    /// A signal type name the engine does not know.
    #[error("unknown signal type {0:?}: expected one of pdq, md5, sha256, vpdq")]
    UnknownSignalType(String),
    /// Content that is not an image in an accepted format.
    #[error("not an image in an accepted format (JPEG, PNG, GIF, WebP, BMP){}", detected.map(|d| format!(": the content looks like {d}")).unwrap_or_default())]
    NotAnImage { detected: Option<&'static str> },
    /// An image whose declared size is over the limit; refused before its
    /// pixels are allocated.
    #[error(
        "the image declares {width} × {height} pixels, over the limit of {max_side} pixels a side and {max_pixels} pixels in all"
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    /// An image the decoder could not read: corrupt or truncated.
    #[error("the {format} image is corrupt or truncated: {detail}")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    /// An image with no pixels.
    #[error("the image has no pixels ({width} × {height})")]
    Empty { width: u32, height: u32 },
    /// A line of a vPDQ hash file that does not parse.
    #[error("vPDQ line {line}: {reason}")]
    BadVpdqLine { line: usize, reason: String },
    /// A vPDQ signal without frames.
    #[error("the vPDQ hash has no frames")]
    NoFrames,
    /// A vPDQ signal longer than the limit.
    #[error("the vPDQ hash has {found} frames, over the limit of {max}")]
    TooManyFrames { found: usize, max: usize },
    /// A vPDQ signal none of whose frames is reliable.
    #[error(
        "no frame of the vPDQ hash has quality {minimum} or more: the video has too little detail for a reliable hash"
    )]
    NoReliableFrame { minimum: u8 },
    /// A distance larger than a PDQ hash has bits.
    #[error("a distance is 0 to 256 bits, found {0}")]
    BadDistance(u32),
}
