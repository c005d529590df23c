//! The common list's agreement procedure as a pure, deterministic engine.
//!
//! A [`Rule`] says who proposes, who decides, how and within what time; a
//! [`Proposal`] is the state of one procedure. Three pure functions move it:
//! [`open`], [`apply`] (an event by a member or the secretariat) and
//! [`advance`] (time passing: deadlines and hold lapses). None of them reads a
//! clock or does I/O; `now` is always passed in. [`view`] shows a proposal to
//! one viewer under the rule's visibility. See the crate README for the model
//! and where the default rule comes from.
//!
//! ```
//! use accord_procedure::*;
//! use time::macros::datetime;
//!
//! let rule = Rule::un_1267_default();
//! let members = ["KAZ", "KGZ", "TJK"].map(Participant::regional_state);
//! let opening = Opening {
//!     kind: ProposalKind::List,
//!     subject: SubjectRef("ORG-1".into()),
//!     proposer: Actor::regional_state("KAZ"),
//! };
//! let monday = datetime!(2025-03-03 10:00 UTC);
//! let (proposal, _notices) = open(&rule, opening, &members, &[], monday)?;
//!
//! // Kyrgyzstan places a hold; Tajikistan stays silent.
//! let hold = Event {
//!     by: Actor::regional_state("KGZ"),
//!     action: Action::PlaceHold { reason: Some("awaiting review".into()) },
//! };
//! let (proposal, _) = apply(&rule, &proposal, hold, monday)?;
//!
//! // Ten working days later the period ends; the hold keeps it pending.
//! let (proposal, _) = advance(&rule, &proposal, proposal.deadline);
//! assert!(matches!(proposal.status, Status::OnHold { .. }));
//!
//! // Six months on, the hold lapses without an objection: adopted.
//! let (proposal, _) = advance(&rule, &proposal, datetime!(2025-09-04 19:00 UTC));
//! assert!(matches!(proposal.status, Status::Adopted { .. }));
//! # Ok::<(), ProcedureError>(())
//! ```

mod engine;
mod error;
mod member;
mod notice;
mod proposal;
mod rule;
mod serde_time;
mod view;
pub mod working_days;

pub use engine::{
    Action, Event, Opening, Transition, advance, apply, open, reminders_due, working_days_left,
};
pub use error::ProcedureError;
pub use member::{Actor, MemberCode, MemberKind, Participant, code};
pub use notice::{Audience, Happened, Notice, Record, notices_for};
pub use proposal::{
    Hold, Lapse, Position, Proposal, ProposalKind, Rejection, Status, SubjectRef, Tally,
};
pub use rule::{
    DecisionRule, HoldPolicy, MemberSet, OnHoldLapse, Proposers, ReasonsRequired, Rule, RuleError,
    Visibility,
};
pub use view::{ActionKind, ProposalView, TimeLeft, Waiting, available_actions, view};
pub use working_days::{Calendar, DeadlineZone, OffsetPeriod, Span};
