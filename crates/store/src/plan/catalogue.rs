//! Frameworks and commitments: the seed, and the secretariat's additions.

use accord_core::audit::Outcome;
use accord_core::{Action, Principal, authorize};
use accord_plan::{Catalogue, Commitment, Framework};

use super::{corrupt, decode, encode, plan_error};
use crate::{Actor, Store, StoreError, audit, now_ms};

impl Store {
    /// Loads the seeded frameworks and commitments that are missing; returns
    /// how many commitments were added.
    pub async fn seed_plan(&self) -> Result<usize, StoreError> {
        let catalogue = accord_plan::seed::catalogue();
        let mut tx = self.begin().await?;
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
        Catalogue::from_parts(frameworks, commitments).map_err(corrupt)
    }
}

impl Store {
    /// Adds a framework (the next conference's outcome, say); secretariat
    /// only, refused if the id exists.
    pub async fn add_plan_framework(
        &self,
        actor: &Actor,
        who: &Principal,
        new: accord_plan::NewFramework,
    ) -> Result<Framework, StoreError> {
        require_secretariat(who, "add frameworks")?;
        let mut catalogue = self.plan_catalogue().await?;
        let framework = catalogue.add_framework(new).map_err(plan_error)?.clone();
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO plan_frameworks (id, position, seeded, doc, created_at) \
             VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM plan_frameworks), 0, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(framework.id.to_string())
        .bind(encode(&framework))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "framework {} already exists",
                framework.id
            )));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "plan.framework.add",
                format!("framework:{}", framework.id),
                Outcome::Ok,
                serde_json::json!({ "title": framework.title }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(framework)
    }

    /// Adds a pillar to a framework; secretariat only.
    pub async fn add_plan_pillar(
        &self,
        actor: &Actor,
        who: &Principal,
        new: accord_plan::NewPillar,
    ) -> Result<Framework, StoreError> {
        require_secretariat(who, "add pillars")?;
        // The framework's document as stored now: the update below only
        // applies over it, so two pillars added at once cannot lose one.
        let before: Option<String> =
            sqlx::query_scalar("SELECT doc FROM plan_frameworks WHERE id = $1")
                .bind(new.framework.to_string())
                .fetch_optional(&self.pool)
                .await?;
        let Some(before) = before else {
            return Err(plan_error(accord_plan::PlanError::UnknownFramework(
                new.framework,
            )));
        };
        let mut catalogue = self.plan_catalogue().await?;
        let pillar = catalogue.add_pillar(new).map_err(plan_error)?.clone();
        let framework = catalogue
            .framework(&pillar.framework)
            .expect("the pillar's framework exists")
            .clone();
        let mut tx = self.begin().await?;
        let updated = sqlx::query("UPDATE plan_frameworks SET doc = $1 WHERE id = $2 AND doc = $3")
            .bind(encode(&framework))
            .bind(framework.id.to_string())
            .bind(before)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the framework changed meanwhile; reload and try again".into(),
            ));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "plan.pillar.add",
                format!("pillar:{}", pillar.id),
                Outcome::Ok,
                serde_json::json!({ "title": pillar.title }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(framework)
    }

    /// Adds a commitment to a framework; secretariat only. Its framework and
    /// pillars must exist and its id be new.
    pub async fn add_plan_commitment(
        &self,
        actor: &Actor,
        who: &Principal,
        new: accord_plan::NewCommitment,
    ) -> Result<Commitment, StoreError> {
        require_secretariat(who, "add commitments")?;
        let mut catalogue = self.plan_catalogue().await?;
        let commitment = catalogue.add_commitment(new).map_err(plan_error)?.clone();
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO plan_commitments (id, framework_id, position, seeded, doc, created_at) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(position), -1) + 1 FROM plan_commitments), 0, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(commitment.id.to_string())
        .bind(commitment.framework.to_string())
        .bind(encode(&commitment))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "commitment {} already exists",
                commitment.id
            )));
        }
        audit::append(
            &mut tx,
            &actor.event(
                "plan.commitment.add",
                format!("commitment:{}", commitment.id),
                Outcome::Ok,
                serde_json::json!({ "framework": commitment.framework.to_string() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(commitment)
    }
}

/// The catalogue is the secretariat's to extend: asked of the one policy
/// again here, so no caller can skip it.
fn require_secretariat(who: &Principal, what: &'static str) -> Result<(), StoreError> {
    authorize(who, &Action::ManagePlan)
        .map_err(|_| StoreError::Forbidden(format!("only the secretariat may {what}")))
}
