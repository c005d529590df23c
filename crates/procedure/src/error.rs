//! Why an event was refused. Messages are written for the member who tried.

use thiserror::Error;
use time::OffsetDateTime;

use crate::member::MemberCode;
use crate::proposal::{ProposalKind, SubjectRef};
use crate::rule::RuleError;

/// A time in a message as people read it: `2026-12-04 02:13 UTC`.
fn minute(t: &OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProcedureError {
    #[error("the procedure's rule cannot be used: {0}")]
    InvalidRule(#[from] RuleError),
    #[error("{actor} may not propose under the rule \"{rule}\"")]
    NotAllowedToPropose { actor: String, rule: String },
    #[error("a delisting recommendation must be decided by reverse consensus, and only it")]
    KindDoesNotFitRule { kind: ProposalKind },
    #[error("no member may decide under this rule, so nothing can be proposed")]
    NoDeciders,
    #[error(
        "a proposal on {subject} is already pending (opened {}); wait for it or withdraw it",
        minute(opened_at)
    )]
    SubjectAlreadyPending {
        subject: SubjectRef,
        opened_at: OffsetDateTime,
    },
    #[error("{member} is not among the deciders of this proposal")]
    NotADecider { member: MemberCode },
    #[error("{member} left the partnership and no longer decides on this proposal")]
    DeciderLeft { member: MemberCode },
    #[error("only a member state can take a position; {actor} cannot")]
    NotAMember { actor: String },
    #[error("{member} has already {position}; a concurrence or objection is final")]
    AlreadyDecided {
        member: MemberCode,
        position: &'static str,
    },
    #[error(
        "the decision period ended at {}; positions can no longer be taken",
        minute(deadline)
    )]
    DeadlinePassed { deadline: OffsetDateTime },
    #[error("the proposal is already {status}")]
    ProposalClosed { status: &'static str },
    #[error("{member} has no hold on this proposal")]
    NotOnHold { member: MemberCode },
    #[error("{member} already holds this proposal")]
    AlreadyOnHold { member: MemberCode },
    #[error("this procedure does not allow holds")]
    HoldNotAllowed,
    #[error("{member} has already placed a hold on this proposal; a hold can be placed only once")]
    HoldAlreadyUsed { member: MemberCode },
    #[error("the hold has already been extended {allowed} time(s), the most the rule allows")]
    HoldExtensionsExhausted { allowed: u32 },
    #[error("a reason is required for {what}")]
    ReasonRequired { what: &'static str },
    #[error("only the proposer or the secretariat may withdraw a proposal")]
    NotAllowedToWithdraw,
    #[error("only the secretariat may record that {what}")]
    SecretariatOnly { what: &'static str },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_refusals_read_to_the_minute_in_utc() {
        let e = ProcedureError::DeadlinePassed {
            deadline: time::macros::datetime!(2026-12-04 07:13:34.5 +05:00),
        };
        assert_eq!(
            e.to_string(),
            "the decision period ended at 2026-12-04 02:13 UTC; positions can no longer be taken"
        );
    }
}
