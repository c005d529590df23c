//! # accord-screening — between list files, the engine and Accord's interfaces
//!
//! - [`Screener`]: one [`accord_match::Index`] over one or more named lists,
//!   with what is needed to show a result (reference, names, programs,
//!   listed on...). Immutable; share it as `Arc<Screener>` and swap the `Arc`
//!   to rebuild.
//! - [`screen_csv`]: batch screening of a CSV of names (the CLI and the web
//!   upload use the same code), streaming in chunks with bounded memory.
//! - [`screen_manifest`]: an API manifest (UN/EDIFACT PAXLST, parsed by
//!   `accord-paxlst`) screened traveller by traveller, document numbers
//!   included; the CLI and the web use the same code.
//! - [`yente`]: the request/response types and the logic of yente's
//!   `POST /match/{dataset}`, without HTTP.
//! - [`bench`]: measurements of the whole path on real lists.
//!
//! No HTTP, no database, no file system (except in the bench example).

pub mod bench;
pub mod csv_screen;
pub mod manifest;
pub mod screener;
pub mod table;
pub mod yente;

pub use csv_screen::{
    CsvError, CsvOptions, CsvSummary, OUTPUT_HEADER, Progress, check_header, screen_csv,
};
pub use manifest::{
    DocumentMatch, Hit, MANIFEST_HEADER, ManifestCsv, ManifestError, ManifestOptions,
    ManifestScreening, MessageResult, Totals, TravellerResult, screen_manifest, screen_parsed,
};
pub use screener::{
    ListedDocument, MIN_DOCUMENT_CHARS, PossibleDuplicate, Screener, ScreenerEntry, UnknownDataset,
    document_keys, normalize_document,
};
pub use table::{ReadAs, Table, TableError, read_table};

pub use accord_match::{
    Candidate, DEFAULT_THRESHOLD, Query, QueryError, Schema, ScreenOptions, WEAK_ALIAS_NOTE,
};
