//! Member keys and member-signed decisions (docs/proof.md).
//!
//! A regional state's decision on a proposal (concur, object, place, extend
//! or lift a hold) is accepted only with a minisign signature by its
//! member's own key over the decision's canonical bytes
//! (`accord_proof::records::signing_bytes`). The check runs inside the
//! transaction that records the decision, after the procedure engine has
//! accepted it and before anything is written, so a decision is stored with
//! its signature or not at all. The store keeps the public keys its members'
//! administrators registered and the signed decisions; the web layer's
//! sealing step certifies the keys and logs both in the transparency log.

use accord_core::MemberCode;
use accord_core::audit::Outcome;
use accord_procedure::Action;
use accord_proof::records::{Decision, DecisionError, DecisionKind, MemberKey, SignedDecision};
use accord_proof::{MemberKeyring, PublicKey};
use serde_json::json;
use sha2::Digest as _;
use sqlx::{Any, FromRow, Transaction};
use time::OffsetDateTime;

use crate::{Actor, Store, StoreError, audit, now_ms};

/// The common list's identifier in signed records and export signatures.
pub const LIST_ID: &str = "accord-common-list";

/// How far a signed decision's time may lie from the platform's clock: long
/// enough to sign with a command-line tool, short enough that a signature
/// cannot be kept and replayed later (a used signature is also refused).
pub const SIGNING_WINDOW_SECONDS: i64 = 30 * 60;

/// How far ahead of the platform's clock a decision may be dated (clock
/// skew between the signer's machine and the platform).
pub const FUTURE_SKEW_SECONDS: i64 = 60;

/// A proposal's reference in signed decisions.
pub fn proposal_reference(id: i64) -> String {
    format!("P-{id}")
}

/// A member's registered public key.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MemberKeyRow {
    pub id: i64,
    pub member_code: String,
    /// minisign's key id, 16 hex digits.
    pub key_id: String,
    /// minisign's base64 public key line.
    pub public_key: String,
    /// Unix seconds.
    pub valid_from: i64,
    pub valid_until: Option<i64>,
    pub created_by: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl MemberKeyRow {
    pub fn public_key(&self) -> Result<PublicKey, StoreError> {
        PublicKey::from_base64(&self.public_key)
            .map_err(|e| StoreError::Unsupported(format!("stored member key {}: {e}", self.key_id)))
    }

    /// What the platform certifies at `certified_at` (Unix seconds): the
    /// key, its member and its validity.
    pub fn certificate(&self, certified_at: i64) -> Result<MemberKey, StoreError> {
        Ok(MemberKey {
            member: self.member_code.clone(),
            public_key: self.public_key()?,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            certified_at,
        })
    }
}

/// A signed decision as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SignedDecisionRow {
    pub id: i64,
    pub proposal_id: i64,
    pub member_code: String,
    pub decision: String,
    /// `accord_proof::SignedDecision`, JSON.
    pub signed: String,
    pub at: i64,
    pub created_at: i64,
}

impl SignedDecisionRow {
    pub fn signed(&self) -> Result<SignedDecision, StoreError> {
        serde_json::from_str(&self.signed).map_err(|e| {
            StoreError::Unsupported(format!("stored signed decision {}: {e}", self.id))
        })
    }
}

/// A decision's signature, as the member made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionSignature {
    /// The time in the signed decision, Unix seconds.
    pub at: i64,
    /// minisign's four-line signature.
    pub signature: String,
}

/// Why a decision's signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignatureRefusal {
    #[error(
        "{member} has no registered signing key: its administrator registers one on the member's page"
    )]
    NoKey { member: String },
    #[error(
        "the decision was prepared at {at} but the platform's clock says {now}: prepare and sign it again"
    )]
    NotCurrent { at: i64, now: i64 },
    #[error("this signature was already used for a decision")]
    Replayed,
    #[error("the key {key_id} was replaced: sign with the member's current key")]
    KeyReplaced { key_id: String },
    #[error(transparent)]
    Signature(#[from] DecisionError),
}

/// The signed form of a procedure action, for the actions a state decides
/// (withdrawing is the proposer's, a departure the secretariat's).
pub fn decision_kind(action: &Action) -> Option<(DecisionKind, Option<String>)> {
    match action {
        Action::Concur => Some((DecisionKind::Concur, None)),
        Action::Object { reason } => Some((DecisionKind::Object, reason.clone())),
        Action::PlaceHold { reason } => Some((DecisionKind::Hold, reason.clone())),
        Action::ExtendHold => Some((DecisionKind::ExtendHold, None)),
        Action::LiftHold => Some((DecisionKind::Lift, None)),
        Action::Withdraw { .. } | Action::MemberLeft { .. } => None,
    }
}

/// The decision a member signs for `action` on proposal `id` at `at`.
pub fn decision_to_sign(
    id: i64,
    member: &MemberCode,
    action: &Action,
    at: i64,
) -> Option<Decision> {
    decision_kind(action).map(|(decision, reason)| Decision {
        list_id: LIST_ID.into(),
        proposal: proposal_reference(id),
        member: member.as_str().to_string(),
        decision,
        reason,
        at,
    })
}

const KEY_COLUMNS: &str =
    "id, member_code, key_id, public_key, valid_from, valid_until, created_by, created_at";

impl Store {
    /// Every registered member key (of one member, or all), oldest first.
    pub async fn member_keys(
        &self,
        member: Option<&MemberCode>,
    ) -> Result<Vec<MemberKeyRow>, StoreError> {
        let rows = match member {
            Some(m) => {
                sqlx::query_as(sql!(
                    "SELECT {KEY_COLUMNS} FROM member_keys WHERE member_code = $1 ORDER BY id"
                ))
                .bind(m.as_str())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as(sql!("SELECT {KEY_COLUMNS} FROM member_keys ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        Ok(rows)
    }

    /// Registers `key` as `member`'s signing key from `now` on; the member's
    /// current key, if any, stops signing at that instant.
    pub async fn register_member_key(
        &self,
        actor: &Actor,
        member: &MemberCode,
        key: &PublicKey,
        now: OffsetDateTime,
    ) -> Result<MemberKeyRow, StoreError> {
        let now_s = now.unix_timestamp();
        let key_id = key.key_id.to_string();
        let mut tx = self.begin().await?;
        // A write first (SQLite's lock up front): the member's current key
        // stops signing now; the checks below roll it back if they fail.
        // The old key's end is after every decision it signed (one may be
        // dated a little ahead of the clock), so those stay verifiable.
        let replaced: Vec<String> = sqlx::query_scalar(
            "UPDATE member_keys SET valid_until = \
               (SELECT MAX(t) FROM (SELECT CAST($1 AS BIGINT) AS t UNION ALL \
                  SELECT at + 1 FROM signed_decisions WHERE member_code = $2) AS ends) \
             WHERE member_code = $2 AND valid_until IS NULL RETURNING key_id",
        )
        .bind(now_s)
        .bind(member.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM members WHERE code = $1")
            .bind(member.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("member {member}")));
        }
        let taken: Option<String> =
            sqlx::query_scalar("SELECT member_code FROM member_keys WHERE key_id = $1")
                .bind(&key_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(owner) = taken {
            return Err(StoreError::Conflict(format!(
                "the key {key_id} is already registered (for {owner}): a member's new key must be a new key"
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO member_keys (member_code, key_id, public_key, valid_from, valid_until, created_by, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6) RETURNING id",
        )
        .bind(member.as_str())
        .bind(&key_id)
        .bind(key.to_base64())
        .bind(now_s)
        .bind(&actor.label)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("the key {key_id} is already registered"))
            } else {
                e.into()
            }
        })?;
        // The member is told of every new key on its name, whoever
        // registered it: a key its own administrators did not register is
        // seen at once (the secretariat can create administrators).
        for r in [
            super::Recipient::Member(member.clone()),
            super::Recipient::Secretariat,
        ] {
            super::notifications::insert(
                &mut tx,
                &r,
                "member_key_registered",
                &json!({ "member": member.as_str(), "key_id": key_id, "by": actor.label }),
                None,
                None,
                now_ms(),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            &actor.event(
                "members.key.register",
                format!("member:{member}"),
                Outcome::Ok,
                json!({ "key_id": key_id, "replaces": replaced }),
            ),
        )
        .await?;
        let row = sqlx::query_as(sql!("SELECT {KEY_COLUMNS} FROM member_keys WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Every signed decision, in the order they were made.
    pub async fn signed_decisions(
        &self,
        proposal: Option<i64>,
    ) -> Result<Vec<SignedDecisionRow>, StoreError> {
        const COLUMNS: &str = "id, proposal_id, member_code, decision, signed, at, created_at";
        let rows = match proposal {
            Some(p) => {
                sqlx::query_as(sql!(
                    "SELECT {COLUMNS} FROM signed_decisions WHERE proposal_id = $1 ORDER BY id"
                ))
                .bind(p)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query_as(sql!("SELECT {COLUMNS} FROM signed_decisions ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        Ok(rows)
    }
}

/// Checks a decision's signature against the member's keys as they stand in
/// this transaction, and stores it. `Ok(false)` when the action needs none.
pub(crate) async fn check_and_store(
    tx: &mut Transaction<'static, Any>,
    proposal_id: i64,
    member: &MemberCode,
    action: &Action,
    signature: Option<&DecisionSignature>,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let now_s = now.unix_timestamp();
    let at = signature.map(|s| s.at).unwrap_or(now_s);
    let Some(decision) = decision_to_sign(proposal_id, member, action, at) else {
        return Ok(false);
    };
    let refuse = |r: SignatureRefusal| Err(StoreError::Signature(r));
    // Every member's keys, so that a signature by another member's key is
    // named as such.
    let keys: Vec<MemberKeyRow> =
        sqlx::query_as(sql!("SELECT {KEY_COLUMNS} FROM member_keys ORDER BY id"))
            .fetch_all(&mut **tx)
            .await?;
    if !keys.iter().any(|k| k.member_code == member.as_str()) {
        return refuse(SignatureRefusal::NoKey {
            member: member.as_str().into(),
        });
    }
    let Some(signature) = signature.filter(|s| !s.signature.trim().is_empty()) else {
        return refuse(DecisionError::MissingSignature.into());
    };
    if at < now_s - SIGNING_WINDOW_SECONDS || at > now_s + FUTURE_SKEW_SECONDS {
        return refuse(SignatureRefusal::NotCurrent { at, now: now_s });
    }
    let ring = MemberKeyring::from_keys(
        keys.iter()
            .map(|k| k.certificate(k.valid_until.unwrap_or(k.valid_from)))
            .collect::<Result<_, _>>()?,
    );
    let signed = SignedDecision {
        record: decision,
        signature: signature.signature.trim().to_string() + "\n",
    };
    let key_id = match ring.verify_decision(&signed) {
        Ok(k) => k.to_string(),
        Err(e) => return refuse(e.into()),
    };
    // Valid when the decision says it was made is not enough: a replaced key
    // signs nothing more, whatever date it writes.
    if keys
        .iter()
        .any(|k| k.key_id == key_id && k.valid_until.is_some_and(|u| u <= now_s))
    {
        return refuse(SignatureRefusal::KeyReplaced { key_id });
    }
    // One decision, recorded once: the digest of what was signed, whichever
    // minisign form (legacy or prehashed) signed it.
    let digest = hex::encode(sha2::Sha256::digest(
        accord_proof::records::signing_bytes(&signed.record)
            .map_err(|e| StoreError::Unsupported(e.to_string()))?,
    ));
    let written = sqlx::query(
        "INSERT INTO signed_decisions (proposal_id, member_code, decision, signed, digest, at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(proposal_id)
    .bind(member.as_str())
    .bind(signed.record.decision.to_string())
    .bind(serde_json::to_string(&signed).map_err(|e| StoreError::Unsupported(e.to_string()))?)
    .bind(digest)
    .bind(at)
    .bind(now_ms())
    .execute(&mut **tx)
    .await;
    match written {
        Ok(_) => Ok(true),
        Err(e) if StoreError::is_unique_violation(&e) => refuse(SignatureRefusal::Replayed),
        Err(e) => Err(e.into()),
    }
}
