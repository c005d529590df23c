//! Writes an IATI 2.03 `iati-activities` document, in the element order the
//! schema enforces. Only programmes flagged for IATI and marked TLP:CLEAR
//! are written; only submitted result periods are (a draft is not a result).

use std::fmt::Write as _;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use accord_core::tlp::Tlp;
use accord_plan::svg::escape;

use crate::error::{Code, Invalid, Problem};
use crate::model::*;
use crate::programme::{Programme, fmt_number};
use crate::rules::iati_identifier_for;

use super::{TAG_COMMITMENT, TAG_KIND, VERSION};

/// Who publishes: the secretariat, with its configured IATI identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiConfig {
    /// The secretariat's IATI organisation identifier (e.g. `XM-ACCORD`).
    pub reporting_org: OrgRef,
    /// Its OrganisationType (e.g. `40` multilateral).
    pub reporting_org_type: OrgType,
    /// Its name, in one or more languages.
    pub reporting_org_name: Text,
}

/// The document and the programmes in it (the store marks them published,
/// which freezes their identifiers).
#[derive(Debug, Clone, PartialEq)]
pub struct IatiExport {
    pub xml: String,
    pub published: Vec<(ProgrammeId, IatiIdentifier)>,
}

/// Whether a programme goes into the IATI file: flagged and TLP:CLEAR.
/// (Validation already refuses the flag without CLEAR; this is checked
/// again here so no other path can leak a marked programme.)
pub fn publishable(p: &Programme) -> bool {
    p.publish_iati && p.tlp == Tlp::Clear
}

/// Writes the document of the publishable programmes among `programmes`,
/// each with the time it last changed. `now` is the generation time.
/// Refused when none is publishable (the schema needs one activity).
pub fn write_activities(
    programmes: &[(&Programme, OffsetDateTime)],
    config: &IatiConfig,
    now: OffsetDateTime,
) -> Result<IatiExport, Invalid> {
    let chosen: Vec<_> = programmes.iter().filter(|(p, _)| publishable(p)).collect();
    if chosen.is_empty() {
        return Err(Invalid::one(
            Problem::new("programmes", Code::Required).arg("what", "a programme to publish"),
        ));
    }
    if config.reporting_org_name.is_empty() {
        return Err(Invalid::one(Problem::new(
            "reporting_org_name",
            Code::Required,
        )));
    }
    // IATI: an identifier starts with the reporting organisation's
    // identifier. A programme that came from a donor's file keeps the
    // donor's identifier and so cannot be reported under the secretariat.
    let prefix = format!("{}-", config.reporting_org);
    let mut c = crate::error::Collector::default();
    for (i, (p, _)) in programmes.iter().enumerate() {
        if publishable(p)
            && !iati_identifier_for(p, &config.reporting_org)
                .as_str()
                .starts_with(&prefix)
        {
            c.push(
                Problem::new(format!("programmes[{i}].iati_identifier"), Code::Malformed)
                    .arg("expected", format!("an identifier starting with {prefix}")),
            );
        }
    }
    c.finish()?;
    let mut x = String::with_capacity(4096 * chosen.len());
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        r#"<iati-activities version="{VERSION}" generated-datetime="{}">"#,
        datetime(now)
    );
    let mut published = Vec::new();
    for (p, updated) in chosen {
        let id = iati_identifier_for(p, &config.reporting_org);
        activity(&mut x, p, &id, *updated, config);
        published.push((p.id.clone(), id));
    }
    x.push_str("</iati-activities>\n");
    Ok(IatiExport { xml: x, published })
}

fn datetime(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn narratives(x: &mut String, t: &Text) {
    for n in t.narratives() {
        let _ = write!(
            x,
            r#"<narrative xml:lang="{}">{}</narrative>"#,
            n.lang,
            escape(&n.text)
        );
    }
}

/// `<name>` with narratives, or nothing for an empty text.
fn text_el(x: &mut String, name: &str, t: &Text) {
    if t.is_empty() {
        return;
    }
    let _ = write!(x, "<{name}>");
    narratives(x, t);
    let _ = write!(x, "</{name}>");
}

fn activity(
    x: &mut String,
    p: &Programme,
    id: &IatiIdentifier,
    updated: OffsetDateTime,
    c: &IatiConfig,
) {
    let _ = writeln!(
        x,
        r#"<iati-activity last-updated-datetime="{}" xml:lang="en">"#,
        datetime(updated)
    );
    let _ = writeln!(
        x,
        "<iati-identifier>{}</iati-identifier>",
        escape(id.as_str())
    );
    let _ = write!(
        x,
        r#"<reporting-org ref="{}" type="{}">"#,
        escape(c.reporting_org.as_str()),
        c.reporting_org_type
    );
    narratives(x, &c.reporting_org_name);
    x.push_str("</reporting-org>\n");
    text_el(x, "title", &p.title);
    x.push('\n');
    x.push_str(r#"<description type="1">"#);
    narratives(x, &p.description);
    x.push_str("</description>\n");

    for o in &p.participants {
        let _ = write!(x, r#"<participating-org role="{}""#, o.role.code());
        if let Some(r) = &o.iati_ref {
            let _ = write!(x, r#" ref="{}""#, escape(r.as_str()));
        }
        if let Some(t) = &o.org_type {
            let _ = write!(x, r#" type="{t}""#);
        }
        x.push('>');
        if o.name.is_empty() {
            if let Some(m) = &o.member {
                let _ = write!(x, "<narrative>{}</narrative>", escape(m.as_str()));
            }
        } else {
            narratives(x, &o.name);
        }
        x.push_str("</participating-org>\n");
    }

    let _ = writeln!(x, r#"<activity-status code="{}"/>"#, p.status.code());
    let d = &p.dates;
    for (ty, date) in [
        ("1", Some(d.planned_start)),
        ("2", d.actual_start),
        ("3", Some(d.planned_end)),
        ("4", d.actual_end),
    ] {
        if let Some(date) = date {
            let _ = writeln!(
                x,
                r#"<activity-date type="{ty}" iso-date="{}"/>"#,
                format_date(date)
            );
        }
    }

    // Countries: with several, IATI wants shares adding up to 100; the
    // programme does not record them, so they are split evenly.
    let n = p.countries.len();
    for (i, rc) in p.countries.iter().enumerate() {
        if n == 1 {
            let _ = writeln!(x, r#"<recipient-country code="{}"/>"#, rc.code);
        } else {
            let base = 10_000 / n as i64;
            let share = if i == 0 {
                10_000 - base * (n as i64 - 1)
            } else {
                base
            };
            let _ = writeln!(
                x,
                r#"<recipient-country code="{}" percentage="{}"/>"#,
                rc.code,
                Amount::from_hundredths(share)
            );
        }
    }
    for rc in &p.countries {
        for (j, region) in rc.regions.iter().enumerate() {
            let _ = writeln!(
                x,
                r#"<location ref="{}/{}"><name><narrative>{}</narrative></name></location>"#,
                rc.code,
                j + 1,
                escape(region)
            );
        }
    }
    for s in &p.sectors {
        let _ = writeln!(
            x,
            r#"<sector vocabulary="1" code="{}" percentage="{}"/>"#,
            s.code, s.percentage
        );
    }
    let _ = writeln!(
        x,
        r#"<tag vocabulary="99" code="{TAG_KIND}{}"><narrative xml:lang="en">{}</narrative></tag>"#,
        p.kind.as_str(),
        escape(p.kind.label())
    );
    for cm in &p.commitments {
        let _ = writeln!(
            x,
            r#"<tag vocabulary="99" code="{TAG_COMMITMENT}{}"><narrative xml:lang="en">Joint Plan commitment {}</narrative></tag>"#,
            escape(cm.as_str()),
            escape(cm.as_str())
        );
    }
    for b in &p.budgets {
        let _ = writeln!(
            x,
            r#"<budget type="{}" status="{}"><period-start iso-date="{}"/><period-end iso-date="{}"/><value currency="{}" value-date="{}">{}</value></budget>"#,
            b.kind.code(),
            b.status.code(),
            format_date(b.start),
            format_date(b.end),
            b.value.currency,
            format_date(b.start),
            b.value.amount
        );
    }
    for t in &p.transactions {
        x.push_str("<transaction");
        if let Some(r) = &t.reference {
            let _ = write!(x, r#" ref="{}""#, escape(r));
        }
        let _ = write!(
            x,
            r#"><transaction-type code="{}"/><transaction-date iso-date="{}"/><value currency="{}" value-date="{}">{}</value>"#,
            t.kind.code(),
            format_date(t.date),
            t.value.currency,
            format_date(t.date),
            t.value.amount
        );
        text_el(x, "description", &t.description);
        x.push_str("</transaction>\n");
    }
    for doc in &p.documents {
        let _ = write!(
            x,
            r#"<document-link url="{}" format="{}">"#,
            escape(doc.url.as_str()),
            escape(doc.format.as_str())
        );
        text_el(x, "title", &doc.title);
        let _ = write!(x, r#"<category code="{}"/>"#, doc.category);
        for l in &doc.languages {
            let _ = write!(x, r#"<language code="{l}"/>"#);
        }
        if let Some(dd) = doc.date {
            let _ = write!(x, r#"<document-date iso-date="{}"/>"#, format_date(dd));
        }
        x.push_str("</document-link>\n");
    }
    for r in &p.results {
        result(x, r);
    }
    x.push_str("</iati-activity>\n");
}

fn result(x: &mut String, r: &ResultItem) {
    let _ = write!(x, r#"<result type="{}">"#, r.kind.code());
    text_el(x, "title", &r.title);
    text_el(x, "description", &r.description);
    for ind in &r.indicators {
        let _ = write!(
            x,
            r#"<indicator measure="{}" ascending="{}">"#,
            ind.measure.code(),
            if ind.ascending { "1" } else { "0" }
        );
        text_el(x, "title", &ind.title);
        text_el(x, "description", &ind.description);
        if let Some(k) = &ind.key {
            let _ = write!(x, r#"<reference vocabulary="99" code="{k}"/>"#);
        }
        if let Some(b) = &ind.baseline {
            // Baseline children: dimension*, document-link*, comment?.
            let _ = write!(x, r#"<baseline year="{}""#, b.year);
            value_attr(x, b.measured.value);
            x.push('>');
            text_el(x, "comment", &b.measured.comment);
            x.push_str("</baseline>");
            for part in &b.measured.parts {
                let _ = write!(
                    x,
                    r#"<baseline year="{}" value="{}">"#,
                    b.year,
                    fmt_number(part.value)
                );
                dimensions(x, part);
                x.push_str("</baseline>");
            }
        }
        for per in ind.periods.iter().filter(|p| p.state.is_submitted()) {
            let _ = write!(
                x,
                r#"<period><period-start iso-date="{}"/><period-end iso-date="{}"/>"#,
                format_date(per.start),
                format_date(per.end)
            );
            if let Some(t) = &per.target {
                measured(x, "target", t);
            }
            if let Some(a) = &per.actual {
                measured(x, "actual", a);
            }
            x.push_str("</period>");
        }
        x.push_str("</indicator>");
    }
    x.push_str("</result>\n");
}

fn value_attr(x: &mut String, v: Option<f64>) {
    if let Some(v) = v {
        let _ = write!(x, r#" value="{}""#, fmt_number(v));
    }
}

/// The total, then one element per part with its dimensions (IATI's way of
/// disaggregating a target or an actual). Children: dimension*, comment?.
fn measured(x: &mut String, name: &str, m: &Measured) {
    let _ = write!(x, "<{name}");
    value_attr(x, m.value);
    x.push('>');
    text_el(x, "comment", &m.comment);
    let _ = write!(x, "</{name}>");
    for part in &m.parts {
        let _ = write!(x, r#"<{name} value="{}">"#, fmt_number(part.value));
        dimensions(x, part);
        let _ = write!(x, "</{name}>");
    }
}

fn dimensions(x: &mut String, part: &Part) {
    if let Some(s) = part.sex {
        let _ = write!(x, r#"<dimension name="sex" value="{}"/>"#, s.as_str());
    }
    if let Some(a) = part.age {
        let _ = write!(x, r#"<dimension name="age" value="{a}"/>"#);
    }
}
