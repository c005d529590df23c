//! A programme and the rules that hold across its fields: dates in order,
//! sectors adding up to 100, periods and budgets inside the programme,
//! numbers that fit their measure, parts that do not exceed their totals,
//! and TLP:CLEAR before anything is published.
//!
//! [`ProgrammeData`] is the plain value (fields already typed and
//! code-checked); [`Programme::new`] checks the cross-field rules and is the
//! only way to get a [`Programme`], so a `Programme` is always valid.
//! Deserializing runs the same checks.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Deref;

use accord_core::MemberCode;
use accord_core::tlp::Tlp;
use accord_plan::Catalogue;

use crate::error::{Code, Collector, Invalid, Problem};
use crate::model::*;

/// Everything a programme records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeData {
    pub id: ProgrammeId,
    /// Set on first publication (or taken from a donor's file); never
    /// changes once `published`.
    pub iati_identifier: Option<IatiIdentifier>,
    /// True once the programme has gone out in an IATI file.
    #[serde(default)]
    pub published: bool,
    pub title: Text,
    pub description: Text,
    pub kind: ProgrammeKind,
    pub status: Status,
    pub dates: Dates,
    pub countries: Vec<RecipientCountry>,
    pub sectors: Vec<SectorShare>,
    /// The Joint Plan commitments it implements.
    #[serde(default)]
    pub commitments: Vec<CommitmentId>,
    pub participants: Vec<ParticipatingOrg>,
    #[serde(default)]
    pub budgets: Vec<Budget>,
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub results: Vec<ResultItem>,
    pub tlp: Tlp,
    pub publish_iati: bool,
}

/// A valid programme. Read its fields through `Deref` to [`ProgrammeData`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ProgrammeData", into = "ProgrammeData")]
pub struct Programme(ProgrammeData);

impl Deref for Programme {
    type Target = ProgrammeData;
    fn deref(&self) -> &ProgrammeData {
        &self.0
    }
}

impl TryFrom<ProgrammeData> for Programme {
    type Error = Invalid;
    fn try_from(d: ProgrammeData) -> Result<Programme, Invalid> {
        Programme::new(d)
    }
}

impl From<Programme> for ProgrammeData {
    fn from(p: Programme) -> ProgrammeData {
        p.0
    }
}

/// Longest text of a title and of a description, in characters.
pub const TITLE_MAX: usize = 300;
pub const DESCRIPTION_MAX: usize = 10_000;
/// At most this many regions per country, results, indicators per result,
/// periods per indicator: generous, but a bound on what one form can carry.
pub const LIST_MAX: usize = 200;

impl Programme {
    /// Checks every cross-field rule and reports every problem at once.
    pub fn new(data: ProgrammeData) -> Result<Programme, Invalid> {
        let mut c = Collector::default();
        check(&data, &mut c);
        c.finish()?;
        Ok(Programme(data))
    }

    pub fn data(&self) -> &ProgrammeData {
        &self.0
    }

    pub fn into_data(self) -> ProgrammeData {
        self.0
    }

    /// The platform members taking part (in any role), sorted, each once.
    /// Their contributors and administrators may edit the programme.
    pub fn members(&self) -> Vec<MemberCode> {
        let mut m: Vec<MemberCode> = self
            .participants
            .iter()
            .filter_map(|p| p.member.clone())
            .collect();
        m.sort();
        m.dedup();
        m
    }

    /// Checks that every linked commitment exists in the Joint Plan catalogue.
    pub fn check_commitments(&self, catalogue: &Catalogue) -> Result<(), Invalid> {
        let mut c = Collector::default();
        for (i, id) in self.commitments.iter().enumerate() {
            if catalogue.commitment(id).is_none() {
                c.push(
                    Problem::new(format!("commitments[{i}]"), Code::UnknownCommitment)
                        .arg("commitment", id),
                );
            }
        }
        c.finish()
    }
}

fn check(d: &ProgrammeData, c: &mut Collector) {
    text_required(c, "title", &d.title, TITLE_MAX);
    text_required(c, "description", &d.description, DESCRIPTION_MAX);

    // Dates.
    let dt = &d.dates;
    if dt.planned_end < dt.planned_start {
        c.push(end_before_start(
            "dates.planned_end",
            dt.planned_start,
            dt.planned_end,
        ));
    }
    match (dt.actual_start, dt.actual_end) {
        (None, Some(_)) => c.push(Problem::new("dates.actual_end", Code::EndWithoutStart)),
        (Some(s), Some(e)) if e < s => c.push(end_before_start("dates.actual_end", s, e)),
        _ => {}
    }
    let span = dt.span();

    // Countries and regions.
    if d.countries.is_empty() {
        c.push(Problem::new("countries", Code::Required));
    }
    bounded(c, "countries", d.countries.len());
    for (i, rc) in d.countries.iter().enumerate() {
        let at = format!("countries[{i}]");
        if d.countries[..i].iter().any(|o| o.code == rc.code) {
            c.push(Problem::new(format!("{at}.code"), Code::Duplicate).arg("value", &rc.code));
        }
        bounded(c, &format!("{at}.regions"), rc.regions.len());
        for (j, r) in rc.regions.iter().enumerate() {
            let field = format!("{at}.regions[{j}]");
            if let Err(p) = text(r, true, 200) {
                c.push(p.under(&field));
            } else if r.trim() != r {
                c.push(Problem::new(field, Code::Malformed).arg("expected", "a trimmed name"));
            }
        }
    }

    // Sectors: at least one, each once, adding up to exactly 100.
    if d.sectors.is_empty() {
        c.push(Problem::new("sectors", Code::Required));
    } else {
        let mut sum: u32 = 0;
        for (i, s) in d.sectors.iter().enumerate() {
            if d.sectors[..i].iter().any(|o| o.code == s.code) {
                c.push(
                    Problem::new(format!("sectors[{i}].code"), Code::Duplicate)
                        .arg("value", &s.code),
                );
            }
            sum += s.percentage.hundredths();
        }
        if sum != Percent::HUNDRED.hundredths() {
            c.push(
                Problem::new("sectors", Code::SectorsNotHundred)
                    .arg("sum", Amount::from_hundredths(sum as i64)),
            );
        }
    }

    // Commitments: each once.
    for (i, id) in d.commitments.iter().enumerate() {
        if d.commitments[..i].contains(id) {
            c.push(Problem::new(format!("commitments[{i}]"), Code::Duplicate).arg("value", id));
        }
    }

    // Participating organizations.
    if d.participants.is_empty() {
        c.push(Problem::new("participants", Code::NoParticipants));
    }
    bounded(c, "participants", d.participants.len());
    for (i, p) in d.participants.iter().enumerate() {
        let at = format!("participants[{i}]");
        if p.member.is_none() && p.name.is_empty() {
            c.push(Problem::new(
                format!("{at}.name"),
                Code::OrganizationUnnamed,
            ));
        }
        check_text(c, &format!("{at}.name"), &p.name, TITLE_MAX);
        for (j, n) in p.name.narratives().iter().enumerate() {
            if accord_core::validation::hidden_character(&n.text).is_some() {
                c.push(Problem::new(
                    format!("{at}.name[{j}]"),
                    Code::HiddenCharacters,
                ));
            }
        }
        if d.participants[..i]
            .iter()
            .any(|o| o.role == p.role && same_org(o, p))
        {
            c.push(
                Problem::new(format!("{at}.role"), Code::Duplicate).arg("value", p.role.as_str()),
            );
        }
    }

    // Budgets: inside the programme, at most a year each, not negative.
    bounded(c, "budgets", d.budgets.len());
    for (i, b) in d.budgets.iter().enumerate() {
        let at = format!("budgets[{i}]");
        if b.end < b.start {
            c.push(end_before_start(&format!("{at}.end"), b.start, b.end));
        } else {
            let days = (b.end - b.start).whole_days();
            if days > 366 {
                c.push(
                    Problem::new(format!("{at}.end"), Code::BudgetPeriodTooLong).arg("days", days),
                );
            }
        }
        inside(c, &format!("{at}.start"), b.start, span);
        inside(c, &format!("{at}.end"), b.end, span);
        if b.value.amount.hundredths() < 0 {
            c.push(
                Problem::new(format!("{at}.value"), Code::Negative).arg("value", b.value.amount),
            );
        }
    }

    bounded(c, "transactions", d.transactions.len());
    for (i, t) in d.transactions.iter().enumerate() {
        let at = format!("transactions[{i}]");
        check_text(c, &format!("{at}.description"), &t.description, 2000);
        if let Some(r) = &t.reference
            && let Err(p) = text(r, true, 100)
        {
            c.push(p.under(&format!("{at}.reference")));
        }
    }

    for (i, doc) in d.documents.iter().enumerate() {
        text_required(c, &format!("documents[{i}].title"), &doc.title, TITLE_MAX);
    }

    // Results.
    bounded(c, "results", d.results.len());
    for (i, r) in d.results.iter().enumerate() {
        let at = format!("results[{i}]");
        text_required(c, &format!("{at}.title"), &r.title, TITLE_MAX);
        check_text(
            c,
            &format!("{at}.description"),
            &r.description,
            DESCRIPTION_MAX,
        );
        if r.indicators.is_empty() {
            c.push(Problem::new(format!("{at}.indicators"), Code::Required));
        }
        bounded(c, &format!("{at}.indicators"), r.indicators.len());
        for (j, ind) in r.indicators.iter().enumerate() {
            check_indicator(c, &format!("{at}.indicators[{j}]"), ind, span);
        }
    }

    // Sensitivity: IATI is public.
    if d.publish_iati && d.tlp != Tlp::Clear {
        c.push(Problem::new("publish_iati", Code::PublishNeedsClear).arg("tlp", d.tlp));
    }
}

fn same_org(a: &ParticipatingOrg, b: &ParticipatingOrg) -> bool {
    match (&a.member, &b.member, &a.iati_ref, &b.iati_ref) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        (None, None, None, None) => a.name == b.name,
        _ => false,
    }
}

fn check_indicator(c: &mut Collector, at: &str, ind: &Indicator, span: (time::Date, time::Date)) {
    text_required(c, &format!("{at}.title"), &ind.title, TITLE_MAX);
    check_text(
        c,
        &format!("{at}.description"),
        &ind.description,
        DESCRIPTION_MAX,
    );
    if ind.counts_people && ind.measure != Measure::Unit {
        c.push(
            Problem::new(format!("{at}.counts_people"), Code::MeasureMismatch)
                .arg("measure", ind.measure.as_str()),
        );
    }
    if let Some(b) = &ind.baseline {
        if !(1900..=2200).contains(&b.year) {
            c.push(
                Problem::new(format!("{at}.baseline.year"), Code::Malformed)
                    .arg("expected", "a year such as 2023"),
            );
        }
        check_measured(c, &format!("{at}.baseline"), ind, &b.measured);
    }
    bounded(c, &format!("{at}.periods"), ind.periods.len());
    for (k, p) in ind.periods.iter().enumerate() {
        let pat = format!("{at}.periods[{k}]");
        if p.end < p.start {
            c.push(end_before_start(&format!("{pat}.end"), p.start, p.end));
        }
        inside(c, &format!("{pat}.start"), p.start, span);
        inside(c, &format!("{pat}.end"), p.end, span);
        if ind.periods[..k]
            .iter()
            .any(|o| o.start == p.start && o.end == p.end)
        {
            c.push(Problem::new(format!("{pat}.start"), Code::Duplicate).arg(
                "value",
                format!("{}..{}", format_date(p.start), format_date(p.end)),
            ));
        }
        if let Some(t) = &p.target {
            check_measured(c, &format!("{pat}.target"), ind, t);
        }
        if let Some(a) = &p.actual {
            check_measured(c, &format!("{pat}.actual"), ind, a);
        }
    }
}

/// A value fits its measure; a count of people is whole and not negative;
/// the parts by each dimension do not add up to more than the total.
fn check_measured(c: &mut Collector, at: &str, ind: &Indicator, m: &Measured) {
    check_text(c, &format!("{at}.comment"), &m.comment, 2000);
    let mismatch = |field: &str| {
        Problem::new(format!("{at}.{field}"), Code::MeasureMismatch)
            .arg("measure", ind.measure.as_str())
    };
    match (ind.measure, m.value) {
        (Measure::Qualitative, Some(_)) => c.push(mismatch("value")),
        (Measure::Qualitative, None) if m.comment.is_empty() => {
            c.push(Problem::new(format!("{at}.comment"), Code::Required))
        }
        (Measure::Unit | Measure::Percentage, None) => {
            c.push(Problem::new(format!("{at}.value"), Code::Required))
        }
        (_, Some(v)) => check_number(c, &format!("{at}.value"), ind, v),
        _ => {}
    }
    if m.parts.is_empty() {
        return;
    }
    if !ind.counts_people {
        c.push(
            Problem::new(format!("{at}.parts"), Code::MeasureMismatch)
                .arg("measure", "a count of people"),
        );
        return;
    }
    bounded(c, &format!("{at}.parts"), m.parts.len());
    let mut sums: BTreeMap<&'static str, f64> = BTreeMap::new();
    for (i, p) in m.parts.iter().enumerate() {
        let pat = format!("{at}.parts[{i}]");
        if p.sex.is_none() && p.age.is_none() {
            c.push(Problem::new(format!("{pat}.sex"), Code::Required));
        }
        if m.parts[..i]
            .iter()
            .any(|o| o.sex == p.sex && o.age == p.age)
        {
            c.push(Problem::new(format!("{pat}.sex"), Code::Duplicate).arg("value", p.dimension()));
        }
        check_number(c, &format!("{pat}.value"), ind, p.value);
        *sums.entry(p.dimension()).or_default() += p.value;
    }
    if let Some(total) = m.value {
        for (dim, sum) in sums {
            if sum > total + 1e-9 {
                c.push(
                    Problem::new(format!("{at}.parts"), Code::PartsExceedTotal)
                        .arg("dimension", dim)
                        .arg("sum", fmt_number(sum))
                        .arg("total", fmt_number(total)),
                );
            }
        }
    }
}

fn check_number(c: &mut Collector, field: &str, ind: &Indicator, v: f64) {
    if !v.is_finite() {
        c.push(Problem::new(field, Code::Malformed).arg("expected", "a number"));
    } else if v < 0.0 {
        c.push(Problem::new(field, Code::Negative).arg("value", fmt_number(v)));
    } else if ind.measure == Measure::Percentage && v > 100.0 {
        c.push(Problem::new(field, Code::AbovePercent).arg("value", fmt_number(v)));
    } else if ind.counts_people && v.fract() != 0.0 {
        c.push(Problem::new(field, Code::NotWhole).arg("value", fmt_number(v)));
    }
}

/// A number as IATI and CSV write it: `1240`, `12.5`.
pub fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn end_before_start(field: &str, start: time::Date, end: time::Date) -> Problem {
    Problem::new(field, Code::EndBeforeStart)
        .arg("start", format_date(start))
        .arg("end", format_date(end))
}

fn inside(c: &mut Collector, field: &str, d: time::Date, (start, end): (time::Date, time::Date)) {
    if d < start || d > end {
        c.push(
            Problem::new(field, Code::OutsideProgramme)
                .arg("date", format_date(d))
                .arg("start", format_date(start))
                .arg("end", format_date(end)),
        );
    }
}

fn bounded(c: &mut Collector, field: &str, n: usize) {
    if n > LIST_MAX {
        c.push(Problem::new(field, Code::TooLong).arg("max", LIST_MAX));
    }
}

fn text_required(c: &mut Collector, field: &str, t: &Text, max: usize) {
    if t.is_empty() {
        c.push(Problem::new(field, Code::Required));
    }
    check_text(c, field, t, max);
}

/// Texts built through [`Text::parse`] are already clean; this catches
/// values that came another way (deserialized, imported).
fn check_text(c: &mut Collector, field: &str, t: &Text, max: usize) {
    for (i, n) in t.narratives().iter().enumerate() {
        match text(&n.text, true, max) {
            Err(p) => c.push(p.under(&format!("{field}[{i}]"))),
            Ok(clean) if clean != n.text => c.push(
                Problem::new(format!("{field}[{i}]"), Code::Malformed)
                    .arg("expected", "trimmed text"),
            ),
            Ok(_) => {}
        }
        if t.narratives()[..i].iter().any(|o| o.lang == n.lang) {
            c.push(
                Problem::new(format!("{field}[{i}].lang"), Code::Duplicate).arg("value", &n.lang),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::*;
    use time::macros::date;

    fn refused(d: ProgrammeData) -> Invalid {
        Programme::new(d).expect_err("should be refused")
    }

    #[test]
    fn the_sample_is_valid_and_its_members_are_the_participating_ones() {
        let p = sample();
        assert_eq!(p.members(), vec![MemberCode::parse("KAZ").unwrap()]);
        let json = serde_json::to_string(&p).unwrap();
        let back: Programme = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn a_participating_organization_whose_name_hides_characters_is_refused() {
        let mut d = sample_data();
        d.participants[0].name = Text::single("en", "Minis\u{200B}try", 200).unwrap();
        let e = refused(d);
        assert!(e.has(Code::HiddenCharacters, Some("participants[0].name[0]")));
    }

    #[test]
    fn sector_percentages_must_add_up_to_one_hundred() {
        let mut d = sample_data();
        d.sectors[1].percentage = Percent::parse("30").unwrap();
        let e = refused(d);
        assert!(e.has(Code::SectorsNotHundred, Some("sectors")));
        assert_eq!(e.problems[0].get("sum"), Some("90"));
    }

    #[test]
    fn an_end_before_the_start_is_refused_wherever_it_is() {
        let mut d = sample_data();
        d.dates.planned_end = date!(2023 - 12 - 31);
        assert!(refused(d).has(Code::EndBeforeStart, Some("dates.planned_end")));
        let mut d = sample_data();
        d.dates.actual_end = Some(date!(2024 - 01 - 15));
        assert!(refused(d).has(Code::EndBeforeStart, Some("dates.actual_end")));
        let mut d = sample_data();
        d.dates.actual_start = None;
        d.dates.actual_end = Some(date!(2024 - 06 - 01));
        assert!(refused(d).has(Code::EndWithoutStart, Some("dates.actual_end")));
        let mut d = sample_data();
        d.budgets[0].end = date!(2023 - 06 - 01);
        assert!(refused(d).has(Code::EndBeforeStart, Some("budgets[0].end")));
    }

    #[test]
    fn a_target_for_a_period_outside_the_programme_is_refused() {
        let mut d = sample_data();
        let p = &mut d.results[0].indicators[1].periods[0];
        p.start = date!(2026 - 01 - 01);
        p.end = date!(2026 - 12 - 31);
        let e = refused(d);
        assert!(e.has(
            Code::OutsideProgramme,
            Some("results[0].indicators[1].periods[0].start")
        ));
        let p = e
            .problems
            .iter()
            .find(|p| p.code == Code::OutsideProgramme)
            .unwrap();
        assert_eq!(p.get("end"), Some("2025-12-31"));
    }

    #[test]
    fn negative_participant_counts_are_refused() {
        let mut d = sample_data();
        d.results[0].indicators[1].periods[0].actual = Some(Measured::number(-3.0));
        assert!(refused(d).has(
            Code::Negative,
            Some("results[0].indicators[1].periods[0].actual.value")
        ));
        let mut d = sample_data();
        d.results[0].indicators[0].periods[0]
            .actual
            .as_mut()
            .unwrap()
            .parts[0]
            .value = -1.0;
        assert!(refused(d).has(
            Code::Negative,
            Some("results[0].indicators[0].periods[0].actual.parts[0].value")
        ));
        let mut d = sample_data();
        d.results[0].indicators[1].periods[0].actual = Some(Measured::number(2.5));
        assert!(refused(d).has(Code::NotWhole, None));
    }

    #[test]
    fn parts_that_exceed_their_total_are_refused_per_dimension() {
        let mut d = sample_data();
        // 20 women + 110 men > 120 enrolled.
        d.results[0].indicators[0].periods[0]
            .actual
            .as_mut()
            .unwrap()
            .parts[1]
            .value = 110.0;
        let e = refused(d);
        let p = e
            .problems
            .iter()
            .find(|p| p.code == Code::PartsExceedTotal)
            .unwrap();
        assert_eq!(p.field, "results[0].indicators[0].periods[0].actual.parts");
        assert_eq!(
            (p.get("dimension"), p.get("sum"), p.get("total")),
            (Some("sex"), Some("130"), Some("120"))
        );
        // Age bands are their own breakdown: 45 aged 18-24 does not add to the sexes.
        assert_eq!(e.problems.len(), 1);
    }

    #[test]
    fn values_must_fit_the_measure() {
        let mut d = sample_data();
        d.results[1].indicators[1].periods[0].actual = Some(Measured::number(120.0));
        assert!(refused(d).has(Code::AbovePercent, None));
        let mut d = sample_data();
        d.results[2].indicators[0].periods[0].actual = Some(Measured::number(1.0));
        assert!(refused(d).has(Code::MeasureMismatch, None));
        let mut d = sample_data();
        d.results[1].indicators[1].periods[0]
            .actual
            .as_mut()
            .unwrap()
            .parts = vec![Part {
            sex: Some(Sex::Female),
            age: None,
            value: 1.0,
        }];
        assert!(refused(d).has(Code::MeasureMismatch, None));
    }

    #[test]
    fn publishing_needs_tlp_clear() {
        let mut d = sample_data();
        d.publish_iati = true;
        let e = refused(d);
        assert!(e.has(Code::PublishNeedsClear, Some("publish_iati")));
        assert_eq!(e.problems[0].get("tlp"), Some("AMBER"));
        assert!(publishable().publish_iati);
    }

    #[test]
    fn budgets_are_at_most_a_year_inside_the_programme() {
        let mut d = sample_data();
        d.budgets[0].end = date!(2025 - 06 - 30);
        assert!(refused(d).has(Code::BudgetPeriodTooLong, Some("budgets[0].end")));
        let mut d = sample_data();
        d.budgets[0].value.amount = Amount::parse("-5").unwrap();
        assert!(refused(d).has(Code::Negative, Some("budgets[0].value")));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut d = sample_data();
        d.sectors.clear();
        d.countries.clear();
        d.participants.clear();
        d.title = Text::default();
        let e = refused(d);
        for f in ["title", "countries", "sectors", "participants"] {
            assert!(e.problems.iter().any(|p| p.field == f), "{f}: {e}");
        }
    }

    #[test]
    fn deserializing_runs_the_same_checks() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["sectors"][0]["percentage"] = "10".into();
        assert!(serde_json::from_value::<Programme>(v).is_err());
        let mut v = serde_json::to_value(sample()).unwrap();
        v["sectors"][0]["code"] = "99999".into();
        let e = serde_json::from_value::<Programme>(v)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Sector"), "{e}");
    }

    #[test]
    fn commitments_are_checked_against_the_catalogue() {
        let cat = accord_plan::seed::catalogue();
        assert!(sample().check_commitments(&cat).is_ok());
        let mut d = sample_data();
        d.commitments
            .push(CommitmentId::parse("astana2015.step.99").unwrap());
        let e = Programme::new(d)
            .unwrap()
            .check_commitments(&cat)
            .unwrap_err();
        assert!(e.has(Code::UnknownCommitment, Some("commitments[1]")));
    }
}
