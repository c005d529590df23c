//! No input panics the normalizer or the screener, and scores stay in [0, 1].

use accord_match::normalize::normalize_name;
use accord_match::{
    Index, Query, Record, RecordName, Schema, ScreenOptions, compare_names, translit::to_latin,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let names = [
            "MUHAMMAD TAHIR",
            "Abdul Rahman Yasin",
            "محمد علي",
            "Сергей Викторович Лавров",
            "Al-Qa'ida",
            "TACTICAL MISSILES CORPORATION JSC",
        ];
        Index::build(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| Record {
                    id: i.to_string(),
                    dataset: "t".into(),
                    schema: if i == 5 {
                        Schema::Organization
                    } else {
                        Schema::Person
                    },
                    names: vec![RecordName::primary(*n)],
                    birth_dates: vec![],
                    countries: vec!["AF".into()],
                })
                .collect(),
        )
    })
}

fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        "[a-zA-Z' .,&-]{0,30}",
        // List-side forms and machine-readable names: coordinated and
        // parenthesized names, MRZ fillers, PAXLST separators.
        "[a-zA-Z\u{0400}-\u{044F}\u{0627}-\u{064A} ();:<&-]{0,40}",
        "[A-Z]{1,8} (and|AND|&) [A-Z() ;]{0,20}",
        "[\u{0400}-\u{04FF} ]{0,20}",
        "[\u{0600}-\u{06FF} \u{064B}-\u{0652}]{0,20}",
        "[\u{0900}-\u{0DFF} ]{0,20}",
        "[\u{AC00}-\u{D7A3}\u{4E00}-\u{4FFF} ]{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bit_parallel_osa_agrees_with_the_dp_table(a in "[a-z0-9]{0,20}", b in "[a-z0-9]{0,20}") {
        use accord_match::keys::{osa_bounded, osa_distance};
        prop_assert_eq!(
            osa_distance(a.as_bytes(), b.as_bytes()),
            osa_bounded(a.as_bytes(), b.as_bytes(), usize::MAX)
        );
    }

    #[test]
    fn masked_bound_never_understates(a in "[a-z0-9]{0,12}", b in "[a-z0-9]{0,12}") {
        use accord_match::keys::{edit_similarity, letter_mask, similarity_bound_masked};
        let bound = similarity_bound_masked(a.len(), b.len(), letter_mask(&a), letter_mask(&b));
        prop_assert!(edit_similarity(&a, &b) <= bound);
    }

    #[test]
    fn osa_is_symmetric(a in "[a-z0-9]{0,20}", b in "[a-z0-9]{0,20}") {
        // The engine compares a prepared query part against list parts in
        // either direction.
        use accord_match::keys::{edit_similarity, osa_distance};
        prop_assert_eq!(
            osa_distance(a.as_bytes(), b.as_bytes()),
            osa_distance(b.as_bytes(), a.as_bytes())
        );
        prop_assert_eq!(edit_similarity(&a, &b), edit_similarity(&b, &a));
    }

    #[test]
    fn normalizer_never_panics(s in any_name()) {
        let _ = normalize_name(&s);
        let _ = to_latin(&s);
    }

    #[test]
    fn pairwise_score_is_in_unit_interval(a in any_name(), b in any_name()) {
        let s = compare_names(&a, &b, Schema::Person);
        prop_assert!((0.0..=1.0).contains(&s));
        let s = compare_names(&a, &b, Schema::Organization);
        prop_assert!((0.0..=1.0).contains(&s));
    }

    #[test]
    fn screen_never_panics_and_scores_are_in_unit_interval(
        s in any_name(),
        dob in proptest::option::of("[0-9a-zA-Z -]{0,12}"),
        country in proptest::option::of("\\PC{0,10}"),
    ) {
        let q = Query { name: s, birth_date: dob, country, schema: Some(Schema::Person) };
        let opts = ScreenOptions { threshold: 0.0, ..ScreenOptions::default() };
        if let Ok(res) = index().screen(&q, &opts) {
            for c in res {
                prop_assert!((0.0..=1.0).contains(&c.score));
                let _ = c.explanation.to_string();
            }
        }
    }
}

#[test]
fn megabyte_query_is_a_clear_error() {
    let q = Query::name("x".repeat(1 << 20));
    let err = index().screen(&q, &ScreenOptions::default()).unwrap_err();
    assert!(err.to_string().contains("too long"));
}
