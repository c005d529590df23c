//! The state of one proposal: what is proposed, who decides, where each
//! decider stands and how it ended. Plain data, serializable as a whole so the
//! storage layer can keep it in one row and replace it in a transaction.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use time::OffsetDateTime;

use crate::member::{Actor, MemberCode};
use crate::notice::Record;

/// What is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    List,
    Amend,
    Delist,
    /// An ombudsperson's recommendation to delist, decided by reverse consensus.
    DelistingRecommendation,
}

/// The subject of a proposal (an organization, individual or sponsoring
/// entity), identified by the list's own key. Opaque to the engine: it only
/// prevents two proposals on one subject running at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectRef(pub String);

impl fmt::Display for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A hold placed by one decider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    #[serde(with = "time::serde::rfc3339")]
    pub placed_at: OffsetDateTime,
    /// When the hold lapses unless lifted or extended.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    pub extensions_used: u32,
    pub reason: Option<String>,
}

/// Where one decider stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "position")]
pub enum Position {
    Silent,
    Concurred {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    Objected {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: Option<String>,
    },
    OnHold(Hold),
}

impl Position {
    /// A concurrence or objection is final; silence and a hold are not.
    pub fn is_decided(&self) -> bool {
        matches!(self, Position::Concurred { .. } | Position::Objected { .. })
    }

    pub fn label(&self) -> &'static str {
        match self {
            Position::Silent => "silent",
            Position::Concurred { .. } => "concurred",
            Position::Objected { .. } => "objected",
            Position::OnHold(_) => "on hold",
        }
    }
}

/// Why a proposal was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Rejection {
    /// One or more deciders objected (including holds that lapsed into
    /// objections). `by` is empty in views that may not name deciders.
    Objected {
        count: usize,
        by: Vec<MemberCode>,
    },
    /// Consensus was required and these deciders had not concurred.
    NoConsensus {
        silent: usize,
        by: Vec<MemberCode>,
    },
    QuorumNotReached {
        voted: u32,
        quorum: u32,
    },
    MajorityNotReached {
        concurred: u32,
        objected: u32,
        numerator: u32,
        denominator: u32,
    },
    /// Reverse consensus: every decider asked to keep the listing, so the
    /// delisting recommendation does not take effect.
    ListingMaintainedByConsensus,
}

impl Rejection {
    /// The same reason without naming deciders.
    pub fn anonymous(&self) -> Rejection {
        match self {
            Rejection::Objected { count, .. } => Rejection::Objected {
                count: *count,
                by: Vec::new(),
            },
            Rejection::NoConsensus { silent, .. } => Rejection::NoConsensus {
                silent: *silent,
                by: Vec::new(),
            },
            other => other.clone(),
        }
    }
}

/// Why a proposal lapsed without a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Lapse {
    /// A hold reached its end and the rule says the proposal then lapses.
    HoldLapsed { by: MemberCode },
    /// Every decider left the partnership.
    NoDecidersLeft,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Status {
    /// The decision period is running.
    Open,
    /// The period is over but holds keep the decision pending.
    OnHold {
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
    },
    Adopted {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    Rejected {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        why: Rejection,
    },
    Lapsed {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        why: Lapse,
    },
    Withdrawn {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        by: Actor,
        /// Why (required since reasons were asked; none on older records).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl Status {
    pub fn is_closed(&self) -> bool {
        !matches!(self, Status::Open | Status::OnHold { .. })
    }

    /// When the proposal closed, if it has.
    pub fn closed_at(&self) -> Option<OffsetDateTime> {
        match self {
            Status::Open | Status::OnHold { .. } => None,
            Status::Adopted { at }
            | Status::Rejected { at, .. }
            | Status::Lapsed { at, .. }
            | Status::Withdrawn { at, .. } => Some(*at),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::OnHold { .. } => "on hold",
            Status::Adopted { .. } => "adopted",
            Status::Rejected { .. } => "rejected",
            Status::Lapsed { .. } => "lapsed",
            Status::Withdrawn { .. } => "withdrawn",
        }
    }

    /// The same status without naming deciders.
    pub fn anonymous(&self) -> Status {
        match self {
            Status::Rejected { at, why } => Status::Rejected {
                at: *at,
                why: why.anonymous(),
            },
            other => other.clone(),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How many deciders stand where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    pub deciders: u32,
    pub concurred: u32,
    pub objected: u32,
    pub on_hold: u32,
    pub silent: u32,
}

/// One proposal under one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub kind: ProposalKind,
    pub subject: SubjectRef,
    pub proposer: Actor,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    /// The end of the decision period.
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// The electorate: fixed when the proposal opens (a state that joins
    /// later does not decide on it), shrunk when a decider leaves.
    pub positions: BTreeMap<MemberCode, Position>,
    /// The size of the electorate when the proposal opened.
    pub deciders_at_opening: u32,
    /// Deciders who left the partnership while the proposal ran; their
    /// positions were dropped.
    pub departed: BTreeSet<MemberCode>,
    /// Deciders who have placed a hold. One hold per decider per proposal, so
    /// lifting and placing again cannot keep a proposal pending forever.
    pub holds_used: BTreeSet<MemberCode>,
    pub status: Status,
    /// The time of the latest change; later events are never dated earlier.
    #[serde(with = "time::serde::rfc3339")]
    pub last_change_at: OffsetDateTime,
    /// Everything that happened, in order, with the full detail (reasons,
    /// names). Filter it with the rule's visibility before showing it.
    pub history: Vec<Record>,
}

impl Proposal {
    pub fn is_closed(&self) -> bool {
        self.status.is_closed()
    }

    pub fn position_of(&self, member: &MemberCode) -> Option<&Position> {
        self.positions.get(member)
    }

    pub fn tally(&self) -> Tally {
        let mut tally = Tally {
            deciders: self.positions.len() as u32,
            ..Tally::default()
        };
        for position in self.positions.values() {
            match position {
                Position::Silent => tally.silent += 1,
                Position::Concurred { .. } => tally.concurred += 1,
                Position::Objected { .. } => tally.objected += 1,
                Position::OnHold(_) => tally.on_hold += 1,
            }
        }
        tally
    }

    /// Deciders whose position matches `pred`, in code order.
    pub fn deciders_where(&self, pred: impl Fn(&Position) -> bool) -> Vec<MemberCode> {
        self.positions
            .iter()
            .filter(|(_, p)| pred(p))
            .map(|(code, _)| code.clone())
            .collect()
    }

    /// The active holds, earliest lapse first (ties by code).
    pub fn holds(&self) -> Vec<(&MemberCode, &Hold)> {
        let mut holds: Vec<_> = self
            .positions
            .iter()
            .filter_map(|(code, p)| match p {
                Position::OnHold(hold) => Some((code, hold)),
                _ => None,
            })
            .collect();
        holds.sort_by_key(|(code, hold)| (hold.until, (*code).clone()));
        holds
    }
}
