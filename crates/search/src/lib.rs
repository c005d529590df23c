//! The knowledge library's full-text index.
//!
//! One tantivy index of library items: each item's language versions are
//! analysed by their language (English and Russian stemmed, Arabic-script
//! letters folded, everything else lowercased and ASCII-folded), its
//! attachment text by script, and its kind, marking, themes, countries,
//! languages and publication date are kept as filters and facets.
//!
//! Who may see an item is decided elsewhere (`accord_core::may_see`); a
//! search is given the reader's [`VisibleSet`] and applies it inside the
//! query, so totals, facets, pages, snippets — and even the BM25 statistics
//! behind the scores — are computed over visible items only. This crate
//! encodes no access rule and gives the TLP marking no meaning: it is a
//! facet string like the kind.

mod analysis;
mod bench;
mod cache;
mod collect;
mod index;
mod search;
mod snippet;
pub mod synthetic;
mod visible;

pub use analysis::{
    Group, fold_arabic, fold_yo, index_terms, markdown_to_text, strip_arabic_article,
};
pub use bench::{
    BENCH_BATCH, BenchReport, LatencyRow, QUERY_KINDS, bench, bench_query, bench_with,
};
pub use index::{LibraryIndex, MAX_ATTACHMENT_BYTES, MAX_BODY_BYTES, SCHEMA_VERSION};
pub use visible::VisibleSet;

/// The longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;
/// The deepest a page may start (offset); deeper paging is refused, as each
/// page costs `offset + limit` kept candidates.
pub const MAX_OFFSET: usize = 10_000;
/// The page size of [`SearchQuery::default`].
pub const DEFAULT_LIMIT: usize = 20;

/// One library item as the index sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexedItem {
    /// The library item's id (positive).
    pub id: i64,
    /// "research", "report", "good-practice", "event", "training",
    /// "counter-narrative": a facet string here.
    pub kind: String,
    /// "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED": a facet string here.
    pub marking: String,
    /// Theme vocabulary slugs, e.g. "online-propaganda".
    pub themes: Vec<String>,
    /// Member codes, e.g. "KAZ".
    pub countries: Vec<String>,
    /// The publication date.
    pub published: Option<time::Date>,
    /// The language versions.
    pub versions: Vec<LanguageVersion>,
    /// All attachments' extracted text; the first [`MAX_ATTACHMENT_BYTES`]
    /// are indexed.
    pub attachment_text: String,
}

/// One language version of an item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LanguageVersion {
    /// BCP-47-ish: "en", "ru", "ar", "fa", "kk", "uz", "uz-Arab", …
    pub lang: String,
    /// Plain text.
    pub title: String,
    /// Plain text.
    pub summary: String,
    /// Markdown source; indexed as the text a reader sees (see
    /// [`markdown_to_text`]), the first [`MAX_BODY_BYTES`] of it.
    pub body: String,
}

/// The order of the hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Best match first (ties: newer, then higher id). With an empty text,
    /// the same as [`Order::Newest`].
    #[default]
    Relevance,
    /// Latest publication date first; undated items last; ties: higher id first.
    Newest,
    /// Earliest publication date first; undated items last; ties: lower id first.
    Oldest,
}

/// A search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// The reader's words, in tantivy's syntax: `"a phrase"`, `AND`, `OR`,
    /// `-excluded`, `(grouping)`; words are all required unless joined by
    /// `OR`. Empty: every visible item (that the filters let through).
    pub text: String,
    /// Only items of this kind.
    pub kind: Option<String>,
    /// Only items carrying every one of these themes.
    pub themes: Vec<String>,
    /// Only items concerning this country.
    pub country: Option<String>,
    /// Only items with a version in this language (compared lowercased).
    pub language: Option<String>,
    /// Only items with this marking.
    pub marking: Option<String>,
    /// Only items published on or after this day.
    pub from: Option<time::Date>,
    /// Only items published on or before this day.
    pub to: Option<time::Date>,
    /// The order of the hits.
    pub order: Order,
    /// Hits to skip (at most [`MAX_OFFSET`]).
    pub offset: usize,
    /// Hits to return: 1 to [`MAX_LIMIT`].
    pub limit: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            text: String::new(),
            kind: None,
            themes: Vec::new(),
            country: None,
            language: None,
            marking: None,
            from: None,
            to: None,
            order: Order::Relevance,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl SearchQuery {
    /// A first page of [`DEFAULT_LIMIT`] hits for `text`, no filter.
    pub fn text(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            ..SearchQuery::default()
        }
    }
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// How many visible items match (all pages).
    pub total: u64,
    /// The requested page.
    pub hits: Vec<Hit>,
    /// Counts over all visible matching items.
    pub facets: Facets,
}

/// One item found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The item's id.
    pub id: i64,
    /// The relevance score (0 when ordered by date).
    pub score: f32,
    /// The language of the version shown in `title_html` and `snippet_html`:
    /// the version that matched best; with an empty text, the version in
    /// the language filter's language, else the first. `None` when the words
    /// matched no version, only the attachment text (the snippet then comes
    /// from the attachment), or when the item has no version.
    pub lang: Option<String>,
    /// The version's title, HTML-escaped, matched words in `<mark>…</mark>`.
    pub title_html: String,
    /// A passage of up to [`SNIPPET_CHARS`]
    /// characters around the best match, HTML-escaped, matched words in
    /// `<mark>…</mark>`, `…` where it was cut. Without a match: the start of
    /// the summary (or body).
    pub snippet_html: String,
}

pub use snippet::SNIPPET_CHARS;

/// Counts per facet value, largest first (ties by value), over the visible
/// items that match the whole search, every filter included: a facet is
/// not widened by ignoring its own filter (with `kind = report` the kind
/// facet shows only `report`). Multi-valued facets (theme, country,
/// language) count an item once under each of its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    /// By kind.
    pub kind: Vec<(String, u64)>,
    /// By theme.
    pub theme: Vec<(String, u64)>,
    /// By country.
    pub country: Vec<(String, u64)>,
    /// By language (of the versions, lowercased).
    pub language: Vec<(String, u64)>,
    /// By marking.
    pub marking: Vec<(String, u64)>,
}

/// Why the index refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The text is longer than [`MAX_QUERY_CHARS`].
    #[error("The search text is too long: use at most {max} characters.")]
    QueryTooLong {
        /// [`MAX_QUERY_CHARS`].
        max: usize,
    },
    /// The text is not valid search syntax.
    #[error("The search could not be understood: {detail}")]
    QuerySyntax {
        /// What to change, as a sentence.
        detail: String,
    },
    /// `offset`/`limit` out of range.
    #[error("That page of results cannot be shown: {detail}")]
    BadPaging {
        /// What to change, as a sentence.
        detail: String,
    },
    /// The index itself failed (disk, lock, corruption, a bad item).
    #[error("The library index failed: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(e.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(e: std::io::Error) -> Self {
        SearchError::Index(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn index_and_visible_set_are_send_and_sync() {
        assert_send_sync::<LibraryIndex>();
        assert_send_sync::<VisibleSet>();
    }

    #[test]
    fn error_messages_are_sentences() {
        let e = SearchError::QueryTooLong {
            max: MAX_QUERY_CHARS,
        };
        assert_eq!(
            e.to_string(),
            "The search text is too long: use at most 500 characters."
        );
    }
}
