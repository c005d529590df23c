//! CSV exports of matrices and reports, for spreadsheets.
//!
//! Every field is neutralized against formula injection: a field that begins
//! with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
//! a spreadsheet shows it as text instead of running it (OWASP "CSV
//! injection"; as `accord-exports` does). Exports of reports contain only what
//! the viewer may read ([`Report::versions_visible_to`]); matrices are built
//! for one viewer already.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use crate::framework::Catalogue;
use crate::ids::UserId;
use crate::progress::Matrix;
use crate::report::{Report, format_number};
use accord_core::Principal;

/// Prefixes `'` to a field a spreadsheet would read as a formula (the
/// platform's one rule, `accord_core::validation::neutralize_formula`).
pub fn neutralize(field: &str) -> Cow<'_, str> {
    accord_core::validation::neutralize_formula(field)
}

fn write_row<W: Write, I, S>(w: &mut csv::Writer<W>, row: I) -> Result<(), csv::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    w.write_record(row.into_iter().map(|f| neutralize(f.as_ref()).into_owned()))
}

/// The matrix as a grid: one row per member, one column per commitment id,
/// each cell a status (`implemented`, ..., `restricted` for a report the
/// viewer may not read, `not_yet_reported` while the round takes reports,
/// `not_reported` after it closed).
pub fn write_matrix_csv<W: Write>(out: W, m: &Matrix) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    write_row(
        &mut w,
        std::iter::once("member").chain(m.commitments.iter().map(|c| c.as_str())),
    )?;
    for (member, row) in m.rows() {
        write_row(
            &mut w,
            std::iter::once(member.as_str()).chain(row.iter().map(|c| c.as_str())),
        )?;
    }
    w.flush()?;
    Ok(())
}

/// The matrix in long form, one row per cell, with the commitment's framework,
/// pillars and label: easy to pivot.
pub fn write_matrix_long_csv<W: Write>(
    out: W,
    m: &Matrix,
    catalogue: &Catalogue,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    write_row(
        &mut w,
        [
            "round",
            "member",
            "commitment",
            "label",
            "framework",
            "pillars",
            "status",
        ],
    )?;
    for (member, row) in m.rows() {
        for (id, cell) in m.commitments.iter().zip(row) {
            let c = catalogue.commitment(id);
            let pillars = c
                .map(|c| {
                    c.pillars
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            write_row(
                &mut w,
                [
                    m.round.as_str(),
                    member.as_str(),
                    id.as_str(),
                    &c.map(|c| c.label()).unwrap_or_default(),
                    c.map(|c| c.framework.as_str()).unwrap_or_default(),
                    &pillars,
                    cell.as_str(),
                ],
            )?;
        }
    }
    w.flush()?;
    Ok(())
}

pub const REPORT_COLUMNS: [&str; 17] = [
    "round",
    "member",
    "commitment",
    "version",
    "state",
    "corrects",
    "status",
    "tlp",
    "narrative",
    "indicators",
    "evidence",
    "agencies",
    "civil_society_partners",
    "drafted_by",
    "updated_at",
    "submitted_by",
    "submitted_at",
];

/// Every report version `viewer` may read, one row each, for a spreadsheet:
/// people by user name (`names`; an id without a name is written as is),
/// times to the minute in UTC. Lists inside a field are separated by " | ".
pub fn write_reports_csv<W: Write>(
    out: W,
    reports: &[Report],
    viewer: &Principal,
    names: &BTreeMap<UserId, String>,
) -> Result<(), csv::Error> {
    let name = |id: &UserId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut w = csv::Writer::from_writer(out);
    write_row(&mut w, REPORT_COLUMNS)?;
    for r in reports {
        for v in r.versions_visible_to(viewer) {
            let c = &v.content;
            let join = |items: Vec<String>| items.join(" | ");
            write_row(
                &mut w,
                [
                    r.round.to_string(),
                    r.member.to_string(),
                    r.commitment.to_string(),
                    v.number.to_string(),
                    if v.is_draft() { "draft" } else { "submitted" }.to_string(),
                    v.corrects.map(|n| n.to_string()).unwrap_or_default(),
                    c.status.to_string(),
                    c.tlp.to_string(),
                    c.narrative.clone(),
                    join(
                        c.indicators
                            .iter()
                            .map(|i| format!("{}: {} {}", i.label, format_number(i.value), i.unit))
                            .collect(),
                    ),
                    join(c.evidence.iter().map(|e| e.display()).collect()),
                    join(c.agencies.clone()),
                    join(c.civil_society_partners.clone()),
                    join(v.drafted_by.iter().map(name).collect()),
                    minute(v.updated_at),
                    v.submitted
                        .as_ref()
                        .map(|s| name(&s.by))
                        .unwrap_or_default(),
                    v.submitted
                        .as_ref()
                        .map(|s| minute(s.at))
                        .unwrap_or_default(),
                ],
            )?;
        }
    }
    w.flush()?;
    Ok(())
}

/// A time as a spreadsheet reads it: `2026-12-04 02:13` (UTC, to the
/// minute; a report's time is not meaningful to the nanosecond).
fn minute(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// [`write_matrix_csv`] into a string.
pub fn matrix_csv(m: &Matrix) -> String {
    let mut buf = Vec::new();
    write_matrix_csv(&mut buf, m).expect("writing to memory");
    String::from_utf8(buf).expect("CSV of UTF-8 fields")
}

/// [`write_matrix_long_csv`] into a string.
pub fn matrix_long_csv(m: &Matrix, catalogue: &Catalogue) -> String {
    let mut buf = Vec::new();
    write_matrix_long_csv(&mut buf, m, catalogue).expect("writing to memory");
    String::from_utf8(buf).expect("CSV of UTF-8 fields")
}

/// [`write_reports_csv`] into a string.
pub fn reports_csv(
    reports: &[Report],
    viewer: &Principal,
    names: &BTreeMap<UserId, String>,
) -> String {
    let mut buf = Vec::new();
    write_reports_csv(&mut buf, reports, viewer, names).expect("writing to memory");
    String::from_utf8(buf).expect("CSV of UTF-8 fields")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{Filter, matrix};
    use crate::report::{Indicator, ReportStatus};
    use crate::testing::*;
    use accord_core::MemberKind;
    use accord_core::tlp::Tlp;

    #[test]
    fn formulas_are_neutralized_and_plain_text_kept() {
        for f in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize(f).starts_with('\''), "{f:?}");
        }
        assert_eq!(neutralize("Plain, text"), "Plain, text");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn matrix_csv_has_a_row_per_member_and_a_column_per_commitment() {
        let cat = crate::seed::catalogue();
        let r = round();
        let reps = [submitted(&r, ReportStatus::Implemented, Tlp::Green)];
        let m = matrix(
            &cat,
            &r,
            &reps,
            &secretariat(),
            &Filter::default(),
            before_deadline(),
        );
        let text = matrix_csv(&m);
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("member,astana2015.step.1,astana2015.step.2"));
        assert!(lines[1].starts_with("KAZ,implemented,not_yet_reported"));
        let long = matrix_long_csv(&m, &cat);
        assert_eq!(long.lines().count(), 1 + 3 * 7);
        assert!(long.contains(
            "2015-unga,KAZ,astana2015.step.1,Step 1,astana2015,jpoa2011.pillar.3,implemented"
        ));
    }

    #[test]
    fn matrix_csv_says_restricted_not_yet_reported_and_not_reported_truthfully() {
        let cat = crate::seed::catalogue();
        let r = round();
        let reps = [submitted(&r, ReportStatus::Implemented, Tlp::Red)];
        let usa = member_viewer("USA", MemberKind::PartnerState);
        let open = matrix_csv(&matrix(
            &cat,
            &r,
            &reps,
            &usa,
            &Filter::default(),
            before_deadline(),
        ));
        assert!(
            open.lines()
                .nth(1)
                .unwrap()
                .starts_with("KAZ,restricted,not_yet_reported"),
            "{open}"
        );
        assert!(!open.contains("implemented"), "{open}");
        let late = r.deadline + time::Duration::days(1);
        let closed = matrix_csv(&matrix(&cat, &r, &reps, &usa, &Filter::default(), late));
        assert!(
            closed
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("KAZ,restricted,not_reported"),
            "{closed}"
        );
    }

    #[test]
    fn reports_csv_holds_only_what_the_viewer_may_read_and_neutralizes_formulas() {
        let r = round();
        let mut green = submitted(&r, ReportStatus::Implemented, Tlp::Green);
        // Put a formula in the narrative through a correction.
        let mut c = content(ReportStatus::Implemented);
        c.narrative = "=HYPERLINK(\"http://evil\")".into();
        c.indicators = vec![Indicator {
            label: "people trained".into(),
            value: 120.0,
            unit: "people".into(),
        }];
        green = green
            .correct(&contributor("KAZ"), &r, c, before_deadline())
            .unwrap()
            .submit(&admin("KAZ"), &r, 2, before_deadline())
            .unwrap();
        let red = submitted_by(&r, "KGZ", &step(1), ReportStatus::Planned, Tlp::Red);
        let usa = member_viewer("USA", MemberKind::PartnerState);
        let text = reports_csv(&[green.clone(), red.clone()], &usa, &BTreeMap::new());
        assert!(!text.contains("KGZ"));
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("people trained: 120 people"));
        assert_eq!(text.lines().count(), 3, "{text}");
        let sec = reports_csv(&[green.clone(), red], &secretariat(), &BTreeMap::new());
        assert!(sec.contains("KGZ"));
        // People by name, times to the minute.
        let user = green.latest().drafted_by[0];
        let names = BTreeMap::from([(user, "kaz.analyst".to_string())]);
        let text = reports_csv(&[green], &usa, &names);
        let row = text.lines().last().unwrap();
        assert!(row.contains("kaz.analyst"), "{row}");
        assert!(has_minute_cell(row), "a YYYY-MM-DD HH:MM time in {row}");
    }

    /// Whether a cell of `row` is a time to the minute (`2026-12-04 02:13`).
    fn has_minute_cell(row: &str) -> bool {
        row.split(',').any(|cell| {
            let b = cell.as_bytes();
            b.len() == 16
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b' '
                && b[13] == b':'
                && cell.chars().filter(char::is_ascii_digit).count() == 12
        })
    }
}
