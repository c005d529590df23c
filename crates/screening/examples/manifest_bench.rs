//! A 500-traveller API manifest parsed and screened against UN + OFAC:
//!
//! ```text
//! cargo run --release -p accord-screening --example manifest_bench -- [TRAVELLERS] [ROUNDS]
//! ```
//!
//! Lists from `/work/shared/data` (or `$ACCORD_DATA`): the UN consolidated
//! list of 2026-02-27 and the OFAC SDN file of 2024-05-03. The manifest is
//! generated (`accord_paxlst::builder::generated`) with a few listed
//! persons among the travellers, written as their passports would be.

use std::path::PathBuf;
use std::time::Instant;

use accord_paxlst::builder::{ManifestBuilder, TravellerSpec, generated};
use accord_screening::bench::process_cpu_seconds;
use accord_screening::{ManifestOptions, Screener, screen_manifest};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let data = std::env::var_os("ACCORD_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data"));
    let start = Instant::now();
    let un =
        accord_lists::load_path(data.join("un/UN_consolidated_2026-02-27.xml")).expect("UN list");
    let ofac = accord_lists::load_path(data.join("ofac/sdn-2024-05-03")).expect("OFAC list");
    let screener = Screener::from_lists(vec![("un".into(), un), ("ofac".into(), ofac)]);
    eprintln!(
        "{} entries loaded and indexed in {:.2?}",
        screener.len(),
        start.elapsed()
    );

    let mut message = generated("BENCH500", n.saturating_sub(3));
    message.travellers.insert(
        10,
        TravellerSpec::passenger("AL FITOURI", "AHMAD")
            .middle("OUMAR IMHAMAD")
            .born("880507")
            .nationality("LBY")
            .passport("LY53FP76", "300928", "LBY"),
    );
    message.travellers.insert(
        200,
        TravellerSpec::passenger("ANWARI", "MUHAMMAD")
            .middle("TAHER")
            .nationality("AFG"),
    );
    message.travellers.insert(
        400,
        TravellerSpec::passenger("ZAKHAROV", "ALEKSANDR")
            .middle("VIACHESLAVOVICH")
            .born("650921")
            .nationality("RUS"),
    );
    let edi = ManifestBuilder::default().message(message).build();
    let opts = ManifestOptions::default();

    let first = screen_manifest(&screener, edi.as_bytes(), &opts).expect("valid manifest");
    let mut parse = Vec::with_capacity(rounds);
    let mut total = Vec::with_capacity(rounds);
    let mut cpu_total = 0.0;
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(accord_paxlst::parse(edi.as_bytes()).expect("valid"));
        parse.push(t.elapsed().as_secs_f64() * 1e3);
        let c = process_cpu_seconds();
        let t = Instant::now();
        std::hint::black_box(screen_manifest(&screener, edi.as_bytes(), &opts).expect("valid"));
        total.push(t.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (c, process_cpu_seconds()) {
            cpu_total += b - a;
        }
    }
    let cpu_ms = cpu_total * 1e3 / rounds as f64;
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2], v[(v.len() * 9) / 10])
    };
    let (pb, pm, _) = stats(&mut parse);
    let (tb, tm, t90) = stats(&mut total);
    println!(
        "{} travellers ({} bytes), {} entries: parse+screen median {tm:.1} ms, p90 {t90:.1} ms, best {tb:.1} ms; parse alone median {pm:.2} ms, best {pb:.2} ms; parse+screen CPU {cpu_ms:.1} ms per manifest (both cores: ≥ {:.1} ms wall on an idle machine); {} travellers with hits, {} on a document number ({rounds} rounds)",
        first.totals.travellers,
        edi.len(),
        screener.len(),
        cpu_ms / 2.0,
        first.totals.with_hits,
        first.totals.document_matches,
    );
}
