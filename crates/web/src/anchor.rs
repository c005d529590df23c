//! The audit chain, anchored in the transparency log (docs/proof.md, "The
//! audit chain, anchored").
//!
//! The audit log is a hash chain: each record's hash covers the previous
//! one, so a record changed in place breaks the chain. But someone with
//! write access to the database can cut the chain's tail and reset its head
//! row, and the chain that is left is intact. So the chain's head (sequence
//! and hash) is signed with the platform key and appended to the
//! transparency log — on every publication ([`crate::transparency::seal`])
//! and on the procedure clock's schedule ([`anchor_audit`]) — and
//! [`verify_audit_chain`] checks the chain against every signed checkpoint
//! in the log and, optionally, against one exported earlier and kept
//! elsewhere ([`CheckpointProof`]).

use accord_proof::log::LogEntry;
use accord_proof::records::CheckpointError;
use accord_proof::{
    AuditCheckpoint, CheckpointProof, Keyring, PublicKey, SecretKey, Signed, TransparencyLog,
};
use accord_store::{Store, StoreError};

use crate::keychain;
use crate::transparency::{self, ProofError, load_log};

/// The audit action of an append to the transparency log: a chain that
/// moved only by these is not anchored again (it would never stop).
pub const APPEND_ACTION: &str = "transparency.append";

/// Default interval of the scheduled anchoring, in minutes.
pub const DEFAULT_INTERVAL_MINUTES: u64 = 60;

/// The log's audit checkpoints with their indices, oldest first.
fn checkpoints(entries: &[LogEntry]) -> Vec<(u64, &Signed<AuditCheckpoint>)> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            LogEntry::AuditCheckpoint(c) => Some((i as u64, c)),
            _ => None,
        })
        .collect()
}

/// Checks the chain's stored head against a checkpoint (cheap: two reads,
/// not the chain's links).
async fn check_head_against(store: &Store, cp: &AuditCheckpoint) -> Result<(), ProofError> {
    let head = store.audit_head().await?;
    let hash = store.audit_hash_at(cp.sequence).await?;
    cp.check(head.sequence, hash.as_deref())?;
    Ok(())
}

/// Whether the audit chain still agrees with the newest checkpoint in `log`
/// (true when there is none): what must hold before any checkpoint is
/// signed, by the schedule or by a publication.
pub(crate) async fn chain_agrees(store: &Store, log: &TransparencyLog) -> Result<bool, ProofError> {
    match checkpoints(log.entries()).last() {
        None => Ok(true),
        Some((_, last)) => match check_head_against(store, &last.record).await {
            Ok(()) => Ok(true),
            Err(ProofError::Audit(e)) => {
                tracing::error!(error = %e, "the audit chain does not match its last signed checkpoint; not anchoring it");
                Ok(false)
            }
            Err(e) => Err(e),
        },
    }
}

/// Signs the audit chain's head and appends it to the log with a new signed
/// head, if the chain moved (by more than the log's own appends) since the
/// newest checkpoint and that checkpoint is at least `min_interval_s` old.
/// Returns the checkpoint made, if any.
///
/// Refuses ([`ProofError::Audit`]) to sign a chain that no longer agrees
/// with the newest checkpoint — shorter than it, or another hash at its
/// record: anchoring a truncated chain would make the cut look legitimate.
pub async fn anchor_audit(
    store: &Store,
    key: &SecretKey,
    now_s: i64,
    min_interval_s: i64,
) -> Result<Option<AuditCheckpoint>, ProofError> {
    for _attempt in 0..5 {
        let mut log = load_log(store).await?;
        if let Some((_, last)) = checkpoints(log.entries()).last() {
            let last = &last.record;
            check_head_against(store, last).await?;
            if now_s - last.at < min_interval_s
                || store
                    .audit_records_after(last.sequence, APPEND_ACTION)
                    .await?
                    == 0
            {
                return Ok(None);
            }
        } else if store.audit_head().await?.sequence == 0 {
            return Ok(None);
        }
        let at = log.len() as i64;
        let entry = transparency::audit_checkpoint(store, key, now_s).await?;
        let LogEntry::AuditCheckpoint(signed) = &entry else {
            unreachable!("audit_checkpoint makes checkpoints");
        };
        let made = signed.record.clone();
        let mut entries = Vec::new();
        transparency::push_entry(&mut log, &mut entries, entry, None)?;
        match transparency::append_signed(store, key, at, &log, &entries, now_s).await {
            Ok(()) => return Ok(Some(made)),
            Err(ProofError::Store(StoreError::Conflict(_))) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ProofError::Busy)
}

/// The newest signed checkpoint with its proof under the newest head, as
/// `accord audit checkpoint` exports it and
/// `GET /api/transparency/audit-checkpoint` serves it.
pub async fn latest_checkpoint(store: &Store) -> Result<Option<CheckpointProof>, ProofError> {
    let log = load_log(store).await?;
    let Some(head) = transparency::latest_head(store).await? else {
        return Ok(None);
    };
    let size = head.record.size;
    let Some((index, _)) = checkpoints(log.entries())
        .into_iter()
        .rfind(|(i, _)| *i < size)
    else {
        return Ok(None);
    };
    CheckpointProof::new(&log, index, &head).map_err(|e| ProofError::Corrupt {
        sequence: size as i64,
        reason: e.to_string(),
    })
}

/// Why the audit chain does not hold against its anchors.
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    /// The chain disagrees with a checkpoint: truncated or rewritten.
    #[error(
        "the audit chain does not match the {source_name} signed at {at} (log entry {index}): {error}"
    )]
    Chain {
        source_name: &'static str,
        index: u64,
        at: i64,
        error: CheckpointError,
    },
    /// The transparency log (or an exported checkpoint) itself does not
    /// hold: a bad signature, a root that is not the signed one, a log
    /// shorter than a head it once had.
    #[error("{0}")]
    Log(String),
    /// Signed checkpoints exist but no key was given to check them with.
    #[error(
        "the transparency log holds signed audit checkpoints, but there is no platform public key to check them with: give --public-key (or the signing key file)"
    )]
    NoKey,
    #[error(transparent)]
    Proof(#[from] ProofError),
}

impl From<StoreError> for AnchorError {
    fn from(e: StoreError) -> AnchorError {
        AnchorError::Proof(ProofError::Store(e))
    }
}

/// What [`verify_audit_chain`] checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorReport {
    /// The chain's length (its last record's sequence number).
    pub chain_length: i64,
    /// How many of the log's signed checkpoints were checked.
    pub checkpoints: usize,
    /// The newest of them.
    pub latest: Option<AuditCheckpoint>,
    /// The exported checkpoint checked, if one was given.
    pub exported: Option<AuditCheckpoint>,
    /// The log's size under its newest signed head.
    pub log_size: u64,
}

/// Checks an audit chain already verified link by link (`chain_length` is
/// its last record's sequence number, from `Store::verify_audit_log`)
/// against its anchors: the exported checkpoint if given (its signatures,
/// its inclusion under its head, that the stored log still extends that
/// head, and the chain), then the stored log (its newest head's signature
/// and root) and every signed checkpoint in it, newest first.
///
/// `trusted` is the platform's public key (any key of its rotation chain).
pub async fn verify_audit_chain(
    store: &Store,
    chain_length: i64,
    trusted: Option<&PublicKey>,
    exported: Option<&CheckpointProof>,
) -> Result<AnchorReport, AnchorError> {
    let log = load_log(store).await.map_err(|e| match e {
        e @ ProofError::Corrupt { .. } => AnchorError::Log(e.to_string()),
        other => AnchorError::Proof(other),
    })?;
    let found = checkpoints(log.entries());
    let Some(trusted) = trusted else {
        if found.is_empty() && exported.is_none() {
            return Ok(AnchorReport {
                chain_length,
                checkpoints: 0,
                latest: None,
                exported: None,
                log_size: log.len(),
            });
        }
        return Err(AnchorError::NoKey);
    };
    let chain = async |source_name, index, cp: &AuditCheckpoint| -> Result<(), AnchorError> {
        let hash = store.audit_hash_at(cp.sequence).await?;
        cp.check(chain_length, hash.as_deref())
            .map_err(|error| AnchorError::Chain {
                source_name,
                index,
                at: cp.at,
                error,
            })
    };
    let stored_ring = Keyring::build(trusted, &keychain::rotations(log.entries()));

    let mut exported_cp = None;
    if let Some(x) = exported {
        // The file's own rotations suffice if the stored ones were cut.
        let ring = stored_ring
            .as_ref()
            .map(Keyring::clone)
            .or_else(|_| Keyring::build(trusted, &x.key_rotations))
            .map_err(|e| AnchorError::Log(format!("the exported checkpoint's key history: {e}")))?;
        let cp = x
            .verify(&ring)
            .map_err(|e| AnchorError::Log(format!("the exported checkpoint: {e}")))?;
        chain("exported checkpoint", x.inclusion.leaf_index, cp).await?;
        let size = x.head.record.size;
        if size > log.len() {
            return Err(AnchorError::Log(format!(
                "the transparency log has {} entries, fewer than the {size} of the exported checkpoint's head: it was truncated",
                log.len()
            )));
        }
        let root = log
            .root_at(size)
            .map_err(|e| AnchorError::Log(e.to_string()))?;
        if root != x.head.record.root {
            return Err(AnchorError::Log(format!(
                "the transparency log's first {size} entries are not the ones the exported checkpoint's head signed: the log was rewritten"
            )));
        }
        exported_cp = Some(cp.clone());
    }

    let ring = stored_ring
        .map_err(|e| AnchorError::Log(format!("the platform key history in the log: {e}")))?;
    let head = transparency::latest_head(store)
        .await
        .map_err(|e| AnchorError::Log(e.to_string()))?;
    let log_size = match &head {
        None if log.is_empty() => 0,
        None => {
            return Err(AnchorError::Log(format!(
                "the transparency log has {} entries but no signed head",
                log.len()
            )));
        }
        Some(h) => {
            let id = h
                .verify(&ring)
                .map_err(|e| AnchorError::Log(format!("the log's newest signed head: {e}")))?;
            if id != ring.current().key_id {
                return Err(AnchorError::Log(format!(
                    "the log's newest head was signed by key {id}, not the newest key {}",
                    ring.current().key_id
                )));
            }
            let size = h.record.size;
            if size != log.len() {
                return Err(AnchorError::Log(format!(
                    "the log's newest signed head is of {size} entries, the stored log has {}",
                    log.len()
                )));
            }
            if log.root_at(size).ok() != Some(h.record.root) {
                return Err(AnchorError::Log(
                    "the stored log's root is not the one its newest head signed".into(),
                ));
            }
            size
        }
    };
    for (index, cp) in found.iter().rev() {
        cp.verify(&ring).map_err(|e| {
            AnchorError::Log(format!(
                "the audit checkpoint at log entry {index} has a bad signature: {e}"
            ))
        })?;
        chain("signed checkpoint", *index, &cp.record).await?;
    }
    Ok(AnchorReport {
        chain_length,
        checkpoints: found.len(),
        latest: found.last().map(|(_, c)| c.record.clone()),
        exported: exported_cp,
        log_size,
    })
}
