//! The whole screening path on real lists, printed as markdown.
//!
//! ```text
//! cargo run --release -p accord-screening --example bench -- \
//!     [--list PATH]... [--synthetic N] [--queries N] [--latency N] [--no-csv] [--seed S]
//! ```
//!
//! Without `--list` and `--synthetic` it measures the UN consolidated list,
//! the OFAC SDN file and a synthetic list of one million names from
//! `/work/shared/data` (or `$ACCORD_DATA`).
//!
//! - `--queries N`: queries in the parallel batch (default 100,000);
//! - `--latency N`: queries timed one by one (default 5,000);
//! - `--no-csv`: skip the CSV path.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use accord_screening::Screener;
use accord_screening::bench::{self, BenchConfig, BenchReport};

enum Source {
    File(PathBuf),
    Synthetic(usize),
}

struct Args {
    sources: Vec<Source>,
    queries: usize,
    latency: usize,
    csv: bool,
    seed: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench [--list PATH]... [--synthetic N] [--queries N] [--latency N] [--no-csv] [--seed S]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        sources: Vec::new(),
        queries: 100_000,
        latency: 5_000,
        csv: true,
        seed: 42,
    };
    let mut it = std::env::args().skip(1);
    let num = |v: Option<String>| -> usize {
        v.and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or_else(|| usage())
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--list" => a
                .sources
                .push(Source::File(it.next().unwrap_or_else(|| usage()).into())),
            "--synthetic" => a.sources.push(Source::Synthetic(num(it.next()))),
            "--queries" => a.queries = num(it.next()),
            "--latency" => a.latency = num(it.next()),
            "--seed" => a.seed = num(it.next()) as u64,
            "--no-csv" => a.csv = false,
            _ => usage(),
        }
    }
    if a.sources.is_empty() {
        let data = PathBuf::from(
            std::env::var("ACCORD_DATA").unwrap_or_else(|_| "/work/shared/data".into()),
        );
        a.sources = vec![
            Source::File(data.join("un/UN_consolidated_2026-02-27.xml")),
            Source::File(data.join("ofac/sdn-2024-05-03")),
            Source::Synthetic(1_000_000),
        ];
    }
    a
}

fn cpu(t: Option<&bench::Throughput>) -> String {
    t.and_then(|t| t.cpu_us_per_query())
        .map_or("-".into(), |us| format!("{us:.0}"))
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e3)
}

struct Row {
    label: String,
    load: Duration,
    report: BenchReport,
}

fn main() {
    let args = parse_args();
    let config = BenchConfig {
        latency_queries: args.latency,
        batch_queries: args.queries,
        csv: args.csv,
        ..BenchConfig::default()
    };
    let mut rows = Vec::new();
    for source in &args.sources {
        let t = Instant::now();
        let (label, dataset, list) = match source {
            Source::File(path) => {
                let list = accord_lists::load_path(path).unwrap_or_else(|e| {
                    eprintln!("{}: {e}", path.display());
                    std::process::exit(1)
                });
                let dataset = format!("{:?}", list.source).to_lowercase();
                (path.display().to_string(), dataset, list)
            }
            Source::Synthetic(n) => (
                format!("synthetic {n}"),
                "synthetic".to_string(),
                bench::synthetic_list(*n, args.seed),
            ),
        };
        let load = t.elapsed();
        eprintln!(
            "{label}: {} entries loaded in {} ms",
            list.entries.len(),
            ms(load)
        );
        let screener = Screener::from_lists(vec![(dataset, list)]);
        eprintln!("  index built in {} ms", ms(screener.build_time()));
        let queries = bench::make_queries(&screener, None, 20_000, args.seed);
        let report = bench::run(&screener, &queries, &config);
        eprintln!(
            "  median {:.1} µs, p99 {:.1} µs, batch {:.0} q/s",
            report.per_query.median_us, report.per_query.p99_us, report.batch.per_second
        );
        rows.push(Row {
            label,
            load,
            report,
        });
    }

    let threads = rows.first().map_or(1, |r| r.report.threads);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "Load average at the end: {}.",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "Threads: {threads}. Latency: one query at a time on one thread; batch: `screen_batch` in chunks of 1,000 (rayon); CSV: `screen_csv` from an in-memory CSV to a sink. CPU µs/q: CPU time of the process per query during the batch, robust to other load (2 idle cores would give about 2,000,000 / that q/s).\n"
    );
    println!(
        "| list | entries | load ms | build ms | index MB | median µs | p99 µs | mean µs | max µs | batch q/s | batch CPU µs/q | CSV q/s | CSV CPU µs/q |"
    );
    println!(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for r in &rows {
        let p = &r.report.per_query;
        println!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0} ({} q) | {} | {} | {} |",
            r.label,
            r.report.entries,
            ms(r.load),
            ms(r.report.build),
            r.report.memory_bytes as f64 / 1e6,
            p.median_us,
            p.p99_us,
            p.mean_us,
            p.max_us,
            r.report.batch.per_second,
            r.report.batch.queries,
            cpu(Some(&r.report.batch)),
            r.report
                .csv
                .as_ref()
                .map_or("-".into(), |c| format!("{:.0}", c.per_second)),
            cpu(r.report.csv.as_ref()),
        );
    }
    println!(
        "\nBy kind of query (latency one thread; found = source entry among the results, for innocent names = no result at all):\n"
    );
    println!("| list | kind | queries | median µs | p99 µs | found |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for r in &rows {
        for (f, (kind, lat)) in r.report.found.iter().zip(&r.report.per_kind) {
            println!(
                "| {} | {:?} | {} | {:.1} | {:.1} | {:.1} % |",
                r.label,
                kind,
                f.queries,
                lat.median_us,
                lat.p99_us,
                100.0 * f.found as f64 / f.queries.max(1) as f64
            );
        }
        if r.report.errors > 0 {
            println!(
                "| {} | refused by the engine | {} | | | |",
                r.label, r.report.errors
            );
        }
    }
}
