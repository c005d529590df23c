//! Parse throughput on a generated manifest:
//! `cargo run --release -p accord-paxlst --example parse_bench [PASSENGERS] [ROUNDS]`.

use std::time::Instant;

/// User + system CPU seconds of this process (Linux, 100 Hz ticks): the
/// machine is shared, so wall-clock time measures the neighbours too.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
}

use accord_paxlst::builder::{ManifestBuilder, generated};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(40_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let edi = ManifestBuilder::default()
        .message(generated("BENCH1", n))
        .build();
    let bytes = edi.as_bytes();
    let mb = bytes.len() as f64 / 1e6;
    // Warm up once, then take the best and the median of the rounds.
    let parsed = accord_paxlst::parse(bytes).expect("a valid generated manifest");
    assert_eq!(parsed.manifest.messages[0].travellers.len(), n);
    let mut times = Vec::with_capacity(rounds);
    let cpu_start = cpu_seconds();
    for _ in 0..rounds {
        let start = Instant::now();
        let p = accord_paxlst::parse(bytes).expect("valid");
        std::hint::black_box(&p);
        times.push(start.elapsed().as_secs_f64());
    }
    let cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{n} passengers, {mb:.2} MB: median {:.2} ms ({:.0} MB/s), best {:.2} ms ({:.0} MB/s) over {rounds} rounds; CPU {}",
        median * 1e3,
        mb / median,
        times[0] * 1e3,
        mb / times[0],
        match cpu {
            Some(c) if c > 0.0 => format!(
                "{:.2} ms per parse ({:.0} MB/s)",
                c * 1e3 / rounds as f64,
                mb * rounds as f64 / c
            ),
            _ => "not measured (too short)".into(),
        }
    );
}
