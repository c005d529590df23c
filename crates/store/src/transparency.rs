//! Storage of the transparency log (see `accord-proof` and docs/proof.md):
//! its entries, in order, as the canonical bytes that are the Merkle leaves,
//! and the tree heads the platform signed. The store knows nothing of keys
//! or signatures: it keeps what the caller (the web's sealing step) computed,
//! refuses to rewrite any of it (triggers refuse UPDATE and DELETE), and
//! refuses an append that does not extend the log exactly where it ends.

use accord_core::audit::Outcome;
use serde_json::json;
use sqlx::{FromRow, Row};

use crate::audit::{Actor, append};
use crate::{Store, StoreError, now_ms};

/// One stored entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LogEntryRow {
    pub sequence: i64,
    pub kind: String,
    /// The entry's canonical JSON: the Merkle leaf's data.
    pub entry: String,
    /// SHA-256(0x00 ‖ entry), hex.
    pub leaf_hash: String,
    /// The list version this entry records, for list version entries.
    pub list_version: Option<i64>,
    pub created_at: i64,
}

/// An entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogEntry {
    pub kind: String,
    pub entry: String,
    pub leaf_hash: String,
    pub list_version: Option<i64>,
}

/// One stored signed tree head.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TreeHeadRow {
    pub size: i64,
    pub root: String,
    /// The signed head, JSON.
    pub signed: String,
    pub created_at: i64,
}

/// A head to store with an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTreeHead {
    pub size: i64,
    pub root: String,
    pub signed: String,
}

/// The audit chain's head: its last record's sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub sequence: i64,
    pub hash: String,
}

impl Store {
    /// Every entry of the log, in order.
    pub async fn transparency_entries(&self) -> Result<Vec<LogEntryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT sequence, kind, entry, leaf_hash, list_version, created_at \
             FROM transparency_entries ORDER BY sequence",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every signed head, oldest first.
    pub async fn transparency_heads(&self) -> Result<Vec<TreeHeadRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT size, root, signed, created_at FROM transparency_heads ORDER BY size",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest signed head, if any.
    pub async fn latest_transparency_head(&self) -> Result<Option<TreeHeadRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT size, root, signed, created_at FROM transparency_heads \
             ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The audit chain's head as it is now.
    pub async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        let row = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(AuditHead {
            sequence: row.try_get(0)?,
            hash: row.try_get(1)?,
        })
    }

    /// The stored hash of audit record `sequence`, if there is such a
    /// record (for checking the chain against a signed checkpoint).
    pub async fn audit_hash_at(&self, sequence: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(sequence)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// How many audit records after `sequence` are of another action than
    /// `except` (the anchoring schedule skips a chain that moved only by
    /// the records of its own appends to the log).
    pub async fn audit_records_after(
        &self,
        sequence: i64,
        except: &str,
    ) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE seq > $1 AND action <> $2")
                .bind(sequence)
                .bind(except)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The log's entries of one kind (`key_rotation`, ...), in order.
    pub async fn transparency_entries_of_kind(
        &self,
        kind: &str,
    ) -> Result<Vec<LogEntryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT sequence, kind, entry, leaf_hash, list_version, created_at \
             FROM transparency_entries WHERE kind = $1 ORDER BY sequence",
        )
        .bind(kind)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The log's entry of a published list version, if it is logged.
    pub async fn transparency_entry_for_version(
        &self,
        version: i64,
    ) -> Result<Option<LogEntryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT sequence, kind, entry, leaf_hash, list_version, created_at \
             FROM transparency_entries WHERE list_version = $1",
        )
        .bind(version)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Appends `entries` at position `at` (the log's size the caller built
    /// them against) and stores `head`, in one audited transaction. A log
    /// that has grown since (another node appended first), an entry for a
    /// list version already logged, or a head whose size is not the new
    /// size is refused with [`StoreError::Conflict`] and nothing is written:
    /// the caller reloads and tries again.
    pub async fn append_transparency(
        &self,
        actor: &Actor,
        at: i64,
        entries: &[NewLogEntry],
        head: &NewTreeHead,
    ) -> Result<(), StoreError> {
        if head.size != at + entries.len() as i64 {
            return Err(StoreError::Conflict(format!(
                "a tree head of size {} does not follow {} entries appended at {at}",
                head.size,
                entries.len()
            )));
        }
        let mut tx = self.begin().await?;
        // The audit append comes first: it updates the audit head, which
        // serializes appends across connections, processes and nodes.
        append(
            &mut tx,
            &actor.event(
                "transparency.append",
                format!("log size {}", head.size),
                Outcome::Ok,
                json!({
                    "from": at,
                    "size": head.size,
                    "root": head.root,
                    "kinds": entries.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
                    "list_versions": entries.iter().filter_map(|e| e.list_version).collect::<Vec<_>>(),
                }),
            ),
        )
        .await?;
        let size: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transparency_entries")
            .fetch_one(&mut *tx)
            .await?;
        if size != at {
            return Err(StoreError::Conflict(format!(
                "the transparency log has {size} entries, not {at}: it grew meanwhile"
            )));
        }
        let now = now_ms();
        for (i, e) in entries.iter().enumerate() {
            sqlx::query(
                "INSERT INTO transparency_entries \
                 (sequence, kind, entry, leaf_hash, list_version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(at + i as i64)
            .bind(&e.kind)
            .bind(&e.entry)
            .bind(&e.leaf_hash)
            .bind(e.list_version)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|err| {
                if StoreError::is_unique_violation(&err) {
                    StoreError::Conflict(format!(
                        "the transparency log already holds entry {} or list version {:?}",
                        at + i as i64,
                        e.list_version
                    ))
                } else {
                    err.into()
                }
            })?;
        }
        sqlx::query(
            "INSERT INTO transparency_heads (size, root, signed, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(head.size)
        .bind(&head.root)
        .bind(&head.signed)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|err| {
            if StoreError::is_unique_violation(&err) {
                StoreError::Conflict(format!("a head of size {} is already stored", head.size))
            } else {
                err.into()
            }
        })?;
        tx.commit().await?;
        Ok(())
    }
}
