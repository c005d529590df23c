//! Strict hex parsing shared by every hash type: the error says whether the
//! length or a character was wrong, and where.

use crate::HashError;

/// Parses exactly `N` bytes from `2 * N` hex digits (either case).
pub(crate) fn parse<const N: usize>(kind: &'static str, s: &str) -> Result<[u8; N], HashError> {
    let s = s.trim();
    let count = s.chars().count();
    if count != 2 * N {
        return Err(HashError::WrongLength {
            kind,
            expected: 2 * N,
            found: count,
        });
    }
    if let Some((position, found)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(HashError::NotHex {
            kind,
            found,
            position,
        });
    }
    let digits = s.as_bytes();
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (nibble(digits[2 * i]) << 4) | nibble(digits[2 * i + 1]);
    }
    Ok(out)
}

fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn format(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
