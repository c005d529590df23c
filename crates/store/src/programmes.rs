//! Capacity-building programmes: the current version of each and every
//! version before it.
//!
//! The rules live in the pure `accord-programmes` crate. A write here opens
//! its transaction, loads the programme's history, hands it (with the count
//! of users who could edit on the actor's side, for separation of duties) to
//! the caller's `change`, which asks the domain for the next programme or its
//! refusal, and stores what comes back as the next version with its audit
//! record: all or nothing. A refusal is returned as the inner `Err` and
//! changes nothing; storage failures are the outer one.

use accord_core::audit::Outcome;
use accord_core::{MemberCode, Principal};
use accord_programmes::Programme;
use accord_programmes::model::{IatiIdentifier, ProgrammeId};
use accord_programmes::rules::{History, Version};
use sqlx::{Any, Transaction};
use time::OffsetDateTime;

use crate::plan::{corrupt, decode, encode};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// A stored programme: its full history (the current version last) and
/// when it last changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeRecord {
    pub history: History,
    pub updated_at: i64,
    pub updated_by: String,
}

impl ProgrammeRecord {
    pub fn programme(&self) -> &Programme {
        self.history.current()
    }

    /// The number a form or an API client echoes to save over this version.
    pub fn version(&self) -> u32 {
        self.history.versions().len() as u32
    }

    pub fn updated(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.updated_at as i128 * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// What a `change` is given: the stored history and how many users on the
/// actor's side could edit (the member's enabled contributors and
/// administrators; for the secretariat, its enabled administrators).
pub struct Current<'a> {
    pub history: &'a History,
    pub side_user_count: usize,
}

/// What an import applies: new programmes and new versions of stored ones,
/// each with the version it was computed from.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeBatch {
    pub created: Vec<Programme>,
    pub updated: Vec<(Programme, u32)>,
}

fn stale(id: &ProgrammeId) -> StoreError {
    StoreError::Stale(format!(
        "someone else changed programme {id} since you opened it; reload it and apply your changes again"
    ))
}

fn user_of(who: &Principal) -> Result<i64, StoreError> {
    who.user_id()
        .ok_or_else(|| StoreError::Forbidden("sign in to change a programme".into()))
}

impl Store {
    /// Every programme with its history, by id. Callers filter through
    /// `rules::redacted_for`.
    pub async fn programmes(&self) -> Result<Vec<ProgrammeRecord>, StoreError> {
        let heads: Vec<(String, i64, i64, String)> = sqlx::query_as(
            "SELECT id, version, updated_at, updated_by FROM programmes ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT programme_id, doc FROM programme_versions ORDER BY programme_id, number",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut versions: std::collections::BTreeMap<String, Vec<Version>> = Default::default();
        for (id, doc) in rows {
            versions.entry(id).or_default().push(decode(&doc)?);
        }
        heads
            .into_iter()
            .filter_map(|(id, _version, updated_at, updated_by)| {
                // The versions are the truth; a programme whose first version
                // was not yet visible to the second read is left out.
                let versions = versions.remove(&id)?;
                Some(
                    History::from_versions(versions)
                        .map_err(corrupt)
                        .map(|history| ProgrammeRecord {
                            history,
                            updated_at,
                            updated_by,
                        }),
                )
            })
            .collect()
    }

    pub async fn programme(&self, id: &ProgrammeId) -> Result<ProgrammeRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT updated_at, updated_by FROM programmes WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *conn)
                .await?;
        let (updated_at, updated_by) =
            head.ok_or_else(|| StoreError::NotFound(format!("programme {id}")))?;
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM programme_versions WHERE programme_id = $1 ORDER BY number",
        )
        .bind(id.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let versions = docs
            .iter()
            .map(|d| decode(d))
            .collect::<Result<Vec<Version>, _>>()?;
        Ok(ProgrammeRecord {
            history: History::from_versions(versions).map_err(corrupt)?,
            updated_at,
            updated_by,
        })
    }

    /// Stores a new programme (already checked by `rules::create`) as its
    /// first version. Its id and IATI identifier must be free.
    pub async fn create_programme(
        &self,
        actor: &Actor,
        who: &Principal,
        programme: Programme,
    ) -> Result<ProgrammeRecord, StoreError> {
        let id = programme.id.clone();
        self.apply_programmes(
            actor,
            who,
            ProgrammeBatch {
                created: vec![programme],
                updated: Vec::new(),
            },
            "programme.create",
        )
        .await?;
        self.programme(&id).await
    }

    /// Changes one programme: `change` gets the stored history inside the
    /// transaction and returns the next programme, or a refusal (the inner
    /// `Err`), which stores nothing. `expected` is the version the editor
    /// saw (`None`: whatever is current). An unchanged programme stores no
    /// version.
    pub async fn change_programme<E>(
        &self,
        actor: &Actor,
        who: &Principal,
        id: &ProgrammeId,
        expected: Option<u32>,
        action: &str,
        change: impl FnOnce(Current<'_>) -> Result<Programme, E>,
    ) -> Result<Result<ProgrammeRecord, E>, StoreError> {
        let by = user_of(who)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        // The write first: it takes SQLite's lock and, on PostgreSQL, the
        // row's, so two saves over one version cannot both pass.
        let bumped =
            sqlx::query("UPDATE programmes SET updated_at = $1, updated_by = $2 WHERE id = $3")
                .bind(now)
                .bind(&actor.label)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        if bumped.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("programme {id}")));
        }
        let history = history_in(&mut tx, id).await?;
        let latest = history.versions().len() as u32;
        if expected.is_some_and(|v| v != latest) {
            return Err(stale(id));
        }
        let side_user_count = side_users(&mut tx, who).await?;
        let next = match change(Current {
            history: &history,
            side_user_count,
        }) {
            Ok(p) => p,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if next.id != *id {
            return Err(StoreError::Conflict(format!(
                "programme {id} cannot become {}",
                next.id
            )));
        }
        let at = OffsetDateTime::now_utc();
        let Some(version) = history.next(next, by, at) else {
            // Nothing changed: no version, no audit record, nothing written.
            tx.rollback().await?;
            return Ok(Ok(self.programme(id).await?));
        };
        let details = serde_json::json!({ "version": version.number });
        write_version(&mut tx, &version, latest, now, &actor.label).await?;
        audit::append(
            &mut tx,
            &actor.event(action, format!("programme:{id}"), Outcome::Ok, details),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(self.programme(id).await?))
    }

    /// Applies an import (IATI or CSV) in one transaction: every programme
    /// is created or versioned, or none is. An updated programme that
    /// changed since the import read it refuses the whole batch.
    pub async fn apply_programmes(
        &self,
        actor: &Actor,
        who: &Principal,
        batch: ProgrammeBatch,
        action: &str,
    ) -> Result<(), StoreError> {
        let by = user_of(who)?;
        let now = now_ms();
        let at = OffsetDateTime::now_utc();
        let mut tx = self.begin().await?;
        // A write first (SQLite then takes its lock up front): the rows an
        // update will version.
        for (p, _) in &batch.updated {
            sqlx::query("UPDATE programmes SET updated_at = updated_at WHERE id = $1")
                .bind(p.id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let mut created = Vec::new();
        for p in batch.created {
            let id = p.id.clone();
            let inserted = sqlx::query(
                "INSERT INTO programmes (id, iati_identifier, version, doc, created_at, updated_at, updated_by) \
                 VALUES ($1, $2, 1, $3, $4, $4, $5)",
            )
            .bind(id.as_str())
            .bind(p.iati_identifier.as_ref().map(IatiIdentifier::as_str))
            .bind(encode(&p))
            .bind(now)
            .bind(&actor.label)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if StoreError::is_unique_violation(&e) => {
                    return Err(StoreError::Conflict(format!(
                        "a programme with the id {id} or its IATI identifier exists already"
                    )));
                }
                other => other?,
            };
            let first = History::start(p, by, at);
            insert_version(&mut tx, &first.versions()[0]).await?;
            created.push(id.to_string());
        }
        let mut updated = Vec::new();
        for (p, expected) in batch.updated {
            let id = p.id.clone();
            let history = history_in(&mut tx, &id).await?;
            if history.versions().len() as u32 != expected {
                return Err(stale(&id));
            }
            if let Some(version) = history.next(p, by, at) {
                write_version(&mut tx, &version, expected, now, &actor.label).await?;
                updated.push(id.to_string());
            }
        }
        audit::append(
            &mut tx,
            &actor.event(
                action,
                "programmes",
                Outcome::Ok,
                serde_json::json!({ "created": created, "updated": updated }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn history_in(
    tx: &mut Transaction<'static, Any>,
    id: &ProgrammeId,
) -> Result<History, StoreError> {
    let docs: Vec<String> = sqlx::query_scalar(
        "SELECT doc FROM programme_versions WHERE programme_id = $1 ORDER BY number",
    )
    .bind(id.as_str())
    .fetch_all(&mut **tx)
    .await?;
    if docs.is_empty() {
        return Err(StoreError::NotFound(format!("programme {id}")));
    }
    let versions = docs
        .iter()
        .map(|d| decode(d))
        .collect::<Result<Vec<Version>, _>>()?;
    History::from_versions(versions).map_err(corrupt)
}

async fn insert_version(tx: &mut Transaction<'static, Any>, v: &Version) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO programme_versions (programme_id, number, doc) VALUES ($1, $2, $3)")
        .bind(v.programme.id.as_str())
        .bind(v.number as i64)
        .bind(encode(v))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends `v` and makes it current, if the current version is still `after`.
async fn write_version(
    tx: &mut Transaction<'static, Any>,
    v: &Version,
    after: u32,
    now: i64,
    by: &str,
) -> Result<(), StoreError> {
    let id = &v.programme.id;
    let moved = sqlx::query(
        "UPDATE programmes SET version = $1, doc = $2, iati_identifier = $3, updated_at = $4, updated_by = $5 \
         WHERE id = $6 AND version = $7",
    )
    .bind(v.number as i64)
    .bind(encode(&v.programme))
    .bind(v.programme.iati_identifier.as_ref().map(IatiIdentifier::as_str))
    .bind(now)
    .bind(by)
    .bind(id.as_str())
    .bind(after as i64)
    .execute(&mut **tx)
    .await;
    match moved {
        Err(e) if StoreError::is_unique_violation(&e) => {
            return Err(StoreError::Conflict(format!(
                "another programme has the IATI identifier {}",
                v.programme
                    .iati_identifier
                    .as_ref()
                    .map_or("", IatiIdentifier::as_str)
            )));
        }
        Ok(r) if r.rows_affected() == 0 => return Err(stale(id)),
        other => {
            other?;
        }
    }
    insert_version(tx, v).await
}

/// The users who could edit on `who`'s side, counted inside the
/// transaction: the rule applies to the side as it is when it is asked.
async fn side_users(
    tx: &mut Transaction<'static, Any>,
    who: &Principal,
) -> Result<usize, StoreError> {
    let n: i64 = match who.member() {
        Some(member) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM users u JOIN members m ON m.id = u.member_id \
             WHERE m.code = $1 AND u.disabled = 0 AND u.role IN ('contributor', 'member_admin')",
            )
            .bind(MemberCode::as_str(member))
            .fetch_one(&mut **tx)
            .await?
        }
        None => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM users WHERE disabled = 0 AND role = 'secretariat_admin'",
            )
            .fetch_one(&mut **tx)
            .await?
        }
    };
    Ok(n as usize)
}
