//! The one access check. Every page, API route, export and download asks
//! [`authorize`] before it reads or writes anything.

use serde::Serialize;

use crate::member::MemberCode;
use crate::user::Role;

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    Anonymous,
    User {
        id: i64,
        username: String,
        member: Option<MemberCode>,
        role: Role,
    },
}

impl Principal {
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Principal::User { id, .. } => Some(*id),
            Principal::Anonymous => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User { role, .. } => Some(*role),
            Principal::Anonymous => None,
        }
    }

    pub fn member(&self) -> Option<&MemberCode> {
        match self {
            Principal::User { member, .. } => member.as_ref(),
            Principal::Anonymous => None,
        }
    }

    /// A short label for the audit log.
    pub fn label(&self) -> String {
        match self {
            Principal::Anonymous => "anonymous".into(),
            Principal::User { username, .. } => username.clone(),
        }
    }

    pub fn is_secretariat(&self) -> bool {
        self.role() == Some(Role::SecretariatAdmin)
    }

    fn is_admin_of(&self, member: &MemberCode) -> bool {
        self.is_secretariat()
            || (self.role() == Some(Role::MemberAdmin) && self.member() == Some(member))
    }
}

/// Everything a principal may ask to do. New capabilities add variants here,
/// so the rules stay in one reviewable place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The member directory is public, as the conference report is.
    ViewMembers,
    AddMember,
    /// Focal points are personal data: only signed-in users of members.
    ViewFocalPoints {
        member: MemberCode,
    },
    EditFocalPoints {
        member: MemberCode,
    },
    ViewUsers,
    ManageUsers {
        member: Option<MemberCode>,
    },
    ManageOwnTokens,
    ViewAuditLog,
    ViewApiDocs,
    /// Screening names against the lists: signed-in users (people and machines).
    Screen,
    /// The reference lists' versions and import reports: signed-in users.
    ViewReferenceLists,
    /// Importing a new version of a reference list: the secretariat.
    ImportReferenceLists,
    /// The Joint Plan's frameworks and commitments, reporting rounds,
    /// progress and strategies: public, as the report is; what each viewer
    /// sees of members' reports is then decided by their TLP marking.
    ViewCommitments,
    /// Opening and reopening reporting rounds, adding frameworks, pillars
    /// and commitments: the secretariat.
    ManagePlan,
    /// Drafting and correcting a member's reports: its contributors and
    /// administrators.
    DraftReport {
        member: MemberCode,
    },
    /// Submitting a member's report: its administrators.
    SubmitReport {
        member: MemberCode,
    },
    /// The member's register of national strategies: its contributors and
    /// administrators, and the secretariat.
    EditStrategies {
        member: MemberCode,
    },
    /// The published common list, its versions and exports: public.
    ViewPublishedList,
    /// Proposals and their status: users of members and the secretariat.
    ViewProposals,
    /// Proposing to list, amend or delist: members' administrators and
    /// contributors (the procedure's rule then says which members may).
    Propose,
    /// Deciding on a proposal for one's state: members' administrators (the
    /// rule says which states decide).
    Decide,
    /// A statement of case marked RED or AMBER+STRICT, outside the proposing
    /// member: nobody but the secretariat.
    ReadRestrictedStatement,
    /// Petitioning for delisting and following a petition: anyone, no account.
    Petition,
    /// Reading petitions (personal data) and recommending: the ombudsperson.
    ReviewPetitions,
    /// Merging two subjects of the common list, or undoing a merge: the secretariat.
    MergeSubjects,
    /// Changing the agreement procedure's rule (new proposals take it): the secretariat.
    EditProcedureRule,
}

impl Action {
    /// A stable name for the audit log and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Action::ViewMembers => "members.view",
            Action::AddMember => "members.add",
            Action::ViewFocalPoints { .. } => "focal_points.view",
            Action::EditFocalPoints { .. } => "focal_points.edit",
            Action::ViewUsers => "users.view",
            Action::ManageUsers { .. } => "users.manage",
            Action::ManageOwnTokens => "tokens.manage",
            Action::ViewAuditLog => "audit.view",
            Action::ViewApiDocs => "api_docs.view",
            Action::Screen => "screening.run",
            Action::ViewReferenceLists => "reference_lists.view",
            Action::ImportReferenceLists => "reference_lists.import",
            Action::ViewCommitments => "commitments.view",
            Action::ManagePlan => "plan.manage",
            Action::DraftReport { .. } => "plan.reports.draft",
            Action::SubmitReport { .. } => "plan.reports.submit",
            Action::EditStrategies { .. } => "plan.strategies.edit",
            Action::ViewPublishedList => "list.view",
            Action::ViewProposals => "proposals.view",
            Action::Propose => "proposals.create",
            Action::Decide => "proposals.decide",
            Action::ReadRestrictedStatement => "proposals.statement.read",
            Action::Petition => "petitions.public",
            Action::ReviewPetitions => "petitions.review",
            Action::MergeSubjects => "subjects.merge",
            Action::EditProcedureRule => "procedure.edit",
        }
    }
}

/// Why an action was refused; the web layer maps it to 401 or 403.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("sign in to do this")]
    NotSignedIn,
    #[error("you do not have permission to do this")]
    Forbidden,
}

/// Decides whether `who` may perform `action`.
pub fn authorize(who: &Principal, action: &Action) -> Result<(), Denied> {
    let allowed = match action {
        Action::ViewMembers
        | Action::ViewApiDocs
        | Action::ViewCommitments
        | Action::ViewPublishedList
        | Action::Petition => {
            return Ok(());
        }
        _ if *who == Principal::Anonymous => return Err(Denied::NotSignedIn),
        Action::AddMember
        | Action::ViewAuditLog
        | Action::ImportReferenceLists
        | Action::MergeSubjects
        | Action::EditProcedureRule
        | Action::ManagePlan => who.is_secretariat(),
        Action::DraftReport { member } => {
            who.member() == Some(member)
                && matches!(who.role(), Some(Role::MemberAdmin | Role::Contributor))
        }
        Action::SubmitReport { member } => {
            who.member() == Some(member) && who.role() == Some(Role::MemberAdmin)
        }
        Action::EditStrategies { member } => {
            who.is_secretariat()
                || (who.member() == Some(member)
                    && matches!(who.role(), Some(Role::MemberAdmin | Role::Contributor)))
        }
        Action::ViewFocalPoints { .. } => who.member().is_some() || who.is_secretariat(),
        Action::EditFocalPoints { member } => who.is_admin_of(member),
        Action::ViewUsers => matches!(who.role(), Some(Role::SecretariatAdmin | Role::MemberAdmin)),
        Action::ManageUsers { member } => match member {
            Some(m) => who.is_admin_of(m),
            None => who.is_secretariat(),
        },
        Action::ManageOwnTokens | Action::Screen | Action::ViewReferenceLists => true,
        Action::ViewProposals => {
            who.member().is_some() || who.is_secretariat() || who.role() == Some(Role::Ombudsperson)
        }
        Action::Propose => {
            who.member().is_some()
                && matches!(who.role(), Some(Role::MemberAdmin | Role::Contributor))
        }
        Action::Decide => who.member().is_some() && who.role() == Some(Role::MemberAdmin),
        Action::ReadRestrictedStatement => who.is_secretariat(),
        Action::ReviewPetitions => who.role() == Some(Role::Ombudsperson),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(member: Option<&str>, role: Role) -> Principal {
        Principal::User {
            id: 1,
            username: "u".into(),
            member: member.map(|m| MemberCode::parse(m).unwrap()),
            role,
        }
    }

    fn code(c: &str) -> MemberCode {
        MemberCode::parse(c).unwrap()
    }

    #[test]
    fn public_can_browse_members_but_not_focal_points() {
        assert!(authorize(&Principal::Anonymous, &Action::ViewMembers).is_ok());
        assert_eq!(
            authorize(
                &Principal::Anonymous,
                &Action::ViewFocalPoints {
                    member: code("KAZ")
                }
            ),
            Err(Denied::NotSignedIn)
        );
    }

    #[test]
    fn any_member_user_reads_focal_points_of_any_member() {
        let reader = user(Some("USA"), Role::Reader);
        assert!(
            authorize(
                &reader,
                &Action::ViewFocalPoints {
                    member: code("KAZ")
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn only_the_members_admin_or_secretariat_edit_focal_points() {
        let kaz_admin = user(Some("KAZ"), Role::MemberAdmin);
        let kgz_admin = user(Some("KGZ"), Role::MemberAdmin);
        let kaz_contrib = user(Some("KAZ"), Role::Contributor);
        let sec = user(None, Role::SecretariatAdmin);
        let act = Action::EditFocalPoints {
            member: code("KAZ"),
        };
        assert!(authorize(&kaz_admin, &act).is_ok());
        assert!(authorize(&sec, &act).is_ok());
        assert_eq!(authorize(&kgz_admin, &act), Err(Denied::Forbidden));
        assert_eq!(authorize(&kaz_contrib, &act), Err(Denied::Forbidden));
    }

    #[test]
    fn reports_are_drafted_by_the_members_own_people_and_submitted_by_its_admin() {
        let kaz = code("KAZ");
        let draft = Action::DraftReport {
            member: kaz.clone(),
        };
        let submit = Action::SubmitReport {
            member: kaz.clone(),
        };
        let contributor = user(Some("KAZ"), Role::Contributor);
        let admin = user(Some("KAZ"), Role::MemberAdmin);
        let reader = user(Some("KAZ"), Role::Reader);
        let other_admin = user(Some("KGZ"), Role::MemberAdmin);
        let sec = user(None, Role::SecretariatAdmin);
        assert!(authorize(&contributor, &draft).is_ok());
        assert!(authorize(&admin, &draft).is_ok());
        assert_eq!(authorize(&reader, &draft), Err(Denied::Forbidden));
        assert_eq!(authorize(&other_admin, &draft), Err(Denied::Forbidden));
        assert_eq!(authorize(&sec, &draft), Err(Denied::Forbidden));
        assert!(authorize(&admin, &submit).is_ok());
        assert_eq!(authorize(&contributor, &submit), Err(Denied::Forbidden));
        assert_eq!(authorize(&other_admin, &submit), Err(Denied::Forbidden));
        assert_eq!(
            authorize(&Principal::Anonymous, &submit),
            Err(Denied::NotSignedIn)
        );
        let strategies = Action::EditStrategies { member: kaz };
        assert!(authorize(&sec, &strategies).is_ok());
        assert!(authorize(&contributor, &strategies).is_ok());
        assert_eq!(authorize(&other_admin, &strategies), Err(Denied::Forbidden));
        assert!(authorize(&sec, &Action::ManagePlan).is_ok());
        assert_eq!(
            authorize(&admin, &Action::ManagePlan),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn audit_log_members_merges_and_the_procedure_rule_are_for_the_secretariat() {
        let kaz_admin = user(Some("KAZ"), Role::MemberAdmin);
        let sec = user(None, Role::SecretariatAdmin);
        for act in [
            Action::ViewAuditLog,
            Action::AddMember,
            Action::MergeSubjects,
            Action::EditProcedureRule,
        ] {
            assert!(authorize(&sec, &act).is_ok());
            assert_eq!(authorize(&kaz_admin, &act), Err(Denied::Forbidden));
        }
    }

    #[test]
    fn member_admins_manage_only_their_own_users() {
        let kaz_admin = user(Some("KAZ"), Role::MemberAdmin);
        assert!(
            authorize(
                &kaz_admin,
                &Action::ManageUsers {
                    member: Some(code("KAZ"))
                }
            )
            .is_ok()
        );
        assert!(
            authorize(
                &kaz_admin,
                &Action::ManageUsers {
                    member: Some(code("PAK"))
                }
            )
            .is_err()
        );
        assert!(authorize(&kaz_admin, &Action::ManageUsers { member: None }).is_err());
    }
}
