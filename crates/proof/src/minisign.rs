//! The minisign file formats, written and read with ed25519-dalek and
//! BLAKE2b, so that `minisign -Vm FILE -P KEY` verifies what Accord signs
//! and Accord verifies what minisign signs.
//!
//! Public key (two lines):
//! ```text
//! untrusted comment: minisign public key <KEY ID>
//! base64("Ed" || key_id[8] || ed25519_public_key[32])
//! ```
//! Signature (four lines):
//! ```text
//! untrusted comment: <free text, not signed>
//! base64(alg[2] || key_id[8] || signature[64])
//! trusted comment: <text, signed>
//! base64(global_signature[64])
//! ```
//! `alg` is `ED` when `signature` is over BLAKE2b-512(file) (what minisign
//! makes by default since 0.8 and what Accord makes) and `Ed` when it is over
//! the file itself (the legacy form, still accepted). The global signature
//! is over `signature || trusted_comment`, so the trusted comment cannot be
//! changed or moved to another signature.
//!
//! Secret key, unencrypted (what `minisign -G -W` writes, and what Accord
//! keeps in its data folder):
//! ```text
//! untrusted comment: <text>
//! base64("Ed" || kdf "\0\0" || "B2" || salt[32] || opslimit[8] || memlimit[8]
//!        || key_id[8] || ed25519_seed[32] || ed25519_public_key[32] || checksum[32])
//! ```
//! with checksum = BLAKE2b-256("Ed" || key_id || seed || public key).
//! Password-protected keys (kdf "Sc", scrypt) are refused with a message
//! saying how to remove the password; the platform key has to be usable
//! without a person typing a password at start.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Blake2b512, Digest};
use ed25519_dalek::Signer;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const UNTRUSTED: &str = "untrusted comment: ";
const TRUSTED: &str = "trusted comment: ";
/// minisign refuses longer trusted comments.
const MAX_TRUSTED_COMMENT: usize = 8192;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MinisignError {
    #[error("the {what} is malformed: {why}")]
    Malformed { what: &'static str, why: String },
    #[error("the secret key is protected by a password; remove it with `minisign -C -W -s FILE`")]
    EncryptedKey,
    #[error("the secret key's checksum does not match its contents (the file is damaged)")]
    KeyChecksum,
    #[error("the signature was made by key {signed_by}, not by key {expected}")]
    KeyMismatch { signed_by: KeyId, expected: KeyId },
    #[error("the signature does not match the file (made over other content, or altered)")]
    BadSignature,
    #[error("the trusted comment was altered or belongs to another signature")]
    BadTrustedComment,
}

fn malformed(what: &'static str, why: impl Into<String>) -> MinisignError {
    MinisignError::Malformed {
        what,
        why: why.into(),
    }
}

/// minisign's 8-byte key identifier. Displayed as minisign does: the bytes
/// read as a little-endian integer, in upper-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", u64::from_le_bytes(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl KeyId {
    pub fn parse(s: &str) -> Result<KeyId, MinisignError> {
        let n = u64::from_str_radix(s.trim(), 16)
            .ok()
            .filter(|_| s.trim().len() == 16)
            .ok_or_else(|| malformed("key id", format!("{s:?} is not 16 hex digits")))?;
        Ok(KeyId(n.to_le_bytes()))
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyId, D::Error> {
        KeyId::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 public key with its minisign key id.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub key_id: KeyId,
    key: ed25519_dalek::VerifyingKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({} {})", self.key_id, self.to_base64())
    }
}

impl PublicKey {
    /// The base64 line (what `minisign -P` takes).
    pub fn to_base64(&self) -> String {
        let mut b = Vec::with_capacity(42);
        b.extend_from_slice(b"Ed");
        b.extend_from_slice(&self.key_id.0);
        b.extend_from_slice(self.key.as_bytes());
        B64.encode(b)
    }

    pub fn from_base64(line: &str) -> Result<PublicKey, MinisignError> {
        let b = B64
            .decode(line.trim())
            .map_err(|e| malformed("public key", format!("not base64: {e}")))?;
        if b.len() != 42 {
            return Err(malformed(
                "public key",
                format!("{} bytes where minisign keys have 42", b.len()),
            ));
        }
        if &b[..2] != b"Ed" {
            return Err(malformed("public key", "not an Ed25519 minisign key"));
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&b[2..10]);
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&b[10..]);
        let key = ed25519_dalek::VerifyingKey::from_bytes(&pk)
            .map_err(|_| malformed("public key", "not a valid Ed25519 point"))?;
        Ok(PublicKey {
            key_id: KeyId(id),
            key,
        })
    }

    /// The public key file (`minisign.pub`).
    pub fn to_file_text(&self) -> String {
        format!(
            "{UNTRUSTED}minisign public key {}\n{}\n",
            self.key_id,
            self.to_base64()
        )
    }

    /// Reads a public key file, or a bare base64 line.
    pub fn from_text(text: &str) -> Result<PublicKey, MinisignError> {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        match lines.as_slice() {
            [line] => PublicKey::from_base64(line),
            [comment, line] if comment.starts_with(UNTRUSTED) => PublicKey::from_base64(line),
            _ => Err(malformed(
                "public key",
                "expected an untrusted comment line and a base64 line",
            )),
        }
    }

    pub fn verify_raw(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &sig).is_ok()
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PublicKey, D::Error> {
        PublicKey::from_base64(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 signing key with its minisign key id.
pub struct SecretKey {
    pub key_id: KeyId,
    key: ed25519_dalek::SigningKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "SecretKey({})", self.key_id)
    }
}

impl SecretKey {
    /// A new key from the operating system's randomness (through `rand`'s
    /// thread generator, a CSPRNG seeded from the OS).
    pub fn generate() -> SecretKey {
        use rand::RngCore;
        let mut seed = [0u8; 32];
        let mut id = [0u8; 8];
        let mut rng = rand::rng();
        rng.fill_bytes(&mut seed);
        rng.fill_bytes(&mut id);
        SecretKey::from_seed(seed, KeyId(id))
    }

    /// A key from a known seed (tests, fixtures, key import).
    pub fn from_seed(seed: [u8; 32], key_id: KeyId) -> SecretKey {
        SecretKey {
            key_id,
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    fn checksum(&self) -> [u8; 32] {
        let mut h = Blake2b::<U32>::new();
        h.update(b"Ed");
        h.update(self.key_id.0);
        h.update(self.key.to_bytes());
        h.update(self.key.verifying_key().as_bytes());
        h.finalize().into()
    }

    /// The unencrypted minisign secret key file.
    pub fn to_file_text(&self) -> String {
        let mut b = Vec::with_capacity(158);
        b.extend_from_slice(b"Ed");
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(b"B2");
        b.extend_from_slice(&[0u8; 48]); // salt, opslimit, memlimit: unused without a KDF
        b.extend_from_slice(&self.key_id.0);
        b.extend_from_slice(&self.key.to_bytes());
        b.extend_from_slice(self.key.verifying_key().as_bytes());
        b.extend_from_slice(&self.checksum());
        format!(
            "{UNTRUSTED}minisign secret key (unencrypted; keep this file private)\n{}\n",
            B64.encode(b)
        )
    }

    pub fn from_file_text(text: &str) -> Result<SecretKey, MinisignError> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let (Some(comment), Some(line), None) = (lines.next(), lines.next(), lines.next()) else {
            return Err(malformed("secret key", "expected two lines"));
        };
        if !comment.starts_with(UNTRUSTED) {
            return Err(malformed("secret key", "the first line is not a comment"));
        }
        let b = B64
            .decode(line.trim())
            .map_err(|e| malformed("secret key", format!("not base64: {e}")))?;
        if b.len() != 158 {
            return Err(malformed(
                "secret key",
                format!("{} bytes where minisign secret keys have 158", b.len()),
            ));
        }
        if &b[..2] != b"Ed" || &b[4..6] != b"B2" {
            return Err(malformed(
                "secret key",
                "not an Ed25519 minisign secret key",
            ));
        }
        match &b[2..4] {
            [0, 0] => {}
            b"Sc" => return Err(MinisignError::EncryptedKey),
            _ => return Err(malformed("secret key", "unknown key derivation")),
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&b[54..62]);
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&b[62..94]);
        let key = SecretKey::from_seed(seed, KeyId(id));
        if key.public_key().key.as_bytes() != &b[94..126] {
            return Err(MinisignError::KeyChecksum);
        }
        // minisign 0.11 leaves the checksum zero in keys written with -W;
        // the public half matching the seed (above) is then the integrity
        // check.
        let chk = &b[126..158];
        if chk != key.checksum() && chk.iter().any(|b| *b != 0) {
            return Err(MinisignError::KeyChecksum);
        }
        Ok(key)
    }

    /// Signs `data` in minisign's prehashed (`ED`) form.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<Signature, MinisignError> {
        if trusted_comment.contains(['\n', '\r']) || trusted_comment.len() > MAX_TRUSTED_COMMENT {
            return Err(malformed(
                "trusted comment",
                "must be one line of at most 8192 bytes",
            ));
        }
        let digest = Blake2b512::digest(data);
        let signature = self.key.sign(&digest).to_bytes();
        let mut global = Vec::with_capacity(64 + trusted_comment.len());
        global.extend_from_slice(&signature);
        global.extend_from_slice(trusted_comment.as_bytes());
        let global_signature = self.key.sign(&global).to_bytes();
        Ok(Signature {
            untrusted_comment: format!("signature from Accord key {}", self.key_id),
            algorithm: Algorithm::Prehashed,
            key_id: self.key_id,
            signature,
            trusted_comment: trusted_comment.to_string(),
            global_signature,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `Ed`: the signature is over the file itself.
    Legacy,
    /// `ED`: the signature is over BLAKE2b-512 of the file.
    Prehashed,
}

/// A parsed `.minisig` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub untrusted_comment: String,
    pub algorithm: Algorithm,
    pub key_id: KeyId,
    pub signature: [u8; 64],
    pub trusted_comment: String,
    pub global_signature: [u8; 64],
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature, MinisignError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
        let lines: Vec<&str> = match lines.as_slice() {
            [rest @ .., ""] => rest.to_vec(),
            all => all.to_vec(),
        };
        let [untrusted, sig, trusted, global] = lines.as_slice() else {
            return Err(malformed(
                "signature",
                format!(
                    "{} lines where a minisign signature has 4 (is it truncated?)",
                    lines.len()
                ),
            ));
        };
        let untrusted_comment = untrusted
            .strip_prefix(UNTRUSTED)
            .ok_or_else(|| malformed("signature", "line 1 is not an untrusted comment"))?;
        let trusted_comment = trusted
            .strip_prefix(TRUSTED)
            .ok_or_else(|| malformed("signature", "line 3 is not a trusted comment"))?;
        let b = B64.decode(sig.trim()).map_err(|e| {
            malformed(
                "signature",
                format!("line 2 is not base64 ({e}; is it truncated?)"),
            )
        })?;
        if b.len() != 74 {
            return Err(malformed(
                "signature",
                format!("line 2 holds {} bytes, not 74 (is it truncated?)", b.len()),
            ));
        }
        let algorithm = match &b[..2] {
            b"ED" => Algorithm::Prehashed,
            b"Ed" => Algorithm::Legacy,
            _ => return Err(malformed("signature", "unknown signature algorithm")),
        };
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(&b[2..10]);
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&b[10..]);
        let g = B64.decode(global.trim()).map_err(|e| {
            malformed(
                "signature",
                format!("line 4 is not base64 ({e}; is it truncated?)"),
            )
        })?;
        let global_signature: [u8; 64] = g.try_into().map_err(|g: Vec<u8>| {
            malformed(
                "signature",
                format!("line 4 holds {} bytes, not 64 (is it truncated?)", g.len()),
            )
        })?;
        Ok(Signature {
            untrusted_comment: untrusted_comment.to_string(),
            algorithm,
            key_id: KeyId(key_id),
            signature,
            trusted_comment: trusted_comment.to_string(),
            global_signature,
        })
    }

    pub fn to_text(&self) -> String {
        let mut b = Vec::with_capacity(74);
        b.extend_from_slice(match self.algorithm {
            Algorithm::Prehashed => b"ED",
            Algorithm::Legacy => b"Ed",
        });
        b.extend_from_slice(&self.key_id.0);
        b.extend_from_slice(&self.signature);
        format!(
            "{UNTRUSTED}{}\n{}\n{TRUSTED}{}\n{}\n",
            self.untrusted_comment,
            B64.encode(b),
            self.trusted_comment,
            B64.encode(self.global_signature)
        )
    }

    /// What `minisign -V` checks: the key id, the signature over the data,
    /// and the global signature over the trusted comment.
    pub fn verify(&self, key: &PublicKey, data: &[u8]) -> Result<(), MinisignError> {
        if self.key_id != key.key_id {
            return Err(MinisignError::KeyMismatch {
                signed_by: self.key_id,
                expected: key.key_id,
            });
        }
        let ok = match self.algorithm {
            Algorithm::Prehashed => key.verify_raw(&Blake2b512::digest(data), &self.signature),
            Algorithm::Legacy => key.verify_raw(data, &self.signature),
        };
        if !ok {
            return Err(MinisignError::BadSignature);
        }
        let mut global = Vec::with_capacity(64 + self.trusted_comment.len());
        global.extend_from_slice(&self.signature);
        global.extend_from_slice(self.trusted_comment.as_bytes());
        if !key.verify_raw(&global, &self.global_signature) {
            return Err(MinisignError::BadTrustedComment);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_seed([7u8; 32], KeyId(*b"accordk1"))
    }

    #[test]
    fn a_signature_verifies_on_its_file_and_not_on_another() {
        let k = key();
        let sig = k.sign(b"list v3", "timestamp:1\tversion:3").unwrap();
        sig.verify(&k.public_key(), b"list v3").unwrap();
        assert_eq!(
            sig.verify(&k.public_key(), b"list v4"),
            Err(MinisignError::BadSignature)
        );
    }

    #[test]
    fn the_signature_text_round_trips() {
        let k = key();
        let sig = k.sign(b"data", "timestamp:1").unwrap();
        let text = sig.to_text();
        assert_eq!(Signature::parse(&text).unwrap(), sig);
        assert_eq!(Signature::parse(&text.replace('\n', "\r\n")).unwrap(), sig);
    }

    #[test]
    fn an_edited_trusted_comment_is_detected() {
        let k = key();
        let mut sig = k.sign(b"data", "timestamp:1\tversion:3").unwrap();
        sig.trusted_comment = "timestamp:1\tversion:4".into();
        assert_eq!(
            sig.verify(&k.public_key(), b"data"),
            Err(MinisignError::BadTrustedComment)
        );
    }

    #[test]
    fn a_signature_by_another_key_names_both_keys() {
        let other = SecretKey::from_seed([9u8; 32], KeyId(*b"otherkey"));
        let sig = other.sign(b"data", "t").unwrap();
        let err = sig.verify(&key().public_key(), b"data").unwrap_err();
        assert!(matches!(err, MinisignError::KeyMismatch { .. }));
        assert!(err.to_string().contains(&other.key_id.to_string()));
    }

    #[test]
    fn a_truncated_signature_is_malformed() {
        let text = key().sign(b"data", "t").unwrap().to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert!(matches!(
            Signature::parse(&lines[..3].join("\n")),
            Err(MinisignError::Malformed { .. })
        ));
        let short = format!(
            "{}\n{}\n{}\n{}\n",
            lines[0],
            &lines[1][..40],
            lines[2],
            lines[3]
        );
        let err = Signature::parse(&short).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }

    #[test]
    fn a_legacy_signature_over_the_file_itself_is_accepted() {
        let k = key();
        let mut sig = k.sign(b"", "t").unwrap();
        sig.algorithm = Algorithm::Legacy;
        sig.signature = k.key.sign(b"legacy file").to_bytes();
        let mut global = sig.signature.to_vec();
        global.extend_from_slice(b"t");
        sig.global_signature = k.key.sign(&global).to_bytes();
        sig.verify(&k.public_key(), b"legacy file").unwrap();
        assert!(sig.verify(&k.public_key(), b"other").is_err());
    }

    #[test]
    fn key_files_round_trip() {
        let k = key();
        let back = SecretKey::from_file_text(&k.to_file_text()).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let pk = PublicKey::from_text(&k.public_key().to_file_text()).unwrap();
        assert_eq!(pk, k.public_key());
        assert_eq!(PublicKey::from_text(&pk.to_base64()).unwrap(), pk);
    }

    #[test]
    fn a_damaged_secret_key_file_is_refused() {
        let text = key().to_file_text();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut b = B64.decode(&lines[1]).unwrap();
        b[100] ^= 1; // inside the public half
        lines[1] = B64.encode(&b);
        assert_eq!(
            SecretKey::from_file_text(&lines.join("\n")).unwrap_err(),
            MinisignError::KeyChecksum
        );
    }

    #[test]
    fn the_key_id_is_shown_as_minisign_shows_it() {
        // minisign prints the little-endian integer of the id bytes.
        let id = KeyId([0x1c, 0xd6, 0xe7, 0xa0, 0x94, 0x61, 0x31, 0xd0]);
        assert_eq!(id.to_string(), "D0316194A0E7D61C");
        assert_eq!(KeyId::parse("D0316194A0E7D61C").unwrap(), id);
    }
}
