//! The shared, immutable screening state: an engine index over named lists
//! plus what is needed to show each result.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use accord_lists::{
    DateValue, EntryName, EntrySchema, IdentityDocument, List, ListEntry, ListSource, NameKind,
};
use accord_match::{Candidate, Index, Query, QueryError, Record, ScreenOptions};
use serde::Serialize;

/// A dataset name the screener does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dataset {name:?} (available: {})", available.join(", "))]
pub struct UnknownDataset {
    pub name: String,
    pub available: Vec<String>,
}

/// One list the screener was built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetInfo {
    /// The name results carry ("un", "ofac", "common", ...).
    pub name: String,
    pub source: ListSource,
    /// When the publisher generated the list, as given.
    pub generated: Option<String>,
    pub entries: usize,
    /// Records the reader could not use (kept in the list, counted here).
    pub skipped: usize,
}

/// What is kept of a list entry to show a result: enough for a result page,
/// a CSV row and a yente entity, not the whole record (a million-entry list
/// must stay small).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenerEntry {
    /// Index into [`Screener::datasets`].
    pub dataset: u32,
    /// The list's own reference (UN "QDi.123", OFAC ent_num, common list id).
    pub reference: String,
    pub schema: EntrySchema,
    /// All names, primary first as the list gives them.
    pub names: Vec<EntryName>,
    /// Birth dates as FtM writes them ("1965-01-31", "1965-01", "1965");
    /// a range gives its two end years.
    pub birth_dates: Vec<String>,
    pub nationalities: Vec<String>,
    pub programs: Vec<String>,
    pub listed_on: Option<String>,
    /// The latest "last updated" date the list gives.
    pub last_updated: Option<String>,
}

impl ScreenerEntry {
    fn from_entry(dataset: u32, e: ListEntry) -> Self {
        let mut birth_dates = Vec::new();
        for d in &e.birth_dates {
            match d.value {
                DateValue::Exact { year, month, day } => {
                    birth_dates.push(format!("{year:04}-{month:02}-{day:02}"))
                }
                DateValue::YearMonth { year, month } => {
                    birth_dates.push(format!("{year:04}-{month:02}"))
                }
                DateValue::Year { year } => birth_dates.push(format!("{year:04}")),
                DateValue::Range { from, to } => {
                    birth_dates.push(format!("{from:04}"));
                    birth_dates.push(format!("{to:04}"));
                }
            }
        }
        birth_dates.dedup();
        let last_updated = e.last_updated.iter().max().cloned();
        ScreenerEntry {
            dataset,
            reference: e.reference,
            schema: e.schema,
            names: e.names,
            birth_dates,
            nationalities: e.nationalities,
            programs: e.programs,
            listed_on: e.listed_on,
            last_updated,
        }
    }

    /// The primary name (or the first name of any kind).
    pub fn caption(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map(|n| n.text.as_str())
            .unwrap_or(&self.reference)
    }
}

/// An engine index over one or more named lists, with the entries for
/// display. Build once, share as `Arc<Screener>`; to take a new list version
/// build a new one and swap the `Arc`.
pub struct Screener {
    index: Index,
    entries: Vec<ScreenerEntry>,
    datasets: Vec<DatasetInfo>,
    /// Listed identity documents by [`normalize_document`] number: an exact
    /// document number is a signal of its own, whatever the names say.
    documents: HashMap<String, Vec<ListedDocument>>,
    build_time: Duration,
}

/// A listed entry that may name the same subject as a proposed one
/// ([`Screener::possible_duplicates`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PossibleDuplicate {
    /// The list it is on ("common", "un", ...).
    pub dataset: String,
    /// Its reference on that list (ACL-0001, QDi.123).
    pub reference: String,
    /// Its primary name.
    pub caption: String,
    pub schema: EntrySchema,
    /// The proposed name that found it.
    pub proposed_name: String,
    /// Its name that matched.
    pub matched_name: String,
    pub score: f64,
    /// Found through a weak alias only.
    pub low_confidence: bool,
    /// The document number both carry, when that is what found it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// An identity document a list entry carries, found by its number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedDocument {
    /// Index into [`Screener::entries`] (and the engine's records).
    pub entry: usize,
    pub document: IdentityDocument,
}

/// Shortest normalized number compared: shorter ones ("99", "A1") are not
/// identifying on their own.
pub const MIN_DOCUMENT_CHARS: usize = 5;

/// A document number as compared: letters and digits only, upper case
/// ("N 000-0001" and "n0000001" are the same number). `None` when what is
/// left is too short or has no digit to identify anyone.
pub fn normalize_document(number: &str) -> Option<String> {
    let n: String = number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    (n.chars().count() >= MIN_DOCUMENT_CHARS && n.chars().any(|c| c.is_ascii_digit())).then_some(n)
}

/// The keys a listed number is found under: the whole number normalized,
/// and each word of it that is a number on its own, because lists write
/// numbers in sentences (the UN: "Russian foreign travel passport number
/// 515458008").
pub fn document_keys(number: &str) -> Vec<String> {
    let mut keys: Vec<String> = normalize_document(number).into_iter().collect();
    if number.contains(char::is_whitespace) {
        for word in number.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
            if let Some(k) = normalize_document(word)
                && !keys.contains(&k)
            {
                keys.push(k);
            }
        }
    }
    keys
}

impl std::fmt::Debug for Screener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screener")
            .field("datasets", &self.datasets)
            .field("entries", &self.entries.len())
            .field("build_time", &self.build_time)
            .finish_non_exhaustive()
    }
}

impl Screener {
    /// Builds the index over `lists`, each under its dataset name. Lists
    /// given twice under the same name are merged into one dataset.
    pub fn from_lists(lists: Vec<(String, List)>) -> Screener {
        let start = Instant::now();
        let mut datasets: Vec<DatasetInfo> = Vec::new();
        let total: usize = lists.iter().map(|(_, l)| l.entries.len()).sum();
        let mut records: Vec<Record> = Vec::with_capacity(total);
        let mut entries: Vec<ScreenerEntry> = Vec::with_capacity(total);
        let mut documents: HashMap<String, Vec<ListedDocument>> = HashMap::new();
        for (name, list) in lists {
            let ds = match datasets.iter().position(|d| d.name == name) {
                Some(i) => {
                    datasets[i].entries += list.entries.len();
                    datasets[i].skipped += list.skipped.len();
                    i
                }
                None => {
                    datasets.push(DatasetInfo {
                        name: name.clone(),
                        source: list.source,
                        generated: list.generated.clone(),
                        entries: list.entries.len(),
                        skipped: list.skipped.len(),
                    });
                    datasets.len() - 1
                }
            };
            for mut e in list.entries {
                for document in std::mem::take(&mut e.documents) {
                    for key in document_keys(&document.number) {
                        documents.entry(key).or_default().push(ListedDocument {
                            entry: entries.len(),
                            document: document.clone(),
                        });
                    }
                }
                records.push(e.to_match_record(&name));
                entries.push(ScreenerEntry::from_entry(ds as u32, e));
            }
        }
        let index = Index::build(records);
        Screener {
            index,
            entries,
            datasets,
            documents,
            build_time: start.elapsed(),
        }
    }

    /// The engine index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The lists, in the order given.
    pub fn datasets(&self) -> &[DatasetInfo] {
        &self.datasets
    }

    pub fn has_dataset(&self, name: &str) -> bool {
        self.datasets.iter().any(|d| d.name == name)
    }

    /// Checks that every name is a dataset of this screener.
    pub fn check_datasets(&self, names: &[String]) -> Result<(), UnknownDataset> {
        match names.iter().find(|n| !self.has_dataset(n)) {
            None => Ok(()),
            Some(n) => Err(UnknownDataset {
                name: n.clone(),
                available: self.datasets.iter().map(|d| d.name.clone()).collect(),
            }),
        }
    }

    /// Number of entries over all lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Time taken by [`Screener::from_lists`] (conversion + index build).
    pub fn build_time(&self) -> Duration {
        self.build_time
    }

    /// The engine's own estimate of the index size.
    pub fn memory_bytes(&self) -> usize {
        self.index.memory_bytes()
    }

    /// All entries, in index order.
    pub fn entries(&self) -> &[ScreenerEntry] {
        &self.entries
    }

    /// The dataset name of an entry.
    pub fn dataset_name(&self, entry: &ScreenerEntry) -> &str {
        &self.datasets[entry.dataset as usize].name
    }

    /// The entry a candidate refers to.
    pub fn entry(&self, candidate: &Candidate) -> Option<&ScreenerEntry> {
        let same = |e: &ScreenerEntry| {
            e.reference == candidate.id && self.dataset_name(e) == candidate.dataset
        };
        match self.entries.get(candidate.record) {
            Some(e) if same(e) => Some(e),
            // The engine promises record positions in build order; this
            // fallback only guards against an engine that reorders.
            _ => self.entries.iter().find(|e| same(e)),
        }
    }

    /// Screens one query.
    pub fn screen(
        &self,
        query: &Query,
        options: &ScreenOptions,
    ) -> Result<Vec<Candidate>, QueryError> {
        self.index.screen(query, options)
    }

    /// Screens many queries in parallel (rayon, inside the engine).
    pub fn screen_batch(
        &self,
        queries: &[Query],
        options: &ScreenOptions,
    ) -> Vec<Result<Vec<Candidate>, QueryError>> {
        self.index.screen_batch(queries, options)
    }

    /// The listed documents with this number (compared after
    /// [`normalize_document`]); empty for a number too short to compare.
    pub fn documents_numbered(&self, number: &str) -> &[ListedDocument] {
        normalize_document(number)
            .and_then(|n| self.documents.get(&n))
            .map_or(&[], Vec::as_slice)
    }

    /// The entries that may already name the subject of `entry`: each of its
    /// names is screened (with its first birth date and nationality, which
    /// pull a weak name match down when they contradict), and an entry that
    /// carries one of its document numbers is a duplicate whatever the names
    /// say. One result per entry, its best name, strongest first; `exclude`
    /// (dataset, reference) leaves out the subject itself (a relisting).
    ///
    /// Why: a proposal to list someone already on the common list or on a
    /// reference list was accepted without a word, and the states then
    /// decided on the same person twice.
    pub fn possible_duplicates(
        &self,
        entry: &ListEntry,
        options: &ScreenOptions,
        exclude: Option<(&str, &str)>,
    ) -> Vec<PossibleDuplicate> {
        let facts = ScreenerEntry::from_entry(0, entry.clone());
        let schema = Some(match entry.schema {
            EntrySchema::Person => accord_match::Schema::Person,
            EntrySchema::Organization => accord_match::Schema::Organization,
            EntrySchema::Vessel => accord_match::Schema::Vessel,
            EntrySchema::Aircraft => accord_match::Schema::Aircraft,
        });
        let queries: Vec<Query> = entry
            .names
            .iter()
            .filter(|n| !n.text.trim().is_empty())
            .map(|n| Query {
                name: n.text.clone(),
                birth_date: facts.birth_dates.first().cloned(),
                country: facts.nationalities.first().cloned(),
                schema,
            })
            .collect();
        let excluded = |dataset: &str, reference: &str| {
            exclude.is_some_and(|(d, r)| d == dataset && r == reference)
        };
        let mut found: Vec<PossibleDuplicate> = Vec::new();
        let mut keep = |d: PossibleDuplicate| match found
            .iter_mut()
            .find(|f| f.dataset == d.dataset && f.reference == d.reference)
        {
            Some(f) if f.score >= d.score => {}
            Some(f) => *f = d,
            None => found.push(d),
        };
        for (query, answer) in queries.iter().zip(self.screen_batch(&queries, options)) {
            // A name the engine cannot read (too long, no letters) has been
            // refused by the entry's own checks already: nothing to compare.
            let Ok(candidates) = answer else { continue };
            for c in candidates {
                if excluded(&c.dataset, &c.id) {
                    continue;
                }
                let Some(e) = self.entry(&c) else { continue };
                keep(PossibleDuplicate {
                    dataset: c.dataset.clone(),
                    reference: c.id.clone(),
                    caption: e.caption().to_string(),
                    schema: e.schema,
                    proposed_name: query.name.clone(),
                    matched_name: c.matched_name.clone(),
                    score: c.score,
                    low_confidence: c.low_confidence,
                    document: None,
                });
            }
        }
        for document in &entry.documents {
            for listed in self.documents_numbered(&document.number) {
                let e = &self.entries[listed.entry];
                let dataset = self.dataset_name(e).to_string();
                if excluded(&dataset, &e.reference) {
                    continue;
                }
                keep(PossibleDuplicate {
                    dataset,
                    reference: e.reference.clone(),
                    caption: e.caption().to_string(),
                    schema: e.schema,
                    proposed_name: entry
                        .names
                        .first()
                        .map(|n| n.text.clone())
                        .unwrap_or_default(),
                    matched_name: e.caption().to_string(),
                    score: 1.0,
                    low_confidence: false,
                    document: Some(listed.document.number.clone()),
                });
            }
        }
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.dataset.cmp(&b.dataset))
                .then_with(|| a.reference.cmp(&b.reference))
        });
        found.truncate(options.limit);
        found
    }

    /// Looks an entry up by dataset and reference.
    pub fn find(&self, dataset: &str, reference: &str) -> Option<&ScreenerEntry> {
        self.entries
            .iter()
            .find(|e| e.reference == reference && self.dataset_name(e) == dataset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_lists::EntryName;

    fn person(reference: &str, names: &[&str]) -> ListEntry {
        let mut e = ListEntry::new(reference, EntrySchema::Person);
        for (i, n) in names.iter().enumerate() {
            let kind = if i == 0 {
                NameKind::Primary
            } else {
                NameKind::Alias
            };
            e.names.push(EntryName::new(*n, kind));
        }
        e
    }

    fn list(entries: Vec<ListEntry>) -> List {
        List {
            source: ListSource::Accord,
            generated: None,
            entries,
            skipped: Vec::new(),
        }
    }

    fn screener() -> Screener {
        let mut listed = person("ACL-0001", &["Rustam Karimovich Tashev"]);
        listed.documents.push(IdentityDocument {
            kind: "Passport".into(),
            number: "N 0457781".into(),
            country: None,
            note: None,
        });
        Screener::from_lists(vec![
            (
                "common".into(),
                list(vec![listed, person("ACL-0002", &["Dilnoza Yusupova"])]),
            ),
            (
                "un".into(),
                list(vec![person("QDi.900", &["Farrukh Ergashev", "Abu Salim"])]),
            ),
        ])
    }

    #[test]
    fn a_proposed_subject_already_listed_is_a_possible_duplicate_by_any_of_its_names() {
        let s = screener();
        // The primary name is new; an alias written in Cyrillic is the listed one.
        let proposed = person("new", &["Ibrohim Nazarov", "Рустам Ташев"]);
        let found = s.possible_duplicates(&proposed, &ScreenOptions::default(), None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].dataset.as_str(), found[0].reference.as_str()),
            ("common", "ACL-0001")
        );
        assert_eq!(found[0].proposed_name, "Рустам Ташев");
        assert_eq!(found[0].caption, "Rustam Karimovich Tashev");
        // And on a reference list, by its alias.
        let found = s.possible_duplicates(
            &person("new", &["Farrukh Ergashev"]),
            &ScreenOptions::default(),
            None,
        );
        assert_eq!(found[0].reference, "QDi.900");
    }

    #[test]
    fn a_new_subject_has_no_possible_duplicates() {
        let s = screener();
        let found = s.possible_duplicates(
            &person("new", &["Zarina Abdullayeva"]),
            &ScreenOptions::default(),
            None,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_listed_document_number_is_a_duplicate_whatever_the_name() {
        let s = screener();
        let mut proposed = person("new", &["Someone Else Entirely"]);
        proposed.documents.push(IdentityDocument {
            kind: "Passport".into(),
            number: "N0457781".into(),
            country: None,
            note: None,
        });
        let found = s.possible_duplicates(&proposed, &ScreenOptions::default(), None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].reference, "ACL-0001");
        assert_eq!(found[0].document.as_deref(), Some("N 0457781"));
    }

    #[test]
    fn the_subject_itself_is_not_its_own_duplicate() {
        let s = screener();
        let proposed = person("ACL-0001", &["Rustam Karimovich Tashev"]);
        let found = s.possible_duplicates(
            &proposed,
            &ScreenOptions::default(),
            Some(("common", "ACL-0001")),
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
