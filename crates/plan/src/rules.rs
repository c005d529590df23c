//! The rules as pure functions: who may draft and submit, who may see what,
//! and the deadline. Time is always passed in (`now`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use accord_core::tlp::Tlp;
use accord_core::{MemberCode, MemberKind, Principal, Role};

use crate::error::PlanError;
use crate::ids::{CommitmentId, UserId};
use crate::round::ReportingRound;

/// A signed-in user acting on reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
    /// The member the user acts for (`None` for the secretariat).
    pub member: Option<MemberCode>,
}

impl Actor {
    pub fn new(user: UserId, role: Role, member: Option<MemberCode>) -> Actor {
        Actor { user, role, member }
    }

    /// The actor behind a principal, or `None` when nobody is signed in.
    pub fn from_principal(p: &Principal) -> Option<Actor> {
        match p {
            Principal::Anonymous => None,
            Principal::User {
                id, member, role, ..
            } => Some(Actor::new(*id, *role, member.clone())),
        }
    }

    pub fn is_secretariat(&self) -> bool {
        self.role == Role::SecretariatAdmin
    }
}

/// Who is looking, as far as TLP is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "viewer", rename_all = "snake_case")]
pub enum Viewer {
    /// Not signed in.
    Anonymous,
    /// A secretariat user: sees every submitted report.
    Secretariat,
    /// A signed-in user of a member (any role).
    Member {
        member: MemberCode,
        kind: MemberKind,
    },
}

impl Viewer {
    /// The viewer behind a principal; `member_kind` is the kind of the
    /// principal's member (looked up by the caller).
    pub fn from_principal(p: &Principal, member_kind: Option<MemberKind>) -> Viewer {
        match p {
            Principal::Anonymous => Viewer::Anonymous,
            _ if p.is_secretariat() => Viewer::Secretariat,
            Principal::User {
                member: Some(m), ..
            } => match member_kind {
                Some(kind) => Viewer::Member {
                    member: m.clone(),
                    kind,
                },
                // A member we cannot classify gets the narrowest audience
                // that still lets them see their own reports.
                None => Viewer::Member {
                    member: m.clone(),
                    kind: MemberKind::PrivateSector,
                },
            },
            // A non-secretariat user without a member should not exist.
            Principal::User { member: None, .. } => Viewer::Anonymous,
        }
    }

    pub fn member(&self) -> Option<&MemberCode> {
        match self {
            Viewer::Member { member, .. } => Some(member),
            _ => None,
        }
    }

    /// Whether this viewer is a user of `member`.
    pub fn is_of(&self, member: &MemberCode) -> bool {
        self.member() == Some(member)
    }
}

/// Whether a submitted report marked `tlp` by `report_member` may be shown to
/// `viewer`. The same answer everywhere: pages, API, matrices, charts, exports.
///
/// | marking | who sees it |
/// | --- | --- |
/// | RED, AMBER+STRICT | the reporting member's users and the secretariat |
/// | AMBER | also the users of the partnership's parties: regional states, partner states, partner organizations |
/// | GREEN | every signed-in user (the community, civil society and private sector included) |
/// | CLEAR | everyone, signed in or not (TLP:CLEAR allows public disclosure) |
///
/// TLP 2.0 lets RED go to named recipients only and AMBER+STRICT stay within
/// the recipient's organization; in Accord the report's recipients are the
/// secretariat, so nobody else sees them. AMBER allows need-to-know sharing,
/// which Accord reads as the parties to the commitments.
pub fn visible_to(report_tlp: Tlp, report_member: &MemberCode, viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Secretariat => true,
        Viewer::Member { member, .. } if member == report_member => true,
        Viewer::Member { kind, .. } => match report_tlp {
            Tlp::Red | Tlp::AmberStrict => false,
            Tlp::Amber => matches!(
                kind,
                MemberKind::RegionalState
                    | MemberKind::PartnerState
                    | MemberKind::PartnerOrganization
            ),
            Tlp::Green | Tlp::Clear => true,
        },
        Viewer::Anonymous => report_tlp == Tlp::Clear,
    }
}

/// Whether a round still takes reports at `now`: until its deadline
/// (inclusive), or at any time while the secretariat has reopened it.
pub fn accepts_reports(round: &ReportingRound, now: OffsetDateTime) -> Result<(), PlanError> {
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
    actor: &Actor,
    report_member: &MemberCode,
    round: &ReportingRound,
    commitment: &CommitmentId,
    now: OffsetDateTime,
) -> Result<(), PlanError> {
    if !matches!(actor.role, Role::Contributor | Role::MemberAdmin) {
        return Err(PlanError::RoleNotAllowed {
            role: actor.role,
            action: "draft a member's report",
        });
    }
    if actor.member.as_ref() != Some(report_member) {
        return Err(PlanError::OtherMember {
            user_member: actor
                .member
                .as_ref()
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
    submitter: &Actor,
    report_member: &MemberCode,
    last_editor: UserId,
    member_user_count: usize,
) -> Result<(), PlanError> {
    if submitter.role != Role::MemberAdmin {
        return Err(PlanError::RoleNotAllowed {
            role: submitter.role,
            action: "submit a member's report",
        });
    }
    if submitter.member.as_ref() != Some(report_member) {
        return Err(PlanError::OtherMember {
            user_member: submitter
                .member
                .as_ref()
                .map_or_else(|| "no member".to_string(), |m| m.to_string()),
            report_member: report_member.clone(),
        });
    }
    if member_user_count >= 2 && last_editor == submitter.user {
        return Err(PlanError::SeparationOfDuties);
    }
    Ok(())
}

/// Reopening or closing a round after its deadline is the secretariat's.
pub fn can_manage_rounds(actor: &Actor) -> Result<(), PlanError> {
    if actor.is_secretariat() {
        Ok(())
    } else {
        Err(PlanError::RoleNotAllowed {
            role: actor.role,
            action: "manage reporting rounds",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn red_and_amber_strict_are_seen_only_by_the_member_and_the_secretariat() {
        for tlp in [Tlp::Red, Tlp::AmberStrict] {
            assert!(visible_to(
                tlp,
                &code("KAZ"),
                &member_viewer("KAZ", MemberKind::RegionalState)
            ));
            assert!(visible_to(tlp, &code("KAZ"), &Viewer::Secretariat));
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
            assert!(!visible_to(tlp, &code("KAZ"), &Viewer::Anonymous));
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
        assert!(!visible_to(Tlp::Amber, &k, &Viewer::Anonymous));
    }

    #[test]
    fn green_is_for_signed_in_users_and_clear_for_everyone() {
        let k = code("KAZ");
        assert!(visible_to(
            Tlp::Green,
            &k,
            &member_viewer("NGO1", MemberKind::CivilSociety)
        ));
        assert!(!visible_to(Tlp::Green, &k, &Viewer::Anonymous));
        assert!(visible_to(Tlp::Clear, &k, &Viewer::Anonymous));
    }

    #[test]
    fn viewer_from_principal_maps_roles() {
        let sec = Principal::User {
            id: 1,
            username: "s".into(),
            member: None,
            role: Role::SecretariatAdmin,
        };
        assert_eq!(Viewer::from_principal(&sec, None), Viewer::Secretariat);
        assert_eq!(
            Viewer::from_principal(&Principal::Anonymous, None),
            Viewer::Anonymous
        );
        let r = Principal::User {
            id: 2,
            username: "r".into(),
            member: Some(code("KAZ")),
            role: Role::Reader,
        };
        assert!(Viewer::from_principal(&r, Some(MemberKind::RegionalState)).is_of(&code("KAZ")));
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
            can_submit(&a, &k, a.user, 2),
            Err(PlanError::SeparationOfDuties)
        );
        assert!(can_submit(&a, &k, 77, 2).is_ok());
        // A member with a single user can still report.
        assert!(can_submit(&a, &k, a.user, 1).is_ok());
    }

    #[test]
    fn only_the_secretariat_manages_rounds() {
        assert!(can_manage_rounds(&secretariat()).is_ok());
        assert!(can_manage_rounds(&admin("KAZ")).is_err());
    }
}
