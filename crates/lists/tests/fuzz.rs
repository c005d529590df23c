//! Arbitrary bytes never make a parser panic.

use accord_lists::ofac::{self, OfacFiles, OfacOptions};
use accord_lists::{ftm, un};
use proptest::prelude::*;

const UN: &[u8] = include_bytes!("fixtures/un_sample.xml");
const SDN: &[u8] = include_bytes!("fixtures/ofac/sdn.csv");

proptest! {
    // 256 cases by default; `PROPTEST_CASES` for a longer run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn un_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = un::parse(&bytes);
    }

    #[test]
    fn un_mutations_never_panic(pos in 0usize..UN.len(), len in 0usize..64, fill in any::<u8>()) {
        let mut bytes = UN.to_vec();
        let end = (pos + len).min(bytes.len());
        bytes[pos..end].iter_mut().for_each(|b| *b = fill);
        let _ = un::parse(&bytes);
        let _ = un::parse(&UN[..pos]);
    }

    #[test]
    fn ofac_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048), cp in any::<bool>()) {
        let options = OfacOptions { windows_1252_fallback: cp };
        let _ = ofac::read(&bytes[..], &options);
        let files = OfacFiles { primary: SDN, alt: Some(&bytes), add: Some(&bytes), comments: Some(&bytes), consolidated: false };
        let _ = ofac::parse(&files, &options);
    }

    #[test]
    fn ofac_text_never_panics(text in "[0-9,\"' ;.a-zA-Z()\r\n-]{0,400}") {
        let _ = ofac::read(text.as_bytes(), &OfacOptions::default());
        let mut entry = accord_lists::ListEntry::new("1", accord_lists::EntrySchema::Person);
        ofac::apply_remarks(&mut entry, &text);
    }

    #[test]
    fn ftm_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = ftm::parse(&bytes);
    }

    #[test]
    fn ftm_json_never_panics(text in "\\{\"id\": ?\"[a-z]{0,3}\", ?\"schema\": ?\"(Person|Sanction|Address|Vessel)\", ?\"properties\": ?\\{\"[a-zA-Z]{1,12}\": ?\\[(\"[^\"\\\\]{0,10}\")?\\]\\}\\}") {
        let _ = ftm::parse(text.as_bytes());
    }
}
