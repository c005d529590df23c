//! Prints the explanation of one screening, as in README.md.
//!
//! cargo run --release -p accord-match --example explain -- "Мухаммад Тахир Анвари" 1968-03-02
//!
//! With `UN_XML=path` in the environment, screens against the UN list
//! instead; with `LIST_NAME=name`, against one record of that name;
//! `THRESHOLD=0.3` shows weaker results.

#[path = "common/mod.rs"]
mod common;

use accord_match::{DateSpec, Index, Query, Record, RecordName, Schema, ScreenOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "Мухаммад Тахир Анвари".into());
    let records = match (std::env::var("UN_XML"), std::env::var("LIST_NAME")) {
        (Ok(path), _) => common::un_records(&path),
        (_, Ok(list)) => vec![Record {
            names: vec![RecordName::primary(list)],
            ..one_record().remove(0)
        }],
        _ => one_record(),
    };
    let index = Index::build(records);
    let q = Query {
        name,
        birth_date: args.get(2).cloned(),
        country: args.get(3).cloned(),
        schema: Some(Schema::Person),
    };
    let opts = ScreenOptions {
        threshold: std::env::var("THRESHOLD")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(accord_match::DEFAULT_THRESHOLD),
        ..ScreenOptions::default()
    };
    match index.screen(&q, &opts) {
        Ok(hits) => {
            for h in &hits {
                println!("{} {:.3}\n{}\n", h.id, h.score, h.explanation);
                println!("{}", serde_json::to_string_pretty(&h.explanation).unwrap());
            }
            if hits.is_empty() {
                println!("no match");
            }
        }
        Err(e) => println!("error: {e}"),
    }
}

fn one_record() -> Vec<Record> {
    vec![Record {
        id: "TAi.001".into(),
        dataset: "un".into(),
        schema: Schema::Person,
        names: vec![
            RecordName::primary("MUHAMMAD TAHIR ANWARI"),
            RecordName::alias("Mohammad Taher Anwari"),
        ],
        birth_dates: vec![DateSpec::Day {
            year: 1968,
            month: 3,
            day: 2,
        }],
        countries: vec!["Afghanistan".into()],
    }]
}
