//! The index: schema, opening, applying changes.

use std::fs;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::query::QueryParser;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, Warmer};

use crate::cache::SegmentCache;
use crate::visible::RightsCache;

use crate::analysis::{self, GROUPS, Group, MIXED_ANALYZER};
use crate::{IndexedItem, SearchError};

/// Bumped whenever the schema or an analyser changes the terms it makes; an
/// index written under another version is wiped on open (callers see
/// `applied_through() == 0` and reindex).
pub const SCHEMA_VERSION: u32 = 1;

/// Attachment text indexed per item: the first 4 MiB (cut at a character
/// boundary). Text past that is not searchable.
pub const MAX_ATTACHMENT_BYTES: usize = 4 << 20;
/// Body text indexed per language version: the first 1 MiB of the text the
/// Markdown shows.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Kept (stored) per body for snippets: a match further in still finds the
/// item, but its snippet falls back to the summary.
pub(crate) const SNIPPET_SOURCE_BYTES: usize = 16 << 10;
/// Kept of the attachment text for snippets (loading a hit reads all its
/// stored text, so this is smaller: attachment-only matches are few).
pub(crate) const ATTACHMENT_SNIPPET_BYTES: usize = 4 << 10;

pub(crate) const ID_FIELD: &str = "id";
pub(crate) const DAY_FIELD: &str = "day";
/// The facet fields, in [`crate::Facets`] order.
pub(crate) const FACET_FIELDS: [&str; 5] = ["kind", "theme", "country", "lang", "marking"];

const PAYLOAD_PREFIX: &str = "accord-search";

/// The schema's fields.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub kind: Field,
    pub marking: Field,
    pub theme: Field,
    pub country: Field,
    pub lang: Field,
    pub day: Field,
    /// `title_<group>`, in [`Group::ALL`] order.
    pub title: [Field; GROUPS],
    /// `text_<group>` (summary and body), in [`Group::ALL`] order.
    pub text: [Field; GROUPS],
    pub attach: Field,
    // Stored only, for snippets: one value per version, in version order.
    pub v_lang: Field,
    pub v_title: Field,
    pub v_summary: Field,
    pub v_body: Field,
    pub s_attach: Field,
}

pub(crate) fn group_index(group: Group) -> usize {
    Group::ALL
        .iter()
        .position(|&g| g == group)
        .unwrap_or(GROUPS - 1)
}

fn text_options(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_u64_field(ID_FIELD, INDEXED | FAST);
    let kind = b.add_text_field("kind", STRING | FAST);
    let marking = b.add_text_field("marking", STRING | FAST);
    let theme = b.add_text_field("theme", STRING | FAST);
    let country = b.add_text_field("country", STRING | FAST);
    let lang = b.add_text_field("lang", STRING | FAST);
    let day = b.add_i64_field(DAY_FIELD, INDEXED | FAST);
    let title = Group::ALL.map(|g| {
        b.add_text_field(
            &format!("title_{}", g.suffix()),
            text_options(g.analyzer_name()),
        )
    });
    let text = Group::ALL.map(|g| {
        b.add_text_field(
            &format!("text_{}", g.suffix()),
            text_options(g.analyzer_name()),
        )
    });
    let attach = b.add_text_field("attach", text_options(MIXED_ANALYZER));
    let v_lang = b.add_text_field("v_lang", STORED);
    let v_title = b.add_text_field("v_title", STORED);
    let v_summary = b.add_text_field("v_summary", STORED);
    let v_body = b.add_text_field("v_body", STORED);
    let s_attach = b.add_text_field("s_attach", STORED);
    let fields = Fields {
        id,
        kind,
        marking,
        theme,
        country,
        lang,
        day,
        title,
        text,
        attach,
        v_lang,
        v_title,
        v_summary,
        v_body,
        s_attach,
    };
    (b.build(), fields)
}

fn payload(through: i64) -> String {
    format!("{PAYLOAD_PREFIX};schema={SCHEMA_VERSION};through={through}")
}

/// `(schema version, through)` from a commit payload of ours.
fn parse_payload(payload: &str) -> Option<(u32, i64)> {
    let mut parts = payload.split(';');
    if parts.next()? != PAYLOAD_PREFIX {
        return None;
    }
    let schema = parts.next()?.strip_prefix("schema=")?.parse().ok()?;
    let through = parts.next()?.strip_prefix("through=")?.parse().ok()?;
    Some((schema, through))
}

/// The first `max` bytes of `s`, cut back to a character boundary.
pub(crate) fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The library's full-text index. `Send + Sync`: share one per process (an
/// `Arc`), search from any thread; [`LibraryIndex::apply`] calls are
/// serialised internally.
///
/// On disk, the index holds tantivy's writer lock for as long as it is open:
/// one process per directory.
pub struct LibraryIndex {
    index: Index,
    reader: IndexReader,
    /// `None` only while [`LibraryIndex::wait_for_merges`] swaps it.
    writer: Mutex<Option<IndexWriter>>,
    writer_threads: usize,
    writer_bytes: usize,
    pub(crate) fields: Fields,
    pub(crate) parser: QueryParser,
    pub(crate) cache: Arc<SegmentCache>,
    pub(crate) rights: RightsCache,
    through: AtomicI64,
}

/// Writer memory for an on-disk index, split over its threads.
const DISK_WRITER_BYTES: usize = 128 << 20;
/// Writer memory for an in-memory (test) index.
const RAM_WRITER_BYTES: usize = 24 << 20;

impl LibraryIndex {
    /// Opens the index in `dir` (its own directory), creating it if missing.
    /// An index written under another [`SCHEMA_VERSION`], with another
    /// schema, or that cannot be read is wiped and created anew:
    /// [`LibraryIndex::applied_through`] is then 0 and the caller reindexes.
    /// A directory that holds other files but no index is refused rather
    /// than wiped.
    pub fn open(dir: &Path) -> Result<LibraryIndex, SearchError> {
        fs::create_dir_all(dir).map_err(|e| {
            SearchError::Index(format!(
                "Cannot create the index directory {}: {e}.",
                dir.display()
            ))
        })?;
        let (schema, fields) = build_schema();
        if dir.join("meta.json").exists() {
            if let Ok(index) = Index::open_in_dir(dir) {
                analysis::register(index.tokenizers());
                // Take the writer lock before judging, so a directory in use
                // by another process is never wiped.
                let writer = Self::writer(&index, writer_threads(), DISK_WRITER_BYTES)?;
                let metas = index.load_metas()?;
                let through = match metas.payload.as_deref().map(parse_payload) {
                    Some(Some((version, through))) if version == SCHEMA_VERSION => Some(through),
                    // Created but never committed by us: nothing to lose.
                    None => Some(0),
                    _ => None,
                };
                if let Some(through) = through
                    && metas.schema == schema
                {
                    return Self::from_parts(
                        index,
                        writer,
                        (writer_threads(), DISK_WRITER_BYTES),
                        fields,
                        through,
                    );
                }
                drop(writer);
            }
            wipe(dir)?;
        } else if fs::read_dir(dir)?.next().is_some() {
            return Err(SearchError::Index(format!(
                "The directory {} is not empty and holds no library index; give the index a directory of its own.",
                dir.display()
            )));
        }
        let index = Index::create_in_dir(dir, schema)?;
        analysis::register(index.tokenizers());
        let writer = Self::writer(&index, writer_threads(), DISK_WRITER_BYTES)?;
        let this = Self::from_parts(
            index,
            writer,
            (writer_threads(), DISK_WRITER_BYTES),
            fields,
            0,
        )?;
        this.commit_empty()?;
        Ok(this)
    }

    /// A new, empty index in memory (tests, tools).
    pub fn in_memory() -> Result<LibraryIndex, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        analysis::register(index.tokenizers());
        let writer = Self::writer(&index, 1, RAM_WRITER_BYTES)?;
        let this = Self::from_parts(index, writer, (1, RAM_WRITER_BYTES), fields, 0)?;
        this.commit_empty()?;
        Ok(this)
    }

    fn writer(index: &Index, threads: usize, bytes: usize) -> Result<IndexWriter, SearchError> {
        index
            .writer_with_num_threads(threads, bytes)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => SearchError::Index(
                    "The index directory is open in another process (or another LibraryIndex); only one may use it at a time.".to_string(),
                ),
                e => e.into(),
            })
    }

    fn from_parts(
        index: Index,
        writer: IndexWriter,
        (writer_threads, writer_bytes): (usize, usize),
        fields: Fields,
        through: i64,
    ) -> Result<LibraryIndex, SearchError> {
        let cache = Arc::new(SegmentCache::default());
        let warmer: Arc<dyn Warmer> = cache.clone();
        let reader = index
            .reader_builder()
            // Our own commits reload explicitly; this picks up merges.
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()?;
        let mut defaults = Vec::new();
        defaults.extend(fields.title);
        defaults.extend(fields.text);
        defaults.push(fields.attach);
        let mut parser = QueryParser::for_index(&index, defaults);
        parser.set_conjunction_by_default();
        for f in fields.title {
            parser.set_field_boost(f, 3.0);
        }
        parser.set_field_boost(fields.attach, 0.5);
        Ok(LibraryIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            writer_threads,
            writer_bytes,
            fields,
            parser,
            cache,
            rights: RightsCache::default(),
            through: AtomicI64::new(through),
        })
    }

    fn commit_empty(&self) -> Result<(), SearchError> {
        let mut writer = self.lock_writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload(self.applied_through()));
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn lock_slot(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        // A panic while holding the lock leaves nothing half-committed that
        // the next commit or rollback would not settle.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_writer(&self) -> Result<WriterGuard<'_>, SearchError> {
        let slot = self.lock_slot();
        if slot.is_none() {
            return Err(SearchError::Index(
                "The index writer could not be reopened; open the index again.".to_string(),
            ));
        }
        Ok(WriterGuard(slot))
    }

    /// Applies a batch of changes and commits it durably, in one commit that
    /// records `through` (the database change-sequence number the batch
    /// brings the index up to). An upsert replaces any earlier document of
    /// its id (within the batch, the last one wins); an id both upserted and
    /// removed in one batch ends up removed. On return a search sees the
    /// change. On error nothing of the batch is applied.
    pub fn apply(
        &self,
        upserts: &[IndexedItem],
        removals: &[i64],
        through: i64,
    ) -> Result<(), SearchError> {
        if let Some(bad) = upserts.iter().find(|item| item.id <= 0) {
            return Err(SearchError::Index(format!(
                "Item id {} cannot be indexed: ids must be positive.",
                bad.id
            )));
        }
        let mut writer = self.lock_writer()?;
        let result = (|| -> Result<(), SearchError> {
            for item in upserts {
                writer.delete_term(Term::from_field_u64(self.fields.id, item.id as u64));
                writer.add_document(self.document(item))?;
            }
            for &id in removals {
                if id > 0 {
                    writer.delete_term(Term::from_field_u64(self.fields.id, id as u64));
                }
            }
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload(through));
            prepared.commit()?;
            Ok(())
        })();
        if let Err(e) = result {
            // Drop what was queued; the last commit stands.
            let _ = writer.rollback();
            return Err(e);
        }
        self.through.store(through, AtomicOrdering::SeqCst);
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The change-sequence number the last commit recorded: 0 for a new (or
    /// wiped) index. Survives reopening.
    pub fn applied_through(&self) -> i64 {
        self.through.load(AtomicOrdering::SeqCst)
    }

    /// Deletes every document and commits with `applied_through() == 0`
    /// (for `accord library reindex`).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut writer = self.lock_writer()?;
        writer.delete_all_documents()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload(0));
        prepared.commit()?;
        self.through.store(0, AtomicOrdering::SeqCst);
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Documents (items) indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether no item is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits for background segment merges to finish and makes the reader
    /// see their result (benchmarks, maintenance; never needed for
    /// correctness).
    pub fn wait_for_merges(&self) -> Result<(), SearchError> {
        let mut slot = self.lock_slot();
        let Some(writer) = slot.take() else {
            return Err(SearchError::Index(
                "The index writer could not be reopened; open the index again.".to_string(),
            ));
        };
        // Only a writer's end waits for its merges; then take the lock anew.
        writer.wait_merging_threads()?;
        *slot = Some(Self::writer(
            &self.index,
            self.writer_threads,
            self.writer_bytes,
        )?);
        drop(slot);
        self.reader.reload()?;
        Ok(())
    }

    /// Segments the reader currently searches.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// The fields the words are searched in.
    pub(crate) fn text_fields(&self) -> Vec<Field> {
        let mut fields = Vec::with_capacity(2 * GROUPS + 1);
        fields.extend(self.fields.title);
        fields.extend(self.fields.text);
        fields.push(self.fields.attach);
        fields
    }

    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    pub(crate) fn analyzer(&self, name: &str) -> TextAnalyzer {
        self.index
            .tokenizers()
            .get(name)
            .unwrap_or_else(analysis::mixed_analyzer)
    }

    fn document(&self, item: &IndexedItem) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, item.id as u64);
        doc.add_text(f.kind, item.kind.trim());
        doc.add_text(f.marking, item.marking.trim());
        for (field, values) in [(f.theme, &item.themes), (f.country, &item.countries)] {
            let mut seen: Vec<&str> = Vec::new();
            for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                if !seen.contains(&v) {
                    seen.push(v);
                    doc.add_text(field, v);
                }
            }
        }
        let mut langs: Vec<String> = Vec::new();
        for v in &item.versions {
            let lang = v.lang.trim().to_lowercase();
            if !lang.is_empty() && !langs.contains(&lang) {
                doc.add_text(f.lang, &lang);
                langs.push(lang);
            }
        }
        if let Some(date) = item.published {
            doc.add_i64(f.day, i64::from(date.to_julian_day()));
        }
        for v in &item.versions {
            let g = group_index(Group::for_lang(&v.lang));
            let body = analysis::markdown_to_text(cap(&v.body, MAX_BODY_BYTES * 2));
            let body = cap(&body, MAX_BODY_BYTES);
            doc.add_text(f.title[g], &v.title);
            doc.add_text(f.text[g], &v.summary);
            doc.add_text(f.text[g], body);
            doc.add_text(f.v_lang, v.lang.trim());
            doc.add_text(f.v_title, &v.title);
            doc.add_text(f.v_summary, &v.summary);
            doc.add_text(f.v_body, cap(body, SNIPPET_SOURCE_BYTES));
        }
        if !item.attachment_text.is_empty() {
            let text = cap(&item.attachment_text, MAX_ATTACHMENT_BYTES);
            doc.add_text(f.attach, text);
            doc.add_text(f.s_attach, cap(text, ATTACHMENT_SNIPPET_BYTES));
        }
        doc
    }
}

fn writer_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 2)
}

/// The locked writer (present).
struct WriterGuard<'a>(MutexGuard<'a, Option<IndexWriter>>);

impl Deref for WriterGuard<'_> {
    type Target = IndexWriter;
    fn deref(&self) -> &IndexWriter {
        self.0.as_ref().expect("checked when locked")
    }
}

impl DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut IndexWriter {
        self.0.as_mut().expect("checked when locked")
    }
}

/// Removes the files (not subdirectories) of an index directory.
fn wipe(dir: &Path) -> Result<(), SearchError> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        assert_eq!(parse_payload(&payload(42)), Some((SCHEMA_VERSION, 42)));
        assert_eq!(parse_payload("something else"), None);
        assert_eq!(parse_payload("accord-search;schema=x;through=1"), None);
    }

    #[test]
    fn cap_cuts_at_a_character_boundary() {
        assert_eq!(cap("жжж", 3), "ж");
        assert_eq!(cap("abc", 10), "abc");
    }
}
