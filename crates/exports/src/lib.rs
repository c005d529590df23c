//! Export writers for one published version of an Accord list.
//!
//! Every writer is a pure function from an [`ExportVersion`] to an
//! [`std::io::Write`]: no file system, no network, no clock. The same input
//! always gives the same bytes, so [`content_hash`] of the output is a
//! stable strong ETag.
//!
//! | module | format |
//! | --- | --- |
//! | [`csv`] | one RFC 4180 row per entry, version and date as columns |
//! | [`ftm`] | FollowTheMoney entities (JSON lines), through [`accord_lists::ftm::write_entities`] |
//! | [`un_xml`] | the structure of the UN Security Council Consolidated List |
//! | [`stix`] | a STIX 2.1 bundle with TLP 2.0 markings |
//!
//! Before writing, every writer checks the version ([`ExportVersion::check`]):
//! a valid date, unique references, only CLEAR or GREEN entries (an export is
//! a publication: AMBER and RED material is refused, never silently
//! written), and summaries / TLP markings only for entries of the version.

use std::collections::{BTreeMap, BTreeSet};

pub use accord_core::tlp::Tlp;
use accord_lists::model::ListEntry;
use sha2::{Digest, Sha256};

pub mod csv;
pub mod ftm;
pub mod stix;
pub mod un_xml;

mod date;
mod names;

pub use date::VersionDate;

/// One version of a list, as it is published.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportVersion<'a> {
    /// Name of the list, e.g. "Accord common list". Part of the STIX ids, so
    /// keep it stable across versions.
    pub list_name: &'a str,
    /// Version number (1, 2, ...).
    pub version: u64,
    /// Version date: `YYYY-MM-DD` or an RFC 3339 timestamp.
    pub date: &'a str,
    /// Who publishes the list (FtM `authority`, STIX `created_by_ref`).
    pub publisher: &'a str,
    pub entries: &'a [ListEntry],
    /// Published narrative summary of the reasons for listing, by reference.
    pub summaries: BTreeMap<String, String>,
    /// TLP marking by reference; an entry without one is CLEAR.
    pub tlp: BTreeMap<String, Tlp>,
    /// What the list's listing criteria say its persons and organizations
    /// are, as STIX `threat_actor_types` (`threat-actor-type-ov`): for a
    /// list of violent extremist subjects, `terrorist`. Empty: not known.
    pub threat_actor_types: Vec<String>,
    /// The version before this one, if any: the STIX bundle revokes what it
    /// held and this one does not (the other formats are whole snapshots).
    pub previous: Option<PreviousVersion<'a>>,
}

/// The version a [`ExportVersion`] follows.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousVersion<'a> {
    /// Its date, as [`ExportVersion::date`].
    pub date: &'a str,
    pub entries: &'a [ListEntry],
}

impl<'a> ExportVersion<'a> {
    /// A version without summaries, every entry CLEAR.
    pub fn new(
        list_name: &'a str,
        version: u64,
        date: &'a str,
        publisher: &'a str,
        entries: &'a [ListEntry],
    ) -> Self {
        ExportVersion {
            list_name,
            version,
            date,
            publisher,
            entries,
            summaries: BTreeMap::new(),
            tlp: BTreeMap::new(),
            threat_actor_types: Vec::new(),
            previous: None,
        }
    }

    /// Says which version this one follows (see [`ExportVersion::previous`]).
    pub fn with_previous(mut self, date: &'a str, entries: &'a [ListEntry]) -> Self {
        self.previous = Some(PreviousVersion { date, entries });
        self
    }

    /// Says what the list's criteria make its subjects (see
    /// [`ExportVersion::threat_actor_types`]).
    pub fn with_threat_actor_types(mut self, types: &[&str]) -> Self {
        self.threat_actor_types = types.iter().map(|t| t.to_string()).collect();
        self
    }

    /// Sets the published narrative summary of an entry.
    pub fn with_summary(
        mut self,
        reference: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        self.summaries.insert(reference.into(), summary.into());
        self
    }

    /// Sets the TLP marking of an entry.
    pub fn with_tlp(mut self, reference: impl Into<String>, tlp: Tlp) -> Self {
        self.tlp.insert(reference.into(), tlp);
        self
    }

    /// The published summary of an entry (trimmed; `None` when empty).
    pub fn summary(&self, reference: &str) -> Option<&str> {
        self.summaries
            .get(reference)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The TLP marking of an entry (CLEAR unless set).
    pub fn tlp_of(&self, reference: &str) -> Tlp {
        self.tlp.get(reference).copied().unwrap_or(Tlp::Clear)
    }

    /// Checks the version can be published and parses its date. Every
    /// writer calls this first, so nothing is written for a bad version.
    pub fn check(&self) -> Result<VersionDate, ExportError> {
        let date = VersionDate::parse(self.date)?;
        let mut seen = BTreeSet::new();
        for e in self.entries {
            if !seen.insert(e.reference.as_str()) {
                return Err(ExportError::DuplicateReference(e.reference.clone()));
            }
            if e.primary_name().is_none() {
                return Err(ExportError::NoName(e.reference.clone()));
            }
            let tlp = self.tlp_of(&e.reference);
            if !matches!(tlp, Tlp::Clear | Tlp::Green) {
                return Err(ExportError::NotPublishable {
                    reference: e.reference.clone(),
                    tlp,
                });
            }
        }
        for (what, reference) in self
            .summaries
            .keys()
            .map(|r| ("summary", r))
            .chain(self.tlp.keys().map(|r| ("TLP marking", r)))
        {
            if !seen.contains(reference.as_str()) {
                return Err(ExportError::UnknownReference {
                    what,
                    reference: reference.clone(),
                });
            }
        }
        Ok(date)
    }
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("invalid version date {0:?}: expected YYYY-MM-DD or an RFC 3339 timestamp")]
    InvalidDate(String),
    #[error("reference {0:?} appears more than once in the version")]
    DuplicateReference(String),
    #[error("entry {0:?} has no name")]
    NoName(String),
    #[error("entry {reference:?} is marked TLP:{tlp}; only CLEAR and GREEN entries are published")]
    NotPublishable { reference: String, tlp: Tlp },
    #[error("{what} given for {reference:?}, which is not an entry of this version")]
    UnknownReference {
        what: &'static str,
        reference: String,
    },
    #[error("two entries get the same UN DATAID {dataid} ({first:?} and {second:?})")]
    DataIdCollision {
        dataid: u64,
        first: String,
        second: String,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] ::csv::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// A strong HTTP ETag for exported bytes: the SHA-256 of the content,
/// quoted as the `ETag` header wants it, e.g. `"sha256-9f86d0…"`.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("\"sha256-{}\"", hex::encode(Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_lists::model::{EntryName, EntrySchema, NameKind};

    fn entry(reference: &str) -> ListEntry {
        let mut e = ListEntry::new(reference, EntrySchema::Organization);
        e.push_name(EntryName::new("Some Group", NameKind::Primary));
        e
    }

    #[test]
    fn content_hash_is_a_quoted_strong_etag_of_the_sha256() {
        assert_eq!(
            content_hash(b"abc"),
            "\"sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""
        );
        assert_ne!(content_hash(b"abc"), content_hash(b"abd"));
        assert!(!content_hash(b"").starts_with("W/"));
    }

    #[test]
    fn entries_are_clear_unless_marked() {
        let entries = [entry("A.1"), entry("A.2")];
        let v = ExportVersion::new("L", 1, "2026-01-02", "P", &entries).with_tlp("A.2", Tlp::Green);
        assert_eq!(v.tlp_of("A.1"), Tlp::Clear);
        assert_eq!(v.tlp_of("A.2"), Tlp::Green);
        assert!(v.check().is_ok());
    }

    #[test]
    fn amber_and_red_entries_are_refused() {
        let entries = [entry("A.1")];
        for tlp in [Tlp::Amber, Tlp::AmberStrict, Tlp::Red] {
            let v = ExportVersion::new("L", 1, "2026-01-02", "P", &entries).with_tlp("A.1", tlp);
            assert!(matches!(v.check(), Err(ExportError::NotPublishable { .. })));
        }
    }

    #[test]
    fn duplicate_references_unknown_summaries_and_bad_dates_are_refused() {
        let entries = [entry("A.1"), entry("A.1")];
        let v = ExportVersion::new("L", 1, "2026-01-02", "P", &entries);
        assert!(matches!(v.check(), Err(ExportError::DuplicateReference(_))));

        let entries = [entry("A.1")];
        let v = ExportVersion::new("L", 1, "2026-01-02", "P", &entries).with_summary("B.9", "x");
        assert!(matches!(
            v.check(),
            Err(ExportError::UnknownReference { .. })
        ));

        let v = ExportVersion::new("L", 1, "02/01/2026", "P", &entries);
        assert!(matches!(v.check(), Err(ExportError::InvalidDate(_))));
    }

    #[test]
    fn an_entry_without_a_name_is_refused() {
        let entries = [ListEntry::new("A.1", EntrySchema::Person)];
        let v = ExportVersion::new("L", 1, "2026-01-02", "P", &entries);
        assert!(matches!(v.check(), Err(ExportError::NoName(_))));
    }

    #[test]
    fn blank_summaries_count_as_none() {
        let entries = [entry("A.1")];
        let v = ExportVersion::new("L", 1, "2026-01-02", "P", &entries).with_summary("A.1", "  ");
        assert_eq!(v.summary("A.1"), None);
    }
}
