//! The audit log's tamper evidence: every record carries the hash of the one
//! before it, so altering or removing any record breaks the chain from there on.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as recorded. `seq` numbers records 1, 2, 3… without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// Unix time in milliseconds.
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// "ok" or "denied".
    pub outcome: String,
    pub ip: String,
    /// Free-form JSON with the particulars (never secrets).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields of a record before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: Outcome,
    pub ip: String,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
        }
    }
}

impl AuditEvent {
    /// Chains the event after `prev_hash` as record number `seq`.
    pub fn seal(&self, seq: i64, at_ms: i64, prev_hash: &str) -> AuditRecord {
        let mut r = AuditRecord {
            seq,
            at_ms,
            actor_id: self.actor_id,
            actor: self.actor.clone(),
            action: self.action.clone(),
            target: self.target.clone(),
            outcome: self.outcome.as_str().to_string(),
            ip: self.ip.clone(),
            details: self.details.to_string(),
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        r.hash = record_hash(&r);
        r
    }
}

/// The hash of a record's content and its predecessor's hash. Fields are
/// length-prefixed so that no two different records share an encoding.
pub fn record_hash(r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    let actor_id = r.actor_id.map(|i| i.to_string()).unwrap_or_default();
    let fields: [&str; 10] = [
        &r.prev_hash,
        &r.seq.to_string(),
        &r.at_ms.to_string(),
        &actor_id,
        &r.actor,
        &r.action,
        &r.target,
        &r.outcome,
        &r.ip,
        &r.details,
    ];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("record {seq} was altered: its content does not match its hash")]
    Altered { seq: i64 },
    #[error("record {expected} is missing (the next record present is {found})")]
    Missing { expected: i64, found: i64 },
    #[error("record {seq} does not follow the record before it (its previous hash differs)")]
    Unlinked { seq: i64 },
    #[error("the log ends at record {last} but {expected} records were written")]
    Truncated { last: i64, expected: i64 },
}

/// Checks records in `seq` order. `expected_count` is the number of records
/// the log's head says were written, which catches removal of the newest ones.
pub fn verify<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    expected_count: i64,
) -> Result<i64, ChainBreak> {
    let mut verifier = ChainVerifier::default();
    for r in records {
        verifier.push(r)?;
    }
    verifier.finish(expected_count)
}

/// Verifies a chain record by record, so a long log can be streamed.
#[derive(Debug)]
pub struct ChainVerifier {
    prev_hash: String,
    next_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS_HASH.to_string(),
            next_seq: 1,
        }
    }
}

impl ChainVerifier {
    /// Goes on from a record already verified: its sequence number and hash.
    pub fn resume(seq: i64, hash: &str) -> ChainVerifier {
        ChainVerifier {
            prev_hash: hash.to_string(),
            next_seq: seq + 1,
        }
    }

    /// The last record verified so far, as `(seq, hash)`: where a later
    /// verification may [`ChainVerifier::resume`].
    pub fn position(&self) -> (i64, String) {
        (self.next_seq - 1, self.prev_hash.clone())
    }

    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        if r.seq != self.next_seq {
            return Err(ChainBreak::Missing {
                expected: self.next_seq,
                found: r.seq,
            });
        }
        if record_hash(r) != r.hash {
            return Err(ChainBreak::Altered { seq: r.seq });
        }
        if r.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: r.seq });
        }
        self.prev_hash = r.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    /// Returns how many records were verified.
    pub fn finish(self, expected_count: i64) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if last != expected_count {
            return Err(ChainBreak::Truncated {
                last,
                expected: expected_count,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            actor_id: Some(7),
            actor: "kaz.admin".into(),
            action: action.into(),
            target: "focal_point:1".into(),
            outcome: Outcome::Ok,
            ip: "127.0.0.1".into(),
            details: serde_json::json!({"name": "A"}),
        }
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let r = event("focal_points.add").seal(seq, 1_000 * seq, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5), 5), Ok(5));
        assert_eq!(verify(&chain(0), 0), Ok(0));
    }

    #[test]
    fn an_altered_record_is_named() {
        let mut c = chain(5);
        c[2].actor = "someone.else".into();
        assert_eq!(verify(&c, 5), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_link_to_the_next_record() {
        let mut c = chain(5);
        c[2].actor = "someone.else".into();
        c[2].hash = record_hash(&c[2]);
        assert_eq!(verify(&c, 5), Err(ChainBreak::Unlinked { seq: 4 }));
    }

    #[test]
    fn a_removed_record_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c, 5),
            Err(ChainBreak::Missing {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn removing_the_newest_records_is_detected() {
        let mut c = chain(5);
        c.truncate(3);
        assert_eq!(
            verify(&c, 5),
            Err(ChainBreak::Truncated {
                last: 3,
                expected: 5
            })
        );
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut a = event("x").seal(1, 1, GENESIS_HASH);
        let mut b = a.clone();
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(record_hash(&a), record_hash(&b));
    }
}
