//! Loads list files with `load_path` and prints counts and timings.
//!
//! `cargo run --release -p accord-lists --example load -- PATH...`
//! Add `--json` to print the first entry of each list as JSON.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let start = Instant::now();
        match accord_lists::load_path(path) {
            Ok(list) => {
                let elapsed = start.elapsed();
                let mut by_schema = std::collections::BTreeMap::new();
                for e in &list.entries {
                    *by_schema.entry(format!("{:?}", e.schema)).or_insert(0) += 1;
                }
                println!(
                    "{path}: {} entries {:?}, {} skipped, {:.1} ms",
                    list.entries.len(),
                    by_schema,
                    list.skipped.len(),
                    elapsed.as_secs_f64() * 1000.0
                );
                if json && let Some(e) = list.entries.first() {
                    println!("{}", serde_json::to_string_pretty(e).unwrap());
                }
            }
            Err(e) => println!("{path}: error: {e}"),
        }
    }
}
