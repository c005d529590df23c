//! Why a request was refused. Every refusal leaves the state unchanged: the
//! pure functions of this crate check everything before they build a new value.

use accord_core::{Invalid, MemberCode, Role};
use time::OffsetDateTime;

use crate::ids::{CommitmentId, FrameworkId, PillarId, RoundId};

/// A refused input or operation. [`PlanError::Invalid`] names the fields at
/// fault (the web layer turns it into a 422 that names them); the other
/// variants are broken rules, each with the facts a message needs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// One or more fields are malformed (unknown status, blank title, ...).
    #[error(transparent)]
    Invalid(#[from] Invalid),

    #[error("unknown framework {0}")]
    UnknownFramework(FrameworkId),
    #[error("unknown pillar {0}")]
    UnknownPillar(PillarId),
    #[error("unknown commitment {0}")]
    UnknownCommitment(CommitmentId),
    #[error("{what} {id} already exists")]
    Duplicate { what: &'static str, id: String },

    #[error("commitment {commitment} is not in the scope of round {round}")]
    CommitmentNotInRound {
        round: RoundId,
        commitment: CommitmentId,
    },
    #[error("{member} is not asked to report in round {round}")]
    MemberNotAsked { round: RoundId, member: MemberCode },
    #[error("the deadline of round {round} has passed ({deadline}); the secretariat can reopen it")]
    DeadlinePassed {
        round: RoundId,
        deadline: OffsetDateTime,
    },
    #[error("round {round} was cancelled: it takes no reports and cannot be changed")]
    RoundCancelled { round: RoundId },
    #[error(
        "round {round} cannot be cancelled: {count} report version(s) were submitted in it; reports on the record stay"
    )]
    ReportsSubmitted { round: RoundId, count: usize },
    /// Cancelling undoes a round opened by mistake; a round whose deadline
    /// has passed is the record of who reported and who did not.
    #[error(
        "round {round} can no longer be cancelled: its deadline has passed, and who did not report in it stays on the record"
    )]
    CancelAfterDeadline { round: RoundId },
    #[error("a user of {user_member} cannot act on a report of {report_member}")]
    OtherMember {
        user_member: String,
        report_member: MemberCode,
    },
    #[error("sign in to do this")]
    NotSignedIn,
    #[error("a {role} cannot {action}")]
    RoleNotAllowed { role: Role, action: &'static str },
    #[error(
        "separation of duties: the submitter made the last change; another user of the member must draft or save it first"
    )]
    SeparationOfDuties,
    #[error("version {version} was submitted and cannot be changed; start a correction instead")]
    Submitted { version: u32 },
    #[error("there is no submitted version to correct")]
    NothingToCorrect,
    #[error("a draft (version {version}) is already open")]
    DraftOpen { version: u32 },
    #[error("the report has no open draft")]
    NoDraft,
    #[error("the report belongs to another round, member or commitment")]
    WrongReport,
}

impl PlanError {
    /// The first field at fault, for errors that are about one input field.
    pub fn field(&self) -> Option<&str> {
        match self {
            PlanError::Invalid(inv) => inv.errors.first().map(|e| e.field.as_str()),
            PlanError::UnknownFramework(_) => Some("framework"),
            PlanError::UnknownPillar(_) => Some("pillars"),
            PlanError::UnknownCommitment(_) | PlanError::CommitmentNotInRound { .. } => {
                Some("commitment")
            }
            PlanError::Duplicate { .. } => Some("id"),
            PlanError::MemberNotAsked { .. } | PlanError::OtherMember { .. } => Some("member"),
            _ => None,
        }
    }

    /// Shorthand for a single-field [`PlanError::Invalid`].
    pub fn field_error(field: &str, message: impl Into<String>) -> PlanError {
        PlanError::Invalid(Invalid::field(field, message))
    }
}
