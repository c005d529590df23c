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
    /// Set when the secretariat cancelled a round opened by mistake. The
    /// round is kept (its id stays taken, so the audit trail of
    /// `round:{id}` names one round only, and the members' notices still
    /// lead to a page that says what happened) but takes no reports and
    /// counts in no progress, chart or comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Cancellation>,
}

/// Who cancelled a round and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by: String,
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
        self.not_cancelled()?;
        Ok(ReportingRound {
            reopened,
            ..self.clone()
        })
    }

    /// Cancels a round opened by mistake (secretariat only), while no report
    /// has been submitted in it: `submitted_reports` counts the submitted
    /// versions, which the storage layer reads in the same transaction. A
    /// submitted report is a member's statement on the record; cancelling
    /// its round would withdraw it from every view behind the member's back.
    /// Returns the cancelled round, leaving `self` as it was.
    pub fn cancel(
        &self,
        actor: &Principal,
        submitted_reports: usize,
        now: OffsetDateTime,
    ) -> Result<ReportingRound, PlanError> {
        can_manage_rounds(actor)?;
        self.not_cancelled()?;
        if !self.is_open(now) {
            return Err(PlanError::CancelAfterDeadline {
                round: self.id.clone(),
            });
        }
        if submitted_reports > 0 {
            return Err(PlanError::ReportsSubmitted {
                round: self.id.clone(),
                count: submitted_reports,
            });
        }
        Ok(ReportingRound {
            cancelled: Some(Cancellation {
                at: now,
                by: actor.label(),
            }),
            ..self.clone()
        })
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.is_some()
    }

    /// [`PlanError::RoundCancelled`] for a cancelled round.
    pub(crate) fn not_cancelled(&self) -> Result<(), PlanError> {
        match self.cancelled {
            Some(_) => Err(PlanError::RoundCancelled {
                round: self.id.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Whether it takes reports at `now` (see [`crate::rules::accepts_reports`]).
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        crate::rules::accepts_reports(self, now).is_ok()
    }

    /// Where the round stands at `now`, for its badge and for what a missing
    /// report means: still awaited while it takes reports, missing after.
    pub fn state(&self, now: OffsetDateTime) -> RoundState {
        if self.is_cancelled() {
            RoundState::Cancelled
        } else if self.reopened {
            RoundState::Reopened
        } else if now <= self.deadline {
            RoundState::Open
        } else {
            RoundState::Closed
        }
    }

    /// The order of rounds in time: by period, then deadline, then id.
    pub fn chronological_key(&self) -> (Date, Date, OffsetDateTime, &RoundId) {
        (self.period.end, self.period.start, self.deadline, &self.id)
    }
}

/// Where a round stands (see [`ReportingRound::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    /// Takes reports until its deadline.
    Open,
    /// Past its deadline, and reopened by the secretariat to late reports.
    Reopened,
    /// Past its deadline: takes no more reports.
    Closed,
    /// Cancelled by the secretariat: never took place.
    Cancelled,
}

impl RoundState {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundState::Open => "open",
            RoundState::Reopened => "reopened",
            RoundState::Closed => "closed",
            RoundState::Cancelled => "cancelled",
        }
    }

    /// Whether the round takes reports, so a missing one is still awaited.
    pub fn takes_reports(self) -> bool {
        matches!(self, RoundState::Open | RoundState::Reopened)
    }
}

/// The rounds that took place, sorted in time (see
/// [`ReportingRound::chronological_key`]). Cancelled rounds are left out:
/// they never took place, so they are nobody's "previous round" and no
/// point of a series over rounds.
pub fn chronological(rounds: &[ReportingRound]) -> Vec<&ReportingRound> {
    let mut v: Vec<_> = rounds.iter().filter(|r| !r.is_cancelled()).collect();
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
    /// `known_members` are the member codes in the directory; `now` is the
    /// server's clock. A deadline already past, or before the period it
    /// reports on has ended, is refused: such a round would open closed (or
    /// ask for reports on days still to come), notify every member asked,
    /// and take no report.
    pub fn validate(
        &self,
        actor: &Principal,
        catalogue: &Catalogue,
        known_members: &[MemberCode],
        now: OffsetDateTime,
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
        if let Some(d) = deadline {
            if d <= now {
                c.push(
                    "deadline",
                    "is in the past: the round would open already closed; choose a later deadline",
                );
            } else if let Some(e) = end
                && d.to_offset(time::UtcOffset::UTC).date() < e
            {
                // The period's last day is inclusive: a deadline on that day
                // is allowed (members report at the close of the period).
                c.push("deadline", "must not be before the end of the period");
            }
        }
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
            cancelled: None,
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

    /// When these rounds are opened: before their periods end.
    fn opened() -> OffsetDateTime {
        datetime!(2015-07-01 09:00 UTC)
    }

    fn with_deadline<'a>(deadline: &'a str) -> NewRound<'a> {
        NewRound {
            id: "2015-unga",
            name: "Before the CVE leaders' summit",
            period_start: "2015-07-01",
            period_end: "2015-09-15",
            deadline,
            commitments: &["astana2015.step.1"],
            members: &["KAZ"],
        }
    }

    fn deadline_error(new: &NewRound, now: OffsetDateTime) -> Option<String> {
        let cat = crate::seed::catalogue();
        match new.validate(&secretariat(), &cat, &known(), now) {
            Ok(_) => None,
            Err(PlanError::Invalid(inv)) => inv
                .errors
                .iter()
                .find(|e| e.field == "deadline")
                .map(|e| e.message.clone()),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_round_whose_deadline_has_passed_is_refused_as_it_would_open_closed() {
        let now = datetime!(2015-09-16 08:00 UTC);
        let e = deadline_error(&with_deadline("2015-09-15"), now).unwrap();
        assert!(e.contains("in the past"), "{e}");
        // The deadline is the clock's question, not the period's: the same
        // round opened before its deadline is accepted.
        assert_eq!(deadline_error(&with_deadline("2015-09-15"), opened()), None);
        // To the second: a deadline equal to now has passed too.
        let now = datetime!(2015-09-15 23:59:59 UTC);
        assert!(deadline_error(&with_deadline("2015-09-15T23:59:59Z"), now).is_some());
    }

    #[test]
    fn a_round_whose_deadline_comes_before_its_period_ends_is_refused() {
        let e = deadline_error(&with_deadline("2015-08-31"), opened()).unwrap();
        assert_eq!(e, "must not be before the end of the period");
        // The period's last day itself is a deadline members can meet.
        assert_eq!(
            deadline_error(&with_deadline("2015-09-15T12:00:00Z"), opened()),
            None
        );
    }

    #[test]
    fn a_round_is_cancelled_by_the_secretariat_only_while_nothing_was_submitted() {
        let r = round();
        let now = before_deadline();
        assert!(matches!(
            r.cancel(&admin("KAZ"), 0, now),
            Err(PlanError::RoleNotAllowed { .. })
        ));
        assert_eq!(
            r.cancel(&secretariat(), 2, now),
            Err(PlanError::ReportsSubmitted {
                round: r.id.clone(),
                count: 2
            })
        );
        // Past its deadline, the round is the record of who did not report.
        assert_eq!(
            r.cancel(&secretariat(), 0, r.deadline + time::Duration::seconds(1)),
            Err(PlanError::CancelAfterDeadline {
                round: r.id.clone()
            })
        );
        let cancelled = r.cancel(&secretariat(), 0, now).unwrap();
        assert!(!r.is_cancelled(), "the round itself is left as it was");
        assert_eq!(
            cancelled.cancelled,
            Some(Cancellation {
                at: now,
                by: "secretariat".into()
            })
        );
        assert_eq!(cancelled.state(now), RoundState::Cancelled);
        // A cancelled round takes no report, is not reopened nor cancelled again.
        assert!(!cancelled.is_open(now));
        assert!(matches!(
            crate::rules::can_draft(&contributor("KAZ"), &code("KAZ"), &cancelled, &step(1), now),
            Err(PlanError::RoundCancelled { .. })
        ));
        assert!(matches!(
            cancelled.with_reopened(&secretariat(), true),
            Err(PlanError::RoundCancelled { .. })
        ));
        assert!(matches!(
            cancelled.cancel(&secretariat(), 0, now),
            Err(PlanError::RoundCancelled { .. })
        ));
        // It survives storage as JSON; an old round without the field reads as not cancelled.
        let json = serde_json::to_string(&cancelled).unwrap();
        assert_eq!(
            serde_json::from_str::<ReportingRound>(&json).unwrap(),
            cancelled
        );
        assert!(!serde_json::to_string(&r).unwrap().contains("cancelled"));
    }

    #[test]
    fn a_cancelled_round_is_nobodys_previous_round() {
        let mut a = round();
        a.id = RoundId::parse("2016").unwrap();
        a.period.end = a.period.end.replace_year(2016).unwrap();
        let b = round()
            .cancel(&secretariat(), 0, before_deadline())
            .unwrap();
        let rounds = [a.clone(), b.clone()];
        assert!(previous_round(&rounds, &a.id).is_none());
        assert_eq!(chronological(&rounds).len(), 1);
    }

    #[test]
    fn a_round_is_open_until_its_deadline_then_closed_unless_reopened() {
        let r = round();
        assert_eq!(r.state(r.deadline), RoundState::Open);
        let late = r.deadline + time::Duration::seconds(1);
        assert_eq!(r.state(late), RoundState::Closed);
        assert!(!r.state(late).takes_reports());
        let reopened = r.with_reopened(&secretariat(), true).unwrap();
        assert_eq!(reopened.state(late), RoundState::Reopened);
        assert!(reopened.state(late).takes_reports());
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
        .validate(&secretariat(), &cat, &known(), opened())
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
        .validate(&secretariat(), &cat, &known(), opened())
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
            new.validate(&admin("KAZ"), &cat, &known(), opened()),
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
