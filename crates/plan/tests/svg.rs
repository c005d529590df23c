//! The charts are well-formed, script-free XML with their labels.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use accord_plan::svg::{ChartWords, progress_lines, status_bars};
use accord_plan::{Cell, ReportStatus, StatusCounts};

#[derive(Default, Debug)]
struct Parsed {
    elements: Vec<String>,
    attributes: Vec<(String, String)>,
    text: String,
    root: Option<String>,
}

fn parse(svg: &str) -> Parsed {
    let mut r = Reader::from_str(svg);
    let mut p = Parsed::default();
    let mut depth = 0usize;
    loop {
        let ev = r
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
        let start = |e: &quick_xml::events::BytesStart<'_>, p: &mut Parsed| {
            let name = e.name().as_ref().to_string();
            if p.root.is_none() {
                p.root = Some(name.clone());
            }
            for a in e.attributes() {
                let a = a.expect("well-formed attribute");
                p.attributes.push((
                    a.key.as_ref().to_string(),
                    a.normalized_value(XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                ));
            }
            p.elements.push(name);
        };
        match ev {
            Event::Start(e) => {
                start(&e, &mut p);
                depth += 1;
            }
            Event::Empty(e) => start(&e, &mut p),
            Event::End(_) => depth -= 1,
            Event::Text(t) => {
                p.text.push_str(&t.xml10_content());
            }
            Event::GeneralRef(g) => {
                if g.is_char_ref() {
                    p.text.extend(g.resolve_char_ref().unwrap());
                } else {
                    p.text.push_str(match &*g.into_inner() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity {other:?}"),
                    });
                }
            }
            Event::Eof => break,
            Event::CData(_) | Event::DocType(_) | Event::PI(_) => {
                panic!("unexpected node in {svg}")
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    p
}

fn assert_safe_and_accessible(p: &Parsed) {
    assert_eq!(p.root.as_deref(), Some("svg"));
    assert_eq!(
        p.elements.get(1).map(String::as_str),
        Some("title"),
        "title first"
    );
    assert_eq!(p.elements.get(2).map(String::as_str), Some("desc"));
    for bad in [
        "script",
        "foreignObject",
        "image",
        "use",
        "a",
        "iframe",
        "style",
    ] {
        assert!(!p.elements.iter().any(|e| e == bad), "has <{bad}>");
    }
    for (k, v) in &p.attributes {
        assert!(
            !k.to_ascii_lowercase().starts_with("on"),
            "event attribute {k}"
        );
        assert!(!k.ends_with("href"), "reference {k}={v}");
        if v.contains("url(") {
            assert!(v.starts_with("url(#"), "external url {v}");
        }
    }
    assert!(p.attributes.iter().any(|(k, v)| k == "role" && v == "img"));
}

fn counts(implemented: usize, in_progress: usize, not_reported: usize) -> StatusCounts {
    let mut c = StatusCounts::default();
    for _ in 0..implemented {
        c.add(Cell::Reported(ReportStatus::Implemented));
    }
    for _ in 0..in_progress {
        c.add(Cell::Reported(ReportStatus::InProgress));
    }
    for _ in 0..not_reported {
        c.add(Cell::NotReported);
    }
    c
}

#[test]
fn status_bars_are_well_formed_labelled_and_escaped() {
    let hostile = "A&B <script>alert(1)</script> \"q\"";
    let svg = status_bars(
        "status\"><script>",
        "Statuses per member <round 1>",
        &[
            ("KAZ".into(), counts(3, 2, 2)),
            (hostile.into(), counts(0, 1, 6)),
            ("EMPTY".into(), StatusCounts::default()),
        ],
        &ChartWords::default(),
    );
    let p = parse(&svg);
    assert_safe_and_accessible(&p);
    for label in [
        "KAZ",
        hostile,
        "Statuses per member <round 1>",
        "Implemented",
        "In progress",
        "Not reported",
        "43% impl.",
    ] {
        assert!(p.text.contains(label), "missing {label:?}");
    }
    // The legend names what the chart shows, nothing else.
    assert!(!p.text.contains("Not applicable"));
    // Every segment is described in words and filled with a pattern.
    assert!(p.text.contains("KAZ: 3 implemented"));
    assert!(p.elements.iter().filter(|e| *e == "pattern").count() >= 6);
    assert!(!svg.contains("<script"));
}

#[test]
fn an_empty_status_chart_is_still_valid() {
    let p = parse(&status_bars("x", "Nothing", &[], &ChartWords::default()));
    assert_safe_and_accessible(&p);
    assert!(p.text.contains("No data."));
}

#[test]
fn progress_lines_are_well_formed_with_rounds_pillars_and_values() {
    let rounds = vec!["2015 <UNGA>".to_string(), "2016".into(), "2017".into()];
    let series = vec![
        (
            "I Conditions conducive".to_string(),
            vec![Some(0.1), Some(0.4), Some(0.75)],
        ),
        (
            "II Prevent & combat".into(),
            vec![None, Some(0.2), Some(0.2)],
        ),
        (
            "III Capacity-building & UN role".into(),
            vec![Some(0.0), None, Some(1.0)],
        ),
        (
            "IV Human rights & rule of law".into(),
            vec![Some(0.5), Some(0.5), Some(0.5)],
        ),
    ];
    let svg = progress_lines("pillars", "Progress per pillar", &rounds, &series);
    let p = parse(&svg);
    assert_safe_and_accessible(&p);
    for label in [
        "2015 <UNGA>",
        "II Prevent & combat",
        "IV Human rights & rule of law",
        "75%",
        "100%",
        "0%",
    ] {
        assert!(p.text.contains(label), "missing {label:?}");
    }
    // Distinct dash styles so lines stay apart in black and white.
    let dashes: std::collections::BTreeSet<_> = p
        .attributes
        .iter()
        .filter(|(k, _)| k == "stroke-dasharray")
        .map(|(_, v)| v.clone())
        .collect();
    assert!(dashes.len() >= 3);
    assert!(p.text.contains("2015 <UNGA> 10%"), "desc states the values");
}

#[test]
fn a_single_round_chart_is_valid() {
    let p = parse(&progress_lines(
        "one",
        "One round",
        &["R1".into()],
        &[("I".into(), vec![Some(0.5)])],
    ));
    assert_safe_and_accessible(&p);
    let p = parse(&progress_lines("none", "None", &[], &[]));
    assert_safe_and_accessible(&p);
}

#[test]
fn status_charts_speak_the_pages_language() {
    let words = ChartWords {
        statuses: [
            "Выполнено",
            "Выполняется",
            "Запланировано",
            "Не начато",
            "Не применимо",
            "Отчёт подан (доступ ограничен)",
            "Отчёт ещё не подан",
            "Нет отчёта",
        ]
        .map(String::from),
        implemented: "выполнено {pct}".into(),
        no_data: "Нет данных.".into(),
        no_commitments: "нет обязательств".into(),
    };
    let p = parse(&status_bars(
        "ru",
        "Статусы",
        &[("KAZ".into(), counts(3, 2, 2))],
        &words,
    ));
    assert_safe_and_accessible(&p);
    assert!(p.text.contains("Выполнено") && p.text.contains("выполнено 43%"));
    assert!(!p.text.contains("Implemented") && !p.text.contains("impl."));
    let empty = parse(&status_bars("ru", "Статусы", &[], &words));
    assert!(empty.text.contains("Нет данных."));
}

#[test]
fn restricted_and_awaited_reports_have_their_own_legend_pattern_and_the_legend_fits() {
    let mut c = counts(1, 1, 1);
    c.add(Cell::Restricted);
    c.add(Cell::NotYetReported);
    c.add(Cell::Reported(ReportStatus::Planned));
    c.add(Cell::Reported(ReportStatus::NotStarted));
    c.add(Cell::Reported(ReportStatus::NotApplicable));
    let svg = status_bars("all", "All", &[("KAZ".into(), c)], &ChartWords::default());
    let p = parse(&svg);
    assert_safe_and_accessible(&p);
    for label in ["Reported (restricted)", "Not yet reported", "Not reported"] {
        assert!(p.text.contains(label), "missing {label:?}");
    }
    assert!(
        p.text.contains("KAZ: 1 reported (restricted)"),
        "{}",
        p.text
    );
    assert!(svg.contains("url(#all-restricted)") && svg.contains("url(#all-not-yet-reported)"));
    // Eight statuses wrap inside the chart's width instead of running off it.
    let width: f64 = p
        .attributes
        .iter()
        .find(|(k, _)| k == "width")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    let legend_x: Vec<f64> = svg
        .split(r#"<g class="legend"><rect x=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(legend_x.len(), 8);
    assert!(
        legend_x.iter().all(|x| *x < width - 60.0),
        "{legend_x:?} in {width}"
    );
}

#[test]
fn the_first_and_last_round_labels_lean_inward_so_long_names_are_not_cut() {
    let rounds = vec![
        "Годовой обзор 2025".to_string(),
        "Middle".into(),
        "Годовой обзор 2026 (открыт)".into(),
    ];
    let series = vec![("I".to_string(), vec![Some(0.1), Some(0.2), Some(0.3)])];
    let svg = progress_lines("pillars", "Progress", &rounds, &series);
    let anchor_of = |label: &str| {
        let at = svg.find(&format!(">{label}</text>")).expect(label);
        let start = svg[..at].rfind("<text").unwrap();
        let tag = &svg[start..at];
        tag.split("text-anchor=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(anchor_of("Годовой обзор 2025"), "start");
    assert_eq!(anchor_of("Middle"), "middle");
    assert_eq!(anchor_of("Годовой обзор 2026 (открыт)"), "end");
}
