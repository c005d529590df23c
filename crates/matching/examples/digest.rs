//! Prints every result of a fixed query set (scores, explanations) so two
//! builds of the engine can be diffed: a speed change must not change a
//! single result.
//!
//! cargo run --release -p accord-match --example digest -- UN_XML_PATH [SYNTHETIC_NAMES] [QUERIES] > out.txt

#[path = "common/mod.rs"]
mod common;

use accord_match::{Index, Query, Record, ScreenOptions, compare_names};
use common::{Rng, innocent_name, regional_variant, synthetic_records, un_records};

fn queries(records: &[Record], n: usize, seed: u64) -> Vec<Query> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            if i % 3 != 2 {
                let r = &records[rng.below(records.len())];
                let name = &r.names[rng.below(r.names.len())].text;
                Query::name(regional_variant(name, &mut rng).0)
            } else {
                Query::name(innocent_name(&mut rng))
            }
        })
        .collect()
}

fn dump(label: &str, index: &Index, qs: &[Query]) {
    let opts = ScreenOptions::default();
    for (q, r) in qs.iter().zip(index.screen_batch(qs, &opts)) {
        match r {
            Err(e) => println!("{label}\t{}\terror {e}", q.name),
            Ok(hits) => {
                for h in hits {
                    println!(
                        "{label}\t{}\t{}\t{:.6}\t{}",
                        q.name, h.id, h.score, h.explanation
                    );
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let un = un_records(&args[1]);
    let n_synth: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let n_q: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(6_000);
    // Pairwise scores of list names against the queries (compare_names).
    let qs = queries(&un, n_q, 5);
    for (i, q) in qs.iter().enumerate().take(2_000) {
        let other = &un[i % un.len()].names[0].text;
        println!(
            "pair\t{}\t{other}\t{:.6}",
            q.name,
            compare_names(&q.name, other, accord_match::Schema::Person)
        );
    }
    let index = Index::build(un);
    dump("un", &index, &qs);
    // `0` synthetic names: the UN list only.
    if n_synth == 0 {
        return;
    }
    let index = Index::build(synthetic_records(n_synth, 42));
    let qs = queries(index.records(), n_q, 9);
    dump("synthetic", &index, &qs);
}
