//! Writes sample outputs of the crate to a directory (default
//! `/tmp/programmes`): the IATI 2.03 file of the sample programme.
//!
//! `cargo run -p accord-programmes --example samples -- /tmp/programmes`

use accord_programmes::iati::{IatiConfig, write_activities};
use accord_programmes::model::{OrgRef, OrgType, Text};
use accord_programmes::sample;
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
    std::fs::write(format!("{dir}/iati-activities.xml"), &out.xml)?;
    println!("wrote {dir}/iati-activities.xml");
    Ok(())
}
