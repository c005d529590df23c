//! Batch screening of a CSV of names: the CLI and the web upload use this.
//!
//! Input: a header row with a `name` column and optionally `id`,
//! `birth_date`, `country` and `schema`, in any order and case (other
//! columns are ignored). Output: [`OUTPUT_HEADER`], one row per candidate at
//! or above the threshold, best first; a query without candidates gets one
//! row with an empty `match_id`; a query that cannot be screened gets one
//! row with `error` set, and the rest of the file is still answered.
//!
//! Rows are read, screened (in parallel, [`accord_match::Index::screen_batch`])
//! and written in chunks, so memory stays bounded whatever the file size.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use accord_match::{Candidate, DEFAULT_THRESHOLD, MAX_NAME_CHARS, Query, ScreenOptions};
use csv::ByteRecord;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::screener::{Screener, UnknownDataset};

/// The output columns, in order.
pub const OUTPUT_HEADER: [&str; 9] = [
    "id",
    "name",
    "rank",
    "match_id",
    "match_dataset",
    "match_name",
    "score",
    "explanation",
    "error",
];

/// Most results one query may ask for.
pub const MAX_LIMIT: usize = 100;

/// How to screen a file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    /// Candidates scoring below this are not written.
    pub threshold: f64,
    /// At most this many candidates per query (1..=[`MAX_LIMIT`]).
    pub limit: usize,
    /// Only these datasets; `None` for all.
    pub datasets: Option<Vec<String>>,
    /// Queries screened together (and the progress step). 1,000 by default.
    pub chunk_size: usize,
    /// Number of data rows if the caller knows it, passed through to
    /// [`Progress::total`].
    pub total_rows: Option<u64>,
    /// Neutralize cells a spreadsheet would run as formulas (for files
    /// people download and open; machines want the raw text).
    pub spreadsheet_safe: bool,
    /// The input's field separator (see [`crate::table::read_table`], which
    /// finds it); the output is always comma-separated.
    pub separator: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: 10,
            datasets: None,
            chunk_size: 1000,
            total_rows: None,
            spreadsheet_safe: false,
            separator: b',',
        }
    }
}

/// Reported after each chunk is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Data rows read and answered so far.
    pub done: u64,
    /// Total number of data rows, if known.
    pub total: Option<u64>,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvSummary {
    /// Data rows read (queries).
    pub rows: u64,
    /// Queries answered with an error row.
    pub errors: u64,
    /// Queries with at least one candidate.
    pub matched: u64,
    /// Candidate rows written.
    pub candidates: u64,
    /// Output rows written (without the header).
    pub output_rows: u64,
    pub elapsed: Duration,
}

/// Why a file could not be screened. Errors before the first output byte:
/// everything except [`CsvError::Read`] and [`CsvError::Write`].
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("the file is empty: a header row with a \"name\" column is needed")]
    Empty,
    #[error("the header row has no \"name\" column (found: {})", found.join(", "))]
    MissingNameColumn { found: Vec<String> },
    #[error("the header row is not valid UTF-8")]
    HeaderNotUtf8,
    #[error("the header row has the column {0:?} twice")]
    DuplicateColumn(String),
    #[error(transparent)]
    UnknownDataset(#[from] UnknownDataset),
    #[error("invalid options: {0}")]
    BadOptions(String),
    #[error("reading the input failed after {rows} rows: {source}")]
    Read {
        rows: u64,
        #[source]
        source: csv::Error,
    },
    #[error("writing the output failed: {0}")]
    Write(#[source] csv::Error),
}

#[derive(Debug, Default, Clone, Copy)]
struct Columns {
    name: usize,
    id: Option<usize>,
    birth_date: Option<usize>,
    country: Option<usize>,
    schema: Option<usize>,
}

fn columns(header: &ByteRecord) -> Result<Columns, CsvError> {
    let mut found = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let text = std::str::from_utf8(raw).map_err(|_| CsvError::HeaderNotUtf8)?;
        let text = if i == 0 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        found.push(text.trim().to_lowercase());
    }
    let mut cols = Columns::default();
    let mut name = None;
    for (i, h) in found.iter().enumerate() {
        let slot = match h.as_str() {
            "name" => &mut name,
            "id" => &mut cols.id,
            "birth_date" => &mut cols.birth_date,
            "country" => &mut cols.country,
            "schema" => &mut cols.schema,
            _ => continue,
        };
        if slot.is_some() {
            return Err(CsvError::DuplicateColumn(h.clone()));
        }
        *slot = Some(i);
    }
    match name {
        Some(n) => {
            cols.name = n;
            Ok(cols)
        }
        None => Err(CsvError::MissingNameColumn { found }),
    }
}

/// Checks the header row of `input` alone, so that a form can refuse a file
/// without a `name` column before any work is queued.
pub fn check_header(input: &[u8], separator: u8) -> Result<(), CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(input);
    let mut header = ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => columns(&header).map(|_| ()),
        Ok(false) => Err(CsvError::Empty),
        Err(source) => Err(CsvError::Read { rows: 0, source }),
    }
}

/// One data row as read: what to echo, and the query or why there is none.
struct Pending {
    id: String,
    name: String,
    query: Result<Query, String>,
}

/// Echoed names are cut so that a pasted document does not bloat the output.
fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_NAME_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

fn read_row(cols: &Columns, row: &ByteRecord, number: u64) -> Pending {
    // A short row lacks its trailing columns: they count as empty.
    let field = |i: Option<usize>, label: &str| -> Result<Option<&str>, String> {
        let Some(raw) = i.and_then(|i| row.get(i)) else {
            return Ok(None);
        };
        let s = std::str::from_utf8(raw)
            .map_err(|e| format!("column {label}: invalid UTF-8 at byte {}", e.valid_up_to()))?
            .trim();
        Ok((!s.is_empty()).then_some(s))
    };
    let lossy = |i: Option<usize>| {
        i.and_then(|i| row.get(i))
            .map(|b| echo(String::from_utf8_lossy(b).trim()))
            .unwrap_or_default()
    };
    let id = match field(cols.id, "id") {
        Ok(Some(id)) => echo(id),
        Ok(None) => number.to_string(),
        Err(_) => lossy(cols.id),
    };
    let name = lossy(Some(cols.name));
    let query = (|| {
        field(cols.id, "id")?;
        let name = field(Some(cols.name), "name")?.unwrap_or("");
        let birth_date = field(cols.birth_date, "birth_date")?.map(str::to_string);
        let country = field(cols.country, "country")?.map(str::to_string);
        let schema = match field(cols.schema, "schema")? {
            None => None,
            Some(s) => Some(s.parse().map_err(|e| format!("column schema: {e}"))?),
        };
        Ok(Query {
            name: name.to_string(),
            birth_date,
            country,
            schema,
        })
    })();
    Pending { id, name, query }
}

/// A query's answer, formatted (in parallel) before it is written.
enum Answer {
    Error(String),
    NoMatch,
    /// rank, match_id, match_dataset, match_name, score, explanation.
    Matches(Vec<[String; 6]>),
}

fn format_answer(screener: &Screener, result: &Result<Vec<Candidate>, String>) -> Answer {
    match result {
        Err(e) => Answer::Error(e.clone()),
        Ok(cands) if cands.is_empty() => Answer::NoMatch,
        Ok(cands) => Answer::Matches(
            cands
                .iter()
                .enumerate()
                .map(|(rank, c)| {
                    let listed = screener
                        .entry(c)
                        .map(|e| e.caption().to_string())
                        .unwrap_or_else(|| c.matched_name.clone());
                    let match_name = if listed == c.matched_name {
                        listed
                    } else {
                        format!("{listed} (as {})", c.matched_name)
                    };
                    [
                        (rank + 1).to_string(),
                        c.id.clone(),
                        c.dataset.clone(),
                        match_name,
                        format!("{:.3}", c.score),
                        c.explanation.to_string(),
                    ]
                })
                .collect(),
        ),
    }
}

struct Out<W: Write> {
    writer: csv::Writer<W>,
    summary: CsvSummary,
    spreadsheet_safe: bool,
}

pub(crate) use accord_core::validation::neutralize_formula;

impl<W: Write> Out<W> {
    fn row(&mut self, fields: [&str; 9]) -> Result<(), CsvError> {
        self.summary.output_rows += 1;
        if self.spreadsheet_safe {
            let safe = fields.map(neutralize_formula);
            return self
                .writer
                .write_record(safe.iter().map(|c| c.as_ref()))
                .map_err(CsvError::Write);
        }
        self.writer.write_record(fields).map_err(CsvError::Write)
    }

    fn answer(&mut self, p: &Pending, answer: &Answer) -> Result<(), CsvError> {
        match answer {
            Answer::Error(e) => {
                self.summary.errors += 1;
                self.row([&p.id, &p.name, "", "", "", "", "", "", e])
            }
            Answer::NoMatch => self.row([&p.id, &p.name, "", "", "", "", "", "", ""]),
            Answer::Matches(rows) => {
                self.summary.matched += 1;
                for [rank, id, ds, name, score, expl] in rows {
                    self.summary.candidates += 1;
                    self.row([&p.id, &p.name, rank, id, ds, name, score, expl, ""])?;
                }
                Ok(())
            }
        }
    }
}

fn check_options(screener: &Screener, opts: &CsvOptions) -> Result<ScreenOptions, CsvError> {
    if !(0.0..=1.0).contains(&opts.threshold) {
        return Err(CsvError::BadOptions(format!(
            "threshold {} is not between 0 and 1",
            opts.threshold
        )));
    }
    if opts.limit == 0 || opts.limit > MAX_LIMIT {
        return Err(CsvError::BadOptions(format!(
            "limit {} is not between 1 and {MAX_LIMIT}",
            opts.limit
        )));
    }
    if opts.chunk_size == 0 {
        return Err(CsvError::BadOptions("chunk size 0".into()));
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

/// Screens every row of `input` and writes the results to `output`.
///
/// Nothing is written when the header or the options are wrong. After that,
/// a row that cannot be screened (invalid UTF-8, an empty,
/// punctuation-only or too long name, a bad birth date or schema) becomes
/// an error row and the batch goes on; only an I/O failure stops it.
/// `progress` is called after each chunk.
pub fn screen_csv<R: Read, W: Write>(
    screener: &Screener,
    input: R,
    output: W,
    opts: &CsvOptions,
    progress: &dyn Fn(Progress),
) -> Result<CsvSummary, CsvError> {
    let start = Instant::now();
    let screen_opts = check_options(screener, opts)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(opts.separator)
        .flexible(true)
        .from_reader(input);
    let mut header = ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(CsvError::Empty),
        Err(source) => return Err(CsvError::Read { rows: 0, source }),
    }
    let cols = columns(&header)?;
    let mut out = Out {
        spreadsheet_safe: opts.spreadsheet_safe,
        writer: csv::Writer::from_writer(output),
        summary: CsvSummary {
            rows: 0,
            errors: 0,
            matched: 0,
            candidates: 0,
            output_rows: 0,
            elapsed: Duration::ZERO,
        },
    };
    out.writer
        .write_record(OUTPUT_HEADER)
        .map_err(CsvError::Write)?;

    let chunk_size = opts.chunk_size;
    let mut row = ByteRecord::new();
    let mut chunk: Vec<Pending> = Vec::with_capacity(chunk_size);
    let mut queries: Vec<Query> = Vec::with_capacity(chunk_size);
    let mut eof = false;
    while !eof {
        chunk.clear();
        while chunk.len() < chunk_size {
            match reader.read_byte_record(&mut row) {
                Ok(true) => {
                    out.summary.rows += 1;
                    chunk.push(read_row(&cols, &row, out.summary.rows));
                }
                Ok(false) => {
                    eof = true;
                    break;
                }
                Err(source) => {
                    return Err(CsvError::Read {
                        rows: out.summary.rows,
                        source,
                    });
                }
            }
        }
        if chunk.is_empty() {
            break;
        }
        queries.clear();
        queries.extend(chunk.iter().filter_map(|p| p.query.as_ref().ok().cloned()));
        let mut results = screener.screen_batch(&queries, &screen_opts).into_iter();
        let outcomes: Vec<Result<Vec<Candidate>, String>> = chunk
            .iter()
            .map(|p| match &p.query {
                Err(e) => Err(e.clone()),
                Ok(_) => match results.next() {
                    Some(Ok(c)) => Ok(c),
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("internal error: the engine returned too few results".into()),
                },
            })
            .collect();
        // Explanations are long strings: format them on all cores too.
        let answers: Vec<Answer> = outcomes
            .par_iter()
            .map(|r| format_answer(screener, r))
            .collect();
        for (p, a) in chunk.iter().zip(&answers) {
            out.answer(p, a)?;
        }
        out.writer.flush().map_err(|e| CsvError::Write(e.into()))?;
        progress(Progress {
            done: out.summary.rows,
            total: opts.total_rows,
        });
    }
    out.writer.flush().map_err(|e| CsvError::Write(e.into()))?;
    out.summary.elapsed = start.elapsed();
    Ok(out.summary)
}

#[cfg(test)]
mod formula_tests {
    use super::neutralize_formula;

    #[test]
    fn formula_cells_are_neutralized_and_others_untouched() {
        assert_eq!(
            neutralize_formula("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(neutralize_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize_formula("Мухаммад"), "Мухаммад");
        assert_eq!(neutralize_formula(""), "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(fields: &[&str]) -> ByteRecord {
        ByteRecord::from(fields.to_vec())
    }

    #[test]
    fn columns_any_order_and_case_with_bom() {
        let c = columns(&header(&[
            "\u{feff}ID",
            " Country ",
            "NAME",
            "Birth_Date",
            "x",
        ]))
        .unwrap();
        assert_eq!(c.name, 2);
        assert_eq!(c.id, Some(0));
        assert_eq!(c.country, Some(1));
        assert_eq!(c.birth_date, Some(3));
        assert_eq!(c.schema, None);
    }

    #[test]
    fn missing_name_column_lists_what_was_found() {
        let e = columns(&header(&["id", "full_name"])).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("no \"name\" column"), "{msg}");
        assert!(msg.contains("full_name"), "{msg}");
    }

    #[test]
    fn duplicate_column_is_refused() {
        assert!(matches!(
            columns(&header(&["name", "Name"])),
            Err(CsvError::DuplicateColumn(_))
        ));
    }

    #[test]
    fn rows_read_with_defaults_and_errors() {
        let cols = columns(&header(&["name", "id", "schema"])).unwrap();
        let p = read_row(&cols, &header(&["Ali Hassan"]), 7);
        assert_eq!(p.id, "7");
        assert_eq!(p.query.unwrap().name, "Ali Hassan");
        let p = read_row(&cols, &header(&["X", "a1", "Planet"]), 8);
        assert_eq!(p.id, "a1");
        assert!(p.query.unwrap_err().contains("schema"));
        let bad = ByteRecord::from(vec![&b"Ali \xff"[..], b"z"]);
        let p = read_row(&cols, &bad, 9);
        assert!(p.query.unwrap_err().contains("invalid UTF-8"));
        assert_eq!(p.name, "Ali \u{fffd}");
    }

    #[test]
    fn echo_cuts_long_text() {
        let long = "a".repeat(MAX_NAME_CHARS + 10);
        assert_eq!(echo(&long).chars().count(), MAX_NAME_CHARS + 1);
        assert_eq!(echo("short"), "short");
    }
}
