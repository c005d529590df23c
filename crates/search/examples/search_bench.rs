//! `cargo run --release -p accord-search --example search_bench -- [--items N] [--queries Q] [--batch B] [--dir PATH]`
//!
//! Indexes N synthetic items (default 100,000), B per commit (default 5,000), into PATH (default a fresh
//! directory under the system temp dir, removed afterwards) and prints the
//! report of `accord_search::bench`.

use std::path::PathBuf;

fn main() {
    let mut items = 100_000usize;
    let mut queries = 2_700usize;
    let mut dir: Option<PathBuf> = None;
    let mut batch = accord_search::BENCH_BATCH;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--items" => items = value().parse().expect("--items: a number"),
            "--queries" => queries = value().parse().expect("--queries: a number"),
            "--dir" => dir = Some(PathBuf::from(value())),
            "--batch" => batch = value().parse().expect("--batch: a number"),
            other => panic!("unknown argument {other}"),
        }
    }
    let (path, temporary) = match dir {
        Some(d) => (d, false),
        None => (
            std::env::temp_dir().join(format!("accord-search-bench-{}", std::process::id())),
            true,
        ),
    };
    let report = accord_search::bench_with(&path, items, queries, batch);
    if temporary {
        let _ = std::fs::remove_dir_all(&path);
    }
    match report {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
