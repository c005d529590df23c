//! Leases: a row per job that only one node should run at a time, with its
//! holder and expiry. Taking a lease is one upsert, atomic on both backends:
//! it succeeds when the lease is free, expired, or already held by the caller
//! (which renews it).

use crate::{Store, StoreError};

/// A lease as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    /// Unix milliseconds.
    pub expires_at: i64,
}

impl Store {
    /// Takes or renews the lease `name` for `holder` until `now_ms + ttl_ms`.
    /// Returns whether `holder` holds it now.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        if ttl_ms <= 0 {
            return Err(accord_core::Invalid::field("ttl", "must be positive").into());
        }
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= $4",
        )
        .bind(name)
        .bind(holder)
        .bind(now_ms.saturating_add(ttl_ms))
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease up at once (only its holder can), so another node
    /// need not wait for it to expire.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The lease `name`, if anyone ever took it.
    pub async fn lease(&self, name: &str) -> Result<Option<Lease>, StoreError> {
        Ok(
            sqlx::query_as("SELECT name, holder, expires_at FROM leases WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
