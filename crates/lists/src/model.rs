//! The one rich model every list format is read into.
//!
//! Every type is `Serialize + Deserialize + Debug + Clone + PartialEq`, so a
//! [`List`] can be stored as JSON, compared between imports ([`crate::diff`])
//! and written back out as FollowTheMoney ([`crate::ftm::write_entities`]).
//!
//! Field conventions: text is trimmed and never empty (absent values are
//! `None` or an empty `Vec`); dates that are known to the day are ISO
//! `YYYY-MM-DD` strings; countries are kept as the source wrote them
//! (UN: "Democratic Republic of the Congo", OFAC: "Iran", FtM: ISO codes such
//! as "ir") — no country normalisation happens in this crate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a [`List`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListSource {
    /// UN Security Council Consolidated List (XML).
    Un,
    /// US Treasury OFAC SDN / consolidated non-SDN list (legacy CSV).
    Ofac,
    /// FollowTheMoney entities (JSON lines) from a third party.
    FollowTheMoney,
    /// Accord's own common list (exported as FollowTheMoney JSON lines).
    Accord,
}

/// A whole list as read from one file (or OFAC directory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List {
    pub source: ListSource,
    /// When the publisher generated the list, as given (UN `dateGenerated`).
    pub generated: Option<String>,
    pub entries: Vec<ListEntry>,
    /// Well-formed records that could not be turned into an entry (for
    /// example a record without any name). Reported, never silently dropped.
    pub skipped: Vec<SkippedRecord>,
}

/// A record that was well-formed but unusable, with where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRecord {
    /// Human readable position: `"line 17"` or
    /// `"INDIVIDUAL #12 (DATAID 6908555) at line 40, column 5 (byte 4242)"`.
    pub position: String,
    pub reason: String,
}

/// What kind of subject an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EntrySchema {
    Person,
    Organization,
    Vessel,
    Aircraft,
}

/// The role of a name of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NameKind {
    /// The name the list is keyed by (UN FIRST..FOURTH_NAME, OFAC SDN_Name).
    Primary,
    /// Also known as.
    Alias,
    /// Formerly known as (UN `f.k.a.`, OFAC `fka`).
    FormerName,
    /// The name in its original script (UN NAME_ORIGINAL_SCRIPT).
    OriginalScript,
}

/// How reliable a name is for screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NameQuality {
    Strong,
    /// UN "Low" quality aliases, OFAC weak (quoted) a.k.a. — too short or
    /// too common to produce a hit on their own.
    Weak,
}

/// One name of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryName {
    pub text: String,
    pub kind: NameKind,
    pub quality: NameQuality,
    /// ISO 15924 code of the dominant script ("Latn", "Arab", "Cyrl", ...),
    /// from a simple character range check ([`crate::text::detect_script`]).
    pub script: Option<String>,
    /// Language of the name when the source says so (rarely).
    pub language: Option<String>,
}

impl EntryName {
    /// A strong name of the given kind, with its script detected.
    pub fn new(text: impl Into<String>, kind: NameKind) -> Self {
        let text = text.into();
        let script = crate::text::detect_script(&text).map(str::to_string);
        EntryName {
            text,
            kind,
            quality: NameQuality::Strong,
            script,
            language: None,
        }
    }

    /// The same name marked weak.
    pub fn weak(mut self) -> Self {
        self.quality = NameQuality::Weak;
        self
    }
}

/// The parts of a person's name as the UN list gives them (FIRST_NAME ..
/// FOURTH_NAME). The order is the UN's, which is not always given/family.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameParts {
    pub first: Option<String>,
    pub second: Option<String>,
    pub third: Option<String>,
    pub fourth: Option<String>,
}

/// What is known of a birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateValue {
    Exact {
        year: i32,
        month: u8,
        day: u8,
    },
    YearMonth {
        year: i32,
        month: u8,
    },
    Year {
        year: i32,
    },
    /// Between two years, both included.
    Range {
        from: i32,
        to: i32,
    },
}

/// A birth date with the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate {
    pub value: DateValue,
    /// The source's own text, e.g. `"circa 1970"`, `"1965-01-01"`,
    /// `"BETWEEN 1962 and 1963"`.
    pub original: String,
    /// The source marks the date as approximate (UN APPROXIMATELY, OFAC circa).
    pub approximate: bool,
}

/// A passport, national identity card or other identifying number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityDocument {
    /// The kind as the source names it ("Passport", "National
    /// Identification Number", "Tax ID No.", ...).
    pub kind: String,
    pub number: String,
    /// Issuing country as the source names it.
    pub country: Option<String>,
    pub note: Option<String>,
}

impl IdentityDocument {
    /// Whether the document is a passport (in any of the spellings seen).
    pub fn is_passport(&self) -> bool {
        let k = self.kind.to_lowercase();
        k.contains("passport") || k.contains("passeport") || k.contains("pasaporte")
    }
}

/// A postal address (any part may be missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub note: Option<String>,
}

impl Address {
    /// Whether nothing at all is known of the address.
    pub fn is_empty(&self) -> bool {
        self.street.is_none()
            && self.city.is_none()
            && self.region.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
            && self.note.is_none()
    }

    /// One-line rendering: "street, city, region, postal code, country".
    pub fn full(&self) -> String {
        [
            &self.street,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// A relation to another subject ("Linked To:" in OFAC remarks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryLink {
    /// e.g. "linked_to", "owned_by".
    pub relation: String,
    /// Reference of the other entry in the same list, when it could be resolved.
    pub target_reference: Option<String>,
    /// Name of the other subject as the source gave it.
    pub target_name: Option<String>,
}

/// One listed subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The publisher's stable key: UN REFERENCE_NUMBER ("QDi.123"), OFAC
    /// ent_num, FtM entity id.
    pub reference: String,
    /// Secondary publisher id (UN DATAID).
    pub source_id: Option<String>,
    pub schema: EntrySchema,
    /// All names, the primary one(s) first.
    pub names: Vec<EntryName>,
    pub name_parts: Option<NameParts>,
    pub title: Vec<String>,
    pub designations: Vec<String>,
    pub birth_dates: Vec<BirthDate>,
    pub birth_places: Vec<String>,
    pub nationalities: Vec<String>,
    pub documents: Vec<IdentityDocument>,
    pub addresses: Vec<Address>,
    /// UN_LIST_TYPE ("Al-Qaida"), OFAC programs ("SDGT"), FtM Sanction programs.
    pub programs: Vec<String>,
    /// Listing date, `YYYY-MM-DD`.
    pub listed_on: Option<String>,
    /// UN LAST_DAY_UPDATED values, `YYYY-MM-DD`.
    pub last_updated: Vec<String>,
    /// Narrative (UN COMMENTS1, OFAC remarks, FtM notes).
    pub comments: Option<String>,
    pub links: Vec<EntryLink>,
    /// Facts that have no field of their own, by name: "gender", "call_sign",
    /// "vessel_flag", "country" (FtM), "unparsed_birth_date", ...
    /// Kept so that little is lost; not used for screening.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

impl ListEntry {
    /// An entry with only a reference and a schema.
    pub fn new(reference: impl Into<String>, schema: EntrySchema) -> Self {
        ListEntry {
            reference: reference.into(),
            source_id: None,
            schema,
            names: Vec::new(),
            name_parts: None,
            title: Vec::new(),
            designations: Vec::new(),
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            documents: Vec::new(),
            addresses: Vec::new(),
            programs: Vec::new(),
            listed_on: None,
            last_updated: Vec::new(),
            comments: None,
            links: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// The first primary name (or the first name of any kind).
    pub fn primary_name(&self) -> Option<&str> {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map(|n| n.text.as_str())
    }

    /// Adds a name unless the same text with the same kind is already there.
    pub fn push_name(&mut self, name: EntryName) {
        if name.text.is_empty() {
            return;
        }
        if !self
            .names
            .iter()
            .any(|n| n.text == name.text && n.kind == name.kind)
        {
            self.names.push(name);
        }
    }

    /// Adds a value to [`ListEntry::extra`].
    pub fn push_extra(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if value.is_empty() {
            return;
        }
        let values = self.extra.entry(key.to_string()).or_default();
        if !values.contains(&value) {
            values.push(value);
        }
    }
}

/// Pushes `value` onto `vec` unless empty or already present.
pub(crate) fn push_unique(vec: &mut Vec<String>, value: impl Into<String>) {
    let value = value.into();
    if !value.is_empty() && !vec.contains(&value) {
        vec.push(value);
    }
}
