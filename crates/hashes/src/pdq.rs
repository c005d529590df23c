//! The PDQ hash value: 256 bits, its hex form, Hamming distance.
//!
//! Bit numbering follows Meta's reference: bit `k = 16 * i + j` is DCT
//! coefficient (row `i`, column `j`) of the 16×16 block, stored in 16-bit
//! word `i` at position `j`. The hex form prints the words from 15 down to 0,
//! four digits each — so the first hex digits are the *last* DCT row. Getting
//! this wrong still gives stable hashes, but ones that never match anybody
//! else's; the bytes here are kept in that printed order so that parsing and
//! formatting are a plain hex codec.

use std::fmt;
use std::str::FromStr;

use crate::{HashError, hex};

/// Hashes whose quality is below this are refused as unreliable (the
/// threshold ThreatExchange and HMA use).
pub const MIN_QUALITY: u8 = 50;

/// A 256-bit PDQ hash, bytes in the reference's hex order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PdqHash(pub [u8; 32]);

impl PdqHash {
    /// Parses the 64-hex-digit form (either case).
    pub fn parse(s: &str) -> Result<Self, HashError> {
        hex::parse::<32>("PDQ", s).map(Self)
    }

    /// The 64-hex-digit lower-case form, in the reference's word order.
    pub fn to_hex(&self) -> String {
        hex::format(&self.0)
    }

    /// Number of differing bits.
    pub fn distance(&self, other: &PdqHash) -> u32 {
        let (a, b) = (self.words(), other.words());
        (a[0] ^ b[0]).count_ones()
            + (a[1] ^ b[1]).count_ones()
            + (a[2] ^ b[2]).count_ones()
            + (a[3] ^ b[3]).count_ones()
    }

    /// The hash as four 64-bit words (big-endian over the bytes), the form
    /// the index computes distances on.
    pub fn words(&self) -> [u64; 4] {
        let mut w = [0u64; 4];
        for (i, word) in w.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&self.0[8 * i..8 * i + 8]);
            *word = u64::from_be_bytes(b);
        }
        w
    }

    /// Inverse of [`PdqHash::words`].
    pub fn from_words(w: [u64; 4]) -> Self {
        let mut bytes = [0u8; 32];
        for (i, word) in w.iter().enumerate() {
            bytes[8 * i..8 * i + 8].copy_from_slice(&word.to_be_bytes());
        }
        PdqHash(bytes)
    }

    /// Reference bit `k` (0..256): DCT coefficient `(k / 16, k % 16)`.
    pub fn bit(&self, k: usize) -> bool {
        let (byte, mask) = bit_position(k);
        self.0[byte] & mask != 0
    }

    /// Builds a hash from a predicate over reference bit numbers.
    pub fn from_bits(mut set: impl FnMut(usize) -> bool) -> Self {
        let mut bytes = [0u8; 32];
        for k in 0..256 {
            if set(k) {
                let (byte, mask) = bit_position(k);
                bytes[byte] |= mask;
            }
        }
        PdqHash(bytes)
    }

    /// The hash with reference bit `k` inverted.
    pub fn with_bit_flipped(mut self, k: usize) -> Self {
        let (byte, mask) = bit_position(k);
        self.0[byte] ^= mask;
        self
    }
}

/// Where reference bit `k` lives in the printed byte order: word `k / 16`
/// is printed at position `15 - k / 16`, high byte first.
fn bit_position(k: usize) -> (usize, u8) {
    assert!(k < 256, "a PDQ hash has 256 bits, asked for bit {k}");
    let word = k >> 4;
    let j = k & 15;
    let byte = 2 * (15 - word) + usize::from(j < 8);
    (byte, 1u8 << (j & 7))
}

/// Refuses a quality under [`MIN_QUALITY`].
pub fn require_reliable(quality: u8) -> Result<(), HashError> {
    if quality < MIN_QUALITY {
        Err(HashError::LowQuality {
            quality,
            minimum: MIN_QUALITY,
        })
    } else {
        Ok(())
    }
}

/// Parses a quality figure (an integer 0 to 100).
pub fn parse_quality(s: &str) -> Result<u8, HashError> {
    match s.trim().parse::<u8>() {
        Ok(q) if q <= 100 => Ok(q),
        _ => Err(HashError::BadQuality(s.to_string())),
    }
}

impl FromStr for PdqHash {
    type Err = HashError;
    fn from_str(s: &str) -> Result<Self, HashError> {
        Self::parse(s)
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BRIDGE: &str = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";

    #[test]
    fn hex_round_trips_in_lower_case() {
        let h = PdqHash::parse(&BRIDGE.to_uppercase()).unwrap();
        assert_eq!(h.to_hex(), BRIDGE);
    }

    #[test]
    fn bit_zero_is_the_last_hex_digit_and_bit_255_the_first() {
        // Reference word order: word 0 (DCT row 0) is printed last.
        let low = PdqHash::from_bits(|k| k == 0);
        assert!(low.to_hex().ends_with('1'));
        assert!(low.to_hex().starts_with("0000"));
        let high = PdqHash::from_bits(|k| k == 255);
        assert!(high.to_hex().starts_with('8'));
        // Bit 16 is the lowest bit of word 1: the digits just before the last four.
        let w1 = PdqHash::from_bits(|k| k == 16);
        assert_eq!(&w1.to_hex()[56..], "00010000");
    }

    #[test]
    fn bits_read_back_as_they_were_set() {
        let h = PdqHash::parse(BRIDGE).unwrap();
        assert_eq!(PdqHash::from_bits(|k| h.bit(k)), h);
        assert_eq!(h.with_bit_flipped(77).distance(&h), 1);
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = PdqHash([0; 32]);
        let b = PdqHash([0xff; 32]);
        assert_eq!(a.distance(&b), 256);
        assert_eq!(a.distance(&a), 0);
        let c = PdqHash::from_bits(|k| k % 3 == 0);
        assert_eq!(a.distance(&c), 86);
    }

    #[test]
    fn words_round_trip() {
        let h = PdqHash::parse(BRIDGE).unwrap();
        assert_eq!(PdqHash::from_words(h.words()), h);
    }

    #[test]
    fn a_pdq_hex_of_the_wrong_length_is_refused() {
        assert_eq!(
            PdqHash::parse(&BRIDGE[..63]),
            Err(HashError::WrongLength {
                kind: "PDQ",
                expected: 64,
                found: 63
            })
        );
    }

    #[test]
    fn a_pdq_hex_with_a_non_hex_character_is_refused() {
        let bad = format!("{}g", &BRIDGE[..63]);
        let err = PdqHash::parse(&bad).unwrap_err();
        assert_eq!(
            err,
            HashError::NotHex {
                kind: "PDQ",
                found: 'g',
                position: 63
            }
        );
        assert!(err.to_string().contains("'g'"));
    }

    #[test]
    fn quality_under_fifty_is_refused_as_unreliable() {
        assert!(require_reliable(50).is_ok());
        let err = require_reliable(49).unwrap_err();
        assert_eq!(
            err,
            HashError::LowQuality {
                quality: 49,
                minimum: 50
            }
        );
    }

    #[test]
    fn quality_is_an_integer_from_zero_to_one_hundred() {
        assert_eq!(parse_quality("100"), Ok(100));
        assert!(parse_quality("101").is_err());
        assert!(parse_quality("-1").is_err());
        assert!(parse_quality("high").is_err());
    }
}
