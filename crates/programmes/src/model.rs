//! The parts of a programme, each a type that can only hold a valid value:
//! identifiers, codes checked against their code lists, decimal amounts and
//! percentages without rounding surprises, multilingual texts.
//!
//! Every `parse` returns a [`Problem`] with an empty field path; the caller
//! places it (`sectors[1].code`) with [`Problem::under`] or a
//! [`Collector`](crate::error::Collector).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Date, OffsetDateTime};

use crate::codes::{self, List};
use crate::error::{Code, Invalid, Problem};

pub use accord_plan::{CommitmentId, UserId};

fn malformed(expected: &str) -> Problem {
    Problem::new("", Code::Malformed).arg("expected", expected)
}

/// Trims free text and checks presence, length and control characters.
pub fn text(raw: &str, required: bool, max: usize) -> Result<String, Problem> {
    // A textarea's CR LF is a line break, as in accord-core's `text`.
    let normalized = accord_core::validation::normalize_line_breaks(raw);
    let v = normalized.trim();
    if required && v.is_empty() {
        return Err(Problem::new("", Code::Required));
    }
    if v.chars().count() > max {
        return Err(Problem::new("", Code::TooLong).arg("max", max));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Problem::new("", Code::ControlCharacters));
    }
    Ok(v.to_string())
}

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<Date, Problem> {
    Date::parse(raw.trim(), DATE).map_err(|_| malformed("a date YYYY-MM-DD"))
}

pub(crate) const DATE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_else(|_| d.to_string())
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).map_err(|p| p.message())
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl FromStr for $name {
            type Err = Problem;
            fn from_str(s: &str) -> Result<Self, Problem> {
                $name::parse(s)
            }
        }
    };
}

string_newtype!(
    /// A programme's stable slug, e.g. `kaz-prison-2024`: 2 to 80 lower-case
    /// letters, digits, `-`, `_` or `.`; safe in URLs, CSV and file names.
    ProgrammeId
);
impl ProgrammeId {
    pub fn parse(raw: &str) -> Result<ProgrammeId, Problem> {
        let s = raw.trim();
        let ok = (2..=80).contains(&s.len())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            })
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric())
            && !s.contains("..");
        if ok {
            Ok(ProgrammeId(s.to_string()))
        } else {
            Err(malformed(
                "2 to 80 lower-case letters, digits, '-', '_' or '.', e.g. kaz-prison-2024",
            ))
        }
    }

    /// A slug made from any text (an IATI identifier on import): lower-cased,
    /// other characters become `-`, cut to 80.
    pub fn derive(from: &str) -> Option<ProgrammeId> {
        let mut s: String = from
            .trim()
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        while s.contains("--") || s.contains("..") {
            s = s.replace("--", "-").replace("..", ".");
        }
        let s: String = s.chars().take(80).collect();
        ProgrammeId::parse(s.trim_matches(|c: char| !c.is_ascii_alphanumeric())).ok()
    }
}

fn identifier_like(raw: &str, max: usize, example: &str) -> Result<String, Problem> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '&'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(malformed(example))
    }
}

string_newtype!(
    /// An IATI activity identifier: the reporting organisation's identifier,
    /// `-`, and its own id (`XM-OCHA-CVE-kaz-prison-2024`). Printable ASCII without spaces.
    IatiIdentifier
);
impl IatiIdentifier {
    pub fn parse(raw: &str) -> Result<IatiIdentifier, Problem> {
        identifier_like(
            raw,
            200,
            "an IATI identifier: printable characters without spaces, e.g. XM-DAC-41114-PRJ-1",
        )
        .map(IatiIdentifier)
    }
}

string_newtype!(
    /// An IATI organisation identifier, e.g. `XM-DAC-41114` (UNDP) or `GB-COH-123456`.
    OrgRef
);
impl OrgRef {
    pub fn parse(raw: &str) -> Result<OrgRef, Problem> {
        identifier_like(
            raw,
            120,
            "an IATI organisation identifier, e.g. XM-DAC-41114",
        )
        .map(OrgRef)
    }
}

macro_rules! coded {
    ($(#[$doc:meta])* $name:ident, $list:expr, $norm:expr) => {
        string_newtype!($(#[$doc])* $name);
        impl $name {
            pub fn parse(raw: &str) -> Result<$name, Problem> {
                let norm: fn(&str) -> String = $norm;
                let code = norm(raw.trim());
                codes::check($list, &code)?;
                Ok($name(code))
            }
            /// The code's English name in its list.
            pub fn name(&self) -> &'static str {
                codes::name($list, &self.0).unwrap_or("")
            }
        }
    };
}

coded!(
    /// ISO 639-1 language of a narrative (`en`, `ru`, `kk`...), IATI Language list.
    Lang,
    List::Language,
    |s| s.to_ascii_lowercase()
);
coded!(
    /// ISO 3166-1 alpha-2 country, IATI Country list (`KZ`).
    CountryCode,
    List::Country,
    |s| s.to_ascii_uppercase()
);
coded!(
    /// OECD DAC 5-digit purpose code (`15210`), IATI Sector list, vocabulary 1.
    SectorCode,
    List::Sector,
    |s| s.to_string()
);
coded!(
    /// ISO 4217 currency (`KZT`, `USD`, `EUR`).
    Currency,
    List::Currency,
    |s| s.to_ascii_uppercase()
);
coded!(
    /// IATI OrganisationType (`10` government, `22` national NGO, ...).
    OrgType,
    List::OrganisationType,
    |s| s.to_string()
);
coded!(
    /// IATI DocumentCategory, activity level (`A02` objectives, `A08` results, ...).
    DocCategory,
    List::DocumentCategory,
    |s| s.to_ascii_uppercase()
);

impl Lang {
    pub fn en() -> Lang {
        Lang("en".into())
    }
}

string_newtype!(
    /// A key that says two indicators of different programmes count the same
    /// thing (`public_servants_trained`), so the Joint Plan can add them up.
    /// Exported as the indicator's `reference` (vocabulary 99).
    IndicatorKey
);
impl IndicatorKey {
    /// Keys the Joint Plan suggests, so that programmes counting the same
    /// thing add up (any other well-formed key is accepted too).
    pub const SUGGESTED: &'static [(&'static str, &'static str)] = &[
        ("public_servants_trained", "Public servants trained"),
        (
            "police_officers_trained",
            "Police and security officers trained",
        ),
        ("prison_staff_trained", "Prison and probation staff trained"),
        ("ngos_supported", "National NGOs supported"),
        (
            "community_leaders_engaged",
            "Community and religious leaders engaged",
        ),
        ("young_people_reached", "Young people reached"),
        ("women_reached", "Women reached"),
        ("teachers_trained", "Teachers trained"),
        ("journalists_trained", "Journalists trained"),
        ("offenders_enrolled", "Offenders enrolled"),
        (
            "offenders_completed",
            "Offenders who completed the programme",
        ),
        ("offenders_released", "Offenders released"),
        (
            "offenders_reintegrated_12m",
            "Released offenders reintegrated after 12 months",
        ),
    ];

    pub fn parse(raw: &str) -> Result<IndicatorKey, Problem> {
        let s = raw.trim();
        if (2..=60).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            Ok(IndicatorKey(s.to_string()))
        } else {
            Err(malformed(
                "2 to 60 lower-case letters, digits or '_', e.g. public_servants_trained",
            ))
        }
    }
}

string_newtype!(
    /// An http or https address.
    Url
);
impl Url {
    pub fn parse(raw: &str) -> Result<Url, Problem> {
        let s = raw.trim();
        let lower = s.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
            && s.len() <= 2000
            && s.chars()
                .all(|c| c.is_ascii_graphic() && c != '"' && c != '<' && c != '>');
        if ok {
            Ok(Url(s.to_string()))
        } else {
            Err(malformed("an http or https address"))
        }
    }
}

string_newtype!(
    /// A MIME type such as `application/pdf` (IATI FileFormat).
    MediaType
);
impl MediaType {
    pub fn parse(raw: &str) -> Result<MediaType, Problem> {
        let s = raw.trim().to_ascii_lowercase();
        let ok = s.split_once('/').is_some_and(|(a, b)| {
            let part = |p: &str| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_'))
            };
            part(a) && part(b)
        }) && s.len() <= 100;
        if ok {
            Ok(MediaType(s))
        } else {
            Err(malformed("a media type such as application/pdf"))
        }
    }
}

/// Checks that commas, spaces and no-break spaces in a number only group
/// thousands (`1,250,000.50`), and returns it without them. A decimal comma
/// (`12,5`) is refused, not misread as 125.
fn ungroup(raw: &str, expected: &str) -> Result<String, Problem> {
    let t = raw.trim();
    let int = t.split('.').next().unwrap_or("");
    if int.contains([',', ' ', '\u{a0}']) {
        let digits = int.trim_start_matches(['-', '+']);
        let groups: Vec<&str> = digits.split([',', ' ', '\u{a0}']).collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return Err(malformed(expected));
        }
    }
    Ok(t.replace([',', ' ', '\u{a0}'], ""))
}

/// A finite number as people type it (`1,240`, `12.5`): commas and spaces
/// only as thousands separators, so a decimal comma (`12,5`) is refused.
pub fn parse_number(raw: &str) -> Result<f64, Problem> {
    let s = ungroup(raw, "a number such as 1240 or 12.5")?;
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && !s.contains(['e', 'E', 'i', 'I', 'n', 'N']))
        .ok_or_else(|| malformed("a number such as 1240 or 12.5"))
}

/// A fixed-point decimal with two places, stored in hundredths so that
/// sector shares add up to exactly 100 and amounts never drift.
fn parse_hundredths(raw: &str, expected: &str) -> Result<i64, Problem> {
    let s = ungroup(raw, expected)?;
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d.to_string()),
        None => (false, s.trim_start_matches('+').to_string()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    let ok = !int.is_empty()
        && int.len() <= 15
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 2
        && frac.chars().all(|c| c.is_ascii_digit());
    if !ok {
        return Err(malformed(expected));
    }
    let int: i64 = int.parse().map_err(|_| malformed(expected))?;
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    let v = int * 100 + frac;
    Ok(if neg { -v } else { v })
}

fn format_hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    if a.is_multiple_of(100) {
        format!("{sign}{}", a / 100)
    } else {
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// A percentage from 0 to 100 with up to two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Percent(u32);

impl Percent {
    pub const HUNDRED: Percent = Percent(10_000);

    pub fn parse(raw: &str) -> Result<Percent, Problem> {
        let h = parse_hundredths(raw, "a percentage such as 40 or 33.33")?;
        if h < 0 {
            return Err(Problem::new("", Code::Negative).arg("value", raw.trim()));
        }
        if h > 10_000 {
            return Err(Problem::new("", Code::AbovePercent).arg("value", raw.trim()));
        }
        Ok(Percent(h as u32))
    }

    pub fn hundredths(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(self.0 as i64))
    }
}
impl TryFrom<String> for Percent {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Percent::parse(&s).map_err(|p| p.message())
    }
}
impl From<Percent> for String {
    fn from(p: Percent) -> String {
        p.to_string()
    }
}

/// An amount of money with two decimals (negative for a reversal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Amount(i64);

impl Amount {
    pub fn parse(raw: &str) -> Result<Amount, Problem> {
        parse_hundredths(raw, "an amount such as 125000 or 99.95").map(Amount)
    }
    pub fn from_hundredths(h: i64) -> Amount {
        Amount(h)
    }
    pub fn hundredths(self) -> i64 {
        self.0
    }
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(self.0))
    }
}
impl TryFrom<String> for Amount {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Amount::parse(&s).map_err(|p| p.message())
    }
}
impl From<Amount> for String {
    fn from(a: Amount) -> String {
        a.to_string()
    }
}

/// Money: an amount in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: Amount,
    pub currency: Currency,
}

/// One language version of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    pub lang: Lang,
    pub text: String,
}

/// A text in one or more languages, each language once (IATI narratives).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(Vec<Narrative>);

impl Text {
    /// From `(language, text)` pairs; blank texts are left out. The problems
    /// name `[i].lang` / `[i].text`.
    pub fn parse(pairs: &[(&str, &str)], max: usize) -> Result<Text, Invalid> {
        let mut c = crate::error::Collector::default();
        let mut out: Vec<Narrative> = Vec::new();
        for (i, (lang, body)) in pairs.iter().enumerate() {
            let at = format!("[{i}]");
            let body = c.take(&format!("{at}.text"), text(body, false, max));
            if body.as_deref().is_some_and(str::is_empty) {
                continue;
            }
            let lang = c.take(&format!("{at}.lang"), Lang::parse(lang));
            if let (Some(lang), Some(body)) = (lang, body) {
                if out.iter().any(|n| n.lang == lang) {
                    c.push(Problem::new(format!("{at}.lang"), Code::Duplicate).arg("value", &lang));
                } else {
                    out.push(Narrative { lang, text: body });
                }
            }
        }
        c.finish()?;
        Ok(Text(out))
    }

    /// A one-language text (English when `lang` is empty).
    pub fn single(lang: &str, body: &str, max: usize) -> Result<Text, Invalid> {
        let lang = if lang.trim().is_empty() { "en" } else { lang };
        Text::parse(&[(lang, body)], max)
    }

    pub fn narratives(&self) -> &[Narrative] {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|n| n.lang.as_str() == lang)
            .map(|n| n.text.as_str())
    }
    /// The text in `lang`, else English, else the first language.
    pub fn best(&self, lang: &str) -> &str {
        self.get(lang)
            .or_else(|| self.get("en"))
            .or_else(|| self.0.first().map(|n| n.text.as_str()))
            .unwrap_or("")
    }
}

/// What a programme does (the kinds). Decides the sensitivity defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    PublicServantTraining,
    NgoSupport,
    PrisonRehabilitation,
    Youth,
    Women,
    Education,
    ReligiousLeaders,
    Media,
    LocalGovernment,
    Other,
}

impl ProgrammeKind {
    pub const ALL: [ProgrammeKind; 10] = [
        ProgrammeKind::PublicServantTraining,
        ProgrammeKind::NgoSupport,
        ProgrammeKind::PrisonRehabilitation,
        ProgrammeKind::Youth,
        ProgrammeKind::Women,
        ProgrammeKind::Education,
        ProgrammeKind::ReligiousLeaders,
        ProgrammeKind::Media,
        ProgrammeKind::LocalGovernment,
        ProgrammeKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgrammeKind::PublicServantTraining => "public_servant_training",
            ProgrammeKind::NgoSupport => "ngo_support",
            ProgrammeKind::PrisonRehabilitation => "prison_rehabilitation",
            ProgrammeKind::Youth => "youth",
            ProgrammeKind::Women => "women",
            ProgrammeKind::Education => "education",
            ProgrammeKind::ReligiousLeaders => "religious_leaders",
            ProgrammeKind::Media => "media",
            ProgrammeKind::LocalGovernment => "local_government",
            ProgrammeKind::Other => "other",
        }
    }

    /// English label for pages and charts.
    pub fn label(self) -> &'static str {
        match self {
            ProgrammeKind::PublicServantTraining => "Training of public servants",
            ProgrammeKind::NgoSupport => "NGO support",
            ProgrammeKind::PrisonRehabilitation => "Prison, rehabilitation and reintegration",
            ProgrammeKind::Youth => "Youth",
            ProgrammeKind::Women => "Women",
            ProgrammeKind::Education => "Education",
            ProgrammeKind::ReligiousLeaders => "Religious leaders",
            ProgrammeKind::Media => "Media",
            ProgrammeKind::LocalGovernment => "Local government",
            ProgrammeKind::Other => "Other",
        }
    }

    /// The marking and publication flag a new programme of this kind starts
    /// with. Prison and rehabilitation programmes concern people in custody:
    /// AMBER and unpublished until someone decides otherwise. Others start
    /// GREEN (the partnership and its community) and unpublished: publishing
    /// is always a decision, never a default.
    pub fn default_sensitivity(self) -> Sensitivity {
        match self {
            ProgrammeKind::PrisonRehabilitation => Sensitivity {
                tlp: accord_core::tlp::Tlp::Amber,
                publish_iati: false,
            },
            _ => Sensitivity {
                tlp: accord_core::tlp::Tlp::Green,
                publish_iati: false,
            },
        }
    }
}

impl fmt::Display for ProgrammeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProgrammeKind {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        let n = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ProgrammeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == n)
            .ok_or_else(|| {
                malformed(
                    "one of public_servant_training, ngo_support, prison_rehabilitation, youth, women, education, religious_leaders, media, local_government, other",
                )
            })
    }
}

/// Who may see a programme and whether it goes to IATI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub tlp: accord_core::tlp::Tlp,
    pub publish_iati: bool,
}

macro_rules! iati_enum {
    ($(#[$doc:meta])* $name:ident, $list:expr, $( $var:ident = $code:literal, $s:literal ),+ $(,)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($var),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The IATI code.
            pub fn code(self) -> &'static str {
                match self { $($name::$var => $code),+ }
            }
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
            /// From the IATI code; a code of the list Accord does not take
            /// is refused with the list's name.
            pub fn from_code(code: &str) -> Result<$name, Problem> {
                let code = code.trim();
                if let Some(v) = $name::ALL.iter().find(|v| v.code() == code) {
                    return Ok(*v);
                }
                codes::check($list, code)?;
                Err(Problem::new("", Code::UnknownCode)
                    .arg("code", code)
                    .arg("list", concat!("Accord's ", stringify!($name))))
            }
            /// The English name of the IATI code.
            pub fn label(self) -> &'static str {
                codes::name($list, self.code()).unwrap_or(self.as_str())
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = Problem;
            /// Accepts the snake_case name or the IATI code.
            fn from_str(s: &str) -> Result<Self, Problem> {
                let n = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                $name::ALL
                    .iter()
                    .find(|v| v.as_str() == n)
                    .copied()
                    .map_or_else(|| $name::from_code(s), Ok)
            }
        }
    };
}

iati_enum!(
    /// IATI ActivityStatus.
    Status, List::ActivityStatus,
    Pipeline = "1", "pipeline",
    Implementation = "2", "implementation",
    Finalisation = "3", "finalisation",
    Closed = "4", "closed",
    Cancelled = "5", "cancelled",
    Suspended = "6", "suspended",
);
iati_enum!(
    /// IATI OrganisationRole.
    OrgRole, List::OrganisationRole,
    Funding = "1", "funding",
    Accountable = "2", "accountable",
    Extending = "3", "extending",
    Implementing = "4", "implementing",
);
iati_enum!(
    /// The IATI TransactionTypes a programme records.
    TransactionKind, List::TransactionType,
    IncomingFunds = "1", "incoming_funds",
    Commitment = "2", "commitment",
    Disbursement = "3", "disbursement",
    Expenditure = "4", "expenditure",
);
iati_enum!(
    /// IATI ResultType (outputs, outcomes, impacts).
    ResultKind, List::ResultType,
    Output = "1", "output",
    Outcome = "2", "outcome",
    Impact = "3", "impact",
);
iati_enum!(
    /// IATI IndicatorMeasure: a count or amount, a percentage, or words.
    Measure, List::IndicatorMeasure,
    Unit = "1", "unit",
    Percentage = "2", "percentage",
    Qualitative = "5", "qualitative",
);

/// IATI BudgetStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetStatus {
    Indicative,
    Committed,
}
impl BudgetStatus {
    pub fn code(self) -> &'static str {
        match self {
            BudgetStatus::Indicative => "1",
            BudgetStatus::Committed => "2",
        }
    }
    pub fn parse(raw: &str) -> Result<BudgetStatus, Problem> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "indicative" | "" => Ok(BudgetStatus::Indicative),
            "2" | "committed" => Ok(BudgetStatus::Committed),
            other => Err(Problem::new("", Code::UnknownCode)
                .arg("code", other)
                .arg("list", "BudgetStatus")),
        }
    }
}

/// IATI BudgetType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    Original,
    Revised,
}
impl BudgetKind {
    pub fn code(self) -> &'static str {
        match self {
            BudgetKind::Original => "1",
            BudgetKind::Revised => "2",
        }
    }
    pub fn parse(raw: &str) -> Result<BudgetKind, Problem> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "original" | "" => Ok(BudgetKind::Original),
            "2" | "revised" => Ok(BudgetKind::Revised),
            other => Err(Problem::new("", Code::UnknownCode)
                .arg("code", other)
                .arg("list", "BudgetType")),
        }
    }
}

/// The four IATI activity dates. The planned ones are required: they bound
/// the periods, budgets and targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dates {
    #[serde(with = "serde_date")]
    pub planned_start: Date,
    #[serde(with = "serde_date")]
    pub planned_end: Date,
    #[serde(with = "serde_opt_date", default)]
    pub actual_start: Option<Date>,
    #[serde(with = "serde_opt_date", default)]
    pub actual_end: Option<Date>,
}

impl Dates {
    /// The programme's span: earliest start to latest end, planned or actual.
    pub fn span(&self) -> (Date, Date) {
        let start = self
            .actual_start
            .map_or(self.planned_start, |a| a.min(self.planned_start));
        let end = self
            .actual_end
            .map_or(self.planned_end, |a| a.max(self.planned_end));
        (start, end)
    }
}

/// A country where the programme runs, and optionally its regions (by name:
/// provinces, oblasts, districts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientCountry {
    pub code: CountryCode,
    #[serde(default)]
    pub regions: Vec<String>,
}

/// An OECD DAC sector and its share of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorShare {
    pub code: SectorCode,
    pub percentage: Percent,
}

/// An organization in an IATI role: a member of the platform or an outside
/// organization (then with its name), with its IATI identifier where known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipatingOrg {
    pub role: OrgRole,
    /// The platform member, if it is one. Its users may edit the programme.
    pub member: Option<accord_core::MemberCode>,
    /// The name (required for outside organizations).
    #[serde(default)]
    pub name: Text,
    pub iati_ref: Option<OrgRef>,
    pub org_type: Option<OrgType>,
}

/// A budget for one period (IATI: at most a year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    #[serde(with = "serde_date")]
    pub start: Date,
    #[serde(with = "serde_date")]
    pub end: Date,
    pub value: Money,
    pub status: BudgetStatus,
    pub kind: BudgetKind,
}

/// A financial transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub kind: TransactionKind,
    #[serde(with = "serde_date")]
    pub date: Date,
    pub value: Money,
    #[serde(default)]
    pub description: Text,
    /// Reporter's own reference.
    pub reference: Option<String>,
}

/// A document about the programme (a link; the file stays where it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub url: Url,
    pub title: Text,
    pub format: MediaType,
    pub category: DocCategory,
    #[serde(default)]
    pub languages: Vec<Lang>,
    #[serde(with = "serde_opt_date", default)]
    pub date: Option<Date>,
}

/// Sex, as an IATI result dimension (`name="sex"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
}
impl Sex {
    pub const ALL: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        }
    }
    pub fn parse(raw: &str) -> Result<Sex, Problem> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "female" | "f" | "women" => Ok(Sex::Female),
            "male" | "m" | "men" => Ok(Sex::Male),
            "other" => Ok(Sex::Other),
            _ => Err(malformed("female, male or other")),
        }
    }
}

/// An age band, `18-24` or `65+` (IATI dimension `name="age"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgeBand {
    pub from: u8,
    pub to: Option<u8>,
}
impl AgeBand {
    pub fn parse(raw: &str) -> Result<AgeBand, Problem> {
        let s = raw.trim();
        let bad = || malformed("an age band such as 18-24 or 65+");
        let num = |t: &str| t.trim().parse::<u8>().ok().filter(|n| *n <= 120);
        if let Some(f) = s.strip_suffix('+') {
            return Ok(AgeBand {
                from: num(f).ok_or_else(bad)?,
                to: None,
            });
        }
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let (from, to) = (num(a).ok_or_else(bad)?, num(b).ok_or_else(bad)?);
        if to < from {
            return Err(bad());
        }
        Ok(AgeBand { from, to: Some(to) })
    }
}
impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(t) => write!(f, "{}-{t}", self.from),
            None => write!(f, "{}+", self.from),
        }
    }
}
impl TryFrom<String> for AgeBand {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AgeBand::parse(&s).map_err(|p| p.message())
    }
}
impl From<AgeBand> for String {
    fn from(a: AgeBand) -> String {
        a.to_string()
    }
}

/// A part of a disaggregated value: the count for one sex, one age band or
/// one combination. Never a person: aggregate numbers only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub sex: Option<Sex>,
    pub age: Option<AgeBand>,
    pub value: f64,
}

impl Part {
    /// Which dimensions the part is broken down by, e.g. `sex`, `age`, `sex+age`.
    pub fn dimension(&self) -> &'static str {
        match (self.sex.is_some(), self.age.is_some()) {
            (true, true) => "sex+age",
            (true, false) => "sex",
            (false, true) => "age",
            (false, false) => "none",
        }
    }
}

/// A measured value: a target, an actual or a baseline. Numeric measures
/// carry `value` (and optionally its parts); qualitative ones a comment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Measured {
    pub value: Option<f64>,
    #[serde(default)]
    pub comment: Text,
    #[serde(default)]
    pub parts: Vec<Part>,
}

impl Measured {
    pub fn number(value: f64) -> Measured {
        Measured {
            value: Some(value),
            ..Measured::default()
        }
    }
}

/// An indicator's starting point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub year: i32,
    pub measured: Measured,
}

/// Who submitted a result period, or that it is still a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PeriodState {
    Draft {
        /// Who last changed it (`None`: not yet edited by a user, e.g. imported).
        last_editor: Option<UserId>,
    },
    Submitted {
        last_editor: Option<UserId>,
        /// `None` when it came submitted from a donor's IATI file.
        by: Option<UserId>,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl PeriodState {
    pub fn is_submitted(&self) -> bool {
        matches!(self, PeriodState::Submitted { .. })
    }
}

/// One reporting period of an indicator: a target and an actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    #[serde(with = "serde_date")]
    pub start: Date,
    #[serde(with = "serde_date")]
    pub end: Date,
    pub target: Option<Measured>,
    pub actual: Option<Measured>,
    pub state: PeriodState,
}

/// A measure of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub title: Text,
    #[serde(default)]
    pub description: Text,
    pub measure: Measure,
    /// Whether more is better (IATI `ascending`).
    pub ascending: bool,
    /// Counts people (participants): values are whole numbers and may be
    /// broken down by sex and age.
    pub counts_people: bool,
    pub key: Option<IndicatorKey>,
    pub baseline: Option<Baseline>,
    #[serde(default)]
    pub periods: Vec<Period>,
}

/// An output, outcome or impact with its indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultItem {
    pub kind: ResultKind,
    pub title: Text,
    #[serde(default)]
    pub description: Text,
    pub indicators: Vec<Indicator>,
}

pub(crate) mod serde_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date(*d))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let t = String::deserialize(d)?;
        super::parse_date(&t).map_err(|p| D::Error::custom(p.message()))
    }
}

pub(crate) mod serde_opt_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(t) => super::parse_date(&t)
                .map(Some)
                .map_err(|p| D::Error::custom(p.message())),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_amounts_are_exact_decimals() {
        assert_eq!(Percent::parse("33.33").unwrap().hundredths(), 3333);
        assert_eq!(Percent::parse("40").unwrap().to_string(), "40");
        assert_eq!(Percent::parse("12.5").unwrap().to_string(), "12.50");
        assert_eq!(Percent::parse("-1").unwrap_err().code, Code::Negative);
        assert_eq!(
            Percent::parse("100.01").unwrap_err().code,
            Code::AbovePercent
        );
        assert_eq!(Percent::parse("1.234").unwrap_err().code, Code::Malformed);
        assert_eq!(
            Amount::parse("1,250,000.5").unwrap().hundredths(),
            125_000_050
        );
        assert_eq!(Amount::parse("-20").unwrap().to_string(), "-20");
        assert!(Amount::parse("12e3").is_err());
        // A decimal comma is refused rather than read as a thousands separator.
        assert!(Amount::parse("12,5").is_err());
        assert!(Percent::parse("33,33").is_err());
        assert_eq!(Amount::parse("1 250").unwrap().hundredths(), 125_000);
        assert!(Amount::parse("1,25,000").is_err());
    }

    #[test]
    fn codes_are_checked_against_their_lists() {
        assert_eq!(CountryCode::parse("kz").unwrap().as_str(), "KZ");
        assert_eq!(
            CountryCode::parse("XX").unwrap_err().code,
            Code::UnknownCode
        );
        assert_eq!(Currency::parse("usd").unwrap().as_str(), "USD");
        assert_eq!(
            Currency::parse("ABC").unwrap_err().code,
            Code::UnknownCurrency
        );
        assert_eq!(
            SectorCode::parse("15210").unwrap().name(),
            "Security system management and reform"
        );
        assert_eq!(Lang::parse("RU").unwrap().as_str(), "ru");
        assert!(DocCategory::parse("B01").is_err());
    }

    #[test]
    fn iati_enums_take_names_or_codes_and_refuse_codes_accord_does_not_record() {
        assert_eq!(
            "implementation".parse::<Status>().unwrap(),
            Status::Implementation
        );
        assert_eq!("6".parse::<Status>().unwrap(), Status::Suspended);
        assert_eq!(
            TransactionKind::from_code("3").unwrap(),
            TransactionKind::Disbursement
        );
        let e = TransactionKind::from_code("5").unwrap_err();
        assert_eq!(e.code, Code::UnknownCode);
        assert_eq!(
            TransactionKind::from_code("77").unwrap_err().get("list"),
            Some("TransactionType")
        );
        assert_eq!(Measure::from_code("3").unwrap_err().code, Code::UnknownCode);
        assert_eq!(Status::Closed.label(), "Closed");
    }

    #[test]
    fn texts_keep_one_narrative_per_language() {
        let t = Text::parse(&[("en", "Training"), ("ru", "Обучение"), ("kk", " ")], 100).unwrap();
        assert_eq!(t.narratives().len(), 2);
        assert_eq!(t.best("ru"), "Обучение");
        assert_eq!(t.best("uz"), "Training");
        let e = Text::parse(&[("en", "a"), ("EN", "b")], 100).unwrap_err();
        assert!(e.has(Code::Duplicate, Some("[1].lang")));
        let e = Text::parse(&[("xx", "a")], 100).unwrap_err();
        assert!(e.has(Code::UnknownCode, Some("[0].lang")));
    }

    #[test]
    fn ids_and_age_bands_have_safe_shapes() {
        assert!(ProgrammeId::parse("kaz-prison-2024").is_ok());
        for bad in ["", "A", "../x", "a b", "-a", "a..b"] {
            assert!(ProgrammeId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ProgrammeId::derive("XM-DAC-41114-KAZ/2024 01")
                .unwrap()
                .as_str(),
            "xm-dac-41114-kaz-2024-01"
        );
        assert_eq!(AgeBand::parse("18-24").unwrap().to_string(), "18-24");
        assert_eq!(AgeBand::parse("65+").unwrap().to_string(), "65+");
        assert!(AgeBand::parse("30-20").is_err());
        assert!(IatiIdentifier::parse("has space").is_err());
        assert!(Url::parse("javascript:alert(1)").is_err());
        assert!(MediaType::parse("application/pdf").is_ok());
    }

    #[test]
    fn suggested_indicator_keys_are_valid_keys() {
        for (k, label) in IndicatorKey::SUGGESTED {
            assert!(IndicatorKey::parse(k).is_ok(), "{k}");
            assert!(!label.is_empty());
        }
    }

    #[test]
    fn prison_programmes_start_amber_and_unpublished() {
        let s = ProgrammeKind::PrisonRehabilitation.default_sensitivity();
        assert_eq!(s.tlp, accord_core::tlp::Tlp::Amber);
        assert!(!s.publish_iati);
        assert!(!ProgrammeKind::Youth.default_sensitivity().publish_iati);
    }
}
