//! Who takes part in a procedure: members (by code and kind), the secretariat
//! and the ombudsperson. Codes and kinds are `accord-core`'s; the procedure's
//! [`Actor`] is the thin view of a [`Principal`] it needs ([`Actor::of`]).

use serde::{Deserialize, Serialize};
use std::fmt;

pub use accord_core::{MemberCode, MemberKind, Principal, Role};

/// A valid member code from a literal (tests, examples, seeds).
///
/// # Panics
/// When `code` is not a valid member code.
pub fn code(code: &str) -> MemberCode {
    MemberCode::parse(code).unwrap_or_else(|_| panic!("{code:?} is not a member code"))
}

/// A member as the procedure needs to know it: enough to decide whether it may
/// propose or decide under a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Participant {
    pub code: MemberCode,
    pub kind: MemberKind,
}

impl Participant {
    pub fn new(code: MemberCode, kind: MemberKind) -> Participant {
        Participant { code, kind }
    }

    /// A regional state from a literal code (panics on an invalid one, see [`code`]).
    pub fn regional_state(c: &str) -> Participant {
        Participant::new(code(c), MemberKind::RegionalState)
    }
}

/// Whoever causes an event. The secretariat runs the procedure (records a
/// departure, withdraws a stale proposal) but never votes; the ombudsperson
/// only brings delisting recommendations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "actor")]
pub enum Actor {
    Member { code: MemberCode, kind: MemberKind },
    Secretariat,
    Ombudsperson,
}

impl Actor {
    /// What `who` does in a procedure: a member user acts for its member,
    /// the secretariat and the ombudsperson act as themselves; the anonymous
    /// (and a platform user of another role) take no part.
    pub fn of(who: &Principal) -> Option<Actor> {
        // The role first: a platform-wide role never acts as a member, even
        // on an account created before such accounts were refused a member.
        match who.role()? {
            Role::SecretariatAdmin => return Some(Actor::Secretariat),
            Role::Ombudsperson => return Some(Actor::Ombudsperson),
            _ => {}
        }
        who.membership().map(|m| Actor::Member {
            code: m.code.clone(),
            kind: m.kind,
        })
    }

    /// A member from a literal code (panics on an invalid one, see [`code`]).
    pub fn member(c: &str, kind: MemberKind) -> Actor {
        Actor::Member {
            code: code(c),
            kind,
        }
    }

    pub fn regional_state(c: &str) -> Actor {
        Actor::member(c, MemberKind::RegionalState)
    }

    pub fn member_code(&self) -> Option<&MemberCode> {
        match self {
            Actor::Member { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Member { code, .. } => write!(f, "{code}"),
            Actor::Secretariat => f.write_str("the secretariat"),
            Actor::Ombudsperson => f.write_str("the ombudsperson"),
        }
    }
}
