//! An item's content as one version holds it, and the one input type a
//! form or an API client writes it with.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use time::Date;

use accord_core::tlp::Tlp;
use accord_core::validation::{self, FieldError, Invalid};
use accord_core::{Distribution, MemberCode};

use crate::counter::{CounterNarrative, CounterNarrativeInput};
use crate::themes::Vocabulary;
use crate::{Kind, MAX_BODY_BYTES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS};

/// One language's version of an item: the same item, not a separate one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageVersion {
    /// A language code (ISO 639-1 or 639-3, lower case: `en`, `ru`, `kk`, `prs`).
    pub lang: String,
    pub title: String,
    pub summary: String,
    /// Markdown; rendered by [`crate::markdown::render`], never as raw HTML.
    pub body: String,
}

/// Who an item is shared with, as its author chose: the distribution before
/// a sharing group is resolved to its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "kebab-case")]
pub enum SharedWith {
    /// The whole partnership (within what the marking opens).
    Platform,
    /// The members listed.
    Members { members: BTreeSet<MemberCode> },
    /// A sharing group, by id: its members and named users as they are when
    /// someone reads (the group's owner keeps it).
    Group { group: i64 },
    /// The author's member only.
    Owner,
}

impl SharedWith {
    pub fn as_str(&self) -> &'static str {
        match self {
            SharedWith::Platform => "platform",
            SharedWith::Members { .. } => "members",
            SharedWith::Group { .. } => "group",
            SharedWith::Owner => "owner",
        }
    }

    /// The distribution `may_see` is asked with, a group given as its
    /// current members and users (`None`: the group is gone, so nobody).
    pub fn resolve(&self, group: Option<&crate::SharingGroup>) -> Distribution {
        match self {
            SharedWith::Platform => Distribution::Platform,
            SharedWith::Members { members } => Distribution::Members {
                members: members.clone(),
            },
            SharedWith::Group { .. } => match group {
                Some(g) => Distribution::Group {
                    members: g.members.clone(),
                    users: g.users.clone(),
                },
                None => Distribution::Group {
                    members: BTreeSet::new(),
                    users: BTreeSet::new(),
                },
            },
            SharedWith::Owner => Distribution::OwnerOnly,
        }
    }

    pub fn group(&self) -> Option<i64> {
        match self {
            SharedWith::Group { group } => Some(*group),
            _ => None,
        }
    }
}

/// The marking and the distribution together: what `may_see` needs of an
/// item besides its author member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub marking: Tlp,
    pub with: SharedWith,
}

/// An item as one of its versions holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub kind: Kind,
    pub marking: Tlp,
    pub shared_with: SharedWith,
    /// At least one; the first is the original.
    pub versions: Vec<LanguageVersion>,
    /// The members the item is about.
    pub countries: BTreeSet<MemberCode>,
    /// Slugs of the controlled vocabulary.
    pub themes: BTreeSet<String>,
    #[serde(default, with = "crate::iso_date::option")]
    pub published: Option<Date>,
    /// Joint Plan commitments it supports (`astana2015.conclusion.3`).
    pub commitments: BTreeSet<String>,
    /// Where its facts come from (URLs or documents).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Facts a reader might expect that are not verified, said so on the page.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// Only for counter-narratives.
    #[serde(default)]
    pub counter: Option<CounterNarrative>,
}

impl Item {
    pub fn shared(&self) -> Shared {
        Shared {
            marking: self.marking,
            with: self.shared_with.clone(),
        }
    }

    /// The version in `lang`, else the original.
    pub fn version_in(&self, lang: &str) -> &LanguageVersion {
        self.versions
            .iter()
            .find(|v| v.lang == lang)
            .unwrap_or(&self.versions[0])
    }

    pub fn languages(&self) -> Vec<&str> {
        self.versions.iter().map(|v| v.lang.as_str()).collect()
    }
}

/// One numbered version of an item, as kept: every change is a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub number: u32,
    pub item: Item,
    pub created_at: i64,
    pub created_by: String,
}

/// One language version as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInput {
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
}

/// An item as a form or an API client writes it. Lists may come as JSON
/// arrays or as one text of comma-, space- or line-separated values (a
/// form's field).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub marking: String,
    /// `platform`, `members`, `group` or `owner`.
    #[serde(default)]
    pub distribution: String,
    /// For `members`: member codes.
    #[serde(default, deserialize_with = "list")]
    pub share_members: Vec<String>,
    /// For `group`: the sharing group's id.
    #[serde(default, deserialize_with = "optional_id")]
    pub group: Option<i64>,
    #[serde(default)]
    pub versions: Vec<VersionInput>,
    #[serde(default, deserialize_with = "list")]
    pub countries: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    pub themes: Vec<String>,
    /// ISO date; blank for none.
    #[serde(default)]
    pub published: String,
    #[serde(default, deserialize_with = "list")]
    pub commitments: Vec<String>,
    #[serde(default, deserialize_with = "lines")]
    pub sources: Vec<String>,
    #[serde(default, deserialize_with = "lines")]
    pub unverified: Vec<String>,
    /// For counter-narratives.
    #[serde(default)]
    pub counter: Option<CounterNarrativeInput>,
}

/// What an item's input is checked against besides itself.
pub struct Known<'a> {
    pub vocabulary: &'a Vocabulary,
    /// Whether a commitment id exists in the Joint Plan's catalogue.
    pub commitment: &'a dyn Fn(&str) -> bool,
    /// Whether a sharing group exists and the author may share with it.
    pub group: &'a dyn Fn(i64) -> bool,
    /// Whether a campaign exists.
    pub campaign: &'a dyn Fn(i64) -> bool,
}

pub(crate) fn push(errors: &mut Vec<FieldError>, field: &str, message: impl Into<String>) {
    errors.push(FieldError {
        field: field.to_string(),
        message: message.into(),
    });
}

/// A language code: 2 or 3 lower-case ASCII letters.
pub fn parse_lang(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_lowercase();
    ((2..=3).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase())).then_some(s)
}

pub(crate) fn members(
    errors: &mut Vec<FieldError>,
    field: &str,
    codes: &[String],
) -> BTreeSet<MemberCode> {
    let mut out = BTreeSet::new();
    for code in codes {
        match MemberCode::parse(code.trim()) {
            Ok(c) if accord_core::seed::kind_of(c.as_str()).is_some() => {
                out.insert(c);
            }
            _ => push(errors, field, format!("{code} is not a member code")),
        }
    }
    out
}

impl ItemInput {
    /// Every bad field at once, or the item.
    pub fn validate(&self, known: &Known<'_>) -> Result<Item, Invalid> {
        let mut errors = Vec::new();
        let kind = self
            .kind
            .parse::<Kind>()
            .map_err(|m| push(&mut errors, "kind", m))
            .ok();
        let marking = self
            .marking
            .trim()
            .parse::<Tlp>()
            .map_err(|_| {
                push(
                    &mut errors,
                    "marking",
                    "is not a TLP 2.0 marking: CLEAR, GREEN, AMBER, AMBER+STRICT or RED",
                )
            })
            .ok();
        let shared_with = match self.distribution.trim() {
            "platform" => Some(SharedWith::Platform),
            "owner" => Some(SharedWith::Owner),
            "members" => {
                let members = members(&mut errors, "share_members", &self.share_members);
                if members.is_empty() && self.share_members.is_empty() {
                    push(&mut errors, "share_members", "name at least one member");
                }
                Some(SharedWith::Members { members })
            }
            "group" => match self.group {
                Some(g) if (known.group)(g) => Some(SharedWith::Group { group: g }),
                Some(_) => {
                    push(
                        &mut errors,
                        "group",
                        "is not a sharing group you may share with",
                    );
                    None
                }
                None => {
                    push(&mut errors, "group", "choose a sharing group");
                    None
                }
            },
            _ => {
                push(
                    &mut errors,
                    "distribution",
                    "is not a distribution: platform, members, group or owner",
                );
                None
            }
        };
        if let (Some(Tlp::Red), Some(with)) = (marking, &shared_with)
            && !matches!(with, SharedWith::Group { .. })
        {
            // RED is for named recipients, who only a sharing group names.
            push(
                &mut errors,
                "distribution",
                "TLP:RED is for named people: share it with a sharing group that names them",
            );
        }
        let versions = self.versions(&mut errors);
        let countries = members(&mut errors, "countries", &self.countries);
        let mut themes = BTreeSet::new();
        for t in &self.themes {
            let t = t.trim();
            if known.vocabulary.get(t).is_some() {
                themes.insert(t.to_string());
            } else {
                push(
                    &mut errors,
                    "themes",
                    format!("{t} is not a theme of the vocabulary"),
                );
            }
        }
        let published = match self.published.trim() {
            "" => None,
            raw => Date::parse(raw, &time::format_description::well_known::Iso8601::DATE)
                .map_err(|_| push(&mut errors, "published", "is not a date (YYYY-MM-DD)"))
                .ok(),
        };
        let mut commitments = BTreeSet::new();
        for c in &self.commitments {
            let c = c.trim();
            if (known.commitment)(c) {
                commitments.insert(c.to_string());
            } else {
                push(
                    &mut errors,
                    "commitments",
                    format!("{c} is not a Joint Plan commitment"),
                );
            }
        }
        let sources = self.short_lines(&mut errors, "sources", &self.sources);
        let unverified = self.short_lines(&mut errors, "unverified", &self.unverified);
        let counter = match (kind, &self.counter) {
            (Some(Kind::CounterNarrative), Some(c)) => {
                c.validate(known).map_err(|e| errors.extend(e.errors)).ok()
            }
            (Some(Kind::CounterNarrative), None) => Some(CounterNarrative::default()),
            (_, Some(c)) if !c.is_empty() => {
                push(
                    &mut errors,
                    "counter",
                    "only counter-narratives have an audience and channel",
                );
                None
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(Invalid { errors });
        }
        Ok(Item {
            kind: kind.expect("checked"),
            marking: marking.expect("checked"),
            shared_with: shared_with.expect("checked"),
            versions,
            countries,
            themes,
            published,
            commitments,
            sources,
            unverified,
            counter,
        })
    }

    fn versions(&self, errors: &mut Vec<FieldError>) -> Vec<LanguageVersion> {
        let mut out: Vec<LanguageVersion> = Vec::new();
        for (i, v) in self.versions.iter().enumerate() {
            let blank = v.title.trim().is_empty()
                && v.summary.trim().is_empty()
                && v.body.trim().is_empty();
            // A form's spare language block left empty is no version.
            if blank && i > 0 {
                continue;
            }
            let at = |f: &str| format!("versions[{i}].{f}");
            let Some(lang) = parse_lang(&v.lang) else {
                push(errors, &at("lang"), "is not a language code (en, ru, kk…)");
                continue;
            };
            if out.iter().any(|o| o.lang == lang) {
                push(errors, &at("lang"), format!("{lang} is given twice"));
                continue;
            }
            let title = validation::name(&at("title"), &v.title, true, MAX_TITLE_CHARS)
                .map_err(|e| errors.extend(e.errors))
                .unwrap_or_default();
            let summary = validation::text(&at("summary"), &v.summary, false, MAX_SUMMARY_CHARS)
                .map_err(|e| errors.extend(e.errors))
                .unwrap_or_default();
            if v.body.len() > MAX_BODY_BYTES {
                push(errors, &at("body"), "is over 1 MiB");
                continue;
            }
            let body = validation::text(&at("body"), &v.body, false, MAX_BODY_BYTES)
                .map_err(|e| errors.extend(e.errors))
                .unwrap_or_default();
            out.push(LanguageVersion {
                lang,
                title,
                summary,
                body,
            });
        }
        if self.versions.is_empty() {
            push(errors, "versions[0].title", "is required");
        }
        out
    }

    fn short_lines(
        &self,
        errors: &mut Vec<FieldError>,
        field: &str,
        values: &[String],
    ) -> Vec<String> {
        let mut out = Vec::new();
        for v in values {
            match validation::text(field, v, false, 1_000) {
                Ok(v) if !v.is_empty() => out.push(v),
                Ok(_) => {}
                Err(e) => errors.extend(e.errors),
            }
        }
        out
    }
}

impl Item {
    /// The item as an input again: what an edit form starts from.
    pub fn to_input(&self) -> ItemInput {
        ItemInput {
            kind: self.kind.as_str().into(),
            marking: self.marking.as_str().into(),
            distribution: self.shared_with.as_str().into(),
            share_members: match &self.shared_with {
                SharedWith::Members { members } => {
                    members.iter().map(|m| m.as_str().to_string()).collect()
                }
                _ => Vec::new(),
            },
            group: self.shared_with.group(),
            versions: self
                .versions
                .iter()
                .map(|v| VersionInput {
                    lang: v.lang.clone(),
                    title: v.title.clone(),
                    summary: v.summary.clone(),
                    body: v.body.clone(),
                })
                .collect(),
            countries: self
                .countries
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
            themes: self.themes.iter().cloned().collect(),
            published: self.published.map(|d| d.to_string()).unwrap_or_default(),
            commitments: self.commitments.iter().cloned().collect(),
            sources: self.sources.clone(),
            unverified: self.unverified.clone(),
            counter: self.counter.as_ref().map(CounterNarrative::to_input),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ListOrText {
    List(Vec<String>),
    Text(String),
}

/// A list as a JSON array or as one text of separated values.
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match ListOrText::deserialize(d)? {
        ListOrText::List(v) => v,
        ListOrText::Text(t) => t
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// Lines as a JSON array or as one text, a line each.
fn lines<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match ListOrText::deserialize(d)? {
        ListOrText::List(v) => v,
        ListOrText::Text(t) => t
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdOrText {
    Id(i64),
    Text(String),
}

/// An id as a JSON number or a form's text (blank: none).
fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<IdOrText>::deserialize(d)? {
        None => Ok(None),
        Some(IdOrText::Id(n)) => Ok(Some(n)),
        Some(IdOrText::Text(t)) if t.trim().is_empty() => Ok(None),
        // A non-number is no group: validation then says "choose a sharing group".
        Some(IdOrText::Text(t)) => Ok(Some(t.trim().parse().unwrap_or(-1))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn known() -> Known<'static> {
        static VOCAB: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
        Known {
            vocabulary: VOCAB.get_or_init(Vocabulary::seed),
            commitment: &|c| c.starts_with("astana2015.") || c.starts_with("jpoa2011."),
            group: &|g| g == 7,
            campaign: &|c| c == 3,
        }
    }

    pub fn input() -> ItemInput {
        ItemInput {
            kind: "research".into(),
            marking: "AMBER".into(),
            distribution: "group".into(),
            group: Some(7),
            versions: vec![VersionInput {
                lang: "en".into(),
                title: "Drivers of radicalization in prisons".into(),
                summary: "What pushes inmates towards violent groups.".into(),
                body: "## Findings\n\nOvercrowding matters.".into(),
            }],
            countries: vec!["KAZ".into(), "KGZ".into()],
            themes: vec!["prisons".into()],
            published: "2026-11-30".into(),
            commitments: vec!["astana2015.conclusion.3".into()],
            ..ItemInput::default()
        }
    }

    #[test]
    fn a_complete_input_is_an_item() {
        let item = input().validate(&known()).unwrap();
        assert_eq!(item.kind, Kind::Research);
        assert_eq!(item.shared_with, SharedWith::Group { group: 7 });
        assert_eq!(item.countries.len(), 2);
        assert_eq!(item.published.unwrap().to_string(), "2026-11-30");
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = ItemInput {
            kind: "rumour".into(),
            marking: "PURPLE".into(),
            distribution: "everyone".into(),
            versions: vec![VersionInput {
                lang: "english".into(),
                ..VersionInput::default()
            }],
            countries: vec!["ATL".into()],
            themes: vec!["astrology".into()],
            published: "30/11/2026".into(),
            commitments: vec!["none.1".into()],
            ..ItemInput::default()
        };
        let fields: Vec<String> = bad
            .validate(&known())
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "kind",
            "marking",
            "distribution",
            "versions[0].lang",
            "countries",
            "themes",
            "published",
            "commitments",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn an_empty_title_is_refused() {
        let mut i = input();
        i.versions[0].title = "   ".into();
        let e = i.validate(&known()).unwrap_err();
        assert_eq!(e.errors[0].field, "versions[0].title");
    }

    #[test]
    fn a_body_over_one_mebibyte_is_refused() {
        let mut i = input();
        i.versions[0].body = "a".repeat(MAX_BODY_BYTES + 1);
        let e = i.validate(&known()).unwrap_err();
        assert_eq!(e.errors[0].field, "versions[0].body");
    }

    #[test]
    fn red_must_name_its_recipients_through_a_group() {
        let mut i = input();
        i.marking = "RED".into();
        i.distribution = "platform".into();
        assert!(i.validate(&known()).is_err());
        i.distribution = "group".into();
        assert!(i.validate(&known()).is_ok());
    }

    #[test]
    fn an_unknown_group_is_refused() {
        let mut i = input();
        i.group = Some(8);
        assert_eq!(i.validate(&known()).unwrap_err().errors[0].field, "group");
    }

    #[test]
    fn lists_come_as_arrays_or_as_text() {
        let json: ItemInput =
            serde_json::from_str(r#"{"countries":["KAZ","KGZ"],"themes":"prisons, youth"}"#)
                .unwrap();
        assert_eq!(json.countries, ["KAZ", "KGZ"]);
        assert_eq!(json.themes, ["prisons", "youth"]);
        let form: ItemInput = serde_urlencoded::from_str("countries=KAZ+KGZ&group=7").unwrap();
        assert_eq!(form.countries, ["KAZ", "KGZ"]);
        assert_eq!(form.group, Some(7));
    }

    #[test]
    fn an_item_round_trips_through_its_input() {
        let item = input().validate(&known()).unwrap();
        assert_eq!(item.to_input().validate(&known()).unwrap(), item);
    }

    #[test]
    fn a_language_given_twice_is_refused() {
        let mut i = input();
        let again = i.versions[0].clone();
        i.versions.push(again);
        assert_eq!(
            i.validate(&known()).unwrap_err().errors[0].field,
            "versions[1].lang"
        );
    }
}
