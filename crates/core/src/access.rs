//! The one access policy. Every page, API route, export and download asks
//! [`authorize`] before it reads or writes anything, and every decision about
//! marked material (TLP 2.0 and its distribution) is [`may_see`].

use std::collections::BTreeSet;

use serde::Serialize;

use crate::member::{MemberCode, MemberKind};
use crate::tlp::Tlp;
use crate::user::{Role, User};

/// The member a user acts for, with its kind (which decides, for example,
/// who decides on listings and who sees TLP:AMBER material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub code: MemberCode,
    pub kind: MemberKind,
}

/// Who is asking: the only identity type of the platform. Pure crates that
/// need less take a `&Principal` and read what they need through its methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    Anonymous,
    User {
        id: i64,
        username: String,
        member: Option<Membership>,
        role: Role,
    },
}

impl Principal {
    /// The principal of a signed-in account. A platform-wide role acts for
    /// no member, even on an account created with one before that was refused.
    pub fn of_user(user: &User) -> Principal {
        Principal::User {
            id: user.id,
            username: user.username.to_string(),
            member: match (&user.member, user.member_kind) {
                (Some(code), Some(kind)) if !user.role.is_platform_wide() => Some(Membership {
                    code: code.clone(),
                    kind,
                }),
                _ => None,
            },
            role: user.role,
        }
    }

    /// A user of `member` (tests, the CLI and the demo build principals this way).
    pub fn member_user(
        id: i64,
        username: &str,
        member: MemberCode,
        kind: MemberKind,
        role: Role,
    ) -> Principal {
        Principal::User {
            id,
            username: username.to_string(),
            member: Some(Membership { code: member, kind }),
            role,
        }
    }

    /// A user holding a platform-wide role (secretariat, ombudsperson).
    pub fn platform_user(id: i64, username: &str, role: Role) -> Principal {
        Principal::User {
            id,
            username: username.to_string(),
            member: None,
            role,
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, Principal::User { .. })
    }

    pub fn membership(&self) -> Option<&Membership> {
        match self {
            Principal::User { member, .. } => member.as_ref(),
            Principal::Anonymous => None,
        }
    }

    pub fn member_kind(&self) -> Option<MemberKind> {
        self.membership().map(|m| m.kind)
    }

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
        self.membership().map(|m| &m.code)
    }

    /// Whether this principal is a user of `member`.
    pub fn is_of(&self, member: &MemberCode) -> bool {
        self.member() == Some(member)
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

    pub fn is_admin_of(&self, member: &MemberCode) -> bool {
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
    /// Creating, disabling or enabling an account of `member` with `role`.
    /// Platform-wide roles (secretariat, ombudsperson) are granted by the
    /// secretariat alone.
    ManageUsers {
        member: Option<MemberCode>,
        role: Role,
    },
    ManageOwnTokens,
    ViewAuditLog,
    /// The server's metrics: what the secretariat and members do, in
    /// counts, so the secretariat's (a scraper uses its `metrics` token).
    ViewMetrics,
    ViewApiDocs,
    /// Screening names against the lists: signed-in users (people and machines).
    Screen,
    /// The reference lists' versions and import reports: signed-in users.
    ViewReferenceLists,
    /// A kept manifest screening (travellers' names): the user who ran it
    /// and the administrators of that user's member.
    ReadManifestScreening {
        member: Option<MemberCode>,
        user_id: i64,
    },
    /// Importing a new version of a reference list: the secretariat.
    ImportReferenceLists,
    /// The Joint Plan's frameworks and commitments, reporting rounds,
    /// progress and strategies: public, as the report is; what each viewer
    /// sees of members' reports is then decided by their TLP marking.
    ViewCommitments,
    /// Opening, reopening and cancelling reporting rounds, adding
    /// frameworks, pillars and commitments: the secretariat.
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
    /// Capacity-building programmes: public, as their list is; what each
    /// viewer sees of a programme is decided by its TLP marking.
    ViewProgrammes,
    /// Recording and editing programmes and their results: members'
    /// contributors and administrators, and the secretariat (the programme
    /// rules then say which programmes: those their member takes part in).
    EditProgrammes,
    /// The knowledge library: public, as its CLEAR items are; what each
    /// viewer finds is decided item by item by `may_see`.
    ViewLibrary,
    /// Writing library items: members' contributors and administrators, and
    /// the secretariat (the library's workflow then says who reviews).
    ContributeToLibrary,
    /// Keeping sharing groups and campaigns: members' administrators (their
    /// member's) and the secretariat.
    ManageSharingGroups,
    /// Changing or deleting one sharing group or campaign, kept by `owner`
    /// (`None`: the secretariat's): its owner member's administrators and
    /// the secretariat.
    KeepGroupOrCampaign {
        owner: Option<MemberCode>,
    },
    /// The library's theme vocabulary and its search index: the secretariat.
    ManageLibrary,
    /// Creating hash banks (the rule then says whose: a member's for its
    /// contributors and administrators, any for the secretariat).
    ShareHashes,
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
    /// Registering the key a member signs its decisions with: that member's
    /// own administrators only — never the secretariat, or the platform could
    /// sign for a state.
    ManageMemberKey {
        member: MemberCode,
    },
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
            Action::ViewMetrics => "metrics.view",
            Action::ViewApiDocs => "api_docs.view",
            Action::Screen => "screening.run",
            Action::ViewReferenceLists => "reference_lists.view",
            Action::ReadManifestScreening { .. } => "screening.manifest.read",
            Action::ImportReferenceLists => "reference_lists.import",
            Action::ViewCommitments => "commitments.view",
            Action::ManagePlan => "plan.manage",
            Action::DraftReport { .. } => "plan.reports.draft",
            Action::SubmitReport { .. } => "plan.reports.submit",
            Action::EditStrategies { .. } => "plan.strategies.edit",
            Action::ViewProgrammes => "programmes.view",
            Action::EditProgrammes => "programmes.edit",
            Action::ShareHashes => "hashes.share",
            Action::ViewLibrary => "library.view",
            Action::ContributeToLibrary => "library.contribute",
            Action::ManageSharingGroups => "library.groups.manage",
            Action::KeepGroupOrCampaign { .. } => "library.groups.keep",
            Action::ManageLibrary => "library.manage",
            Action::ViewPublishedList => "list.view",
            Action::ViewProposals => "proposals.view",
            Action::Propose => "proposals.create",
            Action::Decide => "proposals.decide",
            Action::ManageMemberKey { .. } => "members.key.manage",
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
    /// An API token asked for what its scopes do not cover.
    #[error("this API token does not have the {0} scope")]
    TokenScope(crate::token::Scope),
    /// What no API token may do (create tokens, post the pages' forms).
    #[error("API tokens cannot do this: sign in to do it")]
    NotForTokens,
}

/// Decides whether `who` may perform `action`.
pub fn authorize(who: &Principal, action: &Action) -> Result<(), Denied> {
    let allowed = match action {
        Action::ViewMembers
        | Action::ViewApiDocs
        | Action::ViewCommitments
        | Action::ViewPublishedList
        | Action::ViewProgrammes
        | Action::ViewLibrary
        | Action::Petition => {
            return Ok(());
        }
        _ if !who.is_signed_in() => return Err(Denied::NotSignedIn),
        Action::AddMember
        | Action::ViewAuditLog
        | Action::ViewMetrics
        | Action::ImportReferenceLists
        | Action::MergeSubjects
        | Action::EditProcedureRule
        | Action::ManageLibrary
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
        Action::ManageSharingGroups => {
            who.is_secretariat()
                || (who.member().is_some() && who.role() == Some(Role::MemberAdmin))
        }
        Action::KeepGroupOrCampaign { owner } => match owner {
            Some(owner) => who.is_admin_of(owner),
            None => who.is_secretariat(),
        },
        Action::EditProgrammes | Action::ShareHashes | Action::ContributeToLibrary => {
            who.is_secretariat()
                || (who.member().is_some()
                    && matches!(who.role(), Some(Role::MemberAdmin | Role::Contributor)))
        }
        Action::ViewFocalPoints { .. } => who.member().is_some() || who.is_secretariat(),
        Action::EditFocalPoints { member } => who.is_admin_of(member),
        Action::ViewUsers => matches!(who.role(), Some(Role::SecretariatAdmin | Role::MemberAdmin)),
        Action::ManageUsers { member, role } => {
            if role.is_platform_wide() {
                who.is_secretariat()
            } else {
                member.as_ref().is_some_and(|m| who.is_admin_of(m))
            }
        }
        Action::ManageOwnTokens | Action::Screen | Action::ViewReferenceLists => true,
        // Not the secretariat: border data stays with the member that
        // screened it.
        Action::ReadManifestScreening { member, user_id } => {
            who.user_id() == Some(*user_id)
                || (who.role() == Some(Role::MemberAdmin)
                    && member.is_some()
                    && who.member() == member.as_ref())
        }
        Action::ViewProposals => {
            who.member().is_some() || who.is_secretariat() || who.role() == Some(Role::Ombudsperson)
        }
        Action::Propose => {
            who.member().is_some()
                && matches!(who.role(), Some(Role::MemberAdmin | Role::Contributor))
        }
        Action::Decide => who.member().is_some() && who.role() == Some(Role::MemberAdmin),
        Action::ManageMemberKey { member } => {
            who.member() == Some(member) && who.role() == Some(Role::MemberAdmin)
        }
        Action::ReadRestrictedStatement => who.is_secretariat(),
        Action::ReviewPetitions => who.role() == Some(Role::Ombudsperson),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// Who marked material is shared with, besides its owner. The distribution
/// only ever narrows what the marking opens; it never widens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Distribution {
    /// The whole partnership. For TLP:AMBER that means the users of its
    /// parties (regional states, partner states, partner organizations).
    Platform,
    /// The users of members of these kinds (for example, statements of case
    /// go to the regional states, who decide on listings).
    MemberKinds { kinds: Vec<MemberKind> },
    /// The users of the members listed.
    Members { members: BTreeSet<MemberCode> },
    /// A sharing group: members, and users named individually (TLP:RED is for
    /// named recipients). An empty group shares with nobody.
    Group {
        members: BTreeSet<MemberCode>,
        users: BTreeSet<i64>,
    },
    /// Nobody beyond the owner.
    OwnerOnly,
}

/// The kinds of member that are parties to the partnership's commitments:
/// the audience of TLP:AMBER material shared platform-wide.
pub const PARTIES: [MemberKind; 3] = [
    MemberKind::RegionalState,
    MemberKind::PartnerState,
    MemberKind::PartnerOrganization,
];

/// The one visibility rule: whether `who` may see material marked `marking`,
/// owned by `owner` (the member whose material it is; `None` for the
/// secretariat's own) and shared with `distribution`. Pages, API, lists,
/// counts, search, exports, charts and downloads all ask this.
///
/// | marking | who sees it (always within the distribution) |
/// | --- | --- |
/// | CLEAR | everyone, signed in or not, when shared platform-wide; otherwise the distribution's signed-in users |
/// | GREEN | every signed-in user in the distribution |
/// | AMBER | users of the distribution's members; platform-wide, users of the parties ([`PARTIES`]) |
/// | AMBER+STRICT | users of the members the distribution names (a list or a group), never a whole kind or the platform |
/// | RED | only the users a sharing group names |
///
/// In every case the owner's own users and the secretariat see it: the owner
/// is the source, and the secretariat runs the platform (it can read the
/// database; a rule pretending otherwise would be false comfort).
pub fn may_see(
    who: &Principal,
    marking: Tlp,
    owner: Option<&MemberCode>,
    distribution: &Distribution,
) -> bool {
    if who.is_secretariat() {
        return true;
    }
    if let Some(owner) = owner
        && who.is_of(owner)
    {
        return true;
    }
    let member = who.membership();
    let member_named =
        |members: &BTreeSet<MemberCode>| member.is_some_and(|m| members.contains(&m.code));
    let user_named = |users: &BTreeSet<i64>| who.user_id().is_some_and(|id| users.contains(&id));
    // Whether `who` is in the distribution at all (signed in).
    let in_distribution = who.is_signed_in()
        && match distribution {
            Distribution::Platform => true,
            Distribution::MemberKinds { kinds } => member.is_some_and(|m| kinds.contains(&m.kind)),
            Distribution::Members { members } => member_named(members),
            Distribution::Group { members, users } => member_named(members) || user_named(users),
            Distribution::OwnerOnly => false,
        };
    match marking {
        Tlp::Clear => *distribution == Distribution::Platform || in_distribution,
        Tlp::Green => in_distribution,
        Tlp::Amber => {
            in_distribution
                && match distribution {
                    Distribution::Platform => member.is_some_and(|m| PARTIES.contains(&m.kind)),
                    Distribution::Group { members, .. } => member_named(members),
                    _ => member.is_some(),
                }
        }
        Tlp::AmberStrict => match distribution {
            Distribution::Members { members } | Distribution::Group { members, .. } => {
                member_named(members)
            }
            _ => false,
        },
        Tlp::Red => match distribution {
            Distribution::Group { users, .. } => user_named(users),
            _ => false,
        },
    }
}

/// Whether `who` may read whom a proposal names — its proposed entry
/// (names, birth dates, documents) and its summary of reasons — before the
/// list publishes it.
///
/// The decision (docs/common-list.md, "Who sees a proposal"): until a
/// proposal is adopted, the person it names is not listed, and may never
/// be; their data is shown to those who decide on it — the regional
/// states — and to the proposer's own users and the secretariat. It is the
/// one visibility rule's TLP:AMBER shared with the regional states, so a
/// partner state, an organization, civil society and the private sector
/// see that a proposal exists, its kind, proposer, status and deadline, but
/// not whom it names. Once adopted, the entry is on the public list.
pub fn may_see_proposed_entry(who: &Principal, proposer: Option<&MemberCode>) -> bool {
    may_see(
        who,
        Tlp::Amber,
        proposer,
        &Distribution::MemberKinds {
            kinds: vec![MemberKind::RegionalState],
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(member: Option<&str>, role: Role) -> Principal {
        match member {
            Some(m) => Principal::member_user(1, "u", code(m), kind_of(m), role),
            None => Principal::platform_user(1, "u", role),
        }
    }

    /// The demo's member kinds, enough for these tests.
    fn kind_of(code: &str) -> MemberKind {
        match code {
            "USA" | "RUS" | "FRA" => MemberKind::PartnerState,
            "OSCE" | "UNODC" => MemberKind::PartnerOrganization,
            "NGO" => MemberKind::CivilSociety,
            "BANK" => MemberKind::PrivateSector,
            _ => MemberKind::RegionalState,
        }
    }

    fn code(c: &str) -> MemberCode {
        MemberCode::parse(c).unwrap()
    }

    #[test]
    fn a_proposed_entry_is_read_by_the_deciders_the_proposer_and_the_secretariat_only() {
        let kaz = code("KAZ");
        let usa = code("USA");
        for (who, sees) in [
            (user(Some("KGZ"), Role::Reader), true),
            (user(Some("KAZ"), Role::Contributor), true),
            (user(None, Role::SecretariatAdmin), true),
            (user(Some("USA"), Role::MemberAdmin), false),
            (user(Some("OSCE"), Role::Reader), false),
            (user(Some("NGO"), Role::Reader), false),
            (user(Some("BANK"), Role::Reader), false),
            (user(None, Role::Ombudsperson), false),
            (Principal::Anonymous, false),
        ] {
            assert_eq!(may_see_proposed_entry(&who, Some(&kaz)), sees, "{who:?}");
        }
        // A partner's proposal is read by its own users too.
        assert!(may_see_proposed_entry(
            &user(Some("USA"), Role::Reader),
            Some(&usa)
        ));
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
            Action::ViewMetrics,
            Action::AddMember,
            Action::MergeSubjects,
            Action::EditProcedureRule,
        ] {
            assert!(authorize(&sec, &act).is_ok());
            assert_eq!(authorize(&kaz_admin, &act), Err(Denied::Forbidden));
        }
    }

    #[test]
    fn a_group_or_campaign_is_kept_by_its_owners_administrators_and_the_secretariat() {
        let keep = |owner: Option<&str>| Action::KeepGroupOrCampaign {
            owner: owner.map(code),
        };
        let sec = user(None, Role::SecretariatAdmin);
        let kaz_admin = user(Some("KAZ"), Role::MemberAdmin);
        assert!(authorize(&kaz_admin, &keep(Some("KAZ"))).is_ok());
        assert!(authorize(&sec, &keep(Some("KAZ"))).is_ok());
        assert!(authorize(&sec, &keep(None)).is_ok());
        for other in [
            user(Some("KAZ"), Role::Contributor),
            user(Some("KGZ"), Role::MemberAdmin),
            user(None, Role::Ombudsperson),
        ] {
            assert_eq!(
                authorize(&other, &keep(Some("KAZ"))),
                Err(Denied::Forbidden),
                "{other:?}"
            );
        }
        assert_eq!(authorize(&kaz_admin, &keep(None)), Err(Denied::Forbidden));
        assert_eq!(
            authorize(&Principal::Anonymous, &keep(Some("KAZ"))),
            Err(Denied::NotSignedIn)
        );
    }

    #[test]
    fn only_a_members_own_administrators_register_its_signing_key() {
        let act = Action::ManageMemberKey {
            member: code("KAZ"),
        };
        assert!(authorize(&user(Some("KAZ"), Role::MemberAdmin), &act).is_ok());
        for other in [
            user(Some("KAZ"), Role::Contributor),
            user(Some("KGZ"), Role::MemberAdmin),
            user(None, Role::SecretariatAdmin),
            user(None, Role::Ombudsperson),
        ] {
            assert_eq!(authorize(&other, &act), Err(Denied::Forbidden), "{other:?}");
        }
        assert_eq!(
            authorize(&Principal::Anonymous, &act),
            Err(Denied::NotSignedIn)
        );
    }

    #[test]
    fn member_admins_manage_only_their_own_users() {
        let kaz_admin = user(Some("KAZ"), Role::MemberAdmin);
        let manage = |member: Option<&str>, role| Action::ManageUsers {
            member: member.map(code),
            role,
        };
        assert!(authorize(&kaz_admin, &manage(Some("KAZ"), Role::Reader)).is_ok());
        assert!(authorize(&kaz_admin, &manage(Some("PAK"), Role::Reader)).is_err());
        assert!(authorize(&kaz_admin, &manage(None, Role::SecretariatAdmin)).is_err());
    }

    /// Every role granted by every kind of administrator: only the
    /// secretariat grants the platform-wide roles (secretariat, ombudsperson),
    /// whatever member the request names; a member administrator grants the
    /// member's own roles and nothing else.
    #[test]
    fn only_the_secretariat_grants_platform_wide_roles() {
        let sec = user(None, Role::SecretariatAdmin);
        let granters = [
            ("secretariat", sec.clone()),
            ("kaz admin", user(Some("KAZ"), Role::MemberAdmin)),
            ("usa admin", user(Some("USA"), Role::MemberAdmin)),
            ("ngo admin", user(Some("NGO"), Role::MemberAdmin)),
            ("kaz contributor", user(Some("KAZ"), Role::Contributor)),
            ("ombudsperson", user(None, Role::Ombudsperson)),
        ];
        for (name, granter) in &granters {
            for role in Role::ALL {
                for target in [None, Some("KAZ"), Some("USA")] {
                    let act = Action::ManageUsers {
                        member: target.map(code),
                        role,
                    };
                    let expected = if role.is_platform_wide() {
                        *granter == sec
                    } else {
                        target.is_some_and(|t| granter.is_admin_of(&code(t)))
                    };
                    assert_eq!(
                        authorize(granter, &act).is_ok(),
                        expected,
                        "{name} granting {role} for {target:?}"
                    );
                }
            }
        }
    }

    fn members(codes: &[&str]) -> BTreeSet<MemberCode> {
        codes.iter().map(|c| code(c)).collect()
    }

    #[test]
    fn clear_shared_platform_wide_is_public_and_green_needs_a_sign_in() {
        let kaz = code("KAZ");
        assert!(may_see(
            &Principal::Anonymous,
            Tlp::Clear,
            Some(&kaz),
            &Distribution::Platform
        ));
        assert!(!may_see(
            &Principal::Anonymous,
            Tlp::Green,
            Some(&kaz),
            &Distribution::Platform
        ));
        assert!(may_see(
            &user(Some("BANK"), Role::Reader),
            Tlp::Green,
            Some(&kaz),
            &Distribution::Platform
        ));
    }

    #[test]
    fn amber_platform_wide_reaches_the_parties_not_civil_society() {
        let kaz = code("KAZ");
        let d = Distribution::Platform;
        assert!(may_see(
            &user(Some("USA"), Role::Reader),
            Tlp::Amber,
            Some(&kaz),
            &d
        ));
        assert!(may_see(
            &user(Some("OSCE"), Role::Reader),
            Tlp::Amber,
            Some(&kaz),
            &d
        ));
        assert!(!may_see(
            &user(Some("NGO"), Role::Reader),
            Tlp::Amber,
            Some(&kaz),
            &d
        ));
        assert!(!may_see(
            &user(None, Role::Ombudsperson),
            Tlp::Amber,
            Some(&kaz),
            &d
        ));
    }

    #[test]
    fn amber_strict_and_red_never_go_to_a_whole_kind_or_the_platform() {
        let kaz = code("KAZ");
        let kgz = user(Some("KGZ"), Role::MemberAdmin);
        for d in [
            Distribution::Platform,
            Distribution::MemberKinds {
                kinds: vec![MemberKind::RegionalState],
            },
        ] {
            assert!(!may_see(&kgz, Tlp::AmberStrict, Some(&kaz), &d));
            assert!(!may_see(&kgz, Tlp::Red, Some(&kaz), &d));
            // The owner and the secretariat always do.
            assert!(may_see(
                &user(Some("KAZ"), Role::Reader),
                Tlp::Red,
                Some(&kaz),
                &d
            ));
            assert!(may_see(
                &user(None, Role::SecretariatAdmin),
                Tlp::Red,
                Some(&kaz),
                &d
            ));
        }
        let named = Distribution::Members {
            members: members(&["KGZ"]),
        };
        assert!(may_see(&kgz, Tlp::AmberStrict, Some(&kaz), &named));
        assert!(!may_see(&kgz, Tlp::Red, Some(&kaz), &named));
    }

    #[test]
    fn red_goes_to_named_users_only() {
        let kaz = code("KAZ");
        let group = Distribution::Group {
            members: members(&["KGZ"]),
            users: [7].into_iter().collect(),
        };
        let named = Principal::member_user(
            7,
            "named",
            code("TJK"),
            MemberKind::RegionalState,
            Role::Reader,
        );
        let colleague_of_group_member = user(Some("KGZ"), Role::Reader);
        assert!(may_see(&named, Tlp::Red, Some(&kaz), &group));
        assert!(!may_see(
            &colleague_of_group_member,
            Tlp::Red,
            Some(&kaz),
            &group
        ));
        // AMBER in a group opens to the group's members, not to named users' members.
        assert!(may_see(
            &colleague_of_group_member,
            Tlp::Amber,
            Some(&kaz),
            &group
        ));
        assert!(!may_see(&named, Tlp::Amber, Some(&kaz), &group));
    }

    #[test]
    fn an_empty_group_shares_with_nobody() {
        let kaz = code("KAZ");
        let empty = Distribution::Group {
            members: BTreeSet::new(),
            users: BTreeSet::new(),
        };
        for tlp in Tlp::ALL {
            for who in [
                Principal::Anonymous,
                user(Some("KGZ"), Role::MemberAdmin),
                user(Some("USA"), Role::Reader),
                user(None, Role::Ombudsperson),
            ] {
                assert!(!may_see(&who, tlp, Some(&kaz), &empty), "{tlp} to {who:?}");
            }
        }
    }

    #[test]
    fn the_distribution_narrows_and_never_widens() {
        let kaz = code("KAZ");
        let regional = Distribution::MemberKinds {
            kinds: vec![MemberKind::RegionalState],
        };
        let usa = user(Some("USA"), Role::Reader);
        let kgz = user(Some("KGZ"), Role::Reader);
        for tlp in [Tlp::Clear, Tlp::Green, Tlp::Amber] {
            assert!(!may_see(&usa, tlp, Some(&kaz), &regional), "{tlp}");
            assert!(may_see(&kgz, tlp, Some(&kaz), &regional), "{tlp}");
            assert!(
                !may_see(&Principal::Anonymous, tlp, Some(&kaz), &regional),
                "{tlp}"
            );
        }
        // Widest distribution, narrowest marking: still only the owner.
        assert!(!may_see(
            &kgz,
            Tlp::Red,
            Some(&kaz),
            &Distribution::Platform
        ));
    }
}
