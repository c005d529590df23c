//! Accord's hash-sharing engine, with no I/O of its own.
//!
//! - [`PdqHash`]: Meta's 256-bit perceptual image hash, hex in the
//!   reference's word order, Hamming [`PdqHash::distance`].
//! - [`PdqDct`]: the PDQ algorithm from luminance, with quality and the
//!   eight [`Dihedral`] variants; [`pdq_of_image`] / [`hash_content`] decode
//!   bytes (JPEG, PNG, GIF, WebP, BMP) in memory under [`ImageLimits`].
//! - [`FileDigests`]: MD5 and SHA-256 of any content.
//! - [`PdqIndex`]: exact radius search (multi-index hashing, incremental);
//!   [`ExactIndex`] for the digests.
//! - [`SignalType`]: pdq, md5, sha256, vpdq; [`match_vpdq`] compares two
//!   videos' frame hashes ([`parse_vpdq`] reads the reference's text form).
//! - [`synthetic`]: deterministic demo images and their near-duplicates,
//!   and random hash corpora for benchmarks.
//!
//! See README.md for the algorithm, the reference check and the index.

pub mod bank;
mod digest;
mod error;
mod exact;
mod hasher;
mod hex;
mod image;
mod index;
mod pdq;
mod signal;
pub mod svg;
pub mod synthetic;
mod vpdq;

pub use digest::{FileDigester, FileDigests, Md5Digest, Sha256Digest};
pub use error::HashError;
pub use exact::ExactIndex;
pub use hasher::{Dihedral, PdqDct, PdqOutput};
pub use image::{
    ContentHashes, ImageLimits, Luma, decode_luma, hash_content, looks_like_video,
    pdq_dct_of_image, pdq_of_image, pdq_of_rgb, sniff_format,
};
pub use index::{MAX_PROBED_RADIUS, PdqIndex, brute_force};
pub use pdq::{MIN_QUALITY, PdqHash, parse_quality, require_reliable};
pub use signal::SignalType;
pub use vpdq::{
    MAX_VPDQ_FRAMES, VPDQ_INDEX_MATCH_PERCENT, VPDQ_QUERY_MATCH_PERCENT, VpdqFound, VpdqFrame,
    VpdqIndex, VpdqMatch, match_vpdq, parse_vpdq, parse_vpdq_signal, vpdq_lines, vpdq_signal,
};

/// The default match radius for PDQ (the ThreatExchange convention).
pub const DEFAULT_PDQ_DISTANCE: u32 = 31;
