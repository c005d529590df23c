//! What one viewer sees of a proposal at a given moment.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

use crate::engine::{Action, Event, advance, apply};
use crate::member::{Actor, MemberCode};
use crate::notice::Record;
use crate::proposal::{Position, Proposal, ProposalKind, Status, SubjectRef, Tally};
use crate::rule::{Rule, Visibility};
use crate::working_days;

/// What the proposal is waiting for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Waiting {
    /// The decision period is running.
    Deadline,
    /// The period is over; the decision waits for holds, at the latest until
    /// the last of them lapses.
    HoldsLapse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLeft {
    pub waiting: Waiting,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// `until` in the deadline zone, for display with `zone_label`.
    #[serde(with = "time::serde::rfc3339")]
    pub until_local: OffsetDateTime,
    pub seconds: i64,
    /// Working days after today up to and including the last day.
    pub working_days: u32,
}

/// The kinds of action a viewer can take right now (for buttons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Concur,
    Object,
    PlaceHold,
    ExtendHold,
    LiftHold,
    Withdraw,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    pub kind: ProposalKind,
    pub subject: SubjectRef,
    pub proposer: Actor,
    pub rule_name: String,
    /// Names deciders only if the viewer may see positions.
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline_local: OffsetDateTime,
    pub zone_label: String,
    pub time_left: Option<TimeLeft>,
    pub tally: Tally,
    pub deciders_at_opening: u32,
    pub departed: Vec<MemberCode>,
    /// Every decider's position, if the rule lets this viewer see them.
    pub positions: Option<BTreeMap<MemberCode, Position>>,
    /// The viewer's own position, if it decides.
    pub own_position: Option<Position>,
    /// The history this viewer may see.
    pub history: Vec<Record>,
    pub available_actions: Vec<ActionKind>,
}

/// The proposal as `viewer` should see it at `now`: brought up to date first
/// (so a lagging background task never shows a stale status), then filtered
/// by the rule's visibility.
pub fn view(rule: &Rule, proposal: &Proposal, viewer: &Actor, now: OffsetDateTime) -> ProposalView {
    let (current, _) = advance(rule, proposal, now);
    let own_code = viewer.member_code();
    let sees_positions = match (viewer, rule.visibility) {
        (Actor::Secretariat, _) | (_, Visibility::Open) => true,
        // A state that left the partnership no longer sees its partners' positions.
        (Actor::Member { code, .. }, Visibility::DecidersOnly) => {
            current.positions.contains_key(code)
        }
        _ => false,
    };
    let history = current
        .history
        .iter()
        .filter_map(|record| {
            let own = own_code.is_some() && record.what.decider() == own_code;
            if sees_positions || own {
                Some(record.clone())
            } else if record.what.names_a_position() {
                None
            } else {
                Some(Record {
                    at: record.at,
                    what: record.what.anonymous(),
                })
            }
        })
        .collect();
    ProposalView {
        kind: current.kind,
        subject: current.subject.clone(),
        proposer: current.proposer.clone(),
        rule_name: rule.name.clone(),
        status: if sees_positions {
            current.status.clone()
        } else {
            current.status.anonymous()
        },
        opened_at: current.opened_at,
        deadline: current.deadline,
        deadline_local: rule.zone.local(current.deadline),
        zone_label: rule.zone.label.clone(),
        time_left: time_left(rule, &current, now),
        tally: current.tally(),
        deciders_at_opening: current.deciders_at_opening,
        departed: current.departed.iter().cloned().collect(),
        positions: sees_positions.then(|| current.positions.clone()),
        own_position: own_code.and_then(|code| current.positions.get(code).cloned()),
        history,
        available_actions: available_actions(rule, &current, viewer, now),
    }
}

fn time_left(rule: &Rule, proposal: &Proposal, now: OffsetDateTime) -> Option<TimeLeft> {
    let (waiting, until) = match proposal.status {
        Status::Open => (Waiting::Deadline, proposal.deadline),
        Status::OnHold { .. } => (
            Waiting::HoldsLapse,
            proposal.holds().iter().map(|(_, hold)| hold.until).max()?,
        ),
        _ => return None,
    };
    Some(TimeLeft {
        waiting,
        until,
        until_local: rule.zone.local(until),
        seconds: (until - now).whole_seconds().max(0),
        working_days: working_days::between(
            rule.zone.local_date(now),
            rule.zone.local_date(until),
            &rule.calendar,
        ),
    })
}

/// The actions `actor` could take at `now`, found by trying each one: the
/// buttons then can never disagree with what the engine accepts.
pub fn available_actions(
    rule: &Rule,
    proposal: &Proposal,
    actor: &Actor,
    now: OffsetDateTime,
) -> Vec<ActionKind> {
    let reason = || Some("reason".to_owned());
    [
        (ActionKind::Concur, Action::Concur),
        (ActionKind::Object, Action::Object { reason: reason() }),
        (
            ActionKind::PlaceHold,
            Action::PlaceHold { reason: reason() },
        ),
        (ActionKind::ExtendHold, Action::ExtendHold),
        (ActionKind::LiftHold, Action::LiftHold),
        (ActionKind::Withdraw, Action::Withdraw { reason: reason() }),
    ]
    .into_iter()
    .filter(|(_, action)| {
        let event = Event {
            by: actor.clone(),
            action: action.clone(),
        };
        apply(rule, proposal, event, now).is_ok()
    })
    .map(|(kind, _)| kind)
    .collect()
}
