//! The reader's rights inside the search: which item ids may be seen.
//!
//! The platform's policy (`accord_core::may_see`) decides; this module only
//! carries the answer into tantivy, as
//!
//! * a query clause ([`visible_query`]) that every search is intersected
//!   with, so the count, the facets, the top documents and the snippets only
//!   ever see visible documents, and
//! * a BM25 statistics provider ([`VisibleStats`]) that computes document
//!   frequencies and field lengths over the visible documents only, so a
//!   hidden item does not even move the scores or the order of the visible
//!   ones (otherwise a score would tell how many documents, hidden ones
//!   included, contain a word).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, TERMINATED, Term};

use crate::cache::{SegmentCache, bitset_words};

/// Ids above this are kept in a hash set rather than a bitset (a bitset
/// over ids up to 2^27 is 16 MiB).
const MAX_BITSET_ID: i64 = 1 << 27;

/// The library items a reader may see, by id. Cheap to clone (shared).
///
/// Membership is O(1): a bitset over ids (ids are dense positive
/// integers), or a hash set when the ids are sparse and large. Ids ≤ 0 are
/// never members (except of [`VisibleSet::all`]).
#[derive(Clone)]
pub struct VisibleSet {
    repr: Arc<Repr>,
}

enum Repr {
    All,
    Bits { words: Vec<u64>, len: usize },
    Sparse(HashSet<i64>),
}

impl VisibleSet {
    /// Every item: for the secretariat and for maintenance.
    pub fn all() -> VisibleSet {
        VisibleSet {
            repr: Arc::new(Repr::All),
        }
    }

    /// No item at all.
    pub fn none() -> VisibleSet {
        VisibleSet::from_ids([])
    }

    /// The items with these ids (duplicates and ids ≤ 0 are ignored).
    pub fn from_ids(ids: impl IntoIterator<Item = i64>) -> VisibleSet {
        let ids: Vec<i64> = ids.into_iter().filter(|&id| id > 0).collect();
        let max = ids.iter().copied().max().unwrap_or(0);
        // A bitset unless it would be both large and mostly empty.
        let repr = if max <= MAX_BITSET_ID || (max / 64) as usize <= ids.len().saturating_mul(4) {
            let mut words = vec![0u64; (max as usize) / 64 + 1];
            let mut len = 0;
            for id in ids {
                let (w, b) = ((id / 64) as usize, id % 64);
                if words[w] & (1 << b) == 0 {
                    words[w] |= 1 << b;
                    len += 1;
                }
            }
            Repr::Bits { words, len }
        } else {
            Repr::Sparse(ids.into_iter().collect())
        };
        VisibleSet {
            repr: Arc::new(repr),
        }
    }

    /// Whether the item `id` may be seen.
    #[inline]
    pub fn contains(&self, id: i64) -> bool {
        match &*self.repr {
            Repr::All => true,
            Repr::Bits { words, .. } => {
                id > 0
                    && words
                        .get((id / 64) as usize)
                        .is_some_and(|w| w & (1 << (id % 64)) != 0)
            }
            Repr::Sparse(set) => set.contains(&id),
        }
    }

    /// Whether this is [`VisibleSet::all`].
    pub fn is_all(&self) -> bool {
        matches!(&*self.repr, Repr::All)
    }

    /// How many ids the set holds (`None` for [`VisibleSet::all`]).
    pub fn len(&self) -> Option<usize> {
        match &*self.repr {
            Repr::All => None,
            Repr::Bits { len, .. } => Some(*len),
            Repr::Sparse(set) => Some(set.len()),
        }
    }

    /// Whether the set holds no id at all.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl PartialEq for VisibleSet {
    /// The same ids (cheap when it is the same set).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.repr, &other.repr)
            || match (&*self.repr, &*other.repr) {
                (Repr::All, Repr::All) => true,
                (Repr::Bits { words: a, len: n }, Repr::Bits { words: b, len: m }) => {
                    n == m && a == b
                }
                (Repr::Sparse(a), Repr::Sparse(b)) => a == b,
                _ => false,
            }
    }
}

impl std::fmt::Debug for VisibleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.len() {
            None => f.write_str("VisibleSet(all)"),
            Some(n) => write!(f, "VisibleSet({n} ids)"),
        }
    }
}

/// One rights set on one searcher generation: per segment, the bitset of
/// the visible live documents, and the corpus-wide BM25 inputs over them
/// (how many documents, how many tokens per text field).
pub(crate) struct Rights {
    generation: u64,
    visible: VisibleSet,
    segments: HashMap<SegmentId, Arc<Vec<u64>>>,
    docs: u64,
    tokens: HashMap<Field, u64>,
}

/// The last few [`Rights`]: readers with the same rights (the same
/// organisation, the same state) share them until the next commit.
#[derive(Default)]
pub(crate) struct RightsCache {
    recent: Mutex<VecDeque<Arc<Rights>>>,
}

const RIGHTS_KEPT: usize = 16;

impl RightsCache {
    /// The [`Rights`] of `visible` on `searcher`, from the cache or built now
    /// (one pass over the segments' id arrays and field norms).
    pub(crate) fn rights(
        &self,
        searcher: &Searcher,
        visible: &VisibleSet,
        cache: &SegmentCache,
        text_fields: &[Field],
    ) -> tantivy::Result<Arc<Rights>> {
        let generation = searcher.generation().generation_id();
        {
            let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(at) = recent
                .iter()
                .position(|r| r.generation == generation && r.visible == *visible)
            {
                let hit = recent.remove(at).expect("found");
                recent.push_front(Arc::clone(&hit));
                return Ok(hit);
            }
        }
        let mut docs = 0u64;
        let mut tokens: HashMap<Field, u64> = text_fields.iter().map(|&f| (f, 0)).collect();
        let mut segments = HashMap::new();
        for segment in searcher.segment_readers() {
            let data = cache.get(segment)?;
            let alive = segment.alive_bitset();
            let norms = text_fields
                .iter()
                .map(|&f| Ok((f, segment.get_fieldnorms_reader(f)?)))
                .collect::<tantivy::Result<Vec<_>>>()?;
            let mut sums = vec![0u64; norms.len()];
            let mut bits = vec![0u64; bitset_words(segment.max_doc())];
            for doc in 0..segment.max_doc() {
                if visible.contains(data.ids[doc as usize] as i64)
                    && alive.is_none_or(|a| a.is_alive(doc))
                {
                    bits[doc as usize / 64] |= 1 << (doc % 64);
                    docs += 1;
                    for ((_, reader), sum) in norms.iter().zip(sums.iter_mut()) {
                        *sum += u64::from(reader.fieldnorm(doc));
                    }
                }
            }
            for ((field, _), sum) in norms.iter().zip(sums) {
                *tokens.entry(*field).or_insert(0) += sum;
            }
            segments.insert(segment.segment_id(), Arc::new(bits));
        }
        let rights = Arc::new(Rights {
            generation,
            visible: visible.clone(),
            segments,
            docs,
            tokens,
        });
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.retain(|r| r.generation == generation);
        recent.push_front(Arc::clone(&rights));
        recent.truncate(RIGHTS_KEPT);
        Ok(rights)
    }
}

/// The rights as a query clause: matches exactly the visible live
/// documents. Its cost is declared high so that a text query leads the
/// intersection and this clause is only asked about the text query's
/// candidates (an O(1) bit test each); a phrase, costlier still, follows
/// it instead, so positions are only read for visible documents.
#[derive(Clone)]
pub(crate) struct RightsQuery(pub Arc<Rights>);

impl std::fmt::Debug for RightsQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RightsQuery({} docs)", self.0.docs)
    }
}

impl Query for RightsQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for RightsQuery {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        // A segment the rights were not built for (none, on the same
        // searcher) shows nothing: fail closed.
        let bits = self
            .0
            .segments
            .get(&reader.segment_id())
            .cloned()
            .unwrap_or_else(|| Arc::new(vec![0; bitset_words(reader.max_doc())]));
        Ok(Box::new(BitsScorer::new(bits, reader.max_doc())))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("visible", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not visible"
            )))
        }
    }
}

/// A docset over a bitset of doc ids; scores 0.
struct BitsScorer {
    bits: Arc<Vec<u64>>,
    doc: DocId,
    max_doc: DocId,
    len: u32,
}

impl BitsScorer {
    fn new(bits: Arc<Vec<u64>>, max_doc: DocId) -> Self {
        let len = bits.iter().map(|w| w.count_ones()).sum();
        let mut scorer = BitsScorer {
            bits,
            doc: 0,
            max_doc,
            len,
        };
        scorer.doc = scorer.next_from(0);
        scorer
    }

    /// The first set doc ≥ `from`, or TERMINATED.
    fn next_from(&self, from: DocId) -> DocId {
        if from >= self.max_doc {
            return TERMINATED;
        }
        let mut w = from as usize / 64;
        let mut word = self.bits[w] & (u64::MAX << (from % 64));
        loop {
            if word != 0 {
                let doc = (w * 64) as DocId + word.trailing_zeros();
                return if doc < self.max_doc { doc } else { TERMINATED };
            }
            w += 1;
            if w >= self.bits.len() {
                return TERMINATED;
            }
            word = self.bits[w];
        }
    }
}

impl DocSet for BitsScorer {
    fn advance(&mut self) -> DocId {
        self.doc = if self.doc == TERMINATED {
            TERMINATED
        } else {
            self.next_from(self.doc + 1)
        };
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = self.next_from(target);
        }
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= self.max_doc {
            self.doc = TERMINATED;
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.bits[target as usize / 64] & (1 << (target % 64)) != 0 {
            self.doc = target;
            SeekDangerResult::Found
        } else {
            self.doc = self.next_from(target);
            SeekDangerResult::SeekLowerBound(self.doc)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }

    fn cost(&self) -> u64 {
        // See [`RightsQuery`]: follow a text query, lead a phrase.
        u64::from(self.max_doc) * 4
    }
}

impl Scorer for BitsScorer {
    fn score(&mut self) -> Score {
        0.0
    }
}

/// BM25 statistics over the visible, live documents only.
pub(crate) struct VisibleStats<'a> {
    searcher: &'a Searcher,
    rights: &'a Rights,
}

impl<'a> VisibleStats<'a> {
    pub(crate) fn new(searcher: &'a Searcher, rights: &'a Rights) -> Self {
        VisibleStats { searcher, rights }
    }
}

impl Bm25StatisticsProvider for VisibleStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.rights.tokens.get(&field) {
            Some(&n) => Ok(n),
            // Not a text field of ours (a filter field): nothing to hide.
            None => self.searcher.total_num_tokens(field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.rights.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut n = 0u64;
        for segment in self.searcher.segment_readers() {
            let Some(bits) = self.rights.segments.get(&segment.segment_id()) else {
                continue;
            };
            let inverted = segment.inverted_index(term.field())?;
            let Some(mut block) = inverted.read_block_postings(term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            // Whole decoded blocks of doc ids at a time.
            loop {
                let docs = block.docs();
                if docs.is_empty() {
                    break;
                }
                n += docs
                    .iter()
                    .map(|&doc| (bits[doc as usize / 64] >> (doc % 64)) & 1)
                    .sum::<u64>();
                block.advance();
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_is_exact() {
        let set = VisibleSet::from_ids([1, 5, 64, 65, 5, -3, 0]);
        for id in [1, 5, 64, 65] {
            assert!(set.contains(id), "{id}");
        }
        for id in [-3, 0, 2, 63, 66, 1_000_000] {
            assert!(!set.contains(id), "{id}");
        }
        assert_eq!(set.len(), Some(4));
    }

    #[test]
    fn sparse_large_ids_use_a_hash_set() {
        let set = VisibleSet::from_ids([3, 1 << 40]);
        assert!(matches!(&*set.repr, Repr::Sparse(_)));
        assert!(set.contains(1 << 40) && set.contains(3) && !set.contains(4));
    }

    #[test]
    fn bits_scorer_walks_and_seeks() {
        let mut bits = vec![0u64; 3];
        for d in [0u32, 5, 63, 64, 130] {
            bits[d as usize / 64] |= 1 << (d % 64);
        }
        let mut s = BitsScorer::new(Arc::new(bits), 131);
        assert_eq!(s.size_hint(), 5);
        assert_eq!(s.doc(), 0);
        assert_eq!(s.advance(), 5);
        assert_eq!(s.seek(6), 63);
        assert_eq!(s.advance(), 64);
        assert!(matches!(
            s.seek_danger(100),
            SeekDangerResult::SeekLowerBound(130)
        ));
        assert!(matches!(s.seek_danger(130), SeekDangerResult::Found));
        assert_eq!(s.advance(), TERMINATED);
        assert_eq!(s.advance(), TERMINATED);
        let mut empty = BitsScorer::new(Arc::new(vec![0; 2]), 100);
        assert_eq!(empty.doc(), TERMINATED);
        assert!(matches!(
            empty.seek_danger(3),
            SeekDangerResult::SeekLowerBound(TERMINATED)
        ));
    }

    #[test]
    fn sets_compare_by_their_ids() {
        assert_eq!(
            VisibleSet::from_ids([3, 1, 2]),
            VisibleSet::from_ids([1, 2, 3, 3])
        );
        assert_ne!(
            VisibleSet::from_ids([1, 2]),
            VisibleSet::from_ids([1, 2, 3])
        );
        assert_ne!(VisibleSet::from_ids([1]), VisibleSet::all());
        assert_eq!(VisibleSet::all(), VisibleSet::all());
    }

    #[test]
    fn all_contains_everything_and_none_nothing() {
        assert!(VisibleSet::all().contains(42) && VisibleSet::all().is_all());
        assert!(!VisibleSet::none().contains(1) && VisibleSet::none().is_empty());
    }
}
