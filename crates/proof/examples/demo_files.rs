//! Writes the demo world's published files into a folder, to try
//! `accord verify` and `minisign -Vm` by hand:
//!
//! ```sh
//! cargo run -p accord-proof --example demo_files -- /tmp/accord-demo
//! minisign -Vm /tmp/accord-demo/list-v3.csv -p /tmp/accord-demo/accord.pub
//! accord verify /tmp/accord-demo/list-v3.csv -P /tmp/accord-demo/accord.pub \
//!     --offline /tmp/accord-demo/list-v3.bundle.json --earlier-head /tmp/accord-demo/head-1.json
//! ```
//!
//! The keys come from fixed seeds: demo only.

use std::path::PathBuf;

use accord_proof::demo::World;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: demo_files FOLDER")?);
    std::fs::create_dir_all(&dir)?;
    let w = World::build();
    for f in &w.files {
        std::fs::write(dir.join(&f.name), &f.bytes)?;
        std::fs::write(
            dir.join(format!("{}.minisig", f.name)),
            f.signature.to_text(),
        )?;
        let bundle = serde_json::to_string_pretty(&w.bundle(f.version))?;
        std::fs::write(dir.join(format!("list-v{}.bundle.json", f.version)), bundle)?;
    }
    for (i, h) in w.heads.iter().enumerate() {
        std::fs::write(
            dir.join(format!("head-{}.json", i + 1)),
            serde_json::to_string_pretty(h)?,
        )?;
    }
    std::fs::write(
        dir.join("accord.pub"),
        w.current_key.public_key().to_file_text(),
    )?;
    println!("wrote the demo files to {}", dir.display());
    Ok(())
}
