//! Screening an Advance Passenger Information manifest (UN/EDIFACT
//! PAXLST): every traveller with name, birth date, nationality and document
//! numbers, results in message order with the flight and the totals. The
//! CLI (`accord screen --paxlst`) and the web use [`screen_manifest`].
//!
//! Each traveller becomes one engine [`Query`]: the name as "GIVEN MIDDLE
//! SURNAME", the birth date, the nationality (alpha-3, which the engine
//! reads), schema Person. Independently, each travel document number is
//! looked up among the documents list entries carry
//! ([`Screener::documents_numbered`]); an entry with the same number is a
//! hit whatever its name score, marked in its explanation and ranked before
//! name-only hits.

use std::io::Write;

use accord_match::countries::same_country;
use accord_match::{Candidate, DEFAULT_THRESHOLD, Explanation, Query, ScreenOptions, compare};
use accord_paxlst::{
    Date, Document, Flight, Interchange, Limits, ListKind, ParseError, Parsed, Traveller,
    TravellerKind, Warning,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::csv_screen::MAX_LIMIT;
use crate::screener::{ListedDocument, Screener, UnknownDataset};

/// How to screen a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestOptions {
    /// Name hits scoring below this are not reported (document hits are,
    /// whatever their name score).
    pub threshold: f64,
    /// At most this many name hits per traveller (1..=[`MAX_LIMIT`]).
    pub limit: usize,
    /// Only these datasets; `None` for all.
    pub datasets: Option<Vec<String>>,
    /// Parser limits (input size).
    pub limits: Limits,
}

impl Default for ManifestOptions {
    fn default() -> Self {
        ManifestOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: 10,
            datasets: None,
            limits: Limits::default(),
        }
    }
}

/// Why a manifest was not screened.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest cannot be read: {0}")]
    Parse(#[from] ParseError),
    #[error(transparent)]
    UnknownDataset(#[from] UnknownDataset),
    #[error("invalid options: {0}")]
    BadOptions(String),
}

/// A traveller's document number that a list entry carries too.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentMatch {
    /// As the manifest gives it.
    pub kind: String,
    pub number: String,
    pub issuing_country: Option<String>,
    /// As the list gives it ("Passport", "LY53FP76", "Libya").
    pub listed_kind: String,
    pub listed_number: String,
    pub listed_country: Option<String>,
    /// Both give an issuing country and it is the same one; `None` when
    /// either is missing or unknown.
    pub same_country: Option<bool>,
}

/// One candidate for one traveller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// From 1; document hits first, then by score.
    pub rank: usize,
    /// The list's reference ("LYi.023", an OFAC ent_num).
    pub match_id: String,
    pub dataset: String,
    /// The entry's primary name.
    pub match_name: String,
    /// The list name that compared best, if the names compare at all.
    pub matched_name: Option<String>,
    /// The engine's score of name and secondary features (0 for a document
    /// hit whose names do not compare).
    pub score: f64,
    pub document_match: Option<DocumentMatch>,
    /// One line for people: the document match first, then the engine's.
    pub explanation: String,
    /// The engine's structured explanation, when the names compared.
    pub detail: Option<Explanation>,
    /// The name hit rests on a weak alias only (`Candidate::low_confidence`):
    /// corroborate it before acting on it. False for a hit found by its
    /// document number alone.
    pub low_confidence: bool,
}

/// One traveller's result, in message order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TravellerResult {
    /// `{UNH reference}/{traveller number}`.
    pub id: String,
    pub number: u32,
    pub kind: TravellerKind,
    /// "GIVEN MIDDLE SURNAME" as read.
    pub name: String,
    pub surname: String,
    pub given: Option<String>,
    pub middle: Option<String>,
    pub birth_date: Option<Date>,
    pub nationality: Option<String>,
    pub documents: Vec<Document>,
    pub hits: Vec<Hit>,
    /// Why the name could not be screened (document numbers still were).
    pub error: Option<String>,
}

/// Counts over travellers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub travellers: usize,
    /// Passengers, in transit or not.
    pub passengers: usize,
    /// Crew, in transit or not.
    pub crew: usize,
    /// Travellers with at least one hit.
    pub with_hits: usize,
    /// Travellers with at least one document hit.
    pub document_matches: usize,
    /// Hits over all travellers.
    pub hits: usize,
    /// Travellers whose name could not be screened.
    pub errors: usize,
}

impl Totals {
    fn add(&mut self, t: &TravellerResult) {
        self.travellers += 1;
        if t.kind.is_crew() {
            self.crew += 1;
        } else {
            self.passengers += 1;
        }
        self.with_hits += usize::from(!t.hits.is_empty());
        self.document_matches += usize::from(t.hits.iter().any(|h| h.document_match.is_some()));
        self.hits += t.hits.len();
        self.errors += usize::from(t.error.is_some());
    }

    /// Adds another manifest's or message's totals.
    pub fn merge(&mut self, o: &Totals) {
        self.travellers += o.travellers;
        self.passengers += o.passengers;
        self.crew += o.crew;
        self.with_hits += o.with_hits;
        self.document_matches += o.document_matches;
        self.hits += o.hits;
        self.errors += o.errors;
    }
}

/// One message (one flight) screened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageResult {
    pub reference: String,
    pub kind: ListKind,
    pub flight: Flight,
    pub travellers: Vec<TravellerResult>,
    pub totals: Totals,
}

/// A whole manifest screened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestScreening {
    pub interchange: Interchange,
    pub messages: Vec<MessageResult>,
    /// What the parser tolerated.
    pub warnings: Vec<Warning>,
    pub totals: Totals,
}

impl ManifestScreening {
    /// Every traveller of every message, in order.
    pub fn travellers(&self) -> impl Iterator<Item = &TravellerResult> {
        self.messages.iter().flat_map(|m| m.travellers.iter())
    }
}

fn check_options(
    screener: &Screener,
    opts: &ManifestOptions,
) -> Result<ScreenOptions, ManifestError> {
    if !(0.0..=1.0).contains(&opts.threshold) {
        return Err(ManifestError::BadOptions(format!(
            "threshold {} is not between 0 and 1",
            opts.threshold
        )));
    }
    if opts.limit == 0 || opts.limit > MAX_LIMIT {
        return Err(ManifestError::BadOptions(format!(
            "limit {} is not between 1 and {MAX_LIMIT}",
            opts.limit
        )));
    }
    if let Some(ds) = &opts.datasets {
        screener.check_datasets(ds)?;
    }
    Ok(ScreenOptions {
        threshold: opts.threshold,
        limit: opts.limit,
        datasets: opts.datasets.clone(),
    })
}

/// Parses and screens a manifest. Nothing is screened when the manifest
/// cannot be read: the error names the segment.
pub fn screen_manifest(
    screener: &Screener,
    input: &[u8],
    opts: &ManifestOptions,
) -> Result<ManifestScreening, ManifestError> {
    let screen_opts = check_options(screener, opts)?;
    let parsed = accord_paxlst::parse_with(input, &opts.limits)?;
    Ok(screen_checked(screener, parsed, &screen_opts))
}

/// Screens a manifest already parsed (the CLI parses every file first, so
/// that a bad one stops the run before any output).
pub fn screen_parsed(
    screener: &Screener,
    parsed: Parsed,
    opts: &ManifestOptions,
) -> Result<ManifestScreening, ManifestError> {
    let screen_opts = check_options(screener, opts)?;
    Ok(screen_checked(screener, parsed, &screen_opts))
}

pub(crate) fn query_of(t: &Traveller) -> Query {
    Query {
        name: t.full_name(),
        birth_date: t.birth_date.map(|d| d.to_string()),
        country: t.nationality.clone(),
        schema: Some(accord_match::Schema::Person),
    }
}

fn screen_checked(screener: &Screener, parsed: Parsed, opts: &ScreenOptions) -> ManifestScreening {
    let manifest = parsed.manifest;
    let queries: Vec<Query> = manifest.travellers().map(|(_, t)| query_of(t)).collect();
    let mut results = screener.screen_batch(&queries, opts).into_iter();
    let mut totals = Totals::default();
    let mut messages = Vec::with_capacity(manifest.messages.len());
    let mut queries = queries.into_iter();
    for m in manifest.messages {
        // The engine's answers, in traveller order, then the rest in parallel.
        let answered: Vec<_> = m
            .travellers
            .into_iter()
            .map(|t| {
                let q = queries.next().expect("one query per traveller");
                let r = results.next().expect("one result per query");
                (t, q, r)
            })
            .collect();
        let travellers: Vec<TravellerResult> = answered
            .into_par_iter()
            .map(|(t, q, r)| traveller_result(screener, opts, &m.reference, t, &q, r))
            .collect();
        let mut mt = Totals::default();
        for t in &travellers {
            mt.add(t);
        }
        totals.merge(&mt);
        messages.push(MessageResult {
            reference: m.reference,
            kind: m.kind,
            flight: m.flight,
            travellers,
            totals: mt,
        });
    }
    ManifestScreening {
        interchange: manifest.interchange,
        messages,
        warnings: parsed.warnings,
        totals,
    }
}

fn document_match(d: &Document, listed: &ListedDocument) -> DocumentMatch {
    let l = &listed.document;
    let same = match (&d.issuing_country, &l.country) {
        (Some(a), Some(b)) => {
            let known = accord_match::countries::normalize_country(a).is_some()
                && accord_match::countries::normalize_country(b).is_some();
            known.then(|| same_country(a, b))
        }
        _ => None,
    };
    DocumentMatch {
        kind: d.kind.clone(),
        number: d.number.clone(),
        issuing_country: d.issuing_country.clone(),
        listed_kind: l.kind.clone(),
        listed_number: l.number.clone(),
        listed_country: l.country.clone(),
        same_country: same,
    }
}

fn document_text(m: &DocumentMatch) -> String {
    let mut s = format!(
        "EXACT DOCUMENT NUMBER: {} {} matches the listed {} {}",
        m.kind, m.number, m.listed_kind, m.listed_number
    );
    if let Some(c) = &m.listed_country {
        s.push_str(&format!(" ({c})"));
    }
    match m.same_country {
        Some(true) => s.push_str(", same issuing country"),
        Some(false) => s.push_str(&format!(
            ", but issued by {} in the manifest",
            m.issuing_country.as_deref().unwrap_or("?")
        )),
        None => {}
    }
    s
}

fn traveller_result(
    screener: &Screener,
    opts: &ScreenOptions,
    reference: &str,
    t: Traveller,
    query: &Query,
    result: Result<Vec<Candidate>, accord_match::QueryError>,
) -> TravellerResult {
    let (candidates, error) = match result {
        Ok(c) => (c, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let allowed = |dataset: &str| {
        opts.datasets
            .as_ref()
            .is_none_or(|ds| ds.iter().any(|d| d == dataset))
    };
    let mut hits: Vec<Hit> = candidates
        .into_iter()
        .map(|c| {
            let match_name = screener
                .entry(&c)
                .map(|e| e.caption().to_string())
                .unwrap_or_else(|| c.matched_name.clone());
            Hit {
                rank: 0,
                match_name,
                matched_name: Some(c.matched_name.clone()),
                score: c.score,
                document_match: None,
                low_confidence: c.low_confidence,
                explanation: c.explanation.to_string(),
                detail: Some(c.explanation),
                match_id: c.id,
                dataset: c.dataset,
            }
        })
        .collect();
    for d in &t.documents {
        for listed in screener.documents_numbered(&d.number) {
            let entry = &screener.entries()[listed.entry];
            let dataset = screener.dataset_name(entry);
            if !allowed(dataset) {
                continue;
            }
            let dm = document_match(d, listed);
            let text = document_text(&dm);
            let existing = hits
                .iter_mut()
                .find(|h| h.match_id == entry.reference && h.dataset == dataset);
            match existing {
                Some(h) if h.document_match.is_none() => {
                    h.explanation = format!("{text}; {}", h.explanation);
                    h.document_match = Some(dm);
                }
                Some(_) => {}
                None => {
                    let record = screener.index().record(listed.entry);
                    debug_assert_eq!(record.id, entry.reference);
                    let compared = compare(query, record);
                    let (score, matched_name, explanation, detail) = match compared {
                        Some((score, e)) => (
                            score,
                            Some(e.matched_name.clone()),
                            format!("{text}; names: {e}"),
                            Some(e),
                        ),
                        None => (0.0, None, format!("{text}; the names do not compare"), None),
                    };
                    hits.push(Hit {
                        rank: 0,
                        match_id: entry.reference.clone(),
                        dataset: dataset.to_string(),
                        match_name: entry.caption().to_string(),
                        matched_name,
                        score,
                        document_match: Some(dm),
                        explanation,
                        detail,
                        low_confidence: false,
                    });
                }
            }
        }
    }
    // Document hits first, then by score (stable: the engine's order among
    // equals is kept).
    hits.sort_by(|a, b| {
        b.document_match
            .is_some()
            .cmp(&a.document_match.is_some())
            .then(b.score.total_cmp(&a.score))
    });
    for (i, h) in hits.iter_mut().enumerate() {
        h.rank = i + 1;
    }
    TravellerResult {
        id: format!("{reference}/{}", t.number),
        number: t.number,
        kind: t.kind,
        name: query.name.clone(),
        surname: t.surname,
        given: t.given,
        middle: t.middle,
        birth_date: t.birth_date,
        nationality: t.nationality,
        documents: t.documents,
        hits,
        error,
    }
}

/// The CSV columns of manifest results, in order.
pub const MANIFEST_HEADER: [&str; 12] = [
    "id",
    "name",
    "birth_date",
    "nationality",
    "document",
    "rank",
    "match_id",
    "match_dataset",
    "match_name",
    "score",
    "explanation",
    "error",
];

/// Writes manifest results as CSV: one row per hit, best first; one row
/// with an empty `match_id` for a traveller without hits. Several
/// manifests go to one output by calling [`ManifestCsv::write`] for each.
pub struct ManifestCsv<W: Write> {
    writer: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> ManifestCsv<W> {
    /// Writes the header.
    pub fn new(output: W) -> Result<Self, csv::Error> {
        let mut writer = csv::Writer::from_writer(output);
        writer.write_record(MANIFEST_HEADER)?;
        Ok(ManifestCsv { writer, rows: 0 })
    }

    pub fn write(&mut self, results: &ManifestScreening) -> Result<(), csv::Error> {
        for t in results.travellers() {
            let birth = t.birth_date.map(|d| d.to_string()).unwrap_or_default();
            let nationality = t.nationality.as_deref().unwrap_or("");
            let documents = t
                .documents
                .iter()
                .map(|d| d.number.as_str())
                .collect::<Vec<_>>()
                .join(";");
            let error = t.error.as_deref().unwrap_or("");
            let fixed = [t.id.as_str(), &t.name, &birth, nationality, &documents];
            if t.hits.is_empty() {
                self.row(fixed, ["", "", "", "", "", ""], error)?;
            }
            for h in &t.hits {
                let rank = h.rank.to_string();
                let score = format!("{:.3}", h.score);
                let name = match &h.matched_name {
                    Some(m) if *m != h.match_name => format!("{} (as {m})", h.match_name),
                    _ => h.match_name.clone(),
                };
                self.row(
                    fixed,
                    [
                        &rank,
                        &h.match_id,
                        &h.dataset,
                        &name,
                        &score,
                        &h.explanation,
                    ],
                    error,
                )?;
            }
        }
        self.writer.flush()?;
        Ok(())
    }

    /// One row; every cell is neutralized for spreadsheets, since names,
    /// document numbers and error texts come from the airline's message.
    fn row(&mut self, fixed: [&str; 5], hit: [&str; 6], error: &str) -> Result<(), csv::Error> {
        self.rows += 1;
        self.writer.write_record(
            fixed
                .iter()
                .chain(hit.iter())
                .chain(std::iter::once(&error))
                .map(|cell| crate::csv_screen::neutralize_formula(cell).into_owned()),
        )
    }

    /// Rows written, without the header.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the output.
    pub fn into_inner(self) -> Result<W, csv::Error> {
        self.writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screener::normalize_document;

    #[test]
    fn document_numbers_compare_without_spaces_dashes_or_case() {
        assert_eq!(
            normalize_document("ly 53-fp76").as_deref(),
            Some("LY53FP76")
        );
        assert_eq!(normalize_document("N°0000001").as_deref(), Some("N0000001"));
        // Too short or no digit: not identifying.
        assert_eq!(normalize_document("99"), None);
        assert_eq!(normalize_document("ABCDEFG"), None);
    }

    #[test]
    fn numbers_written_in_a_sentence_are_found_by_their_number() {
        use crate::screener::document_keys;
        assert_eq!(
            document_keys("Russian foreign travel passport number 515458008"),
            ["RUSSIANFOREIGNTRAVELPASSPORTNUMBER515458008", "515458008"]
        );
        // Spaced digits are one number, not several short ones.
        assert_eq!(document_keys("N 000 0001"), ["N0000001"]);
        assert_eq!(document_keys("LY53FP76"), ["LY53FP76"]);
    }

    #[test]
    fn the_query_reads_given_names_first_with_birth_date_and_nationality() {
        let edi = accord_paxlst::builder::ManifestBuilder::example().build();
        let p = accord_paxlst::parse(edi.as_bytes()).unwrap();
        let t = &p.manifest.messages[0].travellers[0];
        let q = query_of(t);
        assert_eq!(q.name, "ARMAN BOLATULY EXAMPLOV");
        assert_eq!(q.birth_date.as_deref(), Some("1991-03-04"));
        assert_eq!(q.country.as_deref(), Some("KAZ"));
        assert_eq!(q.schema, Some(accord_match::Schema::Person));
    }
}
