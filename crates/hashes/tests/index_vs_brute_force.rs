//! The index gives exactly the brute-force answer — same ids, same
//! distances, same order — on random data with clusters of near-duplicates,
//! through random sequences of additions, replacements and removals; and a
//! batch lookup gives exactly the per-query answers.

use std::collections::BTreeMap;

use accord_hashes::synthetic::{SplitMix64, perturb, random_hash};
use accord_hashes::{PdqHash, PdqIndex, brute_force};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Add(u16, u64, u32),
    Remove(u16),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            4 => (0u16..400, any::<u64>(), 0u32..40).prop_map(|(id, seed, bits)| Op::Add(id, seed, bits)),
            1 => (0u16..400).prop_map(Op::Remove),
        ],
        1..600,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn lookups_equal_brute_force_after_any_edit_sequence(
        ops in ops(),
        centre_seed in any::<u64>(),
        query_seeds in prop::collection::vec((any::<u64>(), 0u32..45), 1..12),
        radius in prop_oneof![Just(0u32), 0u32..16, 16u32..32, Just(31u32), 32u32..48],
    ) {
        // Half the additions are near one centre, so buckets collide and
        // distances cluster around the radius edge.
        let mut rng = SplitMix64::new(centre_seed);
        let centre = random_hash(&mut rng);
        // Both layouts: grown from empty, and sized up front (small rooms,
        // so buckets overflow them and move).
        let mut index = if centre_seed % 2 == 0 { PdqIndex::new() } else { PdqIndex::with_capacity(300) };
        let mut model: BTreeMap<u16, PdqHash> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Add(id, seed, bits) => {
                    let mut r = SplitMix64::new(seed);
                    let h = if seed % 2 == 0 { perturb(centre, bits, &mut r) } else { random_hash(&mut r) };
                    prop_assert_eq!(index.add(id, h), model.insert(id, h));
                }
                Op::Remove(id) => {
                    prop_assert_eq!(index.remove(&id), model.remove(&id));
                }
            }
        }
        prop_assert_eq!(index.len(), model.len());
        let queries: Vec<PdqHash> = query_seeds
            .into_iter()
            .map(|(seed, bits)| perturb(centre, bits, &mut SplitMix64::new(seed)))
            .collect();
        let mut expected = Vec::new();
        for q in &queries {
            let one = index.lookup(q, radius);
            prop_assert_eq!(&one, &brute_force(model.iter(), q, radius));
            expected.push(one);
        }
        // The batch (queries repeat and share buckets) answers each query
        // exactly as `lookup` does.
        let mut batch = queries.clone();
        batch.extend_from_within(..);
        expected.extend_from_within(..);
        prop_assert_eq!(index.lookup_batch(&batch, radius), expected);
    }
}
