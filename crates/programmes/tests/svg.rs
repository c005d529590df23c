//! The charts are well-formed, safe to inline, accessible, and carry their
//! values (checked by parsing them as XML).

use accord_programmes::aggregate::*;
use accord_programmes::model::ProgrammeKind;
use accord_programmes::sample;
use accord_programmes::svg::*;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Parses the SVG; returns (element names in order, all text).
fn parse(svg: &str) -> (Vec<String>, String) {
    let mut r = Reader::from_str(svg);
    r.config_mut().check_end_names = true;
    let (mut names, mut text, mut depth) = (Vec::new(), String::new(), 0i32);
    loop {
        match r.read_event().expect("well-formed SVG") {
            Event::Start(e) => {
                depth += 1;
                names.push(e.name().as_ref().to_string());
                for a in e.attributes() {
                    let a = a.unwrap();
                    let k = a.key.as_ref().to_string();
                    assert!(!k.starts_with("on"), "event attribute {k}");
                    assert!(k != "href" && k != "xlink:href", "reference {k}");
                    let v = a.value.to_string();
                    if v.contains("url(") {
                        assert!(v.starts_with("url(#"), "external url {v}");
                    }
                }
            }
            Event::Empty(e) => names.push(e.name().as_ref().to_string()),
            Event::End(_) => depth -= 1,
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => {
                text.push(match g.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    _ => '\'',
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    for bad in ["script", "image", "use", "foreignObject", "a"] {
        assert!(!names.iter().any(|n| n == bad), "<{bad}> present");
    }
    assert_eq!(&names[..3], ["svg", "title", "desc"]);
    (names, text)
}

#[test]
fn the_indicator_chart_shows_baseline_targets_and_actuals() {
    let p = sample::sample();
    let s = indicator_series(&p.results[0].indicators[1], "en", false);
    let svg = indicator_chart(
        "completed",
        "Offenders who completed <the programme>",
        &s,
        &Words::default(),
    );
    let (names, text) = parse(&svg);
    assert!(text.contains("Offenders who completed <the programme>"));
    assert!(
        text.contains("Baseline 2023: 0; 2024: target 100, actual 85."),
        "{text}"
    );
    assert!(names.iter().filter(|n| *n == "rect").count() >= 2);
    assert!(svg.contains(r#"class="baseline""#));
}

#[test]
fn percentage_indicators_are_drawn_on_a_zero_to_hundred_axis() {
    let p = sample::sample();
    let s = indicator_series(&p.results[1].indicators[1], "en", false);
    let svg = indicator_chart("share", "Share in work", &s, &Words::default());
    let (_, text) = parse(&svg);
    assert!(text.contains("100%") && text.contains("27.5%"), "{text}");
}

#[test]
fn the_budget_chart_states_every_amount() {
    let t = budget_vs_spent(&sample::sample());
    let svg = budget_chart("budget", "Budget and spending", &t, &Words::default());
    let (_, text) = parse(&svg);
    assert!(text.contains("EUR: budget 250,000, committed 0, spent 100,000; KZT: budget 0, committed 0, spent 30,000,000."), "{text}");
}

#[test]
fn the_kinds_chart_stacks_programmes_per_year_with_a_legend() {
    let ps = vec![sample::sample()];
    let y = kinds_by_year(&ps, None, &sample::secretariat(1));
    let svg = kinds_by_year_chart("kinds", "Programmes by kind", &y, &Words::default());
    let (_, text) = parse(&svg);
    assert!(
        text.contains("2024: 1 prison, rehabilitation and reintegration"),
        "{text}"
    );
    assert!(text.contains(ProgrammeKind::PrisonRehabilitation.label()));
    let empty = kinds_by_year_chart("kinds", "None", &[], &Words::default());
    assert!(parse(&empty).1.contains("No data."));
}

#[test]
fn hostile_labels_stay_text() {
    let words = Words {
        target: "<script>alert(1)</script>".into(),
        ..Words::default()
    };
    let p = sample::sample();
    let s = indicator_series(&p.results[0].indicators[1], "en", false);
    let svg = indicator_chart("x\"><script>", "t", &s, &words);
    let (_, text) = parse(&svg);
    assert!(text.contains("<script>alert(1)</script>"));
}
