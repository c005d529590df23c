//! The platform's signatures and transparency log, wired to the store (see
//! `accord-proof` and docs/proof.md).
//!
//! **When versions are sealed.** A version of the common list is published
//! inside the store's transaction that adopts a proposal (or merges
//! subjects); that code lives below this crate and has neither the export
//! writers ([`crate::publication`]) nor the signing key. Rather than move
//! either into the store — the key must never be near the database — every
//! published version not yet in the log is *sealed* here: its four exports
//! written with the same writer that serves them, their SHA-256 put in a
//! signed `VersionRecord`, the audit chain's head signed as an
//! `AuditCheckpoint`, both appended to the log with a new signed tree head.
//! Sealing runs on start, on every tick of the procedure clock (which is
//! what adopts proposals at their deadline), and before any proof, bundle or
//! signature is served, so nobody ever sees a version without its proof.
//! It is safe to run anywhere at any time: versions are immutable (so the
//! exports are the same bytes whenever they are written), and the store
//! refuses an append built against a log that has grown since, or a second
//! entry for one version (a unique constraint); the loser reloads and finds
//! nothing left to do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use accord_proof::log::LogEntry;
use accord_proof::merkle::Hash;
use accord_proof::records::ExportDigest;
use accord_proof::{
    AuditCheckpoint, ProofBundle, SecretKey, Signed, SignedTreeHead, TransparencyLog,
    VersionRecord, keys, sign_export,
};
use accord_store::common_list::PublishedVersion;
use accord_store::transparency::{NewLogEntry, NewTreeHead};
use accord_store::{Actor, Store, StoreError};

use crate::publication::{self, ExportFormat};

/// The list's identifier in signed records and export signatures.
pub use accord_store::common_list::LIST_ID;

/// Every export format, in the order of a version record.
pub const FORMATS: [ExportFormat; 4] = [
    ExportFormat::Csv,
    ExportFormat::Ftm,
    ExportFormat::UnXml,
    ExportFormat::Stix,
];

#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the transparency log is corrupt at entry {sequence}: {reason}")]
    Corrupt { sequence: i64, reason: String },
    #[error("writing the {format} export of version {version} failed: {reason}")]
    Export {
        format: &'static str,
        version: i64,
        reason: String,
    },
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("the transparency log kept changing while sealing; try again")]
    Busy,
    #[error("the platform key: {0}")]
    Key(String),
    #[error(
        "the {format} export of version {version} has SHA-256 {now}, but its signed record in the transparency log names {logged}: the stored version was altered after it was published; nothing was signed"
    )]
    Altered {
        format: &'static str,
        version: i64,
        logged: String,
        now: String,
    },
    #[error(transparent)]
    Audit(#[from] accord_proof::records::CheckpointError),
}

/// The format's name in version records (`csv`, `ftm`, `un-xml`, `stix`).
pub fn format_name(f: ExportFormat) -> &'static str {
    match f {
        ExportFormat::Csv => "csv",
        ExportFormat::Ftm => "ftm",
        ExportFormat::UnXml => "un-xml",
        ExportFormat::Stix => "stix",
    }
}

/// Where the platform's key is: the path given (`--signing-key`,
/// `ACCORD_SIGNING_KEY`, or the configuration file), else beside a SQLite
/// database file. `None` for PostgreSQL (or an in-memory SQLite) without a
/// configured path: there is no data folder to put it in.
pub fn key_path(explicit: Option<&Path>, database_url: &str) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let file = rest.split('?').next().unwrap_or_default();
    if file.is_empty() || file.starts_with(':') {
        return None;
    }
    let dir = Path::new(file)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(dir.join(keys::KEY_FILE_NAME))
}

/// The export of a version, and its detached signature (`FILE.minisig`).
/// The signature's time is the version's publication time, so the same key
/// gives the same signature wherever and whenever it is made (the web, the
/// CLI).
pub fn signed_export(
    key: &SecretKey,
    v: &PublishedVersion,
    format: ExportFormat,
) -> Result<(Vec<u8>, String), ProofError> {
    signed_export_since(key, v, format, None)
}

/// [`signed_export`] with a key that became valid at `key_from` (its
/// rotation's time, [`crate::keychain::key_valid_from`]): a version
/// published before then is signed at `key_from`, when this key could first
/// sign, so that the signature's time is within the key's validity.
pub fn signed_export_since(
    key: &SecretKey,
    v: &PublishedVersion,
    format: ExportFormat,
    key_from: Option<i64>,
) -> Result<(Vec<u8>, String), ProofError> {
    let version = v.version.version;
    let body = publication::write(v, format).map_err(|e| ProofError::Export {
        format: format_name(format),
        version,
        reason: e.to_string(),
    })?;
    let sig = sign_export(
        key,
        &body,
        &format.file_name(version),
        LIST_ID,
        version as u64,
        (v.version.created_at / 1000).max(key_from.unwrap_or(i64::MIN)),
    )
    .map_err(|e| ProofError::Sign(e.to_string()))?;
    Ok((body, sig.to_text()))
}

/// The export of a version and its signature, as it is served: signed by
/// `key` at a time within its validity, and only if the bytes are the ones
/// the version's signed record in the log names. A version whose stored
/// entries were edited after publication (the database's immutability
/// triggers dropped) is refused with [`ProofError::Altered`] instead of
/// being signed afresh.
pub async fn checked_export(
    store: &Store,
    key: &SecretKey,
    v: &PublishedVersion,
    format: ExportFormat,
) -> Result<(Vec<u8>, String), ProofError> {
    let key_from = crate::keychain::key_valid_from(store, key).await?;
    let (body, signature) = signed_export_since(key, v, format, key_from)?;
    let version = v.version.version;
    if let Some(row) = store.transparency_entry_for_version(version).await? {
        let corrupt = |reason: String| ProofError::Corrupt {
            sequence: row.sequence,
            reason,
        };
        let entry: LogEntry =
            serde_json::from_str(&row.entry).map_err(|e| corrupt(e.to_string()))?;
        let LogEntry::ListVersion(record) = entry else {
            return Err(corrupt(format!("it is not version {version}'s record")));
        };
        let name = format_name(format);
        let now = Hash::sha256(&body);
        match record.record.exports.iter().find(|e| e.format == name) {
            Some(e) if e.sha256 == now => {}
            Some(e) => {
                return Err(ProofError::Altered {
                    format: name,
                    version,
                    logged: e.sha256.to_string(),
                    now: now.to_string(),
                });
            }
            None => {
                return Err(corrupt(format!(
                    "version {version}'s record has no {name} export"
                )));
            }
        }
    }
    Ok((body, signature))
}

/// The log as stored, with every stored leaf hash checked against its entry.
pub async fn load_log(store: &Store) -> Result<TransparencyLog, ProofError> {
    let rows = store.transparency_entries().await?;
    let mut log = TransparencyLog::new();
    for r in rows {
        let corrupt = |reason: String| ProofError::Corrupt {
            sequence: r.sequence,
            reason,
        };
        let entry: LogEntry = serde_json::from_str(&r.entry).map_err(|e| corrupt(e.to_string()))?;
        let hash = entry.leaf_hash().map_err(|e| corrupt(e.to_string()))?;
        if hash.to_hex() != r.leaf_hash {
            return Err(corrupt("its leaf hash does not match its entry".into()));
        }
        let index = log.append(entry).map_err(|e| corrupt(e.to_string()))?;
        if index as i64 != r.sequence {
            return Err(corrupt(format!("it is stored as entry {}", r.sequence)));
        }
    }
    Ok(log)
}

/// The newest signed tree head, if any.
pub async fn latest_head(store: &Store) -> Result<Option<SignedTreeHead>, ProofError> {
    store
        .latest_transparency_head()
        .await?
        .map(|h| {
            serde_json::from_str(&h.signed).map_err(|e| ProofError::Corrupt {
                sequence: h.size,
                reason: format!("its signed head: {e}"),
            })
        })
        .transpose()
}

fn new_entry(entry: &LogEntry, list_version: Option<i64>) -> Result<NewLogEntry, ProofError> {
    let data = entry
        .leaf_data()
        .map_err(|e| ProofError::Sign(e.to_string()))?;
    let kind = match entry {
        LogEntry::ListVersion(_) => "list_version",
        LogEntry::Decision(_) => "decision",
        LogEntry::AuditCheckpoint(_) => "audit_checkpoint",
        LogEntry::MemberKey(_) => "member_key",
        LogEntry::KeyRotation(_) => "key_rotation",
    };
    let leaf_hash = accord_proof::merkle::leaf_hash(&data).to_hex();
    Ok(NewLogEntry {
        kind: kind.into(),
        // Canonical JSON is UTF-8.
        entry: String::from_utf8(data).map_err(|e| ProofError::Sign(e.to_string()))?,
        leaf_hash,
        list_version,
    })
}

/// The signed record of a published version: the SHA-256 of each export,
/// and the members' signed decisions on the proposal that made it.
pub fn version_record(
    key: &SecretKey,
    v: &PublishedVersion,
    adoption: Vec<accord_proof::SignedDecision>,
) -> Result<Signed<VersionRecord>, ProofError> {
    let version = v.version.version;
    let exports = FORMATS
        .iter()
        .map(|&f| {
            let body = publication::write(v, f).map_err(|e| ProofError::Export {
                format: format_name(f),
                version,
                reason: e.to_string(),
            })?;
            Ok(ExportDigest {
                format: format_name(f).into(),
                file_name: f.file_name(version),
                sha256: Hash::sha256(&body),
            })
        })
        .collect::<Result<Vec<_>, ProofError>>()?;
    Signed::sign(
        VersionRecord {
            list_id: LIST_ID.into(),
            version: version as u64,
            published_at: v.version.created_at / 1000,
            subject_count: v.version.entry_count as u64,
            exports,
            proposal: v
                .version
                .proposal_id
                .map(accord_store::common_list::proposal_reference),
            adoption,
            supersedes: (version > 1).then(|| version as u64 - 1),
        },
        key,
    )
    .map_err(|e| ProofError::Sign(e.to_string()))
}

/// The audit chain's head as it is now, signed as an `AuditCheckpoint`.
pub(crate) async fn audit_checkpoint(
    store: &Store,
    key: &SecretKey,
    now_s: i64,
) -> Result<LogEntry, ProofError> {
    let audit = store.audit_head().await?;
    Ok(LogEntry::AuditCheckpoint(
        Signed::sign(
            AuditCheckpoint {
                sequence: audit.sequence,
                hash: audit.hash,
                at: now_s,
            },
            key,
        )
        .map_err(|e| ProofError::Sign(e.to_string()))?,
    ))
}

/// Appends `entry` to the log being built and to the rows to store.
pub(crate) fn push_entry(
    log: &mut TransparencyLog,
    entries: &mut Vec<NewLogEntry>,
    entry: LogEntry,
    list_version: Option<i64>,
) -> Result<(), ProofError> {
    entries.push(new_entry(&entry, list_version)?);
    log.append(entry)
        .map_err(|e| ProofError::Sign(e.to_string()))?;
    Ok(())
}

/// Signs the head of `log` (which is the stored log of `at` entries plus
/// `entries`) and stores both in one transaction. A conflict means another
/// node appended first: reload and try again. Refuses to sign with a key
/// the log says was rotated out (a server still running with the old key
/// after `accord keys rotate`), so no head is ever signed by a retired key.
pub(crate) async fn append_signed(
    store: &Store,
    key: &SecretKey,
    at: i64,
    log: &TransparencyLog,
    entries: &[NewLogEntry],
    now_s: i64,
) -> Result<(), ProofError> {
    crate::keychain::ensure_current(log.entries(), key)?;
    let head = log
        .sign_head(key, now_s)
        .map_err(|e| ProofError::Sign(e.to_string()))?;
    let new_head = NewTreeHead {
        size: head.record.size as i64,
        root: head.record.root.to_hex(),
        signed: serde_json::to_string(&head).map_err(|e| ProofError::Sign(e.to_string()))?,
    };
    store
        .append_transparency(&Actor::system("transparency"), at, entries, &new_head)
        .await?;
    Ok(())
}

/// Appends every published version not yet logged (oldest first), an audit
/// checkpoint and a new signed head. Returns how many versions were sealed.
pub async fn seal(store: &Store, key: &SecretKey, now_s: i64) -> Result<usize, ProofError> {
    for _attempt in 0..5 {
        let log = load_log(store).await?;
        let logged: BTreeSet<u64> = log
            .entries()
            .iter()
            .filter_map(|e| match e {
                LogEntry::ListVersion(v) if v.record.list_id == LIST_ID => Some(v.record.version),
                _ => None,
            })
            .collect();
        let mut missing: Vec<i64> = store
            .list_versions()
            .await?
            .into_iter()
            .map(|v| v.version)
            .filter(|v| !logged.contains(&(*v as u64)))
            .collect();
        missing.sort_unstable();
        // Decisions are read before keys, so that every decision's key is
        // among the keys read (a key registered in between is merely early).
        let decisions = unlogged_decisions(store, &log).await?;
        let certificates = unlogged_certificates(store, &log, now_s).await?;
        if missing.is_empty() && certificates.is_empty() && decisions.is_empty() {
            return Ok(0);
        }
        let at = log.len() as i64;
        let mut log = log;
        let mut entries = Vec::new();
        // Keys before the decisions they sign, decisions before the versions
        // whose record of adoption names them.
        for certificate in certificates {
            let signed =
                Signed::sign(certificate, key).map_err(|e| ProofError::Sign(e.to_string()))?;
            push_entry(&mut log, &mut entries, LogEntry::MemberKey(signed), None)?;
        }
        for decision in decisions {
            push_entry(&mut log, &mut entries, LogEntry::Decision(decision), None)?;
        }
        for version in &missing {
            let v = store.published_list(Some(*version)).await?;
            let adoption = match v.version.proposal_id {
                Some(p) => store
                    .signed_decisions(Some(p))
                    .await?
                    .iter()
                    .map(|d| d.signed())
                    .collect::<Result<Vec<_>, _>>()?,
                None => Vec::new(),
            };
            let entry = LogEntry::ListVersion(version_record(key, &v, adoption)?);
            push_entry(&mut log, &mut entries, entry, Some(*version))?;
        }
        // Never sign a chain that disagrees with the newest checkpoint: that
        // would make a cut look legitimate. The versions are sealed anyway.
        if crate::anchor::chain_agrees(store, &log).await? {
            let checkpoint = audit_checkpoint(store, key, now_s).await?;
            push_entry(&mut log, &mut entries, checkpoint, None)?;
        }
        match append_signed(store, key, at, &log, &entries, now_s).await {
            Ok(()) => return Ok(missing.len()),
            // Another node sealed first: reload and see what is left.
            Err(ProofError::Store(StoreError::Conflict(_))) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ProofError::Busy)
}

/// Seals right after a write the log must carry (a decision, a key), if this
/// server holds the key. A failure is only logged: the procedure clock seals
/// again on its next tick, and every proof request seals first.
pub async fn seal_after_write(state: &crate::state::AppState, what: &str) {
    if let Some(key) = &state.signing_key
        && let Err(e) = seal(
            &state.store,
            key,
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )
        .await
    {
        tracing::warn!(error = %e, what, "sealing after a write failed; the clock retries");
    }
}

/// The member keys whose registration (or end) the log does not certify
/// yet, as certificates to sign now.
async fn unlogged_certificates(
    store: &Store,
    log: &TransparencyLog,
    now_s: i64,
) -> Result<Vec<accord_proof::records::MemberKey>, ProofError> {
    let logged: BTreeSet<(String, String, i64, Option<i64>)> = log
        .entries()
        .iter()
        .filter_map(|e| match e {
            LogEntry::MemberKey(k) => Some((
                k.record.member.clone(),
                k.record.public_key.to_base64(),
                k.record.valid_from,
                k.record.valid_until,
            )),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for row in store.member_keys(None).await? {
        let c = row.certificate(now_s)?;
        let id = (
            c.member.clone(),
            c.public_key.to_base64(),
            c.valid_from,
            c.valid_until,
        );
        if !logged.contains(&id) {
            out.push(c);
        }
    }
    Ok(out)
}

/// The members' signed decisions not in the log yet, oldest first.
async fn unlogged_decisions(
    store: &Store,
    log: &TransparencyLog,
) -> Result<Vec<accord_proof::SignedDecision>, ProofError> {
    let logged: BTreeSet<&str> = log
        .entries()
        .iter()
        .filter_map(|e| match e {
            LogEntry::Decision(d) => Some(d.signature.as_str()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for row in store.signed_decisions(None).await? {
        let d = row.signed()?;
        if !logged.contains(d.signature.as_str()) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Everything needed to check one export of one version offline, against
/// the newest head: the bundle of `accord_proof`, with consistency proofs
/// from every earlier head the platform signed.
pub async fn bundle(
    store: &Store,
    key: &SecretKey,
    version: i64,
    format: ExportFormat,
) -> Result<ProofBundle, ProofError> {
    let v = store.published_list(Some(version)).await?;
    let (_, signature) = checked_export(store, key, &v, format).await?;
    let log = load_log(store).await?;
    let head = latest_head(store)
        .await?
        .ok_or_else(|| StoreError::NotFound("a signed tree head".into()))?;
    let mut b = log
        .bundle(LIST_ID, version as u64, &signature, &head)
        .map_err(|e| match e {
            accord_proof::log::LogError::NoSuchVersion { .. } => ProofError::Store(
                StoreError::NotFound(format!("version {version} in the transparency log")),
            ),
            other => ProofError::Corrupt {
                sequence: head.record.size as i64,
                reason: other.to_string(),
            },
        })?;
    for h in store.transparency_heads().await? {
        if h.size > 0 && (h.size as u64) < head.record.size {
            b.consistency.push(
                log.consistency_proof(h.size as u64, head.record.size)
                    .map_err(|e| ProofError::Corrupt {
                        sequence: h.size,
                        reason: e.to_string(),
                    })?,
            );
        }
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_lives_beside_a_sqlite_file_unless_a_path_is_given() {
        assert_eq!(
            key_path(None, "sqlite:///var/lib/accord/accord.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/accord/signing.key"))
        );
        assert_eq!(
            key_path(None, "sqlite://accord.db"),
            Some(PathBuf::from("./signing.key"))
        );
        assert_eq!(key_path(None, "sqlite::memory:"), None);
        assert_eq!(key_path(None, "postgres://u:p@h/db"), None);
        assert_eq!(
            key_path(Some(Path::new("/etc/accord/k")), "postgres://u:p@h/db"),
            Some(PathBuf::from("/etc/accord/k"))
        );
    }
}
