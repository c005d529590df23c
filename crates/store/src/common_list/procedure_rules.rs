//! The agreement procedure as data the secretariat edits: the rule new
//! proposals are opened under, the reverse-consensus period of delisting
//! recommendations and the periodic-review interval, in immutable, audited
//! versions. A proposal copies its rule when it opens, so editing the rule
//! never changes a running proposal.

use accord_core::Invalid;
use accord_core::audit::Outcome;
use accord_procedure::{DecisionRule, HoldPolicy, Proposers, Rule, Span};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::{DEFAULT_REVIEW_YEARS, decode, encode};
use crate::{Actor, Store, StoreError, audit, now_ms};

/// The procedure's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcedureSettings {
    /// The rule listing, amendment and delisting proposals are opened under.
    pub rule: Rule,
    /// How long a delisting recommendation of the ombudsperson waits for the
    /// states to keep the listing by consensus (calendar days).
    pub reverse_consensus_days: u32,
    /// Entries not reviewed for this many years are put up for review.
    pub review_years: u32,
}

impl Default for ProcedureSettings {
    /// The built-in default: UN 1267 practice, 60 days, 3 years.
    fn default() -> ProcedureSettings {
        ProcedureSettings {
            rule: Rule::un_1267_default(),
            reverse_consensus_days: 60,
            review_years: DEFAULT_REVIEW_YEARS,
        }
    }
}

impl ProcedureSettings {
    /// The rule a delisting recommendation is put to the states under: the
    /// current rule's deciders, calendar, time zone, reasons and visibility,
    /// decided by reverse consensus within `reverse_consensus_days`, without
    /// holds (a hold would let one state do what needs all of them).
    pub fn delisting_rule(&self) -> Rule {
        let default = Rule::reverse_consensus_default();
        Rule {
            name: format!(
                "Delisting recommendation (reverse consensus, {} days)",
                self.reverse_consensus_days
            ),
            proposers: Proposers {
                members: Default::default(),
                ombudsperson: true,
            },
            decision: DecisionRule::ReverseConsensus,
            period: Span::Days(self.reverse_consensus_days),
            holds: HoldPolicy::not_allowed(),
            reminders: default.reminders,
            ..self.rule.clone()
        }
    }

    /// Checks that both rules can run and the numbers make sense; the
    /// message names the field.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.rule.name.trim().is_empty() || self.rule.name.chars().count() > 200 {
            return Err(Invalid::field("rule.name", "must be 1 to 200 characters"));
        }
        if self.rule.decision == DecisionRule::ReverseConsensus {
            return Err(Invalid::field(
                "rule.decision",
                "reverse consensus is for delisting recommendations; choose no_objection, consensus or qualified_majority",
            ));
        }
        self.rule
            .validate()
            .map_err(|e| Invalid::field("rule", e.to_string()))?;
        if !(1..=3660).contains(&self.reverse_consensus_days) {
            return Err(Invalid::field(
                "reverse_consensus_days",
                "must be between 1 and 3660",
            ));
        }
        if !(1..=20).contains(&self.review_years) {
            return Err(Invalid::field("review_years", "must be between 1 and 20"));
        }
        if self.rule.reminders.iter().any(|&d| d == 0 || d > 260) {
            return Err(Invalid::field(
                "rule.reminders",
                "each must be between 1 and 260 working days",
            ));
        }
        self.delisting_rule()
            .validate()
            .map_err(|e| Invalid::field("reverse_consensus_days", e.to_string()))
    }
}

/// One version of the settings (version 0: the built-in default, never stored).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureVersion {
    pub version: i64,
    pub settings: ProcedureSettings,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: i64,
}

#[derive(FromRow)]
struct Row {
    version: i64,
    settings: String,
    reason: String,
    changed_by: String,
    changed_at: i64,
}

impl TryFrom<Row> for ProcedureVersion {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<ProcedureVersion, StoreError> {
        Ok(ProcedureVersion {
            version: r.version,
            settings: decode(&r.settings)?,
            reason: r.reason,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
        })
    }
}

impl Store {
    /// The settings in force (version 0, the built-in default, until the
    /// secretariat first changes them).
    pub async fn procedure_settings(&self) -> Result<ProcedureVersion, StoreError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT version, settings, reason, changed_by, changed_at FROM procedure_rules \
             ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => r.try_into(),
            None => Ok(ProcedureVersion {
                version: 0,
                settings: ProcedureSettings::default(),
                reason: "built-in default (UN 1267 practice)".into(),
                changed_by: "accord".into(),
                changed_at: 0,
            }),
        }
    }

    /// Every stored version, newest first.
    pub async fn procedure_history(&self) -> Result<Vec<ProcedureVersion>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT version, settings, reason, changed_by, changed_at FROM procedure_rules \
             ORDER BY version DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ProcedureVersion::try_from).collect()
    }

    /// Stores new settings as the next version, if `expected_version` is
    /// still the one in force (409 otherwise, nothing written). Proposals
    /// already open keep their rule; new ones take this one.
    pub async fn update_procedure_settings(
        &self,
        actor: &Actor,
        expected_version: i64,
        settings: ProcedureSettings,
        reason: &str,
    ) -> Result<ProcedureVersion, StoreError> {
        let reason = accord_core::validation::text("reason", reason, true, 2000)?;
        settings.validate()?;
        let mut tx = self.begin().await?;
        let next = expected_version + 1;
        // The write first: the next version, only if the expected one is the
        // latest. Two editors of the same version race for the primary key.
        let inserted = sqlx::query(
            "INSERT INTO procedure_rules (version, settings, reason, changed_by, changed_at) \
             SELECT $1, $2, $3, $4, $5 WHERE $6 = (SELECT COALESCE(MAX(version), 0) FROM procedure_rules)",
        )
        .bind(next)
        .bind(encode(&settings))
        .bind(&reason)
        .bind(&actor.label)
        .bind(now_ms())
        .bind(expected_version)
        .execute(&mut *tx)
        .await;
        let stale = || {
            StoreError::Conflict(format!(
                "the procedure rule was changed since version {expected_version}; reload it and edit again"
            ))
        };
        match inserted {
            Ok(done) if done.rows_affected() == 1 => {}
            Ok(_) => return Err(stale()),
            Err(e) if StoreError::is_unique_violation(&e) => return Err(stale()),
            Err(e) => return Err(e.into()),
        }
        audit::append(
            &mut tx,
            &actor.event(
                "common_list.procedure_rule",
                "procedure",
                Outcome::Ok,
                serde_json::json!({ "version": next, "reason": reason, "settings": settings }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.procedure_settings().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_derives_the_un_delisting_rule() {
        let s = ProcedureSettings::default();
        s.validate().unwrap();
        let d = s.delisting_rule();
        let expected = Rule::reverse_consensus_default();
        assert_eq!(d.decision, expected.decision);
        assert_eq!(d.period, expected.period);
        assert_eq!(d.holds, expected.holds);
        assert_eq!(d.deciders, expected.deciders);
        assert_eq!(d.calendar, expected.calendar);
    }

    #[test]
    fn nonsense_is_refused_naming_the_field() {
        let field = |s: ProcedureSettings| s.validate().unwrap_err().errors[0].field.clone();
        let s = ProcedureSettings {
            review_years: 0,
            ..Default::default()
        };
        assert_eq!(field(s), "review_years");
        let s = ProcedureSettings {
            reverse_consensus_days: 0,
            ..Default::default()
        };
        assert_eq!(field(s), "reverse_consensus_days");
        let mut s = ProcedureSettings::default();
        s.rule.period = Span::WorkingDays(0);
        assert_eq!(field(s), "rule");
        let mut s = ProcedureSettings::default();
        s.rule.decision = DecisionRule::ReverseConsensus;
        assert_eq!(field(s), "rule.decision");
    }
}
