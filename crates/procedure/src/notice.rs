//! What happened in a procedure, and who must be told.
//!
//! The engine only describes; the platform turns notices into e-mails, web
//! notifications and audit entries. Every notice carries its audience,
//! derived from the rule's visibility, so a notifier cannot leak who placed a
//! hold by mistake.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::member::{Actor, MemberCode};
use crate::proposal::{Lapse, Position, Rejection};
use crate::rule::{OnHoldLapse, Visibility};

/// One thing that happened to a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Happened {
    Opened {
        by: Actor,
        #[serde(with = "time::serde::rfc3339")]
        deadline: OffsetDateTime,
        /// Working days until the deadline, when the period is counted in them.
        working_days: Option<u32>,
        deciders: Vec<MemberCode>,
    },
    Concurred {
        by: MemberCode,
    },
    Objected {
        by: MemberCode,
        reason: Option<String>,
    },
    HoldPlaced {
        by: MemberCode,
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
        reason: Option<String>,
    },
    HoldExtended {
        by: MemberCode,
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
    },
    HoldLifted {
        by: MemberCode,
    },
    HoldLapsed {
        by: MemberCode,
        effect: OnHoldLapse,
    },
    /// A decider left the partnership; its position no longer counts.
    DeciderLeft {
        member: MemberCode,
        dropped: Position,
    },
    /// A reminder that the deadline is near. Not part of the history: it
    /// changes nothing, see [`crate::reminders_due`].
    DeadlineNear {
        working_days_left: u32,
        #[serde(with = "time::serde::rfc3339")]
        deadline: OffsetDateTime,
    },
    /// The decision period ended with holds still in place.
    PeriodEndedOnHold {
        holds: Vec<MemberCode>,
    },
    Adopted,
    Rejected {
        why: Rejection,
    },
    Lapsed {
        why: Lapse,
    },
    Withdrawn {
        by: Actor,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl Happened {
    /// The decider whose own position this is about, if any.
    pub fn decider(&self) -> Option<&MemberCode> {
        match self {
            Happened::Concurred { by }
            | Happened::Objected { by, .. }
            | Happened::HoldPlaced { by, .. }
            | Happened::HoldExtended { by, .. }
            | Happened::HoldLifted { by }
            | Happened::HoldLapsed { by, .. } => Some(by),
            Happened::DeciderLeft { member, .. } => Some(member),
            _ => None,
        }
    }

    /// Whether this names a decider's individual position.
    pub(crate) fn names_a_position(&self) -> bool {
        matches!(
            self,
            Happened::Concurred { .. }
                | Happened::Objected { .. }
                | Happened::HoldPlaced { .. }
                | Happened::HoldExtended { .. }
                | Happened::HoldLifted { .. }
                | Happened::HoldLapsed { .. }
                | Happened::DeciderLeft { .. }
        )
    }

    /// The same event without the names of deciders, for audiences that may
    /// see outcomes but not who decided what.
    pub fn anonymous(&self) -> Happened {
        match self {
            Happened::Rejected { why } => Happened::Rejected {
                why: why.anonymous(),
            },
            Happened::PeriodEndedOnHold { .. } => Happened::PeriodEndedOnHold { holds: Vec::new() },
            other => other.clone(),
        }
    }
}

/// An entry in a proposal's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub what: Happened,
}

/// Who must be told. The secretariat is always told everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Everyone taking part: the proposer, the deciders, the secretariat.
    Everyone,
    /// The deciders and the secretariat.
    Deciders,
    /// The secretariat only.
    Secretariat,
}

/// Something members must be told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub audience: Audience,
    pub what: Happened,
}

/// The notices for one record under a visibility setting: outcomes go to
/// everyone (anonymised where positions are confidential); individual
/// positions go only to whoever may see them, in full.
pub fn notices_for(record: &Record, visibility: Visibility) -> Vec<Notice> {
    let notice = |audience, what| Notice {
        at: record.at,
        audience,
        what,
    };
    if record.what.names_a_position() {
        let audience = match visibility {
            Visibility::Open => Audience::Everyone,
            Visibility::DecidersOnly => Audience::Deciders,
            Visibility::SecretariatOnly => Audience::Secretariat,
        };
        return vec![notice(audience, record.what.clone())];
    }
    let public = match visibility {
        Visibility::Open => record.what.clone(),
        _ => record.what.anonymous(),
    };
    let mut notices = vec![notice(Audience::Everyone, public.clone())];
    if public != record.what {
        let inner = match visibility {
            Visibility::DecidersOnly => Audience::Deciders,
            _ => Audience::Secretariat,
        };
        notices.push(notice(inner, record.what.clone()));
    }
    notices
}
