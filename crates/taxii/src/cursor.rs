//! The `next` token: where the previous page ended, in the collection's
//! stored order (a sequence number every node shares), bound by an HMAC to
//! the query it was given for.
//!
//! Nothing is kept in memory, so a token survives restarts and works on
//! every node of one database (they share the key, kept in the database).
//! Objects are paged by their sequence number, never by `date_added`
//! alone: a bulk insert gives many objects one `date_added`, and a page
//! ending among them must neither skip nor repeat any.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2_011::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a `next` token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("the next token is not one this server gave")]
    Malformed,
    #[error("the next token was given for another collection or other filters, or was altered")]
    NotForThisQuery,
}

fn mac(key: &[u8], fingerprint: &str, after: i64) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(b"accord-taxii-next-v1\n");
    m.update(fingerprint.as_bytes());
    m.update(b"\n");
    m.update(&after.to_be_bytes());
    m
}

/// The token for "after the object numbered `after`" of this query.
pub fn encode(key: &[u8], fingerprint: &str, after: i64) -> String {
    let tag = mac(key, fingerprint, after).finalize().into_bytes();
    let mut bytes = after.to_be_bytes().to_vec();
    bytes.extend_from_slice(&tag[..16]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The position a token names, if it was given for this query.
pub fn decode(key: &[u8], fingerprint: &str, token: &str) -> Result<i64, CursorError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| CursorError::Malformed)?;
    if bytes.len() != 24 {
        return Err(CursorError::Malformed);
    }
    let after = i64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
    mac(key, fingerprint, after)
        .verify_truncated_left(&bytes[8..])
        .map_err(|_| CursorError::NotForThisQuery)?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a key of the database";

    #[test]
    fn a_token_reads_back_for_its_query() {
        let t = encode(KEY, "f1", 42);
        assert_eq!(decode(KEY, "f1", &t), Ok(42));
    }

    #[test]
    fn a_token_of_another_query_or_key_is_refused() {
        let t = encode(KEY, "f1", 42);
        assert_eq!(decode(KEY, "f2", &t), Err(CursorError::NotForThisQuery));
        assert_eq!(
            decode(b"other", "f1", &t),
            Err(CursorError::NotForThisQuery)
        );
    }

    #[test]
    fn an_altered_token_is_refused() {
        let t = encode(KEY, "f1", 42);
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        bytes[7] = 43;
        let forged = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(
            decode(KEY, "f1", &forged),
            Err(CursorError::NotForThisQuery)
        );
        assert_eq!(
            decode(KEY, "f1", "not base64!"),
            Err(CursorError::Malformed)
        );
        assert_eq!(decode(KEY, "f1", "AAAA"), Err(CursorError::Malformed));
    }
}
