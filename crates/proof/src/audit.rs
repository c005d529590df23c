//! An audit checkpoint that travels: the signed checkpoint, its inclusion
//! proof in the transparency log and the signed tree head it is under, as
//! `accord audit checkpoint --output FILE` writes it and
//! `accord audit verify --checkpoint FILE` reads it back.
//!
//! Kept outside the database (another machine, another organisation, a
//! printout), it still holds when someone with write access to the
//! database has cut both the audit chain and the transparency log: the
//! signature cannot be forged without the platform key, and the head says
//! how large the log was when the checkpoint was exported.

use serde::{Deserialize, Serialize};

use crate::keys::{Keyring, SignedKeyRotation};
use crate::log::{LogEntry, LogError, TransparencyLog};
use crate::merkle::{InclusionProof, verify_inclusion};
use crate::records::{AuditCheckpoint, RecordError, Signed, SignedTreeHead};

pub const CHECKPOINT_FORMAT: &str = "accord-audit-checkpoint/1";

/// A signed audit checkpoint with the proof that it is in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointProof {
    pub format: String,
    pub checkpoint: Signed<AuditCheckpoint>,
    /// The checkpoint's entry in the log under `head`.
    pub inclusion: InclusionProof,
    pub head: SignedTreeHead,
    /// The platform key rotations logged up to `head`, oldest first.
    pub key_rotations: Vec<SignedKeyRotation>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointProofError {
    #[error("the file's format is {0:?}, this verifier reads {CHECKPOINT_FORMAT:?}")]
    Format(String),
    #[error("the checkpoint's signature: {0}")]
    Checkpoint(RecordError),
    #[error("the tree head's signature: {0}")]
    Head(RecordError),
    #[error("the checkpoint is not in the log under the head: {0}")]
    Inclusion(String),
}

impl CheckpointProof {
    /// The proof of the checkpoint at `index` under `head` (a head of `log`).
    pub fn new(
        log: &TransparencyLog,
        index: u64,
        head: &SignedTreeHead,
    ) -> Result<Option<CheckpointProof>, LogError> {
        let size = head.record.size;
        if log.root_at(size)? != head.record.root {
            return Err(LogError::HeadMismatch { size });
        }
        let Some(LogEntry::AuditCheckpoint(checkpoint)) = log.entries().get(index as usize) else {
            return Ok(None);
        };
        let key_rotations = log
            .entries()
            .iter()
            .take(size as usize)
            .filter_map(|e| match e {
                LogEntry::KeyRotation(r) => Some((**r).clone()),
                _ => None,
            })
            .collect();
        Ok(Some(CheckpointProof {
            format: CHECKPOINT_FORMAT.to_string(),
            checkpoint: checkpoint.clone(),
            inclusion: log.inclusion_proof(index, size)?,
            head: head.clone(),
            key_rotations,
        }))
    }

    /// Checks both signatures against the platform's key history and the
    /// checkpoint's inclusion under the head; returns the checkpoint.
    pub fn verify(&self, keyring: &Keyring) -> Result<&AuditCheckpoint, CheckpointProofError> {
        if self.format != CHECKPOINT_FORMAT {
            return Err(CheckpointProofError::Format(self.format.clone()));
        }
        self.checkpoint
            .verify(keyring)
            .map_err(CheckpointProofError::Checkpoint)?;
        self.head
            .verify(keyring)
            .map_err(CheckpointProofError::Head)?;
        if self.inclusion.tree_size != self.head.record.size {
            return Err(CheckpointProofError::Inclusion(format!(
                "the proof is for a log of {} entries, the head is of {}",
                self.inclusion.tree_size, self.head.record.size
            )));
        }
        let leaf = LogEntry::AuditCheckpoint(self.checkpoint.clone())
            .leaf_hash()
            .map_err(|e| CheckpointProofError::Inclusion(e.to_string()))?;
        verify_inclusion(&leaf, &self.inclusion, &self.head.record.root)
            .map_err(|e| CheckpointProofError::Inclusion(e.to_string()))?;
        Ok(&self.checkpoint.record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minisign::{KeyId, SecretKey};

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_seed([seed; 32], KeyId(*b"auditkey"))
    }

    fn log_with_checkpoint(k: &SecretKey) -> (TransparencyLog, SignedTreeHead) {
        let mut log = TransparencyLog::new();
        for seq in [3, 9] {
            let cp = AuditCheckpoint {
                sequence: seq,
                hash: format!("{seq:064x}"),
                at: 100 + seq,
            };
            log.append(LogEntry::AuditCheckpoint(Signed::sign(cp, k).unwrap()))
                .unwrap();
        }
        let head = log.sign_head(k, 200).unwrap();
        (log, head)
    }

    #[test]
    fn an_exported_checkpoint_verifies_and_survives_a_json_round_trip() {
        let k = key(1);
        let (log, head) = log_with_checkpoint(&k);
        let proof = CheckpointProof::new(&log, 1, &head).unwrap().unwrap();
        let back: CheckpointProof =
            serde_json::from_str(&serde_json::to_string(&proof).unwrap()).unwrap();
        let ring = Keyring::single(k.public_key());
        assert_eq!(back.verify(&ring).unwrap().sequence, 9);
        // Not a checkpoint entry: nothing to export.
        assert!(CheckpointProof::new(&log, 5, &head).unwrap().is_none());
    }

    #[test]
    fn a_forged_or_displaced_checkpoint_is_refused() {
        let k = key(1);
        let (log, head) = log_with_checkpoint(&k);
        let proof = CheckpointProof::new(&log, 1, &head).unwrap().unwrap();
        let ring = Keyring::single(k.public_key());

        let mut forged = proof.clone();
        forged.checkpoint.record.sequence = 20;
        assert!(matches!(
            forged.verify(&ring),
            Err(CheckpointProofError::Checkpoint(_))
        ));

        // Signed by another key: neither signature is the platform's.
        let other = Keyring::single(key(2).public_key());
        assert!(proof.verify(&other).is_err());

        // The other checkpoint's (valid) signature with this one's proof.
        let mut moved = proof.clone();
        let LogEntry::AuditCheckpoint(first) = &log.entries()[0] else {
            unreachable!()
        };
        moved.checkpoint = first.clone();
        assert!(matches!(
            moved.verify(&ring),
            Err(CheckpointProofError::Inclusion(_))
        ));

        let mut wrong = proof;
        wrong.format = "x".into();
        assert!(matches!(
            wrong.verify(&ring),
            Err(CheckpointProofError::Format(_))
        ));
    }
}
