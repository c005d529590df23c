//! The collections, by audience: which a principal sees, and what each
//! selects from the stored objects.
//!
//! | collection | who sees it | what it holds |
//! | --- | --- | --- |
//! | public | everyone, signed in or not | TLP:CLEAR shared platform-wide: the common list, public library items |
//! | partnership | every signed-in user | everything shared platform-wide that their marking opens to them |
//! | sharing group | the group's members and named users (and the secretariat) | what is shared with the group, as its marking allows |
//! | member | the member's users (the secretariat: every member's) | the member's own material, and what others shared with it by name |
//! | inbox | the member's contributors | nothing to read: posted reports and notes become draft library items |
//!
//! Every collection also carries the context objects ([`Reach::Everyone`]).
//! What a collection selects is only where to look: every object served is
//! checked again with [`crate::audience::may_receive`].

use accord_core::tlp::Tlp;
use accord_core::{Action, Distribution, MemberCode, Principal, authorize, may_see};
use accord_library::SharingGroup;
use serde_json::{Value, json};

use crate::{STIX_MEDIA_TYPE, accord_uuid};

/// One collection of the API root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collection {
    Public,
    Partnership,
    Group { id: i64, name: String },
    Member { code: MemberCode, name: String },
    Inbox { code: MemberCode, name: String },
}

/// What a readable collection selects, besides the context objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Objects shared platform-wide with one of these markings.
    Platform { markings: Vec<Tlp> },
    /// Objects shared with the group, with one of these markings.
    Group { id: i64, markings: Vec<Tlp> },
    /// The member's own objects (any marking, any reach), and objects
    /// shared with it by name with one of these markings.
    Member {
        code: MemberCode,
        named_markings: Vec<Tlp>,
    },
}

const ALL_MARKINGS: [Tlp; 5] = [
    Tlp::Clear,
    Tlp::Green,
    Tlp::Amber,
    Tlp::AmberStrict,
    Tlp::Red,
];

/// The markings `who` may see for material of no member's shared with
/// `distribution`: the marking half of a selection.
fn markings_open(who: &Principal, distribution: &Distribution) -> Vec<Tlp> {
    ALL_MARKINGS
        .into_iter()
        .filter(|m| may_see(who, *m, None, distribution))
        .collect()
}

/// Whether `who` is in a sharing group (or runs the platform).
fn in_group(who: &Principal, group: &SharingGroup) -> bool {
    who.is_secretariat()
        || who.member().is_some_and(|m| group.members.contains(m))
        || who.user_id().is_some_and(|id| group.users.contains(&id))
}

impl Collection {
    /// The collection's id: a UUIDv5 of what it is, the same on every node.
    pub fn id(&self) -> String {
        let name = match self {
            Collection::Public => "collection:public".to_string(),
            Collection::Partnership => "collection:partnership".to_string(),
            Collection::Group { id, .. } => format!("collection:group:{id}"),
            Collection::Member { code, .. } => format!("collection:member:{}", code.as_str()),
            Collection::Inbox { code, .. } => format!("collection:inbox:{}", code.as_str()),
        };
        accord_uuid(&name).to_string()
    }

    pub fn can_read(&self) -> bool {
        !matches!(self, Collection::Inbox { .. })
    }

    pub fn can_write(&self) -> bool {
        matches!(self, Collection::Inbox { .. })
    }

    /// The member whose inbox this is.
    pub fn inbox_of(&self) -> Option<&MemberCode> {
        match self {
            Collection::Inbox { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn title(&self) -> String {
        match self {
            Collection::Public => "Accord: public (TLP:CLEAR)".into(),
            Collection::Partnership => "Accord: the partnership".into(),
            Collection::Group { name, .. } => format!("Accord: sharing group {name}"),
            Collection::Member { name, .. } => format!("Accord: {name}"),
            Collection::Inbox { name, .. } => format!("Accord: inbox of {name}"),
        }
    }

    pub fn description(&self) -> String {
        match self {
            Collection::Public => "The published common list and the library's public items: TLP:CLEAR, shared platform-wide.".into(),
            Collection::Partnership => "Everything shared platform-wide whose TLP marking is open to you: the public objects, TLP:GREEN, and TLP:AMBER for the partnership's parties.".into(),
            Collection::Group { name, .. } => format!("Library items shared with the sharing group {name}, as their markings allow."),
            Collection::Member { name, .. } => format!("The library items of {name}, and those others shared with {name} by name."),
            Collection::Inbox { name, .. } => format!("Post STIX reports and notes here: each becomes a draft library item of {name} for review, never published directly."),
        }
    }

    /// The collection resource (TAXII 2.1, 5.2).
    pub fn resource(&self) -> Value {
        json!({
            "id": self.id(),
            "title": self.title(),
            "description": self.description(),
            "can_read": self.can_read(),
            "can_write": self.can_write(),
            "media_types": [STIX_MEDIA_TYPE],
        })
    }

    /// What the collection selects for `who` (`group`: the group of a group
    /// collection, as it is now); `None` for a collection not read.
    pub fn selection(&self, who: &Principal, group: Option<&SharingGroup>) -> Option<Selection> {
        match self {
            Collection::Public => Some(Selection::Platform {
                markings: vec![Tlp::Clear],
            }),
            Collection::Partnership => Some(Selection::Platform {
                markings: markings_open(who, &Distribution::Platform),
            }),
            Collection::Group { id, .. } => {
                let distribution = accord_library::SharedWith::Group { group: *id }.resolve(group);
                Some(Selection::Group {
                    id: *id,
                    markings: markings_open(who, &distribution),
                })
            }
            Collection::Member { code, .. } => Some(Selection::Member {
                code: code.clone(),
                named_markings: markings_open(
                    who,
                    &Distribution::Members {
                        members: [code.clone()].into(),
                    },
                ),
            }),
            Collection::Inbox { .. } => None,
        }
    }
}

/// The collections `who` sees, in a stable order: public, partnership,
/// the sharing groups they are in, their member's (every member's for the
/// secretariat), and their member's inbox if they may contribute.
/// `members` are the members' codes and names.
pub fn collections_for(
    who: &Principal,
    groups: &[SharingGroup],
    members: &[(MemberCode, String)],
) -> Vec<Collection> {
    let mut out = vec![Collection::Public];
    if !who.is_signed_in() {
        return out;
    }
    out.push(Collection::Partnership);
    for g in groups.iter().filter(|g| in_group(who, g)) {
        out.push(Collection::Group {
            id: g.id,
            name: g.name.clone(),
        });
    }
    for (code, name) in members {
        if who.is_secretariat() || who.is_of(code) {
            out.push(Collection::Member {
                code: code.clone(),
                name: name.clone(),
            });
        }
    }
    if let Some(code) = who.member()
        && authorize(who, &Action::ContributeToLibrary).is_ok()
    {
        let name = members
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.as_str().to_uppercase(), |(_, n)| n.clone());
        out.push(Collection::Inbox {
            code: code.clone(),
            name,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::member::MemberKind;
    use accord_core::user::Role;
    use std::collections::BTreeSet;

    fn code(c: &str) -> MemberCode {
        MemberCode::parse(c).unwrap()
    }

    fn members() -> Vec<(MemberCode, String)> {
        vec![
            (code("kaz"), "Kazakhstan".into()),
            (code("kgz"), "Kyrgyzstan".into()),
            (code("usa"), "United States".into()),
        ]
    }

    fn groups() -> Vec<SharingGroup> {
        vec![SharingGroup {
            id: 5,
            name: "Border".into(),
            owner: Some(code("kgz")),
            members: [code("kaz"), code("kgz")].into(),
            users: BTreeSet::new(),
        }]
    }

    #[test]
    fn the_anonymous_see_the_public_collection_alone() {
        let seen = collections_for(&Principal::Anonymous, &groups(), &members());
        assert_eq!(seen, vec![Collection::Public]);
        assert_eq!(
            seen[0].selection(&Principal::Anonymous, None),
            Some(Selection::Platform {
                markings: vec![Tlp::Clear]
            })
        );
    }

    #[test]
    fn a_member_user_sees_its_groups_its_member_and_its_inbox() {
        let kaz = Principal::member_user(
            1,
            "kaz.analyst",
            code("kaz"),
            MemberKind::RegionalState,
            Role::Contributor,
        );
        let titles: Vec<String> = collections_for(&kaz, &groups(), &members())
            .iter()
            .map(Collection::title)
            .collect();
        assert_eq!(
            titles,
            [
                "Accord: public (TLP:CLEAR)",
                "Accord: the partnership",
                "Accord: sharing group Border",
                "Accord: Kazakhstan",
                "Accord: inbox of Kazakhstan"
            ]
        );
        let usa = Principal::member_user(
            2,
            "usa.reader",
            code("usa"),
            MemberKind::PartnerState,
            Role::Reader,
        );
        let seen = collections_for(&usa, &groups(), &members());
        assert_eq!(seen.len(), 3, "no group, no inbox for a viewer: {seen:?}");
    }

    #[test]
    fn the_partnership_opens_amber_to_parties_only() {
        let party =
            Principal::member_user(1, "k", code("kaz"), MemberKind::RegionalState, Role::Reader);
        let Some(Selection::Platform { markings }) =
            Collection::Partnership.selection(&party, None)
        else {
            panic!()
        };
        assert_eq!(markings, vec![Tlp::Clear, Tlp::Green, Tlp::Amber]);
        let platform_user = Principal::platform_user(3, "ombud", Role::Ombudsperson);
        let Some(Selection::Platform { markings }) =
            Collection::Partnership.selection(&platform_user, None)
        else {
            panic!()
        };
        assert_eq!(markings, vec![Tlp::Clear, Tlp::Green]);
    }

    #[test]
    fn collection_ids_are_stable_and_distinct() {
        let all = [
            Collection::Public,
            Collection::Partnership,
            Collection::Group {
                id: 5,
                name: "x".into(),
            },
            Collection::Member {
                code: code("kaz"),
                name: "x".into(),
            },
            Collection::Inbox {
                code: code("kaz"),
                name: "x".into(),
            },
        ];
        let ids: BTreeSet<String> = all.iter().map(Collection::id).collect();
        assert_eq!(ids.len(), all.len());
        assert_eq!(Collection::Public.id(), Collection::Public.id());
        assert!(all.iter().all(|c| c.can_read() != c.can_write()));
    }
}
