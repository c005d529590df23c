//! The Joint Plan tracker's pure domain core.
//!
//! - [`seed`]: the frameworks and commitments loaded on first start: the Joint
//!   Plan of Action 2011 and its four pillars, and the Astana 2015 conference's
//!   initiatives, conclusions and concrete steps, verbatim from the seed document.
//! - [`Catalogue`], [`Framework`], [`Pillar`], [`Commitment`]: the data and
//!   the secretariat's additions ([`NewFramework`], [`NewPillar`], [`NewCommitment`]).
//! - [`ReportingRound`] ([`NewRound`]): who reports on what, by when.
//! - [`Report`]: versions, drafts and submissions, corrections; [`ReportInput`]
//!   validates a form or JSON body into [`ReportContent`].
//! - [`rules`]: [`can_draft`], [`can_submit`], [`visible_to`], [`accepts_reports`].
//! - [`strategy`]: the register of national strategies and action plans.
//! - [`progress`]: the members × commitments matrix, filters, per-member and
//!   per-pillar progress, change since the previous round, pillar series.
//! - [`svg`]: server-rendered, script-free, printable charts.
//! - [`export`]: CSV of matrices and reports, spreadsheet-safe.
//!
//! Nothing here reads a clock, a file or a database: `now` is passed in, and
//! every operation either returns a new value or an error, leaving its inputs
//! unchanged. See the crate README for the model and the rules.

pub mod error;
pub mod export;
pub mod framework;
pub mod ids;
pub mod progress;
pub mod report;
pub mod round;
pub mod rules;
pub mod seed;
mod serde_time;
pub mod strategy;
pub mod svg;
#[cfg(test)]
pub(crate) mod testing;

pub use error::PlanError;
pub use framework::{
    AppliesTo, Catalogue, Commitment, CommitmentKind, Due, Framework, NewCommitment, NewFramework,
    NewPillar, Pillar,
};
pub use ids::{CommitmentId, FrameworkId, PillarId, RoundId, UserId};
pub use progress::{
    Cell, Change, Direction, Filter, Matrix, Progress, StatusCounts, changes_since, matrix,
    pillar_series, progress_by_member, progress_by_pillar,
};
pub use report::{
    Evidence, EvidenceInput, Indicator, IndicatorInput, Report, ReportContent, ReportInput,
    ReportStatus, ReportVersion, Submission,
};
pub use round::{NewRound, Period, ReportingRound, chronological, default_members, previous_round};
pub use rules::{Actor, Viewer, accepts_reports, can_draft, can_submit, visible_to};
pub use strategy::{NationalStrategy, StrategyInput, StrategyKind, StrategyStatus};

/// Re-exported so callers need not depend on accord-core for these.
pub use accord_core::tlp::Tlp;
pub use accord_core::{MemberCode, MemberKind, Role};
