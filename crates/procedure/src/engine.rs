//! The transitions: open a proposal, apply an event, let time pass.
//!
//! Each is a pure function of (rule, proposal, event, now): no clock, no I/O.
//! The storage layer loads a proposal, calls one of these inside a
//! transaction and writes the result back, which serializes concurrent votes;
//! a background task calls [`advance`] so deadlines are enforced by the
//! server, and because `advance` replays every expiry in time order, a server
//! that was down for a week reaches the same state it would have reached
//! running all along.

use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

use crate::error::ProcedureError;
use crate::member::{Actor, MemberCode, Participant};
use crate::notice::{Happened, Notice, Record, notices_for};
use crate::proposal::{
    Hold, Lapse, Position, Proposal, ProposalKind, Rejection, Status, SubjectRef, Tally,
};
use crate::rule::{DecisionRule, OnHoldLapse, Rule};
use crate::working_days::{self, Span, deadline_after};

/// A request to open a proposal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Opening {
    pub kind: ProposalKind,
    pub subject: SubjectRef,
    pub proposer: Actor,
}

/// What a decider, the proposer or the secretariat does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    Concur,
    /// Under reverse consensus, objecting means asking to keep the listing.
    Object {
        reason: Option<String>,
    },
    PlaceHold {
        reason: Option<String>,
    },
    ExtendHold,
    LiftHold,
    /// By the proposer or the secretariat, with the reason the states are
    /// told (required; a record written before reasons were asked has none).
    Withdraw {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Recorded by the secretariat when a decider leaves the partnership.
    MemberLeft {
        member: MemberCode,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub by: Actor,
    pub action: Action,
}

/// The new state and what members must be told.
pub type Transition = (Proposal, Vec<Notice>);

/// Opens a proposal at `now`.
///
/// `members` are the partnership's current members; those the rule names as
/// deciders become the electorate. `pending` are the other proposals on the
/// same subject (closed ones are ignored), so a subject never has two
/// proposals running; bring them up to date with [`advance`] under their own
/// rules first, or one whose deadline passed unnoticed will still block. A proposer that is itself a decider is recorded as
/// concurring: proposing is the strongest form of support.
pub fn open(
    rule: &Rule,
    opening: Opening,
    members: &[Participant],
    pending: &[Proposal],
    now: OffsetDateTime,
) -> Result<Transition, ProcedureError> {
    rule.validate()?;
    let reverse = opening.kind == ProposalKind::DelistingRecommendation;
    if reverse != (rule.decision == DecisionRule::ReverseConsensus) {
        return Err(ProcedureError::KindDoesNotFitRule { kind: opening.kind });
    }
    let may_propose = match &opening.proposer {
        Actor::Member { code, kind } => rule.proposers.members.contains(&Participant {
            code: code.clone(),
            kind: *kind,
        }),
        Actor::Ombudsperson => rule.proposers.ombudsperson,
        Actor::Secretariat => false,
    };
    if !may_propose {
        return Err(ProcedureError::NotAllowedToPropose {
            actor: opening.proposer.to_string(),
            rule: rule.name.clone(),
        });
    }
    if let Some(other) = pending
        .iter()
        .find(|p| p.subject == opening.subject && !p.is_closed())
    {
        return Err(ProcedureError::SubjectAlreadyPending {
            subject: other.subject.clone(),
            opened_at: other.opened_at,
        });
    }
    let mut positions: BTreeMap<MemberCode, Position> = members
        .iter()
        .filter(|m| rule.deciders.contains(m))
        .map(|m| (m.code.clone(), Position::Silent))
        .collect();
    if positions.is_empty() {
        return Err(ProcedureError::NoDeciders);
    }
    if let Some(code) = opening.proposer.member_code()
        && let Some(position) = positions.get_mut(code)
    {
        *position = Position::Concurred { at: now };
    }

    let deadline = deadline_after(now, rule.period, &rule.calendar, &rule.zone);
    let working_days = match rule.period {
        Span::WorkingDays(n) => Some(n),
        _ => None,
    };
    let mut proposal = Proposal {
        kind: opening.kind,
        subject: opening.subject,
        proposer: opening.proposer.clone(),
        opened_at: now,
        deadline,
        deciders_at_opening: positions.len() as u32,
        positions,
        departed: BTreeSet::new(),
        holds_used: BTreeSet::new(),
        status: Status::Open,
        last_change_at: now,
        history: Vec::new(),
    };
    let deciders = proposal.positions.keys().cloned().collect();
    let mut log = Log::default();
    log.add(
        &mut proposal,
        now,
        Happened::Opened {
            by: opening.proposer,
            deadline,
            working_days,
            deciders,
        },
    );
    settle(rule, &mut proposal, now, &mut log);
    let notices = log.notices(rule);
    Ok((proposal, notices))
}

/// Applies every deadline and hold expiry that has passed by `now`, in time
/// order, each at its own instant. Idempotent, and `advance(advance(p, t1),
/// t2) == advance(p, t2)` for `t1 <= t2`.
pub fn advance(rule: &Rule, proposal: &Proposal, now: OffsetDateTime) -> Transition {
    let mut proposal = proposal.clone();
    let mut log = Log::default();
    advance_in_place(rule, &mut proposal, now, &mut log);
    let notices = log.notices(rule);
    (proposal, notices)
}

/// Applies one event at `now`, after first letting time pass up to `now`
/// (so a vote that arrives after the deadline is refused even if the
/// background task has not run yet). On error nothing changes; a closed
/// proposal refuses every event.
///
/// `now` is taken as no earlier than the proposal's last change, so a node
/// whose clock lags slightly behind another's cannot date an event before
/// one already recorded.
pub fn apply(
    rule: &Rule,
    proposal: &Proposal,
    event: Event,
    now: OffsetDateTime,
) -> Result<Transition, ProcedureError> {
    let now = now.max(proposal.last_change_at);
    let mut proposal = proposal.clone();
    let mut log = Log::default();
    advance_in_place(rule, &mut proposal, now, &mut log);

    match event.action {
        Action::Withdraw { reason } => withdraw(&mut proposal, event.by, reason, now, &mut log)?,
        Action::MemberLeft { member } => {
            member_left(&mut proposal, &event.by, member, now, &mut log)?
        }
        action => decide(rule, &mut proposal, &event.by, action, now, &mut log)?,
    }
    settle(rule, &mut proposal, now, &mut log);
    let notices = log.notices(rule);
    Ok((proposal, notices))
}

fn withdraw(
    proposal: &mut Proposal,
    by: Actor,
    reason: Option<String>,
    now: OffsetDateTime,
    log: &mut Log,
) -> Result<(), ProcedureError> {
    let is_proposer = match (&by, &proposal.proposer) {
        (Actor::Member { code: a, .. }, Actor::Member { code: b, .. }) => a == b,
        (a, b) => a == b,
    };
    if !(is_proposer || by == Actor::Secretariat) {
        return Err(ProcedureError::NotAllowedToWithdraw);
    }
    refuse_if_closed(proposal)?;
    // The states were asked to decide: they are told why they no longer are.
    let reason = reason_for(reason, true, "a withdrawal")?;
    proposal.status = Status::Withdrawn {
        at: now,
        by: by.clone(),
        reason: reason.clone(),
    };
    log.add(proposal, now, Happened::Withdrawn { by, reason });
    Ok(())
}

fn member_left(
    proposal: &mut Proposal,
    by: &Actor,
    member: MemberCode,
    now: OffsetDateTime,
    log: &mut Log,
) -> Result<(), ProcedureError> {
    if *by != Actor::Secretariat {
        return Err(ProcedureError::SecretariatOnly {
            what: "a member left the partnership",
        });
    }
    refuse_if_closed(proposal)?;
    if proposal.departed.contains(&member) {
        return Err(ProcedureError::DeciderLeft { member });
    }
    let Some(dropped) = proposal.positions.remove(&member) else {
        return Err(ProcedureError::NotADecider { member });
    };
    proposal.departed.insert(member.clone());
    log.add(proposal, now, Happened::DeciderLeft { member, dropped });
    Ok(())
}

/// A decider's own action: concur, object, or work a hold.
fn decide(
    rule: &Rule,
    proposal: &mut Proposal,
    by: &Actor,
    action: Action,
    now: OffsetDateTime,
    log: &mut Log,
) -> Result<(), ProcedureError> {
    let Some(member) = by.member_code().cloned() else {
        return Err(ProcedureError::NotAMember {
            actor: by.to_string(),
        });
    };
    let Some(position) = proposal.positions.get(&member).cloned() else {
        return Err(if proposal.departed.contains(&member) {
            ProcedureError::DeciderLeft { member }
        } else {
            ProcedureError::NotADecider { member }
        });
    };
    // A proposal that ran to its deadline refuses a vote as late, whether or
    // not the background task has already closed it; one decided early (an
    // objection, everyone concurred) refuses it as closed.
    if let Some(closed_at) = proposal.status.closed_at() {
        return Err(if closed_at >= proposal.deadline {
            ProcedureError::DeadlinePassed {
                deadline: proposal.deadline,
            }
        } else {
            ProcedureError::ProposalClosed {
                status: proposal.status.label(),
            }
        });
    }
    let period_over = matches!(proposal.status, Status::OnHold { .. });
    let holding = matches!(position, Position::OnHold(_));
    if position.is_decided() && !matches!(action, Action::ExtendHold | Action::LiftHold) {
        return Err(ProcedureError::AlreadyDecided {
            member,
            position: position.label(),
        });
    }
    // After the period only a holder may act, to resolve its own hold.
    if period_over && !holding {
        return Err(ProcedureError::DeadlinePassed {
            deadline: proposal.deadline,
        });
    }

    let (new_position, happened) = match action {
        Action::Concur => (
            Position::Concurred { at: now },
            Happened::Concurred { by: member.clone() },
        ),
        Action::Object { reason } => {
            let reason = reason_for(reason, rule.reasons_required.objection, "an objection")?;
            (
                Position::Objected {
                    at: now,
                    reason: reason.clone(),
                },
                Happened::Objected {
                    by: member.clone(),
                    reason,
                },
            )
        }
        Action::PlaceHold { reason } => {
            if !rule.holds.allowed {
                return Err(ProcedureError::HoldNotAllowed);
            }
            if holding {
                return Err(ProcedureError::AlreadyOnHold { member });
            }
            if proposal.holds_used.contains(&member) {
                return Err(ProcedureError::HoldAlreadyUsed { member });
            }
            let reason = reason_for(reason, rule.reasons_required.hold, "a hold")?;
            let until = deadline_after(now, rule.holds.max_duration, &rule.calendar, &rule.zone);
            proposal.holds_used.insert(member.clone());
            (
                Position::OnHold(Hold {
                    placed_at: now,
                    until,
                    extensions_used: 0,
                    reason: reason.clone(),
                }),
                Happened::HoldPlaced {
                    by: member.clone(),
                    until,
                    reason,
                },
            )
        }
        Action::ExtendHold => {
            let Position::OnHold(mut hold) = position else {
                return Err(ProcedureError::NotOnHold { member });
            };
            if hold.extensions_used >= rule.holds.extensions {
                return Err(ProcedureError::HoldExtensionsExhausted {
                    allowed: rule.holds.extensions,
                });
            }
            hold.extensions_used += 1;
            hold.until =
                deadline_after(hold.until, rule.holds.extension, &rule.calendar, &rule.zone);
            let until = hold.until;
            (
                Position::OnHold(hold),
                Happened::HoldExtended {
                    by: member.clone(),
                    until,
                },
            )
        }
        Action::LiftHold => {
            if !holding {
                return Err(ProcedureError::NotOnHold { member });
            }
            (
                Position::Silent,
                Happened::HoldLifted { by: member.clone() },
            )
        }
        Action::Withdraw { .. } | Action::MemberLeft { .. } => unreachable!("handled by apply"),
    };
    proposal.positions.insert(member, new_position);
    log.add(proposal, now, happened);
    Ok(())
}

fn refuse_if_closed(proposal: &Proposal) -> Result<(), ProcedureError> {
    if proposal.is_closed() {
        return Err(ProcedureError::ProposalClosed {
            status: proposal.status.label(),
        });
    }
    Ok(())
}

/// A trimmed reason, or an error if the rule requires one and none was given.
fn reason_for(
    reason: Option<String>,
    required: bool,
    what: &'static str,
) -> Result<Option<String>, ProcedureError> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if required && reason.is_none() {
        return Err(ProcedureError::ReasonRequired { what });
    }
    Ok(reason)
}

/// The next expiry: the end of the period or a hold's lapse.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    // Declared first so that, at the same instant, holds lapse before the
    // period ends; either order gives the same outcome, this one reads better
    // in the history ("hold lapsed", then "adopted").
    HoldLapse(MemberCode),
    PeriodEnd,
}

fn next_timer(proposal: &Proposal) -> Option<(OffsetDateTime, Timer)> {
    let period =
        matches!(proposal.status, Status::Open).then(|| (proposal.deadline, Timer::PeriodEnd));
    let holds = proposal
        .holds()
        .into_iter()
        .map(|(code, hold)| (hold.until, Timer::HoldLapse(code.clone())));
    holds.chain(period).min()
}

fn advance_in_place(rule: &Rule, proposal: &mut Proposal, now: OffsetDateTime, log: &mut Log) {
    while !proposal.is_closed() {
        let Some((at, timer)) = next_timer(proposal) else {
            break;
        };
        if at > now {
            break;
        }
        match timer {
            Timer::PeriodEnd => {
                proposal.status = Status::OnHold { since: at };
                let holds: Vec<MemberCode> = proposal
                    .holds()
                    .into_iter()
                    .map(|(c, _)| c.clone())
                    .collect();
                if !holds.is_empty() {
                    log.add(proposal, at, Happened::PeriodEndedOnHold { holds });
                }
            }
            Timer::HoldLapse(member) => {
                let effect = rule.holds.on_lapse;
                let after = match effect {
                    OnHoldLapse::Adopt | OnHoldLapse::Lapse => Position::Silent,
                    OnHoldLapse::CountAsObjection => Position::Objected {
                        at,
                        reason: Some("hold lapsed".to_owned()),
                    },
                };
                proposal.positions.insert(member.clone(), after);
                log.add(
                    proposal,
                    at,
                    Happened::HoldLapsed {
                        by: member.clone(),
                        effect,
                    },
                );
                if effect == OnHoldLapse::Lapse {
                    let why = Lapse::HoldLapsed { by: member };
                    proposal.status = Status::Lapsed {
                        at,
                        why: why.clone(),
                    };
                    log.add(proposal, at, Happened::Lapsed { why });
                }
            }
        }
        settle(rule, proposal, at, log);
    }
}

/// Decides the proposal if its positions (and whether the period is over)
/// already determine the outcome; otherwise leaves it running.
fn settle(rule: &Rule, proposal: &mut Proposal, at: OffsetDateTime, log: &mut Log) {
    if proposal.is_closed() {
        return;
    }
    if proposal.positions.is_empty() {
        let why = Lapse::NoDecidersLeft;
        proposal.status = Status::Lapsed {
            at,
            why: why.clone(),
        };
        log.add(proposal, at, Happened::Lapsed { why });
        return;
    }
    let period_over = matches!(proposal.status, Status::OnHold { .. });
    let Some(outcome) = outcome(rule, proposal, proposal.tally(), period_over) else {
        return;
    };
    match outcome {
        Ok(()) => {
            proposal.status = Status::Adopted { at };
            log.add(proposal, at, Happened::Adopted);
        }
        Err(why) => {
            proposal.status = Status::Rejected {
                at,
                why: why.clone(),
            };
            log.add(proposal, at, Happened::Rejected { why });
        }
    }
}

/// `Some(Ok)` adopt, `Some(Err)` reject, `None` not yet decided.
fn outcome(
    rule: &Rule,
    proposal: &Proposal,
    tally: Tally,
    period_over: bool,
) -> Option<Result<(), Rejection>> {
    // With holds in place nothing is final except what no hold can change.
    let waiting_on_holds = tally.on_hold > 0;
    let ended = period_over && !waiting_on_holds;
    let objectors = || Rejection::Objected {
        count: tally.objected as usize,
        by: proposal.deciders_where(|p| matches!(p, Position::Objected { .. })),
    };
    match rule.decision {
        DecisionRule::NoObjection => {
            if tally.objected > 0 {
                Some(Err(objectors()))
            } else if tally.concurred == tally.deciders || ended {
                Some(Ok(()))
            } else {
                None
            }
        }
        DecisionRule::Consensus => {
            if tally.objected > 0 {
                Some(Err(objectors()))
            } else if tally.concurred == tally.deciders {
                Some(Ok(()))
            } else if ended {
                let by = proposal.deciders_where(|p| !matches!(p, Position::Concurred { .. }));
                Some(Err(Rejection::NoConsensus {
                    silent: by.len(),
                    by,
                }))
            } else {
                None
            }
        }
        DecisionRule::QualifiedMajority {
            numerator,
            denominator,
            quorum,
        } => {
            let everyone_voted = tally.silent == 0 && !waiting_on_holds;
            if !(everyone_voted || ended) {
                return None;
            }
            let voted = tally.concurred + tally.objected;
            if voted < quorum {
                return Some(Err(Rejection::QuorumNotReached { voted, quorum }));
            }
            let reached = tally.concurred > 0
                && u64::from(tally.concurred) * u64::from(denominator)
                    >= u64::from(numerator) * u64::from(voted);
            Some(if reached {
                Ok(())
            } else {
                Err(Rejection::MajorityNotReached {
                    concurred: tally.concurred,
                    objected: tally.objected,
                    numerator,
                    denominator,
                })
            })
        }
        DecisionRule::ReverseConsensus => {
            if tally.objected == tally.deciders {
                Some(Err(Rejection::ListingMaintainedByConsensus))
            } else if ended {
                Some(Ok(()))
            } else {
                None
            }
        }
    }
}

/// Collects what happened during one transition, into the proposal's history
/// and into notices.
#[derive(Default)]
struct Log {
    records: Vec<Record>,
}

impl Log {
    fn add(&mut self, proposal: &mut Proposal, at: OffsetDateTime, what: Happened) {
        let record = Record { at, what };
        proposal.history.push(record.clone());
        proposal.last_change_at = proposal.last_change_at.max(at);
        self.records.push(record);
    }

    fn notices(self, rule: &Rule) -> Vec<Notice> {
        self.records
            .iter()
            .flat_map(|record| notices_for(record, rule.visibility))
            .collect()
    }
}

/// Working days left until the deadline, counted from `now`'s local date.
pub fn working_days_left(rule: &Rule, proposal: &Proposal, now: OffsetDateTime) -> u32 {
    working_days::between(
        rule.zone.local_date(now),
        rule.zone.local_date(proposal.deadline),
        &rule.calendar,
    )
}

/// Deadline reminders that fell due after `since` and up to `now`, for a
/// background task that remembers when it last ran. Reminders are not state:
/// they are computed from the rule and the deadline, so a task that was down
/// sends the ones it missed (each dated when it was due) and never twice.
pub fn reminders_due(
    rule: &Rule,
    proposal: &Proposal,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Vec<Notice> {
    let (current, _) = advance(rule, proposal, now);
    if current.status != Status::Open {
        return Vec::new();
    }
    let deadline_date = rule.zone.local_date(current.deadline);
    let mut due: Vec<Notice> = rule
        .reminders
        .iter()
        .map(|&n| {
            let day = working_days::sub(deadline_date, n, &rule.calendar);
            (n, rule.zone.deadline_on(day))
        })
        .filter(|&(_, when)| since < when && when <= now && when > current.opened_at)
        .map(|(n, when)| Notice {
            at: when,
            audience: crate::notice::Audience::Deciders,
            what: Happened::DeadlineNear {
                working_days_left: n,
                deadline: current.deadline,
            },
        })
        .collect();
    due.sort_by_key(|notice| notice.at);
    due.dedup();
    due
}
