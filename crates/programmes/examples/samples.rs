//! Writes sample outputs of the crate to a directory (default
//! `/tmp/programmes`): the IATI 2.03 file of the sample programme, its
//! charts and its CSV files.
//!
//! `cargo run -p accord-programmes --example samples -- /tmp/programmes`

use accord_programmes::aggregate::{budget_vs_spent, indicator_series, kinds_by_year};
use accord_programmes::iati::{IatiConfig, write_activities};
use accord_programmes::model::{OrgRef, OrgType, Text};
use accord_programmes::sample;
use accord_programmes::svg::{Words, budget_chart, indicator_chart, kinds_by_year_chart};
use time::macros::datetime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/programmes".into());
    std::fs::create_dir_all(&dir)?;
    let now = datetime!(2025-06-01 09:00 UTC);
    let p = sample::publishable();
    let config = IatiConfig {
        reporting_org: OrgRef::parse("XM-ACCORD")?,
        reporting_org_type: OrgType::parse("40")?,
        reporting_org_name: Text::single("en", "Accord secretariat", 200)?,
    };
    let out = write_activities(&[(&p, now)], &config, now)?;
    let words = Words::default();
    let ind = &p.results[0].indicators[0];
    let files = [
        ("iati-activities.xml", out.xml.clone()),
        (
            "indicator.svg",
            indicator_chart(
                "enrolled",
                "Offenders enrolled",
                &indicator_series(ind, "en", false),
                &words,
            ),
        ),
        (
            "budget.svg",
            budget_chart(
                "budget",
                "Budget and spending",
                &budget_vs_spent(&p),
                &words,
            ),
        ),
        (
            "kinds.svg",
            kinds_by_year_chart(
                "kinds",
                "Programmes by kind and year",
                &kinds_by_year(std::slice::from_ref(&p), None, &sample::secretariat(1)),
                &words,
            ),
        ),
        (
            "programmes.csv",
            accord_programmes::csv::programmes_csv(std::slice::from_ref(&p)),
        ),
        (
            "periods.csv",
            accord_programmes::csv::periods_csv(std::slice::from_ref(&p)),
        ),
    ];
    for (name, body) in files {
        std::fs::write(format!("{dir}/{name}"), body)?;
        println!("wrote {dir}/{name}");
    }
    Ok(())
}
