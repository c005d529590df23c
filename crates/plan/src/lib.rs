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
//!
//! ```
//! use accord_plan::*;
//! use time::macros::datetime;
//!
//! let catalogue = seed::catalogue();
//! let secretariat = Principal::platform_user(1, "secretariat", Role::SecretariatAdmin);
//! let kaz = MemberCode::parse("KAZ")?;
//! // `now` is the server's clock, passed in: a deadline already past is refused.
//! let now = datetime!(2015-09-01 10:00 UTC);
//! let round = NewRound {
//!     id: "2015-unga",
//!     name: "Before the CVE leaders' summit",
//!     period_start: "2015-07-01",
//!     period_end: "2015-09-15",
//!     deadline: "2015-09-15",
//!     commitments: &["astana2015.step.1", "astana2015.step.2"],
//!     members: &["KAZ"],
//! }
//! .validate(&secretariat, &catalogue, &[kaz.clone()], now)?;
//!
//! // A contributor drafts, the member's administrator submits (two people).
//! let contributor = Principal::member_user(2, "ann", kaz.clone(), MemberKind::RegionalState, Role::Contributor);
//! let admin = Principal::member_user(3, "bob", kaz.clone(), MemberKind::RegionalState, Role::MemberAdmin);
//! let input = ReportInput {
//!     status: "implemented".into(),
//!     narrative: "Focal points named in every ministry.".into(),
//!     tlp: "GREEN".into(),
//!     ..Default::default()
//! };
//! let step1 = CommitmentId::parse("astana2015.step.1")?;
//! let report = Report::draft(&contributor, &round, &kaz, &step1, input.validate()?, now)?
//!     .submit(&admin, &round, 2, now)?;
//!
//! // Submitted means immutable: an edit is refused, a correction is a new version.
//! assert!(matches!(
//!     report.edit(&contributor, &round, input.validate()?, now),
//!     Err(PlanError::Submitted { version: 1 })
//! ));
//!
//! let m = matrix(&catalogue, &round, &[report], &secretariat, &Filter::default(), now);
//! assert_eq!(m.get(&kaz, &step1), Some(Cell::Reported(ReportStatus::Implemented)));
//! let chart = svg::status_bars_for("status", "Statuses per member", &m, &Default::default());
//! assert!(chart.starts_with("<svg") && !chart.contains("<script"));
//! let csv = export::matrix_csv(&m);
//! assert!(csv.starts_with("member,astana2015.step.1,astana2015.step.2"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
    Cell, Change, Direction, Filter, Matrix, PillarSeries, Progress, StatusCounts, changes_since,
    matrix, member_progress_change, pillar_series, progress_by_member, progress_by_pillar,
    report_cell,
};
pub use report::{
    Evidence, EvidenceInput, Indicator, IndicatorInput, Report, ReportContent, ReportInput,
    ReportStatus, ReportVersion, Submission,
};
pub use round::{
    Cancellation, NewRound, Period, ReportingRound, RoundState, chronological, default_members,
    previous_round,
};
pub use rules::{
    REPORT_DISTRIBUTION, accepts_reports, can_draft, can_submit, may_know_reported, visible_to,
};
pub use strategy::{
    NationalStrategy, StrategyInput, StrategyKind, StrategyStatus, can_edit_strategies,
};

/// Re-exported so callers need not depend on accord-core for these.
pub use accord_core::tlp::Tlp;
pub use accord_core::{MemberCode, MemberKind, Principal, Role};
