//! Numbers for people who would rather look: an indicator's baseline,
//! targets and actuals over periods; budget against spending; per Joint Plan
//! commitment the programmes that implement it and their results added up
//! ("3 programmes, 1,240 public servants trained"); per member the
//! programmes by kind and year.
//!
//! Every function takes the viewer and counts only what the viewer may see
//! ([`visible_to`]), and only submitted periods (a draft is not a result),
//! so no total leaks a restricted programme.

use std::collections::BTreeMap;

use accord_core::{MemberCode, Principal};
use serde::Serialize;

use crate::model::*;
use crate::programme::Programme;
use crate::rules::visible_to;

/// One period of an indicator, as drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    pub start: String,
    pub end: String,
    /// A short label: the year when the period is a calendar year, else `start – end`.
    pub label: String,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub submitted: bool,
}

/// An indicator's baseline, targets and actuals over its periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSeries {
    pub title: String,
    pub measure: Measure,
    pub baseline: Option<(i32, f64)>,
    pub points: Vec<SeriesPoint>,
}

fn period_label(start: time::Date, end: time::Date) -> String {
    if start.ordinal() == 1
        && end.month() == time::Month::December
        && end.day() == 31
        && start.year() == end.year()
    {
        start.year().to_string()
    } else {
        format!("{} – {}", format_date(start), format_date(end))
    }
}

/// The series of one indicator, in period order. `with_drafts` is for the
/// programme's own editors; everyone else sees submitted periods only.
pub fn indicator_series(ind: &Indicator, lang: &str, with_drafts: bool) -> IndicatorSeries {
    let mut periods: Vec<&Period> = ind
        .periods
        .iter()
        .filter(|p| with_drafts || p.state.is_submitted())
        .collect();
    periods.sort_by_key(|p| (p.start, p.end));
    IndicatorSeries {
        title: ind.title.best(lang).to_string(),
        measure: ind.measure,
        baseline: ind
            .baseline
            .as_ref()
            .and_then(|b| b.measured.value.map(|v| (b.year, v))),
        points: periods
            .into_iter()
            .map(|p| SeriesPoint {
                start: format_date(p.start),
                end: format_date(p.end),
                label: period_label(p.start, p.end),
                target: p.target.as_ref().and_then(|m| m.value),
                actual: p.actual.as_ref().and_then(|m| m.value),
                submitted: p.state.is_submitted(),
            })
            .collect(),
    }
}

/// Budget and money moved, in one currency (amounts are never converted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoneyTotals {
    pub currency: String,
    pub budget: i64,
    pub incoming: i64,
    pub committed: i64,
    pub disbursed: i64,
    pub expended: i64,
}

impl MoneyTotals {
    /// Disbursements and expenditure: what has been spent, in hundredths.
    pub fn spent(&self) -> i64 {
        self.disbursed + self.expended
    }
}

/// Budget against spending per currency, currencies in alphabetical order.
pub fn budget_vs_spent(p: &Programme) -> Vec<MoneyTotals> {
    let mut by: BTreeMap<String, MoneyTotals> = BTreeMap::new();
    for c in p
        .budgets
        .iter()
        .map(|b| &b.value.currency)
        .chain(p.transactions.iter().map(|t| &t.value.currency))
    {
        by.entry(c.to_string()).or_insert_with(|| MoneyTotals {
            currency: c.to_string(),
            ..MoneyTotals::default()
        });
    }
    for b in &p.budgets {
        if let Some(m) = by.get_mut(b.value.currency.as_str()) {
            m.budget += b.value.amount.hundredths();
        }
    }
    for t in &p.transactions {
        if let Some(m) = by.get_mut(t.value.currency.as_str()) {
            let a = t.value.amount.hundredths();
            match t.kind {
                TransactionKind::IncomingFunds => m.incoming += a,
                TransactionKind::Commitment => m.committed += a,
                TransactionKind::Disbursement => m.disbursed += a,
                TransactionKind::Expenditure => m.expended += a,
            }
        }
    }
    by.into_values().collect()
}

/// One result added up across programmes: the sum of the submitted
/// periods' actuals (and targets) of every indicator with the same key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyTotal {
    pub key: IndicatorKey,
    /// The title of the first indicator with this key, in the asked language.
    pub title: String,
    pub actual: f64,
    pub target: f64,
    /// How many programmes report it.
    pub programmes: usize,
}

/// What implements one commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentSummary {
    pub commitment: CommitmentId,
    pub programmes: Vec<ProgrammeId>,
    pub totals: Vec<KeyTotal>,
}

/// Counts and sums with a thousands separator: `1,240`.
pub fn group_thousands(v: f64) -> String {
    let s = crate::programme::fmt_number(v);
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

impl CommitmentSummary {
    /// "3 programmes, 1,240 public servants trained, 85 offenders who completed".
    pub fn sentence(&self) -> String {
        let n = self.programmes.len();
        let mut parts = vec![format!("{n} programme{}", if n == 1 { "" } else { "s" })];
        for t in &self.totals {
            parts.push(format!(
                "{} {}",
                group_thousands(t.actual),
                lowercase_first(&t.title)
            ));
        }
        parts.join(", ")
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms ("NGO staff") as they are.
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

/// The programmes (that `viewer` may see) implementing `commitment`, and
/// their results added up by indicator key. Only count indicators (unit
/// measure) add up; percentages and words do not.
pub fn commitment_summary(
    programmes: &[Programme],
    commitment: &CommitmentId,
    viewer: &Principal,
    lang: &str,
) -> CommitmentSummary {
    let chosen: Vec<&Programme> = programmes
        .iter()
        .filter(|p| p.commitments.contains(commitment) && visible_to(p, viewer))
        .collect();
    let mut totals: Vec<KeyTotal> = Vec::new();
    for p in &chosen {
        let mut counted: Vec<&IndicatorKey> = Vec::new();
        for ind in p.results.iter().flat_map(|r| &r.indicators) {
            let Some(key) = ind.key.as_ref().filter(|_| ind.measure == Measure::Unit) else {
                continue;
            };
            let submitted = ind.periods.iter().filter(|x| x.state.is_submitted());
            let (mut actual, mut target) = (0.0, 0.0);
            for per in submitted {
                actual += per.actual.as_ref().and_then(|m| m.value).unwrap_or(0.0);
                target += per.target.as_ref().and_then(|m| m.value).unwrap_or(0.0);
            }
            let slot = match totals.iter().position(|t| &t.key == key) {
                Some(i) => &mut totals[i],
                None => {
                    totals.push(KeyTotal {
                        key: key.clone(),
                        title: ind.title.best(lang).to_string(),
                        actual: 0.0,
                        target: 0.0,
                        programmes: 0,
                    });
                    totals.last_mut().expect("pushed")
                }
            };
            slot.actual += actual;
            slot.target += target;
            if !counted.contains(&key) {
                slot.programmes += 1;
                counted.push(key);
            }
        }
    }
    CommitmentSummary {
        commitment: commitment.clone(),
        programmes: chosen.iter().map(|p| p.id.clone()).collect(),
        totals,
    }
}

/// A summary for every commitment some visible programme implements, in
/// commitment id order.
pub fn by_commitment(
    programmes: &[Programme],
    viewer: &Principal,
    lang: &str,
) -> Vec<CommitmentSummary> {
    let mut ids: Vec<&CommitmentId> = programmes
        .iter()
        .filter(|p| visible_to(p, viewer))
        .flat_map(|p| &p.commitments)
        .collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|c| commitment_summary(programmes, c, viewer, lang))
        .collect()
}

/// How many programmes of each kind ran in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCounts {
    pub year: i32,
    pub counts: BTreeMap<ProgrammeKind, usize>,
}

impl YearCounts {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }
}

/// Programmes by kind and year, for one member (as a participant) or for
/// all. A programme counts in every year it runs (its span, planned or
/// actual); cancelled programmes and programmes still in the pipeline count
/// too, as they appear in the programme list.
pub fn kinds_by_year(
    programmes: &[Programme],
    member: Option<&MemberCode>,
    viewer: &Principal,
) -> Vec<YearCounts> {
    let mut by: BTreeMap<i32, BTreeMap<ProgrammeKind, usize>> = BTreeMap::new();
    for p in programmes.iter().filter(|p| visible_to(p, viewer)) {
        if member.is_some_and(|m| !p.members().contains(m)) {
            continue;
        }
        let (start, end) = p.dates.span();
        for y in start.year()..=end.year() {
            *by.entry(y).or_default().entry(p.kind).or_default() += 1;
        }
    }
    // Years without programmes between the first and the last stay, empty,
    // so the chart's axis is continuous.
    if let (Some(&first), Some(&last)) = (by.keys().next(), by.keys().next_back()) {
        for y in first..=last {
            by.entry(y).or_default();
        }
    }
    by.into_iter()
        .map(|(year, counts)| YearCounts { year, counts })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programme::ProgrammeData;
    use crate::sample::*;
    use accord_core::{MemberKind, Role, tlp::Tlp};
    use time::macros::date;

    fn training(id: &str, trained: f64, tlp: Tlp) -> Programme {
        let d = ProgrammeData {
            id: ProgrammeId::parse(id).unwrap(),
            kind: ProgrammeKind::PublicServantTraining,
            tlp,
            commitments: vec![CommitmentId::parse("astana2015.step.5").unwrap()],
            results: vec![ResultItem {
                kind: ResultKind::Output,
                title: english("Public servants trained"),
                description: Text::default(),
                indicators: vec![people(
                    "Public servants trained",
                    "public_servants_trained",
                    vec![
                        period(
                            date!(2024 - 01 - 01),
                            date!(2024 - 12 - 31),
                            500.0,
                            Some(trained),
                            true,
                        ),
                        // A draft never counts.
                        period(
                            date!(2025 - 01 - 01),
                            date!(2025 - 06 - 30),
                            100.0,
                            Some(1000.0),
                            false,
                        ),
                    ],
                )],
            }],
            ..sample_data()
        };
        Programme::new(d).unwrap()
    }

    #[test]
    fn a_commitment_adds_up_the_submitted_results_of_its_programmes() {
        let ps = vec![
            training("tr-a", 400.0, Tlp::Green),
            training("tr-b", 600.0, Tlp::Green),
            training("tr-c", 240.0, Tlp::Green),
            sample(),
        ];
        let s = commitment_summary(
            &ps,
            &CommitmentId::parse("astana2015.step.5").unwrap(),
            &secretariat(1),
            "en",
        );
        assert_eq!(s.programmes.len(), 3);
        assert_eq!(s.totals[0].actual, 1240.0);
        assert_eq!(s.totals[0].target, 1500.0);
        assert_eq!(s.totals[0].programmes, 3);
        assert_eq!(s.sentence(), "3 programmes, 1,240 public servants trained");
    }

    #[test]
    fn totals_count_only_what_the_viewer_may_see() {
        let ps = vec![
            training("tr-a", 400.0, Tlp::Green),
            training("tr-b", 600.0, Tlp::Red),
        ];
        let ngo = Principal::member_user(
            6,
            "ngo",
            MemberCode::parse("NGO1").unwrap(),
            MemberKind::CivilSociety,
            Role::Reader,
        );
        let s = commitment_summary(
            &ps,
            &CommitmentId::parse("astana2015.step.5").unwrap(),
            &ngo,
            "en",
        );
        assert_eq!(s.sentence(), "1 programme, 400 public servants trained");
        assert!(by_commitment(&ps, &Principal::Anonymous, "en").is_empty());
    }

    #[test]
    fn budget_and_spending_stay_in_their_currencies() {
        let t = budget_vs_spent(&sample());
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].currency.as_str(), t[0].budget, t[0].spent()),
            ("EUR", 25_000_000, 10_000_000)
        );
        assert_eq!(
            (t[1].currency.as_str(), t[1].budget, t[1].spent()),
            ("KZT", 0, 3_000_000_000)
        );
    }

    #[test]
    fn programmes_count_in_every_year_they_run() {
        let ps = vec![sample(), training("tr-a", 1.0, Tlp::Green)];
        let kaz = MemberCode::parse("KAZ").unwrap();
        let y = kinds_by_year(&ps, Some(&kaz), &secretariat(1));
        assert_eq!(
            y.iter().map(|c| c.year).collect::<Vec<_>>(),
            vec![2024, 2025]
        );
        assert_eq!(y[0].counts[&ProgrammeKind::PrisonRehabilitation], 1);
        assert_eq!(y[0].total(), 2);
        assert!(
            kinds_by_year(
                &ps,
                Some(&MemberCode::parse("KGZ").unwrap()),
                &secretariat(1)
            )
            .is_empty()
        );
    }

    #[test]
    fn an_indicator_series_shows_drafts_only_to_editors() {
        let p = sample();
        let ind = &p.results[1].indicators[0];
        assert!(indicator_series(ind, "en", false).points.is_empty());
        let s = indicator_series(ind, "en", true);
        assert_eq!(s.points[0].label, "2025");
        assert_eq!(s.baseline, Some((2023, 0.0)));
        assert_eq!(group_thousands(1234567.5), "1,234,567.5");
        assert_eq!(group_thousands(-1000.0), "-1,000");
    }
}
