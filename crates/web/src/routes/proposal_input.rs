//! What a proposal says about its subject, as the form and the API send it,
//! and its checking into the store's [`NewProposal`]. The JSON body has this
//! shape; the form sends the same fields, repeated rows as `aliases[0].name`,
//! `documents[1].number`… and lists of single values one per line.

use std::collections::BTreeMap;

use accord_core::tlp::Tlp;
use accord_core::validation::{Collector, name, text};
use accord_core::{FieldError, Invalid};
use accord_lists::{
    Address, BirthDate, DateValue, EntryLink, EntryName, EntrySchema, IdentityDocument, ListEntry,
    NameKind, NameQuality,
};
use accord_procedure::ProposalKind;
use accord_store::common_list::{LINK_RELATIONS, NewProposal, SubjectKind};
use serde::Deserialize;

const BAD_BIRTH_DATE: &str =
    "each must be a date as YYYY-MM-DD, YYYY-MM, a year, or a range of years such as 1962-1965";

/// At most this many rows of each repeated part (aliases, documents…).
pub const MAX_ROWS: usize = 50;
const TOO_MANY_ROWS: &str = "at most 50 are accepted";

/// Everything a proposal may say, as sent.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProposalInput {
    /// list (default), amend or delist.
    pub kind: String,
    /// The listed subject to amend or delist (e.g. ACL-0001).
    pub subject: String,
    pub subject_kind: String,
    /// For a sponsor: `organization` (default) or `individual`.
    pub sponsor_type: String,
    pub name: String,
    pub aliases: Vec<AliasInput>,
    pub original_script: String,
    /// One birth date (kept for clients of the first API); see `birth_dates`.
    pub birth_date: String,
    pub birth_dates: Vec<String>,
    pub birth_places: Vec<String>,
    /// One nationality (kept for clients of the first API); see `nationalities`.
    pub nationality: String,
    pub nationalities: Vec<String>,
    pub documents: Vec<DocumentInput>,
    pub addresses: Vec<AddressInput>,
    pub links: Vec<LinkInput>,
    pub un_reference: String,
    pub statement_of_case: String,
    pub tlp: String,
    pub narrative_summary: String,
    /// The proposer has looked at the possible duplicates the platform
    /// found (entries of the common list, the reference lists and running
    /// proposals with a name like this one) and says this is another subject.
    pub confirm_not_duplicate: bool,
}

/// A name besides the primary one. The API also takes a plain string.
#[derive(Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(from = "AliasWire")]
pub struct AliasInput {
    pub name: String,
    /// ISO 15924 code (`Latn`, `Cyrl`, `Arab`…); detected when empty.
    pub script: String,
    /// ISO 639 code (`ru`, `ps`, `ur`…), optional.
    pub language: String,
    /// `strong` (default) or `weak` (screened; a match on it is a low-confidence hit).
    pub quality: String,
    /// `alias` (default) or `former_name`.
    pub kind: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AliasWire {
    Plain(String),
    Full {
        #[serde(default)]
        name: String,
        #[serde(default)]
        script: String,
        #[serde(default)]
        language: String,
        #[serde(default)]
        quality: String,
        #[serde(default)]
        kind: String,
    },
}

impl From<AliasWire> for AliasInput {
    fn from(w: AliasWire) -> AliasInput {
        match w {
            AliasWire::Plain(name) => AliasInput {
                name,
                ..Default::default()
            },
            AliasWire::Full {
                name,
                script,
                language,
                quality,
                kind,
            } => AliasInput {
                name,
                script,
                language,
                quality,
                kind,
            },
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct DocumentInput {
    /// e.g. Passport, National identity card.
    pub kind: String,
    pub number: String,
    pub country: String,
    pub note: String,
}

#[derive(Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct AddressInput {
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub note: String,
}

#[derive(Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct LinkInput {
    /// member_of, sponsor_of, leader_of or alias_of.
    pub relation: String,
    /// The other subject's identifier on the list, e.g. ACL-0001.
    pub target: String,
}

fn blank(values: &[&str]) -> bool {
    values.iter().all(|v| v.trim().is_empty())
}

impl AliasInput {
    fn is_blank(&self) -> bool {
        blank(&[&self.name, &self.script, &self.language])
    }
}

impl DocumentInput {
    fn is_blank(&self) -> bool {
        blank(&[&self.kind, &self.number, &self.country, &self.note])
    }
}

impl AddressInput {
    fn is_blank(&self) -> bool {
        blank(&[
            &self.street,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
            &self.note,
        ])
    }
}

impl LinkInput {
    fn is_blank(&self) -> bool {
        blank(&[&self.target])
    }
}

/// `aliases[3].name` → ("aliases", 3, "name").
fn row_key(key: &str) -> Option<(&str, usize, &str)> {
    let (part, rest) = key.split_once('[')?;
    let (index, field) = rest.split_once("].")?;
    Some((part, index.parse().ok()?, field))
}

impl ProposalInput {
    /// Reads the form's fields. Rows left entirely empty (the form always
    /// offers a few spare ones) are dropped; an unknown field or a row
    /// number beyond [`MAX_ROWS`] is refused.
    pub fn from_form(pairs: &[(String, String)]) -> Result<ProposalInput, Invalid> {
        let mut input = ProposalInput::default();
        let mut aliases: BTreeMap<usize, AliasInput> = BTreeMap::new();
        let mut documents: BTreeMap<usize, DocumentInput> = BTreeMap::new();
        let mut addresses: BTreeMap<usize, AddressInput> = BTreeMap::new();
        let mut links: BTreeMap<usize, LinkInput> = BTreeMap::new();
        for (key, value) in pairs {
            let v = value.clone();
            match key.as_str() {
                // "more" is the button that asks for more empty rows.
                "csrf" | "more" => {}
                "kind" => input.kind = v,
                "subject" => input.subject = v,
                "subject_kind" => input.subject_kind = v,
                "sponsor_type" => input.sponsor_type = v,
                "name" => input.name = v,
                "original_script" => input.original_script = v,
                "birth_dates" => input.birth_dates = crate::forms::lines(&v),
                "birth_places" => input.birth_places = crate::forms::lines(&v),
                "nationalities" => input.nationalities = crate::forms::lines(&v),
                "un_reference" => input.un_reference = v,
                "statement_of_case" => input.statement_of_case = v,
                "tlp" => input.tlp = v,
                "narrative_summary" => input.narrative_summary = v,
                // A checkbox: present (any value) when ticked.
                "confirm_not_duplicate" => input.confirm_not_duplicate = !v.is_empty(),
                other => {
                    let Some((part, i, field)) = row_key(other) else {
                        return Err(Invalid::field(other, "is not a field of this form"));
                    };
                    if i >= MAX_ROWS {
                        return Err(Invalid::field(part, TOO_MANY_ROWS));
                    }
                    let known = match part {
                        "aliases" => {
                            let a = aliases.entry(i).or_default();
                            match field {
                                "name" => a.name = v,
                                "script" => a.script = v,
                                "language" => a.language = v,
                                "quality" => a.quality = v,
                                "kind" => a.kind = v,
                                _ => {
                                    return Err(Invalid::field(
                                        other,
                                        "is not a field of this form",
                                    ));
                                }
                            }
                            true
                        }
                        "documents" => {
                            let d = documents.entry(i).or_default();
                            match field {
                                "kind" => d.kind = v,
                                "number" => d.number = v,
                                "country" => d.country = v,
                                "note" => d.note = v,
                                _ => {
                                    return Err(Invalid::field(
                                        other,
                                        "is not a field of this form",
                                    ));
                                }
                            }
                            true
                        }
                        "addresses" => {
                            let a = addresses.entry(i).or_default();
                            match field {
                                "street" => a.street = v,
                                "city" => a.city = v,
                                "region" => a.region = v,
                                "postal_code" => a.postal_code = v,
                                "country" => a.country = v,
                                "note" => a.note = v,
                                _ => {
                                    return Err(Invalid::field(
                                        other,
                                        "is not a field of this form",
                                    ));
                                }
                            }
                            true
                        }
                        "links" => {
                            let l = links.entry(i).or_default();
                            match field {
                                "relation" => l.relation = v,
                                "target" => l.target = v,
                                _ => {
                                    return Err(Invalid::field(
                                        other,
                                        "is not a field of this form",
                                    ));
                                }
                            }
                            true
                        }
                        _ => false,
                    };
                    if !known {
                        return Err(Invalid::field(other, "is not a field of this form"));
                    }
                }
            }
        }
        input.aliases = aliases.into_values().filter(|a| !a.is_blank()).collect();
        input.documents = documents.into_values().filter(|d| !d.is_blank()).collect();
        input.addresses = addresses.into_values().filter(|a| !a.is_blank()).collect();
        input.links = links.into_values().filter(|l| !l.is_blank()).collect();
        Ok(input)
    }

    /// The birth dates as one list (the single `birth_date` first).
    pub fn all_birth_dates(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for d in std::iter::once(&self.birth_date).chain(&self.birth_dates) {
            let d = d.trim();
            if !d.is_empty() && !all.iter().any(|x| x == d) {
                all.push(d.to_string());
            }
        }
        all
    }

    /// The nationalities as one list (the single `nationality` first).
    pub fn all_nationalities(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for n in std::iter::once(&self.nationality).chain(&self.nationalities) {
            let n = n.trim();
            if !n.is_empty() && !all.iter().any(|x| x == n) {
                all.push(n.to_string());
            }
        }
        all
    }
}

/// A birth date: `1970-01-31`, `1970-01`, `1970`, or a range of years
/// `1962-1965` (or `1962/1965`); `~` or `circa` before it marks it approximate.
pub fn parse_birth_date(s: &str) -> Option<BirthDate> {
    let original = s.trim().to_string();
    let (approximate, rest) = match original
        .strip_prefix('~')
        .or_else(|| original.strip_prefix("circa "))
        .or_else(|| original.strip_prefix("c. "))
    {
        Some(r) => (true, r.trim()),
        None => (false, original.as_str()),
    };
    let range = rest
        .split_once('/')
        .or_else(|| rest.split_once('-').filter(|(_, b)| b.trim().len() == 4));
    let value = match range {
        Some((a, b)) if a.trim().len() == 4 => {
            let from: i32 = a.trim().parse().ok()?;
            let to: i32 = b.trim().parse().ok()?;
            if !(1800..=2100).contains(&from) || !(from..=2100).contains(&to) || from == to {
                return None;
            }
            DateValue::Range { from, to }
        }
        _ => {
            let v = accord_lists::ftm::parse_ftm_date(rest)?;
            let year = match v {
                DateValue::Exact { year, .. }
                | DateValue::YearMonth { year, .. }
                | DateValue::Year { year } => year,
                DateValue::Range { from, .. } => from,
            };
            if !(1800..=2100).contains(&year) {
                return None;
            }
            v
        }
    };
    Some(BirthDate {
        value,
        original,
        approximate,
    })
}

/// An ISO 15924 script code: four letters, the first upper case (`Cyrl`).
fn script_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_lowercase)
}

/// An ISO 639-1 or -3 language code (`ru`, `pus`).
fn language_code(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn opt(field: &str, value: &str, c: &mut Collector) -> Option<String> {
    c.check(text(field, value, false, 300))
        .filter(|v| !v.is_empty())
}

/// Checks what was sent and makes the proposal the store is asked to open.
/// Every problem is reported at once, each naming its field.
pub fn build(input: &ProposalInput) -> Result<NewProposal, Invalid> {
    let mut c = Collector::default();
    let proposal_kind = match input.kind.trim() {
        "" | "list" => Some(ProposalKind::List),
        "amend" => Some(ProposalKind::Amend),
        "delist" => Some(ProposalKind::Delist),
        _ => {
            c.push("kind", "must be list, amend or delist");
            None
        }
    };
    let subject = input.subject.trim().to_uppercase();
    let about_listed = matches!(
        proposal_kind,
        Some(ProposalKind::Amend | ProposalKind::Delist)
    );
    if about_listed && subject.is_empty() {
        c.push(
            "subject",
            "name the listed entry to amend or delist, e.g. ACL-0001",
        );
    }
    let tlp = match input.tlp.trim() {
        "" => Some(Tlp::Amber),
        t => c.check(t.parse::<Tlp>()),
    };
    let un = input.un_reference.trim().to_string();
    if proposal_kind == Some(ProposalKind::Delist) {
        c.finish()?;
        let mut p = NewProposal::about(
            ProposalKind::Delist,
            &subject,
            None,
            &input.statement_of_case,
            &input.narrative_summary,
        );
        p.statement_tlp = tlp.expect("checked");
        return Ok(p);
    }
    let primary = c.check(name("name", &input.name, true, 300));
    let kind = match input.subject_kind.trim() {
        "individual" => Some(SubjectKind::Individual),
        "organization" => Some(SubjectKind::Organization),
        "sponsor" => Some(SubjectKind::Sponsor),
        _ => {
            c.push(
                "subject_kind",
                "must be organization, individual or sponsor",
            );
            None
        }
    };
    let schema = match (kind, input.sponsor_type.trim()) {
        (Some(SubjectKind::Individual), _) => EntrySchema::Person,
        (Some(SubjectKind::Sponsor), "individual") => EntrySchema::Person,
        (Some(SubjectKind::Sponsor), "" | "organization") => EntrySchema::Organization,
        (Some(SubjectKind::Sponsor), _) => {
            c.push("sponsor_type", "must be organization or individual");
            EntrySchema::Organization
        }
        _ => EntrySchema::Organization,
    };
    let mut entry = ListEntry::new("draft", schema);

    for (what, count) in [
        ("aliases", input.aliases.len()),
        ("documents", input.documents.len()),
        ("addresses", input.addresses.len()),
        ("links", input.links.len()),
        ("birth_dates", input.all_birth_dates().len()),
        ("birth_places", input.birth_places.len()),
        ("nationalities", input.all_nationalities().len()),
    ] {
        if count > MAX_ROWS {
            c.push(what, TOO_MANY_ROWS);
        }
    }

    for (i, a) in input.aliases.iter().enumerate() {
        let field = |f: &str| format!("aliases[{i}].{f}");
        let Some(text) = c.check(name(&field("name"), &a.name, true, 300)) else {
            continue;
        };
        let kind = match a.kind.trim() {
            "" | "alias" => NameKind::Alias,
            "former_name" => NameKind::FormerName,
            _ => {
                c.push(&field("kind"), "must be alias or former_name");
                NameKind::Alias
            }
        };
        let mut n = EntryName::new(text, kind);
        match a.quality.trim() {
            "" | "strong" => {}
            "weak" => n.quality = NameQuality::Weak,
            _ => c.push(&field("quality"), "must be strong or weak"),
        }
        let script = a.script.trim();
        if !script.is_empty() {
            if script_code(script) {
                n.script = Some(script.to_string());
            } else {
                c.push(
                    &field("script"),
                    "must be an ISO 15924 script code such as Latn, Cyrl or Arab",
                );
            }
        }
        let language = a.language.trim();
        if !language.is_empty() {
            if language_code(language) {
                n.language = Some(language.to_string());
            } else {
                c.push(
                    &field("language"),
                    "must be an ISO 639 language code such as ru, ps or ur",
                );
            }
        }
        entry.push_name(n);
    }
    if let Some(original) = c
        .check(name("original_script", &input.original_script, false, 300))
        .filter(|v| !v.is_empty())
    {
        entry.push_name(EntryName::new(original, NameKind::OriginalScript));
    }

    let mut bad_date = false;
    for d in input.all_birth_dates() {
        match parse_birth_date(&d) {
            Some(b) => entry.birth_dates.push(b),
            None => bad_date = true,
        }
    }
    if bad_date {
        c.push(
            if input.birth_dates.is_empty() {
                "birth_date"
            } else {
                "birth_dates"
            },
            BAD_BIRTH_DATE,
        );
    }
    for p in &input.birth_places {
        if let Some(p) = opt("birth_places", p, &mut c) {
            entry.birth_places.push(p);
        }
    }
    for n in input.all_nationalities() {
        if let Some(n) = opt("nationalities", &n, &mut c) {
            entry.nationalities.push(n);
        }
    }
    for (i, d) in input.documents.iter().enumerate() {
        let field = |f: &str| format!("documents[{i}].{f}");
        let kind = c.check(text(&field("kind"), &d.kind, true, 100));
        let number = c.check(text(&field("number"), &d.number, true, 100));
        let country = opt(&field("country"), &d.country, &mut c);
        let note = opt(&field("note"), &d.note, &mut c);
        if let (Some(kind), Some(number)) = (kind, number) {
            entry.documents.push(IdentityDocument {
                kind,
                number,
                country,
                note,
            });
        }
    }
    for (i, a) in input.addresses.iter().enumerate() {
        let field = |f: &str| format!("addresses[{i}].{f}");
        let address = Address {
            street: opt(&field("street"), &a.street, &mut c),
            city: opt(&field("city"), &a.city, &mut c),
            region: opt(&field("region"), &a.region, &mut c),
            postal_code: opt(&field("postal_code"), &a.postal_code, &mut c),
            country: opt(&field("country"), &a.country, &mut c),
            note: opt(&field("note"), &a.note, &mut c),
        };
        if address.is_empty() {
            c.push(&field("city"), "an address needs at least one part");
        } else {
            entry.addresses.push(address);
        }
    }
    for (i, l) in input.links.iter().enumerate() {
        let field = |f: &str| format!("links[{i}].{f}");
        let relation = l.relation.trim();
        if !LINK_RELATIONS.contains(&relation) {
            c.push(
                &field("relation"),
                "must be member_of, sponsor_of, leader_of or alias_of",
            );
        }
        let target = l.target.trim().to_uppercase();
        let well_formed = target
            .strip_prefix(accord_store::common_list::SUBJECT_ID_PREFIX)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            c.push(
                &field("target"),
                "must be the identifier of a subject of the list, e.g. ACL-0001",
            );
        }
        entry.links.push(EntryLink {
            relation: relation.to_string(),
            target_reference: Some(target),
            target_name: None,
        });
    }
    if kind == Some(SubjectKind::Sponsor)
        && !input
            .links
            .iter()
            .any(|l| l.relation.trim() == "sponsor_of")
    {
        c.push(
            "links",
            "a sponsor must be linked (sponsor_of) to the organization it supports",
        );
    }
    if schema != EntrySchema::Person
        && !(entry.birth_dates.is_empty()
            && entry.birth_places.is_empty()
            && entry.nationalities.is_empty())
    {
        c.push(
            "birth_dates",
            "only individuals have birth dates, places of birth and nationalities",
        );
    }
    c.finish()?;
    let kind = kind.expect("checked");
    if let Some(primary) = primary {
        entry
            .names
            .insert(0, EntryName::new(primary, NameKind::Primary));
    }
    let mut p = if about_listed {
        NewProposal::about(
            ProposalKind::Amend,
            &subject,
            Some(entry),
            &input.statement_of_case,
            &input.narrative_summary,
        )
    } else {
        NewProposal::list(
            kind,
            entry,
            &input.statement_of_case,
            &input.narrative_summary,
        )
    };
    p.statement_tlp = tlp.expect("checked");
    p.un_reference = (!un.is_empty()).then_some(un);
    Ok(p)
}

/// The store names the fields of the entry it checks `entry.…`; the form's
/// fields are the entry's own.
pub fn form_field_errors(invalid: Invalid) -> Invalid {
    Invalid {
        errors: invalid
            .errors
            .into_iter()
            .map(|e| FieldError {
                field: e
                    .field
                    .strip_prefix("entry.")
                    .unwrap_or(&e.field)
                    .to_string(),
                message: e.message,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn birth_dates_exact_year_month_year_and_ranges() {
        let d = |s: &str| parse_birth_date(s).map(|b| b.value);
        assert_eq!(
            d("1970-01-31"),
            Some(DateValue::Exact {
                year: 1970,
                month: 1,
                day: 31
            })
        );
        assert_eq!(
            d("1970-02"),
            Some(DateValue::YearMonth {
                year: 1970,
                month: 2
            })
        );
        assert_eq!(d("1970"), Some(DateValue::Year { year: 1970 }));
        assert_eq!(
            d("1962-1965"),
            Some(DateValue::Range {
                from: 1962,
                to: 1965
            })
        );
        assert_eq!(
            d("1962/1965"),
            Some(DateValue::Range {
                from: 1962,
                to: 1965
            })
        );
        assert!(parse_birth_date("~1970").unwrap().approximate);
        for bad in ["1970-02-30", "1965-1962", "70", "soon", "1970-13", "3000"] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn form_rows_become_lists_and_blank_rows_are_dropped() {
        let input = ProposalInput::from_form(&pairs(&[
            ("csrf", "x"),
            ("name", "Abu Example"),
            ("aliases[0].name", "Абу Пример"),
            ("aliases[0].script", "Cyrl"),
            ("aliases[0].quality", "weak"),
            ("aliases[1].name", ""),
            ("aliases[1].quality", "strong"),
            ("documents[0].kind", "Passport"),
            ("documents[0].number", "A123"),
            ("birth_dates", "1970\n\n1962-1965\n"),
            ("links[0].relation", "member_of"),
            ("links[0].target", ""),
        ]))
        .unwrap();
        assert_eq!(input.aliases.len(), 1);
        assert_eq!(input.aliases[0].quality, "weak");
        assert_eq!(input.documents.len(), 1);
        assert!(input.links.is_empty());
        assert_eq!(input.birth_dates, vec!["1970", "1962-1965"]);
        let too_many = ProposalInput::from_form(&pairs(&[("aliases[99].name", "x")])).unwrap_err();
        assert_eq!(too_many.errors[0].field, "aliases");
        assert_eq!(
            too_many.errors[0].message,
            format!("at most {MAX_ROWS} are accepted")
        );
        assert!(ProposalInput::from_form(&pairs(&[("aliases[0].colour", "x")])).is_err());
        assert!(ProposalInput::from_form(&pairs(&[("surprise", "x")])).is_err());
    }

    #[test]
    fn every_bad_part_is_named() {
        let input = ProposalInput {
            subject_kind: "individual".into(),
            name: "Abu Example".into(),
            aliases: vec![AliasInput {
                name: "A".into(),
                script: "cyrillic".into(),
                language: "Russian".into(),
                quality: "good".into(),
                kind: "nickname".into(),
            }],
            birth_dates: vec!["someday".into()],
            documents: vec![DocumentInput {
                kind: "Passport".into(),
                ..Default::default()
            }],
            links: vec![LinkInput {
                relation: "friend_of".into(),
                target: "QDi.1".into(),
            }],
            statement_of_case: "s".into(),
            narrative_summary: "n".into(),
            ..Default::default()
        };
        let fields: Vec<String> = build(&input)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "aliases[0].script",
            "aliases[0].language",
            "aliases[0].quality",
            "aliases[0].kind",
            "birth_dates",
            "documents[0].number",
            "links[0].relation",
            "links[0].target",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn a_sponsor_needs_a_link_and_organizations_have_no_birth_dates() {
        let base = ProposalInput {
            subject_kind: "sponsor".into(),
            name: "Money Front".into(),
            statement_of_case: "s".into(),
            narrative_summary: "n".into(),
            ..Default::default()
        };
        assert_eq!(build(&base).unwrap_err().errors[0].field, "links");
        let mut linked = base.clone();
        linked.links.push(LinkInput {
            relation: "sponsor_of".into(),
            target: "acl-0001".into(),
        });
        let p = build(&linked).unwrap();
        let e = p.entry.unwrap();
        assert_eq!(e.links[0].target_reference.as_deref(), Some("ACL-0001"));
        assert_eq!(e.names[0].kind, NameKind::Primary);
        let mut org = base;
        org.subject_kind = "organization".into();
        org.nationalities = vec!["Afghanistan".into()];
        assert_eq!(build(&org).unwrap_err().errors[0].field, "birth_dates");
    }
}
