//! A small, deterministic, fully signed world: a platform key rotated once,
//! four members with their own keys, three published versions of a list
//! each adopted by signed decisions and each superseding the one before,
//! and the transparency log over all of it. For demos, documentation and
//! the tests of this crate and of `accord verify`; every key comes from a
//! fixed seed, so never use these keys for anything real.

use crate::bundle::{ProofBundle, sign_export};
use crate::keys::{SignedKeyRotation, rotation_to};
use crate::log::{LogEntry, TransparencyLog};
use crate::merkle::Hash;
use crate::minisign::{KeyId, SecretKey, Signature};
use crate::records::{
    AuditCheckpoint, Decision, DecisionKind, ExportDigest, MemberKey, Signed, SignedTreeHead,
    VersionRecord,
};

pub const LIST_ID: &str = "accord-common-list";
/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

/// When version `v` (1-based) was published.
pub fn published_at(v: u64) -> i64 {
    T0 + i64::try_from(v).unwrap_or(0) * 30 * DAY
}

/// When the platform key was rotated: between versions 2 and 3.
pub const ROTATED_AT: i64 = T0 + 75 * DAY;

/// A demo key from a seed byte; the id spells the name.
pub fn key(seed: u8, name: &str) -> SecretKey {
    let mut id = [b'-'; 8];
    for (i, b) in name.bytes().take(8).enumerate() {
        id[i] = b;
    }
    SecretKey::from_seed([seed; 32], KeyId(id))
}

pub struct PublishedFile {
    pub version: u64,
    pub name: String,
    pub bytes: Vec<u8>,
    pub signature: Signature,
}

pub struct World {
    /// The platform's first key (signed versions 1 and 2).
    pub first_key: SecretKey,
    /// The platform's current key (from the rotation on).
    pub current_key: SecretKey,
    pub rotation: SignedKeyRotation,
    pub members: Vec<(String, SecretKey)>,
    pub log: TransparencyLog,
    pub files: Vec<PublishedFile>,
    /// The signed head right after each version was logged.
    pub heads: Vec<SignedTreeHead>,
}

/// The CSV export of version `v`.
pub fn csv(v: u64) -> Vec<u8> {
    let mut s = String::from("id,name,status\n");
    for i in 1..=v {
        s.push_str(&format!("ACL-{i:04},Example Organisation {i},listed\n"));
    }
    s.into_bytes()
}

impl World {
    pub fn build() -> World {
        Self::try_build().expect("the demo world is consistent")
    }

    fn try_build() -> Result<World, Box<dyn std::error::Error>> {
        let first_key = key(1, "platfrm1");
        let current_key = key(2, "platfrm2");
        let members: Vec<(String, SecretKey)> =
            [("KAZ", 11), ("KGZ", 12), ("TJK", 13), ("UZB", 14)]
                .into_iter()
                .map(|(m, seed)| (m.to_string(), key(seed, &format!("member{m}"))))
                .collect();
        let mut log = TransparencyLog::new();
        for (m, k) in &members {
            log.append(LogEntry::MemberKey(Signed::sign(
                MemberKey {
                    member: m.clone(),
                    public_key: k.public_key(),
                    valid_from: T0,
                    valid_until: None,
                    certified_at: T0,
                },
                &first_key,
            )?))?;
        }
        let rotation = rotation_to(
            &first_key,
            &current_key,
            ROTATED_AT,
            None,
            "scheduled rotation",
        )?;
        let mut files = Vec::new();
        let mut heads = Vec::new();
        for v in 1..=3u64 {
            let at = published_at(v);
            if v == 3 {
                log.append(LogEntry::KeyRotation(Box::new(rotation.clone())))?;
            }
            let platform = if at >= ROTATED_AT {
                &current_key
            } else {
                &first_key
            };
            let mut adoption = Vec::new();
            for (i, (m, k)) in members.iter().enumerate() {
                let d = Signed::sign(
                    Decision {
                        list_id: LIST_ID.into(),
                        proposal: format!("P-{v:03}"),
                        member: m.clone(),
                        decision: DecisionKind::Concur,
                        reason: None,
                        at: at - DAY + i64::try_from(i)?,
                    },
                    k,
                )?;
                log.append(LogEntry::Decision(d.clone()))?;
                adoption.push(d);
            }
            let name = format!("list-v{v}.csv");
            let bytes = csv(v);
            let record = Signed::sign(
                VersionRecord {
                    list_id: LIST_ID.into(),
                    version: v,
                    published_at: at,
                    subject_count: v,
                    proposal: Some(format!("P-{v:03}")),
                    exports: vec![ExportDigest {
                        format: "csv".into(),
                        file_name: name.clone(),
                        sha256: Hash::sha256(&bytes),
                    }],
                    adoption,
                    supersedes: (v > 1).then(|| v - 1),
                },
                platform,
            )?;
            log.append(LogEntry::ListVersion(record))?;
            let signature = sign_export(platform, &bytes, &name, LIST_ID, v, at)?;
            log.append(LogEntry::AuditCheckpoint(Signed::sign(
                AuditCheckpoint {
                    sequence: i64::try_from(v)? * 10,
                    hash: Hash::sha256(format!("audit record {v}").as_bytes()).to_hex(),
                    at,
                },
                platform,
            )?))?;
            heads.push(log.sign_head(platform, at + 60)?);
            files.push(PublishedFile {
                version: v,
                name,
                bytes,
                signature,
            });
        }
        Ok(World {
            first_key,
            current_key,
            rotation,
            members,
            log,
            files,
            heads,
        })
    }

    pub fn file(&self, version: u64) -> &PublishedFile {
        &self.files[usize::try_from(version - 1).unwrap_or(0)]
    }

    pub fn latest_head(&self) -> &SignedTreeHead {
        &self.heads[self.heads.len() - 1]
    }

    /// The bundle for `version` under the latest head, with consistency
    /// proofs from every earlier head.
    pub fn bundle(&self, version: u64) -> ProofBundle {
        let f = self.file(version);
        let head = self.latest_head();
        let mut b = self
            .log
            .bundle(LIST_ID, version, &f.signature.to_text(), head)
            .expect("the version is in the log");
        for h in &self.heads[..self.heads.len() - 1] {
            b.consistency.push(
                self.log
                    .consistency_proof(h.record.size, head.record.size)
                    .expect("earlier heads are prefixes"),
            );
        }
        b
    }
}
