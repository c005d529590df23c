//! The transparency log: every signed list version, decision, audit
//! checkpoint, member key and key rotation, in order, under one Merkle
//! tree. Pure: the store persists the entries and rebuilds this on start.

use serde::{Deserialize, Serialize};

use crate::bundle::{BUNDLE_FORMAT, ProofBundle, Supersession};
use crate::jcs::{CanonError, to_canonical_bytes};
use crate::keys::SignedKeyRotation;
use crate::merkle::{ConsistencyProof, Hash, InclusionProof, MerkleError, MerkleTree, leaf_hash};
use crate::minisign::SecretKey;
use crate::records::{
    AuditCheckpoint, MemberKey, RecordError, Signed, SignedDecision, SignedTreeHead, TreeHead,
    VersionRecord,
};

/// One entry of the log. Its leaf data is the canonical JSON of the entry,
/// signatures included, so the log commits to exactly what was signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "entry", rename_all = "snake_case")]
pub enum LogEntry {
    ListVersion(Signed<VersionRecord>),
    Decision(SignedDecision),
    AuditCheckpoint(Signed<AuditCheckpoint>),
    MemberKey(Signed<MemberKey>),
    KeyRotation(Box<SignedKeyRotation>),
}

impl LogEntry {
    pub fn leaf_data(&self) -> Result<Vec<u8>, CanonError> {
        to_canonical_bytes(self)
    }

    pub fn leaf_hash(&self) -> Result<Hash, CanonError> {
        Ok(leaf_hash(&self.leaf_data()?))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogError {
    #[error("the log has no version {version} of list {list_id} within its first {size} entries")]
    NoSuchVersion {
        list_id: String,
        version: u64,
        size: u64,
    },
    #[error("{member}'s decision on {proposal} is in the version record but not in the log")]
    DecisionNotLogged { member: String, proposal: String },
    #[error("the head's root is not the log's root at size {size}")]
    HeadMismatch { size: u64 },
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    #[error(transparent)]
    Canon(#[from] CanonError),
    #[error(transparent)]
    Record(#[from] RecordError),
}

#[derive(Debug, Clone, Default)]
pub struct TransparencyLog {
    entries: Vec<LogEntry>,
    tree: MerkleTree,
}

impl TransparencyLog {
    pub fn new() -> TransparencyLog {
        TransparencyLog::default()
    }

    pub fn from_entries(entries: Vec<LogEntry>) -> Result<TransparencyLog, CanonError> {
        let mut log = TransparencyLog::new();
        for e in entries {
            log.append(e)?;
        }
        Ok(log)
    }

    /// Appends an entry; returns its index.
    pub fn append(&mut self, entry: LogEntry) -> Result<u64, CanonError> {
        let data = entry.leaf_data()?;
        self.entries.push(entry);
        Ok(self.tree.push(&data))
    }

    pub fn len(&self) -> u64 {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.tree.root_at(size)
    }

    /// Signs the head of the log as it is now.
    pub fn sign_head(
        &self,
        key: &SecretKey,
        timestamp: i64,
    ) -> Result<SignedTreeHead, RecordError> {
        Signed::sign(
            TreeHead {
                size: self.len(),
                root: self.tree.root(),
                timestamp,
            },
            key,
        )
    }

    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, MerkleError> {
        self.tree.inclusion_proof(index, size)
    }

    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<ConsistencyProof, MerkleError> {
        self.tree.consistency_proof(old, new)
    }

    fn first(&self, size: u64) -> impl Iterator<Item = (u64, &LogEntry)> {
        self.entries
            .iter()
            .take(usize::try_from(size).unwrap_or(usize::MAX))
            .enumerate()
            .map(|(i, e)| (i as u64, e))
    }

    /// The index of a list version's entry among the first `size` entries.
    pub fn find_version(&self, list_id: &str, version: u64, size: u64) -> Option<u64> {
        self.first(size).find_map(|(i, e)| match e {
            LogEntry::ListVersion(v)
                if v.record.list_id == list_id && v.record.version == version =>
            {
                Some(i)
            }
            _ => None,
        })
    }

    /// Everything a verifier needs offline to check one published version
    /// against `head` (which must be a head of this log): the version
    /// record and its inclusion proof, the member key certificates and key
    /// rotations logged up to the head, and the version that superseded
    /// it, if any.
    pub fn bundle(
        &self,
        list_id: &str,
        version: u64,
        file_signature: &str,
        head: &SignedTreeHead,
    ) -> Result<ProofBundle, LogError> {
        let size = head.record.size;
        if self.tree.root_at(size)? != head.record.root {
            return Err(LogError::HeadMismatch { size });
        }
        let index =
            self.find_version(list_id, version, size)
                .ok_or_else(|| LogError::NoSuchVersion {
                    list_id: list_id.to_string(),
                    version,
                    size,
                })?;
        let LogEntry::ListVersion(record) = &self.entries[index as usize] else {
            unreachable!("find_version returns list version entries only");
        };
        let superseded_by = self
            .first(size)
            .find_map(|(i, e)| match e {
                LogEntry::ListVersion(v)
                    if v.record.list_id == list_id && v.record.supersedes == Some(version) =>
                {
                    Some((i, v))
                }
                _ => None,
            })
            .map(|(i, v)| -> Result<Supersession, LogError> {
                Ok(Supersession {
                    version: v.clone(),
                    inclusion: self.tree.inclusion_proof(i, size)?,
                })
            })
            .transpose()?;
        let member_keys = self
            .first(size)
            .filter_map(|(_, e)| match e {
                LogEntry::MemberKey(k) => Some(k.clone()),
                _ => None,
            })
            .collect();
        let key_rotations = self
            .first(size)
            .filter_map(|(_, e)| match e {
                LogEntry::KeyRotation(r) => Some((**r).clone()),
                _ => None,
            })
            .collect();
        let decision_inclusions = record
            .record
            .adoption
            .iter()
            .map(|d| {
                let i = self
                    .first(size)
                    .find_map(|(i, e)| matches!(e, LogEntry::Decision(x) if x == d).then_some(i))
                    .ok_or_else(|| LogError::DecisionNotLogged {
                        member: d.record.member.clone(),
                        proposal: d.record.proposal.clone(),
                    })?;
                Ok(self.tree.inclusion_proof(i, size)?)
            })
            .collect::<Result<Vec<_>, LogError>>()?;
        Ok(ProofBundle {
            format: BUNDLE_FORMAT.to_string(),
            file_signature: file_signature.to_string(),
            version: record.clone(),
            inclusion: self.tree.inclusion_proof(index, size)?,
            decision_inclusions,
            head: head.clone(),
            member_keys,
            key_rotations,
            superseded_by,
            consistency: Vec::new(),
        })
    }
}
