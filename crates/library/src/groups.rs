//! Sharing groups: named sets of members, and of users named individually
//! (TLP:RED is for named recipients), kept by their owner. An item shared
//! with a group reaches the group as it is when someone reads; an empty
//! group reaches nobody.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;

use accord_core::validation::{self, Invalid};
use accord_core::{Action, MemberCode, Principal, authorize};

use crate::item::{members, push};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingGroup {
    pub id: i64,
    pub name: String,
    /// The member whose administrators keep it; `None`: the secretariat's.
    pub owner: Option<MemberCode>,
    pub members: BTreeSet<MemberCode>,
    /// Users named individually, by id.
    pub users: BTreeSet<i64>,
}

impl SharingGroup {
    /// Who may change or delete it: the platform's one policy says (its
    /// owner's administrators and the secretariat).
    pub fn may_manage(&self, who: &Principal) -> bool {
        authorize(who, &self.keeping()).is_ok()
    }

    /// The action changing or deleting it is, for the policy to decide.
    pub fn keeping(&self) -> Action {
        Action::KeepGroupOrCampaign {
            owner: self.owner.clone(),
        }
    }

    /// Who may share an item with the group: users of its owner and of its
    /// members, users it names, and the secretariat.
    pub fn may_share_with(&self, who: &Principal) -> bool {
        who.is_secretariat()
            || who
                .member()
                .is_some_and(|m| self.owner.as_ref() == Some(m) || self.members.contains(m))
            || who.user_id().is_some_and(|u| self.users.contains(&u))
    }
}

/// Why a sharing group or a campaign is not deleted: items still use it.
/// Deleting a group would silently change who reads its items (a missing
/// group shares with nobody); deleting a campaign would orphan its items
/// and their reach.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InUse {
    #[error(
        "the sharing group is used by {items} item(s): deleting it would change who reads them; share them otherwise first"
    )]
    Group { items: usize },
    #[error("the campaign has {items} item(s): move them to another campaign or out of it first")]
    Campaign { items: usize },
}

/// A group as a form or an API client writes it: members by code, users by
/// user name (the store resolves them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingGroupInput {
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "words")]
    pub members: Vec<String>,
    #[serde(default, deserialize_with = "words")]
    pub users: Vec<String>,
}

/// A group's checked fields; users are still names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedGroup {
    pub name: String,
    pub members: BTreeSet<MemberCode>,
    pub users: BTreeSet<String>,
}

impl SharingGroupInput {
    pub fn validate(&self) -> Result<CheckedGroup, Invalid> {
        let mut errors = Vec::new();
        let name = validation::name("name", &self.name, true, 120)
            .map_err(|e| errors.extend(e.errors))
            .unwrap_or_default();
        let members = members(&mut errors, "members", &self.members);
        let mut users = BTreeSet::new();
        for u in &self.users {
            let u = u.trim();
            if u.is_empty()
                || u.len() > 64
                || u.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                push(&mut errors, "users", format!("{u} is not a user name"));
            } else {
                users.insert(u.to_string());
            }
        }
        if errors.is_empty() {
            Ok(CheckedGroup {
                name,
                members,
                users,
            })
        } else {
            Err(Invalid { errors })
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ListOrText {
    List(Vec<String>),
    Text(String),
}

fn words<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match ListOrText::deserialize(d)? {
        ListOrText::List(v) => v,
        ListOrText::Text(t) => t
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::Role;

    #[test]
    fn a_group_names_members_and_users() {
        let g: SharingGroupInput = serde_urlencoded::from_str(
            "name=Prisons+working+group&members=KAZ+KGZ&users=tjk.analyst",
        )
        .unwrap();
        let checked = g.validate().unwrap();
        assert_eq!(checked.members.len(), 2);
        assert!(checked.users.contains("tjk.analyst"));
    }

    #[test]
    fn an_unknown_member_and_a_blank_name_are_refused() {
        let g = SharingGroupInput {
            name: " ".into(),
            members: vec!["XXX".into()],
            users: vec![],
        };
        let fields: Vec<_> = g
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "members"]);
    }

    #[test]
    fn only_the_owners_administrators_and_the_secretariat_manage_it() {
        let kaz = MemberCode::parse("KAZ").unwrap();
        let g = SharingGroup {
            id: 1,
            name: "g".into(),
            owner: Some(kaz.clone()),
            members: BTreeSet::new(),
            users: BTreeSet::new(),
        };
        let kind = accord_core::seed::kind_of("KAZ").unwrap();
        assert!(g.may_manage(&Principal::member_user(
            1,
            "a",
            kaz.clone(),
            kind,
            Role::MemberAdmin
        )));
        assert!(!g.may_manage(&Principal::member_user(
            2,
            "c",
            kaz,
            kind,
            Role::Contributor
        )));
        assert!(g.may_manage(&Principal::platform_user(3, "s", Role::SecretariatAdmin)));
    }
}
