//! The platform's signing keys over time: rotation records, the keyring a
//! verifier builds from them, and the key file kept in the data folder.
//!
//! A rotation is signed by the old key (it announces its successor) and by
//! the new key (it accepts its predecessor). With both, trust flows along
//! the chain either way: a verifier who pinned the first key learns the
//! current one, and one who took the current key from
//! `/api/transparency/key` can still check a version signed years ago with
//! the key of that time. Each key is valid from its announcement until the
//! next rotation (or its declared expiry); a signature whose record claims a
//! time outside that window is refused — a retired key cannot sign new
//! versions in a chain that records its retirement.
//!
//! Limit: whoever holds a key can announce a successor of their choosing.
//! A verifier who pins an old key would follow such a fork; one who pins
//! the current key would not (the fork does not contain it), and the
//! transparency log records every rotation, so two successors of one key
//! are public evidence of a compromise. Pin the newest key you can get.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::jcs::{CanonError, to_canonical_bytes};
use crate::minisign::{KeyId, MinisignError, PublicKey, SecretKey, Signature};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("key {key_id} is neither the trusted key nor in its rotation chain ({known})")]
    UnknownKey { key_id: KeyId, known: String },
    #[error(
        "key {key_id} was rotated out at {rotated_at} (replaced by {successor}); it cannot sign at {at}"
    )]
    RotatedOut {
        key_id: KeyId,
        at: i64,
        rotated_at: i64,
        successor: KeyId,
    },
    #[error("key {key_id} expired at {expired_at}; it cannot sign at {at}")]
    Expired {
        key_id: KeyId,
        at: i64,
        expired_at: i64,
    },
    #[error("key {key_id} was announced only at {from}; it cannot sign at {at}")]
    NotYetValid { key_id: KeyId, at: i64, from: i64 },
    #[error(
        "rotation {index} starts from key {from}, but the chain's key at that point is {expected}"
    )]
    BrokenChain {
        index: usize,
        from: KeyId,
        expected: KeyId,
    },
    #[error("rotation {index} is dated {at}, not after the previous rotation ({previous})")]
    OutOfOrder {
        index: usize,
        at: i64,
        previous: i64,
    },
    #[error("rotation {index} ({signer} key's signature): {reason}")]
    BadRotation {
        index: usize,
        signer: &'static str,
        reason: String,
    },
    #[error("the trusted key {0} is not in the rotation chain the bundle carries")]
    AnchorNotInChain(KeyId),
}

/// The announcement that `next` replaces `previous` from `at` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotation {
    pub previous: PublicKey,
    pub next: PublicKey,
    /// Unix seconds.
    pub at: i64,
    /// When the new key stops being valid, if declared.
    pub next_expires_at: Option<i64>,
    pub reason: String,
}

pub const ROTATION_KIND: &str = "accord.key-rotation.v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedKeyRotation {
    pub rotation: KeyRotation,
    /// Minisign signature by the previous key.
    pub by_previous: String,
    /// Minisign signature by the next key.
    pub by_next: String,
}

fn rotation_bytes(r: &KeyRotation) -> Result<Vec<u8>, CanonError> {
    to_canonical_bytes(&serde_json::json!({"kind": ROTATION_KIND, "record": r}))
}

/// Makes a new key and the rotation record that announces it.
pub fn rotate(
    old: &SecretKey,
    at: i64,
    next_expires_at: Option<i64>,
    reason: &str,
) -> Result<(SecretKey, SignedKeyRotation), MinisignError> {
    let new = SecretKey::generate();
    let signed = rotation_to(old, &new, at, next_expires_at, reason)?;
    Ok((new, signed))
}

/// The rotation record from `old` to a given `new` key.
pub fn rotation_to(
    old: &SecretKey,
    new: &SecretKey,
    at: i64,
    next_expires_at: Option<i64>,
    reason: &str,
) -> Result<SignedKeyRotation, MinisignError> {
    let rotation = KeyRotation {
        previous: old.public_key(),
        next: new.public_key(),
        at,
        next_expires_at,
        reason: reason.to_string(),
    };
    let bytes = rotation_bytes(&rotation).map_err(|e| MinisignError::Malformed {
        what: "rotation",
        why: e.to_string(),
    })?;
    let comment = format!("timestamp:{at}\tkind:{ROTATION_KIND}");
    Ok(SignedKeyRotation {
        by_previous: old.sign(&bytes, &comment)?.to_text(),
        by_next: new.sign(&bytes, &comment)?.to_text(),
        rotation,
    })
}

/// One key's period of validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPeriod {
    pub key: PublicKey,
    /// From when (inclusive); `None` for the first key.
    pub from: Option<i64>,
    /// Until when (exclusive), and by whom replaced.
    pub rotated: Option<(i64, KeyId)>,
    pub expires_at: Option<i64>,
}

/// The platform's keys in order, each with its validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    periods: Vec<KeyPeriod>,
}

impl Keyring {
    /// Just one key, valid at every time.
    pub fn single(key: PublicKey) -> Keyring {
        Keyring {
            periods: vec![KeyPeriod {
                key,
                from: None,
                rotated: None,
                expires_at: None,
            }],
        }
    }

    /// The chain of keys the rotations describe, trusted because `anchor`
    /// (the key the verifier trusts) is one of them and each link is signed
    /// by both its ends.
    pub fn build(anchor: &PublicKey, rotations: &[SignedKeyRotation]) -> Result<Keyring, KeyError> {
        let first = rotations
            .first()
            .map_or_else(|| anchor.clone(), |r| r.rotation.previous.clone());
        let mut ring = Keyring::single(first);
        let mut previous_at: Option<i64> = None;
        for (index, r) in rotations.iter().enumerate() {
            let rot = &r.rotation;
            let current = ring.periods.last().map(|p| p.key.key_id);
            if Some(rot.previous.key_id) != current || ring.current() != &rot.previous {
                return Err(KeyError::BrokenChain {
                    index,
                    from: rot.previous.key_id,
                    expected: ring.current().key_id,
                });
            }
            if let Some(p) = previous_at.filter(|p| rot.at <= *p) {
                return Err(KeyError::OutOfOrder {
                    index,
                    at: rot.at,
                    previous: p,
                });
            }
            let bytes = rotation_bytes(rot).map_err(|e| KeyError::BadRotation {
                index,
                signer: "either",
                reason: e.to_string(),
            })?;
            for (signer, text, key) in [
                ("previous", &r.by_previous, &rot.previous),
                ("next", &r.by_next, &rot.next),
            ] {
                Signature::parse(text)
                    .and_then(|s| s.verify(key, &bytes))
                    .map_err(|e| KeyError::BadRotation {
                        index,
                        signer,
                        reason: e.to_string(),
                    })?;
            }
            if let Some(last) = ring.periods.last_mut() {
                last.rotated = Some((rot.at, rot.next.key_id));
            }
            ring.periods.push(KeyPeriod {
                key: rot.next.clone(),
                from: Some(rot.at),
                rotated: None,
                expires_at: rot.next_expires_at,
            });
            previous_at = Some(rot.at);
        }
        if !ring.periods.iter().any(|p| &p.key == anchor) {
            return Err(KeyError::AnchorNotInChain(anchor.key_id));
        }
        Ok(ring)
    }

    /// The newest key.
    pub fn current(&self) -> &PublicKey {
        // `periods` is never empty: every constructor starts with one key.
        &self.periods[self.periods.len() - 1].key
    }

    pub fn periods(&self) -> &[KeyPeriod] {
        &self.periods
    }

    /// The key with this id, if it was valid at `at`.
    pub fn key_for(&self, key_id: KeyId, at: i64) -> Result<&PublicKey, KeyError> {
        let Some(p) = self.periods.iter().find(|p| p.key.key_id == key_id) else {
            return Err(KeyError::UnknownKey {
                key_id,
                known: self
                    .periods
                    .iter()
                    .map(|p| p.key.key_id.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if let Some(from) = p.from.filter(|f| at < *f) {
            return Err(KeyError::NotYetValid { key_id, at, from });
        }
        if let Some((rotated_at, successor)) = p.rotated.filter(|(r, _)| at >= *r) {
            return Err(KeyError::RotatedOut {
                key_id,
                at,
                rotated_at,
                successor,
            });
        }
        if let Some(expired_at) = p.expires_at.filter(|e| at >= *e) {
            return Err(KeyError::Expired {
                key_id,
                at,
                expired_at,
            });
        }
        Ok(&p.key)
    }
}

/// The key file's name in the platform's data folder.
pub const KEY_FILE_NAME: &str = "signing.key";
/// The environment variable that names another key file.
pub const KEY_FILE_ENV: &str = "ACCORD_SIGNING_KEY";

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read or write the key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`")]
    TooOpen { path: String, mode: u32 },
    #[error("the key file {path}: {source}")]
    Format { path: String, source: MinisignError },
}

/// Reads the platform's secret key from `path`, creating it (mode 0600,
/// parent folders as needed) when there is none yet. Returns whether it was
/// created. This is the crate's only file access; the key lives outside the
/// database so that a database backup never carries it.
pub fn load_or_create(path: &Path) -> Result<(SecretKey, bool), KeyFileError> {
    match load(path) {
        Err(KeyFileError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            write_new(path, &key)?;
            Ok((key, true))
        }
        other => other.map(|k| (k, false)),
    }
}

/// Reads a secret key file (Accord's or `minisign -G -W`'s); refuses one
/// that group or others can read.
pub fn load(path: &Path) -> Result<SecretKey, KeyFileError> {
    let shown = path.display().to_string();
    let io = |source| KeyFileError::Io {
        path: shown.clone(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::TooOpen { path: shown, mode });
        }
    }
    SecretKey::from_file_text(&text).map_err(|source| KeyFileError::Format {
        path: shown,
        source,
    })
}

/// Writes a key to a new file (never over an existing one), mode 0600.
pub fn write_new(path: &Path, key: &SecretKey) -> Result<(), KeyFileError> {
    use std::io::Write;
    let io = |source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(io)?;
    f.write_all(key.to_file_text().as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(seed: u8) -> SecretKey {
        let mut id = *b"key-0000";
        id[7] = seed;
        SecretKey::from_seed([seed; 32], KeyId(id))
    }

    fn chain() -> (Vec<SecretKey>, Vec<SignedKeyRotation>) {
        let keys = vec![k(1), k(2), k(3)];
        let rotations = vec![
            rotation_to(&keys[0], &keys[1], 100, None, "yearly").unwrap(),
            rotation_to(&keys[1], &keys[2], 200, Some(300), "yearly").unwrap(),
        ];
        (keys, rotations)
    }

    #[test]
    fn each_key_is_valid_between_its_rotations() {
        let (keys, rotations) = chain();
        let ring = Keyring::build(&keys[0].public_key(), &rotations).unwrap();
        assert_eq!(ring.current(), &keys[2].public_key());
        ring.key_for(keys[0].key_id, 99).unwrap();
        ring.key_for(keys[1].key_id, 100).unwrap();
        ring.key_for(keys[2].key_id, 250).unwrap();
        assert!(matches!(
            ring.key_for(keys[0].key_id, 100),
            Err(KeyError::RotatedOut { .. })
        ));
        assert!(matches!(
            ring.key_for(keys[1].key_id, 50),
            Err(KeyError::NotYetValid { .. })
        ));
        assert!(matches!(
            ring.key_for(keys[2].key_id, 300),
            Err(KeyError::Expired { .. })
        ));
        assert!(matches!(
            ring.key_for(k(9).key_id, 150),
            Err(KeyError::UnknownKey { .. })
        ));
    }

    #[test]
    fn trusting_the_current_key_still_verifies_the_old_ones() {
        let (keys, rotations) = chain();
        let ring = Keyring::build(&keys[2].public_key(), &rotations).unwrap();
        ring.key_for(keys[0].key_id, 10).unwrap();
    }

    #[test]
    fn a_chain_without_the_trusted_key_is_refused() {
        let (_, rotations) = chain();
        assert!(matches!(
            Keyring::build(&k(9).public_key(), &rotations),
            Err(KeyError::AnchorNotInChain(_))
        ));
    }

    #[test]
    fn a_foreign_key_cannot_be_grafted_onto_the_trusted_keys_history() {
        // Someone who trusts the current key must not be led to accept a
        // stranger's key as its predecessor: that needs the current key's
        // own signature on the rotation, which the stranger cannot make.
        let (keys, rotations) = chain();
        let stranger = k(8);
        let mut forged = rotation_to(&stranger, &k(7), 150, None, "x").unwrap();
        forged.rotation.next = keys[2].public_key();
        forged.rotation.at = 200;
        let bytes = rotation_bytes(&forged.rotation).unwrap();
        forged.by_previous = stranger.sign(&bytes, "t").unwrap().to_text();
        forged.by_next = rotations[1].by_next.clone();
        let err = Keyring::build(&keys[2].public_key(), &[forged]).unwrap_err();
        assert!(
            matches!(err, KeyError::BadRotation { signer: "next", .. }),
            "{err}"
        );
    }

    #[test]
    fn rotations_must_link_up_and_move_forward() {
        let (keys, rotations) = chain();
        let reversed = vec![rotations[1].clone(), rotations[0].clone()];
        assert!(matches!(
            Keyring::build(&keys[0].public_key(), &reversed),
            Err(KeyError::BrokenChain { .. })
        ));
        let back = vec![
            rotations[0].clone(),
            rotation_to(&keys[1], &keys[2], 50, None, "x").unwrap(),
        ];
        assert!(matches!(
            Keyring::build(&keys[0].public_key(), &back),
            Err(KeyError::OutOfOrder { .. })
        ));
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("accord-proof-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("data").join("signing.key");
        let (key, created) = load_or_create(&path).unwrap();
        assert!(created);
        let (again, created) = load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again.public_key(), key.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(load(&path), Err(KeyFileError::TooOpen { .. })));
        }
        assert!(write_new(&path, &key).is_err(), "never overwrites a key");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
