//! Who takes part in a procedure: members (by code and kind), the secretariat
//! and the ombudsperson.
//!
//! These mirror `accord-core`'s member vocabulary (same serde names) without
//! depending on it, so the engine stays a leaf crate that the storage layer
//! maps into with `MemberCode::new(core_code.as_str())`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A member's short code (ISO 3166-1 alpha-3 for states, an acronym for
/// organizations). Stored upper-case so "kaz" and "KAZ" are the same decider.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct MemberCode(String);

impl MemberCode {
    pub fn new(code: &str) -> MemberCode {
        MemberCode(code.trim().to_ascii_uppercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for MemberCode {
    fn from(s: String) -> Self {
        MemberCode::new(&s)
    }
}

impl From<&str> for MemberCode {
    fn from(s: &str) -> Self {
        MemberCode::new(s)
    }
}

impl From<MemberCode> for String {
    fn from(c: MemberCode) -> String {
        c.0
    }
}

impl fmt::Display for MemberCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of participant a member is (the same names as `accord-core`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    RegionalState,
    PartnerState,
    PartnerOrganization,
    CivilSociety,
    PrivateSector,
}

/// A member as the procedure needs to know it: enough to decide whether it may
/// propose or decide under a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Participant {
    pub code: MemberCode,
    pub kind: MemberKind,
}

impl Participant {
    pub fn new(code: impl Into<MemberCode>, kind: MemberKind) -> Participant {
        Participant {
            code: code.into(),
            kind,
        }
    }

    pub fn regional_state(code: &str) -> Participant {
        Participant::new(code, MemberKind::RegionalState)
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
    pub fn member(code: &str, kind: MemberKind) -> Actor {
        Actor::Member {
            code: MemberCode::new(code),
            kind,
        }
    }

    pub fn regional_state(code: &str) -> Actor {
        Actor::member(code, MemberKind::RegionalState)
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
