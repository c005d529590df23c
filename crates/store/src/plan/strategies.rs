//! The register of national CVE strategies and action plans.

use std::collections::BTreeMap;

use accord_core::audit::Outcome;
use accord_core::{MemberCode, Principal};
use accord_plan::{NationalStrategy, StrategyInput, can_edit_strategies};
use sqlx::FromRow;
use time::Date;

use super::{NewEvidenceFile, checked_file, decode, encode, plan_error};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// A document of a strategy (the bytes are read separately).
#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct StrategyDocument {
    pub id: i64,
    pub strategy_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub added_by: String,
    pub added_at: i64,
}

const DOCUMENT_COLUMNS: &str =
    "id, strategy_id, file_name, content_type, size, sha256, added_by, added_at";

/// A registered strategy with its id and the revision a form must echo.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StrategyRecord {
    pub id: i64,
    #[serde(flatten)]
    pub strategy: NationalStrategy,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: i64,
    /// Its documents, oldest first.
    pub documents: Vec<StrategyDocument>,
}

type StrategyRow = (i64, String, i64, String, i64);

fn record(
    (id, doc, revision, updated_by, updated_at): StrategyRow,
) -> Result<StrategyRecord, StoreError> {
    Ok(StrategyRecord {
        id,
        strategy: decode(&doc)?,
        revision,
        updated_by,
        updated_at,
        documents: Vec::new(),
    })
}

const COLUMNS: &str = "id, doc, revision, updated_by, updated_at";

impl Store {
    /// Every registered strategy, by member then id. Callers filter by TLP.
    pub async fn plan_strategies(&self) -> Result<Vec<StrategyRecord>, StoreError> {
        let rows: Vec<StrategyRow> = sqlx::query_as(sql!(
            "SELECT {COLUMNS} FROM plan_strategies ORDER BY member, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        let docs: Vec<StrategyDocument> = sqlx::query_as(sql!(
            "SELECT {DOCUMENT_COLUMNS} FROM plan_strategy_documents ORDER BY strategy_id, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut by: BTreeMap<i64, Vec<StrategyDocument>> = BTreeMap::new();
        for d in docs {
            by.entry(d.strategy_id).or_default().push(d);
        }
        rows.into_iter()
            .map(|row| {
                let mut r = record(row)?;
                r.documents = by.remove(&r.id).unwrap_or_default();
                Ok(r)
            })
            .collect()
    }

    pub async fn plan_strategy(&self, id: i64) -> Result<StrategyRecord, StoreError> {
        let row: Option<StrategyRow> =
            sqlx::query_as(sql!("SELECT {COLUMNS} FROM plan_strategies WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let mut r = row
            .map(record)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("strategy {id}")))?;
        r.documents = sqlx::query_as(sql!(
            "SELECT {DOCUMENT_COLUMNS} FROM plan_strategy_documents WHERE strategy_id = $1 ORDER BY id"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(r)
    }

    /// Adds a document to a strategy (who may edit the strategy may); a new
    /// revision of it, refused when it changed since `expected_revision`.
    pub async fn attach_strategy_document(
        &self,
        actor: &Actor,
        who: &Principal,
        id: i64,
        file: &NewEvidenceFile,
        expected_revision: Option<i64>,
    ) -> Result<StrategyRecord, StoreError> {
        let current = self.plan_strategy(id).await?;
        can_edit_strategies(who, &current.strategy.member).map_err(plan_error)?;
        let (name, sha) = checked_file(file)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let bumped = sqlx::query(
            "UPDATE plan_strategies SET revision = revision + 1, updated_by = $1, updated_at = $2 \
             WHERE id = $3 AND revision = $4",
        )
        .bind(&actor.label)
        .bind(now)
        .bind(id)
        .bind(expected_revision.unwrap_or(current.revision))
        .execute(&mut *tx)
        .await?;
        if bumped.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "someone else changed this strategy since you opened it; reload it and try again"
                    .into(),
            ));
        }
        let doc_id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_strategy_documents (strategy_id, file_name, content_type, size, sha256, bytes, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(&name)
        .bind(file.content_type.trim())
        .bind(file.bytes.len() as i64)
        .bind(&sha)
        .bind(file.bytes.clone())
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "plan.strategy.document.add",
                format!("strategy:{id}"),
                Outcome::Ok,
                serde_json::json!({ "document": doc_id, "file": name, "sha256": sha, "size": file.bytes.len() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.plan_strategy(id).await
    }

    /// One document of a strategy with its bytes; the read is audited. The
    /// caller has checked that the reader may see the strategy.
    pub async fn strategy_document(
        &self,
        actor: &Actor,
        strategy_id: i64,
        document_id: i64,
    ) -> Result<(StrategyDocument, Vec<u8>), StoreError> {
        let mut tx = self.begin().await?;
        audit::append(
            &mut tx,
            &actor.event(
                "plan.strategy.document.read",
                format!("strategy:{strategy_id}"),
                Outcome::Ok,
                serde_json::json!({ "document": document_id }),
            ),
        )
        .await?;
        let meta: Option<StrategyDocument> = sqlx::query_as(sql!(
            "SELECT {DOCUMENT_COLUMNS} FROM plan_strategy_documents WHERE id = $1 AND strategy_id = $2"
        ))
        .bind(document_id)
        .bind(strategy_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(meta) = meta else {
            return Err(StoreError::NotFound(format!(
                "document {document_id} of strategy {strategy_id}"
            )));
        };
        let bytes: Vec<u8> =
            sqlx::query_scalar("SELECT bytes FROM plan_strategy_documents WHERE id = $1")
                .bind(document_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok((meta, bytes))
    }

    /// Registers a strategy of `member` (its contributors and administrators,
    /// or the secretariat).
    pub async fn add_plan_strategy(
        &self,
        actor: &Actor,
        who: &Principal,
        member: &MemberCode,
        input: &StrategyInput,
        today: Date,
    ) -> Result<StrategyRecord, StoreError> {
        self.member(member).await?;
        let catalogue = self.plan_catalogue().await?;
        let strategy = input
            .validate(who, member, &catalogue, today)
            .map_err(plan_error)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_strategies (member, doc, revision, updated_by, created_at, updated_at) \
             VALUES ($1, $2, 1, $3, $4, $4) RETURNING id",
        )
        .bind(member.as_str())
        .bind(encode(&strategy))
        .bind(&actor.label)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &actor.event(
                "plan.strategy.add",
                format!("strategy:{id}"),
                Outcome::Ok,
                serde_json::json!({ "member": member.as_str(), "status": strategy.status.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.plan_strategy(id).await
    }

    /// Changes a strategy; refused when it changed since `expected_revision`.
    pub async fn update_plan_strategy(
        &self,
        actor: &Actor,
        who: &Principal,
        id: i64,
        input: &StrategyInput,
        expected_revision: Option<i64>,
        today: Date,
    ) -> Result<StrategyRecord, StoreError> {
        let current = self.plan_strategy(id).await?;
        let catalogue = self.plan_catalogue().await?;
        let strategy = input
            .validate(who, &current.strategy.member, &catalogue, today)
            .map_err(plan_error)?;
        let expected = expected_revision.unwrap_or(current.revision);
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE plan_strategies SET doc = $1, revision = revision + 1, updated_by = $2, updated_at = $3 \
             WHERE id = $4 AND revision = $5",
        )
        .bind(encode(&strategy))
        .bind(&actor.label)
        .bind(now_ms())
        .bind(id)
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "someone else changed this strategy since you opened it; reload it and apply your changes again"
                    .into(),
            ));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "plan.strategy.update",
                format!("strategy:{id}"),
                Outcome::Ok,
                serde_json::json!({ "member": current.strategy.member.as_str(), "status": strategy.status.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.plan_strategy(id).await
    }
}
