//! Conversion of list entries to the screening engine's records
//! (`accord-match`). Behind the `screening` cargo feature until the
//! matching crate exports its record types.

use accord_match::{DateSpec, NameKind as MatchNameKind, Record, RecordName, Schema};

use crate::model::{DateValue, EntrySchema, ListEntry, NameKind, NameQuality, push_unique};

impl ListEntry {
    /// The record the screening engine indexes for this entry.
    ///
    /// - names: primary → Primary, aliases and former names → Alias,
    ///   original script → OriginalScript; weak names stay weak;
    /// - birth dates keep their precision (day, month, year, year range);
    /// - countries: nationalities, then address countries, then (for
    ///   organisations, vessels and aircraft) the countries FtM mentions
    ///   (`country`, `jurisdiction`, `main_country`) and the vessel flag.
    pub fn to_match_record(&self, dataset: &str) -> Record {
        let schema = match self.schema {
            EntrySchema::Person => Schema::Person,
            EntrySchema::Organization => Schema::Organization,
            EntrySchema::Vessel => Schema::Vessel,
            EntrySchema::Aircraft => Schema::Aircraft,
        };
        let names = self
            .names
            .iter()
            .map(|n| RecordName {
                text: n.text.clone(),
                kind: match n.kind {
                    NameKind::Primary => MatchNameKind::Primary,
                    NameKind::Alias | NameKind::FormerName => MatchNameKind::Alias,
                    NameKind::OriginalScript => MatchNameKind::OriginalScript,
                },
                weak: n.quality == NameQuality::Weak,
            })
            .collect();
        let birth_dates = self
            .birth_dates
            .iter()
            .map(|d| match d.value {
                DateValue::Exact { year, month, day } => DateSpec::Day { year, month, day },
                DateValue::YearMonth { year, month } => DateSpec::Month { year, month },
                DateValue::Year { year } => DateSpec::Year(year),
                DateValue::Range { from, to } => DateSpec::YearRange(from, to),
            })
            .collect();
        let mut countries = Vec::new();
        for n in &self.nationalities {
            push_unique(&mut countries, n.clone());
        }
        for a in &self.addresses {
            if let Some(c) = &a.country {
                push_unique(&mut countries, c.clone());
            }
        }
        if self.schema != EntrySchema::Person {
            for key in ["country", "jurisdiction", "main_country", "vessel_flag"] {
                for c in self.extra.get(key).into_iter().flatten() {
                    push_unique(&mut countries, c.clone());
                }
            }
        }
        Record {
            id: self.reference.clone(),
            dataset: dataset.to_string(),
            schema,
            names,
            birth_dates,
            countries,
        }
    }
}
