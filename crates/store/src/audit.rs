//! The append-only, hash-chained audit log.

use accord_core::Principal;
use accord_core::audit::{AuditEvent, AuditRecord, ChainVerifier, Outcome};
use sqlx::{Any, FromRow, Row, Transaction};

use crate::{Store, StoreError, now_ms};

/// Who did something and from where, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn new(principal: &Principal, ip: impl Into<String>) -> Actor {
        Actor {
            id: principal.user_id(),
            label: principal.label(),
            ip: ip.into(),
        }
    }

    /// An operator at the command line or the server itself.
    pub fn system(label: &str) -> Actor {
        Actor {
            id: None,
            label: label.to_string(),
            ip: "local".into(),
        }
    }

    pub(crate) fn event(
        &self,
        action: &str,
        target: impl Into<String>,
        outcome: Outcome,
        details: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            actor_id: self.id,
            actor: self.label.clone(),
            action: action.to_string(),
            target: target.into(),
            outcome,
            ip: self.ip.clone(),
            details,
        }
    }
}

#[derive(FromRow)]
struct AuditRow {
    seq: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    target: String,
    outcome: String,
    ip: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> AuditRecord {
        AuditRecord {
            seq: r.seq,
            at_ms: r.at,
            actor_id: r.actor_id,
            actor: r.actor,
            action: r.action,
            target: r.target,
            outcome: r.outcome,
            ip: r.ip,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

const AUDIT_COLUMNS: &str =
    "seq, at, actor_id, actor, action, target, outcome, ip, details, prev_hash, hash";

/// Appends a record inside the caller's transaction. Claiming the next
/// sequence number is an UPDATE of the single head row, which takes the write
/// lock (SQLite) or the row lock (PostgreSQL): appends are serialized even
/// across processes, and the chain cannot fork.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    event: &AuditEvent,
) -> Result<AuditRecord, StoreError> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
            .fetch_one(&mut **tx)
            .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let record = event.seal(seq, now_ms(), &prev);
    sqlx::query(sql!(
        "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(record.seq)
    .bind(record.at_ms)
    .bind(record.actor_id)
    .bind(&record.actor)
    .bind(&record.action)
    .bind(&record.target)
    .bind(&record.outcome)
    .bind(&record.ip)
    .bind(&record.details)
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&record.hash)
        .execute(&mut **tx)
        .await?;
    Ok(record)
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only records with a smaller sequence number (for paging back in time).
    pub before: Option<i64>,
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Only records written at or after this instant (Unix milliseconds).
    pub from_ms: Option<i64>,
    /// Only records written before this instant (Unix milliseconds).
    pub until_ms: Option<i64>,
    pub limit: i64,
    /// How many of the matching records to skip (paging by page number).
    pub offset: i64,
}

/// The filter of [`AuditQuery`], the same in the page's query and its count.
const AUDIT_FILTER: &str = "($1 IS NULL OR seq < $1) AND ($2 IS NULL OR action = $2) \
     AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5)";

impl Store {
    /// Records an event on its own (a read of personal data, a refused request).
    pub async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        outcome: Outcome,
        details: serde_json::Value,
    ) -> Result<AuditRecord, StoreError> {
        let mut tx = self.begin().await?;
        let record = append(&mut tx, &actor.event(action, target, outcome, details)).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Records of the log, newest first, filtered; `limit` and `offset` pick the page.
    pub async fn audit_records(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let (limit, offset) = crate::Window::new(q.limit, q.offset).bounded();
        let rows: Vec<AuditRow> = sqlx::query_as(sql!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {AUDIT_FILTER} \
             ORDER BY seq DESC LIMIT $6 OFFSET $7"
        ))
        .bind(q.before)
        .bind(q.action.as_deref())
        .bind(q.actor.as_deref())
        .bind(q.from_ms)
        .bind(q.until_ms)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    /// How many records match the query's filter (its `limit` and `offset` aside).
    pub async fn audit_count(&self, q: &AuditQuery) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar(sql!("SELECT COUNT(*) FROM audit_log WHERE {AUDIT_FILTER}"))
                .bind(q.before)
                .bind(q.action.as_deref())
                .bind(q.actor.as_deref())
                .bind(q.from_ms)
                .bind(q.until_ms)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// A page of the filtered log with the number of records matching in all.
    pub async fn audit_page(&self, q: &AuditQuery) -> Result<crate::Page<AuditRecord>, StoreError> {
        Ok(crate::Page {
            items: self.audit_records(q).await?,
            total: self.audit_count(q).await?,
        })
    }

    /// The actions the log holds, in order: one step of the index on
    /// `(action, seq)` per action, however long the log.
    pub async fn audit_actions(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<Option<String>> = sqlx::query_scalar(
            "WITH RECURSIVE a(action) AS ( \
                 SELECT MIN(action) FROM audit_log \
                 UNION ALL \
                 SELECT (SELECT MIN(l.action) FROM audit_log l WHERE l.action > a.action) \
                 FROM a WHERE a.action IS NOT NULL) \
             SELECT action FROM a WHERE action IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// Walks the whole chain in order; returns how many records verified, or
    /// the first break.
    pub async fn verify_audit_log(&self) -> Result<i64, StoreError> {
        Ok(self.verify_audit_log_from(None).await?.0)
    }

    /// Verifies the chain from `from` — a record verified before, as
    /// `(seq, hash)` — or from the start; returns the chain's length and
    /// where the next verification may resume. The records before `from`
    /// are not read again: the audit page verifies what was added since its
    /// last look, and `accord audit verify` the whole chain.
    pub async fn verify_audit_log_from(
        &self,
        from: Option<(i64, String)>,
    ) -> Result<(i64, (i64, String)), StoreError> {
        let expected: i64 = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let (mut verifier, mut after) = match &from {
            Some((seq, hash)) => (ChainVerifier::resume(*seq, hash), *seq),
            None => (ChainVerifier::default(), 0_i64),
        };
        loop {
            // Paged so that a long log is never held in memory at once.
            let rows: Vec<AuditRow> = sqlx::query_as(sql!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 5000"
            ))
            .bind(after)
            // Records appended during the walk are the next walk's.
            .bind(expected)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in rows {
                verifier.push(&AuditRecord::from(row))?;
            }
        }
        let position = verifier.position();
        Ok((verifier.finish(expected)?, position))
    }
}
