//! An item's life: draft → in review → published → withdrawn, who may move
//! it, and who may read it at each step.
//!
//! Reading a published item is the platform's one visibility rule,
//! `accord_core::may_see`, with the item's marking, author member and
//! resolved distribution; the rest (drafts, withdrawn items, a revision in
//! review) is open only to the people who work on the item, and the
//! secretariat.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use accord_core::tlp::Tlp;
use accord_core::{Distribution, MemberCode, Principal, Role, may_see};

use crate::item::{Shared, SharedWith};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    Published,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::InReview,
        Status::Published,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in-review",
            Status::Published => "published",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reviewer or the author does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transition {
    Submit,
    Approve,
    /// Back to the author as a draft, with a note.
    Return,
    Withdraw,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Approve => "approve",
            Transition::Return => "return",
            Transition::Withdraw => "withdraw",
        }
    }
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the author of an item cannot approve it: another reviewer must")]
    OwnApproval,
    /// The four-eyes rule: whoever wrote a version since the last approval
    /// (an administrator's edit too) does not approve it.
    #[error(
        "you wrote a version of this item since it was last approved: another reviewer must approve it"
    )]
    WroteSinceApproval,
    /// The reviewer read an earlier version than the one in review.
    #[error(
        "the item changed since you read version {read}: read version {latest} and review again"
    )]
    ChangedSinceRead { read: u32, latest: u32 },
    #[error(
        "only a member administrator of the author's member (or the secretariat, for CLEAR items shared platform-wide) may review this item"
    )]
    NotReviewer,
    #[error("only the item's author and its member's administrators may change it")]
    NotEditor,
    #[error("a withdrawn item cannot be changed")]
    Withdrawn,
    #[error("an item that is {status} cannot be {action}")]
    WrongStatus {
        status: Status,
        action: &'static str,
    },
    #[error("say why the item is withdrawn")]
    ReasonRequired,
}

/// What the rules need to know of a stored item.
#[derive(Debug, Clone)]
pub struct Standing<'a> {
    pub status: Status,
    /// The user who created the item.
    pub author: i64,
    /// The author's member; `None` for the secretariat's own items.
    pub owner: Option<&'a MemberCode>,
    /// Whether a version has been approved (readers see the last one).
    pub has_published: bool,
    /// The marking and distribution readers see: the approved version's,
    /// or for a never-published item the latest's.
    pub shared: Shared,
    /// The latest version's marking and distribution: what a reviewer judges.
    pub latest_shared: Shared,
    /// The latest version's number.
    pub latest_version: u32,
    /// The users who wrote a version since the last approval (every
    /// version's writer when none was approved): none of them approves.
    pub writers: BTreeSet<i64>,
}

impl Standing<'_> {
    /// The standing as a reviewer judges it: with the latest version's
    /// marking and distribution, since that is what approval publishes.
    pub fn under_review(&self) -> Standing<'_> {
        Standing {
            shared: self.latest_shared.clone(),
            ..self.clone()
        }
    }
}

/// A member administrator of `owner` itself (`Principal::is_admin_of` also
/// lets the secretariat in, which must not edit or approve a state's item).
fn administers(who: &Principal, owner: &MemberCode) -> bool {
    who.role() == Some(Role::MemberAdmin) && who.is_of(owner)
}

fn is_author(who: &Principal, s: &Standing<'_>) -> bool {
    who.user_id() == Some(s.author)
}

/// Who writes items: members' contributors and administrators, and the
/// secretariat.
pub fn may_contribute(who: &Principal) -> bool {
    who.is_secretariat()
        || (who.member().is_some()
            && matches!(who.role(), Some(Role::Contributor | Role::MemberAdmin)))
}

/// The author, the author member's administrators, and for the
/// secretariat's own items the secretariat.
pub fn may_edit(who: &Principal, s: &Standing<'_>) -> bool {
    is_author(who, s)
        || match s.owner {
            Some(owner) => administers(who, owner),
            None => who.is_secretariat(),
        }
}

/// A member administrator of the author's member, or the secretariat for
/// CLEAR items shared platform-wide and for its own items; never the author.
pub fn may_review(who: &Principal, s: &Standing<'_>) -> bool {
    if is_author(who, s) {
        return false;
    }
    let platform_clear = s.shared.marking == Tlp::Clear && s.shared.with == SharedWith::Platform;
    match s.owner {
        Some(owner) => administers(who, owner) || (who.is_secretariat() && platform_clear),
        None => who.is_secretariat(),
    }
}

/// Whether `who` may approve the item's latest version: a reviewer of it
/// (judged by its own marking), neither its author nor anyone who wrote a
/// version since the last approval.
pub fn may_approve(who: &Principal, s: &Standing<'_>) -> bool {
    let judged = s.under_review();
    may_review(who, &judged)
        && !is_author(who, s)
        && !who.user_id().is_some_and(|u| s.writers.contains(&u))
}

/// Whether `who` works on the item: sees its drafts, its revision in review,
/// and its withdrawn versions with the reason.
pub fn works_on(who: &Principal, s: &Standing<'_>) -> bool {
    may_edit(who, s) || may_review(who, s) || who.is_secretariat()
}

/// Whether `who` may read the item at all (its published version, or for
/// those who work on it, the latest). `distribution` is `s.shared.with`
/// resolved (a sharing group as it is now).
pub fn may_read(who: &Principal, s: &Standing<'_>, distribution: &Distribution) -> bool {
    if works_on(who, s) {
        return true;
    }
    let public_now = s.has_published && s.status != Status::Withdrawn;
    public_now && may_see(who, s.shared.marking, s.owner, distribution)
}

/// The status after `step` by `who`, or why not. `read`: the version the
/// reviewer read, when they say (an approval of another is refused). A
/// reviewer judges the latest version, with its own marking and
/// distribution; nobody who wrote a version since the last approval
/// approves it.
pub fn step(
    who: &Principal,
    s: &Standing<'_>,
    step: Transition,
    reason: &str,
    read: Option<u32>,
) -> Result<Status, WorkflowError> {
    if s.status == Status::Withdrawn {
        return Err(WorkflowError::Withdrawn);
    }
    let wrong = |action| WorkflowError::WrongStatus {
        status: s.status,
        action,
    };
    match step {
        Transition::Submit => {
            if !may_edit(who, s) {
                return Err(WorkflowError::NotEditor);
            }
            match s.status {
                Status::Draft => Ok(Status::InReview),
                _ => Err(wrong("submitted")),
            }
        }
        Transition::Approve | Transition::Return => {
            let judged = s.under_review();
            if step == Transition::Approve {
                if is_author(who, s) {
                    return Err(WorkflowError::OwnApproval);
                }
                if who.user_id().is_some_and(|u| s.writers.contains(&u)) {
                    return Err(WorkflowError::WroteSinceApproval);
                }
            }
            if !may_review(who, &judged) {
                return Err(WorkflowError::NotReviewer);
            }
            if let Some(read) = read
                && read != s.latest_version
            {
                return Err(WorkflowError::ChangedSinceRead {
                    read,
                    latest: s.latest_version,
                });
            }
            match (s.status, step) {
                (Status::InReview, Transition::Approve) => Ok(Status::Published),
                (Status::InReview, _) if s.has_published => Ok(Status::Published),
                (Status::InReview, _) => Ok(Status::Draft),
                (_, Transition::Approve) => Err(wrong("approved")),
                _ => Err(wrong("returned")),
            }
        }
        Transition::Withdraw => {
            if !(may_edit(who, s) || who.is_secretariat()) {
                return Err(WorkflowError::NotEditor);
            }
            if reason.trim().is_empty() {
                return Err(WorkflowError::ReasonRequired);
            }
            if s.has_published {
                Ok(Status::Withdrawn)
            } else {
                Err(wrong("withdrawn"))
            }
        }
    }
}

/// The status after an edit: a draft stays a draft, an item in review stays
/// in review, a published item's edit is a revision that goes to review
/// (readers keep the approved version meanwhile).
pub fn after_edit(who: &Principal, s: &Standing<'_>) -> Result<Status, WorkflowError> {
    if s.status == Status::Withdrawn {
        return Err(WorkflowError::Withdrawn);
    }
    if !may_edit(who, s) {
        return Err(WorkflowError::NotEditor);
    }
    Ok(match s.status {
        Status::Published => Status::InReview,
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::seed::kind_of;
    use std::collections::BTreeSet;

    fn code(c: &str) -> MemberCode {
        MemberCode::parse(c).unwrap()
    }

    fn user(id: i64, member: &str, role: Role) -> Principal {
        Principal::member_user(id, "u", code(member), kind_of(member).unwrap(), role)
    }

    fn secretariat() -> Principal {
        Principal::platform_user(90, "sec", Role::SecretariatAdmin)
    }

    const AMBER_GROUP: Shared = Shared {
        marking: Tlp::Amber,
        with: SharedWith::Group { group: 1 },
    };

    fn standing<'a>(owner: &'a MemberCode, status: Status, shared: &Shared) -> Standing<'a> {
        Standing {
            status,
            author: 1,
            owner: Some(owner),
            has_published: status == Status::Published,
            shared: shared.clone(),
            latest_shared: shared.clone(),
            latest_version: 1,
            writers: BTreeSet::from([1]),
        }
    }

    #[test]
    fn the_author_cannot_approve_even_as_administrator() {
        let kaz = code("KAZ");
        let s = standing(&kaz, Status::InReview, &AMBER_GROUP);
        let author = user(1, "KAZ", Role::MemberAdmin);
        assert_eq!(
            step(&author, &s, Transition::Approve, "", None),
            Err(WorkflowError::OwnApproval)
        );
        let colleague = user(2, "KAZ", Role::MemberAdmin);
        assert_eq!(
            step(&colleague, &s, Transition::Approve, "", None),
            Ok(Status::Published)
        );
    }

    #[test]
    fn another_members_administrator_cannot_review() {
        let kaz = code("KAZ");
        let s = standing(&kaz, Status::InReview, &AMBER_GROUP);
        let other = user(3, "KGZ", Role::MemberAdmin);
        assert_eq!(
            step(&other, &s, Transition::Approve, "", None),
            Err(WorkflowError::NotReviewer)
        );
        let contributor = user(4, "KAZ", Role::Contributor);
        assert_eq!(
            step(&contributor, &s, Transition::Approve, "", None),
            Err(WorkflowError::NotReviewer)
        );
    }

    #[test]
    fn the_secretariat_reviews_only_clear_platform_wide_items_of_members() {
        let kaz = code("KAZ");
        let amber = standing(&kaz, Status::InReview, &AMBER_GROUP);
        assert!(!may_review(&secretariat(), &amber));
        let clear = Shared {
            marking: Tlp::Clear,
            with: SharedWith::Platform,
        };
        let s = standing(&kaz, Status::InReview, &clear);
        assert!(may_review(&secretariat(), &s));
    }

    #[test]
    fn drafts_are_read_only_by_those_who_work_on_them() {
        let kaz = code("KAZ");
        let s = standing(&kaz, Status::Draft, &AMBER_GROUP);
        let group = Distribution::Group {
            members: BTreeSet::from([code("KGZ")]),
            users: BTreeSet::new(),
        };
        assert!(may_read(&user(1, "KAZ", Role::Contributor), &s, &group));
        assert!(may_read(&user(2, "KAZ", Role::MemberAdmin), &s, &group));
        assert!(!may_read(&user(5, "KGZ", Role::Reader), &s, &group));
        let published = standing(&kaz, Status::Published, &AMBER_GROUP);
        assert!(may_read(&user(5, "KGZ", Role::Reader), &published, &group));
        assert!(!may_read(&user(6, "TJK", Role::Reader), &published, &group));
        assert!(!may_read(&Principal::Anonymous, &published, &group));
    }

    #[test]
    fn an_empty_group_shares_with_nobody() {
        let kaz = code("KAZ");
        let published = standing(&kaz, Status::Published, &AMBER_GROUP);
        let empty = Distribution::Group {
            members: BTreeSet::new(),
            users: BTreeSet::new(),
        };
        for who in [
            Principal::Anonymous,
            user(5, "KGZ", Role::Reader),
            user(6, "USA", Role::MemberAdmin),
        ] {
            assert!(!may_read(&who, &published, &empty));
        }
        let clear = Shared {
            marking: Tlp::Clear,
            with: SharedWith::Group { group: 1 },
        };
        let clear_group = standing(&kaz, Status::Published, &clear);
        assert!(!may_read(&Principal::Anonymous, &clear_group, &empty));
        assert!(!may_read(
            &user(5, "KGZ", Role::Reader),
            &clear_group,
            &empty
        ));
    }

    #[test]
    fn withdrawal_needs_a_reason_and_hides_the_item_from_readers() {
        let kaz = code("KAZ");
        let s = standing(&kaz, Status::Published, &AMBER_GROUP);
        let author = user(1, "KAZ", Role::Contributor);
        assert_eq!(
            step(&author, &s, Transition::Withdraw, " ", None),
            Err(WorkflowError::ReasonRequired)
        );
        assert_eq!(
            step(&author, &s, Transition::Withdraw, "superseded", None),
            Ok(Status::Withdrawn)
        );
        let gone = standing(&kaz, Status::Withdrawn, &AMBER_GROUP);
        let gone = Standing {
            has_published: true,
            ..gone
        };
        assert!(!may_read(
            &user(5, "KGZ", Role::Reader),
            &gone,
            &Distribution::Platform
        ));
        assert!(may_read(&author, &gone, &Distribution::Platform));
        assert!(may_read(&secretariat(), &gone, &Distribution::Platform));
    }

    #[test]
    fn a_withdrawn_item_cannot_be_edited() {
        let kaz = code("KAZ");
        let s = standing(&kaz, Status::Withdrawn, &AMBER_GROUP);
        assert_eq!(
            after_edit(&user(1, "KAZ", Role::Contributor), &s),
            Err(WorkflowError::Withdrawn)
        );
    }

    #[test]
    fn editing_a_published_item_sends_the_revision_to_review() {
        let kaz = code("KAZ");
        let s = standing(&kaz, Status::Published, &AMBER_GROUP);
        assert_eq!(
            after_edit(&user(1, "KAZ", Role::Contributor), &s),
            Ok(Status::InReview)
        );
        let other = user(7, "KAZ", Role::Contributor);
        assert_eq!(after_edit(&other, &s), Err(WorkflowError::NotEditor));
    }

    #[test]
    fn returning_a_revision_keeps_the_approved_version_published() {
        let kaz = code("KAZ");
        let s = Standing {
            has_published: true,
            ..standing(&kaz, Status::InReview, &AMBER_GROUP)
        };
        let reviewer = user(2, "KAZ", Role::MemberAdmin);
        assert_eq!(
            step(&reviewer, &s, Transition::Return, "fix", None),
            Ok(Status::Published)
        );
        let fresh = standing(&kaz, Status::InReview, &AMBER_GROUP);
        assert_eq!(
            step(&reviewer, &fresh, Transition::Return, "fix", None),
            Ok(Status::Draft)
        );
    }

    #[test]
    fn whoever_wrote_a_version_since_the_last_approval_cannot_approve_it() {
        let kaz = code("KAZ");
        // The author's colleague, an administrator, edited the revision.
        let s = Standing {
            has_published: true,
            latest_version: 3,
            writers: BTreeSet::from([2]),
            ..standing(&kaz, Status::InReview, &AMBER_GROUP)
        };
        let editor = user(2, "KAZ", Role::MemberAdmin);
        assert_eq!(
            step(&editor, &s, Transition::Approve, "", None),
            Err(WorkflowError::WroteSinceApproval)
        );
        assert!(!may_approve(&editor, &s));
        // They may still send it back; another administrator approves.
        assert_eq!(
            step(&editor, &s, Transition::Return, "fix", None),
            Ok(Status::Published)
        );
        let other = user(3, "KAZ", Role::MemberAdmin);
        assert!(may_approve(&other, &s));
        assert_eq!(
            step(&other, &s, Transition::Approve, "", Some(3)),
            Ok(Status::Published)
        );
        // The creator is barred even when only someone else wrote since.
        let author = user(1, "KAZ", Role::MemberAdmin);
        assert_eq!(
            step(&author, &s, Transition::Approve, "", None),
            Err(WorkflowError::OwnApproval)
        );
    }

    #[test]
    fn an_approval_of_a_version_other_than_the_latest_is_refused() {
        let kaz = code("KAZ");
        let s = Standing {
            latest_version: 2,
            ..standing(&kaz, Status::InReview, &AMBER_GROUP)
        };
        let reviewer = user(2, "KAZ", Role::MemberAdmin);
        assert_eq!(
            step(&reviewer, &s, Transition::Approve, "", Some(1)),
            Err(WorkflowError::ChangedSinceRead { read: 1, latest: 2 })
        );
    }

    #[test]
    fn the_reviewer_judges_the_latest_versions_marking() {
        let kaz = code("KAZ");
        // Published CLEAR platform-wide; the revision in review is AMBER.
        let clear = Shared {
            marking: Tlp::Clear,
            with: SharedWith::Platform,
        };
        let s = Standing {
            has_published: true,
            latest_version: 2,
            latest_shared: AMBER_GROUP,
            ..standing(&kaz, Status::InReview, &clear)
        };
        assert_eq!(
            step(&secretariat(), &s, Transition::Approve, "", None),
            Err(WorkflowError::NotReviewer)
        );
        assert!(!may_approve(&secretariat(), &s));
    }
}
