//! An exact in-memory index of PDQ hashes for Hamming-radius search.
//!
//! Multi-index hashing: the 256 bits are cut into 16 chunks of 16 bits and
//! each chunk value has a bucket of the hashes carrying it. If two hashes
//! differ in at most 31 bits, at least one chunk differs in at most one bit
//! — otherwise all 16 chunks differ in two or more and the total is at least
//! 32 (pigeonhole). So probing, for each chunk, the query's own chunk value
//! and its 16 one-bit neighbours finds every hash within 31 bits; for a
//! radius up to 15 some chunk is identical and the exact bucket suffices.
//! Every candidate's full distance is then checked, so the result is exact,
//! not approximate. Radii over 31 fall back to a scan (still exact).
//!
//! A hash sitting in several probed buckets is reported once: only from the
//! first chunk that qualifies it, which needs no "seen" set.
//!
//! Additions and removals touch the 16 buckets of one hash; nothing is ever
//! rebuilt. Storage is dense (a removal moves the last hash into the hole),
//! so memory is proportional to the live hashes.

use std::collections::HashMap;
use std::hash::Hash;

use crate::PdqHash;

const CHUNKS: usize = 16;
const BUCKETS: usize = 1 << 16;
/// The largest radius the bucket probing covers.
pub const MAX_PROBED_RADIUS: u32 = 31;

/// An exact Hamming-radius index from PDQ hashes to ids of type `K`.
#[derive(Debug, Clone)]
pub struct PdqIndex<K> {
    /// Dense per-slot storage.
    words: Vec<[u64; 4]>,
    ids: Vec<K>,
    slot_of: HashMap<K, u32>,
    /// `CHUNKS * BUCKETS` buckets of slot numbers.
    buckets: Vec<Vec<u32>>,
}

impl<K: Clone + Eq + Hash + Ord> Default for PdqIndex<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// Chunk `c` of a hash in word form (16-bit pieces, most significant first).
#[inline]
fn chunk(w: &[u64; 4], c: usize) -> u16 {
    (w[c / 4] >> (48 - 16 * (c % 4))) as u16
}

#[inline]
fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

impl<K: Clone + Eq + Hash + Ord> PdqIndex<K> {
    pub fn new() -> Self {
        PdqIndex {
            words: Vec::new(),
            ids: Vec::new(),
            slot_of: HashMap::new(),
            buckets: vec![Vec::new(); CHUNKS * BUCKETS],
        }
    }

    /// Number of hashes stored.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The hash stored under `id`.
    pub fn get(&self, id: &K) -> Option<PdqHash> {
        self.slot_of
            .get(id)
            .map(|&s| PdqHash::from_words(self.words[s as usize]))
    }

    /// Stores `hash` under `id`, replacing (and returning) any hash `id`
    /// had: one id, one hash.
    pub fn add(&mut self, id: K, hash: PdqHash) -> Option<PdqHash> {
        let previous = self.remove(&id);
        let slot = u32::try_from(self.ids.len()).expect("more than 2^32 hashes in one index");
        let w = hash.words();
        for c in 0..CHUNKS {
            self.buckets[c * BUCKETS + chunk(&w, c) as usize].push(slot);
        }
        self.words.push(w);
        self.ids.push(id.clone());
        self.slot_of.insert(id, slot);
        previous
    }

    /// Removes `id`, returning its hash.
    pub fn remove(&mut self, id: &K) -> Option<PdqHash> {
        let slot = self.slot_of.remove(id)?;
        let w = self.words[slot as usize];
        for c in 0..CHUNKS {
            let bucket = &mut self.buckets[c * BUCKETS + chunk(&w, c) as usize];
            let at = bucket
                .iter()
                .position(|&s| s == slot)
                .expect("index bucket lost a slot");
            bucket.swap_remove(at);
            if bucket.is_empty() {
                // Give the memory back: long-lived indexes churn.
                *bucket = Vec::new();
            }
        }
        let last = (self.ids.len() - 1) as u32;
        if slot != last {
            // Move the last hash into the hole and repoint its buckets.
            let lw = self.words[last as usize];
            for c in 0..CHUNKS {
                let bucket = &mut self.buckets[c * BUCKETS + chunk(&lw, c) as usize];
                let at = bucket
                    .iter()
                    .position(|&s| s == last)
                    .expect("index bucket lost a slot");
                bucket[at] = slot;
            }
            let moved = self.ids[last as usize].clone();
            self.slot_of.insert(moved, slot);
        }
        self.words.swap_remove(slot as usize);
        self.ids.swap_remove(slot as usize);
        Some(PdqHash::from_words(w))
    }

    /// Every stored id within `radius` bits of `query`, with its distance,
    /// sorted by distance then id.
    pub fn lookup(&self, query: &PdqHash, radius: u32) -> Vec<(K, u32)> {
        let mut found = Vec::new();
        self.lookup_into(query, radius, &mut found);
        let mut out: Vec<(K, u32)> = found
            .into_iter()
            .map(|(slot, d)| (self.ids[slot as usize].clone(), d))
            .collect();
        out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// As [`PdqIndex::lookup`] for each of several query hashes (such as the
    /// dihedral variants of one image), keeping each id's best distance.
    pub fn lookup_any(&self, queries: &[PdqHash], radius: u32) -> Vec<(K, u32)> {
        let mut best: HashMap<u32, u32> = HashMap::new();
        let mut found = Vec::new();
        for q in queries {
            found.clear();
            self.lookup_into(q, radius, &mut found);
            for &(slot, d) in &found {
                best.entry(slot)
                    .and_modify(|b| *b = (*b).min(d))
                    .or_insert(d);
            }
        }
        let mut out: Vec<(K, u32)> = best
            .into_iter()
            .map(|(slot, d)| (self.ids[slot as usize].clone(), d))
            .collect();
        out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Pushes `(slot, distance)` for each hash within `radius`, unsorted.
    fn lookup_into(&self, query: &PdqHash, radius: u32, out: &mut Vec<(u32, u32)>) {
        let q = query.words();
        if radius > MAX_PROBED_RADIUS {
            for (slot, w) in self.words.iter().enumerate() {
                let d = distance(&q, w);
                if d <= radius {
                    out.push((slot as u32, d));
                }
            }
            return;
        }
        // The largest per-chunk distance pigeonhole guarantees for some chunk.
        let tolerance = if radius < CHUNKS as u32 { 0 } else { 1 };
        let qc: [u16; CHUNKS] = std::array::from_fn(|c| chunk(&q, c));
        for c in 0..CHUNKS {
            let base = c * BUCKETS;
            let probe = |value: u16, out: &mut Vec<(u32, u32)>| {
                for &slot in &self.buckets[base + value as usize] {
                    let w = &self.words[slot as usize];
                    let d = distance(&q, w);
                    if d <= radius && first_close_chunk(&qc, w, tolerance) == c {
                        out.push((slot, d));
                    }
                }
            };
            probe(qc[c], out);
            if tolerance == 1 {
                for bit in 0..16 {
                    probe(qc[c] ^ (1 << bit), out);
                }
            }
        }
    }

    /// An estimate of the heap memory held, in bytes (capacities, not
    /// lengths; the id map's table counted at its capacity).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let buckets: usize = self
            .buckets
            .iter()
            .map(|b| b.capacity() * size_of::<u32>())
            .sum::<usize>()
            + self.buckets.capacity() * size_of::<Vec<u32>>();
        buckets
            + self.words.capacity() * size_of::<[u64; 4]>()
            + self.ids.capacity() * size_of::<K>()
            + self.slot_of.capacity() * (size_of::<K>() + size_of::<u32>() + 1)
    }
}

/// The first chunk whose distance to the query is within `tolerance`.
#[inline]
fn first_close_chunk(qc: &[u16; CHUNKS], w: &[u64; 4], tolerance: u32) -> usize {
    (0..CHUNKS)
        .find(|&c| (qc[c] ^ chunk(w, c)).count_ones() <= tolerance)
        .unwrap_or(CHUNKS)
}

/// The reference answer: a scan of every hash. For tests and benchmarks.
pub fn brute_force<'a, K: Clone + Ord + 'a>(
    entries: impl IntoIterator<Item = (&'a K, &'a PdqHash)>,
    query: &PdqHash,
    radius: u32,
) -> Vec<(K, u32)> {
    let mut out: Vec<(K, u32)> = entries
        .into_iter()
        .filter_map(|(k, h)| {
            let d = h.distance(query);
            (d <= radius).then(|| (k.clone(), d))
        })
        .collect();
    out.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(seed: u64) -> PdqHash {
        let mut s = crate::synthetic::SplitMix64::new(seed);
        PdqHash::from_words([s.next_u64(), s.next_u64(), s.next_u64(), s.next_u64()])
    }

    fn flip(mut hash: PdqHash, bits: &[usize]) -> PdqHash {
        for &b in bits {
            hash = hash.with_bit_flipped(b);
        }
        hash
    }

    #[test]
    fn a_hash_at_distance_31_spread_two_bits_per_chunk_is_found() {
        // The pigeonhole edge: 15 chunks with 2 flipped bits and one with 1.
        let base = h(1);
        let bits: Vec<usize> = (0..16)
            .flat_map(|c| {
                if c == 9 {
                    vec![c * 16]
                } else {
                    vec![c * 16, c * 16 + 5]
                }
            })
            .collect();
        let far = flip(base, &bits);
        assert_eq!(base.distance(&far), 31);
        let mut index = PdqIndex::new();
        index.add("far", far);
        assert_eq!(index.lookup(&base, 31), vec![("far", 31)]);
        assert_eq!(index.lookup(&base, 30), vec![]);
    }

    #[test]
    fn results_are_sorted_by_distance_then_id_and_reported_once() {
        let base = h(2);
        let mut index = PdqIndex::new();
        index.add("c", flip(base, &[1, 2, 3]));
        index.add("b", flip(base, &[7]));
        index.add("a", flip(base, &[9, 200, 201]));
        index.add("d", base);
        index.add("far", h(3));
        assert_eq!(
            index.lookup(&base, 31),
            vec![("d", 0), ("b", 1), ("a", 3), ("c", 3)]
        );
    }

    #[test]
    fn adding_an_existing_id_replaces_its_hash() {
        let mut index = PdqIndex::new();
        assert_eq!(index.add(1, h(4)), None);
        assert_eq!(index.add(1, h(5)), Some(h(4)));
        assert_eq!(index.len(), 1);
        assert!(index.lookup(&h(4), 31).is_empty());
        assert_eq!(index.lookup(&h(5), 0), vec![(1, 0)]);
    }

    #[test]
    fn removal_keeps_the_other_hashes_findable() {
        let mut index = PdqIndex::new();
        for i in 0..50u32 {
            index.add(i, h(u64::from(i)));
        }
        for i in (0..50u32).step_by(3) {
            assert_eq!(index.remove(&i), Some(h(u64::from(i))));
        }
        assert_eq!(index.remove(&0), None);
        for i in 0..50u32 {
            let found = index.lookup(&h(u64::from(i)), 0);
            if i % 3 == 0 {
                assert!(found.is_empty(), "{i} still found");
            } else {
                assert_eq!(found, vec![(i, 0)]);
                assert_eq!(index.get(&i), Some(h(u64::from(i))));
            }
        }
    }

    #[test]
    fn radii_over_31_are_answered_by_scan() {
        let base = h(6);
        let far = flip(base, &(0..40).collect::<Vec<_>>());
        let mut index = PdqIndex::new();
        index.add("x", far);
        assert_eq!(index.lookup(&base, 40), vec![("x", 40)]);
        assert!(index.lookup(&base, 39).is_empty());
    }

    #[test]
    fn lookup_any_keeps_the_best_distance_per_id() {
        let base = h(7);
        let mut index = PdqIndex::new();
        index.add("x", flip(base, &[1, 2]));
        let other = flip(base, &[1, 2, 3, 4, 5]);
        assert_eq!(index.lookup_any(&[other, base], 31), vec![("x", 2)]);
    }
}
