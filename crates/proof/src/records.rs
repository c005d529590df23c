//! What the platform and the members sign: list versions, decisions, tree
//! heads, audit checkpoints and member keys.
//!
//! Every record is signed as a minisign signature (prehashed) over the
//! canonical bytes of `{"kind": KIND, "record": RECORD}` (NFC + RFC 8785).
//! The `kind` makes a signature over one kind of record useless as a
//! signature over another (a decision cannot pass for a tree head), and
//! minisign as the one signature format means anyone can check any record
//! with the standard tool: write the canonical bytes to a file and run
//! `minisign -Vm`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::jcs::{CanonError, to_canonical_bytes};
use crate::keys::{KeyError, Keyring};
use crate::merkle::Hash;
use crate::minisign::{KeyId, MinisignError, PublicKey, SecretKey, Signature};

/// A kind of signed record.
pub trait Record: Serialize + DeserializeOwned + Clone {
    /// Domain separation: part of the signed bytes.
    const KIND: &'static str;
    /// When the record says it was made; the signing key must have been
    /// valid (not yet rotated out, not expired) at that time.
    fn signed_at(&self) -> i64;
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("the record has no signature")]
    MissingSignature,
    #[error(transparent)]
    Canon(#[from] CanonError),
    #[error(transparent)]
    Signature(#[from] MinisignError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The exact bytes a record's signature covers.
pub fn signing_bytes<T: Record>(record: &T) -> Result<Vec<u8>, CanonError> {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        kind: &'static str,
        record: &'a T,
    }
    to_canonical_bytes(&Envelope {
        kind: T::KIND,
        record,
    })
}

/// A record with its minisign signature (the four-line text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "T: Record")]
pub struct Signed<T> {
    pub record: T,
    pub signature: String,
}

impl<T: Record> Signed<T> {
    pub fn sign(record: T, key: &SecretKey) -> Result<Signed<T>, RecordError> {
        let bytes = signing_bytes(&record)?;
        let comment = format!("timestamp:{}\tkind:{}", record.signed_at(), T::KIND);
        let signature = key.sign(&bytes, &comment)?.to_text();
        Ok(Signed { record, signature })
    }

    pub fn parsed_signature(&self) -> Result<Signature, RecordError> {
        if self.signature.trim().is_empty() {
            return Err(RecordError::MissingSignature);
        }
        Ok(Signature::parse(&self.signature)?)
    }

    /// The id of the key that made the signature (not yet checked).
    pub fn key_id(&self) -> Result<KeyId, RecordError> {
        Ok(self.parsed_signature()?.key_id)
    }

    /// Checks the signature against one key, ignoring validity periods.
    pub fn verify_with(&self, key: &PublicKey) -> Result<(), RecordError> {
        let sig = self.parsed_signature()?;
        sig.verify(key, &signing_bytes(&self.record)?)?;
        Ok(())
    }

    /// Checks the signature against the platform's key history: made by one
    /// of its keys, valid at the record's time.
    pub fn verify(&self, keyring: &Keyring) -> Result<KeyId, RecordError> {
        let sig = self.parsed_signature()?;
        let key = keyring.key_for(sig.key_id, self.record.signed_at())?;
        sig.verify(key, &signing_bytes(&self.record)?)?;
        Ok(sig.key_id)
    }
}

/// A regional state's decision on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    Concur,
    Object,
    Hold,
    /// Extending a hold already placed (once, as the rule allows).
    #[serde(rename = "extend_hold")]
    ExtendHold,
    Lift,
}

impl std::fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecisionKind::Concur => "concur",
            DecisionKind::Object => "object",
            DecisionKind::Hold => "hold",
            DecisionKind::ExtendHold => "extend_hold",
            DecisionKind::Lift => "lift",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub list_id: String,
    /// The proposal's reference (e.g. "P-2026-014").
    pub proposal: String,
    /// The member's code (e.g. "KAZ").
    pub member: String,
    pub decision: DecisionKind,
    /// The state's reason (an objection's or a hold's), signed with the
    /// decision so it cannot be changed afterwards. Absent when none was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Unix seconds.
    pub at: i64,
}

impl Record for Decision {
    const KIND: &'static str = "accord.decision.v1";
    fn signed_at(&self) -> i64 {
        self.at
    }
}

/// A decision signed with the member's own key.
pub type SignedDecision = Signed<Decision>;

/// The platform's certificate that a key belongs to a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberKey {
    pub member: String,
    pub public_key: PublicKey,
    /// Unix seconds; the key signs decisions made from then on…
    pub valid_from: i64,
    /// …until then (exclusive), when the member replaced or revoked it.
    pub valid_until: Option<i64>,
    pub certified_at: i64,
}

impl Record for MemberKey {
    const KIND: &'static str = "accord.member-key.v1";
    fn signed_at(&self) -> i64 {
        self.certified_at
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecisionError {
    #[error("the decision has no signature")]
    MissingSignature,
    #[error("the decision's signature is unreadable: {0}")]
    Unreadable(MinisignError),
    #[error("the decision was signed with key {key_id}, which is not a certified member key")]
    UnknownKey { key_id: KeyId },
    #[error(
        "the decision is {decision_member}'s but was signed with key {key_id}, which is certified for {key_member}"
    )]
    WrongMember {
        key_id: KeyId,
        key_member: String,
        decision_member: String,
    },
    #[error("{member}'s key {key_id} was not valid at {at} (valid from {from} until {until:?})")]
    KeyNotValid {
        key_id: KeyId,
        member: String,
        at: i64,
        from: i64,
        until: Option<i64>,
    },
    #[error("the decision's signature does not verify: {0}")]
    BadSignature(MinisignError),
    #[error(transparent)]
    Canon(#[from] CanonError),
}

/// The member keys the platform has certified, checked against its keyring.
#[derive(Debug, Clone, Default)]
pub struct MemberKeyring {
    keys: Vec<MemberKey>,
}

impl MemberKeyring {
    /// The platform's own record of its members' keys (its database), which
    /// it trusts without checking its own certificates again.
    pub fn from_keys(keys: Vec<MemberKey>) -> MemberKeyring {
        MemberKeyring { keys }
    }

    /// Verifies each certificate with the platform's keys.
    pub fn build(
        certificates: &[Signed<MemberKey>],
        platform: &Keyring,
    ) -> Result<MemberKeyring, (String, RecordError)> {
        let mut keys = Vec::with_capacity(certificates.len());
        for c in certificates {
            c.verify(platform)
                .map_err(|e| (c.record.member.clone(), e))?;
            keys.push(c.record.clone());
        }
        Ok(MemberKeyring { keys })
    }

    pub fn keys(&self) -> &[MemberKey] {
        &self.keys
    }

    /// What the platform checks before accepting a decision, and what the
    /// verifier checks for each decision in a bundle: signed, by a key
    /// certified for that very member, valid when the decision was made.
    pub fn verify_decision(&self, d: &SignedDecision) -> Result<KeyId, DecisionError> {
        if d.signature.trim().is_empty() {
            return Err(DecisionError::MissingSignature);
        }
        let sig = Signature::parse(&d.signature).map_err(DecisionError::Unreadable)?;
        let certified: Vec<&MemberKey> = self
            .keys
            .iter()
            .filter(|k| k.public_key.key_id == sig.key_id)
            .collect();
        if certified.is_empty() {
            return Err(DecisionError::UnknownKey { key_id: sig.key_id });
        }
        // A key is certified again, with an end, when its member replaces
        // it: the newest certificate of the key is the one that counts.
        let Some(cert) = certified
            .iter()
            .filter(|k| k.member == d.record.member)
            .max_by_key(|k| k.certified_at)
            .copied()
        else {
            return Err(DecisionError::WrongMember {
                key_id: sig.key_id,
                key_member: certified[0].member.clone(),
                decision_member: d.record.member.clone(),
            });
        };
        let at = d.record.at;
        if at < cert.valid_from || cert.valid_until.is_some_and(|u| at >= u) {
            return Err(DecisionError::KeyNotValid {
                key_id: sig.key_id,
                member: cert.member.clone(),
                at,
                from: cert.valid_from,
                until: cert.valid_until,
            });
        }
        sig.verify(&cert.public_key, &signing_bytes(&d.record)?)
            .map_err(DecisionError::BadSignature)?;
        Ok(sig.key_id)
    }
}

/// The digest of one export of a published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDigest {
    /// csv, ftm, un-xml, stix.
    pub format: String,
    pub file_name: String,
    pub sha256: Hash,
}

/// A published version of a list, as the platform signs and logs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub list_id: String,
    pub version: u64,
    /// Unix seconds.
    pub published_at: i64,
    pub subject_count: u64,
    pub exports: Vec<ExportDigest>,
    /// The proposal whose adoption published this version (`P-7`); absent
    /// for versions published otherwise (a merge) and in records made
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// The members' signed decisions on that proposal.
    pub adoption: Vec<SignedDecision>,
    /// The version this one replaced, if any.
    pub supersedes: Option<u64>,
}

impl Record for VersionRecord {
    const KIND: &'static str = "accord.list-version.v1";
    fn signed_at(&self) -> i64 {
        self.published_at
    }
}

/// A signed tree head: the log's size and root at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
    /// Unix seconds.
    pub timestamp: i64,
}

impl Record for TreeHead {
    const KIND: &'static str = "accord.tree-head.v1";
    fn signed_at(&self) -> i64 {
        self.timestamp
    }
}

pub type SignedTreeHead = Signed<TreeHead>;

/// The audit chain's head at a moment, signed and appended to the log, so a
/// later truncation or rewrite of the chain up to that point is detectable
/// by anyone holding the checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckpoint {
    /// The sequence number of the chain's last record.
    pub sequence: i64,
    /// That record's hash (hex, as the audit chain stores it).
    pub hash: String,
    /// Unix seconds.
    pub at: i64,
}

impl Record for AuditCheckpoint {
    const KIND: &'static str = "accord.audit-checkpoint.v1";
    fn signed_at(&self) -> i64 {
        self.at
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    #[error(
        "the audit chain ends at record {head}, before the signed checkpoint's record {checkpoint}: it was truncated"
    )]
    Truncated { checkpoint: i64, head: i64 },
    #[error(
        "audit record {sequence} has hash {found}, not the signed checkpoint's {expected}: the chain was rewritten"
    )]
    Rewritten {
        sequence: i64,
        expected: String,
        found: String,
    },
}

impl AuditCheckpoint {
    /// Checks a chain that has already been verified link by link (every
    /// record's hash covers its predecessor's) against this checkpoint:
    /// `head` is the chain's last sequence number and `hash_at_checkpoint`
    /// the stored hash of record `self.sequence`, if there is one.
    pub fn check(
        &self,
        head: i64,
        hash_at_checkpoint: Option<&str>,
    ) -> Result<(), CheckpointError> {
        let truncated = CheckpointError::Truncated {
            checkpoint: self.sequence,
            head,
        };
        if head < self.sequence {
            return Err(truncated);
        }
        let Some(found) = hash_at_checkpoint else {
            return Err(truncated);
        };
        if !found.eq_ignore_ascii_case(&self.hash) {
            return Err(CheckpointError::Rewritten {
                sequence: self.sequence,
                expected: self.hash.clone(),
                found: found.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minisign::KeyId;

    fn platform() -> SecretKey {
        SecretKey::from_seed([1; 32], KeyId(*b"platform"))
    }

    fn member(code: &str, seed: u8) -> (SecretKey, Signed<MemberKey>) {
        let mut id = *b"member00";
        id[6..].copy_from_slice(&code.as_bytes()[..2]);
        let sk = SecretKey::from_seed([seed; 32], KeyId(id));
        let cert = Signed::sign(
            MemberKey {
                member: code.into(),
                public_key: sk.public_key(),
                valid_from: 0,
                valid_until: None,
                certified_at: 10,
            },
            &platform(),
        )
        .unwrap();
        (sk, cert)
    }

    fn decision(code: &str) -> Decision {
        Decision {
            list_id: "common".into(),
            proposal: "P-1".into(),
            member: code.into(),
            decision: DecisionKind::Concur,
            reason: None,
            at: 100,
        }
    }

    fn members() -> (SecretKey, SecretKey, MemberKeyring) {
        let (kaz, kaz_cert) = member("KAZ", 2);
        let (uzb, uzb_cert) = member("UZB", 3);
        let ring = MemberKeyring::build(
            &[kaz_cert, uzb_cert],
            &Keyring::single(platform().public_key()),
        )
        .unwrap();
        (kaz, uzb, ring)
    }

    #[test]
    fn a_members_decision_signed_with_its_key_is_accepted() {
        let (kaz, _, ring) = members();
        let d = Signed::sign(decision("KAZ"), &kaz).unwrap();
        assert_eq!(ring.verify_decision(&d).unwrap(), kaz.key_id);
    }

    #[test]
    fn a_decision_signed_with_another_members_key_is_refused() {
        let (_, uzb, ring) = members();
        let d = Signed::sign(decision("KAZ"), &uzb).unwrap();
        let err = ring.verify_decision(&d).unwrap_err();
        assert!(
            matches!(&err, DecisionError::WrongMember { key_member, .. } if key_member == "UZB"),
            "{err}"
        );
    }

    #[test]
    fn a_decision_without_a_signature_is_refused() {
        let (_, _, ring) = members();
        let d = Signed {
            record: decision("KAZ"),
            signature: String::new(),
        };
        assert_eq!(
            ring.verify_decision(&d),
            Err(DecisionError::MissingSignature)
        );
    }

    #[test]
    fn an_altered_decision_fails_its_signature() {
        let (kaz, _, ring) = members();
        let mut d = Signed::sign(decision("KAZ"), &kaz).unwrap();
        d.record.decision = DecisionKind::Object;
        assert!(matches!(
            ring.verify_decision(&d),
            Err(DecisionError::BadSignature(MinisignError::BadSignature))
        ));
    }

    #[test]
    fn a_decision_by_an_uncertified_key_is_refused() {
        let (_, _, ring) = members();
        let stranger = SecretKey::from_seed([9; 32], KeyId(*b"stranger"));
        let d = Signed::sign(decision("KAZ"), &stranger).unwrap();
        assert!(matches!(
            ring.verify_decision(&d),
            Err(DecisionError::UnknownKey { .. })
        ));
    }

    #[test]
    fn a_decision_after_the_member_key_was_withdrawn_is_refused() {
        let (kaz, _) = member("KAZ", 2);
        let cert = Signed::sign(
            MemberKey {
                member: "KAZ".into(),
                public_key: kaz.public_key(),
                valid_from: 0,
                valid_until: Some(50),
                certified_at: 10,
            },
            &platform(),
        )
        .unwrap();
        let ring =
            MemberKeyring::build(&[cert], &Keyring::single(platform().public_key())).unwrap();
        let d = Signed::sign(decision("KAZ"), &kaz).unwrap();
        assert!(matches!(
            ring.verify_decision(&d),
            Err(DecisionError::KeyNotValid { .. })
        ));
    }

    #[test]
    fn a_replaced_key_stops_signing_at_its_end_though_its_first_certificate_had_none() {
        let (kaz, first) = member("KAZ", 2);
        let mut ended = first.record.clone();
        ended.valid_until = Some(200);
        ended.certified_at = 200;
        let ended = Signed::sign(ended, &platform()).unwrap();
        let ring = MemberKeyring::build(&[first, ended], &Keyring::single(platform().public_key()))
            .unwrap();
        let before = Signed::sign(decision("KAZ"), &kaz).unwrap();
        assert!(ring.verify_decision(&before).is_ok());
        let mut late = decision("KAZ");
        late.at = 250;
        let late = Signed::sign(late, &kaz).unwrap();
        assert!(matches!(
            ring.verify_decision(&late),
            Err(DecisionError::KeyNotValid {
                until: Some(200),
                ..
            })
        ));
    }

    #[test]
    fn a_reason_is_part_of_what_the_member_signed() {
        let (kaz, _, ring) = members();
        let mut d = decision("KAZ");
        d.decision = DecisionKind::Object;
        d.reason = Some("Нет оснований.".into());
        let mut signed = Signed::sign(d, &kaz).unwrap();
        assert!(ring.verify_decision(&signed).is_ok());
        signed.record.reason = Some("Другая причина.".into());
        assert!(matches!(
            ring.verify_decision(&signed),
            Err(DecisionError::BadSignature(_))
        ));
    }

    #[test]
    fn a_signature_over_one_kind_of_record_does_not_pass_for_another() {
        // Same JSON body, different kind: the envelope's kind differs.
        let head = TreeHead {
            size: 1,
            root: Hash([0; 32]),
            timestamp: 5,
        };
        let signed = Signed::sign(head, &platform()).unwrap();
        let as_checkpoint: Result<Signed<AuditCheckpoint>, _> = serde_json::from_value(
            serde_json::json!({"record": {"sequence": 1, "hash": "00", "at": 5}, "signature": signed.signature}),
        );
        let err = as_checkpoint
            .unwrap()
            .verify_with(&platform().public_key())
            .unwrap_err();
        assert_eq!(err, RecordError::Signature(MinisignError::BadSignature));
    }

    #[test]
    fn a_checkpoint_detects_a_truncated_or_rewritten_chain() {
        let cp = AuditCheckpoint {
            sequence: 40,
            hash: "ab".repeat(32),
            at: 1,
        };
        cp.check(41, Some(&"ab".repeat(32))).unwrap();
        cp.check(40, Some(&"AB".repeat(32))).unwrap();
        assert!(matches!(
            cp.check(39, None),
            Err(CheckpointError::Truncated { .. })
        ));
        assert!(matches!(
            cp.check(45, Some(&"cd".repeat(32))),
            Err(CheckpointError::Rewritten { .. })
        ));
    }
}
