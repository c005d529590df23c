//! Batch CSV screening on the fixtures.

mod common;

use std::cell::RefCell;

use accord_screening::{CsvError, CsvOptions, OUTPUT_HEADER, Progress, screen_csv};

fn run(
    input: &[u8],
    opts: &CsvOptions,
) -> (Result<accord_screening::CsvSummary, CsvError>, Vec<u8>) {
    let screener = common::screener();
    let mut out = Vec::new();
    let r = screen_csv(&screener, input, &mut out, opts, &|_| {});
    (r, out)
}

fn rows(out: &[u8]) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(out);
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        OUTPUT_HEADER.to_vec()
    );
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn cyrillic_query_finds_the_un_entry_with_explanation() {
    let input = "Country,NAME,id\nAF,Мухаммад Тахир Анвари,cust-1\n,Jane Q. Nobody,cust-2\n";
    let (r, out) = run(input.as_bytes(), &CsvOptions::default());
    let summary = r.unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(summary.errors, 0);
    assert_eq!(summary.matched, 1);
    let rows = rows(&out);
    let first = &rows[0];
    assert_eq!(first[0], "cust-1");
    assert_eq!(first[1], "Мухаммад Тахир Анвари");
    assert_eq!(first[2], "1");
    assert_eq!(first[3], "TAi.005");
    assert_eq!(first[4], "un");
    assert!(first[5].contains("MUHAMMAD TAHER ANWARI"), "{}", first[5]);
    let score: f64 = first[6].parse().unwrap();
    assert!(score >= 0.9, "{score}");
    assert!(
        first[7].contains("Cyrillic") || first[7].contains("read"),
        "{}",
        first[7]
    );
    assert_eq!(first[8], "");
    // The innocent name: one row, no match, no error.
    let last = rows.last().unwrap();
    assert_eq!(last[0], "cust-2");
    assert_eq!(&last[2..], &["", "", "", "", "", "", ""]);
    // Ranks are 1.. and scores descending within a query.
    let cust1: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "cust-1").collect();
    for (i, r) in cust1.iter().enumerate() {
        assert_eq!(r[2], (i + 1).to_string());
    }
    let scores: Vec<f64> = cust1.iter().map(|r| r[6].parse().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn ids_default_to_row_numbers_and_secondary_columns_are_used() {
    let input = "name,birth_date,schema\nAleksandr Vyacheslavovich Zakharov,1965-09-21,Person\nZala Aero,,Organization\n";
    let (r, out) = run(input.as_bytes(), &CsvOptions::default());
    r.unwrap();
    let rows = rows(&out);
    assert_eq!(rows[0][0], "1");
    assert_eq!(rows[0][3], "45937");
    assert_eq!(rows[0][4], "ofac");
    assert!(rows[0][7].contains("birth_date"), "{}", rows[0][7]);
    let zala = rows.iter().find(|r| r[0] == "2").unwrap();
    assert_eq!(zala[3], "45934");
}

#[test]
fn missing_name_column_is_an_error_before_any_output() {
    let (r, out) = run(b"id,full_name\n1,Ali\n", &CsvOptions::default());
    let e = r.unwrap_err();
    assert!(matches!(e, CsvError::MissingNameColumn { .. }));
    assert!(e.to_string().contains("\"name\" column"), "{e}");
    assert!(out.is_empty());
    let (r, out) = run(b"", &CsvOptions::default());
    assert!(matches!(r.unwrap_err(), CsvError::Empty));
    assert!(out.is_empty());
}

#[test]
fn bad_rows_become_error_rows_and_the_rest_is_answered() {
    let mut input = b"id,name,schema,birth_date\n".to_vec();
    input.extend_from_slice(b"a,Muhammad Tahir Anwari,,\n");
    input.extend_from_slice(b"b,Mu\xffhammad,,\n");
    input.extend_from_slice(b"c,,,\n");
    input.extend_from_slice(b"d,!!! ???,,\n");
    input.extend_from_slice(format!("e,{},,\n", "Ali ".repeat(300)).as_bytes());
    input.extend_from_slice(b"f,Ali Hassan,Planet,\n");
    input.extend_from_slice(b"g,Ali Hassan,,yesterday\n");
    input.extend_from_slice(b"h\n");
    input.extend_from_slice(b"i,Zala Aero,Organization,,extra,fields\n");
    let (r, out) = run(&input, &CsvOptions::default());
    let s = r.unwrap();
    assert_eq!(s.rows, 9);
    assert_eq!(s.errors, 7, "{s:?}");
    let rows = rows(&out);
    let by_id = |id: &str| rows.iter().filter(|r| r[0] == id).collect::<Vec<_>>();
    assert_eq!(by_id("a")[0][3], "TAi.005");
    assert!(by_id("b")[0][8].contains("UTF-8"), "{:?}", by_id("b"));
    assert_eq!(by_id("b")[0][1], "Mu\u{fffd}hammad");
    assert!(by_id("c")[0][8].contains("empty"));
    assert!(by_id("d")[0][8].contains("no letters"));
    assert!(by_id("e")[0][8].contains("too long"));
    assert!(by_id("f")[0][8].contains("schema"));
    assert!(by_id("g")[0][8].contains("birth date"));
    assert!(by_id("h")[0][8].contains("empty"));
    assert_eq!(by_id("i")[0][3], "45934");
    for id in ["b", "c", "d", "e", "f", "g", "h"] {
        assert_eq!(by_id(id).len(), 1, "{id}");
        assert_eq!(by_id(id)[0][3], "", "{id}");
    }
}

#[test]
fn chunks_report_progress_and_options_are_checked() {
    let screener = common::screener();
    let mut input = String::from("name\n");
    for i in 0..25 {
        input.push_str(&format!("Person Number{i}\n"));
    }
    let seen = RefCell::new(Vec::new());
    let opts = CsvOptions {
        chunk_size: 10,
        total_rows: Some(25),
        ..CsvOptions::default()
    };
    let s = screen_csv(
        &screener,
        input.as_bytes(),
        std::io::sink(),
        &opts,
        &|p: Progress| seen.borrow_mut().push(p),
    )
    .unwrap();
    assert_eq!(s.rows, 25);
    let done: Vec<u64> = seen.borrow().iter().map(|p| p.done).collect();
    assert_eq!(done, vec![10, 20, 25]);
    assert!(seen.borrow().iter().all(|p| p.total == Some(25)));

    let (r, out) = run(
        b"name\nAli\n",
        &CsvOptions {
            datasets: Some(vec!["nope".into()]),
            ..CsvOptions::default()
        },
    );
    assert!(matches!(r.unwrap_err(), CsvError::UnknownDataset(_)));
    assert!(out.is_empty());
    let (r, _) = run(
        b"name\nAli\n",
        &CsvOptions {
            threshold: 1.5,
            ..CsvOptions::default()
        },
    );
    assert!(matches!(r.unwrap_err(), CsvError::BadOptions(_)));
}

#[test]
fn dataset_filter_limits_results() {
    let opts = CsvOptions {
        datasets: Some(vec!["un".into()]),
        ..CsvOptions::default()
    };
    let (r, out) = run(b"name\nZala Aero\n", &opts);
    r.unwrap();
    let rows = rows(&out);
    assert!(rows.iter().all(|r| r[4] != "ofac"), "{rows:?}");
}

#[test]
fn a_windows_1251_file_with_semicolons_is_screened_as_the_spreadsheet_saved_it() {
    let text = "id;name;country\ncust-1;Мухаммад Тахир Анвари;AF\ncust-2;Иван Петров;RU\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    // Read as it comes, it has no "name" column (and no UTF-8 rows).
    let (r, _) = run(&bytes, &CsvOptions::default());
    assert!(
        matches!(r, Err(CsvError::MissingNameColumn { .. })),
        "{r:?}"
    );

    let table =
        accord_screening::read_table(&bytes, accord_screening::table::MAX_SHEET_ROWS).unwrap();
    let opts = CsvOptions {
        separator: table.separator,
        ..CsvOptions::default()
    };
    let (r, out) = run(table.text.as_bytes(), &opts);
    let summary = r.unwrap();
    assert_eq!((summary.rows, summary.errors, summary.matched), (2, 0, 1));
    let rows = rows(&out);
    assert_eq!(rows[0][0], "cust-1");
    assert_eq!(rows[0][1], "Мухаммад Тахир Анвари");
    assert_eq!(rows[0][3], "TAi.005");
}
