//! MD5 and SHA-256 of a file's bytes: exact signals, shared as hex.

use std::fmt;
use std::str::FromStr;

use md5::Md5;
use sha2::{Digest, Sha256};

use crate::{HashError, hex};

macro_rules! digest_type {
    ($name:ident, $len:expr, $kind:expr, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Parses the hex form (either case).
            pub fn parse(s: &str) -> Result<Self, HashError> {
                hex::parse::<$len>($kind, s).map(Self)
            }

            /// Lower-case hex.
            pub fn to_hex(&self) -> String {
                hex::format(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = HashError;
            fn from_str(s: &str) -> Result<Self, HashError> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }
    };
}

digest_type!(Md5Digest, 16, "MD5", "The MD5 digest of a file.");
digest_type!(Sha256Digest, 32, "SHA-256", "The SHA-256 digest of a file.");

/// Both exact digests of some content, computed in one pass over memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDigests {
    pub md5: Md5Digest,
    pub sha256: Sha256Digest,
}

impl FileDigests {
    pub fn of(bytes: &[u8]) -> Self {
        let mut d = FileDigester::new();
        d.update(bytes);
        d.finish()
    }
}

/// Both digests computed incrementally, for content that arrives in pieces
/// (a large video streamed from disk by the caller).
#[derive(Debug, Clone, Default)]
pub struct FileDigester {
    md5: Md5,
    sha256: Sha256,
}

impl FileDigester {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        // Chunked so both states stay hot in cache over a large buffer.
        for chunk in bytes.chunks(64 * 1024) {
            self.md5.update(chunk);
            self.sha256.update(chunk);
        }
    }

    pub fn finish(self) -> FileDigests {
        FileDigests {
            md5: Md5Digest(self.md5.finalize().into()),
            sha256: Sha256Digest(self.sha256.finalize().into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_of_abc_are_the_published_test_vectors() {
        let d = FileDigests::of(b"abc");
        assert_eq!(d.md5.to_hex(), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            d.sha256.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn digests_in_pieces_equal_digests_in_one() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
        let mut d = FileDigester::new();
        for piece in data.chunks(12_345) {
            d.update(piece);
        }
        assert_eq!(d.finish(), FileDigests::of(&data));
    }

    #[test]
    fn digest_hex_round_trips_and_accepts_upper_case() {
        let d = FileDigests::of(b"");
        assert_eq!(Md5Digest::parse(&d.md5.to_hex().to_uppercase()), Ok(d.md5));
        assert_eq!(Sha256Digest::parse(&d.sha256.to_hex()), Ok(d.sha256));
    }

    #[test]
    fn a_digest_of_the_wrong_length_names_both_lengths() {
        let err = Md5Digest::parse("abcd").unwrap_err();
        assert_eq!(
            err,
            HashError::WrongLength {
                kind: "MD5",
                expected: 32,
                found: 4
            }
        );
    }

    #[test]
    fn a_digest_with_a_non_hex_character_names_it_and_its_position() {
        let err = Md5Digest::parse("900150983cd24fb0d6963f7d28e17fzz").unwrap_err();
        assert_eq!(
            err,
            HashError::NotHex {
                kind: "MD5",
                found: 'z',
                position: 30
            }
        );
    }
}
