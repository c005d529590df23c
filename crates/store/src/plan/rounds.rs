//! Reporting rounds: opened by the secretariat, reopened after the deadline
//! when it decides so, and the reminders members get as the deadline nears.

use accord_core::audit::Outcome;
use accord_core::{MemberCode, Principal};
use accord_plan::{NewRound, ReportingRound, RoundId};
use sqlx::{Any, Transaction};
use time::OffsetDateTime;

use super::{REMINDER_BEFORE_DEADLINE_MS, decode, encode, ms, plan_error};
use crate::common_list::Recipient;
use crate::{Actor, Store, StoreError, audit, now_ms};

/// A round as stored, with who opened it and when.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoundRecord {
    #[serde(flatten)]
    pub round: ReportingRound,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

type RoundRow = (String, String, i64, i64);

fn record((doc, created_by, created_at, updated_at): RoundRow) -> Result<RoundRecord, StoreError> {
    Ok(RoundRecord {
        round: decode(&doc)?,
        created_by,
        created_at,
        updated_at,
    })
}

/// Tells each member of a round something about it (in the application).
async fn notify_members(
    tx: &mut Transaction<'static, Any>,
    round: &ReportingRound,
    members: &[MemberCode],
    kind: &str,
    at: i64,
) -> Result<(), StoreError> {
    let params = serde_json::json!({
        "round": round.id.to_string(),
        "name": round.name,
        "deadline": round.deadline.date().to_string(),
    });
    for m in members {
        crate::common_list::insert_round_notice(
            tx,
            &Recipient::Member(m.clone()),
            kind,
            &params,
            round.id.as_str(),
            at,
        )
        .await?;
    }
    Ok(())
}

impl Store {
    /// Every round, oldest period first.
    pub async fn plan_rounds(&self) -> Result<Vec<RoundRecord>, StoreError> {
        let rows: Vec<RoundRow> = sqlx::query_as(
            "SELECT doc, created_by, created_at, updated_at FROM plan_rounds ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<RoundRecord> = rows.into_iter().map(record).collect::<Result<_, _>>()?;
        out.sort_by(|a, b| {
            a.round
                .chronological_key()
                .cmp(&b.round.chronological_key())
        });
        Ok(out)
    }

    pub async fn plan_round(&self, id: &RoundId) -> Result<RoundRecord, StoreError> {
        let row: Option<RoundRow> = sqlx::query_as(
            "SELECT doc, created_by, created_at, updated_at FROM plan_rounds WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(record)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("round {id}")))
    }

    /// Opens a round (secretariat): validated against the catalogue, the
    /// member directory and the clock (`opened_at`: the server's now; the
    /// demo passes a past instant to load a round that closed before it
    /// started); every member asked is notified.
    pub async fn open_plan_round(
        &self,
        actor: &Actor,
        who: &Principal,
        new: &NewRound<'_>,
        opened_at: OffsetDateTime,
    ) -> Result<ReportingRound, StoreError> {
        let catalogue = self.plan_catalogue().await?;
        let known: Vec<MemberCode> = self.members().await?.into_iter().map(|m| m.code).collect();
        let round = new
            .validate(who, &catalogue, &known, opened_at)
            .map_err(plan_error)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO plan_rounds (id, doc, deadline, reminded_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(round.id.as_str())
        .bind(encode(&round))
        .bind(ms(round.deadline))
        .bind(&actor.label)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Invalid(accord_core::Invalid::field(
                "id",
                format!("a round {} already exists; choose another id", round.id),
            )));
        }
        notify_members(&mut tx, &round, &round.members, "round_opened", now).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "plan.round.open",
                format!("round:{}", round.id),
                Outcome::Ok,
                serde_json::json!({
                    "commitments": round.commitments.len(),
                    "members": round.members.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                    "deadline": round.deadline.to_string(),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(round)
    }

    /// Reopens a round to late reports, or closes it again (secretariat).
    /// Members are told when it reopens.
    pub async fn set_plan_round_reopened(
        &self,
        actor: &Actor,
        who: &Principal,
        id: &RoundId,
        reopened: bool,
    ) -> Result<ReportingRound, StoreError> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        // Touch first: serializes concurrent changes of this round.
        let round = locked_round(&mut tx, id, now).await?;
        let next = round.with_reopened(who, reopened).map_err(plan_error)?;
        sqlx::query("UPDATE plan_rounds SET doc = $1 WHERE id = $2")
            .bind(encode(&next))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if reopened && !round.reopened {
            notify_members(&mut tx, &next, &next.members, "round_reopened", now).await?;
        }
        audit::append(
            &mut tx,
            &actor.event(
                if reopened {
                    "plan.round.reopen"
                } else {
                    "plan.round.close"
                },
                format!("round:{id}"),
                Outcome::Ok,
                serde_json::json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Cancels a round opened by mistake (secretariat), while no report has
    /// been submitted in it; the members asked are told, so the notice that
    /// asked them to report is not left standing. The round is kept, marked
    /// cancelled (see [`ReportingRound::cancel`]); the clock sends it no
    /// reminder.
    pub async fn cancel_plan_round(
        &self,
        actor: &Actor,
        who: &Principal,
        id: &RoundId,
        now: OffsetDateTime,
    ) -> Result<ReportingRound, StoreError> {
        let mut tx = self.begin().await?;
        let at = now_ms();
        // Touch first: a write that locks the round, so a report submitted
        // at the same moment (which touches it too, `round_in`) either
        // commits first and is counted below, or finds the round cancelled.
        let round = locked_round(&mut tx, id, at).await?;
        let submitted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM plan_report_versions WHERE round_id = $1 AND submitted_at IS NOT NULL",
        )
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let next = round
            .cancel(who, usize::try_from(submitted).unwrap_or(usize::MAX), now)
            .map_err(plan_error)?;
        sqlx::query("UPDATE plan_rounds SET doc = $1 WHERE id = $2")
            .bind(encode(&next))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        notify_members(&mut tx, &next, &next.members, "round_cancelled", at).await?;
        audit::append(
            &mut tx,
            &actor.event(
                "plan.round.cancel",
                format!("round:{id}"),
                Outcome::Ok,
                serde_json::json!({
                    "members": next.members.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Reminds the members who still have reports to submit in rounds whose
    /// deadline falls within [`REMINDER_BEFORE_DEADLINE_MS`] of `now`; once
    /// per round. Returns how many members were reminded. Run by the
    /// server's clock, so it catches up after downtime; harmless on several
    /// nodes (the claim of a round is one conditional update).
    pub async fn remind_plan_deadlines(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let now = ms(now);
        let due: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM plan_rounds WHERE reminded_at IS NULL AND deadline >= $1 AND deadline <= $2",
        )
        .bind(now)
        .bind(now + REMINDER_BEFORE_DEADLINE_MS)
        .fetch_all(&self.pool)
        .await?;
        let mut reminded = 0;
        for (id,) in due {
            let mut tx = self.begin().await?;
            let doc: Option<String> = sqlx::query_scalar(
                "UPDATE plan_rounds SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL RETURNING doc",
            )
            .bind(now)
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(doc) = doc else { continue };
            let round: ReportingRound = decode(&doc)?;
            if round.is_cancelled() {
                // Claimed all the same: a cancelled round is never reminded.
                tx.commit().await?;
                continue;
            }
            let submitted: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT v.member, v.commitment_id FROM plan_report_versions v \
                 WHERE v.round_id = $1 AND v.submitted_at IS NOT NULL",
            )
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
            let behind: Vec<MemberCode> = round
                .members
                .iter()
                .filter(|m| {
                    round.commitments.iter().any(|c| {
                        !submitted
                            .iter()
                            .any(|(sm, sc)| sm == m.as_str() && sc == c.as_str())
                    })
                })
                .cloned()
                .collect();
            notify_members(&mut tx, &round, &behind, "round_deadline_near", now).await?;
            audit::append(
                &mut tx,
                &Actor::system("clock").event(
                    "plan.round.remind",
                    format!("round:{id}"),
                    Outcome::Ok,
                    serde_json::json!({ "members": behind.iter().map(|m| m.as_str()).collect::<Vec<_>>() }),
                ),
            )
            .await?;
            tx.commit().await?;
            reminded += behind.len();
        }
        Ok(reminded)
    }
}

/// The round, read by a write that stamps its `updated_at`: the row stays
/// locked until `tx` ends, so changes of one round never interleave.
async fn locked_round(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &RoundId,
    at: i64,
) -> Result<ReportingRound, StoreError> {
    let doc: Option<String> =
        sqlx::query_scalar("UPDATE plan_rounds SET updated_at = $1 WHERE id = $2 RETURNING doc")
            .bind(at)
            .bind(id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    let Some(doc) = doc else {
        return Err(StoreError::NotFound(format!("round {id}")));
    };
    decode(&doc)
}
