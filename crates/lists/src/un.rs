//! UN Security Council Consolidated List (XML).
//!
//! Layout (official schema `sc-sanctions.xsd`):
//! `CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL` and
//! `CONSOLIDATED_LIST/ENTITIES/ENTITY`. The reader streams the document
//! with quick-xml, builds a small tree for each record only, and maps it to
//! a [`ListEntry`].
//!
//! Rules:
//! - A `DOCTYPE` (and so any entity declaration) is refused
//!   ([`FormatError::DoctypeRefused`]); only the five predefined entities
//!   and character references are accepted.
//! - All or nothing: a malformed or truncated document is an error carrying
//!   the line, column and byte of the first problem; no entry is returned.
//! - A well-formed record without any name is put in [`List::skipped`] with
//!   its position and DATAID.
//! - The input must be UTF-8 (the UN publishes UTF-8); a BOM is accepted.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{FormatError, Position};
use crate::model::{
    Address, BirthDate, DateValue, EntryName, EntrySchema, IdentityDocument, List, ListEntry,
    ListSource, NameKind, NameParts, SkippedRecord, push_unique,
};
use crate::text::{clean, clean_opt, month_number, parse_iso_date, parse_year};

/// Reads a whole UN consolidated list from `reader`.
pub fn read<R: Read>(mut reader: R) -> Result<List, FormatError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(FormatError::Read)?;
    parse(&bytes)
}

/// One element of a record, with its text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    /// Cleaned text of the first child named `name`.
    fn child_text(&self, name: &str) -> Option<String> {
        self.children
            .iter()
            .filter(|c| c.name == name)
            .find_map(|c| clean_opt(&c.text))
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Cleaned texts of `name/VALUE` children (TITLE/VALUE, NATIONALITY/VALUE...).
    fn values(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for group in self.children_named(name) {
            for v in group.children_named("VALUE") {
                push_unique(&mut out, clean(&v.text));
            }
            // Some publishers put the value directly in the element.
            push_unique(&mut out, clean(&group.text));
        }
        out
    }
}

/// How deep elements may nest within one INDIVIDUAL or ENTITY record,
/// counting the record element itself.
pub const MAX_RECORD_DEPTH: usize = 32;

/// Parses a UN consolidated list from bytes.
pub fn parse(input: &[u8]) -> Result<List, FormatError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::Empty {
            what: "the UN XML document".into(),
        });
    }
    let text = std::str::from_utf8(input).map_err(|e| FormatError::Xml {
        position: Position::locate(input, e.valid_up_to()),
        message: "invalid UTF-8 (the UN list is published in UTF-8)".into(),
    })?;

    let at = |byte: u64| Position::locate(input, byte as usize);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;

    let mut list = List {
        source: ListSource::Un,
        generated: None,
        entries: Vec::new(),
        skipped: Vec::new(),
    };
    // Names of the open elements outside records.
    let mut stack: Vec<String> = Vec::new();
    // Open elements of the current record (record element first).
    let mut record: Vec<Node> = Vec::new();
    let mut record_start = 0u64;
    let mut counts = (0usize, 0usize); // individuals, entities seen
    let mut root_seen = false;

    loop {
        let event_start = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            let position = at(reader.error_position());
            let message = e.to_string();
            if reader.buffer_position() as usize >= text.len() {
                FormatError::XmlTruncated { position, message }
            } else {
                FormatError::Xml { position, message }
            }
        })?;
        match event {
            Event::DocType(_) => {
                return Err(FormatError::DoctypeRefused {
                    position: at(event_start),
                });
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let name = element_name(e);
                check_attributes(e, &at, event_start)?;
                if !record.is_empty() {
                    // A record is a small tree (the UN's are four levels
                    // deep); a deeper one is refused before it is built, as
                    // dropping a very deep tree would overflow the stack.
                    if record.len() >= MAX_RECORD_DEPTH {
                        return Err(FormatError::Xml {
                            position: at(event_start),
                            message: format!(
                                "elements nested more than {MAX_RECORD_DEPTH} levels deep in a record"
                            ),
                        });
                    }
                    record.push(Node {
                        name,
                        ..Node::default()
                    });
                } else {
                    match stack.len() {
                        0 => {
                            if root_seen {
                                return Err(FormatError::Xml {
                                    position: at(event_start),
                                    message: format!("a second root element <{name}>"),
                                });
                            }
                            root_seen = true;
                            if name != "CONSOLIDATED_LIST" {
                                return Err(FormatError::NotUnList {
                                    position: at(event_start),
                                    message: format!(
                                        "the root element is <{name}>, expected <CONSOLIDATED_LIST>"
                                    ),
                                });
                            }
                            list.generated = attribute(e, "dateGenerated");
                        }
                        2 if (stack[1] == "INDIVIDUALS" && name == "INDIVIDUAL")
                            || (stack[1] == "ENTITIES" && name == "ENTITY") =>
                        {
                            record_start = event_start;
                            record.push(Node {
                                name,
                                ..Node::default()
                            });
                        }
                        _ => {}
                    }
                    if record.is_empty() {
                        stack.push(element_name(e));
                    }
                }
                if is_empty {
                    close(
                        &mut stack,
                        &mut record,
                        &mut list,
                        &mut counts,
                        input,
                        record_start,
                    );
                }
            }
            Event::End(_) => close(
                &mut stack,
                &mut record,
                &mut list,
                &mut counts,
                input,
                record_start,
            ),
            Event::Text(t) => {
                if let Some(node) = record.last_mut() {
                    node.text.push_str(&t.xml10_content());
                } else if stack.is_empty() && !t.trim().is_empty() {
                    return Err(FormatError::Xml {
                        position: at(event_start),
                        message: "text outside the root element".into(),
                    });
                }
            }
            Event::CData(t) => {
                if let Some(node) = record.last_mut() {
                    let raw = t.into_inner();
                    node.text.push_str(&raw);
                }
            }
            Event::GeneralRef(r) => {
                let resolved: Option<char> = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    }
                };
                let Some(c) = resolved else {
                    return Err(FormatError::UndefinedEntity {
                        name: r.to_string(),
                        position: at(event_start),
                    });
                };
                if let Some(node) = record.last_mut() {
                    node.text.push(c);
                }
            }
            Event::Eof => {
                if let Some(open) = record.last().map(|n| n.name.clone()).or(stack.pop()) {
                    return Err(FormatError::XmlTruncated {
                        position: at(text.len() as u64),
                        message: format!("element <{open}> is not closed"),
                    });
                }
                if !root_seen {
                    return Err(FormatError::NotUnList {
                        position: at(text.len() as u64),
                        message: "no root element".into(),
                    });
                }
                break;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    Ok(list)
}

fn element_name(e: &BytesStart<'_>) -> String {
    e.name().as_ref().to_string()
}

/// Checks every attribute is well-formed (quick-xml parses them lazily).
fn check_attributes(
    e: &BytesStart<'_>,
    at: &impl Fn(u64) -> Position,
    event_start: u64,
) -> Result<(), FormatError> {
    for attr in e.attributes() {
        if let Err(err) = attr {
            return Err(FormatError::Xml {
                position: at(event_start),
                message: format!("malformed attribute: {err}"),
            });
        }
    }
    Ok(())
}

fn attribute(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| clean_opt(&a.value))
}

/// Closes the innermost open element.
fn close(
    stack: &mut Vec<String>,
    record: &mut Vec<Node>,
    list: &mut List,
    counts: &mut (usize, usize),
    input: &[u8],
    record_start: u64,
) {
    if let Some(node) = record.pop() {
        if let Some(parent) = record.last_mut() {
            parent.children.push(node);
        } else {
            let ordinal = if node.name == "INDIVIDUAL" {
                counts.0 += 1;
                counts.0
            } else {
                counts.1 += 1;
                counts.1
            };
            match convert(&node) {
                Ok(entry) => list.entries.push(entry),
                Err(reason) => list.skipped.push(SkippedRecord {
                    position: format!(
                        "{} #{} (DATAID {}) at {}",
                        node.name,
                        ordinal,
                        node.child_text("DATAID").unwrap_or_else(|| "?".into()),
                        Position::locate(input, record_start as usize)
                    ),
                    reason,
                }),
            }
        }
    } else {
        stack.pop();
    }
}

/// Maps one INDIVIDUAL or ENTITY record to an entry; `Err` is the reason to skip it.
fn convert(node: &Node) -> Result<ListEntry, String> {
    let is_person = node.name == "INDIVIDUAL";
    let dataid = node.child_text("DATAID");
    let reference = node
        .child_text("REFERENCE_NUMBER")
        .or_else(|| dataid.clone())
        .ok_or("neither REFERENCE_NUMBER nor DATAID")?;
    let schema = if is_person {
        EntrySchema::Person
    } else {
        EntrySchema::Organization
    };
    let mut entry = ListEntry::new(reference, schema);
    entry.source_id = dataid;

    let parts = NameParts {
        first: node.child_text("FIRST_NAME"),
        second: node.child_text("SECOND_NAME"),
        third: node.child_text("THIRD_NAME"),
        fourth: node.child_text("FOURTH_NAME"),
    };
    let full = [&parts.first, &parts.second, &parts.third, &parts.fourth]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    entry.push_name(EntryName::new(full, NameKind::Primary));
    if is_person && parts != NameParts::default() {
        entry.name_parts = Some(parts);
    }
    if let Some(original) = node.child_text("NAME_ORIGINAL_SCRIPT") {
        entry.push_name(EntryName::new(original, NameKind::OriginalScript));
    }
    let alias_tag = if is_person {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    };
    for alias in node.children_named(alias_tag) {
        let Some(text) = alias.child_text("ALIAS_NAME") else {
            continue;
        };
        let quality = alias.child_text("QUALITY").unwrap_or_default();
        let name = match quality.to_ascii_lowercase().as_str() {
            "low" => EntryName::new(text, NameKind::Alias).weak(),
            "f.k.a." | "fka" => EntryName::new(text, NameKind::FormerName),
            _ => EntryName::new(text, NameKind::Alias),
        };
        entry.push_name(name);
        if let Some(note) = alias.child_text("NOTE") {
            entry.push_extra("alias_note", note);
        }
        if let Some(dob) = alias.child_text("DATE_OF_BIRTH") {
            match parse_free_date(&dob) {
                Some(value) => push_date(&mut entry, value, dob, false),
                None => entry.push_extra("unparsed_birth_date", dob),
            }
        }
        let pob = [
            alias.child_text("CITY_OF_BIRTH"),
            alias.child_text("COUNTRY_OF_BIRTH"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        push_unique(&mut entry.birth_places, pob);
    }
    if entry.names.is_empty() {
        return Err("the record has no name (FIRST_NAME..FOURTH_NAME, NAME_ORIGINAL_SCRIPT and aliases are all empty)".into());
    }

    entry.title = node.values("TITLE");
    entry.designations = node.values("DESIGNATION");
    // The UN writes "na" (not available) where no nationality is known.
    entry.nationalities = node.values("NATIONALITY");
    entry
        .nationalities
        .retain(|n| !n.eq_ignore_ascii_case("na"));
    entry.last_updated = node.values("LAST_DAY_UPDATED");
    if let Some(program) = node.child_text("UN_LIST_TYPE") {
        entry.programs.push(program);
    }
    entry.listed_on = node.child_text("LISTED_ON");
    entry.comments = node.child_text("COMMENTS1");
    if let Some(gender) = node.child_text("GENDER") {
        entry.push_extra("gender", gender);
    }

    let address_tag = if is_person {
        "INDIVIDUAL_ADDRESS"
    } else {
        "ENTITY_ADDRESS"
    };
    for a in node.children_named(address_tag) {
        let address = Address {
            street: a.child_text("STREET"),
            city: a.child_text("CITY"),
            region: a.child_text("STATE_PROVINCE"),
            postal_code: a.child_text("ZIP_CODE"),
            country: a.child_text("COUNTRY"),
            note: a.child_text("NOTE"),
        };
        if !address.is_empty() && !entry.addresses.contains(&address) {
            entry.addresses.push(address);
        }
    }

    for d in node.children_named("INDIVIDUAL_DATE_OF_BIRTH") {
        birth_date(&mut entry, d);
    }

    for p in node.children_named("INDIVIDUAL_PLACE_OF_BIRTH") {
        let mut place = ["STREET", "CITY", "STATE_PROVINCE", "COUNTRY"]
            .iter()
            .filter_map(|t| p.child_text(t))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(note) = p.child_text("NOTE") {
            place = if place.is_empty() {
                note
            } else {
                format!("{place} ({note})")
            };
        }
        push_unique(&mut entry.birth_places, place);
    }

    for d in node.children_named("INDIVIDUAL_DOCUMENT") {
        let kind = d
            .child_text("TYPE_OF_DOCUMENT")
            .or_else(|| d.child_text("TYPE_OF_DOCUMENT2"))
            .unwrap_or_else(|| "Document".into());
        let notes = [
            d.child_text("TYPE_OF_DOCUMENT2")
                .filter(|_| d.child_text("TYPE_OF_DOCUMENT").is_some()),
            d.child_text("CITY_OF_ISSUE")
                .map(|c| format!("issued in {c}")),
            d.child_text("DATE_OF_ISSUE")
                .map(|c| format!("issued on {c}")),
            d.child_text("NOTE"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let country = d
            .child_text("ISSUING_COUNTRY")
            .or_else(|| d.child_text("COUNTRY_OF_ISSUE"));
        match d.child_text("NUMBER") {
            Some(number) => entry.documents.push(IdentityDocument {
                kind,
                number,
                country,
                note,
            }),
            None => {
                if let Some(note) = note {
                    entry.push_extra("document_note", format!("{kind}: {note}"));
                }
            }
        }
    }
    Ok(entry)
}

fn push_date(entry: &mut ListEntry, value: DateValue, original: String, approximate: bool) {
    let date = BirthDate {
        value,
        original,
        approximate,
    };
    if !entry.birth_dates.iter().any(|d| d.value == date.value) {
        entry.birth_dates.push(date);
    }
}

/// INDIVIDUAL_DATE_OF_BIRTH: TYPE_OF_DATE (EXACT, APPROXIMATELY, BETWEEN)
/// with DATE, YEAR, FROM_YEAR/TO_YEAR and an optional NOTE.
fn birth_date(entry: &mut ListEntry, d: &Node) {
    let kind = d.child_text("TYPE_OF_DATE").unwrap_or_default();
    let approximate = kind.eq_ignore_ascii_case("APPROXIMATELY");
    let note = d.child_text("NOTE");
    let with_note = |s: String| match &note {
        Some(n) => format!("{s} ({n})"),
        None => s,
    };
    let label = if kind.is_empty() {
        String::new()
    } else {
        format!("{kind} ")
    };
    if let Some(date) = d.child_text("DATE") {
        match parse_iso_date(&date) {
            Some((year, month, day)) => push_date(
                entry,
                DateValue::Exact { year, month, day },
                with_note(format!("{label}{date}")),
                approximate,
            ),
            None => entry.push_extra("unparsed_birth_date", with_note(date)),
        }
    }
    if let Some(year) = d.child_text("YEAR") {
        match parse_year(&year) {
            Some(year_n) => push_date(
                entry,
                DateValue::Year { year: year_n },
                with_note(format!("{label}{year}")),
                approximate,
            ),
            None => entry.push_extra("unparsed_birth_date", with_note(year)),
        }
    }
    let from = d.child_text("FROM_YEAR");
    let to = d.child_text("TO_YEAR");
    if from.is_some() || to.is_some() {
        let original = with_note(format!(
            "{label}{} and {}",
            from.as_deref().unwrap_or("?"),
            to.as_deref().unwrap_or("?")
        ));
        let f = from.as_deref().and_then(parse_year);
        let t = to.as_deref().and_then(parse_year);
        match (f, t) {
            (Some(f), Some(t)) => push_date(
                entry,
                DateValue::Range {
                    from: f.min(t),
                    to: f.max(t),
                },
                original,
                approximate,
            ),
            (Some(y), None) | (None, Some(y)) => {
                push_date(entry, DateValue::Year { year: y }, original, true)
            }
            (None, None) => entry.push_extra("unparsed_birth_date", original),
        }
    }
    let has_value = ["DATE", "YEAR", "FROM_YEAR", "TO_YEAR"]
        .iter()
        .any(|t| d.child_text(t).is_some());
    if !has_value && let Some(note) = note.clone() {
        match parse_free_date(&note) {
            Some(value) => push_date(entry, value, format!("{label}{note}"), approximate),
            None => entry.push_extra("unparsed_birth_date", note),
        }
    }
}

/// Parses the free-text dates found in notes: "1965-01-01", "1971",
/// "April 1963", "Nov. 1973", "12 Jan. 1970", "dd/mm/yyyy".
pub(crate) fn parse_free_date(s: &str) -> Option<DateValue> {
    let s = s.trim();
    if let Some((year, month, day)) = parse_iso_date(s) {
        return Some(DateValue::Exact { year, month, day });
    }
    if let Some(year) = parse_year(s) {
        return Some(DateValue::Year { year });
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [m, y] => Some(DateValue::YearMonth {
            year: parse_year(y)?,
            month: month_number(m)?,
        }),
        [d, m, y] => {
            let (year, month, day) = (parse_year(y)?, month_number(m)?, d.parse().ok()?);
            crate::text::valid_ymd(year, month, day).then_some(DateValue::Exact {
                year,
                month,
                day,
            })
        }
        [dmy] => {
            let p: Vec<&str> = dmy.split('/').collect();
            if let [d, m, y] = p.as_slice() {
                let (year, month, day) = (parse_year(y)?, m.parse().ok()?, d.parse().ok()?);
                return crate::text::valid_ymd(year, month, day).then_some(DateValue::Exact {
                    year,
                    month,
                    day,
                });
            }
            None
        }
        _ => None,
    }
}
