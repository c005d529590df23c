//! Manifest screenings as kept (docs/screening.md, "What is kept"): the
//! flight, the totals and the travellers with candidates always; every
//! traveller only for `manifest_retention_days`, then cleared by a sweep.
//! The JSON is the web layer's answer shape, stored as it was sent.

use accord_core::audit::Outcome;
use serde::Serialize;
use sqlx::FromRow;

use crate::{Actor, Store, StoreError, audit, now_ms};

/// What a manifest screening leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct NewManifestRecord {
    pub user_id: i64,
    pub member: Option<String>,
    /// The messages' flights and totals (no traveller).
    pub flights: serde_json::Value,
    pub traveller_count: i64,
    pub with_hits: i64,
    /// The travellers who had a candidate, with their candidates.
    pub hits: serde_json::Value,
    /// Every traveller, and until when they are kept; `None` when not kept.
    pub travellers: Option<(serde_json::Value, i64)>,
}

/// A kept manifest screening.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestRecord {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub member: Option<String>,
    pub created_at: i64,
    pub flights: serde_json::Value,
    pub traveller_count: i64,
    pub with_hits: i64,
    pub hits: serde_json::Value,
    /// Every traveller while kept; `None` once cleared or never kept.
    pub travellers: Option<serde_json::Value>,
    pub travellers_until: Option<i64>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    user_id: i64,
    username: String,
    member: Option<String>,
    created_at: i64,
    flights: String,
    traveller_count: i64,
    with_hits: i64,
    hits: String,
    travellers: Option<String>,
    travellers_until: Option<i64>,
}

const SELECT: &str = "SELECT m.id, m.user_id, u.username, m.member, m.created_at, m.flights, \
     m.traveller_count, m.with_hits, m.hits, m.travellers, m.travellers_until \
     FROM manifest_screenings m JOIN users u ON u.id = m.user_id";

fn json(text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

impl TryFrom<Row> for ManifestRecord {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(ManifestRecord {
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            member: r.member,
            created_at: r.created_at,
            flights: json(&r.flights)?,
            traveller_count: r.traveller_count,
            with_hits: r.with_hits,
            hits: json(&r.hits)?,
            travellers: r.travellers.as_deref().map(json).transpose()?,
            travellers_until: r.travellers_until,
        })
    }
}

impl Store {
    /// Keeps a manifest screening; returns its id.
    pub async fn save_manifest_screening(
        &self,
        actor: &Actor,
        new: &NewManifestRecord,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let (travellers, until) = match &new.travellers {
            Some((t, until)) => (Some(t.to_string()), Some(*until)),
            None => (None, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO manifest_screenings (user_id, member, created_at, flights, traveller_count, \
             with_hits, hits, travellers, travellers_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.user_id)
        .bind(&new.member)
        .bind(now_ms())
        .bind(new.flights.to_string())
        .bind(new.traveller_count)
        .bind(new.with_hits)
        .bind(new.hits.to_string())
        .bind(travellers)
        .bind(until)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "screening.manifest.keep",
                format!("manifest_screening:{id}"),
                Outcome::Ok,
                serde_json::json!({ "with_hits": new.with_hits, "travellers_kept": new.travellers.is_some() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Kept screenings, newest first: a user's own, or with `member` every
    /// one of that member's users (for its administrators).
    pub async fn manifest_screenings(
        &self,
        user_id: i64,
        member: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ManifestRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE (m.user_id = $1 OR m.member = $2) ORDER BY m.id DESC LIMIT $3"
        ))
        .bind(user_id)
        .bind(member.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ManifestRecord::try_from).collect()
    }

    /// One kept screening (the caller audits the read once it is allowed).
    pub async fn manifest_screening(&self, id: i64) -> Result<ManifestRecord, StoreError> {
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("manifest screening {id}")))?
            .try_into()
    }

    /// Clears the travellers of screenings kept past their date; the flight,
    /// totals and hits stay. Returns how many were cleared.
    pub async fn expire_manifest_travellers(&self, now: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE manifest_screenings SET travellers = NULL, travellers_until = NULL \
             WHERE travellers_until IS NOT NULL AND travellers_until <= $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }
}
