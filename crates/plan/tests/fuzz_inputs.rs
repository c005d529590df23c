//! Fuzzing the Joint Plan's form and JSON inputs: implementation reports,
//! national strategies, reporting rounds, and the catalogue's frameworks,
//! pillars and commitments. Inputs are real values with random edits
//! (control and direction characters, odd numbers and dates, padding) and
//! arbitrary text or JSON. No input may panic; a refusal is a `PlanError`
//! or `Invalid` naming fields; an accepted report holds finite
//! non-negative numbers and http(s) links only, and survives storage as
//! JSON.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_core::Invalid;
use accord_plan::framework::{AppliesTo, NewCommitment, NewFramework, NewPillar};
use accord_plan::report::{Evidence, ReportContent, ReportInput};
use accord_plan::strategy::StrategyInput;
use accord_plan::{
    CommitmentId, FrameworkId, MemberCode, MemberKind, NewRound, PillarId, PlanError, Principal,
    Role, RoundId, seed,
};
use proptest::prelude::*;
use time::macros::date;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

const NASTY: &[&str] = &[
    "\u{0}",
    "\u{1b}",
    "\u{7f}",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\u{200B}",
    "\u{202E}",
    "\u{FEFF}",
    " ",
    "\u{A0}",
    "'",
    "\"",
    "=",
    "+",
    "-",
    "@",
    "<script>",
    "..",
    "/",
    "\\",
    ":",
    "e",
    "1e999",
    "1e308",
    "99999999999999999999",
    "-1",
    "-0",
    "0",
    "NaN",
    "inf",
    "0x10",
    "2015-02-30",
    "9999-12-31",
    "+10000-01-01",
    "T25:00:00Z",
    "javascript:",
    "https://",
    "http:///x",
];

fn text_near(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    let edited = (
        prop::sample::select(valid.to_vec()),
        prop::collection::vec(
            (any::<usize>(), prop::sample::select(NASTY.to_vec()), 0u8..4),
            0..3,
        ),
    )
        .prop_map(|(base, edits)| {
            let mut s: Vec<char> = base.chars().collect();
            for (i, nasty, op) in edits {
                let at = if s.is_empty() { 0 } else { i % (s.len() + 1) };
                match op {
                    0 => {
                        let tail = s.split_off(at);
                        s.extend(nasty.chars());
                        s.extend(tail);
                    }
                    1 => s.truncate(at),
                    2 if !s.is_empty() => {
                        s.remove(at.min(s.len() - 1));
                    }
                    _ => s = nasty.chars().collect(),
                }
            }
            s.into_iter().collect()
        });
    prop_oneof![
        6 => edited,
        1 => any::<String>(),
        1 => (1usize..25_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn check_invalid(e: &Invalid) -> Result<(), TestCaseError> {
    prop_assert!(!e.errors.is_empty(), "an Invalid without errors");
    for f in &e.errors {
        prop_assert!(!f.field.is_empty() && !f.message.is_empty(), "{:?}", f);
    }
    Ok(())
}

fn check_plan_error(e: &PlanError) -> Result<(), TestCaseError> {
    prop_assert!(!e.to_string().is_empty());
    if let PlanError::Invalid(inv) = e {
        check_invalid(inv)?;
    }
    Ok(())
}

fn check_content(c: &ReportContent) -> Result<(), TestCaseError> {
    for i in &c.indicators {
        prop_assert!(i.value.is_finite() && i.value >= 0.0, "{}", i.value);
        let _ = i.display();
    }
    for e in &c.evidence {
        if let Evidence::Link { url, .. } = e {
            prop_assert!(
                url.starts_with("https://") || url.starts_with("http://"),
                "{}",
                url
            );
            prop_assert!(!url.chars().any(|ch| ch.is_whitespace() || ch.is_control()));
        }
    }
    prop_assert!(
        !c.narrative
            .chars()
            .any(|ch| ch.is_control() && ch != '\n' && ch != '\t')
    );
    let json = serde_json::to_string(c).expect("serializes");
    let back: ReportContent = serde_json::from_str(&json).expect("reads back");
    prop_assert_eq!(&back, c);
    Ok(())
}

fn actor() -> impl Strategy<Value = Principal> {
    let kaz = || MemberCode::parse("KAZ").unwrap();
    prop_oneof![
        Just(Principal::platform_user(
            99,
            "secretariat",
            Role::SecretariatAdmin
        )),
        Just(Principal::member_user(
            11,
            "c",
            kaz(),
            MemberKind::RegionalState,
            Role::Contributor
        )),
        Just(Principal::member_user(
            12,
            "r",
            kaz(),
            MemberKind::RegionalState,
            Role::Reader
        )),
        Just(Principal::platform_user(98, "o", Role::Ombudsperson)),
    ]
}

const COMMITMENTS: &[&str] = &[
    "astana2015.step.1",
    "astana2015.conclusion.3",
    "jpoa2011.pillar.1",
    "x",
];
const MEMBERS: &[&str] = &["KAZ", "KGZ", "TJK", "kaz", "ZZZ"];
const DATES: &[&str] = &["2015-09-15", "2016-01-01", "", "2015-09-15T12:00:00Z"];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn report_input_json_never_panics(
        status in text_near(&["not_started", "planned", "in_progress", "implemented", "not_applicable"]),
        narrative in text_near(&["Trained 120 officers.\r\nSecond line.", ""]),
        indicators in prop::collection::vec(
            (text_near(&["public servants trained"]), text_near(&["120", "0.5", "0", "1e15"]), text_near(&["people", "%"])),
            0..4,
        ),
        evidence in prop::collection::vec(
            (text_near(&["https://example.org/report.pdf", "http://e.kz", ""]), text_near(&["report.pdf", ""]), text_near(&["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ""]), text_near(&["Report", ""])),
            0..3,
        ),
        agencies in prop::collection::vec(text_near(&["Ministry of Interior"]), 0..3),
        tlp in text_near(&["CLEAR", "GREEN", "amber", "TLP:RED", "AMBER+STRICT"]),
        many in prop::option::of(100usize..103),
    ) {
        let mut json = serde_json::json!({
            "status": status,
            "narrative": narrative,
            "indicators": indicators.iter().map(|(l, v, u)| serde_json::json!({"label": l, "value": v, "unit": u})).collect::<Vec<_>>(),
            "evidence": evidence.iter().map(|(u, n, s, t)| serde_json::json!({"url": u, "name": n, "sha256": s, "title": t})).collect::<Vec<_>>(),
            "agencies": agencies,
            "civil_society_partners": [],
            "tlp": tlp,
        });
        if let Some(n) = many {
            json["agencies"] = serde_json::json!(vec!["Agency"; n]);
        }
        let input: ReportInput = serde_json::from_value(json).expect("strings only");
        match input.validate() {
            Ok(content) => check_content(&content)?,
            Err(e) => check_invalid(&e)?,
        }
    }

    #[test]
    fn report_input_arbitrary_json_never_panics(
        json in prop_oneof![
            any::<String>(),
            "\\{(\"(status|narrative|indicators|evidence|agencies|civil_society_partners|tlp)\": ?(\"\\PC{0,10}\"|\\[(\\{(\"(label|value|unit|url|name|sha256|title)\": ?\"\\PC{0,8}\",?){0,4}\\},?){0,3}\\]|\\[(\"\\PC{0,6}\",?){0,3}\\]|null|1e999),? ?){0,7}\\}",
        ],
    ) {
        if let Ok(input) = serde_json::from_str::<ReportInput>(&json) {
            match input.validate() {
                Ok(content) => check_content(&content)?,
                Err(e) => check_invalid(&e)?,
            }
        }
    }

    #[test]
    fn strategy_input_never_panics(
        actor in actor(),
        title in text_near(&["National CVE strategy 2017-2022"]),
        kind in text_near(&["strategy", "action_plan", "law", "programme"]),
        status in text_near(&["adopted", "drafting", "expired"]),
        adopted_on in text_near(DATES),
        actors in prop::collection::vec(text_near(&["Ministry of Interior", ""]), 0..3),
        implements in prop::collection::vec(text_near(COMMITMENTS), 0..3),
        url in text_near(&["https://adilet.zan.kz/x", ""]),
        tlp in text_near(&["CLEAR", "GREEN"]),
    ) {
        let input = StrategyInput { title, kind, status, adopted_on, actors, implements, url, tlp };
        let member = MemberCode::parse("KAZ").unwrap();
        if let Err(e) = input.validate(&actor, &member, &seed::catalogue(), date!(2026 - 12 - 03)) {
            check_plan_error(&e)?;
        }
    }

    #[test]
    fn new_round_never_panics(
        actor in actor(),
        id in text_near(&["2015-unga", "2016.q1"]),
        name in text_near(&["Before the CVE leaders' summit"]),
        start in text_near(DATES),
        end in text_near(DATES),
        deadline in text_near(DATES),
        commitments in prop::collection::vec(text_near(COMMITMENTS), 0..4),
        members in prop::collection::vec(text_near(MEMBERS), 0..4),
    ) {
        let commitments: Vec<&str> = commitments.iter().map(String::as_str).collect();
        let members: Vec<&str> = members.iter().map(String::as_str).collect();
        let known: Vec<MemberCode> = ["KAZ", "KGZ", "TJK"].iter().map(|c| MemberCode::parse(c).unwrap()).collect();
        let round = NewRound {
            id: &id, name: &name, period_start: &start, period_end: &end, deadline: &deadline,
            commitments: &commitments, members: &members,
        };
        let now = time::macros::datetime!(2015-01-01 00:00 UTC);
        match round.validate(&actor, &seed::catalogue(), &known, now) {
            Ok(r) => {
                prop_assert!(r.period.start <= r.period.end);
                prop_assert!(r.deadline > now && r.deadline.date() >= r.period.end);
                prop_assert!(!r.commitments.is_empty() && !r.members.is_empty());
                prop_assert!(r.members.windows(2).all(|w| w[0] < w[1]));
            }
            Err(e) => check_plan_error(&e)?,
        }
    }

    #[test]
    fn catalogue_inputs_never_panic(
        id in text_near(&["astana2015", "jpoa2011.pillar.1", "astana2015.step.1"]),
        title in text_near(&["Astana conference", ""]),
        date in text_near(DATES),
        number in text_near(&["1", "4", "0", "-1", "99999999999"]),
        kind in text_near(&["step", "conclusion", "initiative", "objective"]),
        applies_to in text_near(&["regional_states", "regional_states, partner_states", "all", ""]),
        pillars in text_near(&["jpoa2011.pillar.1 jpoa2011.pillar.2", ""]),
    ) {
        for r in [
            FrameworkId::parse(&id).map(|_| ()),
            PillarId::parse(&id).map(|_| ()),
            CommitmentId::parse(&id).map(|_| ()),
            RoundId::parse(&id).map(|_| ()),
            AppliesTo::parse(&applies_to).map(|_| ()),
            NewFramework::parse(&id, &title, &title, &date, &title, &title, &title).map(|_| ()),
            NewPillar::parse(&id, &number, &title, &title).map(|_| ()),
            NewCommitment::parse(&id, &id, &kind, &title, &pillars, &applies_to, &date, &title, &title).map(|_| ()),
        ] {
            if let Err(e) = r {
                check_invalid(&e)?;
            }
        }
        if let Ok(c) = CommitmentId::parse(&id) {
            prop_assert_eq!(CommitmentId::parse(c.as_str()).ok(), Some(c));
        }
    }
}
