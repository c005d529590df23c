//! # accord-lists — the list formats layer of Accord
//!
//! Reads the sanctions and reference list formats Accord deals with into one
//! rich, serde-serializable model ([`model`]), and writes that model out as
//! FollowTheMoney entities:
//!
//! | format | read | write |
//! | --- | --- | --- |
//! | UN Security Council Consolidated List XML | [`un::read`], [`un::parse`] | — |
//! | OFAC legacy CSV (sdn.csv + alt/add/sdn_comments, or cons_*.csv) | [`ofac::read`], [`ofac::read_dir`] | — |
//! | FollowTheMoney JSON lines (also Accord's own export) | [`ftm::read`] | [`ftm::write_entities`] |
//!
//! Parsing is pure (from `impl Read` / `&[u8]`); only [`load_path`] touches
//! the filesystem. Reading is all or nothing: a malformed input is a
//! [`FormatError`] with the position of the first problem; a well-formed but
//! unusable record is reported in [`List::skipped`].
//!
//! [`diff()`] compares two versions of a list by reference.

pub mod country;
pub mod diff;
pub mod error;
pub mod ftm;
pub mod model;
pub mod ofac;
#[cfg(feature = "screening")]
pub mod screening;
pub mod text;
pub mod un;

use std::path::Path;

pub use diff::{ChangedEntry, ListDiff, diff};
pub use error::{FormatError, Position};
pub use model::*;

/// Reads the list at `path`, choosing the format from the path:
///
/// - a `.xml` file: UN consolidated list;
/// - a directory containing `sdn.csv` or `cons_prim.csv` (or such a file
///   itself): OFAC legacy CSV, with the companion files found beside it;
/// - a `.json`, `.jsonl` or `.ndjson` file: FollowTheMoney JSON lines.
pub fn load_path(path: impl AsRef<Path>) -> Result<List, FormatError> {
    let path = path.as_ref();
    let io = |source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return ofac::read_dir(path, &ofac::OfacOptions::default());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xml" => un::parse(&std::fs::read(path).map_err(io)?),
        "json" | "jsonl" | "ndjson" => {
            let file = std::fs::File::open(path).map_err(io)?;
            ftm::read(std::io::BufReader::new(file))
        }
        "csv" if name == "sdn.csv" || name == "cons_prim.csv" => {
            let dir = path.parent().unwrap_or(Path::new("."));
            ofac::read_dir(dir, &ofac::OfacOptions::default())
        }
        _ => Err(FormatError::UnknownFormat {
            path: path.to_path_buf(),
            message: "cannot tell the list format: expected a .xml file (UN), a directory with sdn.csv or cons_prim.csv (OFAC), or a .json/.jsonl/.ndjson file (FollowTheMoney)".into(),
        }),
    }
}
