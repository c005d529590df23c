//! Reporting rounds: which members report on which commitments, for what
//! period and by when.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use accord_core::validation::{Collector, text};
use accord_core::{Invalid, MemberCode, MemberKind};

use crate::error::PlanError;
use crate::framework::Catalogue;
use crate::ids::{CommitmentId, RoundId};
use crate::rules::can_manage_rounds;
use crate::serde_time;
use accord_core::Principal;

/// The period a round reports on (inclusive dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    #[serde(with = "serde_time::date")]
    pub start: Date,
    #[serde(with = "serde_time::date")]
    pub end: Date,
}

/// A reporting round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingRound {
    pub id: RoundId,
    pub name: String,
    pub period: Period,
    /// Reports are taken until this instant (inclusive).
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// The commitments in scope, in catalogue order.
    pub commitments: Vec<CommitmentId>,
    /// The members asked to report, sorted.
    pub members: Vec<MemberCode>,
    /// Set by the secretariat to take reports after the deadline.
    pub reopened: bool,
}

impl ReportingRound {
    /// Reopens (`true`) or closes (`false`) the round to late reports;
    /// secretariat only. Returns the changed round, leaving `self` as it was.
    pub fn with_reopened(
        &self,
        actor: &Principal,
        reopened: bool,
    ) -> Result<ReportingRound, PlanError> {
        can_manage_rounds(actor)?;
        Ok(ReportingRound {
            reopened,
            ..self.clone()
        })
    }

    /// Whether it takes reports at `now` (see [`crate::rules::accepts_reports`]).
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        crate::rules::accepts_reports(self, now).is_ok()
    }

    /// The order of rounds in time: by period, then deadline, then id.
    pub fn chronological_key(&self) -> (Date, Date, OffsetDateTime, &RoundId) {
        (self.period.end, self.period.start, self.deadline, &self.id)
    }
}

/// The rounds sorted in time (see [`ReportingRound::chronological_key`]).
pub fn chronological(rounds: &[ReportingRound]) -> Vec<&ReportingRound> {
    let mut v: Vec<_> = rounds.iter().collect();
    v.sort_by(|a, b| a.chronological_key().cmp(&b.chronological_key()));
    v
}

/// The round just before `round` in time, for "change since the previous round".
pub fn previous_round<'a>(
    rounds: &'a [ReportingRound],
    round: &RoundId,
) -> Option<&'a ReportingRound> {
    let ordered = chronological(rounds);
    let at = ordered.iter().position(|r| &r.id == round)?;
    at.checked_sub(1).map(|i| ordered[i])
}

/// The members a round would ask by default: every member of a kind that at
/// least one commitment in scope applies to.
pub fn default_members(
    catalogue: &Catalogue,
    commitments: &[CommitmentId],
    members: &[(MemberCode, MemberKind)],
) -> Vec<MemberCode> {
    let mut out: Vec<MemberCode> = members
        .iter()
        .filter(|(_, kind)| {
            commitments
                .iter()
                .filter_map(|c| catalogue.commitment(c))
                .any(|c| c.applies_to.includes(*kind))
        })
        .map(|(m, _)| m.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A round the secretariat creates, validated against the catalogue and the
/// member directory. All bad fields are reported at once.
#[derive(Debug, Clone, Default)]
pub struct NewRound<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub period_start: &'a str,
    pub period_end: &'a str,
    /// `YYYY-MM-DD` (end of that day, UTC) or RFC 3339.
    pub deadline: &'a str,
    pub commitments: &'a [&'a str],
    pub members: &'a [&'a str],
}

impl NewRound<'_> {
    /// `known_members` are the member codes in the directory.
    pub fn validate(
        &self,
        actor: &Principal,
        catalogue: &Catalogue,
        known_members: &[MemberCode],
    ) -> Result<ReportingRound, PlanError> {
        can_manage_rounds(actor)?;
        let mut c = Collector::default();
        let id = c.check(RoundId::parse(self.id).map_err(|_| {
            Invalid::field(
                "id",
                "must be a slug such as 2015-unga (lower-case, digits, '-', '.')",
            )
        }));
        let name = c.check(text("name", self.name, true, 200));
        let start = c.check(serde_time::parse_date("period_start", self.period_start));
        let end = c.check(serde_time::parse_date("period_end", self.period_end));
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            c.push("period_end", "must not be before period_start");
        }
        let deadline = c.check(serde_time::parse_instant("deadline", self.deadline));
        let mut ids = Vec::new();
        for raw in self.commitments.iter().filter(|s| !s.trim().is_empty()) {
            match CommitmentId::parse(raw) {
                Ok(id) if catalogue.commitment(&id).is_some() => ids.push(id),
                _ => c.push(
                    "commitments",
                    format!("{:?} is not a known commitment", raw.trim()),
                ),
            }
        }
        if self.commitments.iter().all(|s| s.trim().is_empty()) {
            c.push("commitments", "choose at least one commitment");
        }
        let mut members = Vec::new();
        for raw in self.members.iter().filter(|s| !s.trim().is_empty()) {
            match MemberCode::parse(raw) {
                Ok(m) if known_members.contains(&m) => members.push(m),
                _ => c.push("members", format!("{:?} is not a known member", raw.trim())),
            }
        }
        if self.members.iter().all(|s| s.trim().is_empty()) {
            c.push("members", "choose at least one member");
        }
        c.finish()?;
        // Catalogue order for commitments, sorted codes for members.
        let commitments = catalogue
            .commitments()
            .iter()
            .map(|c| &c.id)
            .filter(|id| ids.contains(id))
            .cloned()
            .collect();
        members.sort();
        members.dedup();
        Ok(ReportingRound {
            id: id.expect("checked"),
            name: name.expect("checked"),
            period: Period {
                start: start.expect("checked"),
                end: end.expect("checked"),
            },
            deadline: deadline.expect("checked"),
            commitments,
            members,
            reopened: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use time::macros::datetime;

    fn known() -> Vec<MemberCode> {
        ["KAZ", "KGZ", "USA"].map(code).to_vec()
    }

    #[test]
    fn a_valid_round_keeps_catalogue_order_and_sorts_members() {
        let cat = crate::seed::catalogue();
        let r = NewRound {
            id: "2015-unga",
            name: "Before the CVE leaders' summit",
            period_start: "2015-07-01",
            period_end: "2015-09-15",
            deadline: "2015-09-15",
            commitments: &["astana2015.step.2", "astana2015.step.1"],
            members: &["kgz", "KAZ"],
        }
        .validate(&secretariat(), &cat, &known())
        .unwrap();
        assert_eq!(r.commitments[0].as_str(), "astana2015.step.1");
        assert_eq!(r.members, [code("KAZ"), code("KGZ")]);
        assert_eq!(r.deadline, datetime!(2015-09-15 23:59:59 UTC));
        assert!(!r.reopened);
    }

    #[test]
    fn a_bad_round_names_every_bad_field() {
        let cat = crate::seed::catalogue();
        let e = NewRound {
            id: "Round 1",
            name: "",
            period_start: "2015-09-30",
            period_end: "2015-07-01",
            deadline: "soon",
            commitments: &["astana2015.step.99"],
            members: &["ATLANTIS"],
        }
        .validate(&secretariat(), &cat, &known())
        .unwrap_err();
        let PlanError::Invalid(inv) = e else {
            panic!("{e:?}")
        };
        let fields: Vec<_> = inv.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "id",
                "name",
                "period_end",
                "deadline",
                "commitments",
                "members"
            ]
        );
    }

    #[test]
    fn only_the_secretariat_creates_and_reopens_rounds() {
        let cat = crate::seed::catalogue();
        let new = NewRound {
            id: "r1",
            name: "R",
            period_start: "2015-07-01",
            period_end: "2015-09-15",
            deadline: "2015-09-15",
            commitments: &["astana2015.step.1"],
            members: &["KAZ"],
        };
        assert!(matches!(
            new.validate(&admin("KAZ"), &cat, &known()),
            Err(PlanError::RoleNotAllowed { .. })
        ));
        let r = round();
        assert!(r.with_reopened(&admin("KAZ"), true).is_err());
        let late = r.deadline + time::Duration::days(1);
        assert!(!r.is_open(late));
        assert!(r.with_reopened(&secretariat(), true).unwrap().is_open(late));
    }

    #[test]
    fn previous_round_follows_the_periods() {
        let mut a = round();
        a.id = RoundId::parse("2016").unwrap();
        a.period.end = a.period.end.replace_year(2016).unwrap();
        let b = round();
        let rounds = [a.clone(), b.clone()];
        assert_eq!(previous_round(&rounds, &a.id).unwrap().id, b.id);
        assert!(previous_round(&rounds, &b.id).is_none());
    }

    #[test]
    fn default_members_follow_applies_to() {
        let cat = crate::seed::catalogue();
        let dir = [
            (code("KAZ"), MemberKind::RegionalState),
            (code("USA"), MemberKind::PartnerState),
            (code("OSCE"), MemberKind::PartnerOrganization),
            (code("NGO1"), MemberKind::CivilSociety),
        ];
        // Step 1 is for the regional states only.
        assert_eq!(default_members(&cat, &[step(1)], &dir), [code("KAZ")]);
        // Step 6 adds the organizations.
        assert_eq!(
            default_members(&cat, &[step(1), step(6)], &dir),
            [code("KAZ"), code("OSCE")]
        );
    }
}
