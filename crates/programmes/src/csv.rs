//! CSV export and import of programmes (their core fields, one row each)
//! and of indicator periods (one row per period), for people who work in
//! spreadsheets.
//!
//! - Lists inside a field are joined with ` | `; texts get one column per
//!   language (`title[en]`, `title[ru]`).
//! - A field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//!   gets a leading `'` (formula injection), as in `accord-plan`; the reader
//!   takes it off again.
//! - Imports are all or nothing: every row is checked, with the rules of
//!   [`crate::rules`] for the given actor, and either every change comes
//!   back (with a report) or the whole file is refused with every problem
//!   named by row and column.

use std::collections::BTreeSet;
use std::io::Write;

use accord_core::tlp::Tlp;
use accord_core::{MemberCode, Principal};

use crate::error::{Code, Collector, Invalid, Problem, ProgrammeError};
use crate::model::*;
use crate::programme::{DESCRIPTION_MAX, Programme, ProgrammeData, TITLE_MAX, fmt_number};
use crate::rules::{self, PeriodRef};

const SEP: &str = " | ";

/// Files larger than this are refused (a spreadsheet of programmes is small).
pub const MAX_CSV_BYTES: usize = 8 * 1024 * 1024;

const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` is a formula after any number of leading `'`.
fn quoted_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA)
}

/// A leading `'` defuses a formula. A text that is a formula after some
/// `'` of its own gets one more, so the reader's removal of exactly one
/// `'` gives back what was written, whatever the text.
fn safe(s: &str) -> String {
    if quoted_formula(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn unsafe_back(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if quoted_formula(rest) => rest,
        _ => s,
    }
}

fn langs_of<'a>(ps: impl Iterator<Item = &'a Text>) -> Vec<String> {
    let mut set: BTreeSet<String> = BTreeSet::new();
    for t in ps {
        for n in t.narratives() {
            set.insert(n.lang.to_string());
        }
    }
    // English first, then the rest in order.
    let mut v: Vec<String> = set.into_iter().collect();
    if let Some(i) = v.iter().position(|l| l == "en") {
        let en = v.remove(i);
        v.insert(0, en);
    }
    v
}

fn opt_date(d: Option<time::Date>) -> String {
    d.map(format_date).unwrap_or_default()
}

fn countries_field(p: &ProgrammeData) -> String {
    p.countries
        .iter()
        .map(|c| {
            if c.regions.is_empty() {
                c.code.to_string()
            } else {
                let regions: Vec<String> = c.regions.iter().map(|r| esc(r)).collect();
                format!("{}: {}", c.code, regions.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join(SEP)
}

fn participants_field(p: &ProgrammeData) -> String {
    p.participants
        .iter()
        .map(|o| {
            format!(
                "{};{};{};{};{}",
                o.role.as_str(),
                o.member.as_ref().map_or("", |m| m.as_str()),
                o.iati_ref.as_ref().map_or("", |r| r.as_str()),
                o.org_type.as_ref().map_or("", |t| t.as_str()),
                esc(o.name.best("en"))
            )
        })
        .collect::<Vec<_>>()
        .join(SEP)
}

/// The columns of the programmes CSV for these languages.
pub fn programme_columns(title_langs: &[String], desc_langs: &[String]) -> Vec<String> {
    let mut h: Vec<String> = ["id", "iati_identifier", "kind", "status"]
        .map(String::from)
        .to_vec();
    h.extend(title_langs.iter().map(|l| format!("title[{l}]")));
    h.extend(desc_langs.iter().map(|l| format!("description[{l}]")));
    h.extend(
        [
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "countries",
            "sectors",
            "commitments",
            "participants",
            "tlp",
            "publish_iati",
        ]
        .map(String::from),
    );
    h
}

/// Writes one row per programme. The caller passes only the programmes the
/// viewer may see ([`rules::visible_to`]).
pub fn write_programmes(w: impl Write, ps: &[Programme]) -> Result<(), ::csv::Error> {
    let tl = langs_of(ps.iter().map(|p| &p.title));
    let dl = langs_of(ps.iter().map(|p| &p.description));
    let mut out = ::csv::Writer::from_writer(w);
    out.write_record(programme_columns(&tl, &dl))?;
    for p in ps {
        let mut row: Vec<String> = vec![
            p.id.to_string(),
            p.iati_identifier
                .as_ref()
                .map_or(String::new(), |i| i.to_string()),
            p.kind.to_string(),
            p.status.to_string(),
        ];
        row.extend(tl.iter().map(|l| p.title.get(l).unwrap_or("").to_string()));
        row.extend(
            dl.iter()
                .map(|l| p.description.get(l).unwrap_or("").to_string()),
        );
        row.extend([
            format_date(p.dates.planned_start),
            format_date(p.dates.planned_end),
            opt_date(p.dates.actual_start),
            opt_date(p.dates.actual_end),
            countries_field(p),
            p.sectors
                .iter()
                .map(|s| format!("{}:{}", s.code, s.percentage))
                .collect::<Vec<_>>()
                .join(SEP),
            p.commitments
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(SEP),
            participants_field(p),
            p.tlp.to_string(),
            p.publish_iati.to_string(),
        ]);
        out.write_record(row.iter().map(|f| safe(f)))?;
    }
    out.flush()?;
    Ok(())
}

pub fn programmes_csv(ps: &[Programme]) -> String {
    let mut buf = Vec::new();
    write_programmes(&mut buf, ps).expect("writing to memory");
    String::from_utf8(buf).expect("CSV of UTF-8 strings")
}

/// What a CSV import would do.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvImport {
    pub created: Vec<Programme>,
    pub updated: Vec<Programme>,
    /// Rows identical to what is stored.
    pub skipped: Vec<ProgrammeId>,
}

/// Why a CSV file was refused as a whole.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    #[error("the file is {size} bytes; at most {limit} are accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("the file is not CSV: {0}")]
    Format(String),
    /// Row problems: fields are `row[3].sectors` (rows counted from 1 after the header).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A rule refused a row (the actor may not edit it, a submitted period...).
    #[error("row {row}: {error}")]
    Refused { row: usize, error: ProgrammeError },
}

struct Rows {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_rows(bytes: &[u8]) -> Result<Rows, CsvError> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(CsvError::TooLarge {
            size: bytes.len(),
            limit: MAX_CSV_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = ::csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| CsvError::Format(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| CsvError::Format(e.to_string()))?;
        rows.push(rec.iter().map(|f| unsafe_back(f).to_string()).collect());
    }
    Ok(Rows { header, rows })
}

impl Rows {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.col(name)
            .and_then(|i| row.get(i))
            .map_or("", |s| s.trim())
    }
    fn text(&self, row: &[String], prefix: &str, max: usize) -> Result<Text, Invalid> {
        let pairs: Vec<(&str, &str)> = self
            .header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let lang = h
                    .strip_prefix(prefix)?
                    .strip_prefix('[')?
                    .strip_suffix(']')?;
                Some((lang, row.get(i).map_or("", |s| s.as_str())))
            })
            .collect();
        Text::parse(&pairs, max)
    }
    fn require(&self, names: &[&str]) -> Result<(), CsvError> {
        let mut c = Collector::default();
        for n in names {
            if self.col(n).is_none() {
                c.push(Problem::new(format!("header.{n}"), Code::Required));
            }
        }
        c.finish().map_err(CsvError::Invalid)
    }
}

fn list(s: &str) -> impl Iterator<Item = String> {
    split_raw(s, '|', usize::MAX)
        .into_iter()
        .filter(|x| !x.is_empty())
}

/// Escapes the list separators inside a name: `\` `|` `;`.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '\\' | '|' | ';') {
            o.push('\\');
        }
        o.push(ch);
    }
    o
}

/// Splits at unescaped `sep` into at most `max` pieces, keeping escapes
/// (for a second split), each trimmed.
fn split_raw(s: &str, sep: char, max: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            out.last_mut().expect("non-empty").push(ch);
            if let Some(next) = chars.next() {
                out.last_mut().expect("non-empty").push(next);
            }
        } else if ch == sep && out.len() < max {
            out.push(String::new());
        } else {
            out.last_mut().expect("non-empty").push(ch);
        }
    }
    out.into_iter().map(|p| p.trim().to_string()).collect()
}

/// Removes the escapes of [`esc`].
fn unesc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => o.extend(chars.next()),
            c => o.push(c),
        }
    }
    o
}

fn opt_date_field(s: &str) -> Result<Option<time::Date>, Problem> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

/// Reads a programmes CSV. Rows whose `id` is stored update that programme
/// (its budgets, transactions, documents and results are kept; the rules of
/// [`rules::revise`] apply); other rows create programmes, with the kind's
/// default sensitivity when `tlp` / `publish_iati` are blank.
pub fn read_programmes(
    bytes: &[u8],
    existing: &[Programme],
    actor: &Principal,
) -> Result<CsvImport, CsvError> {
    let rows = read_rows(bytes)?;
    rows.require(&[
        "id",
        "kind",
        "status",
        "planned_start",
        "planned_end",
        "countries",
        "sectors",
        "participants",
    ])?;
    let mut c = Collector::default();
    let mut seen: Vec<ProgrammeId> = Vec::new();
    let mut parsed: Vec<(usize, ProgrammeData, Option<&Programme>)> = Vec::new();
    for (i, row) in rows.rows.iter().enumerate() {
        let at = format!("row[{}]", i + 1);
        let Some(id) = c.take(&format!("{at}.id"), ProgrammeId::parse(rows.get(row, "id"))) else {
            continue;
        };
        if seen.contains(&id) {
            c.push(Problem::new(format!("{at}.id"), Code::Duplicate).arg("value", &id));
            continue;
        }
        seen.push(id.clone());
        let old = existing.iter().find(|p| p.id == id);
        if let Some(d) = c.take_all(&at, programme_row(&rows, row, id, old)) {
            parsed.push((i + 1, d, old));
        }
    }
    c.finish()?;
    let mut out = CsvImport {
        created: vec![],
        updated: vec![],
        skipped: vec![],
    };
    for (row, d, old) in parsed {
        let refused = |error| CsvError::Refused { row, error };
        match old {
            Some(old) if old.data() == &d => out.skipped.push(d.id),
            Some(old) => out
                .updated
                .push(rules::revise(old, d, actor).map_err(refused)?),
            None => {
                let p = Programme::new(d).map_err(|e| {
                    CsvError::Invalid(Invalid {
                        problems: e
                            .problems
                            .into_iter()
                            .map(|p| p.under(&format!("row[{row}]")))
                            .collect(),
                    })
                })?;
                rules::can_edit(actor, &p).map_err(refused)?;
                out.created.push(p);
            }
        }
    }
    Ok(out)
}

fn programme_row(
    rows: &Rows,
    row: &[String],
    id: ProgrammeId,
    old: Option<&Programme>,
) -> Result<ProgrammeData, Invalid> {
    let mut c = Collector::default();
    let g = |n: &str| rows.get(row, n);
    let iati_identifier = match g("iati_identifier") {
        "" => Some(old.and_then(|o| o.iati_identifier.clone())),
        s => c
            .take("iati_identifier", IatiIdentifier::parse(s))
            .map(Some),
    };
    let kind = c.take("kind", g("kind").parse::<ProgrammeKind>());
    let status = c.take("status", g("status").parse::<Status>());
    let title = c.take_all("title", rows.text(row, "title", TITLE_MAX));
    let description = c.take_all(
        "description",
        rows.text(row, "description", DESCRIPTION_MAX),
    );
    let planned_start = c.take("planned_start", parse_date(g("planned_start")));
    let planned_end = c.take("planned_end", parse_date(g("planned_end")));
    let actual_start = c.take("actual_start", opt_date_field(g("actual_start")));
    let actual_end = c.take("actual_end", opt_date_field(g("actual_end")));

    let mut countries = Vec::new();
    for (i, item) in list(g("countries")).enumerate() {
        let (code, regions) = item.split_once(':').unwrap_or((&item, ""));
        if let Some(code) = c.take(&format!("countries[{i}]"), CountryCode::parse(code)) {
            let regions = split_raw(regions, ';', usize::MAX)
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| unesc(&r))
                .collect();
            countries.push(RecipientCountry { code, regions });
        }
    }
    let mut sectors = Vec::new();
    for (i, item) in list(g("sectors")).enumerate() {
        let at = format!("sectors[{i}]");
        let (code, pct) = item.split_once(':').unwrap_or((&item, "100"));
        let code = c.take(&format!("{at}.code"), SectorCode::parse(code));
        let percentage = c.take(&format!("{at}.percentage"), Percent::parse(pct));
        if let (Some(code), Some(percentage)) = (code, percentage) {
            sectors.push(SectorShare { code, percentage });
        }
    }
    let mut commitments = Vec::new();
    for (i, item) in list(g("commitments")).enumerate() {
        match CommitmentId::parse(&item) {
            Ok(id) => commitments.push(id),
            Err(_) => c.push(
                Problem::new(format!("commitments[{i}]"), Code::Malformed)
                    .arg("expected", "a commitment id such as astana2015.step.6"),
            ),
        }
    }
    // Participants: unchanged text keeps the stored ones (with all their
    // languages); otherwise each `role;member;iati_ref;type;name` is read.
    let participants = match old {
        Some(o) if participants_field(o) == g("participants") => o.participants.clone(),
        _ => {
            let mut v = Vec::new();
            for (i, item) in list(g("participants")).enumerate() {
                let at = format!("participants[{i}]");
                let f: Vec<String> = split_raw(&item, ';', 5);
                let f: Vec<&str> = f.iter().map(String::as_str).collect();
                if f.len() != 5 {
                    c.push(
                        Problem::new(at, Code::Malformed)
                            .arg("expected", "role;member;iati_ref;type;name"),
                    );
                    continue;
                }
                let role = c.take(&format!("{at}.role"), f[0].parse::<OrgRole>());
                let member = if f[1].is_empty() {
                    Some(None)
                } else {
                    c.take(
                        &format!("{at}.member"),
                        MemberCode::parse(f[1]).map_err(|_| {
                            Problem::new("", Code::Malformed)
                                .arg("expected", "a member code such as KAZ")
                        }),
                    )
                    .map(Some)
                };
                let iati_ref = if f[2].is_empty() {
                    Some(None)
                } else {
                    c.take(&format!("{at}.iati_ref"), OrgRef::parse(f[2]))
                        .map(Some)
                };
                let org_type = if f[3].is_empty() {
                    Some(None)
                } else {
                    c.take(&format!("{at}.type"), OrgType::parse(f[3]))
                        .map(Some)
                };
                let name = c.take_all(
                    &format!("{at}.name"),
                    Text::single("en", &unesc(f[4]), TITLE_MAX),
                );
                if let (Some(role), Some(member), Some(iati_ref), Some(org_type), Some(name)) =
                    (role, member, iati_ref, org_type, name)
                {
                    v.push(ParticipatingOrg {
                        role,
                        member,
                        name,
                        iati_ref,
                        org_type,
                    });
                }
            }
            v
        }
    };
    let default = kind.map(ProgrammeKind::default_sensitivity);
    let tlp = match g("tlp") {
        "" => old.map(|o| o.tlp).or(default.map(|d| d.tlp)),
        s => c.take(
            "tlp",
            s.parse::<Tlp>().map_err(|_| {
                Problem::new("", Code::Malformed)
                    .arg("expected", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
            }),
        ),
    };
    let publish_iati = match g("publish_iati").to_ascii_lowercase().as_str() {
        "" => old
            .map(|o| o.publish_iati)
            .or(default.map(|d| d.publish_iati)),
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => {
            c.push(Problem::new("publish_iati", Code::Malformed).arg("expected", "true or false"));
            None
        }
    };
    c.finish()?;
    let base = old.map(|o| o.data().clone());
    Ok(ProgrammeData {
        id,
        iati_identifier: iati_identifier.expect("checked"),
        published: base.as_ref().is_some_and(|b| b.published),
        title: title.expect("checked"),
        description: description.expect("checked"),
        kind: kind.expect("checked"),
        status: status.expect("checked"),
        dates: Dates {
            planned_start: planned_start.expect("checked"),
            planned_end: planned_end.expect("checked"),
            actual_start: actual_start.expect("checked"),
            actual_end: actual_end.expect("checked"),
        },
        countries,
        sectors,
        commitments,
        participants,
        budgets: base.as_ref().map_or(vec![], |b| b.budgets.clone()),
        transactions: base.as_ref().map_or(vec![], |b| b.transactions.clone()),
        documents: base.as_ref().map_or(vec![], |b| b.documents.clone()),
        results: base.as_ref().map_or(vec![], |b| b.results.clone()),
        tlp: tlp.expect("checked"),
        publish_iati: publish_iati.expect("checked"),
    })
}

/// The columns of the indicator periods CSV.
pub const PERIOD_COLUMNS: [&str; 13] = [
    "programme",
    "result",
    "indicator",
    "indicator_key",
    "indicator_title",
    "measure",
    "period_start",
    "period_end",
    "target",
    "target_parts",
    "actual",
    "actual_parts",
    "state",
];

fn parts_field(m: Option<&Measured>) -> String {
    m.map(|m| {
        m.parts
            .iter()
            .map(|p| {
                let dims: Vec<String> = p
                    .sex
                    .map(|s| s.as_str().to_string())
                    .into_iter()
                    .chain(p.age.map(|a| a.to_string()))
                    .collect();
                format!("{}:{}", dims.join("/"), fmt_number(p.value))
            })
            .collect::<Vec<_>>()
            .join(SEP)
    })
    .unwrap_or_default()
}

fn value_field(m: Option<&Measured>) -> String {
    match m {
        Some(Measured { value: Some(v), .. }) => fmt_number(*v),
        Some(m) => m.comment.best("en").to_string(),
        None => String::new(),
    }
}

/// Writes one row per indicator period; `result` and `indicator` are
/// 1-based positions, as a person counts them.
pub fn write_periods(w: impl Write, ps: &[Programme]) -> Result<(), ::csv::Error> {
    let mut out = ::csv::Writer::from_writer(w);
    out.write_record(PERIOD_COLUMNS)?;
    for p in ps {
        for (r, res) in p.results.iter().enumerate() {
            for (i, ind) in res.indicators.iter().enumerate() {
                for per in &ind.periods {
                    let row = [
                        p.id.to_string(),
                        (r + 1).to_string(),
                        (i + 1).to_string(),
                        ind.key.as_ref().map_or(String::new(), |k| k.to_string()),
                        ind.title.best("en").to_string(),
                        ind.measure.to_string(),
                        format_date(per.start),
                        format_date(per.end),
                        value_field(per.target.as_ref()),
                        parts_field(per.target.as_ref()),
                        value_field(per.actual.as_ref()),
                        parts_field(per.actual.as_ref()),
                        if per.state.is_submitted() {
                            "submitted"
                        } else {
                            "draft"
                        }
                        .to_string(),
                    ];
                    out.write_record(row.iter().map(|f| safe(f)))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

pub fn periods_csv(ps: &[Programme]) -> String {
    let mut buf = Vec::new();
    write_periods(&mut buf, ps).expect("writing to memory");
    String::from_utf8(buf).expect("CSV of UTF-8 strings")
}

fn measured_field(value: &str, parts: &str, measure: Measure) -> Result<Option<Measured>, Invalid> {
    let mut c = Collector::default();
    if value.is_empty() && parts.is_empty() {
        return Ok(None);
    }
    let mut m = Measured::default();
    if measure == Measure::Qualitative {
        m.comment = c
            .take_all("value", Text::single("en", value, 2000))
            .unwrap_or_default();
    } else if !value.is_empty() {
        m.value = c.take("value", parse_number(value));
    }
    for (i, item) in list(parts).enumerate() {
        let at = format!("parts[{i}]");
        let Some((dims, v)) = item.rsplit_once(':') else {
            c.push(Problem::new(at, Code::Malformed).arg("expected", "female:20 or male/18-24:12"));
            continue;
        };
        let mut part = Part {
            sex: None,
            age: None,
            value: 0.0,
        };
        for d in dims.split('/').map(str::trim) {
            if d.starts_with(|ch: char| ch.is_ascii_digit()) {
                part.age = c.take(&format!("{at}.age"), AgeBand::parse(d));
            } else {
                part.sex = c.take(&format!("{at}.sex"), Sex::parse(d));
            }
        }
        if let Some(v) = c.take(&format!("{at}.value"), parse_number(v)) {
            part.value = v;
        }
        m.parts.push(part);
    }
    c.finish()?;
    Ok(Some(m))
}

/// What an indicator periods import changes.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodsImport {
    /// The programmes that change, each once, with all their rows applied.
    pub updated: Vec<Programme>,
    /// How many periods were added, changed and left as they were.
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Reads an indicator periods CSV into the stored programmes: a row whose
/// period exists sets its target and actual (refused if it was submitted
/// and differs), a new row adds a draft period. The `state` column is
/// informative: submitting is done period by period, with separation of duties.
pub fn read_periods(
    bytes: &[u8],
    existing: &[Programme],
    actor: &Principal,
) -> Result<PeriodsImport, CsvError> {
    let rows = read_rows(bytes)?;
    rows.require(&[
        "programme",
        "result",
        "indicator",
        "period_start",
        "period_end",
        "target",
        "actual",
    ])?;
    let mut c = Collector::default();
    let mut work: Vec<Programme> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    let (mut added, mut changed, mut unchanged) = (0, 0, 0);
    for (n, row) in rows.rows.iter().enumerate() {
        let line = n + 1;
        let at = format!("row[{line}]");
        let g = |name: &str| rows.get(row, name);
        let Some(pid) = c.take(
            &format!("{at}.programme"),
            ProgrammeId::parse(g("programme")),
        ) else {
            continue;
        };
        let pos = match work.iter().position(|p| p.id == pid) {
            Some(i) => i,
            None => match existing.iter().find(|p| p.id == pid) {
                Some(p) => {
                    work.push(p.clone());
                    work.len() - 1
                }
                None => {
                    c.push(
                        Problem::new(format!("{at}.programme"), Code::UnknownCode)
                            .arg("code", &pid)
                            .arg("list", "programmes"),
                    );
                    continue;
                }
            },
        };
        let index = |name: &str| {
            g(name)
                .parse::<usize>()
                .ok()
                .filter(|v| *v >= 1)
                .map(|v| v - 1)
                .ok_or_else(|| {
                    Problem::new("", Code::Malformed).arg("expected", "a position from 1")
                })
        };
        let r = c.take(&format!("{at}.result"), index("result"));
        let i = c.take(&format!("{at}.indicator"), index("indicator"));
        let start = c.take(&format!("{at}.period_start"), parse_date(g("period_start")));
        let end = c.take(&format!("{at}.period_end"), parse_date(g("period_end")));
        let (Some(r), Some(i), Some(start), Some(end)) = (r, i, start, end) else {
            continue;
        };
        let Some(ind) = work[pos].results.get(r).and_then(|x| x.indicators.get(i)) else {
            c.push(
                Problem::new(format!("{at}.indicator"), Code::UnknownCode)
                    .arg("code", format!("{}/{}", r + 1, i + 1))
                    .arg("list", "the programme's indicators"),
            );
            continue;
        };
        let measure = ind.measure;
        let target = c.take_all(
            &format!("{at}.target"),
            measured_field(g("target"), g("target_parts"), measure),
        );
        let actual = c.take_all(
            &format!("{at}.actual"),
            measured_field(g("actual"), g("actual_parts"), measure),
        );
        let (Some(target), Some(actual)) = (target, actual) else {
            continue;
        };
        let existing_period = ind
            .periods
            .iter()
            .position(|p| p.start == start && p.end == end);
        let result = match existing_period {
            Some(k) => {
                let per = &ind.periods[k];
                if per.target == target && per.actual == actual {
                    unchanged += 1;
                    continue;
                }
                changed += 1;
                rules::edit_period(
                    &work[pos],
                    actor,
                    PeriodRef {
                        result: r,
                        indicator: i,
                        period: k,
                    },
                    target,
                    actual,
                )
            }
            None => {
                added += 1;
                let k = ind.periods.len();
                rules::add_period(&work[pos], actor, r, i, start, end, target).and_then(|p| {
                    rules::edit_period(
                        &p,
                        actor,
                        PeriodRef {
                            result: r,
                            indicator: i,
                            period: k,
                        },
                        p.results[r].indicators[i].periods[k].target.clone(),
                        actual,
                    )
                })
            }
        };
        match result {
            Ok(p) => {
                work[pos] = p;
                if !touched.contains(&pos) {
                    touched.push(pos);
                }
            }
            Err(ProgrammeError::Invalid(inv)) => {
                for p in inv.problems {
                    c.push(p.under(&at));
                }
            }
            Err(error) => return Err(CsvError::Refused { row: line, error }),
        }
    }
    c.finish()?;
    touched.sort_unstable();
    Ok(PeriodsImport {
        updated: touched.into_iter().map(|i| work[i].clone()).collect(),
        added,
        changed,
        unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::*;
    use accord_core::Role;

    fn kaz() -> Principal {
        member_user(2, "KAZ", Role::Contributor)
    }

    #[test]
    fn programmes_round_trip_through_csv_unchanged() {
        let p = sample();
        let csv = programmes_csv(std::slice::from_ref(&p));
        assert!(
            csv.starts_with("id,iati_identifier,kind,status,title[en],title[ru],description[en],"),
            "{csv}"
        );
        assert!(csv.contains("KZ: Karaganda Region; Almaty"));
        assert!(csv.contains("15137:60 | 15210:40"));
        let back = read_programmes(csv.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap();
        assert_eq!(back.skipped, vec![p.id.clone()]);
        // As a new programme it comes back with the same core fields.
        let fresh = read_programmes(csv.as_bytes(), &[], &kaz()).unwrap();
        let n = &fresh.created[0];
        assert_eq!(
            (&n.title, &n.sectors, &n.countries, &n.participants),
            (&p.title, &p.sectors, &p.countries, &p.participants)
        );
        assert!(n.results.is_empty());
    }

    #[test]
    fn a_csv_edit_updates_the_core_and_keeps_results_and_budgets() {
        let p = sample();
        let csv =
            programmes_csv(std::slice::from_ref(&p)).replace(",implementation,", ",finalisation,");
        let out = read_programmes(csv.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap();
        assert_eq!(out.updated[0].status, Status::Finalisation);
        assert_eq!(out.updated[0].results, p.results);
        assert_eq!(out.updated[0].budgets, p.budgets);
    }

    #[test]
    fn a_bad_row_refuses_the_whole_file_naming_row_and_column() {
        let p = sample();
        let good = programmes_csv(std::slice::from_ref(&p));
        let second = good
            .lines()
            .nth(1)
            .unwrap()
            .replace("kaz-prison-2024", "second-one")
            .replace("15137:60 | 15210:40", "15137:60 | 15210:30")
            .replace("2025-12-31", "2023-01-01");
        let bad = format!("{good}{second}\n");
        let CsvError::Invalid(e) = read_programmes(bad.as_bytes(), &[], &kaz()).unwrap_err() else {
            panic!()
        };
        assert!(
            e.has(Code::SectorsNotHundred, Some("row[2].sectors")),
            "{e}"
        );
        assert!(
            e.has(Code::EndBeforeStart, Some("row[2].dates.planned_end")),
            "{e}"
        );
        let unknown = good.replace("15137:60", "15999:60");
        let CsvError::Invalid(e) = read_programmes(unknown.as_bytes(), &[], &kaz()).unwrap_err()
        else {
            panic!()
        };
        assert!(
            e.has(Code::UnknownCode, Some("row[1].sectors[0].code")),
            "{e}"
        );
    }

    #[test]
    fn other_members_cannot_import_into_a_programme() {
        let p = sample();
        let csv = programmes_csv(std::slice::from_ref(&p)).replace(",implementation,", ",closed,");
        let kgz = member_user(5, "KGZ", Role::Contributor);
        assert!(matches!(
            read_programmes(csv.as_bytes(), std::slice::from_ref(&p), &kgz),
            Err(CsvError::Refused {
                row: 1,
                error: ProgrammeError::NotParticipating { .. }
            })
        ));
    }

    #[test]
    fn formula_like_fields_are_defused_and_read_back() {
        let mut d = sample_data();
        d.title = Text::single("en", "=HYPERLINK(\"x\")", 300).unwrap();
        let p = Programme::new(d).unwrap();
        let csv = programmes_csv(std::slice::from_ref(&p));
        assert!(csv.contains("'=HYPERLINK"));
        let back = read_programmes(csv.as_bytes(), &[], &kaz()).unwrap();
        assert_eq!(back.created[0].title.best("en"), "=HYPERLINK(\"x\")");
    }

    #[test]
    fn periods_round_trip_and_update_only_drafts() {
        let p = sample();
        let csv = periods_csv(std::slice::from_ref(&p));
        assert!(
            csv.contains("female:20 | male:100 | 18-24:45 | male/25-34:50"),
            "{csv}"
        );
        let same = read_periods(csv.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap();
        assert_eq!((same.added, same.changed, same.unchanged), (0, 0, 5));
        assert!(same.updated.is_empty());

        // The draft period (result 2, indicator 1, 2025) takes a new actual.
        let edited = csv.replace(
            "2025-01-01,2025-12-31,40,,31,",
            "2025-01-01,2025-12-31,40,,33,",
        );
        let out = read_periods(edited.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap();
        assert_eq!(out.changed, 1);
        assert_eq!(
            out.updated[0].results[1].indicators[0].periods[0].actual,
            Some(Measured::number(33.0))
        );

        // A submitted one cannot be rewritten.
        let bad = csv.replace(
            "2024-01-01,2024-12-31,100,,85,",
            "2024-01-01,2024-12-31,100,,86,",
        );
        assert!(matches!(
            read_periods(bad.as_bytes(), std::slice::from_ref(&p), &kaz()),
            Err(CsvError::Refused {
                error: ProgrammeError::PeriodSubmitted { .. },
                ..
            })
        ));
    }

    #[test]
    fn numbers_with_thousands_separators_are_read_and_decimal_commas_refused() {
        let p = sample();
        let mut csv = periods_csv(std::slice::from_ref(&p));
        csv.push_str(
            "kaz-prison-2024,1,2,,,unit,2025-01-01,2025-06-30,\"1,500\",,\"1,240\",,draft\n",
        );
        let out = read_periods(csv.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap();
        let per = out.updated[0].results[0].indicators[1]
            .periods
            .last()
            .unwrap();
        assert_eq!(per.actual, Some(Measured::number(1240.0)));
        let mut bad = periods_csv(std::slice::from_ref(&p));
        bad.push_str("kaz-prison-2024,2,2,,,percentage,2025-01-01,2025-06-30,\"12,5\",,,,draft\n");
        let CsvError::Invalid(e) =
            read_periods(bad.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap_err()
        else {
            panic!()
        };
        assert!(e.has(Code::Malformed, Some("row[6].target.value")), "{e}");
    }

    #[test]
    fn a_new_period_row_adds_a_draft_and_bad_numbers_are_named() {
        let p = sample();
        let mut csv = periods_csv(std::slice::from_ref(&p));
        csv.push_str("kaz-prison-2024,1,2,,,unit,2025-01-01,2025-06-30,60,,12,,draft\n");
        let out = read_periods(csv.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap();
        assert_eq!(out.added, 1);
        let per = out.updated[0].results[0].indicators[1]
            .periods
            .last()
            .unwrap();
        assert_eq!(per.actual, Some(Measured::number(12.0)));

        let mut bad = periods_csv(std::slice::from_ref(&p));
        bad.push_str("kaz-prison-2024,1,2,,,unit,2025-01-01,2025-06-30,60,,-4,,draft\n");
        bad.push_str(
            "kaz-prison-2024,1,1,,,unit,2025-01-01,2025-06-30,60,,10,female:8 | male:7,draft\n",
        );
        bad.push_str("kaz-prison-2024,1,2,,,unit,2027-01-01,2027-06-30,60,,,,draft\n");
        let CsvError::Invalid(e) =
            read_periods(bad.as_bytes(), std::slice::from_ref(&p), &kaz()).unwrap_err()
        else {
            panic!()
        };
        assert!(e.has(Code::Negative, None), "{e}");
        assert!(e.has(Code::PartsExceedTotal, None), "{e}");
        assert!(e.has(Code::OutsideProgramme, None), "{e}");
        assert!(
            e.problems.iter().all(|p| p.field.starts_with("row[")),
            "{e}"
        );
    }
}
