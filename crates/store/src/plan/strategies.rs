//! The register of national CVE strategies and action plans.

use accord_core::MemberCode;
use accord_core::audit::Outcome;
use accord_plan::{Actor as PlanActor, NationalStrategy, StrategyInput};
use time::Date;

use super::{decode, encode, plan_error};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// A registered strategy with its id and the revision a form must echo.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StrategyRecord {
    pub id: i64,
    #[serde(flatten)]
    pub strategy: NationalStrategy,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: i64,
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
        rows.into_iter().map(record).collect()
    }

    pub async fn plan_strategy(&self, id: i64) -> Result<StrategyRecord, StoreError> {
        let row: Option<StrategyRow> =
            sqlx::query_as(sql!("SELECT {COLUMNS} FROM plan_strategies WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(record)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("strategy {id}")))
    }

    /// Registers a strategy of `member` (its contributors and administrators,
    /// or the secretariat).
    pub async fn add_plan_strategy(
        &self,
        actor: &Actor,
        who: &PlanActor,
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
        let mut tx = self.pool.begin().await?;
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
        who: &PlanActor,
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
        let mut tx = self.pool.begin().await?;
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
