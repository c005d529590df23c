//! Progress: the members × commitments matrix of a round, its filters, the
//! per-member and per-pillar shares, the change since the previous round and
//! the per-pillar series over rounds.
//!
//! Every computation starts from what one viewer may see, and every cell
//! says the truth to that viewer: a report hidden by its TLP marking is
//! "reported (restricted)", counted as reported but with no status, so no
//! total, chart or export leaks what it says; a member without a submitted
//! report is "not yet reported" while the round takes reports and "not
//! reported" once it closed. Only submitted versions count; drafts never do.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

use accord_core::MemberCode;

use crate::framework::{Catalogue, Commitment};
use crate::ids::{CommitmentId, FrameworkId, PillarId, RoundId};
use crate::report::{Report, ReportStatus};
use crate::round::{ReportingRound, chronological};
use crate::rules::{may_know_reported, visible_to};
use accord_core::Principal;

/// One cell of the matrix, as one viewer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// No submitted report, and the round closed (its deadline passed and
    /// it is not reopened).
    NotReported,
    /// No submitted report yet, and the round still takes reports: awaited,
    /// not missing.
    NotYetReported,
    /// A submitted report the viewer may know of but not read under its TLP
    /// marking: reported, status withheld.
    Restricted,
    Reported(ReportStatus),
}

impl Cell {
    /// Every cell, most advanced first: the order of the stacked bars.
    pub const ALL: [Cell; 8] = [
        Cell::Reported(ReportStatus::Implemented),
        Cell::Reported(ReportStatus::InProgress),
        Cell::Reported(ReportStatus::Planned),
        Cell::Reported(ReportStatus::NotStarted),
        Cell::Reported(ReportStatus::NotApplicable),
        Cell::Restricted,
        Cell::NotYetReported,
        Cell::NotReported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cell::NotReported => "not_reported",
            Cell::NotYetReported => "not_yet_reported",
            Cell::Restricted => "restricted",
            Cell::Reported(s) => s.as_str(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cell::NotReported => "Not reported",
            Cell::NotYetReported => "Not yet reported",
            Cell::Restricted => "Reported (restricted)",
            Cell::Reported(s) => s.label(),
        }
    }

    /// Whether a report was submitted (the viewer may or may not read it).
    pub fn is_reported(self) -> bool {
        matches!(self, Cell::Reported(_) | Cell::Restricted)
    }

    /// Weight in weighted progress: a report not (yet) submitted counts as
    /// not started, as nothing is shown for it; `None` for the cells that
    /// leave the denominator: not applicable, and a restricted report
    /// (its status is not the viewer's to know, so it is neither counted
    /// as done nor as not started).
    pub fn weight(self) -> Option<f64> {
        match self {
            Cell::NotReported | Cell::NotYetReported => Some(0.0),
            Cell::Restricted => None,
            Cell::Reported(s) => s.weight(),
        }
    }
}

/// Which commitments a matrix shows (the round is chosen separately).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub framework: Option<FrameworkId>,
    pub pillar: Option<PillarId>,
}

impl Filter {
    pub fn keeps(&self, c: &Commitment) -> bool {
        self.framework.as_ref().is_none_or(|f| &c.framework == f)
            && self.pillar.as_ref().is_none_or(|p| c.in_pillar(p))
    }
}

/// How many cells have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub not_reported: usize,
    pub not_yet_reported: usize,
    /// Reports submitted that the viewer may not read.
    pub restricted: usize,
    pub not_started: usize,
    pub planned: usize,
    pub in_progress: usize,
    pub implemented: usize,
    pub not_applicable: usize,
}

impl StatusCounts {
    pub fn add(&mut self, cell: Cell) {
        *self.slot(cell) += 1;
    }

    fn slot(&mut self, cell: Cell) -> &mut usize {
        match cell {
            Cell::NotReported => &mut self.not_reported,
            Cell::NotYetReported => &mut self.not_yet_reported,
            Cell::Restricted => &mut self.restricted,
            Cell::Reported(ReportStatus::NotStarted) => &mut self.not_started,
            Cell::Reported(ReportStatus::Planned) => &mut self.planned,
            Cell::Reported(ReportStatus::InProgress) => &mut self.in_progress,
            Cell::Reported(ReportStatus::Implemented) => &mut self.implemented,
            Cell::Reported(ReportStatus::NotApplicable) => &mut self.not_applicable,
        }
    }

    pub fn get(&self, cell: Cell) -> usize {
        let mut copy = *self;
        *copy.slot(cell)
    }

    pub fn total(&self) -> usize {
        Cell::ALL.iter().map(|c| self.get(*c)).sum()
    }

    /// Cells with a submitted report, restricted ones included.
    pub fn reported(&self) -> usize {
        Cell::ALL
            .iter()
            .filter(|c| c.is_reported())
            .map(|c| self.get(*c))
            .sum()
    }

    pub fn progress(&self) -> Progress {
        let applicable = Cell::ALL
            .iter()
            .filter(|c| c.weight().is_some())
            .map(|c| self.get(*c))
            .sum();
        let weighted_sum: f64 = Cell::ALL
            .iter()
            .filter_map(|c| c.weight().map(|w| w * self.get(*c) as f64))
            .sum();
        Progress {
            applicable,
            implemented: self.implemented,
            implemented_share: (applicable > 0)
                .then(|| self.implemented as f64 / applicable as f64),
            weighted: (applicable > 0).then(|| weighted_sum / applicable as f64),
        }
    }
}

impl FromIterator<Cell> for StatusCounts {
    fn from_iter<I: IntoIterator<Item = Cell>>(iter: I) -> Self {
        let mut c = StatusCounts::default();
        for cell in iter {
            c.add(cell);
        }
        c
    }
}

/// Progress over a set of cells. "Not applicable" and "reported
/// (restricted)" leave the denominator; "not reported" and "not yet
/// reported" stay in it, counting as not started (progress so far).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Cells that count (all but not applicable and restricted).
    pub applicable: usize,
    pub implemented: usize,
    /// implemented ÷ applicable; `None` when nothing is applicable.
    pub implemented_share: Option<f64>,
    /// Mean weight (not started 0, planned ¼, in progress ½, implemented 1).
    pub weighted: Option<f64>,
}

/// Members (rows) × commitments (columns) of a round, as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub round: RoundId,
    pub members: Vec<MemberCode>,
    pub commitments: Vec<CommitmentId>,
    /// Row-major: `cells[m * commitments.len() + c]`.
    cells: Vec<Cell>,
}

impl Matrix {
    /// A matrix from explicit cells (row-major); `None` if the sizes disagree.
    pub fn from_cells(
        round: RoundId,
        members: Vec<MemberCode>,
        commitments: Vec<CommitmentId>,
        cells: Vec<Cell>,
    ) -> Option<Matrix> {
        (cells.len() == members.len() * commitments.len()).then_some(Matrix {
            round,
            members,
            commitments,
            cells,
        })
    }

    pub fn get(&self, member: &MemberCode, commitment: &CommitmentId) -> Option<Cell> {
        let m = self.members.iter().position(|x| x == member)?;
        let c = self.commitments.iter().position(|x| x == commitment)?;
        Some(self.cells[m * self.commitments.len() + c])
    }

    /// Each member with its row of cells, in column order.
    pub fn rows(&self) -> impl Iterator<Item = (&MemberCode, &[Cell])> {
        let width = self.commitments.len().max(1);
        self.members
            .iter()
            .zip(self.cells.chunks(width).chain(std::iter::repeat(&[][..])))
    }

    pub fn column(&self, commitment: &CommitmentId) -> Vec<Cell> {
        let Some(c) = self.commitments.iter().position(|x| x == commitment) else {
            return Vec::new();
        };
        (0..self.members.len())
            .map(|m| self.cells[m * self.commitments.len() + c])
            .collect()
    }

    pub fn totals(&self) -> StatusCounts {
        self.cells.iter().copied().collect()
    }

    pub fn counts_by_member(&self) -> Vec<(MemberCode, StatusCounts)> {
        self.rows()
            .map(|(m, row)| (m.clone(), row.iter().copied().collect()))
            .collect()
    }

    pub fn counts_by_commitment(&self) -> Vec<(CommitmentId, StatusCounts)> {
        self.commitments
            .iter()
            .map(|c| (c.clone(), self.column(c).into_iter().collect()))
            .collect()
    }
}

/// The matrix of `round` for `viewer` at `now`: the round's members × the
/// commitments in its scope that `filter` keeps, each cell the newest
/// submitted status the viewer may see, "reported (restricted)" for one
/// they may not read, and for no submitted report "not yet reported" while
/// the round takes reports at `now`, "not reported" after.
pub fn matrix(
    catalogue: &Catalogue,
    round: &ReportingRound,
    reports: &[Report],
    viewer: &Principal,
    filter: &Filter,
    now: OffsetDateTime,
) -> Matrix {
    let commitments: Vec<CommitmentId> = round
        .commitments
        .iter()
        .filter(|id| catalogue.commitment(id).is_some_and(|c| filter.keeps(c)))
        .cloned()
        .collect();
    let members = round.members.clone();
    let col: BTreeMap<&CommitmentId, usize> = commitments
        .iter()
        .enumerate()
        .map(|(i, c)| (c, i))
        .collect();
    let row: BTreeMap<&MemberCode, usize> =
        members.iter().enumerate().map(|(i, m)| (m, i)).collect();
    let absent = if round.state(now).takes_reports() {
        Cell::NotYetReported
    } else {
        Cell::NotReported
    };
    let mut cells = vec![absent; members.len() * commitments.len()];
    for r in reports.iter().filter(|r| r.round == round.id) {
        let (Some(&m), Some(&c)) = (row.get(&r.member), col.get(&r.commitment)) else {
            continue;
        };
        cells[m * commitments.len() + c] = report_cell(r, viewer, absent);
    }
    Matrix {
        round: round.id.clone(),
        members,
        commitments,
        cells,
    }
}

/// What `viewer` is told of a report: its newest submitted status if they
/// may read it, "restricted" if they may only know it exists, else `absent`.
pub fn report_cell(report: &Report, viewer: &Principal, absent: Cell) -> Cell {
    match report.latest_submitted() {
        Some(v) if visible_to(v.content.tlp, &report.member, viewer) => {
            Cell::Reported(v.content.status)
        }
        Some(_) if may_know_reported(&report.member, viewer) => Cell::Restricted,
        _ => absent,
    }
}

/// Each member's progress in the matrix.
pub fn progress_by_member(m: &Matrix) -> Vec<(MemberCode, Progress)> {
    m.counts_by_member()
        .into_iter()
        .map(|(member, c)| (member, c.progress()))
        .collect()
}

/// Each pillar's counts and progress over the matrix's commitments in that
/// pillar (a commitment mapped to two pillars counts in both). Pillars with
/// no commitment in the matrix are left out.
pub fn progress_by_pillar(
    m: &Matrix,
    catalogue: &Catalogue,
) -> Vec<(PillarId, StatusCounts, Progress)> {
    catalogue
        .pillars()
        .filter_map(|p| {
            let cols: Vec<&CommitmentId> = m
                .commitments
                .iter()
                .filter(|c| catalogue.commitment(c).is_some_and(|c| c.in_pillar(&p.id)))
                .collect();
            if cols.is_empty() {
                return None;
            }
            let counts: StatusCounts = cols.iter().flat_map(|c| m.column(c)).collect();
            Some((p.id.clone(), counts, counts.progress()))
        })
        .collect()
}

/// How a cell moved between two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Not in the previous round's matrix (new member or commitment).
    New,
    Improved,
    Unchanged,
    Regressed,
    /// To or from "not applicable".
    Reclassified,
    /// A status now, none in the previous round: nothing to compare with.
    FirstReport,
    /// The round still takes reports and none is in yet: nothing to
    /// compare, and certainly not a regression.
    NotYetReported,
    /// The round closed without a report: the status is unknown, which is
    /// not a regression either.
    NotReported,
    /// One side is a report the viewer may not read: comparing would tell
    /// them something of its status.
    Restricted,
}

/// One cell's change since the previous round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub member: MemberCode,
    pub commitment: CommitmentId,
    pub before: Option<Cell>,
    pub after: Cell,
    pub direction: Direction,
}

/// Every cell of `current` compared with the same member and commitment in
/// `previous` (both as the same viewer sees them).
pub fn changes_since(previous: &Matrix, current: &Matrix) -> Vec<Change> {
    let mut out = Vec::new();
    for (member, row) in current.rows() {
        for (commitment, &after) in current.commitments.iter().zip(row) {
            let before = previous.get(member, commitment);
            let direction = match before {
                None => Direction::New,
                Some(b) => direction(b, after),
            };
            out.push(Change {
                member: member.clone(),
                commitment: commitment.clone(),
                before,
                after,
                direction,
            });
        }
    }
    out
}

/// How a cell moved from `before` to `after`. Only two statuses the viewer
/// may read are compared; a missing or restricted report says why not.
fn direction(before: Cell, after: Cell) -> Direction {
    match (before, after) {
        (Cell::Reported(b), Cell::Reported(a)) => match (b.weight(), a.weight()) {
            (Some(x), Some(y)) if y > x => Direction::Improved,
            (Some(x), Some(y)) if y < x => Direction::Regressed,
            (Some(_), Some(_)) | (None, None) => Direction::Unchanged,
            _ => Direction::Reclassified,
        },
        (_, Cell::NotYetReported) => Direction::NotYetReported,
        (_, Cell::NotReported) => Direction::NotReported,
        (Cell::Restricted, _) | (_, Cell::Restricted) => Direction::Restricted,
        (Cell::NotReported | Cell::NotYetReported, Cell::Reported(_)) => Direction::FirstReport,
    }
}

/// Each member's progress now and in the previous round (`None` if absent).
pub fn member_progress_change(
    previous: &Matrix,
    current: &Matrix,
) -> Vec<(MemberCode, Option<Progress>, Progress)> {
    let before: BTreeMap<MemberCode, Progress> = progress_by_member(previous).into_iter().collect();
    progress_by_member(current)
        .into_iter()
        .map(|(m, p)| {
            let b = before.get(&m).copied();
            (m, b, p)
        })
        .collect()
}

/// A pillar's progress over rounds, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarSeries {
    pub pillar: PillarId,
    /// `None` where the round has no commitment in the pillar.
    pub points: Vec<(RoundId, Option<Progress>)>,
}

/// Per-pillar progress in every round that took place (chronological;
/// cancelled rounds are left out), as `viewer` sees it at `now`.
pub fn pillar_series(
    catalogue: &Catalogue,
    rounds: &[ReportingRound],
    reports: &[Report],
    viewer: &Principal,
    filter: &Filter,
    now: OffsetDateTime,
) -> Vec<PillarSeries> {
    let ordered = chronological(rounds);
    let per_round: Vec<(RoundId, BTreeMap<PillarId, Progress>)> = ordered
        .iter()
        .map(|r| {
            let m = matrix(catalogue, r, reports, viewer, filter, now);
            let by: BTreeMap<PillarId, Progress> = progress_by_pillar(&m, catalogue)
                .into_iter()
                .map(|(p, _, pr)| (p, pr))
                .collect();
            (r.id.clone(), by)
        })
        .collect();
    catalogue
        .pillars()
        .filter(|p| filter.pillar.as_ref().is_none_or(|f| f == &p.id))
        .filter(|p| per_round.iter().any(|(_, by)| by.contains_key(&p.id)))
        .map(|p| PillarSeries {
            pillar: p.id.clone(),
            points: per_round
                .iter()
                .map(|(r, by)| (r.clone(), by.get(&p.id).copied()))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use accord_core::MemberKind;
    use accord_core::tlp::Tlp;
    use proptest::prelude::*;

    fn reports() -> Vec<Report> {
        let r = round();
        vec![
            submitted_by(&r, "KAZ", &step(1), ReportStatus::Implemented, Tlp::Green),
            submitted_by(&r, "KAZ", &step(2), ReportStatus::InProgress, Tlp::Green),
            submitted_by(&r, "KGZ", &step(1), ReportStatus::Planned, Tlp::Red),
            submitted_by(&r, "TJK", &step(5), ReportStatus::NotApplicable, Tlp::Green),
        ]
    }

    fn usa() -> Principal {
        member_viewer("USA", MemberKind::PartnerState)
    }

    fn after_deadline() -> OffsetDateTime {
        round().deadline + time::Duration::days(1)
    }

    fn one_row(cells: Vec<Cell>, round: &str) -> Matrix {
        let commitments = (1..=cells.len() as u32).map(step).collect();
        Matrix::from_cells(
            RoundId::parse(round).unwrap(),
            vec![code("KAZ")],
            commitments,
            cells,
        )
        .unwrap()
    }

    fn directions(before: Vec<Cell>, after: Vec<Cell>) -> Vec<Direction> {
        changes_since(&one_row(before, "r0"), &one_row(after, "r1"))
            .iter()
            .map(|c| c.direction)
            .collect()
    }

    #[test]
    fn a_state_without_a_report_in_an_open_round_is_not_yet_reported_not_regressed() {
        let cat = crate::seed::catalogue();
        let r = round();
        let m = matrix(
            &cat,
            &r,
            &[],
            &secretariat(),
            &Filter::default(),
            before_deadline(),
        );
        assert_eq!(m.get(&code("KAZ"), &step(1)), Some(Cell::NotYetReported));
        // Implemented in the previous round, nothing yet in this one.
        assert_eq!(
            directions(
                vec![Cell::Reported(ReportStatus::Implemented)],
                vec![Cell::NotYetReported]
            ),
            [Direction::NotYetReported]
        );
        // Until the deadline, inclusive; a reopened round awaits reports again.
        let at_deadline = matrix(
            &cat,
            &r,
            &[],
            &secretariat(),
            &Filter::default(),
            r.deadline,
        );
        assert_eq!(at_deadline.totals().not_yet_reported, 21);
        let reopened = r.with_reopened(&secretariat(), true).unwrap();
        let m = matrix(
            &cat,
            &reopened,
            &[],
            &secretariat(),
            &Filter::default(),
            after_deadline(),
        );
        assert_eq!(m.totals().not_yet_reported, 21);
    }

    #[test]
    fn a_state_without_a_report_after_the_round_closed_is_not_reported_and_not_regressed() {
        let cat = crate::seed::catalogue();
        let m = matrix(
            &cat,
            &round(),
            &[],
            &secretariat(),
            &Filter::default(),
            after_deadline(),
        );
        assert_eq!(m.totals().not_reported, 21);
        assert_eq!(
            directions(
                vec![Cell::Reported(ReportStatus::InProgress)],
                vec![Cell::NotReported]
            ),
            [Direction::NotReported]
        );
    }

    #[test]
    fn a_restricted_report_is_never_compared_so_its_status_does_not_leak() {
        assert_eq!(
            directions(
                vec![
                    Cell::Reported(ReportStatus::Implemented),
                    Cell::Restricted,
                    Cell::Restricted
                ],
                vec![
                    Cell::Restricted,
                    Cell::Reported(ReportStatus::Planned),
                    Cell::Restricted
                ]
            ),
            [
                Direction::Restricted,
                Direction::Restricted,
                Direction::Restricted
            ]
        );
    }

    #[test]
    fn a_first_report_after_none_is_a_first_report_not_an_improvement() {
        assert_eq!(
            directions(
                vec![Cell::NotReported, Cell::NotYetReported],
                vec![
                    Cell::Reported(ReportStatus::NotStarted),
                    Cell::Reported(ReportStatus::Implemented)
                ]
            ),
            [Direction::FirstReport, Direction::FirstReport]
        );
    }

    #[test]
    fn a_cancelled_round_is_no_point_of_the_series() {
        let cat = crate::seed::catalogue();
        let cancelled = round()
            .cancel(&secretariat(), 0, before_deadline())
            .unwrap();
        let s = pillar_series(
            &cat,
            &[cancelled],
            &reports(),
            &secretariat(),
            &Filter::default(),
            before_deadline(),
        );
        assert!(s.is_empty(), "{s:?}");
    }

    #[test]
    fn matrix_shows_the_latest_submitted_status() {
        let cat = crate::seed::catalogue();
        let m = matrix(
            &cat,
            &round(),
            &reports(),
            &secretariat(),
            &Filter::default(),
            after_deadline(),
        );
        assert_eq!(m.members.len(), 3);
        assert_eq!(m.commitments.len(), 7);
        assert_eq!(
            m.get(&code("KAZ"), &step(1)),
            Some(Cell::Reported(ReportStatus::Implemented))
        );
        assert_eq!(
            m.get(&code("KGZ"), &step(1)),
            Some(Cell::Reported(ReportStatus::Planned))
        );
        assert_eq!(m.get(&code("TJK"), &step(1)), Some(Cell::NotReported));
        assert_eq!(m.totals().total(), 21);
    }

    #[test]
    fn a_report_hidden_by_its_marking_is_reported_restricted_without_its_status() {
        let cat = crate::seed::catalogue();
        let m = matrix(
            &cat,
            &round(),
            &reports(),
            &usa(),
            &Filter::default(),
            after_deadline(),
        );
        assert_eq!(m.get(&code("KGZ"), &step(1)), Some(Cell::Restricted));
        // Counted as reported, its status in no total.
        assert_eq!(m.totals().planned, 0);
        assert_eq!(m.totals().restricted, 1);
        assert_eq!(m.totals().reported(), 4);
        // Nor in progress: neither done nor "not started", it leaves the denominator.
        let by: BTreeMap<_, _> = progress_by_member(&m).into_iter().collect();
        assert_eq!(by[&code("KGZ")].applicable, 6);
        assert_eq!(by[&code("KGZ")].weighted, Some(0.0));
        let own = matrix(
            &cat,
            &round(),
            &reports(),
            &member_viewer("KGZ", MemberKind::RegionalState),
            &Filter::default(),
            after_deadline(),
        );
        assert_eq!(own.totals().planned, 1);
        assert_eq!(own.totals().restricted, 0);
    }

    #[test]
    fn drafts_do_not_count() {
        let cat = crate::seed::catalogue();
        let r = round();
        let draft = Report::draft(
            &contributor("TJK"),
            &r,
            &code("TJK"),
            &step(2),
            content(ReportStatus::Implemented),
            before_deadline(),
        )
        .unwrap();
        let m = matrix(
            &cat,
            &r,
            &[draft],
            &member_viewer("TJK", MemberKind::RegionalState),
            &Filter::default(),
            before_deadline(),
        );
        assert_eq!(m.totals().not_yet_reported, 21);
    }

    #[test]
    fn filters_keep_the_pillar_or_framework() {
        let cat = crate::seed::catalogue();
        let f = Filter {
            framework: None,
            pillar: Some(PillarId::parse("jpoa2011.pillar.4").unwrap()),
        };
        let m = matrix(
            &cat,
            &round(),
            &reports(),
            &secretariat(),
            &f,
            after_deadline(),
        );
        // Step 5 (training on rights) is the only concrete step in Pillar IV.
        assert_eq!(m.commitments, [step(5)]);
        let f = Filter {
            framework: Some(FrameworkId::parse("jpoa2011").unwrap()),
            pillar: None,
        };
        assert!(
            matrix(
                &cat,
                &round(),
                &reports(),
                &secretariat(),
                &f,
                after_deadline()
            )
            .commitments
            .is_empty()
        );
    }

    #[test]
    fn progress_leaves_not_applicable_out_and_weights_statuses() {
        let cat = crate::seed::catalogue();
        let m = matrix(
            &cat,
            &round(),
            &reports(),
            &secretariat(),
            &Filter::default(),
            after_deadline(),
        );
        let by: BTreeMap<_, _> = progress_by_member(&m).into_iter().collect();
        let kaz = by[&code("KAZ")];
        assert_eq!(kaz.applicable, 7);
        assert_eq!(kaz.implemented, 1);
        assert!((kaz.weighted.unwrap() - 1.5 / 7.0).abs() < 1e-9);
        assert_eq!(by[&code("TJK")].applicable, 6);
    }

    #[test]
    fn progress_by_pillar_counts_each_mapped_pillar() {
        let cat = crate::seed::catalogue();
        let m = matrix(
            &cat,
            &round(),
            &reports(),
            &secretariat(),
            &Filter::default(),
            after_deadline(),
        );
        let p = progress_by_pillar(&m, &cat);
        let ids: Vec<_> = p.iter().map(|(id, ..)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "jpoa2011.pillar.1",
                "jpoa2011.pillar.2",
                "jpoa2011.pillar.3",
                "jpoa2011.pillar.4"
            ]
        );
        // Pillar III: steps 1, 3, 5, 6, 7 → 5 commitments × 3 members.
        assert_eq!(p[2].1.total(), 15);
    }

    #[test]
    fn change_since_the_previous_round_is_classified() {
        let prev = Matrix::from_cells(
            RoundId::parse("r0").unwrap(),
            vec![code("KAZ")],
            vec![step(1), step(2), step(3)],
            vec![
                Cell::Reported(ReportStatus::Planned),
                Cell::Reported(ReportStatus::Implemented),
                Cell::Reported(ReportStatus::Planned),
            ],
        )
        .unwrap();
        let cur = Matrix::from_cells(
            RoundId::parse("r1").unwrap(),
            vec![code("KAZ")],
            vec![step(1), step(2), step(3), step(4)],
            vec![
                Cell::Reported(ReportStatus::Implemented),
                Cell::Reported(ReportStatus::InProgress),
                Cell::Reported(ReportStatus::NotApplicable),
                Cell::Reported(ReportStatus::Planned),
            ],
        )
        .unwrap();
        let d: Vec<_> = changes_since(&prev, &cur)
            .iter()
            .map(|c| c.direction)
            .collect();
        assert_eq!(
            d,
            [
                Direction::Improved,
                Direction::Regressed,
                Direction::Reclassified,
                Direction::New
            ]
        );
        let mp = member_progress_change(&prev, &cur);
        assert_eq!(mp[0].1.unwrap().implemented, 1);
        assert_eq!(mp[0].2.applicable, 3);
    }

    #[test]
    fn pillar_series_runs_over_rounds_in_time_order() {
        let cat = crate::seed::catalogue();
        let r1 = round();
        let mut r2 = round();
        r2.id = RoundId::parse("2016").unwrap();
        r2.period.end = r2.period.end.replace_year(2016).unwrap();
        r2.deadline = r2.deadline.replace_year(2016).unwrap();
        let mut reps = reports();
        let late = r2.deadline - time::Duration::days(1);
        let mut c = content(ReportStatus::Implemented);
        c.tlp = Tlp::Green;
        reps.push(
            Report::draft(&contributor("KAZ"), &r2, &code("KAZ"), &step(2), c, late)
                .unwrap()
                .submit(&admin("KAZ"), &r2, 2, late)
                .unwrap(),
        );
        let s = pillar_series(
            &cat,
            &[r2.clone(), r1.clone()],
            &reps,
            &secretariat(),
            &Filter::default(),
            late,
        );
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].points[0].0, r1.id);
        assert_eq!(s[0].points[1].0, r2.id);
    }

    fn any_status() -> impl Strategy<Value = Cell> {
        prop_oneof![
            Just(Cell::NotReported),
            Just(Cell::NotYetReported),
            Just(Cell::Restricted),
            proptest::sample::select(ReportStatus::ALL.to_vec()).prop_map(Cell::Reported)
        ]
    }

    proptest! {
        #[test]
        fn matrix_totals_add_up(rows in 0usize..6, cols in 0usize..9, seed in proptest::collection::vec(any_status(), 54)) {
            let members: Vec<MemberCode> = (0..rows).map(|i| code(&format!("M{i}"))).collect();
            let commitments: Vec<CommitmentId> = (0..cols).map(|i| step(i as u32 + 1)).collect();
            let cells: Vec<Cell> = seed.into_iter().take(rows * cols).collect();
            let m = Matrix::from_cells(RoundId::parse("rr").unwrap(), members, commitments, cells).unwrap();
            let totals = m.totals();
            prop_assert_eq!(totals.total(), rows * cols);
            let by_member = m.counts_by_member();
            prop_assert_eq!(by_member.len(), rows);
            prop_assert_eq!(by_member.iter().map(|(_, c)| c.total()).sum::<usize>(), rows * cols);
            for (_, c) in &by_member {
                prop_assert_eq!(c.total(), cols);
            }
            for cell in Cell::ALL {
                prop_assert_eq!(by_member.iter().map(|(_, c)| c.get(cell)).sum::<usize>(), totals.get(cell));
                prop_assert_eq!(m.counts_by_commitment().iter().map(|(_, c)| c.get(cell)).sum::<usize>(), totals.get(cell));
            }
            let p = totals.progress();
            if let (Some(s), Some(w)) = (p.implemented_share, p.weighted) {
                prop_assert!((0.0..=1.0).contains(&s));
                prop_assert!((0.0..=1.0).contains(&w));
                prop_assert!(w >= s);
            } else {
                prop_assert_eq!(p.applicable, 0);
            }
        }
    }
}
