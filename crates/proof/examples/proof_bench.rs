//! Timings for docs/benchmarks.md ("Proof"):
//!
//! ```sh
//! cargo run --release -p accord-proof --example proof_bench
//! ```

use std::time::Instant;

use accord_proof::bundle::{sign_export, verify_bundle, verify_file};
use accord_proof::demo::{self, World};
use accord_proof::merkle::{MerkleTree, verify_consistency, verify_inclusion};
use accord_proof::{Keyring, jcs};

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) {
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    let per = start.elapsed() / runs;
    println!("{label:<58} {per:>12.2?} per run ({runs} runs)");
}

fn main() {
    let w = World::build();
    let key = &w.current_key;
    let keyring = Keyring::single(key.public_key());
    let mb: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let sig = sign_export(key, &mb, "list.csv", demo::LIST_ID, 3, demo::T0)
        .unwrap()
        .to_text();
    time("sign_export, 1 MB file", 50, || {
        sign_export(key, &mb, "list.csv", demo::LIST_ID, 3, demo::T0).unwrap()
    });
    time("verify_file, 1 MB file", 50, || {
        verify_file(&mb, &sig, &keyring).unwrap()
    });

    let b = w.bundle(3);
    let f = w.file(3);
    let s = f.signature.to_text();
    let pk = key.public_key();
    time(
        "verify_bundle, demo bundle (4 decisions, 23 entries)",
        200,
        || verify_bundle(&f.bytes, &s, &b, &pk, None).unwrap(),
    );
    let record = serde_json::to_value(&b.version.record).unwrap();
    time(
        "canonicalize_nfc, a version record with 4 decisions",
        2000,
        || jcs::canonicalize_nfc(&record).unwrap(),
    );

    for n in [1_000u64, 10_000, 100_000] {
        let mut t = MerkleTree::new();
        let start = Instant::now();
        for i in 0..n {
            t.push(format!("entry {i}").as_bytes());
        }
        println!(
            "{:<58} {:>12.2?} total",
            format!("append {n} leaves"),
            start.elapsed()
        );
        let root = t.root();
        let runs = if n >= 100_000 { 5 } else { 50 };
        time(&format!("inclusion_proof, leaf n/3 of {n}"), runs, || {
            t.inclusion_proof(n / 3, n).unwrap()
        });
        time(
            &format!("consistency_proof, {} -> {n}", n / 2 + 1),
            runs,
            || t.consistency_proof(n / 2 + 1, n).unwrap(),
        );
        let p = t.inclusion_proof(n / 3, n).unwrap();
        let leaf = t.leaf(n / 3).unwrap();
        time(&format!("verify_inclusion, {n} leaves"), 10_000, || {
            verify_inclusion(&leaf, &p, &root).unwrap()
        });
        let c = t.consistency_proof(n / 2 + 1, n).unwrap();
        let old = t.root_at(n / 2 + 1).unwrap();
        time(&format!("verify_consistency, {n} leaves"), 10_000, || {
            verify_consistency(&c, &old, &root).unwrap()
        });
    }
}
