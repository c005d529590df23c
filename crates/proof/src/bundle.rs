//! The offline proof bundle and its verifier.
//!
//! `verify_bundle` runs the checks in a fixed order and stops at the first
//! that fails, naming it ([`Check`]); on success it reports what was proved
//! ([`VerifyReport`]). It needs no database and no network: only the file,
//! its signature, the bundle and the key the verifier trusts.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::keys::{KeyError, Keyring, SignedKeyRotation};
use crate::log::LogEntry;
use crate::merkle::{
    ConsistencyProof, Hash, InclusionProof, MerkleError, verify_consistency, verify_inclusion,
};
use crate::minisign::{KeyId, MinisignError, PublicKey, SecretKey, Signature};
use crate::records::{
    DecisionError, DecisionKind, MemberKey, MemberKeyring, RecordError, Signed, SignedTreeHead,
    VersionRecord,
};

pub const BUNDLE_FORMAT: &str = "accord-proof-bundle/1";

/// Everything needed to verify one published file offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofBundle {
    pub format: String,
    /// The file's `.minisig`, for when it did not travel beside the file.
    pub file_signature: String,
    /// The signed version record, with the members' signed decisions.
    pub version: Signed<VersionRecord>,
    /// The version record's entry in the log under `head`.
    pub inclusion: InclusionProof,
    /// Each adopting decision's own entry in the log (logged when it was
    /// made), in the order of `version.record.adoption`.
    pub decision_inclusions: Vec<InclusionProof>,
    pub head: SignedTreeHead,
    /// The member key certificates logged up to `head`.
    pub member_keys: Vec<Signed<MemberKey>>,
    /// The platform key rotations logged up to `head`, oldest first.
    pub key_rotations: Vec<SignedKeyRotation>,
    /// Set when a later version replaced this one.
    #[serde(default)]
    pub superseded_by: Option<Supersession>,
    /// Proofs that `head` extends earlier heads the platform published.
    #[serde(default)]
    pub consistency: Vec<ConsistencyProof>,
}

/// The version that replaced the bundle's version, proved to be in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supersession {
    pub version: Signed<VersionRecord>,
    pub inclusion: InclusionProof,
}

/// A head the verifier saw before, to check that the log only grew since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierHead {
    pub head: SignedTreeHead,
    /// If not given, the bundle's `consistency` proofs are searched.
    pub proof: Option<ConsistencyProof>,
}

/// The fields Accord puts in an export's trusted comment, tab-separated
/// `key:value` pairs (minisign's own convention: `timestamp:…\tfile:…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportComment {
    pub timestamp: i64,
    pub file: String,
    pub list: String,
    pub version: u64,
    pub sha256: Hash,
}

impl fmt::Display for ExportComment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A tab or line break in a value would break the format.
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_control() { '_' } else { c })
                .collect()
        };
        write!(
            f,
            "timestamp:{}\tfile:{}\tlist:{}\tversion:{}\tsha256:{}",
            self.timestamp,
            clean(&self.file),
            clean(&self.list),
            self.version,
            self.sha256
        )
    }
}

impl ExportComment {
    pub fn parse(text: &str) -> Result<ExportComment, String> {
        let fields: BTreeMap<&str, &str> = text
            .split('\t')
            .filter_map(|kv| kv.split_once(':'))
            .collect();
        let get = |k: &str| {
            fields
                .get(k)
                .copied()
                .ok_or_else(|| format!("it has no `{k}:` field (not an Accord export signature?)"))
        };
        Ok(ExportComment {
            timestamp: get("timestamp")?
                .parse()
                .map_err(|_| "its timestamp is not a number".to_string())?,
            file: get("file")?.to_string(),
            list: get("list")?.to_string(),
            version: get("version")?
                .parse()
                .map_err(|_| "its version is not a number".to_string())?,
            sha256: Hash::from_hex(get("sha256")?).map_err(|e| e.to_string())?,
        })
    }
}

/// Signs an export of a published version; the trusted comment binds the
/// signature to the list, the version, the time and the file's SHA-256, so
/// it cannot be replayed for another version.
pub fn sign_export(
    key: &SecretKey,
    data: &[u8],
    file_name: &str,
    list_id: &str,
    version: u64,
    timestamp: i64,
) -> Result<Signature, MinisignError> {
    let comment = ExportComment {
        timestamp,
        file: file_name.to_string(),
        list: list_id.to_string(),
        version,
        sha256: Hash::sha256(data),
    };
    key.sign(data, &comment.to_string())
}

/// The checks, in the order they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    BundleFormat,
    KeyHistory,
    FileSignature,
    SigningKey,
    TrustedComment,
    VersionRecord,
    FileInVersion,
    MemberKeys,
    Decision { member: String, proposal: String },
    TreeHead,
    Inclusion,
    Supersession,
    Consistency,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::BundleFormat => f.write_str("bundle format check"),
            Check::KeyHistory => f.write_str("platform key history check"),
            Check::FileSignature => f.write_str("file signature check"),
            Check::SigningKey => f.write_str("signing key validity check"),
            Check::TrustedComment => f.write_str("trusted comment check"),
            Check::VersionRecord => f.write_str("version record signature check"),
            Check::FileInVersion => f.write_str("file-in-version-record check"),
            Check::MemberKeys => f.write_str("member key certificate check"),
            Check::Decision { member, proposal } => {
                write!(f, "decision signature check ({member} on {proposal})")
            }
            Check::TreeHead => f.write_str("signed tree head check"),
            Check::Inclusion => f.write_str("log inclusion check"),
            Check::Supersession => f.write_str("superseding version check"),
            Check::Consistency => f.write_str("log consistency check"),
        }
    }
}

/// Why a check failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Failure {
    #[error(transparent)]
    Signature(#[from] MinisignError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Decision(#[from] DecisionError),
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    #[error("{0}")]
    Mismatch(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the {check} failed: {failure}")]
pub struct VerifyError {
    pub check: Check,
    pub failure: Failure,
}

fn fail<T>(check: Check, failure: impl Into<Failure>) -> Result<T, VerifyError> {
    Err(VerifyError {
        check,
        failure: failure.into(),
    })
}

fn mismatch(s: String) -> Failure {
    Failure::Mismatch(s)
}

/// What a file's signature alone proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub key_id: KeyId,
    pub comment: ExportComment,
}

/// What a bundle proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub file: FileReport,
    pub list_id: String,
    pub version: u64,
    pub published_at: i64,
    pub version_signed_by: KeyId,
    pub decisions: Vec<(String, String, DecisionKind, KeyId)>,
    pub leaf_index: u64,
    pub head: SignedTreeHead,
    pub superseded_by: Option<u64>,
    /// The earlier head's size that the log was shown to extend.
    pub consistent_with: Option<u64>,
    pub passed: Vec<Check>,
}

/// Checks a file against its minisign signature and the platform's keys:
/// the signature, the key's validity at the signed time, and that the
/// trusted comment's SHA-256 is this file's.
pub fn verify_file(
    file: &[u8],
    signature: &str,
    keyring: &Keyring,
) -> Result<FileReport, VerifyError> {
    let sig = Signature::parse(signature).or_else(|e| fail(Check::FileSignature, e))?;
    let comment = match ExportComment::parse(&sig.trusted_comment) {
        Ok(c) => c,
        Err(e) => {
            // Check the signature first, so that an unrelated minisign
            // signature is reported as such rather than as a comment issue.
            if let Some(p) = keyring
                .periods()
                .iter()
                .find(|p| p.key.key_id == sig.key_id)
            {
                sig.verify(&p.key, file)
                    .or_else(|e| fail(Check::FileSignature, e))?;
            }
            return fail(
                Check::TrustedComment,
                mismatch(format!(
                    "the trusted comment {:?}: {e}",
                    sig.trusted_comment
                )),
            );
        }
    };
    let key = match keyring.key_for(sig.key_id, comment.timestamp) {
        Ok(k) => k,
        Err(e @ KeyError::UnknownKey { .. }) => return fail(Check::FileSignature, e),
        Err(e) => return fail(Check::SigningKey, e),
    };
    sig.verify(key, file)
        .or_else(|e| fail(Check::FileSignature, e))?;
    let actual = Hash::sha256(file);
    if comment.sha256 != actual {
        return fail(
            Check::TrustedComment,
            mismatch(format!(
                "the signed SHA-256 is {}, the file's is {actual}",
                comment.sha256
            )),
        );
    }
    Ok(FileReport {
        key_id: sig.key_id,
        comment,
    })
}

/// Verifies a file, its signature and its bundle against the key the
/// verifier trusts, and optionally that the log grew from an earlier head.
pub fn verify_bundle(
    file: &[u8],
    signature: &str,
    bundle: &ProofBundle,
    trusted: &PublicKey,
    earlier: Option<&EarlierHead>,
) -> Result<VerifyReport, VerifyError> {
    let mut passed = Vec::new();
    if bundle.format != BUNDLE_FORMAT {
        return fail(
            Check::BundleFormat,
            mismatch(format!(
                "the bundle's format is {:?}, this verifier reads {BUNDLE_FORMAT:?}",
                bundle.format
            )),
        );
    }
    passed.push(Check::BundleFormat);

    let keyring =
        Keyring::build(trusted, &bundle.key_rotations).or_else(|e| fail(Check::KeyHistory, e))?;
    passed.push(Check::KeyHistory);

    let file_report = verify_file(file, signature, &keyring)?;
    passed.extend([
        Check::FileSignature,
        Check::SigningKey,
        Check::TrustedComment,
    ]);

    let record = &bundle.version.record;
    let version_signed_by = bundle
        .version
        .verify(&keyring)
        .or_else(|e| fail(Check::VersionRecord, e))?;
    passed.push(Check::VersionRecord);

    let c = &file_report.comment;
    if c.list != record.list_id || c.version != record.version {
        return fail(
            Check::TrustedComment,
            mismatch(format!(
                "the signature is for version {} of list {}, the bundle is for version {} of list {}",
                c.version, c.list, record.version, record.list_id
            )),
        );
    }
    if !record.exports.iter().any(|e| e.sha256 == c.sha256) {
        return fail(
            Check::FileInVersion,
            mismatch(format!(
                "no export of version {} has SHA-256 {}",
                record.version, c.sha256
            )),
        );
    }
    passed.push(Check::FileInVersion);

    let members = MemberKeyring::build(&bundle.member_keys, &keyring).or_else(|(member, e)| {
        fail(
            Check::MemberKeys,
            mismatch(format!("the certificate of {member}'s key: {e}")),
        )
    })?;
    passed.push(Check::MemberKeys);

    let mut decisions = Vec::new();
    for d in &record.adoption {
        let check = Check::Decision {
            member: d.record.member.clone(),
            proposal: d.record.proposal.clone(),
        };
        if d.record.list_id != record.list_id {
            return fail(
                check,
                mismatch(format!(
                    "the decision is about list {}, not {}",
                    d.record.list_id, record.list_id
                )),
            );
        }
        if let Some(p) = &record.proposal
            && d.record.proposal != *p
        {
            return fail(
                check,
                mismatch(format!(
                    "the decision is about proposal {}, not {p}, which published this version",
                    d.record.proposal
                )),
            );
        }
        // A minute's grace: a signer's clock may run a little ahead.
        if d.record.at > record.published_at + 60 {
            return fail(
                check,
                mismatch(format!(
                    "the decision is dated {}, after the version it adopted was published ({})",
                    d.record.at, record.published_at
                )),
            );
        }
        let key_id = members
            .verify_decision(d)
            .or_else(|e| fail(check.clone(), e))?;
        decisions.push((
            d.record.member.clone(),
            d.record.proposal.clone(),
            d.record.decision,
            key_id,
        ));
        passed.push(check);
    }

    let head = &bundle.head;
    let head_key = head
        .verify(&keyring)
        .or_else(|e| fail(Check::TreeHead, e))?;
    // Records may be signed by keys since retired, but the head that
    // vouches for the whole log now must be the newest key's: a retired
    // (perhaps leaked) key could otherwise backdate a head over a forged log.
    if head_key != keyring.current().key_id {
        return fail(
            Check::TreeHead,
            mismatch(format!(
                "the head was signed by key {head_key}, not by the newest key {}: a retired key cannot vouch for the log",
                keyring.current().key_id
            )),
        );
    }
    passed.push(Check::TreeHead);

    check_included(
        &LogEntry::ListVersion(bundle.version.clone()),
        &bundle.inclusion,
        head,
    )
    .or_else(|f| fail(Check::Inclusion, f))?;
    passed.push(Check::Inclusion);

    if bundle.decision_inclusions.len() != record.adoption.len() {
        return fail(
            Check::Inclusion,
            mismatch(format!(
                "the bundle proves {} decisions in the log, the version record has {}",
                bundle.decision_inclusions.len(),
                record.adoption.len()
            )),
        );
    }
    for (d, proof) in record.adoption.iter().zip(&bundle.decision_inclusions) {
        check_included(&LogEntry::Decision(d.clone()), proof, head).or_else(|f| {
            fail(
                Check::Decision {
                    member: d.record.member.clone(),
                    proposal: d.record.proposal.clone(),
                },
                mismatch(format!("the decision is not in the log: {f}")),
            )
        })?;
    }

    let superseded_by = match &bundle.superseded_by {
        None => None,
        Some(s) => {
            let by = &s.version.record;
            s.version
                .verify(&keyring)
                .or_else(|e| fail(Check::Supersession, e))?;
            if by.list_id != record.list_id
                || by.supersedes != Some(record.version)
                || by.version <= record.version
            {
                return fail(
                    Check::Supersession,
                    mismatch(format!(
                        "version {} of list {} does not say it supersedes version {} of list {}",
                        by.version, by.list_id, record.version, record.list_id
                    )),
                );
            }
            check_included(
                &LogEntry::ListVersion(s.version.clone()),
                &s.inclusion,
                head,
            )
            .or_else(|f| fail(Check::Supersession, f))?;
            passed.push(Check::Supersession);
            Some(by.version)
        }
    };

    let consistent_with = match earlier {
        None => None,
        Some(e) => {
            e.head.verify(&keyring).or_else(|err| {
                fail(
                    Check::Consistency,
                    mismatch(format!("the earlier head's signature: {err}")),
                )
            })?;
            check_consistency(e, bundle).or_else(|f| fail(Check::Consistency, f))?;
            passed.push(Check::Consistency);
            Some(e.head.record.size)
        }
    };

    Ok(VerifyReport {
        file: file_report,
        list_id: record.list_id.clone(),
        version: record.version,
        published_at: record.published_at,
        version_signed_by,
        decisions,
        leaf_index: bundle.inclusion.leaf_index,
        head: head.clone(),
        superseded_by,
        consistent_with,
        passed,
    })
}

fn check_included(
    entry: &LogEntry,
    proof: &InclusionProof,
    head: &SignedTreeHead,
) -> Result<(), Failure> {
    if proof.tree_size != head.record.size {
        return Err(mismatch(format!(
            "the inclusion proof is for a log of {} entries, the head is of {}",
            proof.tree_size, head.record.size
        )));
    }
    let leaf = entry
        .leaf_hash()
        .map_err(|e| Failure::Record(RecordError::Canon(e)))?;
    verify_inclusion(&leaf, proof, &head.record.root).map_err(Failure::Merkle)
}

fn check_consistency(earlier: &EarlierHead, bundle: &ProofBundle) -> Result<(), Failure> {
    let (old, new) = (&earlier.head.record, &bundle.head.record);
    if old.size > new.size {
        return Err(mismatch(format!(
            "the earlier head has {} entries, more than the bundle's head ({}): the bundle is older than what you saw, or the log shrank",
            old.size, new.size
        )));
    }
    let proof = earlier
        .proof
        .as_ref()
        .or_else(|| {
            bundle
                .consistency
                .iter()
                .find(|p| p.from_size == old.size && p.to_size == new.size)
        })
        .cloned()
        .or_else(|| {
            (old.size == new.size || old.size == 0).then(|| ConsistencyProof {
                from_size: old.size,
                to_size: new.size,
                hashes: Vec::new(),
            })
        })
        .ok_or_else(|| {
            mismatch(format!(
                "no consistency proof from size {} to size {} was given",
                old.size, new.size
            ))
        })?;
    if proof.from_size != old.size || proof.to_size != new.size {
        return Err(mismatch(format!(
            "the consistency proof is from size {} to {}, the heads are of {} and {}",
            proof.from_size, proof.to_size, old.size, new.size
        )));
    }
    verify_consistency(&proof, &old.root, &new.root).map_err(|e| match e {
        MerkleError::EarlierRootMismatch { .. } | MerkleError::RootMismatch { .. } => mismatch(format!(
            "the log's history was rewritten: the head of {} entries does not extend the earlier head of {} entries ({e})",
            new.size, old.size
        )),
        other => Failure::Merkle(other),
    })
}
