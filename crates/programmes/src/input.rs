//! The unvalidated body of a form or a JSON request: plain strings (and
//! numbers), every field optional. [`ProgrammeInput::validate`] reads it
//! into [`ProgrammeData`], reporting every bad field at once with its code
//! and path (`budgets[0].currency`), which serde's first-error-only
//! deserialization of `ProgrammeData` cannot do. Then
//! [`rules::create`](crate::rules::create) or [`rules::revise`](crate::rules::revise)
//! checks the rules across fields and who may write.
//!
//! [`ProgrammeInput::from_programme`] fills a form from a stored programme.

use serde::{Deserialize, Serialize};

use accord_core::MemberCode;
use accord_core::tlp::Tlp;

use crate::error::{Code, Collector, Invalid, Problem};
use crate::model::*;
use crate::programme::{DESCRIPTION_MAX, Programme, ProgrammeData, TITLE_MAX, fmt_number};

/// A number as a form sends it (text) or as JSON does (a number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Num {
    Text(String),
    Number(f64),
}

impl Default for Num {
    fn default() -> Num {
        Num::Text(String::new())
    }
}

impl Num {
    fn text(&self) -> String {
        match self {
            Num::Text(s) => s.trim().to_string(),
            Num::Number(n) => fmt_number(*n),
        }
    }
    fn is_blank(&self) -> bool {
        self.text().is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NarrativeInput {
    pub lang: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountryInput {
    pub code: String,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SectorInput {
    pub code: String,
    pub percentage: Num,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgInput {
    pub role: String,
    pub member: String,
    pub name: Vec<NarrativeInput>,
    pub iati_ref: String,
    pub org_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BudgetInput {
    pub start: String,
    pub end: String,
    pub amount: Num,
    pub currency: String,
    pub status: String,
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransactionInput {
    pub kind: String,
    pub date: String,
    pub amount: Num,
    pub currency: String,
    pub description: Vec<NarrativeInput>,
    pub reference: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentInput {
    pub url: String,
    pub title: Vec<NarrativeInput>,
    pub format: String,
    pub category: String,
    pub languages: Vec<String>,
    pub date: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartInput {
    pub sex: String,
    pub age: String,
    pub value: Num,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeasuredInput {
    pub value: Num,
    pub comment: Vec<NarrativeInput>,
    pub parts: Vec<PartInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeriodInput {
    pub start: String,
    pub end: String,
    pub target: Option<MeasuredInput>,
    pub actual: Option<MeasuredInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorInput {
    pub title: Vec<NarrativeInput>,
    pub description: Vec<NarrativeInput>,
    pub measure: String,
    /// Absent means ascending (more is better), as in IATI.
    pub ascending: Option<bool>,
    pub counts_people: bool,
    pub key: String,
    pub baseline_year: String,
    pub baseline: Option<MeasuredInput>,
    pub periods: Vec<PeriodInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultInput {
    pub kind: String,
    pub title: Vec<NarrativeInput>,
    pub description: Vec<NarrativeInput>,
    pub indicators: Vec<IndicatorInput>,
}

/// A programme as a form or an API client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgrammeInput {
    pub id: String,
    pub iati_identifier: String,
    pub title: Vec<NarrativeInput>,
    pub description: Vec<NarrativeInput>,
    pub kind: String,
    pub status: String,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: String,
    pub actual_end: String,
    pub countries: Vec<CountryInput>,
    pub sectors: Vec<SectorInput>,
    pub commitments: Vec<String>,
    pub participants: Vec<OrgInput>,
    pub budgets: Vec<BudgetInput>,
    pub transactions: Vec<TransactionInput>,
    pub documents: Vec<DocumentInput>,
    pub results: Vec<ResultInput>,
    /// Blank: the kind's default marking (or the stored one on an edit).
    pub tlp: String,
    /// Absent: the kind's default (or the stored flag on an edit).
    pub publish_iati: Option<bool>,
}

fn narr(v: &[NarrativeInput], max: usize) -> Result<Text, Invalid> {
    let pairs: Vec<(&str, &str)> = v
        .iter()
        .map(|n| {
            let lang = if n.lang.trim().is_empty() {
                "en"
            } else {
                n.lang.as_str()
            };
            (lang, n.text.as_str())
        })
        .collect();
    Text::parse(&pairs, max)
}

fn to_narr(t: &Text) -> Vec<NarrativeInput> {
    t.narratives()
        .iter()
        .map(|n| NarrativeInput {
            lang: n.lang.to_string(),
            text: n.text.clone(),
        })
        .collect()
}

fn opt<T>(
    c: &mut Collector,
    field: &str,
    raw: &str,
    f: impl Fn(&str) -> Result<T, Problem>,
) -> Option<Option<T>> {
    if raw.trim().is_empty() {
        Some(None)
    } else {
        c.take(field, f(raw)).map(Some)
    }
}

fn req<T>(
    c: &mut Collector,
    field: &str,
    raw: &str,
    f: impl Fn(&str) -> Result<T, Problem>,
) -> Option<T> {
    if raw.trim().is_empty() {
        c.push(Problem::new(field, Code::Required));
        None
    } else {
        c.take(field, f(raw))
    }
}

fn measured(c: &mut Collector, at: &str, m: &MeasuredInput) -> Option<Measured> {
    let value = if m.value.is_blank() {
        Some(None)
    } else {
        c.take(&format!("{at}.value"), parse_number(&m.value.text()))
            .map(Some)
    };
    let comment = c.take_all(&format!("{at}.comment"), narr(&m.comment, 2000));
    let mut parts = Vec::new();
    for (i, p) in m.parts.iter().enumerate() {
        let pat = format!("{at}.parts[{i}]");
        let sex = opt(c, &format!("{pat}.sex"), &p.sex, Sex::parse);
        let age = opt(c, &format!("{pat}.age"), &p.age, AgeBand::parse);
        let v = req(c, &format!("{pat}.value"), &p.value.text(), parse_number);
        if let (Some(sex), Some(age), Some(value)) = (sex, age, v) {
            parts.push(Part { sex, age, value });
        }
    }
    Some(Measured {
        value: value?,
        comment: comment?,
        parts,
    })
}

impl ProgrammeInput {
    /// Reads every field; `previous` is the stored programme on an edit
    /// (its periods keep their states, its marking and flag stay when the
    /// input leaves them blank). New periods are drafts.
    pub fn validate(&self, previous: Option<&Programme>) -> Result<ProgrammeData, Invalid> {
        let mut c = Collector::default();
        let id = req(&mut c, "id", &self.id, ProgrammeId::parse);
        let iati_identifier = match self.iati_identifier.trim() {
            "" => Some(previous.and_then(|p| p.iati_identifier.clone())),
            s => c
                .take("iati_identifier", IatiIdentifier::parse(s))
                .map(Some),
        };
        let title = c.take_all("title", narr(&self.title, TITLE_MAX));
        let description = c.take_all("description", narr(&self.description, DESCRIPTION_MAX));
        let kind = req(&mut c, "kind", &self.kind, str::parse::<ProgrammeKind>);
        let status = req(&mut c, "status", &self.status, str::parse::<Status>);
        let planned_start = req(&mut c, "planned_start", &self.planned_start, parse_date);
        let planned_end = req(&mut c, "planned_end", &self.planned_end, parse_date);
        let actual_start = opt(&mut c, "actual_start", &self.actual_start, parse_date);
        let actual_end = opt(&mut c, "actual_end", &self.actual_end, parse_date);

        let mut countries = Vec::new();
        for (i, x) in self.countries.iter().enumerate() {
            if let Some(code) = req(
                &mut c,
                &format!("countries[{i}].code"),
                &x.code,
                CountryCode::parse,
            ) {
                let regions = x
                    .regions
                    .iter()
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect();
                countries.push(RecipientCountry { code, regions });
            }
        }
        let mut sectors = Vec::new();
        for (i, x) in self.sectors.iter().enumerate() {
            let code = req(
                &mut c,
                &format!("sectors[{i}].code"),
                &x.code,
                SectorCode::parse,
            );
            let pct = if x.percentage.is_blank() && self.sectors.len() == 1 {
                Some(Percent::HUNDRED)
            } else {
                req(
                    &mut c,
                    &format!("sectors[{i}].percentage"),
                    &x.percentage.text(),
                    Percent::parse,
                )
            };
            if let (Some(code), Some(percentage)) = (code, pct) {
                sectors.push(SectorShare { code, percentage });
            }
        }
        let mut commitments = Vec::new();
        for (i, x) in self.commitments.iter().enumerate() {
            match CommitmentId::parse(x) {
                Ok(id) => commitments.push(id),
                Err(_) => c.push(
                    Problem::new(format!("commitments[{i}]"), Code::Malformed)
                        .arg("expected", "a commitment id such as astana2015.step.6"),
                ),
            }
        }
        let mut participants = Vec::new();
        for (i, x) in self.participants.iter().enumerate() {
            let at = format!("participants[{i}]");
            let role = req(
                &mut c,
                &format!("{at}.role"),
                &x.role,
                str::parse::<OrgRole>,
            );
            let member = opt(&mut c, &format!("{at}.member"), &x.member, |m| {
                MemberCode::parse(m).map_err(|_| {
                    Problem::new("", Code::Malformed).arg("expected", "a member code such as KAZ")
                })
            });
            let name = c.take_all(&format!("{at}.name"), narr(&x.name, TITLE_MAX));
            let iati_ref = opt(
                &mut c,
                &format!("{at}.iati_ref"),
                &x.iati_ref,
                OrgRef::parse,
            );
            let org_type = opt(
                &mut c,
                &format!("{at}.org_type"),
                &x.org_type,
                OrgType::parse,
            );
            if let (Some(role), Some(member), Some(name), Some(iati_ref), Some(org_type)) =
                (role, member, name, iati_ref, org_type)
            {
                participants.push(ParticipatingOrg {
                    role,
                    member,
                    name,
                    iati_ref,
                    org_type,
                });
            }
        }
        let mut budgets = Vec::new();
        for (i, x) in self.budgets.iter().enumerate() {
            let at = format!("budgets[{i}]");
            let start = req(&mut c, &format!("{at}.start"), &x.start, parse_date);
            let end = req(&mut c, &format!("{at}.end"), &x.end, parse_date);
            let amount = req(
                &mut c,
                &format!("{at}.amount"),
                &x.amount.text(),
                Amount::parse,
            );
            let currency = req(
                &mut c,
                &format!("{at}.currency"),
                &x.currency,
                Currency::parse,
            );
            let status = c.take(&format!("{at}.status"), BudgetStatus::parse(&x.status));
            let kind = c.take(&format!("{at}.kind"), BudgetKind::parse(&x.kind));
            if let (
                Some(start),
                Some(end),
                Some(amount),
                Some(currency),
                Some(status),
                Some(kind),
            ) = (start, end, amount, currency, status, kind)
            {
                budgets.push(Budget {
                    start,
                    end,
                    value: Money { amount, currency },
                    status,
                    kind,
                });
            }
        }
        let mut transactions = Vec::new();
        for (i, x) in self.transactions.iter().enumerate() {
            let at = format!("transactions[{i}]");
            let kind = req(
                &mut c,
                &format!("{at}.kind"),
                &x.kind,
                str::parse::<TransactionKind>,
            );
            let date = req(&mut c, &format!("{at}.date"), &x.date, parse_date);
            let amount = req(
                &mut c,
                &format!("{at}.amount"),
                &x.amount.text(),
                Amount::parse,
            );
            let currency = req(
                &mut c,
                &format!("{at}.currency"),
                &x.currency,
                Currency::parse,
            );
            let description = c.take_all(&format!("{at}.description"), narr(&x.description, 2000));
            let reference = x.reference.trim();
            if let (Some(kind), Some(date), Some(amount), Some(currency), Some(description)) =
                (kind, date, amount, currency, description)
            {
                transactions.push(Transaction {
                    kind,
                    date,
                    value: Money { amount, currency },
                    description,
                    reference: (!reference.is_empty()).then(|| reference.to_string()),
                });
            }
        }
        let mut documents = Vec::new();
        for (i, x) in self.documents.iter().enumerate() {
            let at = format!("documents[{i}]");
            let url = req(&mut c, &format!("{at}.url"), &x.url, Url::parse);
            let title = c.take_all(&format!("{at}.title"), narr(&x.title, TITLE_MAX));
            let format = req(&mut c, &format!("{at}.format"), &x.format, MediaType::parse);
            let category = req(
                &mut c,
                &format!("{at}.category"),
                &x.category,
                DocCategory::parse,
            );
            let mut languages = Vec::new();
            for (j, l) in x.languages.iter().enumerate() {
                if let Some(l) = c.take(&format!("{at}.languages[{j}]"), Lang::parse(l)) {
                    languages.push(l);
                }
            }
            let date = opt(&mut c, &format!("{at}.date"), &x.date, parse_date);
            if let (Some(url), Some(title), Some(format), Some(category), Some(date)) =
                (url, title, format, category, date)
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
        for (r, x) in self.results.iter().enumerate() {
            let at = format!("results[{r}]");
            let kind = req(
                &mut c,
                &format!("{at}.kind"),
                &x.kind,
                str::parse::<ResultKind>,
            );
            let title = c.take_all(&format!("{at}.title"), narr(&x.title, TITLE_MAX));
            let description = c.take_all(
                &format!("{at}.description"),
                narr(&x.description, DESCRIPTION_MAX),
            );
            let mut indicators = Vec::new();
            for (i, y) in x.indicators.iter().enumerate() {
                let iat = format!("{at}.indicators[{i}]");
                if let Some(ind) = indicator(
                    &mut c,
                    &iat,
                    y,
                    previous
                        .and_then(|p| p.results.get(r))
                        .and_then(|pr| pr.indicators.get(i)),
                ) {
                    indicators.push(ind);
                }
            }
            if let (Some(kind), Some(title), Some(description)) = (kind, title, description) {
                results.push(ResultItem {
                    kind,
                    title,
                    description,
                    indicators,
                });
            }
        }
        let default = kind.map(ProgrammeKind::default_sensitivity);
        let tlp = match self.tlp.trim() {
            "" => previous.map(|p| p.tlp).or(default.map(|d| d.tlp)),
            s => c.take(
                "tlp",
                s.parse::<Tlp>().map_err(|_| {
                    Problem::new("", Code::Malformed)
                        .arg("expected", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
                }),
            ),
        };
        let publish_iati = self
            .publish_iati
            .or(previous.map(|p| p.publish_iati))
            .or(default.map(|d| d.publish_iati));
        c.finish()?;
        Ok(ProgrammeData {
            id: id.expect("checked"),
            iati_identifier: iati_identifier.expect("checked"),
            published: previous.is_some_and(|p| p.published),
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
            budgets,
            transactions,
            documents,
            results,
            tlp: tlp.expect("checked"),
            publish_iati: publish_iati.expect("checked"),
        })
    }

    /// The input that [`validate`](Self::validate) reads back as `p` (to fill a form).
    pub fn from_programme(p: &Programme) -> ProgrammeInput {
        let measured = |m: &Measured| MeasuredInput {
            value: m
                .value
                .map_or_else(Num::default, |v| Num::Text(fmt_number(v))),
            comment: to_narr(&m.comment),
            parts: m
                .parts
                .iter()
                .map(|x| PartInput {
                    sex: x.sex.map_or(String::new(), |s| s.as_str().to_string()),
                    age: x.age.map_or(String::new(), |a| a.to_string()),
                    value: Num::Text(fmt_number(x.value)),
                })
                .collect(),
        };
        let date = |d: Option<time::Date>| d.map_or(String::new(), format_date);
        ProgrammeInput {
            id: p.id.to_string(),
            iati_identifier: p
                .iati_identifier
                .as_ref()
                .map_or(String::new(), |i| i.to_string()),
            title: to_narr(&p.title),
            description: to_narr(&p.description),
            kind: p.kind.to_string(),
            status: p.status.to_string(),
            planned_start: format_date(p.dates.planned_start),
            planned_end: format_date(p.dates.planned_end),
            actual_start: date(p.dates.actual_start),
            actual_end: date(p.dates.actual_end),
            countries: p
                .countries
                .iter()
                .map(|x| CountryInput {
                    code: x.code.to_string(),
                    regions: x.regions.clone(),
                })
                .collect(),
            sectors: p
                .sectors
                .iter()
                .map(|x| SectorInput {
                    code: x.code.to_string(),
                    percentage: Num::Text(x.percentage.to_string()),
                })
                .collect(),
            commitments: p.commitments.iter().map(|x| x.to_string()).collect(),
            participants: p
                .participants
                .iter()
                .map(|o| OrgInput {
                    role: o.role.to_string(),
                    member: o.member.as_ref().map_or(String::new(), |m| m.to_string()),
                    name: to_narr(&o.name),
                    iati_ref: o.iati_ref.as_ref().map_or(String::new(), |r| r.to_string()),
                    org_type: o.org_type.as_ref().map_or(String::new(), |t| t.to_string()),
                })
                .collect(),
            budgets: p
                .budgets
                .iter()
                .map(|b| BudgetInput {
                    start: format_date(b.start),
                    end: format_date(b.end),
                    amount: Num::Text(b.value.amount.to_string()),
                    currency: b.value.currency.to_string(),
                    status: b.status.code().to_string(),
                    kind: b.kind.code().to_string(),
                })
                .collect(),
            transactions: p
                .transactions
                .iter()
                .map(|t| TransactionInput {
                    kind: t.kind.to_string(),
                    date: format_date(t.date),
                    amount: Num::Text(t.value.amount.to_string()),
                    currency: t.value.currency.to_string(),
                    description: to_narr(&t.description),
                    reference: t.reference.clone().unwrap_or_default(),
                })
                .collect(),
            documents: p
                .documents
                .iter()
                .map(|d| DocumentInput {
                    url: d.url.to_string(),
                    title: to_narr(&d.title),
                    format: d.format.to_string(),
                    category: d.category.to_string(),
                    languages: d.languages.iter().map(|l| l.to_string()).collect(),
                    date: date(d.date),
                })
                .collect(),
            results: p
                .results
                .iter()
                .map(|r| ResultInput {
                    kind: r.kind.to_string(),
                    title: to_narr(&r.title),
                    description: to_narr(&r.description),
                    indicators: r
                        .indicators
                        .iter()
                        .map(|i| IndicatorInput {
                            title: to_narr(&i.title),
                            description: to_narr(&i.description),
                            measure: i.measure.to_string(),
                            ascending: Some(i.ascending),
                            counts_people: i.counts_people,
                            key: i.key.as_ref().map_or(String::new(), |k| k.to_string()),
                            baseline_year: i
                                .baseline
                                .as_ref()
                                .map_or(String::new(), |b| b.year.to_string()),
                            baseline: i.baseline.as_ref().map(|b| measured(&b.measured)),
                            periods: i
                                .periods
                                .iter()
                                .map(|per| PeriodInput {
                                    start: format_date(per.start),
                                    end: format_date(per.end),
                                    target: per.target.as_ref().map(measured),
                                    actual: per.actual.as_ref().map(measured),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            tlp: p.tlp.to_string(),
            publish_iati: Some(p.publish_iati),
        }
    }
}

fn indicator(
    c: &mut Collector,
    at: &str,
    y: &IndicatorInput,
    previous: Option<&Indicator>,
) -> Option<Indicator> {
    let title = c.take_all(&format!("{at}.title"), narr(&y.title, TITLE_MAX));
    let description = c.take_all(
        &format!("{at}.description"),
        narr(&y.description, DESCRIPTION_MAX),
    );
    let measure = req(
        c,
        &format!("{at}.measure"),
        &y.measure,
        str::parse::<Measure>,
    );
    let key = opt(c, &format!("{at}.key"), &y.key, IndicatorKey::parse);
    let baseline = match &y.baseline {
        None => Some(None),
        Some(b) => {
            let year = req(c, &format!("{at}.baseline_year"), &y.baseline_year, |s| {
                s.trim().parse::<i32>().map_err(|_| {
                    Problem::new("", Code::Malformed).arg("expected", "a year such as 2023")
                })
            });
            let m = measured(c, &format!("{at}.baseline"), b);
            year.zip(m)
                .map(|(year, measured)| Some(Baseline { year, measured }))
        }
    };
    let mut periods = Vec::new();
    for (k, p) in y.periods.iter().enumerate() {
        let pat = format!("{at}.periods[{k}]");
        let start = req(c, &format!("{pat}.start"), &p.start, parse_date);
        let end = req(c, &format!("{pat}.end"), &p.end, parse_date);
        let target = match &p.target {
            Some(m) => measured(c, &format!("{pat}.target"), m).map(Some),
            None => Some(None),
        };
        let actual = match &p.actual {
            Some(m) => measured(c, &format!("{pat}.actual"), m).map(Some),
            None => Some(None),
        };
        if let (Some(start), Some(end), Some(target), Some(actual)) = (start, end, target, actual) {
            // A stored period keeps its state; `rules::revise` refuses a
            // change to a submitted one and records the editor of a draft.
            let state = previous
                .and_then(|pi| pi.periods.iter().find(|x| x.start == start && x.end == end))
                .map_or(PeriodState::Draft { last_editor: None }, |x| {
                    x.state.clone()
                });
            periods.push(Period {
                start,
                end,
                target,
                actual,
                state,
            });
        }
    }
    Some(Indicator {
        title: title?,
        description: description?,
        measure: measure?,
        ascending: y.ascending.unwrap_or(true),
        counts_people: y.counts_people,
        key: key?,
        baseline: baseline?,
        periods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;
    use crate::sample::*;
    use accord_core::Role;

    #[test]
    fn a_programme_reads_back_from_its_own_form() {
        let p = sample();
        let input = ProgrammeInput::from_programme(&p);
        let d = input.validate(Some(&p)).unwrap();
        assert_eq!(&d, p.data());
        // Through JSON as an API client would send it, numbers as numbers.
        let mut v = serde_json::to_value(&input).unwrap();
        v["budgets"][0]["amount"] = serde_json::json!(250000);
        let back: ProgrammeInput = serde_json::from_value(v).unwrap();
        assert_eq!(&back.validate(Some(&p)).unwrap(), p.data());
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut input = ProgrammeInput::from_programme(&sample());
        input.sectors[0].code = "99999".into();
        input.budgets[0].currency = "EUX".into();
        input.transactions[1].amount = Num::Text("12,5".into());
        input.results[0].indicators[1].periods[0].actual = Some(MeasuredInput {
            value: Num::Text("many".into()),
            ..Default::default()
        });
        input.planned_end = "2025-13-01".into();
        input.kind = "".into();
        let e = input.validate(None).unwrap_err();
        for (field, code) in [
            ("sectors[0].code", Code::UnknownCode),
            ("budgets[0].currency", Code::UnknownCurrency),
            ("transactions[1].amount", Code::Malformed),
            (
                "results[0].indicators[1].periods[0].actual.value",
                Code::Malformed,
            ),
            ("planned_end", Code::Malformed),
            ("kind", Code::Required),
        ] {
            assert!(e.has(code, Some(field)), "{field}: {e}");
        }
    }

    #[test]
    fn a_new_programme_from_a_form_takes_the_kinds_defaults_and_goes_through_the_rules() {
        let mut input = ProgrammeInput::from_programme(&sample());
        input.tlp = String::new();
        input.publish_iati = None;
        input.results.clear();
        let d = input.validate(None).unwrap();
        assert_eq!((d.tlp, d.publish_iati), (Tlp::Amber, false));
        let kaz = member_user(2, "KAZ", Role::Contributor);
        let p = rules::create(d, &kaz).unwrap();
        assert!(!p.published);
        // Cross-field rules come from Programme::new, with the same paths.
        let mut bad = ProgrammeInput::from_programme(&p);
        bad.sectors[1].percentage = Num::Number(30.0);
        let d = bad.validate(Some(&p)).unwrap();
        let Err(crate::ProgrammeError::Invalid(e)) = rules::revise(&p, d, &kaz) else {
            panic!()
        };
        assert!(e.has(Code::SectorsNotHundred, Some("sectors")));
    }
}
