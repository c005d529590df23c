//! The index's behaviour through its public API.

use accord_search::{
    IndexedItem, LanguageVersion, LibraryIndex, MAX_QUERY_CHARS, Order, SearchError, SearchQuery,
    SearchResults, VisibleSet, fold_arabic,
};
use time::macros::date;

fn version(lang: &str, title: &str, summary: &str, body: &str) -> LanguageVersion {
    LanguageVersion {
        lang: lang.into(),
        title: title.into(),
        summary: summary.into(),
        body: body.into(),
    }
}

fn item(id: i64, versions: Vec<LanguageVersion>) -> IndexedItem {
    IndexedItem {
        id,
        kind: "report".into(),
        marking: "GREEN".into(),
        themes: vec!["online-propaganda".into()],
        countries: vec!["KAZ".into()],
        published: Some(date!(2025 - 01 - 01)),
        versions,
        attachment_text: String::new(),
    }
}

fn en(id: i64, title: &str, body: &str) -> IndexedItem {
    item(id, vec![version("en", title, "", body)])
}

fn index_with(items: &[IndexedItem]) -> LibraryIndex {
    let index = LibraryIndex::in_memory().unwrap();
    index.apply(items, &[], 1).unwrap();
    index
}

fn search(index: &LibraryIndex, text: &str) -> SearchResults {
    index
        .search(&SearchQuery::text(text), &VisibleSet::all())
        .unwrap()
}

fn ids(results: &SearchResults) -> Vec<i64> {
    results.hits.iter().map(|h| h.id).collect()
}

fn sorted_ids(results: &SearchResults) -> Vec<i64> {
    let mut v = ids(results);
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// Languages

#[test]
fn russian_word_forms_find_each_other() {
    let index = index_with(&[
        item(1, vec![version("ru", "Профилактика экстремизма", "", "")]),
        item(
            2,
            vec![version("ru", "Противодействие экстремизму", "", "")],
        ),
        item(3, vec![version("ru", "Что такое экстремизм", "", "")]),
        item(4, vec![version("ru", "Образование и молодёжь", "", "")]),
    ]);
    for query in ["экстремизм", "экстремизма", "экстремизму", "Экстремизмом"]
    {
        assert_eq!(sorted_ids(&search(&index, query)), [1, 2, 3], "{query}");
    }
}

#[test]
fn yo_and_ye_find_each_other() {
    let index = index_with(&[item(1, vec![version("ru", "Работа с молодёжью", "", "")])]);
    assert_eq!(ids(&search(&index, "молодежью")), [1]);
    assert_eq!(ids(&search(&index, "молодёжь")), [1]);
}

#[test]
fn english_word_forms_find_each_other() {
    let index = index_with(&[
        en(1, "Preventing radicalisation", ""),
        en(2, "A prevented attack", ""),
    ]);
    assert_eq!(sorted_ids(&search(&index, "prevention")), [1, 2]);
    assert_eq!(sorted_ids(&search(&index, "PREVENTS")), [1, 2]);
}

#[test]
fn persian_keyboard_forms_find_arabic_text() {
    // Arabic keyboard text (ي, ك, ة); Persian keyboard query (ی, ک, ه).
    let index = index_with(&[
        item(
            1,
            vec![version(
                "ar",
                "مكافحة التطرف",
                "",
                "دراسة عن الكراهية في المدرسة",
            )],
        ),
        item(2, vec![version("fa", "پیشگیری از افراط‌گرایی", "", "کتاب")]),
    ]);
    assert_eq!(ids(&search(&index, "مکافحة")), [1]);
    // The article is removed from Arabic words: "مدرسه" finds "المدرسة".
    assert_eq!(ids(&search(&index, "مدرسه")), [1]);
    assert_eq!(ids(&search(&index, "التطرف")), [1]);
    assert_eq!(ids(&search(&index, "تطرف")), [1]);
    // ...and Arabic-keyboard queries find Persian-keyboard text.
    assert_eq!(ids(&search(&index, "كتاب")), [2]);
    assert_eq!(ids(&search(&index, "پيشگيري")), [2]);
}

#[test]
fn arabic_diacritics_and_hamza_forms_are_ignored() {
    let index = index_with(&[item(1, vec![version("ar", "الإرهاب الإلكتروني", "", "")])]);
    assert_eq!(ids(&search(&index, "الارهاب")), [1]);
    assert_eq!(ids(&search(&index, "الإِرْهَاب")), [1]);
    assert_eq!(ids(&search(&index, "الإرهـــاب")), [1]);
    assert_eq!(fold_arabic("الإِرْهَاب"), "الارهاب");
}

#[test]
fn other_languages_are_lowercased_and_ascii_folded() {
    let index = index_with(&[
        item(1, vec![version("uz", "Yoshlar va ekstremizm", "", "")]),
        item(
            2,
            vec![version("fr", "Prévention de la radicalisation", "", "")],
        ),
        item(3, vec![version("kk", "Жастар және экстремизм", "", "")]),
    ]);
    assert_eq!(ids(&search(&index, "YOSHLAR")), [1]);
    assert_eq!(ids(&search(&index, "prevention")), [2]);
    assert_eq!(ids(&search(&index, "жастар")), [3]);
}

#[test]
fn attachment_text_is_searched_by_script() {
    let mut a = en(1, "Annual report", "");
    a.attachment_text =
        "Приложение: статистика экстремизма. Appendix: prevented incidents. پیوست".into();
    let index = index_with(&[a, en(2, "Other", "")]);
    assert_eq!(ids(&search(&index, "экстремизму")), [1]);
    assert_eq!(ids(&search(&index, "prevention")), [1]);
    assert_eq!(ids(&search(&index, "پيوست")), [1]);
    let hit = &search(&index, "экстремизм").hits[0];
    assert_eq!(hit.lang, None, "matched only the attachment");
    assert!(
        hit.snippet_html.contains("<mark>экстремизма</mark>"),
        "{}",
        hit.snippet_html
    );
    assert_eq!(hit.title_html, "Annual report");
}

#[test]
fn the_best_matching_version_is_reported() {
    let index = index_with(&[item(
        1,
        vec![
            version("en", "Youth and prevention", "A summary", "Body text"),
            version(
                "ru",
                "Молодёжь и профилактика",
                "Краткое изложение",
                "Текст",
            ),
        ],
    )]);
    let hit = &search(&index, "профилактики").hits[0];
    assert_eq!(hit.lang.as_deref(), Some("ru"));
    assert_eq!(hit.title_html, "Молодёжь и <mark>профилактика</mark>");
    let hit = &search(&index, "preventing").hits[0];
    assert_eq!(hit.lang.as_deref(), Some("en"));
    // Without words: the language filter's version, else the first.
    let q = SearchQuery {
        language: Some("RU".into()),
        ..SearchQuery::default()
    };
    let hit = &index.search(&q, &VisibleSet::all()).unwrap().hits[0];
    assert_eq!(hit.lang.as_deref(), Some("ru"));
    assert_eq!(search(&index, "").hits[0].lang.as_deref(), Some("en"));
}

#[test]
fn title_matches_rank_above_body_matches() {
    let index = index_with(&[
        en(
            1,
            "A study",
            "The word recruitment appears in the body only.",
        ),
        en(2, "Recruitment online", "Something else entirely."),
    ]);
    assert_eq!(ids(&search(&index, "recruitment")), [2, 1]);
}

// ---------------------------------------------------------------------------
// Query syntax

#[test]
fn words_are_all_required_unless_or_is_said() {
    let index = index_with(&[
        en(1, "violent extremism", ""),
        en(2, "violent crime", ""),
        en(3, "online extremism", ""),
    ]);
    assert_eq!(ids(&search(&index, "violent extremism")), [1]);
    assert_eq!(sorted_ids(&search(&index, "crime OR online")), [2, 3]);
    assert_eq!(sorted_ids(&search(&index, "violent -crime")), [1]);
    assert_eq!(sorted_ids(&search(&index, "violent NOT crime")), [1]);
    assert_eq!(
        sorted_ids(&search(&index, "(crime OR online) AND violent")),
        [2]
    );
    assert_eq!(sorted_ids(&search(&index, "kind:report AND crime")), [2]);
    assert_eq!(sorted_ids(&search(&index, "\"online extremism\"")), [3]);
    assert_eq!(
        sorted_ids(&search(&index, "\"extremism online\"")),
        Vec::<i64>::new()
    );
}

#[test]
fn syntax_error_is_reported_not_panicked() {
    let index = index_with(&[en(1, "violent extremism", "")]);
    for bad in [
        "\"unbalanced quote",
        "(unbalanced parenthesis",
        "closing) only",
        "nosuchfield:word",
        "Resolution 2178: fighters",
        "-only -excluded",
        "AND",
        "a AND",
        "a OR",
        "[ range",
        "word^",
        "title_en:",
    ] {
        match index.search(&SearchQuery::text(bad), &VisibleSet::all()) {
            Err(SearchError::QuerySyntax { detail }) => {
                assert!(detail.ends_with('.'), "{bad}: {detail}");
                let message = SearchError::QuerySyntax { detail }.to_string();
                assert!(message.starts_with("The search could not be understood: "));
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn too_long_query_is_refused() {
    let index = index_with(&[en(1, "x", "")]);
    let long = "word ".repeat(2_000);
    assert_eq!(
        index.search(&SearchQuery::text(long), &VisibleSet::all()),
        Err(SearchError::QueryTooLong {
            max: MAX_QUERY_CHARS
        })
    );
    // Exactly the limit is fine, counted in characters, not bytes.
    let ok = "ж".repeat(MAX_QUERY_CHARS);
    assert!(
        index
            .search(&SearchQuery::text(ok), &VisibleSet::all())
            .is_ok()
    );
}

#[test]
fn bad_paging_is_refused() {
    let index = index_with(&[en(1, "x", "")]);
    for (offset, limit) in [(0, 0), (0, 101), (10_001, 10)] {
        let q = SearchQuery {
            offset,
            limit,
            ..SearchQuery::default()
        };
        assert!(
            matches!(
                index.search(&q, &VisibleSet::all()),
                Err(SearchError::BadPaging { .. })
            ),
            "{offset} {limit}"
        );
    }
}

// ---------------------------------------------------------------------------
// Snippets

#[test]
fn snippets_escape_html_and_mark_terms() {
    let body =
        "Intro.\n\nSome text <script>alert('extremism')</script> & more about **extremism** here.";
    let index = index_with(&[item(
        1,
        vec![version("en", "<b>Extremism</b> & \"you\"", "", body)],
    )]);
    let hit = &search(&index, "extremism").hits[0];
    assert_eq!(
        hit.title_html,
        "&lt;b&gt;<mark>Extremism</mark>&lt;/b&gt; &amp; &quot;you&quot;"
    );
    assert!(
        hit.snippet_html
            .contains("&lt;script&gt;alert(&#39;<mark>extremism</mark>&#39;)&lt;/script&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(
        !hit.snippet_html.contains("<script"),
        "{}",
        hit.snippet_html
    );
    assert!(
        !hit.snippet_html.contains("**"),
        "Markdown is stripped: {}",
        hit.snippet_html
    );
    // Nothing but <mark> and </mark> is unescaped.
    let stripped = hit
        .snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "");
    assert!(
        !stripped.contains('<') && !stripped.contains('>'),
        "{stripped}"
    );
}

#[test]
fn snippet_is_a_window_around_the_match() {
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30);
    let body = format!("{filler} The key finding concerns recruitment in prisons. {filler}");
    let index = index_with(&[item(1, vec![version("en", "Report", "A summary.", &body)])]);
    let hit = &search(&index, "recruitment prisons").hits[0];
    assert!(hit.snippet_html.starts_with('…') && hit.snippet_html.ends_with('…'));
    assert!(
        hit.snippet_html
            .contains("<mark>recruitment</mark> in <mark>prisons</mark>")
    );
    // Without words: the summary.
    assert_eq!(search(&index, "").hits[0].snippet_html, "A summary.");
}

// ---------------------------------------------------------------------------
// Rights inside the search

fn rights_corpus() -> Vec<IndexedItem> {
    let mut items = Vec::new();
    for id in 1..=30 {
        let mut it = en(id, &format!("Extremism study {id}"), "About extremism.");
        it.kind = if id % 2 == 0 { "report" } else { "research" }.into();
        it.marking = if id % 3 == 0 { "AMBER" } else { "GREEN" }.into();
        it.themes = vec![
            if id % 5 == 0 {
                "prisons"
            } else {
                "online-propaganda"
            }
            .into(),
        ];
        it.countries = vec![if id % 4 == 0 { "UZB" } else { "KAZ" }.into()];
        it.published = Some(date!(2024 - 01 - 01) + time::Duration::days(id));
        items.push(it);
    }
    items
}

#[test]
fn hidden_items_change_no_total_or_facet() {
    let visible_ids: Vec<i64> = (1..=30).filter(|id| id % 3 != 0).collect();
    let visible = VisibleSet::from_ids(visible_ids.iter().copied());
    // The same visible items, once alone and once among hidden ones that
    // match the query too (and carry their own kind, theme and country).
    let alone: Vec<IndexedItem> = rights_corpus()
        .into_iter()
        .filter(|i| visible_ids.contains(&i.id))
        .collect();
    let mut with_hidden = rights_corpus();
    for it in with_hidden
        .iter_mut()
        .filter(|i| !visible_ids.contains(&i.id))
    {
        it.kind = "secret-kind".into();
        it.themes.push("secret-theme".into());
        it.countries.push("SECRET".into());
        it.versions.push(version(
            "ru",
            "Экстремизм",
            "",
            "extremism extremism extremism",
        ));
        it.attachment_text = "extremism ".repeat(50);
    }
    let a = index_with(&alone);
    let b = index_with(&with_hidden);
    for text in [
        "extremism",
        "",
        "study",
        "\"extremism study\"",
        "extremism OR nothing",
    ] {
        for order in [Order::Relevance, Order::Newest, Order::Oldest] {
            let q = SearchQuery {
                text: text.into(),
                order,
                limit: 100,
                ..SearchQuery::default()
            };
            let ra = a.search(&q, &VisibleSet::all()).unwrap();
            let rb = b.search(&q, &visible).unwrap();
            assert_eq!(ra.total, rb.total, "{text:?} {order:?}");
            assert_eq!(ra.facets, rb.facets, "{text:?} {order:?}");
            assert_eq!(
                ids(&ra),
                ids(&rb),
                "{text:?} {order:?}: same order, scores included"
            );
            assert_eq!(
                ra.hits, rb.hits,
                "{text:?} {order:?}: same titles, snippets, scores"
            );
        }
    }
    let r = b.search(&SearchQuery::text("extremism"), &visible).unwrap();
    assert_eq!(r.total, 20);
    for (facet, values) in [
        ("kind", &r.facets.kind),
        ("theme", &r.facets.theme),
        ("country", &r.facets.country),
    ] {
        assert!(
            values
                .iter()
                .all(|(v, _)| !v.starts_with("secret") && v != "SECRET"),
            "{facet}: {values:?}"
        );
    }
    assert_eq!(r.facets.marking, [("GREEN".to_string(), 20)]);
}

#[test]
fn nothing_visible_finds_nothing() {
    let index = index_with(&rights_corpus());
    let r = index
        .search(&SearchQuery::text("extremism"), &VisibleSet::none())
        .unwrap();
    assert_eq!((r.total, r.hits.len()), (0, 0));
    assert_eq!(r.facets, Default::default());
}

#[test]
fn page_two_continues_page_one_without_repeats() {
    let index = index_with(&rights_corpus());
    let visible = VisibleSet::from_ids((1..=30).filter(|id| id % 4 != 1));
    for (text, order) in [
        ("extremism", Order::Relevance),
        ("", Order::Newest),
        ("", Order::Oldest),
        ("study", Order::Newest),
    ] {
        let page = |offset, limit| {
            let q = SearchQuery {
                text: text.into(),
                order,
                offset,
                limit,
                ..SearchQuery::default()
            };
            index.search(&q, &visible).unwrap()
        };
        let all = ids(&page(0, 100));
        assert_eq!(all.len(), 22);
        let mut paged = Vec::new();
        for p in 0..5 {
            let r = page(p * 5, 5);
            assert_eq!(r.total, 22, "every page tells the same total");
            paged.extend(ids(&r));
        }
        assert_eq!(paged, all, "{text:?} {order:?}");
        assert!(paged.iter().all(|id| id % 4 != 1), "only visible items");
    }
}

#[test]
fn snippets_never_come_from_hidden_items() {
    let mut secret = en(
        2,
        "Operation Nightjar",
        "The codename nightjar appears here.",
    );
    secret.attachment_text = "nightjar details".into();
    let index = index_with(&[en(1, "Public note", "Nothing to see."), secret]);
    let visible = VisibleSet::from_ids([1]);
    let r = index
        .search(&SearchQuery::text("nightjar"), &visible)
        .unwrap();
    assert_eq!((r.total, r.hits.len()), (0, 0));
    let r = index.search(&SearchQuery::text(""), &visible).unwrap();
    assert_eq!(ids(&r), [1]);
    assert!(
        r.hits
            .iter()
            .all(|h| !h.snippet_html.to_lowercase().contains("nightjar"))
    );
}

// ---------------------------------------------------------------------------
// Filters and order

#[test]
fn filters_narrow_results() {
    let index = index_with(&rights_corpus());
    let all = VisibleSet::all();
    let count = |q: SearchQuery| index.search(&q, &all).unwrap().total;
    let base = || SearchQuery::text("extremism");
    assert_eq!(count(base()), 30);
    assert_eq!(
        count(SearchQuery {
            kind: Some("report".into()),
            ..base()
        }),
        15
    );
    assert_eq!(
        count(SearchQuery {
            marking: Some("AMBER".into()),
            ..base()
        }),
        10
    );
    assert_eq!(
        count(SearchQuery {
            country: Some("UZB".into()),
            ..base()
        }),
        7
    );
    assert_eq!(
        count(SearchQuery {
            themes: vec!["prisons".into()],
            ..base()
        }),
        6
    );
    assert_eq!(
        count(SearchQuery {
            themes: vec!["prisons".into(), "online-propaganda".into()],
            ..base()
        }),
        0,
        "every theme must match"
    );
    assert_eq!(
        count(SearchQuery {
            language: Some("en".into()),
            ..base()
        }),
        30
    );
    assert_eq!(
        count(SearchQuery {
            language: Some("ru".into()),
            ..base()
        }),
        0
    );
    let r = index
        .search(
            &SearchQuery {
                kind: Some("report".into()),
                marking: Some("AMBER".into()),
                ..base()
            },
            &all,
        )
        .unwrap();
    assert_eq!(sorted_ids(&r), [6, 12, 18, 24, 30]);
    assert_eq!(r.facets.kind, [("report".to_string(), 5)]);
    assert_eq!(
        r.facets.country,
        [("KAZ".to_string(), 3), ("UZB".to_string(), 2)]
    );
}

#[test]
fn date_range_is_inclusive() {
    let index = index_with(&rights_corpus());
    // Item n is published on 2024-01-01 + n days.
    let q = SearchQuery {
        from: Some(date!(2024 - 01 - 06)),
        to: Some(date!(2024 - 01 - 10)),
        order: Order::Oldest,
        ..SearchQuery::default()
    };
    assert_eq!(
        ids(&index.search(&q, &VisibleSet::all()).unwrap()),
        [5, 6, 7, 8, 9]
    );
    let q = SearchQuery {
        from: Some(date!(2024 - 01 - 29)),
        ..SearchQuery::default()
    };
    assert_eq!(
        ids(&index.search(&q, &VisibleSet::all()).unwrap()),
        [30, 29, 28]
    );
    let q = SearchQuery {
        to: Some(date!(2024 - 01 - 02)),
        ..SearchQuery::default()
    };
    assert_eq!(ids(&index.search(&q, &VisibleSet::all()).unwrap()), [1]);
}

#[test]
fn empty_query_lists_visible_items_newest_first() {
    let mut items = rights_corpus();
    items.push(IndexedItem {
        published: None,
        ..en(31, "Undated", "")
    });
    let index = index_with(&items);
    let visible = VisibleSet::from_ids([3, 7, 31, 12, 99]);
    let r = index.search(&SearchQuery::default(), &visible).unwrap();
    assert_eq!(ids(&r), [12, 7, 3, 31], "undated last");
    assert_eq!(r.total, 4);
    assert!(r.hits.iter().all(|h| h.score == 0.0));
    let q = SearchQuery {
        order: Order::Oldest,
        ..SearchQuery::default()
    };
    assert_eq!(ids(&index.search(&q, &visible).unwrap()), [3, 7, 12, 31]);
}

#[test]
fn equal_dates_are_ordered_by_id() {
    let index = index_with(&[en(5, "a", ""), en(2, "b", ""), en(9, "c", "")]);
    assert_eq!(ids(&search(&index, "")), [9, 5, 2]);
    let q = SearchQuery {
        order: Order::Oldest,
        ..SearchQuery::default()
    };
    assert_eq!(
        ids(&index.search(&q, &VisibleSet::all()).unwrap()),
        [2, 5, 9]
    );
}

// ---------------------------------------------------------------------------
// Changes

#[test]
fn upsert_replaces_earlier_version() {
    let index = index_with(&[en(1, "Old title about extremism", "")]);
    index
        .apply(&[en(1, "New title about prevention", "")], &[], 2)
        .unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "extremism").total, 0);
    assert_eq!(ids(&search(&index, "prevention")), [1]);
    // Within one batch, the last upsert of an id wins.
    index
        .apply(&[en(1, "first", ""), en(1, "second", "")], &[], 3)
        .unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "first").total, 0);
    assert_eq!(search(&index, "second").total, 1);
}

#[test]
fn removal_takes_item_out_at_once() {
    let index = index_with(&[en(1, "extremism", ""), en(2, "extremism", "")]);
    index.apply(&[], &[1], 2).unwrap();
    let r = search(&index, "extremism");
    assert_eq!((r.total, ids(&r)), (1, vec![2]));
    assert_eq!(r.facets.kind, [("report".to_string(), 1)]);
    assert_eq!(index.len(), 1);
    // Upserted and removed in one batch: removed.
    index.apply(&[en(3, "extremism", "")], &[3], 3).unwrap();
    assert_eq!(ids(&search(&index, "extremism")), [2]);
}

#[test]
fn non_positive_ids_are_refused_and_nothing_is_applied() {
    let index = index_with(&[en(1, "one", "")]);
    let err = index.apply(&[en(2, "two", ""), en(0, "zero", "")], &[], 5);
    assert!(matches!(err, Err(SearchError::Index(_))));
    assert_eq!(index.len(), 1);
    assert_eq!(index.applied_through(), 1);
}

#[test]
fn clear_empties_the_index() {
    let index = index_with(&rights_corpus());
    assert_eq!(index.len(), 30);
    index.clear().unwrap();
    assert_eq!((index.len(), index.applied_through()), (0, 0));
    assert_eq!(search(&index, "").total, 0);
}

#[test]
fn applied_through_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = LibraryIndex::open(dir.path()).unwrap();
        assert_eq!(index.applied_through(), 0);
        index.apply(&rights_corpus(), &[], 41).unwrap();
        index.apply(&[], &[1], 42).unwrap();
        assert_eq!(index.applied_through(), 42);
    }
    let index = LibraryIndex::open(dir.path()).unwrap();
    assert_eq!(index.applied_through(), 42);
    assert_eq!(index.len(), 29);
    assert_eq!(search(&index, "extremism").total, 29);
}

#[test]
fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = LibraryIndex::open(dir.path()).unwrap();
    match LibraryIndex::open(dir.path()) {
        Err(SearchError::Index(msg)) => assert!(msg.contains("another process"), "{msg}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened twice"),
    }
}

#[test]
fn an_index_of_another_schema_version_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = LibraryIndex::open(dir.path()).unwrap();
        index.apply(&rights_corpus(), &[], 7).unwrap();
    }
    // Pretend an older version wrote it.
    let meta_path = dir.path().join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    let old = meta.replace(
        &format!("schema={}", accord_search::SCHEMA_VERSION),
        "schema=0",
    );
    assert_ne!(meta, old);
    std::fs::write(&meta_path, old).unwrap();
    let index = LibraryIndex::open(dir.path()).unwrap();
    assert_eq!((index.applied_through(), index.len()), (0, 0));
    index.apply(&rights_corpus(), &[], 8).unwrap();
    assert_eq!(index.len(), 30);
}

#[test]
fn a_directory_with_other_files_is_not_wiped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    assert!(matches!(
        LibraryIndex::open(dir.path()),
        Err(SearchError::Index(_))
    ));
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn large_attachments_are_capped_not_refused() {
    let mut big = en(1, "Big", "");
    big.attachment_text = "filler ".repeat(1_000_000) + "needle";
    let index = index_with(&[big]);
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "filler").total, 1);
    assert_eq!(search(&index, "needle").total, 0, "past the cap");
}
