//! The platform key's history as the transparency log records it, and its
//! rotation (`accord keys rotate`, docs/proof.md "Key rotation").
//!
//! A rotation is a `LogEntry::KeyRotation` signed by the old key and the
//! new one, followed by a head signed by the new key. From then on the log
//! only accepts heads signed by the new key ([`ensure_current`] guards every
//! append), and export signatures made with the new key for versions
//! published before the rotation carry the rotation's time, when the new
//! key became valid, instead of the version's publication time
//! ([`key_valid_from`]): a signature claiming a time before its key existed
//! would rightly be refused by `accord verify`.

use accord_proof::keys::SignedKeyRotation;
use accord_proof::log::LogEntry;
use accord_proof::{Keyring, PublicKey, SecretKey};
use accord_store::Store;

use crate::transparency::{self, ProofError, load_log};

/// The key rotations among `entries`, oldest first.
pub fn rotations(entries: &[LogEntry]) -> Vec<SignedKeyRotation> {
    entries
        .iter()
        .filter_map(|e| match e {
            LogEntry::KeyRotation(r) => Some((**r).clone()),
            _ => None,
        })
        .collect()
}

/// The key that signed the first platform-signed entry of the log, if any.
fn first_platform_key(entries: &[LogEntry]) -> Option<accord_proof::KeyId> {
    entries.iter().find_map(|e| match e {
        LogEntry::ListVersion(s) => s.key_id().ok(),
        LogEntry::AuditCheckpoint(s) => s.key_id().ok(),
        LogEntry::MemberKey(s) => s.key_id().ok(),
        LogEntry::KeyRotation(r) => Some(r.rotation.previous.key_id),
        LogEntry::Decision(_) => None,
    })
}

/// Refuses a key that is not the platform's current key according to the
/// log: after a rotation, the rotation's new key; before any, the key that
/// signed the log's first entry.
pub fn ensure_current(entries: &[LogEntry], key: &SecretKey) -> Result<(), ProofError> {
    let ours = key.public_key();
    if let Some(last) = rotations(entries).last() {
        if last.rotation.next != ours {
            return Err(ProofError::Key(format!(
                "the transparency log says the platform key is {} since {} (rotated from {}), but this key is {}: {}",
                last.rotation.next.key_id,
                last.rotation.at,
                last.rotation.previous.key_id,
                ours.key_id,
                if last.rotation.previous == ours {
                    "this key was rotated out; restart with the current key file"
                } else {
                    "this is not the platform's key"
                }
            )));
        }
        return Ok(());
    }
    match first_platform_key(entries) {
        Some(id) if id != ours.key_id => Err(ProofError::Key(format!(
            "the transparency log was signed by key {id}, but this key is {}: a key file replaced by hand \
             would make every earlier proof unverifiable; restore key {id} and use `accord keys rotate`",
            ours.key_id
        ))),
        _ => Ok(()),
    }
}

/// Checks, before a server or a command signs anything, that `key` is the
/// platform's current key according to the stored log.
pub async fn check_signing_key(store: &Store, key: &SecretKey) -> Result<(), ProofError> {
    let log = load_log(store).await?;
    ensure_current(log.entries(), key)?;
    if let Some(head) = transparency::latest_head(store).await?
        && let Ok(id) = head.key_id()
        && id != key.key_id
    {
        return Err(ProofError::Key(format!(
            "the newest signed tree head is key {id}'s, but this key is {}: is the key file the platform's current one?",
            key.key_id
        )));
    }
    Ok(())
}

/// When `key` became the platform's key: the time of the rotation that
/// announced it, or `None` for the first key. Reads only the rotations.
pub async fn key_valid_from(store: &Store, key: &SecretKey) -> Result<Option<i64>, ProofError> {
    let ours = key.public_key();
    let mut from = None;
    for row in store.transparency_entries_of_kind("key_rotation").await? {
        let entry: LogEntry =
            serde_json::from_str(&row.entry).map_err(|e| ProofError::Corrupt {
                sequence: row.sequence,
                reason: e.to_string(),
            })?;
        if let LogEntry::KeyRotation(r) = entry
            && r.rotation.next == ours
        {
            from = Some(r.rotation.at);
        }
    }
    Ok(from)
}

/// The platform's key history from the stored log, trusted because
/// `trusted` is in it.
pub async fn keyring(store: &Store, trusted: &PublicKey) -> Result<Keyring, ProofError> {
    let log = load_log(store).await?;
    Keyring::build(trusted, &rotations(log.entries()))
        .map_err(|e| ProofError::Key(format!("the platform key history in the log: {e}")))
}

/// Logs a rotation from `old` to `new` (made with `keys::rotate`): first
/// every version published so far is sealed with the old key, then the
/// rotation is appended with a head signed by the new key. The caller
/// writes the new key file only after this succeeds, and must restart any
/// server still holding the old key (its next append would be refused).
/// The newest time the platform's key signed a record in the log (0 for an
/// empty log): a rotation must come after it, since the old key is valid
/// only until the rotation (exclusive) and times are whole seconds.
pub async fn newest_platform_signature(store: &Store) -> Result<i64, ProofError> {
    use accord_proof::records::Record;
    let log = load_log(store).await?;
    Ok(log
        .entries()
        .iter()
        .filter_map(|e| match e {
            LogEntry::ListVersion(v) => Some(v.record.signed_at()),
            LogEntry::AuditCheckpoint(c) => Some(c.record.signed_at()),
            LogEntry::MemberKey(k) => Some(k.record.signed_at()),
            LogEntry::KeyRotation(r) => Some(r.rotation.at),
            // Signed by a member, not by the platform.
            LogEntry::Decision(_) => None,
        })
        .max()
        .unwrap_or(0))
}

pub async fn log_rotation(
    store: &Store,
    old: &SecretKey,
    new: &SecretKey,
    rotation: &SignedKeyRotation,
) -> Result<(), ProofError> {
    let at = rotation.rotation.at;
    if rotation.rotation.previous != old.public_key() || rotation.rotation.next != new.public_key()
    {
        return Err(ProofError::Key(
            "the rotation is not from this old key to this new key".into(),
        ));
    }
    // Logged already (the command is run again after a failure later on).
    if rotations(load_log(store).await?.entries()).last() == Some(rotation) {
        return Ok(());
    }
    // A second earlier: the old key is valid until the rotation's time
    // (exclusive), and what it seals must be verifiable with it.
    transparency::seal(store, old, at - 1).await?;
    for _attempt in 0..5 {
        let mut log = load_log(store).await?;
        ensure_current(log.entries(), old)?;
        if let Some(last) = rotations(log.entries()).last() {
            if last == rotation {
                return Ok(());
            }
            // Verifiers refuse a key history whose rotations are not in
            // strictly increasing time.
            if last.rotation.at >= at {
                return Err(ProofError::Key(format!(
                    "the last rotation was at {}, not before this one ({at}): try again in a second",
                    last.rotation.at
                )));
            }
        }
        let size = log.len() as i64;
        let mut entries = Vec::new();
        transparency::push_entry(
            &mut log,
            &mut entries,
            LogEntry::KeyRotation(Box::new(rotation.clone())),
            None,
        )?;
        match transparency::append_signed(store, new, size, &log, &entries, at).await {
            Ok(()) => return Ok(()),
            Err(ProofError::Store(accord_store::StoreError::Conflict(_))) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ProofError::Busy)
}
