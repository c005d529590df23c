//! Times the crate's bulk paths on N copies of the sample programme (every
//! feature of the model): validation, IATI write, IATI read (all or nothing,
//! with the code-list checks), CSV write and read. Each phase runs `RUNS`
//! times and the fastest is reported: the machine is shared, and the
//! minimum is the least disturbed measure of the code itself.
//!
//! `cargo run --release -p accord-programmes --example programmes_bench -- 1000`

use std::time::Instant;

use accord_programmes::iati::{
    IatiConfig, ImportContext, check_codes, read_activities, write_activities,
};
use accord_programmes::model::{OrgRef, OrgType, ProgrammeId, Text};
use accord_programmes::{Programme, csv, sample};
use time::macros::datetime;

const RUNS: usize = 5;

/// The fastest of `RUNS` runs of `f`, and its last result.
fn best<T>(mut f: impl FnMut() -> T) -> (std::time::Duration, T) {
    let mut fastest = std::time::Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let v = f();
        fastest = fastest.min(t.elapsed());
        last = Some(v);
    }
    (fastest, last.expect("RUNS > 0"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(1000), |a| a.parse())?;
    let now = datetime!(2025-06-01 09:00 UTC);
    let base = sample::publishable().into_data();
    let data: Vec<_> = (0..n)
        .map(|i| {
            let mut d = base.clone();
            d.id = ProgrammeId::parse(&format!("bench-{i}")).expect("valid id");
            d
        })
        .collect();

    let t = Instant::now();
    let ps: Vec<Programme> = data
        .into_iter()
        .map(Programme::new)
        .collect::<Result<_, _>>()?;
    let validate = t.elapsed();

    let config = IatiConfig {
        reporting_org: OrgRef::parse("XM-ACCORD")?,
        reporting_org_type: OrgType::parse("40")?,
        reporting_org_name: Text::single("en", "Accord secretariat", 200)?,
    };
    let items: Vec<_> = ps.iter().map(|p| (p, now)).collect();
    let (write, out) = best(|| write_activities(&items, &config, now));
    let out = out?;
    let (codes, checked) = best(|| check_codes(out.xml.as_bytes()));
    checked?;
    let ctx = ImportContext::default();
    let (read, import) = best(|| read_activities(out.xml.as_bytes(), &ctx, now));
    assert_eq!(import?.created.len(), n);
    let (csv_write, table) = best(|| csv::programmes_csv(&ps));
    let actor = sample::secretariat(1);
    let (csv_read, back) = best(|| csv::read_programmes(table.as_bytes(), &[], &actor));
    assert_eq!(back?.created.len(), n);

    println!("programmes: {n}");
    println!("IATI document: {} bytes", out.xml.len());
    println!(
        "validate (Programme::new): {:.1} ms",
        validate.as_secs_f64() * 1e3
    );
    println!("IATI write: {:.1} ms", write.as_secs_f64() * 1e3);
    println!("IATI code-list check: {:.1} ms", codes.as_secs_f64() * 1e3);
    println!(
        "IATI read (parse, map, validate): {:.1} ms",
        read.as_secs_f64() * 1e3
    );
    println!(
        "CSV write: {:.1} ms ({} bytes)",
        csv_write.as_secs_f64() * 1e3,
        table.len()
    );
    println!("CSV read: {:.1} ms", csv_read.as_secs_f64() * 1e3);
    Ok(())
}
