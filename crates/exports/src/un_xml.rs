//! XML in the structure of the UN Security Council Consolidated List
//! (`CONSOLIDATED_LIST` / `INDIVIDUALS/INDIVIDUAL` / `ENTITIES/ENTITY`), so
//! that tools which read the UN list read an Accord version too.
//!
//! | XML | from |
//! | --- | --- |
//! | `CONSOLIDATED_LIST/@dateGenerated` | the version date, UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ` |
//! | `DATAID` | `source_id` when it is a number, else a number derived from the reference (stable across versions; a collision within a version is an error) |
//! | `VERSIONNUM` | the **list's** version number (the UN uses it per record) |
//! | `FIRST_NAME`..`FOURTH_NAME` | a person's `name_parts` when they make up the primary name, else the whole primary name in `FIRST_NAME` |
//! | `UN_LIST_TYPE` | programs joined by `"; "` (the list name when there is none) |
//! | `REFERENCE_NUMBER`, `LISTED_ON` | reference, listed_on |
//! | `GENDER` | `extra.gender` (persons) |
//! | `NAME_ORIGINAL_SCRIPT` | the first OriginalScript name (others become aliases) |
//! | `COMMENTS1` | comments, then `Reasons for listing: <summary>` |
//! | `TITLE`, `DESIGNATION`, `NATIONALITY`, `LAST_DAY_UPDATED` `/VALUE` | title, designations, nationalities, last_updated |
//! | `LIST_TYPE/VALUE` | the list name |
//! | `*_ALIAS` `QUALITY` + `ALIAS_NAME` | persons: `Good` (strong), `Low` (weak), `f.k.a.` (former); organizations: `a.k.a.` (strong and weak: the UN list has no other quality for entities), `f.k.a.` |
//! | `*_ADDRESS` | STREET, CITY, STATE_PROVINCE, ZIP_CODE, COUNTRY, NOTE |
//! | `INDIVIDUAL_DATE_OF_BIRTH` | `EXACT` + `DATE` or `YEAR`; `APPROXIMATELY` likewise; `BETWEEN` + `FROM_YEAR`/`TO_YEAR`; a year and month as `NOTE` ("November 1973") |
//! | `INDIVIDUAL_PLACE_OF_BIRTH` | the one-line place split at `", "`: last part COUNTRY, then STATE_PROVINCE, CITY, the rest STREET; a trailing `" (…)"` becomes NOTE |
//! | `INDIVIDUAL_DOCUMENT` | TYPE_OF_DOCUMENT, NUMBER, ISSUING_COUNTRY, NOTE |
//!
//! Vessels and aircraft are written as `ENTITY` (the UN list has no other
//! kind). Text is escaped by quick-xml; characters XML 1.0 forbids (C0
//! controls other than tab, newline, carriage return) are dropped.

use std::collections::BTreeMap;
use std::io::Write;

use accord_lists::model::{
    Address, BirthDate, DateValue, EntrySchema, ListEntry, NameKind, NameQuality,
};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event};

use crate::{ExportError, ExportVersion};

type Xml<W> = Writer<W>;
type IoResult = std::io::Result<()>;

/// Writes the version as UN consolidated-list XML (UTF-8, indented).
pub fn write<W: Write>(version: &ExportVersion<'_>, w: W) -> Result<(), ExportError> {
    let date = version.check()?;
    let dataids = dataids(version.entries)?;
    let mut x = Writer::new_with_indent(w, b' ', 2);
    x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let root = BytesStart::new("CONSOLIDATED_LIST")
        .with_attributes([("dateGenerated", date.timestamp.as_str())]);
    x.write_event(Event::Start(root.borrow()))?;
    for (group, persons) in [("INDIVIDUALS", true), ("ENTITIES", false)] {
        let records: Vec<&ListEntry> = version
            .entries
            .iter()
            .filter(|e| (e.schema == EntrySchema::Person) == persons)
            .collect();
        if records.is_empty() {
            x.create_element(group).write_empty()?;
            continue;
        }
        x.create_element(group).write_inner_content(|x| {
            for e in &records {
                record(x, version, e, dataids[e.reference.as_str()], persons)?;
            }
            Ok(())
        })?;
    }
    x.write_event(Event::End(root.to_end()))?;
    x.get_mut().write_all(b"\n")?;
    x.get_mut().flush()?;
    Ok(())
}

/// The DATAID of each entry, by reference.
fn dataids(entries: &[ListEntry]) -> Result<BTreeMap<&str, u64>, ExportError> {
    let mut by_id: BTreeMap<u64, &str> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for e in entries {
        let id = dataid(e);
        if let Some(first) = by_id.insert(id, &e.reference) {
            return Err(ExportError::DataIdCollision {
                dataid: id,
                first: first.to_string(),
                second: e.reference.clone(),
            });
        }
        out.insert(e.reference.as_str(), id);
    }
    Ok(out)
}

/// `source_id` when it is a number (a UN DATAID), else the first 31 bits of
/// the SHA-256 of the reference, offset past the UN's own range.
pub fn dataid(e: &ListEntry) -> u64 {
    if let Some(id) = e
        .source_id
        .as_deref()
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        return id;
    }
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(e.reference.as_bytes());
    let n = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) & 0x7fff_ffff;
    // UN DATAIDs are 6-7 digits; keep derived ones at 10 digits, in i64 range.
    1_000_000_000 + u64::from(n)
}

fn record<W: Write>(
    x: &mut Xml<W>,
    version: &ExportVersion<'_>,
    e: &ListEntry,
    dataid: u64,
    person: bool,
) -> IoResult {
    let tag = if person { "INDIVIDUAL" } else { "ENTITY" };
    x.create_element(tag).write_inner_content(|x| {
        text(x, "DATAID", &dataid.to_string())?;
        text(x, "VERSIONNUM", &version.version.to_string())?;
        let primary = e.primary_name().unwrap_or_default();
        let parts = e.name_parts.as_ref().filter(|_| person).and_then(|p| {
            let parts = [&p.first, &p.second, &p.third, &p.fourth];
            let joined = parts
                .iter()
                .copied()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            (joined == primary).then_some(parts)
        });
        match parts {
            Some(parts) => {
                for (tag, part) in ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
                    .into_iter()
                    .zip(parts)
                {
                    if let Some(part) = part {
                        text(x, tag, part)?;
                    }
                }
            }
            None => text(x, "FIRST_NAME", primary)?,
        }
        let programs = if e.programs.is_empty() {
            version.list_name.to_string()
        } else {
            e.programs.join("; ")
        };
        text(x, "UN_LIST_TYPE", &programs)?;
        text(x, "REFERENCE_NUMBER", &e.reference)?;
        if let Some(d) = &e.listed_on {
            text(x, "LISTED_ON", d)?;
        }
        if person && let Some(g) = e.extra.get("gender").and_then(|g| g.first()) {
            text(x, "GENDER", g)?;
        }
        let original = original_first(e);
        if let Some(n) = original {
            text(x, "NAME_ORIGINAL_SCRIPT", n)?;
        }
        let comments = [
            e.comments.clone(),
            version
                .summary(&e.reference)
                .map(|s| format!("Reasons for listing: {s}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
        if !comments.is_empty() {
            text(x, "COMMENTS1", &comments)?;
        }
        values(x, "TITLE", &e.title)?;
        values(x, "DESIGNATION", &e.designations)?;
        values(x, "NATIONALITY", &e.nationalities)?;
        values(x, "LIST_TYPE", &[version.list_name.to_string()])?;
        values(x, "LAST_DAY_UPDATED", &e.last_updated)?;

        let alias_tag = if person {
            "INDIVIDUAL_ALIAS"
        } else {
            "ENTITY_ALIAS"
        };
        let mut written: Vec<(&str, &str)> = Vec::new();
        for n in &e.names {
            let quality = match (n.kind, n.quality) {
                (NameKind::Primary, _) => continue,
                (NameKind::OriginalScript, _) if original == Some(n.text.as_str()) => continue,
                (NameKind::FormerName, _) => "f.k.a.",
                (_, NameQuality::Weak) if person => "Low",
                (_, NameQuality::Strong) if person => "Good",
                // The UN list's entity aliases are only ever `a.k.a.` or
                // `f.k.a.`: `Low` is a quality of individuals' aliases, so a
                // weak alias of an entity is an `a.k.a.` like the others.
                _ => "a.k.a.",
            };
            if written.contains(&(n.text.as_str(), quality)) {
                continue;
            }
            written.push((&n.text, quality));
            x.create_element(alias_tag).write_inner_content(|x| {
                text(x, "QUALITY", quality)?;
                text(x, "ALIAS_NAME", &n.text)
            })?;
        }

        let address_tag = if person {
            "INDIVIDUAL_ADDRESS"
        } else {
            "ENTITY_ADDRESS"
        };
        for a in &e.addresses {
            address(x, address_tag, a)?;
        }
        if person {
            for d in &e.birth_dates {
                birth_date(x, d)?;
            }
            for p in &e.birth_places {
                birth_place(x, p)?;
            }
            for d in &e.documents {
                x.create_element("INDIVIDUAL_DOCUMENT")
                    .write_inner_content(|x| {
                        text(x, "TYPE_OF_DOCUMENT", &d.kind)?;
                        text(x, "NUMBER", &d.number)?;
                        opt(x, "ISSUING_COUNTRY", &d.country)?;
                        opt(x, "NOTE", &d.note)
                    })?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The name written as NAME_ORIGINAL_SCRIPT: the first of that kind.
fn original_first(e: &ListEntry) -> Option<&str> {
    e.names
        .iter()
        .find(|n| n.kind == NameKind::OriginalScript)
        .map(|n| n.text.as_str())
}

fn address<W: Write>(x: &mut Xml<W>, tag: &str, a: &Address) -> IoResult {
    if a.is_empty() {
        return Ok(());
    }
    x.create_element(tag).write_inner_content(|x| {
        opt(x, "STREET", &a.street)?;
        opt(x, "CITY", &a.city)?;
        opt(x, "STATE_PROVINCE", &a.region)?;
        opt(x, "ZIP_CODE", &a.postal_code)?;
        opt(x, "COUNTRY", &a.country)?;
        opt(x, "NOTE", &a.note)
    })?;
    Ok(())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn birth_date<W: Write>(x: &mut Xml<W>, d: &BirthDate) -> IoResult {
    let kind = if d.approximate {
        "APPROXIMATELY"
    } else {
        "EXACT"
    };
    x.create_element("INDIVIDUAL_DATE_OF_BIRTH")
        .write_inner_content(|x| match d.value {
            DateValue::Exact { year, month, day } => {
                text(x, "TYPE_OF_DATE", kind)?;
                text(x, "DATE", &format!("{year:04}-{month:02}-{day:02}"))
            }
            DateValue::Year { year } => {
                text(x, "TYPE_OF_DATE", kind)?;
                text(x, "YEAR", &format!("{year:04}"))
            }
            DateValue::YearMonth { year, month } => {
                text(x, "TYPE_OF_DATE", kind)?;
                let name = MONTHS.get(usize::from(month.max(1)) - 1).unwrap_or(&"");
                text(x, "NOTE", &format!("{name} {year:04}"))
            }
            DateValue::Range { from, to } => {
                text(x, "TYPE_OF_DATE", "BETWEEN")?;
                text(x, "FROM_YEAR", &format!("{from:04}"))?;
                text(x, "TO_YEAR", &format!("{to:04}"))
            }
        })?;
    Ok(())
}

/// Splits a one-line place of birth into the UN's parts (see the module docs).
fn split_place(place: &str) -> [Option<String>; 5] {
    let place = place.trim();
    let (place, note) = match place.strip_suffix(')').and_then(|p| p.rsplit_once(" (")) {
        Some((p, n)) if !p.is_empty() => (p, Some(n.to_string())),
        _ => (place, None),
    };
    let mut parts: Vec<&str> = place.split(", ").collect();
    let country = parts.pop().map(str::to_string);
    let region = (parts.len() >= 2)
        .then(|| parts.pop().map(str::to_string))
        .flatten();
    let city = parts.pop().map(str::to_string);
    let street = (!parts.is_empty()).then(|| parts.join(", "));
    // [street, city, state, country, note]
    [street, city, region, country, note]
}

fn birth_place<W: Write>(x: &mut Xml<W>, place: &str) -> IoResult {
    let [street, city, region, country, note] = split_place(place);
    x.create_element("INDIVIDUAL_PLACE_OF_BIRTH")
        .write_inner_content(|x| {
            opt(x, "STREET", &street)?;
            opt(x, "CITY", &city)?;
            opt(x, "STATE_PROVINCE", &region)?;
            opt(x, "COUNTRY", &country)?;
            opt(x, "NOTE", &note)
        })?;
    Ok(())
}

/// `<TAG><VALUE>v</VALUE>...</TAG>`, nothing when there are no values.
fn values<W: Write>(x: &mut Xml<W>, tag: &str, values: &[String]) -> IoResult {
    if values.is_empty() {
        return Ok(());
    }
    x.create_element(tag).write_inner_content(|x| {
        for v in values {
            text(x, "VALUE", v)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn opt<W: Write>(x: &mut Xml<W>, tag: &str, value: &Option<String>) -> IoResult {
    match value {
        Some(v) => text(x, tag, v),
        None => Ok(()),
    }
}

/// `<TAG>escaped text</TAG>`; nothing for empty text.
fn text<W: Write>(x: &mut Xml<W>, tag: &str, value: &str) -> IoResult {
    let clean: String = value.chars().filter(|c| xml_char(*c)).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return Ok(());
    }
    x.create_element(tag)
        .write_text_content(BytesText::new(clean))?;
    Ok(())
}

/// Whether XML 1.0 allows the character.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_of_birth_split_from_the_end() {
        let s = |p: &str| split_place(p).map(|x| x.unwrap_or_default());
        assert_eq!(s("Afghanistan"), ["", "", "", "Afghanistan", ""]);
        assert_eq!(
            s("Kandahar, Afghanistan"),
            ["", "Kandahar", "", "Afghanistan", ""]
        );
        assert_eq!(
            s("Moni village, Kandahar, Kandahar Province, Afghanistan (approx.)"),
            [
                "Moni village",
                "Kandahar",
                "Kandahar Province",
                "Afghanistan",
                "approx."
            ]
        );
        assert_eq!(s("(unknown)"), ["", "", "", "(unknown)", ""]);
    }

    #[test]
    fn forbidden_control_characters_are_not_xml_chars() {
        assert!(!xml_char('\u{0}'));
        assert!(!xml_char('\u{1b}'));
        assert!(!xml_char('\u{FFFE}'));
        assert!(xml_char('\n'));
        assert!(xml_char('ا'));
    }

    #[test]
    fn numeric_source_ids_are_kept_as_dataid_and_others_are_derived_stably() {
        let mut e = ListEntry::new("QDi.001", EntrySchema::Person);
        e.source_id = Some("6908555".into());
        assert_eq!(dataid(&e), 6908555);
        let a = ListEntry::new("ACC.i.001", EntrySchema::Person);
        let b = ListEntry::new("ACC.i.002", EntrySchema::Person);
        assert_eq!(dataid(&a), dataid(&a.clone()));
        assert_ne!(dataid(&a), dataid(&b));
        assert!((1_000_000_000..1_000_000_000 + (1 << 31)).contains(&dataid(&a)));
    }
}
