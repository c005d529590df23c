//! Shared fixtures: a few regional states, the default rule, shorthands.
#![allow(dead_code)]

use accord_procedure::*;
use time::OffsetDateTime;
use time::macros::datetime;

/// Monday 3 March 2025, 10:00 UTC (05:00 in New York, before summer time).
pub const MONDAY: OffsetDateTime = datetime!(2025-03-03 10:00 UTC);

/// Ten working days after Monday 3 March is Monday 17 March; 15:00 New York
/// summer time (from 9 March) is 19:00 UTC.
pub const DEFAULT_DEADLINE: OffsetDateTime = datetime!(2025-03-17 19:00 UTC);

pub const STATES: [&str; 4] = ["KAZ", "KGZ", "TJK", "UZB"];

pub fn members() -> Vec<Participant> {
    let mut members: Vec<Participant> = STATES
        .iter()
        .map(|c| Participant::regional_state(c))
        .collect();
    members.push(Participant::new(code("USA"), MemberKind::PartnerState));
    members
}

pub fn state(code: &str) -> Actor {
    Actor::regional_state(code)
}

pub fn listing(subject: &str, proposer: &str) -> Opening {
    Opening {
        kind: ProposalKind::List,
        subject: SubjectRef(subject.to_owned()),
        proposer: state(proposer),
    }
}

/// Opens a listing of "ORG-1" proposed by Kazakhstan on Monday.
pub fn opened(rule: &Rule) -> Proposal {
    open(rule, listing("ORG-1", "KAZ"), &members(), &[], MONDAY)
        .expect("opens")
        .0
}

pub fn act(
    rule: &Rule,
    proposal: &Proposal,
    by: &str,
    action: Action,
    now: OffsetDateTime,
) -> Result<Proposal, ProcedureError> {
    let by = if by == "SECRETARIAT" {
        Actor::Secretariat
    } else {
        state(by)
    };
    apply(rule, proposal, Event { by, action }, now).map(|(p, _)| p)
}

pub fn concur(rule: &Rule, proposal: &Proposal, by: &str, now: OffsetDateTime) -> Proposal {
    act(rule, proposal, by, Action::Concur, now).expect("concurrence accepted")
}

pub fn object(reason: &str) -> Action {
    Action::Object {
        reason: Some(reason.to_owned()),
    }
}

pub fn withdraw(reason: &str) -> Action {
    Action::Withdraw {
        reason: Some(reason.to_string()),
    }
}

pub fn hold(reason: &str) -> Action {
    Action::PlaceHold {
        reason: Some(reason.to_owned()),
    }
}

pub fn at(rule: &Rule, proposal: &Proposal, now: OffsetDateTime) -> Proposal {
    advance(rule, proposal, now).0
}
