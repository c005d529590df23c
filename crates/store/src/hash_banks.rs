//! Hash sharing: banks, their hashes (never the content), members'
//! feedback, and the change feed platforms keep their copies with.
//!
//! The rules are `accord_hashes::bank`'s; callers check who may read or
//! write a bank before calling. Every change of a hash takes the next number
//! of the feed (`hash_feed`) in its transaction, so "every change after N"
//! is exact on every node and never skips a row written in the same
//! millisecond.

use accord_core::audit::Outcome;
use accord_core::{MemberCode, Principal};
use accord_hashes::SignalType;
use accord_hashes::bank::{
    Bank, BankId, HashState, Labels, NewHash, Verdict, state_after_feedback,
};
use sqlx::{Any, Transaction};

use crate::plan::{corrupt, decode, encode};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// A bank with when and by whom it was made.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BankRecord {
    #[serde(flatten)]
    pub bank: Bank,
    pub created_at: i64,
    pub created_by: String,
}

/// One stored hash.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HashRecord {
    pub id: i64,
    pub bank: BankId,
    pub signal_type: SignalType,
    pub signal: String,
    pub quality: Option<u8>,
    pub labels: Labels,
    pub state: HashState,
    pub added_by: String,
    pub added_at: i64,
    /// Its place in the change feed.
    pub seq: i64,
    pub updated_at: i64,
}

/// Members' feedback on one hash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct FeedbackCounts {
    pub agree: u32,
    pub disagree: u32,
    pub actioned: u32,
}

type HashRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
    i64,
    i64,
    i64,
);

const HASH_COLUMNS: &str =
    "id, bank_id, signal_type, signal, quality, labels, state, added_by, added_at, seq, updated_at";

fn hash_record(r: HashRow) -> Result<HashRecord, StoreError> {
    let bad = |what: &str| {
        corrupt(std::io::Error::other(format!(
            "stored hash {}: bad {what}",
            r.0
        )))
    };
    Ok(HashRecord {
        id: r.0,
        bank: BankId::parse(&r.1).map_err(|_| bad("bank"))?,
        signal_type: r.2.parse().map_err(|_| bad("signal type"))?,
        signal: r.3,
        quality: r.4.map(|q| q as u8),
        labels: decode(&r.5)?,
        state: r.6.parse().map_err(|_| bad("state"))?,
        added_by: r.7,
        added_at: r.8,
        seq: r.9,
        updated_at: r.10,
    })
}

fn listed_subject(labels: &Labels) -> Option<&str> {
    match &labels.entity {
        accord_hashes::bank::Entity::Listed(s) => Some(s.as_str()),
        _ => None,
    }
}

/// Reserves `n` numbers of the change feed; returns the first.
async fn next_seq(tx: &mut Transaction<'static, Any>, n: i64) -> Result<i64, StoreError> {
    let last: i64 =
        sqlx::query_scalar("UPDATE hash_feed SET seq = seq + $1 WHERE id = 1 RETURNING seq")
            .bind(n)
            .fetch_one(&mut **tx)
            .await?;
    Ok(last - n + 1)
}

impl Store {
    pub async fn create_bank(&self, actor: &Actor, bank: &Bank) -> Result<BankRecord, StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO hash_banks (id, doc, owner, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(bank.id.as_str())
        .bind(encode(bank))
        .bind(bank.owner.as_ref().map(MemberCode::as_str))
        .bind(now)
        .bind(&actor.label)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "a bank with the id {} exists already",
                    bank.id
                )));
            }
            other => other?,
        };
        audit::append(
            &mut tx,
            &actor.event(
                "hashes.bank.create",
                format!("bank:{}", bank.id),
                Outcome::Ok,
                serde_json::json!({ "tlp": bank.tlp, "allow": bank.allow }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.bank(&bank.id).await
    }

    /// Every bank; callers filter by `bank::may_read`.
    pub async fn banks(&self) -> Result<Vec<BankRecord>, StoreError> {
        let rows: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT doc, created_at, created_by FROM hash_banks ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(doc, created_at, created_by)| {
                Ok(BankRecord {
                    bank: decode(&doc)?,
                    created_at,
                    created_by,
                })
            })
            .collect()
    }

    pub async fn bank(&self, id: &BankId) -> Result<BankRecord, StoreError> {
        let row: Option<(String, i64, String)> =
            sqlx::query_as("SELECT doc, created_at, created_by FROM hash_banks WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        let (doc, created_at, created_by) =
            row.ok_or_else(|| StoreError::NotFound(format!("bank {id}")))?;
        Ok(BankRecord {
            bank: decode(&doc)?,
            created_at,
            created_by,
        })
    }

    /// Adds a batch of hashes to a bank, all or none: a signal already in
    /// the bank (and not deleted) refuses the batch, naming its position.
    /// A deleted one comes back to life with its new labels.
    pub async fn add_hashes(
        &self,
        actor: &Actor,
        bank: &BankId,
        hashes: &[NewHash],
    ) -> Result<Vec<i64>, StoreError> {
        self.add_hashes_reporting(actor, bank, hashes, &|_| {})
            .await
    }

    /// [`Store::add_hashes`], calling `progress` with the number of hashes
    /// written so far (inside the one transaction: nothing is committed
    /// until all are), for a command-line import of a large file.
    pub async fn add_hashes_reporting(
        &self,
        actor: &Actor,
        bank: &BankId,
        hashes: &[NewHash],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<i64>, StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let first = next_seq(&mut tx, hashes.len().max(1) as i64).await?;
        let mut ids = Vec::with_capacity(hashes.len());
        for (i, h) in hashes.iter().enumerate() {
            let seq = first + i as i64;
            let existing: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, state FROM bank_hashes WHERE bank_id = $1 AND signal_type = $2 AND signal = $3",
            )
            .bind(bank.as_str())
            .bind(h.signal.signal_type.as_str())
            .bind(&h.signal.value)
            .fetch_optional(&mut *tx)
            .await?;
            let id = match existing {
                Some((_, state)) if state != HashState::Deleted.as_str() => {
                    return Err(accord_core::Invalid::field(
                        &format!("hashes[{i}].signal"),
                        format!("{} {} is in bank {bank} already", h.signal.signal_type.as_str(), h.signal.value),
                    )
                    .into());
                }
                Some((id, _)) => {
                    // A removed hash added again starts its feedback afresh.
                    sqlx::query("DELETE FROM hash_feedback WHERE hash_id = $1").bind(id).execute(&mut *tx).await?;
                    sqlx::query(
                        "UPDATE bank_hashes SET quality = $1, labels = $2, state = $3, added_by = $4, added_at = $5, seq = $6, updated_at = $5, entity_subject = $8 WHERE id = $7",
                    )
                    .bind(h.quality.map(i64::from))
                    .bind(encode(&h.labels))
                    .bind(HashState::Active.as_str())
                    .bind(&actor.label)
                    .bind(now)
                    .bind(seq)
                    .bind(id)
                    .bind(listed_subject(&h.labels))
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => sqlx::query_scalar(
                    "INSERT INTO bank_hashes (bank_id, signal_type, signal, quality, labels, entity_subject, state, added_by, added_at, seq, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING id",
                )
                .bind(bank.as_str())
                .bind(h.signal.signal_type.as_str())
                .bind(&h.signal.value)
                .bind(h.quality.map(i64::from))
                .bind(encode(&h.labels))
                .bind(listed_subject(&h.labels))
                .bind(HashState::Active.as_str())
                .bind(&actor.label)
                .bind(now)
                .bind(seq)
                .fetch_one(&mut *tx)
                .await?,
            };
            ids.push(id);
            progress(ids.len());
        }
        audit::append(
            &mut tx,
            &actor.event(
                "hashes.add",
                format!("bank:{bank}"),
                Outcome::Ok,
                serde_json::json!({ "count": hashes.len(), "ids": ids }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn hash(&self, id: i64) -> Result<HashRecord, StoreError> {
        let row: Option<HashRow> =
            sqlx::query_as(sql!("SELECT {HASH_COLUMNS} FROM bank_hashes WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        hash_record(row.ok_or_else(|| StoreError::NotFound(format!("hash {id}")))?)
    }

    /// The hashes of `banks` that wait for their owner's review — held by
    /// disagreements or retracted after a delisting — newest change first.
    pub async fn hashes_for_review(
        &self,
        banks: &[BankId],
        limit: i64,
    ) -> Result<Vec<HashRecord>, StoreError> {
        if banks.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..banks.len()).map(|i| format!("${}", i + 4)).collect();
        let text = sql!(
            "SELECT {HASH_COLUMNS} FROM bank_hashes WHERE state IN ($1, $2) AND bank_id IN ({}) \
             ORDER BY seq DESC LIMIT $3",
            placeholders.join(", ")
        );
        let mut q = sqlx::query_as::<_, HashRow>(text)
            .bind(HashState::Held.as_str())
            .bind(HashState::Retracted.as_str())
            .bind(limit);
        for b in banks {
            q = q.bind(b.as_str().to_string());
        }
        let rows: Vec<HashRow> = q.fetch_all(&self.pool).await?;
        rows.into_iter().map(hash_record).collect()
    }

    /// A bank's hashes, newest change first, deleted ones included (tombstones).
    pub async fn bank_hashes(
        &self,
        bank: &BankId,
        limit: i64,
    ) -> Result<Vec<HashRecord>, StoreError> {
        let rows: Vec<HashRow> = sqlx::query_as(sql!(
            "SELECT {HASH_COLUMNS} FROM bank_hashes WHERE bank_id = $1 ORDER BY seq DESC LIMIT $2"
        ))
        .bind(bank.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(hash_record).collect()
    }

    /// Every change after `checkpoint`, in feed order, at most `limit`.
    pub async fn hash_changes(
        &self,
        checkpoint: i64,
        limit: i64,
    ) -> Result<Vec<HashRecord>, StoreError> {
        let rows: Vec<HashRow> = sqlx::query_as(sql!(
            "SELECT {HASH_COLUMNS} FROM bank_hashes WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(checkpoint)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(hash_record).collect()
    }

    /// The changes after `checkpoint` in `banks` only, oldest first: what one
    /// reader's feed pages through, so that neither its pages nor its
    /// checkpoints reveal changes in banks hidden from the reader.
    pub async fn hash_changes_in(
        &self,
        checkpoint: i64,
        banks: &[BankId],
        limit: i64,
    ) -> Result<Vec<HashRecord>, StoreError> {
        if banks.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..banks.len()).map(|i| format!("${}", i + 3)).collect();
        let text = sql!(
            "SELECT {HASH_COLUMNS} FROM bank_hashes WHERE seq > $1 AND bank_id IN ({}) \
             ORDER BY seq LIMIT $2",
            placeholders.join(", ")
        );
        let mut q = sqlx::query_as::<_, HashRow>(text)
            .bind(checkpoint)
            .bind(limit);
        for b in banks {
            q = q.bind(b.as_str().to_string());
        }
        let rows: Vec<HashRow> = q.fetch_all(&self.pool).await?;
        rows.into_iter().map(hash_record).collect()
    }

    /// Sets a hash's state (removal by its owner, a review's outcome, a
    /// retraction): a new change in the feed. Refused for a hash of another
    /// bank, and for a hash whose state is not one of `from` (so a removal is
    /// never undone by a retraction that raced it). A hash released from hold
    /// or retraction starts its feedback afresh.
    pub async fn set_hash_state(
        &self,
        actor: &Actor,
        bank: &BankId,
        id: i64,
        from: &[HashState],
        state: HashState,
    ) -> Result<HashRecord, StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let seq = next_seq(&mut tx, 1).await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT state FROM bank_hashes WHERE id = $1 AND bank_id = $2")
                .bind(id)
                .bind(bank.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(current) = current else {
            return Err(StoreError::NotFound(format!("hash {id} in bank {bank}")));
        };
        if !from.iter().any(|f| f.as_str() == current) {
            return Err(StoreError::Conflict(format!(
                "hash {id} is {current}; it cannot become {}",
                state.as_str()
            )));
        }
        if state == HashState::Active {
            sqlx::query("DELETE FROM hash_feedback WHERE hash_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let moved = sqlx::query("UPDATE bank_hashes SET state = $1, seq = $2, updated_at = $3 WHERE id = $4 AND bank_id = $5")
            .bind(state.as_str())
            .bind(seq)
            .bind(now)
            .bind(id)
            .bind(bank.as_str())
            .execute(&mut *tx)
            .await?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("hash {id} in bank {bank}")));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "hashes.state",
                format!("hash:{id}"),
                Outcome::Ok,
                serde_json::json!({ "bank": bank.as_str(), "state": state.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.hash(id).await
    }

    /// Records a member's feedback on a hash, once per member; enough
    /// disagreements hold the hash (`bank::state_after_feedback`).
    pub async fn hash_feedback(
        &self,
        actor: &Actor,
        who: &Principal,
        id: i64,
        verdict: Verdict,
        hold_after: u32,
    ) -> Result<(HashRecord, FeedbackCounts), StoreError> {
        let member = who
            .member()
            .map(|m| m.to_string())
            .unwrap_or_else(|| "secretariat".into());
        let now = now_ms();
        let mut tx = self.begin().await?;
        let inserted = sqlx::query("INSERT INTO hash_feedback (hash_id, member, verdict, by_user, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&member)
            .bind(verdict.as_str())
            .bind(&actor.label)
            .bind(now)
            .execute(&mut *tx)
            .await;
        match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "{member} gave its feedback on hash {id} already"
                )));
            }
            other => other?,
        };
        let counts = counts_in(&mut tx, id).await?;
        let (state, bank): (String, String) =
            sqlx::query_as("SELECT state, bank_id FROM bank_hashes WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let current: HashState = state
            .parse()
            .map_err(|e: String| corrupt(std::io::Error::other(e)))?;
        let next = state_after_feedback(current, counts.disagree, hold_after);
        if next != current {
            let seq = next_seq(&mut tx, 1).await?;
            sqlx::query(
                "UPDATE bank_hashes SET state = $1, seq = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(next.as_str())
            .bind(seq)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &actor.event("hashes.feedback", format!("hash:{id}"), Outcome::Ok, serde_json::json!({ "bank": bank, "verdict": verdict.as_str(), "state": next.as_str() })),
        )
        .await?;
        tx.commit().await?;
        Ok((self.hash(id).await?, counts))
    }

    /// Hashes still matching (or held) that are attributed to a delisted
    /// subject: their id, bank and the subject's delisting date.
    pub async fn hashes_of_delisted(&self) -> Result<Vec<(i64, BankId, time::Date)>, StoreError> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT h.id, h.bank_id, s.delisted_on FROM bank_hashes h JOIN list_subjects s ON s.public_id = h.entity_subject \
             WHERE h.state IN ('active', 'held') AND s.delisted_on IS NOT NULL ORDER BY h.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, bank, date)| {
                let bad = || {
                    corrupt(std::io::Error::other(format!(
                        "hash {id}: bad bank or delisting date"
                    )))
                };
                Ok((
                    id,
                    BankId::parse(&bank).map_err(|_| bad())?,
                    time::Date::parse(&date, &time::format_description::well_known::Iso8601::DATE)
                        .map_err(|_| bad())?,
                ))
            })
            .collect()
    }

    /// Retracts the hashes of delisted subjects whose bank's grace period
    /// has passed (`bank::retraction_due`); returns how many.
    pub async fn retract_delisted_hashes(
        &self,
        actor: &Actor,
        today: time::Date,
    ) -> Result<usize, StoreError> {
        let banks: std::collections::BTreeMap<BankId, Bank> = self
            .banks()
            .await?
            .into_iter()
            .map(|b| (b.bank.id.clone(), b.bank))
            .collect();
        let mut n = 0;
        for (id, bank, delisted_on) in self.hashes_of_delisted().await? {
            let Some(b) = banks.get(&bank) else { continue };
            if accord_hashes::bank::retraction_due(delisted_on, b.grace_days, today) {
                match self
                    .set_hash_state(
                        actor,
                        &bank,
                        id,
                        &[HashState::Active, HashState::Held],
                        HashState::Retracted,
                    )
                    .await
                {
                    Ok(_) => n += 1,
                    // Removed or reviewed meanwhile: nothing to retract.
                    Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(n)
    }

    /// The feedback on many hashes at once (a lookup's matches, a bank's
    /// page): one query per 500 ids.
    pub async fn feedback_counts_of(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, FeedbackCounts>, StoreError> {
        let mut out: std::collections::HashMap<i64, FeedbackCounts> = ids
            .iter()
            .map(|id| (*id, FeedbackCounts::default()))
            .collect();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let text = sql!(
                "SELECT hash_id, verdict, COUNT(*) FROM hash_feedback WHERE hash_id IN ({}) GROUP BY hash_id, verdict",
                placeholders.join(", ")
            );
            let mut q = sqlx::query_as::<_, (i64, String, i64)>(text);
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, verdict, n) in q.fetch_all(&self.pool).await? {
                let c = out.entry(id).or_default();
                match verdict.parse::<Verdict>() {
                    Ok(Verdict::Agree) => c.agree = n as u32,
                    Ok(Verdict::Disagree) => c.disagree = n as u32,
                    Ok(Verdict::Actioned) => c.actioned = n as u32,
                    Err(_) => {}
                }
            }
        }
        Ok(out)
    }

    pub async fn feedback_counts(&self, id: i64) -> Result<FeedbackCounts, StoreError> {
        let mut tx = self.begin().await?;
        let c = counts_in(&mut tx, id).await?;
        tx.rollback().await?;
        Ok(c)
    }
}

async fn counts_in(
    tx: &mut Transaction<'static, Any>,
    id: i64,
) -> Result<FeedbackCounts, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT verdict, COUNT(*) FROM hash_feedback WHERE hash_id = $1 GROUP BY verdict",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut c = FeedbackCounts::default();
    for (verdict, n) in rows {
        match verdict.parse::<Verdict>() {
            Ok(Verdict::Agree) => c.agree = n as u32,
            Ok(Verdict::Disagree) => c.disagree = n as u32,
            Ok(Verdict::Actioned) => c.actioned = n as u32,
            Err(_) => {}
        }
    }
    Ok(c)
}

/// One caller's lookups in one minute, as a node tallied them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupMinute {
    /// Who looked up (the token's user), as the audit log names actors.
    pub actor: Actor,
    /// The API token, when the caller used one.
    pub token_id: Option<i64>,
    /// Unix milliseconds at the minute's start.
    pub minute: i64,
    pub signals: u64,
    /// Signals that matched at least one hash.
    pub matched: u64,
}

impl Store {
    /// Writes a node's tallies: one audit record per caller per minute
    /// (never one per hash: platforms send millions) and the hashes' matches
    /// per day, in one transaction.
    pub async fn record_lookups(
        &self,
        minutes: &[LookupMinute],
        matches: &[(i64, String, u64)],
    ) -> Result<(), StoreError> {
        if minutes.is_empty() && matches.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for (hash_id, day, n) in matches {
            sqlx::query(
                "INSERT INTO hash_match_days (hash_id, day, matches) VALUES ($1, $2, $3) \
                 ON CONFLICT (hash_id, day) DO UPDATE SET matches = hash_match_days.matches + excluded.matches",
            )
            .bind(hash_id)
            .bind(day)
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        for m in minutes {
            let minute =
                time::OffsetDateTime::from_unix_timestamp_nanos(m.minute as i128 * 1_000_000)
                    .ok()
                    .and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_default();
            crate::audit::append(
                &mut tx,
                &m.actor.event(
                    "hashes.lookup",
                    match m.token_id {
                        Some(t) => format!("token:{t}"),
                        None => format!("user:{}", m.actor.label),
                    },
                    accord_core::audit::Outcome::Ok,
                    serde_json::json!({ "minute": minute, "signals": m.signals, "matched": m.matched }),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A hash's matches per day, oldest first.
    pub async fn hash_match_days(&self, hash_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT day, matches FROM hash_match_days WHERE hash_id = $1 ORDER BY day",
        )
        .bind(hash_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
