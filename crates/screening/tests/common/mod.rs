#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use accord_screening::Screener;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The UN fixture as "un" and the OFAC fixture as "ofac", built once.
pub fn screener() -> Arc<Screener> {
    static S: OnceLock<Arc<Screener>> = OnceLock::new();
    S.get_or_init(|| {
        let un = accord_lists::load_path(fixture("un_screening.xml")).expect("UN fixture");
        let ofac = accord_lists::load_path(fixture("ofac")).expect("OFAC fixture");
        assert_eq!(un.entries.len(), 4);
        assert_eq!(ofac.entries.len(), 4);
        Arc::new(Screener::from_lists(vec![
            ("un".to_string(), un),
            ("ofac".to_string(), ofac),
        ]))
    })
    .clone()
}
