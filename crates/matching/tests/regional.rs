//! Our own regional test set, generated from name parts typical of Central
//! and South Asia (examples/common/mod.rs): variants of listed names must
//! find their record first; innocent names must rarely alert.

#[path = "../examples/common/mod.rs"]
mod common;

use accord_match::{Index, Query, ScreenOptions};
use common::{Rng, innocent_name, regional_variant, synthetic_records};

#[test]
fn regional_variants_of_listed_names_find_their_record_first() {
    let index = Index::build(synthetic_records(3000, 7));
    let opts = ScreenOptions::default();
    let mut rng = Rng(1);
    let (mut n, mut hit) = (0, 0);
    for ri in (0..index.len()).step_by(5) {
        let name = &index.record(ri).names[0].text;
        let (q, _) = regional_variant(name, &mut rng);
        let res = index.screen(&Query::name(q), &opts).unwrap_or_default();
        n += 1;
        // Synthetic names repeat parts, so another record with an equally
        // good name may rank first: count a hit when the record is among
        // the results with the top score.
        if let Some(top) = res.first()
            && res
                .iter()
                .any(|c| c.record == ri && c.score >= top.score - 1e-9)
        {
            hit += 1;
        }
    }
    let recall = f64::from(hit) / f64::from(n);
    assert!(recall >= 0.85, "recall@1 {recall:.3} over {n} queries");
}

#[test]
fn innocent_names_rarely_alert() {
    let index = Index::build(synthetic_records(3000, 7));
    let opts = ScreenOptions::default();
    let mut rng = Rng(2);
    let total = 500;
    let alerts = (0..total)
        .filter(|_| {
            !index
                .screen(&Query::name(innocent_name(&mut rng)), &opts)
                .unwrap_or_default()
                .is_empty()
        })
        .count();
    assert!(
        alerts * 100 <= total * 3,
        "{alerts}/{total} innocent names alerted"
    );
}

#[test]
fn cyrillic_and_arabic_renderings_of_a_listed_name_match() {
    let index = Index::build(synthetic_records(10, 3));
    let opts = ScreenOptions::default();
    let name = "Muhammad Tahir Karimov";
    let idx = Index::build(vec![accord_match::Record {
        id: "X".into(),
        dataset: "t".into(),
        schema: accord_match::Schema::Person,
        names: vec![accord_match::RecordName::primary(name)],
        birth_dates: vec![],
        countries: vec![],
    }]);
    for q in [common::to_cyrillic(name), common::to_arabic(name)] {
        let res = idx.screen(&Query::name(q.clone()), &opts).unwrap();
        assert_eq!(res.first().map(|c| c.id.as_str()), Some("X"), "{q}");
    }
    assert!(!index.is_empty());
}
