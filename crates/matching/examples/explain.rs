//! Prints the explanation of one screening, as in README.md.
//!
//! cargo run --release -p accord-match --example explain -- "Мухаммад Тахир Анвари" 1968-03-02

use accord_match::{DateSpec, Index, Query, Record, RecordName, Schema, ScreenOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "Мухаммад Тахир Анвари".into());
    let index = Index::build(vec![Record {
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
    }]);
    let q = Query {
        name,
        birth_date: args.get(2).cloned(),
        country: args.get(3).cloned(),
        schema: Some(Schema::Person),
    };
    match index.screen(&q, &ScreenOptions::default()) {
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
