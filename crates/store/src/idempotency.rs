//! Idempotency keys for API writes: the first answer is kept and given back
//! to a retry, so a write whose answer was lost (a dropped connection, a
//! killed node) is not made twice.
//!
//! A request with a key first *claims* it (a row in `idempotency_keys`,
//! committed on its own). While the request runs, every transaction it
//! opens through [`Store::begin`] marks the claim `committed` as its first
//! statement, so the mark is durable exactly when one of the request's
//! writes is. When the answer is ready it is stored with the claim. A
//! retry then finds one of:
//! - the stored answer: given back as it was;
//! - a claim still pending: another copy is running (or the node died);
//!   after [`ABANDONED_AFTER_MS`] a claim with nothing committed is taken
//!   over and the request runs again; one with a committed write reports
//!   that the outcome is unknown — it is never run twice.

use crate::{Store, StoreError, now_ms};

tokio::task_local! {
    /// The claim of the request this task is answering, if it has a key.
    static CLAIM: Claim;
}

/// A key as its caller owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// `token:<id>`, `user:<id>` or `client:<digest>`.
    pub caller: String,
    pub key: String,
}

/// A pending claim older than this, with nothing committed, belongs to a
/// request that died: a retry may run it again. Longer than any request
/// the server answers.
pub const ABANDONED_AFTER_MS: i64 = 10 * 60 * 1000;

/// Answers are kept this long; a key may be reused after.
pub const KEPT_MS: i64 = 24 * 60 * 60 * 1000;

/// An answer as stored, to be sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The key is this request's: run it.
    Fresh,
    /// The same request was answered before: send this.
    Answered(StoredAnswer),
    /// The key was used for a different request.
    Reused,
    /// The same request is being answered now.
    InProgress,
    /// The same request committed a write and its answer was lost.
    OutcomeUnknown,
}

/// Runs `f` with `claim` as the task's claim, so the transactions it opens
/// mark it committed.
pub async fn scope<F: std::future::Future>(claim: Claim, f: F) -> F::Output {
    CLAIM.scope(claim, f).await
}

impl Store {
    /// Starts a transaction; inside a request with an idempotency key, its
    /// first statement marks the key's claim committed (undone with the
    /// transaction if it rolls back). Every transaction of the store starts
    /// here.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Ok(claim) = CLAIM.try_with(Claim::clone) {
            sqlx::query("UPDATE idempotency_keys SET committed = 1 WHERE caller = $1 AND key = $2")
                .bind(&claim.caller)
                .bind(&claim.key)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Claims `claim.key` for a request whose fingerprint is `fingerprint`,
    /// or says what became of its first use.
    pub async fn claim_idempotency_key(
        &self,
        claim: &Claim,
        fingerprint: &str,
    ) -> Result<Claimed, StoreError> {
        self.claim_idempotency_key_at(claim, fingerprint, now_ms())
            .await
    }

    /// [`Store::claim_idempotency_key`] at `now` (Unix ms; tests move it).
    pub async fn claim_idempotency_key_at(
        &self,
        claim: &Claim,
        fingerprint: &str,
        now: i64,
    ) -> Result<Claimed, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now - KEPT_MS)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (caller, key, fingerprint, state, committed, created_at) \
             VALUES ($1, $2, $3, 'pending', 0, $4) ON CONFLICT (caller, key) DO NOTHING",
        )
        .bind(&claim.caller)
        .bind(&claim.key)
        .bind(fingerprint)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            tx.commit().await?;
            return Ok(Claimed::Fresh);
        }
        #[allow(clippy::type_complexity)]
        let row: (
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<Vec<u8>>,
            i64,
        ) = sqlx::query_as(
            "SELECT fingerprint, state, committed, status, content_type, location, body, created_at \
             FROM idempotency_keys WHERE caller = $1 AND key = $2",
        )
        .bind(&claim.caller)
        .bind(&claim.key)
        .fetch_one(&mut *tx)
        .await?;
        let (
            stored_fingerprint,
            state,
            committed,
            status,
            content_type,
            location,
            body,
            created_at,
        ) = row;
        let outcome = if stored_fingerprint != fingerprint {
            Claimed::Reused
        } else if state == "done" {
            Claimed::Answered(StoredAnswer {
                status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
                content_type,
                location,
                body: body.unwrap_or_default(),
            })
        } else if now - created_at < ABANDONED_AFTER_MS {
            Claimed::InProgress
        } else if committed != 0 {
            Claimed::OutcomeUnknown
        } else {
            // Its request died before any write: this one takes it over,
            // if no other retry took it first (the row as it was read).
            let taken = sqlx::query(
                "UPDATE idempotency_keys SET created_at = $1 WHERE caller = $2 AND key = $3 \
                 AND state = 'pending' AND committed = 0 AND created_at = $4",
            )
            .bind(now)
            .bind(&claim.caller)
            .bind(&claim.key)
            .bind(created_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken == 1 {
                Claimed::Fresh
            } else {
                Claimed::InProgress
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Keeps the answer of a claimed request for its retries.
    pub async fn keep_idempotent_answer(
        &self,
        claim: &Claim,
        answer: &StoredAnswer,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', status = $1, content_type = $2, \
             location = $3, body = $4 WHERE caller = $5 AND key = $6",
        )
        .bind(i64::from(answer.status))
        .bind(&answer.content_type)
        .bind(&answer.location)
        .bind(&answer.body)
        .bind(&claim.caller)
        .bind(&claim.key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives a claim up when its request failed before writing anything (a
    /// server error), so a retry runs it again. A claim whose request
    /// committed a write is kept pending: the retry is told the outcome is
    /// unknown.
    pub async fn release_idempotency_key(&self, claim: &Claim) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND committed = 0 \
             AND state = 'pending'",
        )
        .bind(&claim.caller)
        .bind(&claim.key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
