//! Properties over many generated inputs: the arithmetic rules hold exactly,
//! and texts survive CSV and IATI unchanged whatever they contain.

use accord_programmes::error::Code;
use accord_programmes::iati::{IatiConfig, ImportContext, read_activities, write_activities};
use accord_programmes::model::*;
use accord_programmes::{Programme, csv, sample};
use proptest::prelude::*;
use time::macros::datetime;

const CODES: [&str; 7] = [
    "15210", "15220", "15130", "15137", "15150", "15153", "11430",
];

/// `k` shares in hundredths adding up to exactly 10,000.
fn splits() -> impl Strategy<Value = Vec<u32>> {
    (1usize..=7).prop_flat_map(|k| {
        proptest::collection::vec(0u32..=10_000, k - 1).prop_map(|mut cuts| {
            cuts.push(0);
            cuts.push(10_000);
            cuts.sort_unstable();
            cuts.windows(2).map(|w| w[1] - w[0]).collect()
        })
    })
}

fn with_sectors(shares: &[u32]) -> Result<Programme, accord_programmes::Invalid> {
    let mut d = sample::sample_data();
    d.sectors = shares
        .iter()
        .enumerate()
        .map(|(i, h)| SectorShare {
            code: SectorCode::parse(CODES[i]).unwrap(),
            percentage: Percent::parse(&Amount::from_hundredths(*h as i64).to_string()).unwrap(),
        })
        .collect();
    Programme::new(d)
}

/// Printable text with the characters that break formats: quotes, commas,
/// `<`, `&`, `|`, `;`, `:`, backslashes, formula starters, Cyrillic, inner newlines.
fn hostile_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;:|\"'<>&=+@Ёё\\\\\\-\n]{1,40}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", |s| !s.is_empty())
}

proptest! {
    #[test]
    fn shares_adding_up_to_100_are_accepted_and_one_hundredth_more_is_not(shares in splits(), bump in 0usize..7) {
        prop_assert!(with_sectors(&shares).is_ok());
        let mut more = shares.clone();
        let i = bump % more.len();
        if more[i] < 10_000 {
            more[i] += 1;
            let e = with_sectors(&more).unwrap_err();
            prop_assert!(e.has(Code::SectorsNotHundred, Some("sectors")));
        }
    }

    #[test]
    fn parts_are_refused_exactly_when_they_exceed_the_total(total in 0u32..500, f in 0u32..500, m in 0u32..500) {
        let mut d = sample::sample_data();
        let actual = d.results[0].indicators[0].periods[0].actual.as_mut().unwrap();
        actual.value = Some(total as f64);
        actual.parts = vec![
            Part { sex: Some(Sex::Female), age: None, value: f as f64 },
            Part { sex: Some(Sex::Male), age: None, value: m as f64 },
        ];
        let r = Programme::new(d);
        if f + m <= total {
            prop_assert!(r.is_ok());
        } else {
            prop_assert!(r.unwrap_err().has(Code::PartsExceedTotal, None));
        }
    }

    #[test]
    fn titles_survive_csv_unchanged(title in hostile_text()) {
        let mut d = sample::sample_data();
        d.title = Text::single("en", &title, 300).unwrap();
        let p = Programme::new(d).unwrap();
        let table = csv::programmes_csv(std::slice::from_ref(&p));
        let actor = sample::secretariat(1);
        let back = csv::read_programmes(table.as_bytes(), &[], &actor).unwrap();
        prop_assert_eq!(back.created[0].title.best("en"), title.as_str());
    }

    #[test]
    fn region_and_organization_names_survive_csv_unchanged(region in hostile_text(), org in hostile_text()) {
        let mut d = sample::sample_data();
        d.countries[0].regions = vec![region.replace('\n', " "), "Almaty".into()];
        d.participants[0].name = Text::single("en", &org, 300).unwrap();
        let p = Programme::new(d).unwrap();
        let table = csv::programmes_csv(std::slice::from_ref(&p));
        let actor = sample::secretariat(1);
        let back = csv::read_programmes(table.as_bytes(), &[], &actor).unwrap();
        prop_assert_eq!(&back.created[0].countries, &p.countries);
        prop_assert_eq!(&back.created[0].participants, &p.participants);
    }

    #[test]
    fn titles_survive_iati_unchanged(title in hostile_text()) {
        let mut d = sample::publishable().into_data();
        d.title = Text::single("en", &title, 300).unwrap();
        let p = Programme::new(d).unwrap();
        let now = datetime!(2025-06-01 09:00 UTC);
        let config = IatiConfig {
            reporting_org: OrgRef::parse("XM-ACCORD").unwrap(),
            reporting_org_type: OrgType::parse("40").unwrap(),
            reporting_org_name: Text::single("en", "Accord", 100).unwrap(),
        };
        let xml = write_activities(&[(&p, now)], &config, now).unwrap().xml;
        let back = read_activities(xml.as_bytes(), &ImportContext::default(), now).unwrap();
        prop_assert_eq!(back.created[0].title.best("en"), title.as_str());
    }
}
