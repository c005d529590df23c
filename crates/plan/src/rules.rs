//! The rules as pure functions: who may draft and submit, who may see what,
//! and the deadline. Time is always passed in (`now`).

use time::OffsetDateTime;

use accord_core::tlp::Tlp;
use accord_core::{Distribution, MemberCode, Principal, Role, may_see};

use crate::error::PlanError;
use crate::ids::{CommitmentId, UserId};
use crate::round::ReportingRound;

/// Where members' reports and strategies are shared: the whole partnership,
/// so that their marking alone decides who sees them (see
/// [`accord_core::may_see`] for what each marking opens).
pub const REPORT_DISTRIBUTION: Distribution = Distribution::Platform;

/// The signed-in user behind `who` and their role, or [`PlanError::NotSignedIn`].
pub(crate) fn acting_user(who: &Principal) -> Result<(UserId, Role), PlanError> {
    match (who.user_id(), who.role()) {
        (Some(id), Some(role)) => Ok((id, role)),
        _ => Err(PlanError::NotSignedIn),
    }
}

/// Whether a submitted report marked `report_tlp` by `report_member` may be
/// shown to `viewer`: the one visibility rule, with the reports'
/// distribution. The same answer everywhere: pages, API, matrices, charts,
/// exports.
///
/// | marking | who sees it |
/// | --- | --- |
/// | RED, AMBER+STRICT | the reporting member's users and the secretariat |
/// | AMBER | also the users of the partnership's parties: regional states, partner states, partner organizations |
/// | GREEN | every signed-in user (the community, civil society and private sector included) |
/// | CLEAR | everyone, signed in or not (TLP:CLEAR allows public disclosure) |
pub fn visible_to(report_tlp: Tlp, report_member: &MemberCode, viewer: &Principal) -> bool {
    may_see(
        viewer,
        report_tlp,
        Some(report_member),
        &REPORT_DISTRIBUTION,
    )
}

/// Whether `viewer` may know that `report_member` submitted a report, when
/// [`visible_to`] keeps its content (status, narrative, evidence) from them.
///
/// The decision: the round is public (who is asked to report on what, by
/// when), and whether a member met that obligation is the tracker's record
/// of the partnership's accountability, not part of what the report says;
/// the TLP marking protects the content. So every viewer of the round may
/// know a report exists, and it is shown as "reported (restricted)": saying
/// "not reported" of a state that did report would be false, and it is what
/// members complained of. Asked through [`may_see`] like every visibility
/// question, as the TLP:CLEAR fact of the partnership it is, so that
/// tightening it is a change of this one line.
pub fn may_know_reported(report_member: &MemberCode, viewer: &Principal) -> bool {
    may_see(
        viewer,
        Tlp::Clear,
        Some(report_member),
        &REPORT_DISTRIBUTION,
    )
}

/// Whether a round still takes reports at `now`: until its deadline
/// (inclusive), or at any time while the secretariat has reopened it; never
/// once it was cancelled.
pub fn accepts_reports(round: &ReportingRound, now: OffsetDateTime) -> Result<(), PlanError> {
    round.not_cancelled()?;
    if now <= round.deadline || round.reopened {
        Ok(())
    } else {
        Err(PlanError::DeadlinePassed {
            round: round.id.clone(),
            deadline: round.deadline,
        })
    }
}

/// Whether `actor` may create or edit a draft report of `report_member` on
/// `commitment` in `round` at `now`. Checks, in order: the role drafts
/// (contributor or member administrator: readers and the secretariat do not),
/// the actor acts for that member, the member is asked in the round, the
/// commitment is in its scope, and the deadline (unless reopened).
pub fn can_draft(
    actor: &Principal,
    report_member: &MemberCode,
    round: &ReportingRound,
    commitment: &CommitmentId,
    now: OffsetDateTime,
) -> Result<(), PlanError> {
    let (_, role) = acting_user(actor)?;
    if !matches!(role, Role::Contributor | Role::MemberAdmin) {
        return Err(PlanError::RoleNotAllowed {
            role,
            action: "draft a member's report",
        });
    }
    if !actor.is_of(report_member) {
        return Err(PlanError::OtherMember {
            user_member: actor
                .member()
                .map_or_else(|| "no member".to_string(), |m| m.to_string()),
            report_member: report_member.clone(),
        });
    }
    if !round.members.contains(report_member) {
        return Err(PlanError::MemberNotAsked {
            round: round.id.clone(),
            member: report_member.clone(),
        });
    }
    if !round.commitments.contains(commitment) {
        return Err(PlanError::CommitmentNotInRound {
            round: round.id.clone(),
            commitment: commitment.clone(),
        });
    }
    accepts_reports(round, now)
}

/// Whether `submitter` may submit a draft of `report_member` whose last change
/// was made by `last_editor`.
///
/// Only the member's administrator submits. Separation of duties: when the
/// member has two or more users who can draft or submit
/// (`member_user_count`: enabled contributors and member administrators; the
/// storage layer counts them), someone other than the submitter must have
/// made the last change, so no report goes out on one person's say (an
/// administrator who rewrites a colleague's draft needs the colleague to
/// save it again before submitting).
/// Readers are not counted: a member with one administrator and one reader
/// has nobody to share the work with, and must still be able to report.
pub fn can_submit(
    submitter: &Principal,
    report_member: &MemberCode,
    last_editor: UserId,
    member_user_count: usize,
) -> Result<(), PlanError> {
    let (user, role) = acting_user(submitter)?;
    if role != Role::MemberAdmin {
        return Err(PlanError::RoleNotAllowed {
            role,
            action: "submit a member's report",
        });
    }
    if !submitter.is_of(report_member) {
        return Err(PlanError::OtherMember {
            user_member: submitter
                .member()
                .map_or_else(|| "no member".to_string(), |m| m.to_string()),
            report_member: report_member.clone(),
        });
    }
    if member_user_count >= 2 && last_editor == user {
        return Err(PlanError::SeparationOfDuties);
    }
    Ok(())
}

/// Reopening or closing a round after its deadline is the secretariat's.
pub fn can_manage_rounds(actor: &Principal) -> Result<(), PlanError> {
    let (_, role) = acting_user(actor)?;
    if actor.is_secretariat() {
        Ok(())
    } else {
        Err(PlanError::RoleNotAllowed {
            role,
            action: "manage reporting rounds",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use accord_core::MemberKind;

    #[test]
    fn red_and_amber_strict_are_seen_only_by_the_member_and_the_secretariat() {
        for tlp in [Tlp::Red, Tlp::AmberStrict] {
            assert!(visible_to(
                tlp,
                &code("KAZ"),
                &member_viewer("KAZ", MemberKind::RegionalState)
            ));
            assert!(visible_to(tlp, &code("KAZ"), &secretariat()));
            assert!(!visible_to(
                tlp,
                &code("KAZ"),
                &member_viewer("KGZ", MemberKind::RegionalState)
            ));
            assert!(!visible_to(
                tlp,
                &code("KAZ"),
                &member_viewer("USA", MemberKind::PartnerState)
            ));
            assert!(!visible_to(tlp, &code("KAZ"), &Principal::Anonymous));
        }
    }

    #[test]
    fn amber_reaches_the_parties_but_not_civil_society() {
        let k = code("KAZ");
        assert!(visible_to(
            Tlp::Amber,
            &k,
            &member_viewer("USA", MemberKind::PartnerState)
        ));
        assert!(visible_to(
            Tlp::Amber,
            &k,
            &member_viewer("OSCE", MemberKind::PartnerOrganization)
        ));
        assert!(!visible_to(
            Tlp::Amber,
            &k,
            &member_viewer("NGO1", MemberKind::CivilSociety)
        ));
        assert!(!visible_to(Tlp::Amber, &k, &Principal::Anonymous));
    }

    #[test]
    fn green_is_for_signed_in_users_and_clear_for_everyone() {
        let k = code("KAZ");
        assert!(visible_to(
            Tlp::Green,
            &k,
            &member_viewer("NGO1", MemberKind::CivilSociety)
        ));
        assert!(!visible_to(Tlp::Green, &k, &Principal::Anonymous));
        assert!(visible_to(Tlp::Clear, &k, &Principal::Anonymous));
    }

    #[test]
    fn drafting_is_refused_for_readers_the_secretariat_and_other_members() {
        let r = round();
        let c = step(1);
        let t = before_deadline();
        assert!(can_draft(&contributor("KAZ"), &code("KAZ"), &r, &c, t).is_ok());
        assert!(can_draft(&admin("KAZ"), &code("KAZ"), &r, &c, t).is_ok());
        assert!(matches!(
            can_draft(&reader("KAZ"), &code("KAZ"), &r, &c, t),
            Err(PlanError::RoleNotAllowed { .. })
        ));
        assert!(matches!(
            can_draft(&secretariat(), &code("KAZ"), &r, &c, t),
            Err(PlanError::RoleNotAllowed { .. })
        ));
        let e = can_draft(&contributor("KGZ"), &code("KAZ"), &r, &c, t).unwrap_err();
        assert!(matches!(e, PlanError::OtherMember { .. }));
        assert_eq!(e.field(), Some("member"));
    }

    #[test]
    fn drafting_outside_the_round_is_refused() {
        let r = round();
        let t = before_deadline();
        let e = can_draft(&contributor("KAZ"), &code("KAZ"), &r, &conclusion(1), t).unwrap_err();
        assert!(matches!(e, PlanError::CommitmentNotInRound { .. }));
        assert_eq!(e.field(), Some("commitment"));
        assert!(matches!(
            can_draft(&contributor("USA"), &code("USA"), &r, &step(1), t),
            Err(PlanError::MemberNotAsked { .. })
        ));
    }

    #[test]
    fn drafting_after_the_deadline_is_refused_unless_reopened() {
        let mut r = round();
        let late = r.deadline + time::Duration::seconds(1);
        assert!(can_draft(&contributor("KAZ"), &code("KAZ"), &r, &step(1), r.deadline).is_ok());
        assert!(matches!(
            can_draft(&contributor("KAZ"), &code("KAZ"), &r, &step(1), late),
            Err(PlanError::DeadlinePassed { .. })
        ));
        r.reopened = true;
        assert!(can_draft(&contributor("KAZ"), &code("KAZ"), &r, &step(1), late).is_ok());
    }

    #[test]
    fn submitting_needs_the_members_admin() {
        let k = code("KAZ");
        assert!(matches!(
            can_submit(&contributor("KAZ"), &k, 1, 3),
            Err(PlanError::RoleNotAllowed { .. })
        ));
        assert!(matches!(
            can_submit(&admin("KGZ"), &k, 1, 3),
            Err(PlanError::OtherMember { .. })
        ));
        assert!(matches!(
            can_submit(&secretariat(), &k, 1, 3),
            Err(PlanError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn the_drafter_cannot_be_the_only_approver_when_the_member_has_two_users() {
        let a = admin("KAZ");
        let k = code("KAZ");
        assert_eq!(
            can_submit(&a, &k, a.user_id().unwrap(), 2),
            Err(PlanError::SeparationOfDuties)
        );
        assert!(can_submit(&a, &k, 77, 2).is_ok());
        // A member with a single user can still report.
        assert!(can_submit(&a, &k, a.user_id().unwrap(), 1).is_ok());
    }

    #[test]
    fn only_the_secretariat_manages_rounds() {
        assert!(can_manage_rounds(&secretariat()).is_ok());
        assert!(can_manage_rounds(&admin("KAZ")).is_err());
    }
}
