//! Quality gates on the public evaluation sets (fixtures/README.md).

use accord_match::{DEFAULT_THRESHOLD, Schema, compare_names};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[test]
fn nomenklatura_cases_f1_at_default_threshold_is_at_least_0_85() {
    let mut rdr = csv::Reader::from_path(format!("{FIX}/cases.csv")).unwrap();
    let (mut tp, mut fp, mut fn_) = (0u32, 0u32, 0u32);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let schema: Schema = rec[1].parse().unwrap_or(Schema::Unknown);
        let truth = &rec[4] == "true";
        let pred = compare_names(&rec[2], &rec[3], schema) >= DEFAULT_THRESHOLD;
        match (truth, pred) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            _ => {}
        }
    }
    let p = f64::from(tp) / f64::from(tp + fp);
    let r = f64::from(tp) / f64::from(tp + fn_);
    let f1 = 2.0 * p * r / (p + r);
    assert!(f1 >= 0.85, "F1 {f1:.3} (P {p:.3}, R {r:.3})");
}

/// Every watchman pair: Arabic, Cyrillic, Chinese, Korean Hangul, Greek,
/// Hebrew, Thai, and names in Han characters read the Sino-Korean
/// (金正恩) or Japanese (山田太郎, 田中花子) way.
#[test]
fn watchman_cross_script_pairs_reach_their_minimum_score() {
    let text = std::fs::read_to_string(format!("{FIX}/cross_script_pairs.csv")).unwrap();
    let mut failures = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split(',').collect();
        let min: f64 = f[2].parse().unwrap();
        let s = compare_names(f[0], f[1], Schema::Person);
        if s < min {
            failures.push(format!("{} / {}: {s:.3} < {min}", f[0], f[1]));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn most_putin_renderings_match_the_canonical_name() {
    let text = std::fs::read_to_string(format!("{FIX}/putin_names.txt")).unwrap();
    let names: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let hits = names
        .iter()
        .filter(|n| {
            compare_names(n, "Vladimir Vladimirovich Putin", Schema::Person) >= DEFAULT_THRESHOLD
        })
        .count();
    // Misses are titles alone ("President Putin"), and CJK/Georgian/Khmer/
    // Burmese renderings read through the generic fallback.
    assert!(hits * 100 >= names.len() * 75, "{hits}/{}", names.len());
}
