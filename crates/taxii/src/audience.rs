//! Who a stored STIX object is for: its marking, its owner and how far it
//! is shared — the inputs of the core's one visibility rule, kept beside
//! every stored object so that a collection can select by them and every
//! object served is checked again by [`may_receive`].

use std::collections::BTreeSet;

use accord_core::tlp::Tlp;
use accord_core::{Distribution, MemberCode, Principal, may_see};
use accord_library::{Shared, SharedWith, SharingGroup};

/// How far an object is shared (its distribution before a sharing group is
/// resolved to its current members).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Context every collection carries: Accord's identity and extension
    /// definitions, the TLP marking definitions, the members' identities
    /// (all public facts, TLP:CLEAR).
    Everyone,
    /// The whole partnership, within what the marking opens.
    Platform,
    /// The members named.
    Members(BTreeSet<MemberCode>),
    /// A sharing group, as it is when someone reads.
    Group(i64),
    /// The owner's member only.
    Owner,
}

/// A stored object's audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub marking: Tlp,
    /// The member whose material it is; `None`: the secretariat's.
    pub owner: Option<MemberCode>,
    pub reach: Reach,
}

/// The columns an audience is stored in (see the store's `taxii_objects`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudience {
    /// `everyone`, `platform`, `members`, `group`, `owner`.
    pub reach: &'static str,
    /// The marking's name (`CLEAR` … `RED`).
    pub marking: &'static str,
    pub owner: Option<String>,
    pub group: Option<i64>,
    /// For `members`: the codes between commas (`,kaz,kgz,`), so that a
    /// `LIKE '%,kaz,%'` finds them on either database; else empty.
    pub recipients: String,
}

impl Audience {
    /// The context every collection carries.
    pub fn everyone() -> Audience {
        Audience {
            marking: Tlp::Clear,
            owner: None,
            reach: Reach::Everyone,
        }
    }

    /// The secretariat's public material (the published common list).
    pub fn public() -> Audience {
        Audience {
            marking: Tlp::Clear,
            owner: None,
            reach: Reach::Platform,
        }
    }

    /// A library item's audience, from its approved version.
    pub fn of_item(shared: &Shared, owner: Option<&MemberCode>) -> Audience {
        Audience {
            marking: shared.marking,
            owner: owner.cloned(),
            reach: match &shared.with {
                SharedWith::Platform => Reach::Platform,
                SharedWith::Members { members } => Reach::Members(members.clone()),
                SharedWith::Group { group } => Reach::Group(*group),
                SharedWith::Owner => Reach::Owner,
            },
        }
    }

    /// A text naming the audience, part of the ids of the objects made for
    /// it: an object whose audience changes (marked higher, shared with
    /// fewer) becomes a new object, and the old one is revoked for the old
    /// audience — STIX has no way to take back an object from some of its
    /// readers but revocation, and a revoked id can never come back.
    pub fn key(&self) -> String {
        let reach = match &self.reach {
            Reach::Everyone => "everyone".to_string(),
            Reach::Platform => "platform".to_string(),
            Reach::Members(m) => format!(
                "members:{}",
                m.iter()
                    .map(MemberCode::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Reach::Group(g) => format!("group:{g}"),
            Reach::Owner => "owner".to_string(),
        };
        format!("{}/{reach}", self.marking.as_str())
    }

    /// The distribution `may_see` is asked with (a group as it is now;
    /// `None`: the group is gone, so nobody).
    pub fn distribution(&self, group: Option<&SharingGroup>) -> Distribution {
        match &self.reach {
            Reach::Everyone | Reach::Platform => Distribution::Platform,
            Reach::Members(members) => Distribution::Members {
                members: members.clone(),
            },
            Reach::Group(id) => SharedWith::Group { group: *id }.resolve(group),
            Reach::Owner => Distribution::OwnerOnly,
        }
    }

    pub fn group(&self) -> Option<i64> {
        match self.reach {
            Reach::Group(g) => Some(g),
            _ => None,
        }
    }

    pub fn stored(&self) -> StoredAudience {
        let (reach, recipients) = match &self.reach {
            Reach::Everyone => ("everyone", String::new()),
            Reach::Platform => ("platform", String::new()),
            Reach::Members(m) => (
                "members",
                m.iter().fold(",".to_string(), |mut s, c| {
                    s.push_str(c.as_str());
                    s.push(',');
                    s
                }),
            ),
            Reach::Group(_) => ("group", String::new()),
            Reach::Owner => ("owner", String::new()),
        };
        StoredAudience {
            reach,
            marking: self.marking.as_str(),
            owner: self.owner.as_ref().map(|o| o.as_str().to_string()),
            group: self.group(),
            recipients,
        }
    }

    /// Reads the stored columns back; `None` if they are not an audience
    /// (a row written by a later version: served to nobody).
    pub fn from_stored(
        reach: &str,
        marking: &str,
        owner: Option<&str>,
        group: Option<i64>,
        recipients: &str,
    ) -> Option<Audience> {
        let marking: Tlp = marking.parse().ok()?;
        let owner = match owner {
            Some(o) => Some(MemberCode::parse(o).ok()?),
            None => None,
        };
        let reach = match reach {
            "everyone" => Reach::Everyone,
            "platform" => Reach::Platform,
            "members" => Reach::Members(
                recipients
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(MemberCode::parse)
                    .collect::<Result<_, _>>()
                    .ok()?,
            ),
            "group" => Reach::Group(group?),
            "owner" => Reach::Owner,
            _ => return None,
        };
        Some(Audience {
            marking,
            owner,
            reach,
        })
    }
}

/// Whether `who` may receive an object of this audience: the one
/// visibility rule, asked for every object a collection serves (`group` is
/// the object's sharing group as it is now, if it has one).
pub fn may_receive(who: &Principal, audience: &Audience, group: Option<&SharingGroup>) -> bool {
    match audience.reach {
        Reach::Everyone => true,
        _ => may_see(
            who,
            audience.marking,
            audience.owner.as_ref(),
            &audience.distribution(group),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::member::MemberKind;
    use accord_core::user::Role;

    fn code(c: &str) -> MemberCode {
        MemberCode::parse(c).unwrap()
    }

    fn kaz_analyst() -> Principal {
        Principal::member_user(
            7,
            "kaz.analyst",
            code("kaz"),
            MemberKind::RegionalState,
            Role::Contributor,
        )
    }

    #[test]
    fn audiences_are_stored_and_read_back() {
        let all = [
            Audience::everyone(),
            Audience::public(),
            Audience {
                marking: Tlp::AmberStrict,
                owner: Some(code("kgz")),
                reach: Reach::Members([code("kaz"), code("uzb")].into()),
            },
            Audience {
                marking: Tlp::Red,
                owner: Some(code("kgz")),
                reach: Reach::Group(4),
            },
            Audience {
                marking: Tlp::Green,
                owner: Some(code("tjk")),
                reach: Reach::Owner,
            },
        ];
        for a in all {
            let s = a.stored();
            let back = Audience::from_stored(
                s.reach,
                s.marking,
                s.owner.as_deref(),
                s.group,
                &s.recipients,
            );
            assert_eq!(back.as_ref(), Some(&a), "{s:?}");
        }
        assert_eq!(
            Audience::from_stored("later", "CLEAR", None, None, ""),
            None
        );
    }

    #[test]
    fn a_change_of_marking_or_reach_is_a_new_key() {
        let green = Audience {
            marking: Tlp::Green,
            owner: None,
            reach: Reach::Platform,
        };
        let amber = Audience {
            marking: Tlp::Amber,
            ..green.clone()
        };
        let group = Audience {
            reach: Reach::Group(2),
            ..green.clone()
        };
        assert_ne!(green.key(), amber.key());
        assert_ne!(green.key(), group.key());
        assert_eq!(green.key(), green.clone().key());
    }

    #[test]
    fn objects_are_received_by_the_one_rule() {
        let anonymous = Principal::Anonymous;
        assert!(may_receive(&anonymous, &Audience::public(), None));
        assert!(may_receive(&anonymous, &Audience::everyone(), None));
        let green = Audience {
            marking: Tlp::Green,
            owner: Some(code("kgz")),
            reach: Reach::Platform,
        };
        assert!(!may_receive(&anonymous, &green, None));
        assert!(may_receive(&kaz_analyst(), &green, None));
        let group = SharingGroup {
            id: 3,
            name: "g".into(),
            owner: Some(code("kgz")),
            members: [code("uzb")].into(),
            users: BTreeSet::new(),
        };
        let in_group = Audience {
            marking: Tlp::Amber,
            owner: Some(code("kgz")),
            reach: Reach::Group(3),
        };
        assert!(!may_receive(&kaz_analyst(), &in_group, Some(&group)));
        let with_kaz = SharingGroup {
            members: [code("kaz")].into(),
            ..group
        };
        assert!(may_receive(&kaz_analyst(), &in_group, Some(&with_kaz)));
        assert!(
            !may_receive(&kaz_analyst(), &in_group, None),
            "a group that is gone"
        );
    }
}
