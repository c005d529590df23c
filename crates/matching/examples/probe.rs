//! Debugging aid: for each stdin line `query<TAB>expected list name`,
//! screens the query against the UN list and prints the top results and
//! the expected record's explanation.
//!
//! cargo run --release -p accord-match --example probe < pairs.tsv

#[path = "common/mod.rs"]
mod common;

use accord_match::{Index, Query, ScreenOptions, compare};
use std::io::BufRead;

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/un/UN_consolidated_2026-02-27.xml"
    );
    let index = Index::build(common::un_records(path));
    let opts = ScreenOptions {
        threshold: 0.3,
        limit: 3,
        ..ScreenOptions::default()
    };
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("line");
        let mut f = line.split('\t');
        let (Some(q), Some(want)) = (f.next(), f.next()) else {
            continue;
        };
        println!("== {q:?} (want {want:?})");
        let query = Query::name(q.to_string());
        for c in index.screen(&query, &opts).unwrap_or_default() {
            println!("  got {:.3} {:?}", c.score, c.matched_name);
        }
        for r in index.records() {
            if r.names.iter().any(|n| n.text == want) {
                match compare(&query, r) {
                    Some((s, e)) => println!("  want {s:.3}: {e}"),
                    None => println!("  want: no score"),
                }
            }
        }
    }
}
