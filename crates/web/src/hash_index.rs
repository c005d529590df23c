//! The hash banks' match index the server answers lookups from: every active
//! hash of every bank, PDQ in the multi-index (exact for distances ≤ 31),
//! vPDQ videos by their frames in the same kind of index, MD5 and SHA-256
//! exactly. It follows the store's change feed: before a
//! lookup it applies the changes after the last one it saw (an add, a
//! removal, a hold), so it is updated incrementally, never rebuilt, and is in
//! step with every other node on the same database.

use std::collections::HashMap;

use accord_hashes::bank::HashState;
use accord_hashes::{
    ExactIndex, HashError, Md5Digest, PdqHash, PdqIndex, Sha256Digest, SignalType,
    VPDQ_INDEX_MATCH_PERCENT, VPDQ_QUERY_MATCH_PERCENT, VpdqIndex, VpdqMatch, parse_vpdq_signal,
};
use accord_store::hash_banks::HashRecord;
use accord_store::{Store, StoreError};
use tokio::sync::RwLock;

#[derive(Default)]
struct Inner {
    pdq: PdqIndex<i64>,
    vpdq: VpdqIndex<i64>,
    md5: ExactIndex<Md5Digest, i64>,
    sha256: ExactIndex<Sha256Digest, i64>,
    /// The matchable hashes, by id.
    hashes: HashMap<i64, HashRecord>,
    /// The last change applied.
    seq: i64,
}

impl Inner {
    fn apply(&mut self, h: HashRecord) {
        self.seq = self.seq.max(h.seq);
        let id = h.id;
        self.pdq.remove(&id);
        self.vpdq.remove(&id);
        self.md5.remove(&id);
        self.sha256.remove(&id);
        self.hashes.remove(&id);
        if h.state != HashState::Active {
            return;
        }
        let added = match h.signal_type {
            SignalType::Pdq => PdqHash::parse(&h.signal).map(|p| {
                self.pdq.add(id, p);
            }),
            SignalType::Md5 => Md5Digest::parse(&h.signal).map(|d| {
                self.md5.add(id, d);
            }),
            SignalType::Sha256 => Sha256Digest::parse(&h.signal).map(|d| {
                self.sha256.add(id, d);
            }),
            SignalType::Vpdq => parse_vpdq_signal(&h.signal).map(|frames| {
                self.vpdq.add(id, &frames);
            }),
        };
        match added {
            Ok(()) => {
                self.hashes.insert(id, h);
            }
            Err(e) => tracing::warn!(hash = id, error = %e, "a stored hash cannot be indexed"),
        }
    }
}

/// A match: the stored hash and its distance (0 for exact digests and
/// videos; a video's match is its shares).
pub struct Found {
    pub hash: HashRecord,
    pub distance: u32,
    pub shares: Option<VpdqMatch>,
}

#[derive(Default)]
pub struct HashIndex {
    inner: RwLock<Inner>,
}

/// How many changes one refresh reads at a time.
const PAGE: i64 = 10_000;

impl HashIndex {
    /// Applies every change after the last one seen.
    pub async fn refresh(&self, store: &Store) -> Result<(), StoreError> {
        loop {
            let since = self.inner.read().await.seq;
            let changes = store.hash_changes(since, PAGE).await?;
            if changes.is_empty() {
                return Ok(());
            }
            let mut inner = self.inner.write().await;
            // Another request may have applied the same page meanwhile.
            for h in changes {
                if h.seq > inner.seq {
                    inner.apply(h);
                }
            }
        }
    }

    /// The active hashes matching one signal: PDQ within `distance`, a
    /// video whose frames match within `distance` in ThreatExchange's shares
    /// (80 % of the query's frames), digests exactly.
    pub async fn lookup(
        &self,
        kind: SignalType,
        signal: &str,
        distance: u32,
    ) -> Result<Vec<Found>, HashError> {
        let inner = self.inner.read().await;
        let exact = |ids: Vec<i64>| ids.into_iter().map(|id| (id, 0, None)).collect();
        let ids: Vec<(i64, u32, Option<VpdqMatch>)> = match kind {
            SignalType::Pdq => inner
                .pdq
                .lookup(&PdqHash::parse(signal)?, distance)
                .into_iter()
                .map(|(id, d)| (id, d, None))
                .collect(),
            SignalType::Md5 => exact(inner.md5.lookup(&Md5Digest::parse(signal)?)),
            SignalType::Sha256 => exact(inner.sha256.lookup(&Sha256Digest::parse(signal)?)),
            SignalType::Vpdq => inner
                .vpdq
                .lookup(
                    &parse_vpdq_signal(signal)?,
                    distance,
                    VPDQ_QUERY_MATCH_PERCENT,
                    VPDQ_INDEX_MATCH_PERCENT,
                )
                .into_iter()
                .map(|f| (f.id, 0, Some(f.shares)))
                .collect(),
        };
        Ok(ids
            .into_iter()
            .filter_map(|(id, distance, shares)| {
                inner.hashes.get(&id).map(|h| Found {
                    hash: h.clone(),
                    distance,
                    shares,
                })
            })
            .collect())
    }

    /// The active hashes within `distance` of each PDQ hash, in order: one
    /// pass over the index for the whole batch (its probes sorted, so the
    /// tables are read in address order), several times faster than one
    /// lookup each.
    pub async fn lookup_pdq_batch(&self, queries: &[PdqHash], distance: u32) -> Vec<Vec<Found>> {
        let inner = self.inner.read().await;
        inner
            .pdq
            .lookup_batch(queries, distance)
            .into_iter()
            .map(|ids| {
                ids.into_iter()
                    .filter_map(|(id, distance)| {
                        inner.hashes.get(&id).map(|h| Found {
                            hash: h.clone(),
                            distance,
                            shares: None,
                        })
                    })
                    .collect()
            })
            .collect()
    }

    pub async fn len(&self) -> usize {
        self.inner.read().await.hashes.len()
    }
}
