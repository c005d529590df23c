//! Writes one version of a list in every format:
//! `cargo run -p accord-exports --example export -- LIST_FILE OUT_DIR [VERSION DATE]`
//! (LIST_FILE: anything `accord_lists::load_path` reads, e.g. the UN XML).

use std::path::Path;

use accord_exports::{ExportVersion, content_hash, csv, ftm, stix, un_xml};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, rest @ ..] = args.as_slice() else {
        return Err("usage: export LIST_FILE OUT_DIR [VERSION DATE]".into());
    };
    let list = accord_lists::load_path(input)?;
    let version_no = rest.first().map(|v| v.parse()).transpose()?.unwrap_or(1);
    let date = rest
        .get(1)
        .cloned()
        .or_else(|| list.generated.clone())
        .unwrap_or_else(|| "2026-01-01".into());
    let version = ExportVersion::new("Exported list", version_no, &date, "Accord", &list.entries);
    let out = Path::new(out_dir);
    std::fs::create_dir_all(out)?;
    type Writer = fn(&ExportVersion<'_>, &mut Vec<u8>) -> Result<(), accord_exports::ExportError>;
    let writers: [(&str, Writer); 4] = [
        ("list.csv", |v, w| csv::write(v, w)),
        ("list.ftm.json", |v, w| ftm::write(v, w)),
        ("list.xml", |v, w| un_xml::write(v, w)),
        ("list.stix.json", |v, w| stix::write(v, w)),
    ];
    println!("{} entries", list.entries.len());
    for (file, write) in writers {
        let started = std::time::Instant::now();
        let mut bytes = Vec::new();
        write(&version, &mut bytes)?;
        let elapsed = started.elapsed();
        std::fs::write(out.join(file), &bytes)?;
        println!(
            "{file}: {} bytes in {elapsed:?}, ETag {}",
            bytes.len(),
            content_hash(&bytes)
        );
    }
    Ok(())
}
