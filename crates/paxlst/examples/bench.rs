//! Parse throughput on a generated manifest:
//! `cargo run --release -p accord-paxlst --example bench [PASSENGERS] [ROUNDS]`.

use std::time::Instant;

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
    for _ in 0..rounds {
        let start = Instant::now();
        let p = accord_paxlst::parse(bytes).expect("valid");
        std::hint::black_box(&p);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{n} passengers, {mb:.2} MB: median {:.2} ms ({:.0} MB/s), best {:.2} ms ({:.0} MB/s) over {rounds} rounds",
        median * 1e3,
        mb / median,
        times[0] * 1e3,
        mb / times[0]
    );
}
