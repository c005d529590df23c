//! Reads a donor's IATI 2.03 activities file into programmes, all or
//! nothing: either every activity becomes a valid programme (created,
//! updated or skipped as unchanged, with a report), or the whole file is
//! refused with every problem named. Nothing is stored here; the store
//! applies the returned [`Import`] in one transaction.
//!
//! The reader enforces what the schema requires of the elements it reads
//! (root, version, identifier, reporting-org, title, description,
//! participating-org, status, dates, element shapes) and checks every code
//! against the code lists. What Accord does not model is left out and said
//! so in the report's notes (never silently).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use time::OffsetDateTime;

use accord_core::MemberCode;
use accord_core::tlp::Tlp;

use crate::codes::{self, List};
use crate::error::{Code, Collector, Invalid, Problem};
use crate::model::*;
use crate::programme::{Programme, ProgrammeData};

use super::{TAG_COMMITMENT, TAG_KIND};

/// Files larger than this are refused before parsing (32 MiB: a donor's
/// file for one country programme is far smaller; whole-publisher dumps are
/// split by IATI's registry anyway).
pub const MAX_IMPORT_BYTES: u64 = 32 * 1024 * 1024;

/// Deepest element nesting accepted (IATI needs about 8).
const MAX_DEPTH: usize = 32;

/// Why a file was refused as a whole.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IatiError {
    #[error("the file is {size} bytes; at most {limit} are accepted")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file could not be read: {0}")]
    Io(String),
    #[error("the file is not UTF-8 (byte {at})")]
    NotUtf8 { at: usize },
    #[error("the file is not well-formed XML (line {line}): {message}")]
    Xml { line: usize, message: String },
    #[error(
        "a DOCTYPE is not accepted (IATI files have none; entities could expand without bound)"
    )]
    Doctype,
    #[error("elements are nested deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("the root element is <{found}>, not <iati-activities>")]
    NotIati { found: String },
    #[error("IATI version {found:?} is not read; only 2.0x files are")]
    Version { found: String },
    /// The file breaks the schema's structure, a code list, or a programme rule.
    #[error(transparent)]
    Invalid(#[from] Invalid),
}

impl IatiError {
    pub fn code(&self) -> &'static str {
        match self {
            IatiError::TooLarge { .. } => "too_large",
            IatiError::Io(_) => "io",
            IatiError::NotUtf8 { .. } => "not_utf8",
            IatiError::Xml { .. } => "not_xml",
            IatiError::Doctype => "doctype",
            IatiError::TooDeep => "too_deep",
            IatiError::NotIati { .. } => "not_iati",
            IatiError::Version { .. } => "version",
            IatiError::Invalid(_) => "invalid",
        }
    }
}

/// What the import is matched against.
#[derive(Debug, Clone, Default)]
pub struct ImportContext<'a> {
    /// The programmes already stored (matched by IATI identifier).
    pub existing: &'a [Programme],
    /// Members of the platform by their IATI organisation identifier, so a
    /// participating organization that is a member is linked to it.
    pub members_by_ref: BTreeMap<OrgRef, MemberCode>,
}

/// What the store should apply, and the report to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub created: Vec<Programme>,
    pub updated: Vec<Programme>,
    pub report: ImportReport,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    pub created: Vec<(ProgrammeId, IatiIdentifier)>,
    pub updated: Vec<(ProgrammeId, IatiIdentifier)>,
    /// Identical to what is stored: nothing to do.
    pub skipped: Vec<(IatiIdentifier, String)>,
    /// What the file holds and Accord does not model, per activity.
    pub notes: Vec<String>,
}

/// Reads at most `limit` bytes from `r` (refusing more) and imports them.
pub fn read_activities_from(
    r: impl Read,
    limit: u64,
    ctx: &ImportContext<'_>,
    now: OffsetDateTime,
) -> Result<Import, IatiError> {
    let mut buf = Vec::new();
    r.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| IatiError::Io(e.to_string()))?;
    if buf.len() as u64 > limit {
        return Err(IatiError::TooLarge {
            size: buf.len() as u64,
            limit,
        });
    }
    read_activities(&buf, ctx, now)
}

/// Imports a whole file held in memory. Periods come in as submitted (they
/// are the donor's published results), dated `now`.
pub fn read_activities(
    bytes: &[u8],
    ctx: &ImportContext<'_>,
    now: OffsetDateTime,
) -> Result<Import, IatiError> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(IatiError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_IMPORT_BYTES,
        });
    }
    let root = parse(bytes)?;
    if root.name != "iati-activities" {
        return Err(IatiError::NotIati { found: root.name });
    }
    let version = root.attr("version").unwrap_or("").to_string();
    if !version.starts_with("2.0") {
        return Err(IatiError::Version { found: version });
    }

    let mut c = Collector::default();
    let mut report = ImportReport::default();
    let mut created = Vec::new();
    let mut updated = Vec::new();
    let mut seen: HashSet<IatiIdentifier> = HashSet::new();
    let mut taken_ids: HashSet<ProgrammeId> = ctx.existing.iter().map(|p| p.id.clone()).collect();
    let by_identifier: HashMap<&IatiIdentifier, &Programme> = ctx
        .existing
        .iter()
        .filter_map(|p| p.iati_identifier.as_ref().map(|i| (i, p)))
        .collect();
    let activities: Vec<&El> = root.all("iati-activity").collect();
    if activities.is_empty() {
        c.push(Problem::new("iati-activity", Code::Required));
    }
    for (i, a) in activities.iter().enumerate() {
        let at = format!("iati-activity[{i}]");
        let mut notes = Vec::new();
        let Some((identifier, data)) = c.take_all(&at, activity(a, ctx, now, &mut notes)) else {
            continue;
        };
        if !seen.insert(identifier.clone()) {
            c.push(
                Problem::new(format!("{at}.iati-identifier"), Code::Duplicate)
                    .arg("value", &identifier),
            );
            continue;
        }
        report
            .notes
            .extend(notes.into_iter().map(|n| format!("{identifier}: {n}")));
        let existing = by_identifier.get(&identifier).copied();
        let mut data = data;
        match existing {
            Some(old) => {
                // The stored programme keeps its id, publication state and
                // the platform's decisions about it (marking, flag, kind).
                data.id = old.id.clone();
                data.published = old.published;
                data.tlp = old.tlp;
                data.publish_iati = old.publish_iati;
                if data.kind == ProgrammeKind::Other {
                    data.kind = old.kind;
                }
            }
            None => {
                let base = ProgrammeId::derive(identifier.as_str())
                    .unwrap_or_else(|| ProgrammeId::parse("iati-activity").expect("valid"));
                let mut id = base.clone();
                let mut n = 2;
                while taken_ids.contains(&id) {
                    let stem: String = base.as_str().chars().take(74).collect();
                    id = ProgrammeId::parse(&format!("{stem}-{n}")).expect("valid");
                    n += 1;
                }
                taken_ids.insert(id.clone());
                data.id = id;
            }
        }
        let Some(p) = c.take_all(&at, Programme::new(data).map_err(iati_paths)) else {
            continue;
        };
        match existing {
            Some(old) if strip_times(old) == strip_times(&p) => {
                report.skipped.push((identifier, "unchanged".into()))
            }
            Some(_) => {
                report.updated.push((p.id.clone(), identifier));
                updated.push(p);
            }
            None => {
                report.created.push((p.id.clone(), identifier));
                created.push(p);
            }
        }
    }
    c.finish()?;
    Ok(Import {
        created,
        updated,
        report,
    })
}

/// Names a programme rule's problem by the IATI elements it came from
/// (`sectors` → `sector`, `results[0].indicators[1]` → `result[0].indicator[1]`),
/// so the person who made the file finds it.
fn iati_paths(e: Invalid) -> Invalid {
    const SEGMENTS: &[(&str, &str)] = &[
        ("dates.planned_start", "activity-date[@type=1]"),
        ("dates.actual_start", "activity-date[@type=2]"),
        ("dates.planned_end", "activity-date[@type=3]"),
        ("dates.actual_end", "activity-date[@type=4]"),
        ("countries", "recipient-country"),
        ("sectors", "sector"),
        ("participants", "participating-org"),
        ("budgets", "budget"),
        ("transactions", "transaction"),
        ("documents", "document-link"),
        ("results", "result"),
        ("indicators", "indicator"),
        ("periods", "period"),
        ("parts", "dimension"),
        ("publish_iati", "iati-activity"),
    ];
    Invalid {
        problems: e
            .problems
            .into_iter()
            .map(|mut p| {
                let mut f = p.field.clone();
                for (model, iati) in SEGMENTS {
                    let starts = f.starts_with(model);
                    f = f.replace(&format!(".{model}"), &format!(".{iati}"));
                    if starts {
                        f = format!("{iati}{}", &f[model.len()..]);
                    }
                }
                p.field = f;
                p
            })
            .collect(),
    }
}

/// Imported periods are stamped with the import time; two imports of the
/// same file must still compare equal.
fn strip_times(p: &Programme) -> ProgrammeData {
    let mut d = p.data().clone();
    for r in &mut d.results {
        for i in &mut r.indicators {
            for per in &mut i.periods {
                if let PeriodState::Submitted { by: None, at, .. } = &mut per.state {
                    *at = OffsetDateTime::UNIX_EPOCH;
                }
            }
        }
    }
    d
}

// ---------------------------------------------------------------- the tree

#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn first(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn start_el(e: &BytesStart<'_>, bytes: &[u8], pos: usize) -> Result<El, IatiError> {
    let mut el = El {
        name: e.name().as_ref().to_string(),
        ..El::default()
    };
    for a in e.attributes() {
        let a = a.map_err(|err| IatiError::Xml {
            line: line_of(bytes, pos),
            message: err.to_string(),
        })?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| IatiError::Xml {
                line: line_of(bytes, pos),
                message: err.to_string(),
            })?;
        el.attrs.push((a.key.as_ref().to_string(), v.into_owned()));
    }
    Ok(el)
}

fn parse(bytes: &[u8]) -> Result<El, IatiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| IatiError::NotUtf8 {
        at: e.valid_up_to(),
    })?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let xml_err = |m: String| IatiError::Xml {
            line: line_of(bytes, pos),
            message: m,
        };
        let ev = reader.read_event().map_err(|e| xml_err(e.to_string()))?;
        match ev {
            Event::DocType(_) => return Err(IatiError::Doctype),
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(IatiError::TooDeep);
                }
                if root.is_some() {
                    return Err(xml_err("content after the root element".into()));
                }
                stack.push(start_el(&e, bytes, pos)?);
            }
            Event::Empty(e) => {
                let el = start_el(&e, bytes, pos)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(xml_err("a second root element".into())),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| xml_err("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                // Whitespace between elements is not kept (it would cost an
                // allocation per element); inside text it is.
                if let Some(el) = stack.last_mut()
                    && (!el.text.is_empty() || !t.trim().is_empty())
                {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    }
                };
                let c = c.ok_or_else(|| xml_err(format!("undefined entity &{};", r.as_ref())))?;
                if let Some(el) = stack.last_mut() {
                    el.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(IatiError::Xml {
            line: line_of(bytes, bytes.len()),
            message: format!("<{}> is not closed", open.name),
        });
    }
    root.ok_or(IatiError::Xml {
        line: 1,
        message: "no root element".into(),
    })
}

// ------------------------------------------------------------- the mapping

fn req<'a>(el: &'a El, attr: &str) -> Result<&'a str, Problem> {
    el.attr(attr)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Problem::new(format!("@{attr}"), Code::Required))
}

fn date_attr(el: &El, attr: &str) -> Result<time::Date, Problem> {
    parse_date(req(el, attr)?).map_err(|p| p.under(&format!("@{attr}")))
}

/// Narratives of an element; `lang` is the activity's default language.
fn text_of(el: &El, lang: &str, max: usize) -> Result<Text, Invalid> {
    let pairs: Vec<(String, String)> = el
        .all("narrative")
        .map(|n| {
            (
                n.attr("xml:lang").unwrap_or(lang).to_string(),
                n.text.trim().to_string(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Text::parse(&refs, max).map_err(|e| Invalid {
        problems: e
            .problems
            .into_iter()
            .map(|p| p.under("narrative"))
            .collect(),
    })
}

fn opt_text(c: &mut Collector, parent: &El, name: &str, lang: &str, max: usize) -> Text {
    match parent.first(name) {
        Some(el) => c.take_all(name, text_of(el, lang, max)).unwrap_or_default(),
        None => Text::default(),
    }
}

fn activity(
    a: &El,
    ctx: &ImportContext<'_>,
    now: OffsetDateTime,
    notes: &mut Vec<String>,
) -> Result<(IatiIdentifier, ProgrammeData), Invalid> {
    let mut c = Collector::default();
    let lang = a.attr("xml:lang").unwrap_or("en").to_string();
    let lang = lang.as_str();
    let identifier = match a.first("iati-identifier") {
        Some(el) => c.take("iati-identifier", IatiIdentifier::parse(&el.text)),
        None => {
            c.push(Problem::new("iati-identifier", Code::Required));
            None
        }
    };
    if a.first("reporting-org").is_none() {
        c.push(Problem::new("reporting-org", Code::Required));
    }
    let title = match a.first("title") {
        Some(t) => c.take_all("title", text_of(t, lang, crate::programme::TITLE_MAX)),
        None => {
            c.push(Problem::new("title", Code::Required));
            None
        }
    };
    // The general description (type 1, or untyped), else the first one.
    let desc_el = a
        .all("description")
        .find(|d| d.attr("type").is_none_or(|t| t == "1"))
        .or_else(|| a.first("description"));
    let description = match desc_el {
        Some(d) => c.take_all(
            "description",
            text_of(d, lang, crate::programme::DESCRIPTION_MAX),
        ),
        None => {
            c.push(Problem::new("description", Code::Required));
            None
        }
    };

    let mut participants = Vec::new();
    for (i, o) in a.all("participating-org").enumerate() {
        let at = format!("participating-org[{i}]");
        let role = c.take(
            &at,
            req(o, "role").and_then(|r| OrgRole::from_code(r).map_err(|p| p.under("@role"))),
        );
        let iati_ref = match o.attr("ref").map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => c.take(&format!("{at}.@ref"), OrgRef::parse(r)),
            None => None,
        };
        let org_type = match o.attr("type").map(str::trim).filter(|r| !r.is_empty()) {
            Some(t) => c.take(&format!("{at}.@type"), OrgType::parse(t)),
            None => None,
        };
        let name = c
            .take_all(&at, text_of(o, lang, crate::programme::TITLE_MAX))
            .unwrap_or_default();
        if let Some(role) = role {
            let member = iati_ref
                .as_ref()
                .and_then(|r| ctx.members_by_ref.get(r).cloned());
            participants.push(ParticipatingOrg {
                role,
                member,
                name,
                iati_ref,
                org_type,
            });
        }
    }
    if a.first("participating-org").is_none() {
        c.push(Problem::new("participating-org", Code::Required));
    }

    let status = match a.first("activity-status") {
        Some(s) => c.take(
            "activity-status",
            req(s, "code").and_then(|v| Status::from_code(v).map_err(|p| p.under("@code"))),
        ),
        None => {
            c.push(Problem::new("activity-status", Code::Required));
            None
        }
    };

    let mut dates: [Option<time::Date>; 5] = [None; 5];
    for (i, d) in a.all("activity-date").enumerate() {
        let at = format!("activity-date[{i}]");
        let ty = c.take(&at, req(d, "type"));
        let date = c.take(&at, date_attr(d, "iso-date"));
        if let Some(ty) = ty {
            match ty.parse::<usize>().ok().filter(|t| (1..=4).contains(t)) {
                Some(t) => dates[t] = date.or(dates[t]),
                None => {
                    c.take(
                        &format!("{at}.@type"),
                        codes::check(List::ActivityDateType, ty),
                    );
                }
            }
        }
    }
    let planned_start = dates[1].or(dates[2]);
    let planned_end = dates[3].or(dates[4]);
    if a.first("activity-date").is_none() {
        c.push(Problem::new("activity-date", Code::Required));
    } else {
        if planned_start.is_none() {
            c.push(Problem::new("activity-date", Code::Required).arg("type", "1"));
        }
        if planned_end.is_none() {
            c.push(Problem::new("activity-date", Code::Required).arg("type", "3"));
        }
    }

    let mut countries: Vec<RecipientCountry> = Vec::new();
    for (i, rc) in a.all("recipient-country").enumerate() {
        let at = format!("recipient-country[{i}]");
        if let Some(code) = c.take(
            &at,
            req(rc, "code").and_then(|v| CountryCode::parse(v).map_err(|p| p.under("@code"))),
        ) {
            countries.push(RecipientCountry {
                code,
                regions: vec![],
            });
        }
    }
    if a.first("recipient-region").is_some() {
        notes.push("recipient-region is not imported (a programme runs in countries)".into());
    }
    for loc in a.all("location") {
        let name = loc
            .first("name")
            .and_then(|n| n.first("narrative"))
            .map(|n| n.text.trim().to_string())
            .filter(|n| !n.is_empty());
        let country = loc
            .attr("ref")
            .and_then(|r| r.split('/').next())
            .map(str::to_ascii_uppercase);
        let idx = country
            .and_then(|cc| countries.iter().position(|rc| rc.code.as_str() == cc))
            .or((countries.len() == 1).then_some(0));
        match (name, idx) {
            (Some(n), Some(i)) => countries[i].regions.push(n),
            _ => notes.push("a location without a name or country was not imported".into()),
        }
    }

    let mut sectors = Vec::new();
    let sector_els: Vec<&El> = a
        .all("sector")
        .filter(|s| s.attr("vocabulary").is_none_or(|v| v.trim() == "1"))
        .collect();
    if a.all("sector").count() > sector_els.len() {
        notes.push(
            "sectors in vocabularies other than OECD DAC 5-digit (1) are not imported".into(),
        );
    }
    for (i, s) in sector_els.iter().enumerate() {
        let at = format!("sector[{i}]");
        let code = c.take(
            &at,
            req(s, "code").and_then(|v| SectorCode::parse(v).map_err(|p| p.under("@code"))),
        );
        let pct = match s.attr("percentage") {
            Some(v) => c.take(&format!("{at}.@percentage"), Percent::parse(v)),
            None if sector_els.len() == 1 => Some(Percent::HUNDRED),
            None => {
                c.push(Problem::new(format!("{at}.@percentage"), Code::Required));
                None
            }
        };
        if let (Some(code), Some(percentage)) = (code, pct) {
            sectors.push(SectorShare { code, percentage });
        }
    }

    let mut kind = ProgrammeKind::Other;
    let mut commitments = Vec::new();
    for (i, t) in a.all("tag").enumerate() {
        if t.attr("vocabulary").map(str::trim) != Some("99") {
            continue;
        }
        let code = t.attr("code").unwrap_or("").trim();
        if let Some(k) = code.strip_prefix(TAG_KIND) {
            if let Some(k) = c.take(&format!("tag[{i}].@code"), k.parse::<ProgrammeKind>()) {
                kind = k;
            }
        } else if let Some(cm) = code.strip_prefix(TAG_COMMITMENT) {
            match CommitmentId::parse(cm) {
                Ok(id) if !commitments.contains(&id) => commitments.push(id),
                Ok(_) => {}
                Err(_) => c.push(
                    Problem::new(format!("tag[{i}].@code"), Code::Malformed)
                        .arg("expected", "commitment.<commitment id>"),
                ),
            }
        }
    }

    let money = |c: &mut Collector,
                 at: &str,
                 parent: &El,
                 default_currency: Option<&str>|
     -> Option<Money> {
        let Some(v) = parent.first("value") else {
            c.push(Problem::new(format!("{at}.value"), Code::Required));
            return None;
        };
        let amount = c.take(&format!("{at}.value"), Amount::parse(&v.text));
        let cur = v.attr("currency").or(default_currency).unwrap_or("").trim();
        let currency = if cur.is_empty() {
            // IATI: without a default-currency, every value names its own.
            c.push(Problem::new(
                format!("{at}.value.@currency"),
                Code::Required,
            ));
            None
        } else {
            c.take(&format!("{at}.value.@currency"), Currency::parse(cur))
        };
        Some(Money {
            amount: amount?,
            currency: currency?,
        })
    };
    let default_currency = a.attr("default-currency");

    let mut budgets = Vec::new();
    for (i, b) in a.all("budget").enumerate() {
        let at = format!("budget[{i}]");
        let start = b.first("period-start").map(|e| date_attr(e, "iso-date"));
        let end = b.first("period-end").map(|e| date_attr(e, "iso-date"));
        let start = c.take(
            &format!("{at}.period-start"),
            start.unwrap_or(Err(Problem::new("", Code::Required))),
        );
        let end = c.take(
            &format!("{at}.period-end"),
            end.unwrap_or(Err(Problem::new("", Code::Required))),
        );
        let value = money(&mut c, &at, b, default_currency);
        let status = c.take(
            &format!("{at}.@status"),
            BudgetStatus::parse(b.attr("status").unwrap_or("")),
        );
        let bkind = c.take(
            &format!("{at}.@type"),
            BudgetKind::parse(b.attr("type").unwrap_or("")),
        );
        if let (Some(start), Some(end), Some(value), Some(status), Some(kind)) =
            (start, end, value, status, bkind)
        {
            budgets.push(Budget {
                start,
                end,
                value,
                status,
                kind,
            });
        }
    }

    let mut transactions = Vec::new();
    for (i, t) in a.all("transaction").enumerate() {
        let at = format!("transaction[{i}]");
        let Some(ty) = t.first("transaction-type") else {
            c.push(Problem::new(
                format!("{at}.transaction-type"),
                Code::Required,
            ));
            continue;
        };
        let code = ty.attr("code").unwrap_or("").trim();
        let tkind = match TransactionKind::from_code(code) {
            Ok(k) => k,
            Err(p) if p.get("list") == Some("TransactionType") => {
                c.push(p.under(&format!("{at}.transaction-type.@code")));
                continue;
            }
            Err(_) => {
                notes.push(format!(
                    "a transaction of type {code} ({}) is not imported",
                    codes::name(List::TransactionType, code).unwrap_or("?")
                ));
                continue;
            }
        };
        let date = match t.first("transaction-date") {
            Some(d) => c.take(&format!("{at}.transaction-date"), date_attr(d, "iso-date")),
            None => {
                c.push(Problem::new(
                    format!("{at}.transaction-date"),
                    Code::Required,
                ));
                None
            }
        };
        let value = money(&mut c, &at, t, default_currency);
        let description = opt_text(&mut c, t, "description", lang, 2000);
        let reference = t
            .attr("ref")
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if let (Some(date), Some(value)) = (date, value) {
            transactions.push(Transaction {
                kind: tkind,
                date,
                value,
                description,
                reference,
            });
        }
    }

    let mut documents = Vec::new();
    for (i, d) in a.all("document-link").enumerate() {
        let at = format!("document-link[{i}]");
        let url = c.take(&format!("{at}.@url"), req(d, "url").and_then(Url::parse));
        let format = c.take(
            &format!("{at}.@format"),
            req(d, "format").and_then(MediaType::parse),
        );
        let title = match d.first("title") {
            Some(t) => c.take_all(
                &format!("{at}.title"),
                text_of(t, lang, crate::programme::TITLE_MAX),
            ),
            None => {
                c.push(Problem::new(format!("{at}.title"), Code::Required));
                None
            }
        };
        let cat_code = d
            .first("category")
            .and_then(|e| e.attr("code"))
            .unwrap_or("")
            .trim();
        let category = match DocCategory::parse(cat_code) {
            Ok(cat) => Some(cat),
            Err(_) if cat_code.starts_with('B') => {
                notes.push(format!(
                    "document {cat_code} (an organisation-level category) is not imported"
                ));
                continue;
            }
            Err(p) => {
                c.push(p.under(&format!("{at}.category.@code")));
                None
            }
        };
        let mut languages = Vec::new();
        for (j, l) in d.all("language").enumerate() {
            if let Some(l) = c.take(
                &format!("{at}.language[{j}].@code"),
                Lang::parse(l.attr("code").unwrap_or("")),
            ) {
                languages.push(l);
            }
        }
        let date = match d.first("document-date") {
            Some(e) => c.take(&format!("{at}.document-date"), date_attr(e, "iso-date")),
            None => None,
        };
        if let (Some(url), Some(format), Some(title), Some(category)) =
            (url, format, title, category)
        {
            documents.push(Document {
                url,
                title,
                format,
                category,
                languages,
                date,
            });
        }
    }

    let mut results = Vec::new();
    for (i, r) in a.all("result").enumerate() {
        let at = format!("result[{i}]");
        if let Some(item) = c.take_all(&at, result(r, lang, now, notes)).flatten() {
            results.push(item);
        }
    }

    c.finish()?;
    let (planned_start, planned_end) = (
        planned_start.expect("checked"),
        planned_end.expect("checked"),
    );
    let data = ProgrammeData {
        id: ProgrammeId::parse("iati-activity").expect("valid"),
        iati_identifier: identifier.clone(),
        published: false,
        title: title.expect("checked"),
        description: description.expect("checked"),
        kind,
        status: status.expect("checked"),
        dates: Dates {
            planned_start,
            planned_end,
            actual_start: dates[2],
            actual_end: dates[4],
        },
        countries,
        sectors,
        commitments,
        participants,
        budgets,
        transactions,
        documents,
        results,
        // A donor's published activity is public already; the platform
        // does not republish someone else's activity.
        tlp: Tlp::Clear,
        publish_iati: false,
    };
    Ok((identifier.expect("checked"), data))
}

fn result(
    r: &El,
    lang: &str,
    now: OffsetDateTime,
    notes: &mut Vec<String>,
) -> Result<Option<ResultItem>, Invalid> {
    let mut c = Collector::default();
    let ty = c.take("@type", req(r, "type"));
    let kind = match ty.map(ResultKind::from_code) {
        Some(Ok(k)) => Some(k),
        Some(Err(p)) if p.get("list") == Some("ResultType") => {
            c.push(p.under("@type"));
            None
        }
        Some(Err(_)) => {
            notes.push("a result of type 9 (other) is not imported".into());
            return Ok(None);
        }
        None => None,
    };
    let title = match r.first("title") {
        Some(t) => c.take_all("title", text_of(t, lang, crate::programme::TITLE_MAX)),
        None => {
            c.push(Problem::new("title", Code::Required));
            None
        }
    };
    let description = opt_text(
        &mut c,
        r,
        "description",
        lang,
        crate::programme::DESCRIPTION_MAX,
    );
    let mut indicators = Vec::new();
    for (j, ind) in r.all("indicator").enumerate() {
        let at = format!("indicator[{j}]");
        if let Some(i) = c.take_all(&at, indicator(ind, lang, now, notes)).flatten() {
            indicators.push(i);
        }
    }
    if r.first("indicator").is_none() {
        c.push(Problem::new("indicator", Code::Required));
    }
    c.finish()?;
    if indicators.is_empty() {
        notes.push("a result without an indicator Accord can record is not imported".into());
        return Ok(None);
    }
    Ok(Some(ResultItem {
        kind: kind.expect("checked"),
        title: title.expect("checked"),
        description,
        indicators,
    }))
}

fn indicator(
    el: &El,
    lang: &str,
    now: OffsetDateTime,
    notes: &mut Vec<String>,
) -> Result<Option<Indicator>, Invalid> {
    let mut c = Collector::default();
    let measure = match req(el, "measure") {
        Ok(m) => match Measure::from_code(m) {
            Ok(m) => Some(m),
            Err(p) if p.get("list") == Some("IndicatorMeasure") => {
                c.push(p.under("@measure"));
                None
            }
            Err(_) => {
                notes.push(format!(
                    "an indicator with measure {m} (nominal or ordinal) is not imported"
                ));
                return Ok(None);
            }
        },
        Err(p) => {
            c.push(p);
            None
        }
    };
    let title = match el.first("title") {
        Some(t) => c.take_all("title", text_of(t, lang, crate::programme::TITLE_MAX)),
        None => {
            c.push(Problem::new("title", Code::Required));
            None
        }
    };
    let description = opt_text(
        &mut c,
        el,
        "description",
        lang,
        crate::programme::DESCRIPTION_MAX,
    );
    let ascending = !matches!(el.attr("ascending").map(str::trim), Some("0" | "false"));
    let key = el
        .all("reference")
        .find(|r| r.attr("vocabulary").map(str::trim) == Some("99"))
        .and_then(|r| IndicatorKey::parse(r.attr("code").unwrap_or("")).ok());
    let Some(measure) = measure else {
        return Err(c.finish().expect_err("a missing measure is recorded"));
    };

    let baselines: Vec<&El> = el.all("baseline").collect();
    let mut baseline = None;
    if !baselines.is_empty() {
        let year = c.take(
            "baseline[0].@year",
            req(baselines[0], "year").and_then(|y| {
                y.parse::<i32>()
                    .map_err(|_| Problem::new("", Code::Malformed).arg("expected", "a year"))
            }),
        );
        let m = c.take_all("baseline", measured(&baselines, lang, measure, notes));
        if let (Some(year), Some(measured)) = (year, m) {
            baseline = numeric_or_note(measure, measured, "baseline", notes)
                .map(|measured| Baseline { year, measured });
        }
    }
    let mut periods = Vec::new();
    for (k, p) in el.all("period").enumerate() {
        let at = format!("period[{k}]");
        let start = p.first("period-start").map(|e| date_attr(e, "iso-date"));
        let end = p.first("period-end").map(|e| date_attr(e, "iso-date"));
        let start = c.take(
            &format!("{at}.period-start"),
            start.unwrap_or(Err(Problem::new("", Code::Required))),
        );
        let end = c.take(
            &format!("{at}.period-end"),
            end.unwrap_or(Err(Problem::new("", Code::Required))),
        );
        let targets: Vec<&El> = p.all("target").collect();
        let actuals: Vec<&El> = p.all("actual").collect();
        let target = if targets.is_empty() {
            Some(None)
        } else {
            c.take_all(
                &format!("{at}.target"),
                measured(&targets, lang, measure, notes),
            )
            .map(Some)
        };
        let actual = if actuals.is_empty() {
            Some(None)
        } else {
            c.take_all(
                &format!("{at}.actual"),
                measured(&actuals, lang, measure, notes),
            )
            .map(Some)
        };
        if let (Some(start), Some(end), Some(target), Some(actual)) = (start, end, target, actual) {
            let target = target.and_then(|m| numeric_or_note(measure, m, "target", notes));
            let actual = actual.and_then(|m| numeric_or_note(measure, m, "actual", notes));
            periods.push(Period {
                start,
                end,
                target,
                actual,
                state: PeriodState::Submitted {
                    last_editor: None,
                    by: None,
                    at: now,
                },
            });
        }
    }
    c.finish()?;
    let counts_people = measure == Measure::Unit
        && (baseline
            .as_ref()
            .is_some_and(|b| !b.measured.parts.is_empty())
            || periods.iter().any(|p| {
                [&p.target, &p.actual]
                    .into_iter()
                    .flatten()
                    .any(|m| !m.parts.is_empty())
            }));
    Ok(Some(Indicator {
        title: title.expect("checked"),
        description,
        measure,
        ascending,
        counts_people,
        key,
        baseline,
        periods,
    }))
}

/// IATI lets a numeric indicator's baseline, target or actual carry no
/// value (a comment only); Accord needs the number, so such a value is left
/// out and noted rather than refusing the file.
fn numeric_or_note(
    measure: Measure,
    m: Measured,
    what: &str,
    notes: &mut Vec<String>,
) -> Option<Measured> {
    if measure != Measure::Qualitative && m.value.is_none() {
        notes.push(format!(
            "a {what} without a value (of a {} indicator) is not imported",
            measure.as_str()
        ));
        None
    } else {
        Some(m)
    }
}

/// Several `target` (or `actual`, `baseline`) elements of one period: the one
/// without dimensions is the total, the others its parts by sex and age.
fn measured(
    els: &[&El],
    lang: &str,
    measure: Measure,
    notes: &mut Vec<String>,
) -> Result<Measured, Invalid> {
    let mut c = Collector::default();
    let mut m = Measured::default();
    let mut total_seen = false;
    for (i, e) in els.iter().enumerate() {
        let at = format!("[{i}]");
        let value = match e.attr("value").map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) if measure == Measure::Qualitative => {
                let _ = v;
                None
            }
            Some(v) => c.take(
                &format!("{at}.@value"),
                v.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| Problem::new("", Code::Malformed).arg("expected", "a number")),
            ),
            None => None,
        };
        let dims: Vec<&El> = e.all("dimension").collect();
        if dims.is_empty() {
            if total_seen {
                c.push(
                    Problem::new(at, Code::Duplicate).arg("value", "a value without dimensions"),
                );
                continue;
            }
            total_seen = true;
            m.value = value;
            if let Some(cm) = e.first("comment") {
                m.comment = c
                    .take_all(&format!("{at}.comment"), text_of(cm, lang, 2000))
                    .unwrap_or_default();
            }
        } else {
            // IATI dimensions are free text; Accord records sex and numeric
            // age bands. Any other part is left out and noted (the total
            // stays), so a donor's own categories never refuse a file.
            let mut part = Part {
                sex: None,
                age: None,
                value: value.unwrap_or(0.0),
            };
            let mut unknown = Vec::new();
            for d in &dims {
                let v = d.attr("value").unwrap_or("").trim();
                let name = d.attr("name").unwrap_or("").trim().to_ascii_lowercase();
                match name.as_str() {
                    "sex" | "gender" => match Sex::parse(v) {
                        Ok(sx) => part.sex = Some(sx),
                        Err(_) => unknown.push(format!("{name}={v}")),
                    },
                    "age" | "age band" | "age_band" | "age-band" => match AgeBand::parse(v) {
                        Ok(a) => part.age = Some(a),
                        Err(_) => unknown.push(format!("{name}={v}")),
                    },
                    _ => unknown.push(format!("{name}={v}")),
                }
            }
            if value.is_none() {
                unknown.push("no value".into());
            }
            if unknown.is_empty() {
                m.parts.push(part);
            } else {
                notes.push(format!(
                    "a part by {} is not imported (Accord records sex and age bands such as 18-24)",
                    unknown.join(", ")
                ));
            }
        }
    }
    c.finish()?;
    Ok(m)
}

/// Checks every code attribute of an IATI activities document against the
/// code lists (the schema does not): status, date types, roles,
/// organisation types, countries, sectors (vocabulary 1), transaction types,
/// currencies, result types, measures, document categories, languages.
/// Returns every problem with its element path.
pub fn check_codes(xml: &[u8]) -> Result<(), IatiError> {
    let root = parse(xml)?;
    let mut c = Collector::default();
    walk(&root, &root.name.clone(), &mut c);
    c.finish().map_err(IatiError::Invalid)
}

fn walk(el: &El, path: &str, c: &mut Collector) {
    let check = |c: &mut Collector, list: List, attr: &str, v: Option<&str>| {
        if let Some(v) = v
            && let Err(p) = codes::check(list, v.trim())
        {
            c.push(p.under(&format!("{path}/@{attr}")));
        }
    };
    let parent_is = |n: &str| path.rsplit('/').nth(1).and_then(|s| s.split('[').next()) == Some(n);
    match el.name.as_str() {
        "activity-status" => check(c, List::ActivityStatus, "code", el.attr("code")),
        "activity-date" => check(c, List::ActivityDateType, "type", el.attr("type")),
        "participating-org" => {
            check(c, List::OrganisationRole, "role", el.attr("role"));
            check(c, List::OrganisationType, "type", el.attr("type"));
        }
        "reporting-org" => check(c, List::OrganisationType, "type", el.attr("type")),
        "recipient-country" => check(c, List::Country, "code", el.attr("code")),
        "sector" if el.attr("vocabulary").is_none_or(|v| v.trim() == "1") => {
            check(c, List::Sector, "code", el.attr("code"))
        }
        "transaction-type" => check(c, List::TransactionType, "code", el.attr("code")),
        "value" => check(c, List::Currency, "currency", el.attr("currency")),
        "result" => check(c, List::ResultType, "type", el.attr("type")),
        "indicator" => check(c, List::IndicatorMeasure, "measure", el.attr("measure")),
        "category" if parent_is("document-link") => {
            check(c, List::DocumentCategory, "code", el.attr("code"))
        }
        "language" if parent_is("document-link") => {
            check(c, List::Language, "code", el.attr("code"))
        }
        "narrative" => check(c, List::Language, "xml:lang", el.attr("xml:lang")),
        "iati-activity" => {
            check(c, List::Language, "xml:lang", el.attr("xml:lang"));
            check(
                c,
                List::Currency,
                "default-currency",
                el.attr("default-currency"),
            );
        }
        _ => {}
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for ch in &el.children {
        let n = counts.entry(ch.name.as_str()).or_default();
        walk(ch, &format!("{path}/{}[{n}]", ch.name), c);
        *n += 1;
    }
}
