//! The Joint Plan tracker's catalogue: frameworks and commitments, seeded
//! from the conference report on first start.

use accord_core::audit::Outcome;
use accord_plan::{Catalogue, Commitment, Framework};

use crate::{Actor, Store, StoreError, audit, now_ms};

fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

impl Store {
    /// Loads the seeded frameworks and commitments that are missing; returns
    /// how many commitments were added.
    pub async fn seed_plan(&self) -> Result<usize, StoreError> {
        let catalogue = accord_plan::seed::catalogue();
        let mut tx = self.pool.begin().await?;
        let now = now_ms();
        for (i, f) in catalogue.frameworks().iter().enumerate() {
            sqlx::query(
                "INSERT INTO plan_frameworks (id, position, seeded, doc, created_at) VALUES ($1, $2, 1, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(f.id.to_string())
            .bind(i as i64)
            .bind(serde_json::to_string(f).expect("a framework serializes"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let mut added = 0;
        for (i, c) in catalogue.commitments().iter().enumerate() {
            let done = sqlx::query(
                "INSERT INTO plan_commitments (id, framework_id, position, seeded, doc, created_at) \
                 VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(c.id.to_string())
            .bind(c.framework.to_string())
            .bind(i as i64)
            .bind(serde_json::to_string(c).expect("a commitment serializes"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected() as usize;
        }
        if added > 0 {
            let event = Actor::system("seed").event(
                "plan.seed",
                "plan",
                Outcome::Ok,
                serde_json::json!({ "commitments": added }),
            );
            audit::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Every framework and commitment, in their order.
    pub async fn plan_catalogue(&self) -> Result<Catalogue, StoreError> {
        let frameworks: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM plan_frameworks ORDER BY position, id")
                .fetch_all(&self.pool)
                .await?;
        let commitments: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM plan_commitments ORDER BY position, id")
                .fetch_all(&self.pool)
                .await?;
        let frameworks: Vec<Framework> = frameworks
            .iter()
            .map(|(d,)| decode(d))
            .collect::<Result<_, _>>()?;
        let commitments: Vec<Commitment> = commitments
            .iter()
            .map(|(d,)| decode(d))
            .collect::<Result<_, _>>()?;
        Catalogue::from_parts(frameworks, commitments)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
    }
}
