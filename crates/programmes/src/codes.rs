//! The code lists every code is checked against (the IATI schema does not
//! check code values). IATI's own lists are embedded as XML and parsed once,
//! at first use; the few lists the shared copy lacks are small tables here,
//! each with its source (see `data/README.md`).

use std::collections::HashMap;
use std::sync::OnceLock;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{Code, Problem};

/// A code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    ActivityStatus,
    ActivityDateType,
    OrganisationRole,
    OrganisationType,
    TransactionType,
    /// OECD DAC 5-digit purpose codes (SectorVocabulary 1).
    Sector,
    /// ISO 3166-1 alpha-2, as IATI publishes it.
    Country,
    /// ISO 639-1.
    Language,
    IndicatorMeasure,
    ResultType,
    /// Activity-level document categories A01–A12.
    DocumentCategory,
    /// ISO 4217 alphabetic codes.
    Currency,
}

impl List {
    pub const ALL: [List; 12] = [
        List::ActivityStatus,
        List::ActivityDateType,
        List::OrganisationRole,
        List::OrganisationType,
        List::TransactionType,
        List::Sector,
        List::Country,
        List::Language,
        List::IndicatorMeasure,
        List::ResultType,
        List::DocumentCategory,
        List::Currency,
    ];

    /// The list's IATI name, used in error arguments.
    pub fn name(self) -> &'static str {
        match self {
            List::ActivityStatus => "ActivityStatus",
            List::ActivityDateType => "ActivityDateType",
            List::OrganisationRole => "OrganisationRole",
            List::OrganisationType => "OrganisationType",
            List::TransactionType => "TransactionType",
            List::Sector => "Sector",
            List::Country => "Country",
            List::Language => "Language",
            List::IndicatorMeasure => "IndicatorMeasure",
            List::ResultType => "ResultType",
            List::DocumentCategory => "DocumentCategory",
            List::Currency => "Currency",
        }
    }

    fn source(self) -> Source {
        match self {
            List::ActivityStatus => Source::Xml(include_str!("../data/ActivityStatus.xml")),
            List::ActivityDateType => Source::Xml(include_str!("../data/ActivityDateType.xml")),
            List::OrganisationRole => Source::Xml(include_str!("../data/OrganisationRole.xml")),
            List::OrganisationType => Source::Xml(include_str!("../data/OrganisationType.xml")),
            List::TransactionType => Source::Xml(include_str!("../data/TransactionType.xml")),
            List::Sector => Source::Xml(include_str!("../data/Sector.xml")),
            List::Country => Source::Xml(include_str!("../data/Country.xml")),
            List::Language => Source::Xml(include_str!("../data/Language.xml")),
            List::IndicatorMeasure => Source::Xml(include_str!("../data/IndicatorMeasure.xml")),
            List::ResultType => Source::Xml(include_str!("../data/ResultType.xml")),
            List::DocumentCategory => Source::Table(DOCUMENT_CATEGORIES),
            List::Currency => Source::Words(include_str!("../data/currencies.txt")),
        }
    }
}

enum Source {
    Xml(&'static str),
    Table(&'static [(&'static str, &'static str)]),
    Words(&'static str),
}

/// IATI DocumentCategory 2.03, the activity-level codes (category A).
const DOCUMENT_CATEGORIES: &[(&str, &str)] = &[
    ("A01", "Pre- and post-project impact appraisal"),
    ("A02", "Objectives / Purpose of activity"),
    ("A03", "Intended ultimate beneficiaries"),
    ("A04", "Conditions"),
    ("A05", "Budget"),
    ("A06", "Summary information about contract"),
    ("A07", "Review of project performance and evaluation"),
    ("A08", "Results, outcomes and outputs"),
    (
        "A09",
        "Memorandum of understanding (If agreed by all parties)",
    ),
    ("A10", "Tender"),
    ("A11", "Contract"),
    ("A12", "Activity web page"),
];

/// One code of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub code: String,
    /// The English name.
    pub name: String,
    pub withdrawn: bool,
}

type Table = HashMap<String, Item>;

fn tables() -> &'static HashMap<List, Table> {
    static TABLES: OnceLock<HashMap<List, Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        List::ALL
            .into_iter()
            .map(|l| (l, load(l.source())))
            .collect()
    })
}

fn load(source: Source) -> Table {
    let items = match source {
        Source::Xml(xml) => parse_codelist(xml),
        Source::Table(t) => t
            .iter()
            .map(|(c, n)| Item {
                code: c.to_string(),
                name: n.to_string(),
                withdrawn: false,
            })
            .collect(),
        Source::Words(text) => text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(|c| Item {
                code: c.to_string(),
                name: c.to_string(),
                withdrawn: false,
            })
            .collect(),
    };
    items.into_iter().map(|i| (i.code.clone(), i)).collect()
}

/// Reads `<codelist-item status="…"><code>…</code><name><narrative>…` items.
/// The embedded files are fixed at build time and a test parses every one,
/// so a malformed file fails the tests rather than a user.
fn parse_codelist(xml: &str) -> Vec<Item> {
    let mut reader = Reader::from_str(xml);
    let mut items = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<Item> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name().as_ref().to_string();
                if name == "codelist-item" {
                    let withdrawn = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "status" && a.value.as_ref() == "withdrawn");
                    current = Some(Item {
                        code: String::new(),
                        name: String::new(),
                        withdrawn,
                    });
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                if path.pop().as_deref() == Some("codelist-item")
                    && let Some(item) = current.take()
                {
                    items.push(item);
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(item) = current.as_mut() {
                    let text = t.xml10_content();
                    let tail: Vec<&str> = path.iter().rev().take(2).map(String::as_str).collect();
                    match tail.as_slice() {
                        ["code", "codelist-item"] => item.code.push_str(text.trim()),
                        // The first (English, unmarked) narrative of the name.
                        ["narrative", "name"] if item.name.is_empty() => {
                            item.name.push_str(text.trim())
                        }
                        _ => {}
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(item) = current.as_mut()
                    && path.last().map(String::as_str) == Some("narrative")
                    && path.iter().rev().nth(1).map(String::as_str) == Some("name")
                {
                    let c = match r.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => r.resolve_char_ref().ok().flatten().unwrap_or('?'),
                    };
                    item.name.push(c);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    items
}

/// The item for `code` in `list`, withdrawn or not.
pub fn lookup(list: List, code: &str) -> Option<&'static Item> {
    tables().get(&list).and_then(|t| t.get(code))
}

/// The English name of a code.
pub fn name(list: List, code: &str) -> Option<&'static str> {
    lookup(list, code).map(|i| i.name.as_str())
}

/// Whether `code` is a current code of `list`; the problem names the list.
/// The field is left empty for the caller to fill in ([`Problem::under`]).
pub fn check(list: List, code: &str) -> Result<(), Problem> {
    match lookup(list, code) {
        Some(i) if !i.withdrawn => Ok(()),
        Some(_) => Err(Problem::new("", Code::WithdrawnCode)
            .arg("code", code)
            .arg("list", list.name())),
        None if list == List::Currency => {
            Err(Problem::new("", Code::UnknownCurrency).arg("currency", code))
        }
        None => Err(Problem::new("", Code::UnknownCode)
            .arg("code", code)
            .arg("list", list.name())),
    }
}

/// How many codes a list has (withdrawn included).
pub fn len(list: List) -> usize {
    tables().get(&list).map_or(0, HashMap::len)
}

/// The ISO 3166-1 alpha-2 code of a member state's alpha-3 member code, for
/// the partnership's states (IATI's Country list is alpha-2).
pub fn country_of_member(member: &str) -> Option<&'static str> {
    const STATES: &[(&str, &str)] = &[
        ("AFG", "AF"),
        ("BGD", "BD"),
        ("CHN", "CN"),
        ("DEU", "DE"),
        ("FRA", "FR"),
        ("IND", "IN"),
        ("IRN", "IR"),
        ("ITA", "IT"),
        ("KAZ", "KZ"),
        ("KGZ", "KG"),
        ("LKA", "LK"),
        ("NLD", "NL"),
        ("PAK", "PK"),
        ("RUS", "RU"),
        ("TJK", "TJ"),
        ("TUR", "TR"),
        ("USA", "US"),
        ("UZB", "UZ"),
    ];
    STATES.iter().find(|(m, _)| *m == member).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_list_parses_with_its_codes() {
        assert_eq!(len(List::ActivityStatus), 6);
        assert_eq!(len(List::ActivityDateType), 4);
        assert_eq!(len(List::OrganisationRole), 4);
        assert_eq!(len(List::TransactionType), 13);
        assert_eq!(len(List::ResultType), 4);
        assert_eq!(len(List::IndicatorMeasure), 5);
        assert_eq!(len(List::OrganisationType), 16);
        assert_eq!(len(List::Sector), 325);
        assert_eq!(len(List::Country), 251);
        assert_eq!(len(List::Language), 181);
        assert_eq!(len(List::DocumentCategory), 12);
        assert!(len(List::Currency) > 150);
    }

    #[test]
    fn the_issues_sectors_are_current_codes_with_names() {
        for c in [
            "15210", "15220", "15130", "15137", "15150", "15153", "11430",
        ] {
            assert!(check(List::Sector, c).is_ok(), "{c}");
        }
        assert_eq!(
            name(List::Sector, "15210"),
            Some("Security system management and reform")
        );
        assert_eq!(name(List::Country, "KZ"), Some("Kazakhstan"));
        assert_eq!(name(List::OrganisationRole, "4"), Some("Implementing"));
    }

    #[test]
    fn unknown_and_withdrawn_codes_are_told_apart() {
        let e = check(List::Sector, "99999").unwrap_err();
        assert_eq!(e.code, Code::UnknownCode);
        assert_eq!(e.get("list"), Some("Sector"));
        let withdrawn = tables()[&List::Sector]
            .values()
            .find(|i| i.withdrawn)
            .expect("Sector.xml has withdrawn codes");
        assert_eq!(
            check(List::Sector, &withdrawn.code).unwrap_err().code,
            Code::WithdrawnCode
        );
        assert_eq!(
            check(List::Currency, "XYZ").unwrap_err().code,
            Code::UnknownCurrency
        );
        assert!(check(List::Currency, "KZT").is_ok());
        assert!(check(List::Currency, "XAU").is_err());
    }

    #[test]
    fn member_states_map_to_iati_countries() {
        for m in [
            "KAZ", "KGZ", "TJK", "UZB", "AFG", "BGD", "IND", "PAK", "LKA",
        ] {
            let c = country_of_member(m).unwrap();
            assert!(check(List::Country, c).is_ok(), "{m} -> {c}");
        }
        assert_eq!(country_of_member("OSCE"), None);
    }
}
