//! FollowTheMoney (FtM) entities as JSON lines: reading and writing.
//!
//! Every line is one entity: `{"id": "...", "schema": "Person",
//! "properties": {"name": ["..."], "birthDate": ["1970-01-01"], ...}}`.
//! Property values are lists of strings; a value that is itself an entity
//! object (the "nested" export of OpenSanctions) is read as an entity of its
//! own and replaced by its id.
//!
//! Reading: the screenable schemata (Person, Organization, Company,
//! LegalEntity, PublicBody, Vessel, Airplane) become [`ListEntry`]s. Address,
//! Identification/Passport and Sanction entities that point to (or are
//! pointed to by) such an entity are folded into it; relationship entities
//! (Ownership, Family, Associate, Membership, Directorship, UnknownLink)
//! become [`EntryLink`]s. Everything else is ignored. A line that is not
//! JSON or not an entity is an error with its line number (all or nothing).
//!
//! Writing: [`write_entities`] emits one entity per entry (Person,
//! Organization, Vessel or Airplane), one Sanction entity per entry
//! (program, listing date, authority) and one link entity per resolved link:
//! a `Membership` for `member_of` an organization, an `UnknownLink` (with the
//! relation as `role`) otherwise. Country-typed properties hold FtM country
//! codes ([`crate::country::code`]); a birth-date range is written as every
//! year of it when it spans at most [`MAX_RANGE_YEARS`], and said in a note
//! (`notes`: "Date of birth: between 1962 and 1965") in any case, as is an
//! approximate date; a country without a code is a note too.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use serde_json::{Map, Value, json};

use crate::error::FormatError;
use crate::model::{
    Address, BirthDate, DateValue, EntryLink, EntryName, EntrySchema, IdentityDocument, List,
    ListEntry, ListSource, NameKind, NameQuality, SkippedRecord, push_unique,
};
use crate::text::{clean, parse_iso_date, parse_year, valid_ymd};

/// An entity as read, with the line it came from.
#[derive(Debug, Clone)]
struct RawEntity {
    id: String,
    schema: String,
    line: u64,
    props: BTreeMap<String, Vec<String>>,
}

impl RawEntity {
    fn values(&self, prop: &str) -> &[String] {
        self.props.get(prop).map_or(&[], Vec::as_slice)
    }
    fn first(&self, prop: &str) -> Option<String> {
        self.values(prop).first().cloned()
    }
}

/// Reads FtM JSON lines as a [`ListSource::FollowTheMoney`] list.
pub fn read<R: BufRead>(reader: R) -> Result<List, FormatError> {
    read_as(reader, ListSource::FollowTheMoney)
}

/// Reads FtM JSON lines, labelling the list with `source` (use
/// [`ListSource::Accord`] for Accord's own export).
pub fn read_as<R: BufRead>(reader: R, source: ListSource) -> Result<List, FormatError> {
    let mut entities: Vec<RawEntity> = Vec::new();
    let mut saw_content = false;
    for (i, line) in reader.split(b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let bytes = line.map_err(FormatError::Read)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| FormatError::Json {
            line: line_no,
            message: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
        })?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        saw_content = true;
        let value: Value = serde_json::from_str(text).map_err(|e| FormatError::Json {
            line: line_no,
            message: e.to_string(),
        })?;
        collect(value, line_no, &mut entities)?;
    }
    if !saw_content {
        return Err(FormatError::Empty {
            what: "the FollowTheMoney input".into(),
        });
    }
    Ok(build(entities, source))
}

/// Parses FtM JSON lines from bytes.
pub fn parse(input: &[u8]) -> Result<List, FormatError> {
    read(input)
}

/// Reads one entity object (and the entities nested in it) into `out`;
/// returns its id.
fn collect(value: Value, line: u64, out: &mut Vec<RawEntity>) -> Result<String, FormatError> {
    let bad = |message: &str| FormatError::NotFtmEntity {
        line,
        message: message.into(),
    };
    let Value::Object(mut obj) = value else {
        return Err(bad("expected a JSON object"));
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err(bad("no \"id\" string")),
    };
    let schema = match obj.remove("schema") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err(bad("no \"schema\" string")),
    };
    let mut props = BTreeMap::new();
    match obj.remove("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(p)) => {
            for (key, v) in p {
                let items = match v {
                    Value::Array(items) => items,
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                let mut values: Vec<String> = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => push_unique(&mut values, clean(&s)),
                        Value::Number(n) => push_unique(&mut values, n.to_string()),
                        Value::Object(_) => {
                            let nested = collect(item, line, out)?;
                            push_unique(&mut values, nested);
                        }
                        Value::Null => {}
                        _ => {
                            return Err(bad(&format!(
                                "property {key:?} has a value that is not a string"
                            )));
                        }
                    }
                }
                if !values.is_empty() {
                    props.insert(key, values);
                }
            }
        }
        Some(_) => return Err(bad("\"properties\" is not an object")),
    }
    out.push(RawEntity {
        id: id.clone(),
        schema,
        line,
        props,
    });
    Ok(id)
}

fn screenable(schema: &str) -> Option<EntrySchema> {
    Some(match schema {
        "Person" => EntrySchema::Person,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => EntrySchema::Organization,
        "Vessel" => EntrySchema::Vessel,
        "Airplane" => EntrySchema::Aircraft,
        _ => return None,
    })
}

/// Identifier properties read into [`ListEntry::documents`], with the kind
/// they get; passports are recognised by [`IdentityDocument::is_passport`].
const ID_PROPS: &[(&str, &str)] = &[
    ("passportNumber", "Passport"),
    ("idNumber", "Identification Number"),
    ("taxNumber", "Tax Number"),
    ("registrationNumber", "Registration Number"),
    ("innCode", "INN"),
    ("ogrnCode", "OGRN"),
    ("leiCode", "LEI"),
    ("swiftBic", "SWIFT/BIC"),
    ("vatCode", "VAT"),
    ("socialSecurityNumber", "Social Security Number"),
    ("imoNumber", "IMO"),
    ("mmsi", "MMSI"),
    ("serialNumber", "Serial Number"),
    ("icaoCode", "ICAO"),
];

/// Relationship schemata: (schema, from property, to property, relation).
const LINKS: &[(&str, &str, &str, &str)] = &[
    ("Ownership", "owner", "asset", "owner_of"),
    ("Family", "person", "relative", "family"),
    ("Associate", "person", "associate", "associate"),
    ("Membership", "member", "organization", "member_of"),
    ("Directorship", "director", "organization", "director_of"),
    ("UnknownLink", "subject", "object", "linked_to"),
];

/// Parses an FtM date prefix: `YYYY`, `YYYY-MM`, `YYYY-MM-DD[T...]`.
pub fn parse_ftm_date(s: &str) -> Option<DateValue> {
    let s = s.trim();
    if let Some((year, month, day)) = parse_iso_date(s) {
        return Some(DateValue::Exact { year, month, day });
    }
    if s.len() == 7 && s.as_bytes()[4] == b'-' {
        let year = parse_year(&s[..4])?;
        let month: u8 = s[5..].parse().ok()?;
        return valid_ymd(year, month, 1).then_some(DateValue::YearMonth { year, month });
    }
    parse_year(s).map(|year| DateValue::Year { year })
}

fn build(entities: Vec<RawEntity>, source: ListSource) -> List {
    let mut list = List {
        source,
        generated: None,
        entries: Vec::new(),
        skipped: Vec::new(),
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    let by_id: HashMap<&str, &RawEntity> = entities.iter().map(|e| (e.id.as_str(), e)).collect();

    for raw in &entities {
        let Some(schema) = screenable(&raw.schema) else {
            continue;
        };
        if index.contains_key(&raw.id) {
            list.skipped.push(SkippedRecord {
                position: format!("line {}", raw.line),
                reason: format!(
                    "entity id {} appears a second time; the first one is kept",
                    raw.id
                ),
            });
            continue;
        }
        let mut entry = ListEntry::new(raw.id.clone(), schema);
        for n in raw.values("name") {
            entry.push_name(EntryName::new(n.clone(), NameKind::Primary));
        }
        for n in raw.values("alias") {
            entry.push_name(EntryName::new(n.clone(), NameKind::Alias));
        }
        for n in raw.values("weakAlias") {
            entry.push_name(EntryName::new(n.clone(), NameKind::Alias).weak());
        }
        for n in raw.values("previousName") {
            entry.push_name(EntryName::new(n.clone(), NameKind::FormerName));
        }
        if entry.names.is_empty() {
            list.skipped.push(SkippedRecord {
                position: format!("line {} ({} {})", raw.line, raw.schema, raw.id),
                reason:
                    "the entity has no name (name, alias, weakAlias and previousName are all empty)"
                        .into(),
            });
            continue;
        }
        for d in raw.values("birthDate") {
            match parse_ftm_date(d) {
                Some(value) => {
                    if !entry.birth_dates.iter().any(|b| b.value == value) {
                        entry.birth_dates.push(BirthDate {
                            value,
                            original: d.clone(),
                            approximate: false,
                        });
                    }
                }
                None => entry.push_extra("unparsed_birth_date", d.clone()),
            }
        }
        for p in raw.values("birthPlace") {
            push_unique(&mut entry.birth_places, p.clone());
        }
        for prop in ["nationality", "citizenship"] {
            for n in raw.values(prop) {
                push_unique(&mut entry.nationalities, n.clone());
            }
        }
        entry.title = raw.values("title").to_vec();
        entry.designations = raw.values("position").to_vec();
        entry.programs = raw.values("program").to_vec();
        let (written, notes): (Vec<&String>, Vec<&String>) = raw
            .values("notes")
            .iter()
            .partition(|n| NOTE_PREFIXES.iter().any(|p| n.starts_with(p)));
        if !notes.is_empty() {
            entry.comments = Some(
                notes
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        for n in written {
            entry.push_extra("ftm_note", n.clone());
        }
        for (prop, kind) in ID_PROPS {
            for number in raw.values(prop) {
                let doc = IdentityDocument {
                    kind: (*kind).into(),
                    number: number.clone(),
                    country: None,
                    note: None,
                };
                if !entry.documents.contains(&doc) {
                    entry.documents.push(doc);
                }
            }
        }
        for (prop, key) in [
            ("country", "country"),
            ("gender", "gender"),
            ("topics", "topics"),
            ("firstName", "first_name"),
            ("middleName", "middle_name"),
            ("secondName", "second_name"),
            ("fatherName", "father_name"),
            ("lastName", "last_name"),
            ("callSign", "call_sign"),
            ("flag", "vessel_flag"),
            ("tonnage", "tonnage"),
            ("grossRegisteredTonnage", "gross_registered_tonnage"),
            ("website", "website"),
            ("email", "email"),
            ("jurisdiction", "jurisdiction"),
            ("mainCountry", "main_country"),
            ("incorporationDate", "incorporation_date"),
            ("summary", "summary"),
            ("description", "description"),
        ] {
            for v in raw.values(prop) {
                entry.push_extra(key, v.clone());
            }
        }
        entry.last_updated = raw.values("modifiedAt").to_vec();
        for a in raw.values("addressEntity") {
            if let Some(addr) = by_id.get(a.as_str()).filter(|e| e.schema == "Address") {
                push_address(&mut entry, address_of(addr));
            }
        }
        for full in raw.values("address") {
            if !entry.addresses.iter().any(|a| &a.full() == full) {
                push_address(
                    &mut entry,
                    Address {
                        street: Some(full.clone()),
                        ..Address::default()
                    },
                );
            }
        }
        index.insert(raw.id.clone(), list.entries.len());
        list.entries.push(entry);
    }

    // Fold the entities that point at an entry.
    for raw in &entities {
        match raw.schema.as_str() {
            "Sanction" => {
                for owner in raw.values("entity") {
                    let Some(&i) = index.get(owner) else { continue };
                    let entry = &mut list.entries[i];
                    for p in raw.values("program") {
                        push_unique(&mut entry.programs, p.clone());
                    }
                    let date = raw.first("listingDate").or_else(|| raw.first("startDate"));
                    if entry.listed_on.is_none() {
                        entry.listed_on = date;
                    }
                    for a in raw.values("authority") {
                        entry.push_extra("authority", a.clone());
                    }
                    for r in raw.values("reason") {
                        entry.push_extra("sanction_reason", r.clone());
                    }
                    if let Some(id) = raw.first("authorityId")
                        && id != entry.reference
                        && entry.source_id.is_none()
                    {
                        entry.source_id = Some(id);
                    }
                }
            }
            "Identification" | "Passport" => {
                for owner in raw.values("holder") {
                    let Some(&i) = index.get(owner) else { continue };
                    let Some(number) = raw.first("number").or_else(|| raw.first("passportNumber"))
                    else {
                        continue;
                    };
                    let kind = raw.first("type").unwrap_or_else(|| {
                        if raw.schema == "Passport" {
                            "Passport".into()
                        } else {
                            "Identification".into()
                        }
                    });
                    let entry = &mut list.entries[i];
                    // Replace a bare number already read from idNumber/passportNumber.
                    entry.documents.retain(|d| {
                        !(d.number == number && d.country.is_none() && d.note.is_none())
                    });
                    entry.documents.push(IdentityDocument {
                        kind,
                        number,
                        country: raw.first("country"),
                        note: raw.first("summary").or_else(|| raw.first("description")),
                    });
                }
            }
            schema => {
                if let Some((_, from, to, relation)) = LINKS.iter().find(|l| l.0 == schema) {
                    for owner in raw.values(from) {
                        let Some(&i) = index.get(owner) else { continue };
                        for target in raw.values(to) {
                            let target_name =
                                by_id.get(target.as_str()).and_then(|t| t.first("name"));
                            let relation = raw
                                .first("role")
                                .or_else(|| raw.first("relationship"))
                                .unwrap_or_else(|| (*relation).into());
                            list.entries[i].links.push(EntryLink {
                                relation,
                                target_reference: Some(target.clone()),
                                target_name,
                            });
                        }
                    }
                }
            }
        }
    }
    list
}

fn push_address(entry: &mut ListEntry, address: Address) {
    if !address.is_empty() && !entry.addresses.contains(&address) {
        entry.addresses.push(address);
    }
}

fn address_of(e: &RawEntity) -> Address {
    let mut a = Address {
        street: e.first("street"),
        city: e.first("city"),
        region: e.first("region").or_else(|| e.first("state")),
        postal_code: e.first("postalCode"),
        country: e.first("country"),
        note: e.first("remarks"),
    };
    if a.street.is_none() && a.city.is_none() && a.region.is_none() && a.postal_code.is_none() {
        a.street = e.first("full");
    }
    a
}

/// An address on one line as FtM's `address` type keeps it: line breaks,
/// tabs and `;` become `", "`, a comma followed by another comma or a full
/// stop (`"Street 40,, Sector"`) is one comma, runs of spaces are one.
fn address_text(s: &str) -> String {
    let mut lines = String::with_capacity(s.len());
    for c in s.replace("<BR/>", "\n").replace("<BR>", "\n").chars() {
        match c {
            '\r' => {}
            '\n' | '\t' | ';' => lines.push_str(", "),
            c => lines.push(c),
        }
    }
    let chars: Vec<char> = lines.chars().collect();
    let mut out = String::with_capacity(lines.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ',' {
            let next = if chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                i + 2
            } else {
                i + 1
            };
            if matches!(chars.get(next), Some(',' | '.')) {
                out.push_str(", ");
                i = next + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How to write FtM entities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Prepended to every entity id (e.g. `"un-"`), to keep the ids of
    /// several lists apart in one store. Empty by default, so that reading
    /// the output back gives the same references.
    pub id_prefix: String,
}

/// Writes `list` as FtM entities (see the module documentation).
pub fn write_entities(list: &List) -> impl Iterator<Item = Value> + '_ {
    write_entities_with(list, WriteOptions::default())
}

/// [`write_entities`] with options.
pub fn write_entities_with(list: &List, options: WriteOptions) -> impl Iterator<Item = Value> + '_ {
    let schemas: Schemas<'_> = list
        .entries
        .iter()
        .map(|e| (e.reference.as_str(), e.schema))
        .collect();
    list.entries
        .iter()
        .flat_map(move |e| entry_entities(e, list.source, &options.id_prefix, &schemas))
}

/// The authority named on Sanction entities.
fn authority(source: ListSource) -> &'static str {
    match source {
        ListSource::Un => "United Nations Security Council",
        ListSource::Ofac => "Office of Foreign Assets Control (US Treasury)",
        ListSource::FollowTheMoney => "",
        ListSource::Accord => "Accord common list",
    }
}

/// The longest birth-date range (in years) written as one `birthDate` per
/// year. FtM has no date range, but several values of a property mean "any
/// of these", so every year of a short range says exactly what the range
/// says; a longer one would read as a list of guesses and is only a note.
pub const MAX_RANGE_YEARS: i32 = 10;

/// The start of the notes the writer adds for facts FtM has no property
/// for; the reader keeps them out of the entry's comments.
pub const NOTE_PREFIXES: [&str; 2] = ["Date of birth: ", "Country not recognised: "];

/// FtM `birthDate` values of a birth date, and the note that says what
/// they cannot (a range, an approximate date).
fn ftm_dates(d: &BirthDate) -> (Vec<String>, Option<String>) {
    let about = if d.approximate { "about " } else { "" };
    let single = |text: String| {
        let note = d
            .approximate
            .then(|| format!("{}{about}{text}", NOTE_PREFIXES[0]));
        (vec![text], note)
    };
    match d.value {
        DateValue::Exact { year, month, day } => single(format!("{year:04}-{month:02}-{day:02}")),
        DateValue::YearMonth { year, month } => single(format!("{year:04}-{month:02}")),
        DateValue::Year { year } => single(format!("{year:04}")),
        DateValue::Range { from, to } => {
            let (from, to) = (from.min(to), from.max(to));
            let years = if to - from < MAX_RANGE_YEARS {
                (from..=to).map(|y| format!("{y:04}")).collect()
            } else {
                Vec::new()
            };
            let note = format!("{}{about}between {from:04} and {to:04}", NOTE_PREFIXES[0]);
            (years, Some(note))
        }
    }
}

/// Properties of FtM's `country` type among those the writer sets.
const COUNTRY_PROPS: [&str; 3] = ["nationality", "country", "flag"];
/// Properties of FtM's `name` type.
const NAME_PROPS: [&str; 4] = ["name", "alias", "weakAlias", "previousName"];
/// Properties of FtM's `date` type among those the writer sets.
const DATE_PROPS: [&str; 3] = ["birthDate", "listingDate", "modifiedAt"];

/// A value in the canonical form of its FtM type, so that a consumer that
/// loads the export without cleaning stores what FtM would: names without
/// the quotes lists put around them (UN aliases such as `"The Base"`), dates
/// without the time-zone offset an XML date may carry (`2015-04-07-04:00`:
/// FtM dates are days, not instants). `None` for a value that cleans to
/// nothing.
fn canonical(key: &str, value: String) -> Option<String> {
    if NAME_PROPS.contains(&key) {
        let v = value.trim();
        let unquoted = ['"', '\''].iter().find_map(|q| {
            v.strip_prefix(*q)
                .and_then(|rest| rest.strip_suffix(*q))
                .map(str::trim)
        });
        let v = unquoted.unwrap_or(v);
        return (!v.is_empty()).then(|| v.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if key == "address" {
        let v = address_text(&value);
        return (!v.is_empty()).then_some(v);
    }
    if DATE_PROPS.contains(&key)
        && value.len() > 10
        && value.as_bytes()[10] != b'T'
        && let Some(day) = value.get(..10).filter(|d| parse_iso_date(d).is_some())
    {
        return Some(day.to_string());
    }
    Some(value)
}

/// The properties of one entity, and the notes for what has no property.
struct Props(Map<String, Value>, Vec<String>);

impl Props {
    fn new() -> Self {
        Props(Map::new(), Vec::new())
    }

    /// Adds a value once. A country-typed property gets the FtM code; a
    /// country without one becomes a note, never an invalid value.
    fn add(&mut self, key: &str, value: impl Into<String>) {
        let Some(mut value) = canonical(key, value.into()) else {
            return;
        };
        if value.is_empty() {
            return;
        }
        if COUNTRY_PROPS.contains(&key) {
            match crate::country::code(&value) {
                Some(code) => value = code.to_string(),
                None => {
                    let note = format!("{}{key} {value:?}", NOTE_PREFIXES[1]);
                    if !self.1.contains(&note) {
                        self.1.push(note);
                    }
                    return;
                }
            }
        }
        let slot = self
            .0
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = slot
            && !items.iter().any(|v| v.as_str() == Some(&value))
        {
            items.push(Value::String(value));
        }
    }
    fn add_all<'a>(&mut self, key: &str, values: impl IntoIterator<Item = &'a String>) {
        for v in values {
            self.add(key, v.clone());
        }
    }

    /// The properties, the notes added as `notes`.
    fn into_value(mut self) -> Value {
        for note in std::mem::take(&mut self.1) {
            self.add("notes", note);
        }
        Value::Object(self.0)
    }
}

/// Schemas of the entries by reference, to choose the schema of a link.
type Schemas<'a> = HashMap<&'a str, EntrySchema>;

fn entry_entities(
    entry: &ListEntry,
    source: ListSource,
    prefix: &str,
    schemas: &Schemas<'_>,
) -> Vec<Value> {
    let id = format!("{prefix}{}", entry.reference);
    let schema = match entry.schema {
        EntrySchema::Person => "Person",
        EntrySchema::Organization => "Organization",
        EntrySchema::Vessel => "Vessel",
        EntrySchema::Aircraft => "Airplane",
    };
    let legal = matches!(
        entry.schema,
        EntrySchema::Person | EntrySchema::Organization
    );
    let mut p = Props::new();
    for n in &entry.names {
        let key = match (n.kind, n.quality) {
            (_, NameQuality::Weak) => "weakAlias",
            (NameKind::Primary, _) => "name",
            (NameKind::Alias | NameKind::OriginalScript, _) => "alias",
            (NameKind::FormerName, _) => "previousName",
        };
        p.add(key, n.text.clone());
    }
    if entry.schema == EntrySchema::Person {
        for d in &entry.birth_dates {
            let (dates, note) = ftm_dates(d);
            for text in dates {
                p.add("birthDate", text);
            }
            if let Some(note) = note {
                p.1.push(note);
            }
        }
        p.add_all("birthPlace", &entry.birth_places);
        p.add_all("nationality", &entry.nationalities);
        p.add_all("title", &entry.title);
        p.add_all("position", &entry.designations);
        if let Some(g) = entry.extra.get("gender") {
            for g in g {
                p.add("gender", g.to_lowercase());
            }
        }
    } else {
        p.add_all("country", &entry.nationalities);
        if let Some(c) = entry.extra.get("country") {
            p.add_all("country", c);
        }
    }
    if entry.schema == EntrySchema::Vessel {
        for (key, prop) in [
            ("call_sign", "callSign"),
            ("vessel_flag", "flag"),
            ("tonnage", "tonnage"),
            ("gross_registered_tonnage", "grossRegisteredTonnage"),
        ] {
            if let Some(v) = entry.extra.get(key) {
                p.add_all(prop, v);
            }
        }
    }
    for a in &entry.addresses {
        p.add("address", a.full());
        if !legal && let Some(c) = &a.country {
            p.add("country", c.clone());
        }
    }
    for d in &entry.documents {
        let key = match entry.schema {
            EntrySchema::Person if d.is_passport() => Some("passportNumber"),
            EntrySchema::Person | EntrySchema::Organization => Some("idNumber"),
            EntrySchema::Vessel if d.kind.contains("IMO") || d.number.starts_with("IMO") => {
                Some("imoNumber")
            }
            EntrySchema::Vessel if d.kind.contains("MMSI") => Some("mmsi"),
            EntrySchema::Aircraft if d.kind.contains("Serial") => Some("serialNumber"),
            EntrySchema::Vessel | EntrySchema::Aircraft => Some("registrationNumber"),
        };
        if let Some(key) = key {
            p.add(key, d.number.clone());
        }
    }
    if let Some(c) = &entry.comments {
        p.add("notes", c.clone());
    }
    // Notes read from an FtM export are written again, so that the range
    // or approximation they tell of survives a second export.
    for note in entry.extra.get("ftm_note").into_iter().flatten() {
        if !p.1.contains(note) {
            p.1.push(note.clone());
        }
    }
    p.add("topics", "sanction");
    if let Some(m) = entry.last_updated.iter().max() {
        p.add("modifiedAt", m.clone());
    }

    let mut out = vec![json!({"id": id, "schema": schema, "properties": p.into_value()})];

    let mut s = Props::new();
    s.add("entity", id.clone());
    match entry.extra.get("authority") {
        Some(authorities) => s.add_all("authority", authorities),
        None => s.add("authority", authority(source)),
    }
    s.add_all("program", &entry.programs);
    if let Some(d) = &entry.listed_on {
        s.add("listingDate", d.clone());
    }
    s.add(
        "authorityId",
        entry
            .source_id
            .clone()
            .unwrap_or_else(|| entry.reference.clone()),
    );
    if source == ListSource::Un {
        s.add("unscId", entry.reference.clone());
    }
    out.push(
        json!({"id": format!("{id}-sanction"), "schema": "Sanction", "properties": s.into_value()}),
    );

    for (i, link) in entry.links.iter().enumerate() {
        let Some(target) = &link.target_reference else {
            continue;
        };
        let object = format!("{prefix}{target}");
        let mut l = Props::new();
        let target_schema = schemas.get(target.as_str()).copied();
        // Membership's `organization` must be an Organization; a membership
        // of anything else stays an UnknownLink with its relation as role.
        let link_schema = if link.relation == "member_of"
            && target_schema == Some(EntrySchema::Organization)
            && legal
        {
            l.add("member", id.clone());
            l.add("organization", object);
            "Membership"
        } else {
            l.add("subject", id.clone());
            l.add("object", object);
            l.add("role", link.relation.clone());
            "UnknownLink"
        };
        out.push(json!({"id": format!("{id}-link-{i}"), "schema": link_schema, "properties": l.into_value()}));
    }
    out
}
