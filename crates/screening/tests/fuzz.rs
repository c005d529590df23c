//! Whatever bytes arrive, screen_csv answers or errors: it never panics.

mod common;

use accord_screening::{CsvOptions, screen_csv};
use proptest::prelude::*;

fn check(input: &[u8]) {
    let screener = common::screener();
    let opts = CsvOptions {
        chunk_size: 7,
        ..CsvOptions::default()
    };
    let mut out = Vec::new();
    if let Ok(s) = screen_csv(&screener, input, &mut out, &opts, &|_| {}) {
        // Every query is answered by at least one row.
        assert!(s.output_rows >= s.rows);
        assert!(!out.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_rows_after_a_valid_header_never_panic(
        header in prop::sample::select(vec!["name", "id,name", "NAME,birth_date,country,schema", "schema,name,id"]),
        body in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut input = format!("{header}\n").into_bytes();
        input.extend_from_slice(&body);
        check(&input);
    }

    #[test]
    fn text_rows_never_panic(rows in proptest::collection::vec("[a-zA-Zа-яА-Я ,\"'\\-0-9\u{600}-\u{6ff}]{0,40}", 0..20)) {
        let input = format!("name,birth_date,country,schema\n{}", rows.join("\n"));
        check(input.as_bytes());
    }
}
