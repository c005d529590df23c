//! Criterion benchmarks: per-query latency against a realistic list, batch
//! throughput, index build; plus a one-off build of a synthetic
//! 1,000,000-name list reporting build time and memory_bytes.
//!
//! cargo bench -p accord-match --bench screening
//! (set ACCORD_BENCH_SKIP_1M=1 to skip the million-name build)

#[path = "../examples/common/mod.rs"]
mod common;

use accord_match::{Index, Query, Record, Schema, ScreenOptions, compare_names};
use common::{Rng, innocent_name, regional_variant, synthetic_records, un_records};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

const UN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/un/UN_consolidated_2026-02-27.xml"
);

/// The UN list if the shared data is present, else 1,000 synthetic
/// records of the same size.
fn realistic_list() -> (String, Vec<Record>) {
    if std::path::Path::new(UN).exists() {
        ("UN consolidated".into(), un_records(UN))
    } else {
        ("synthetic 1003".into(), synthetic_records(1003, 42))
    }
}

fn queries(records: &[Record], n: usize) -> Vec<Query> {
    let mut rng = Rng(99);
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                let r = &records[rng.below(records.len())];
                Query::name(regional_variant(&r.names[0].text, &mut rng).0)
            } else {
                Query::name(innocent_name(&mut rng))
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (label, records) = realistic_list();
    let qs = queries(&records, 1000);
    let index = Index::build(records.clone());
    let opts = ScreenOptions::default();

    c.bench_function(&format!("compare_names/{label}-style pair"), |b| {
        b.iter(|| {
            compare_names(
                black_box("Мухаммад Тахир Анвар"),
                black_box("MUHAMMAD TAHIR ANWAR"),
                Schema::Person,
            )
        })
    });

    let mut i = 0;
    c.bench_function(&format!("screen/one query/{label}"), |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            index.screen(black_box(&qs[i]), &opts)
        })
    });

    let mut g = c.benchmark_group(format!("screen_batch/{label}"));
    g.throughput(Throughput::Elements(qs.len() as u64));
    g.sample_size(20);
    g.bench_function("1000 queries", |b| {
        b.iter(|| index.screen_batch(black_box(&qs), &opts))
    });
    g.finish();

    let mut g = c.benchmark_group("build");
    g.sample_size(10);
    g.bench_function(format!("index/{label}"), |b| {
        b.iter(|| Index::build(black_box(records.clone())))
    });
    let syn = synthetic_records(100_000, 42);
    g.bench_function("index/synthetic 100k records", |b| {
        b.iter(|| Index::build(black_box(syn.clone())))
    });
    g.finish();

    if std::env::var_os("ACCORD_BENCH_SKIP_1M").is_none() {
        let recs = synthetic_records(1_000_000, 42);
        let t = Instant::now();
        let idx = Index::build(recs);
        let build = t.elapsed();
        println!(
            "synthetic 1,000,000 records ({} names): build {:.2} s, memory_bytes {:.1} MiB",
            idx.name_count(),
            build.as_secs_f64(),
            idx.memory_bytes() as f64 / (1024.0 * 1024.0)
        );
        let qs = queries(idx.records(), 1000);
        let mut j = 0;
        c.bench_function("screen/one query/synthetic 1M", |b| {
            b.iter(|| {
                j = (j + 1) % qs.len();
                idx.screen(black_box(&qs[j]), &opts)
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
