//! Fuzzing the form and JSON inputs of accord-core: accounts, members,
//! focal points and API tokens. Inputs are valid values with random edits
//! (control, invisible and direction characters, huge and odd numbers,
//! padding, truncation) and arbitrary text or JSON. No input may panic; a
//! refusal is an `Invalid` naming only fields of the form; an accepted
//! value is clean (no control or invisible characters where the rules
//! forbid them) and validates again to itself.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_core::focal_point::{FocalPointForm, parse_date};
use accord_core::tlp::Tlp;
use accord_core::token::{MAX_TOKEN_DAYS, TokenInput};
use accord_core::user::NewUser;
use accord_core::validation::is_invisible;
use accord_core::{Invalid, MemberCode, MemberKind, NewMember, Role, Username};
use proptest::prelude::*;
use time::macros::date;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

/// Characters that are trouble in a form field.
const NASTY: &[&str] = &[
    "\u{0}",
    "\u{1}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\u{200B}",
    "\u{200D}",
    "\u{202E}",
    "\u{2066}",
    "\u{FEFF}",
    "\u{061C}",
    "\u{212A}",
    "\u{0130}",
    "\u{FB01}",
    "\u{1F600}",
    "\u{10FFFF}",
    "\u{FFFD}",
    " ",
    "\u{A0}",
    "\u{3000}",
    "'",
    "\"",
    "<script>",
    "=cmd|",
    "../",
    "%00",
    "@",
    "..",
    "-",
    "--",
    "+",
    "e",
    "1e999",
    "99999999999999999999",
    "-1",
    "0",
    "NaN",
];

/// A valid value with a few edits, or arbitrary text.
fn text_near(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    let edited = (
        prop::sample::select(valid.to_vec()),
        prop::collection::vec(
            (any::<usize>(), prop::sample::select(NASTY.to_vec()), 0u8..4),
            0..4,
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
                    _ => s = s.iter().chain(s.iter()).copied().collect(),
                }
            }
            s.into_iter().collect()
        });
    prop_oneof![
        6 => edited,
        1 => any::<String>(),
        1 => "\\PC{0,80}",
        1 => (1usize..3000).prop_map(|n| "a".repeat(n)),
    ]
}

fn fields(e: &Invalid) -> Vec<&str> {
    e.errors.iter().map(|f| f.field.as_str()).collect()
}

/// A refusal names at least one field, each one of `known`, with a message.
fn check_invalid(e: &Invalid, known: &[&str]) -> Result<(), TestCaseError> {
    prop_assert!(!e.errors.is_empty(), "an Invalid without errors");
    for f in &e.errors {
        prop_assert!(
            known.contains(&f.field.as_str()),
            "unknown field {:?} in {:?}",
            f.field,
            fields(e)
        );
        prop_assert!(!f.message.is_empty());
    }
    prop_assert!(!e.to_string().is_empty());
    Ok(())
}

/// What the name and text rules promise of an accepted value.
fn clean_text(s: &str, multi_line: bool) -> Result<(), TestCaseError> {
    prop_assert_eq!(s.trim(), s, "not trimmed");
    prop_assert!(!s.contains('\r'), "a CR survived: {:?}", s);
    prop_assert!(
        s.chars()
            .all(|c| !c.is_control() || (multi_line && (c == '\n' || c == '\t'))),
        "a control character survived: {:?}",
        s
    );
    Ok(())
}

fn visible(s: &str) -> Result<(), TestCaseError> {
    clean_text(s, true)?;
    // ZWNJ/ZWJ are allowed between letters of the scripts that need them;
    // everything else invisible is refused.
    prop_assert!(
        s.chars()
            .all(|c| !is_invisible(c) || c == '\u{200C}' || c == '\u{200D}'),
        "an invisible character survived: {:?}",
        s
    );
    Ok(())
}

const USERNAMES: &[&str] = &["kaz.admin", "ann", "j.doe@example.org", "a_b-c", "x1"];
const NAMES: &[&str] = &[
    "Ann Example",
    "Арман Болатұлы",
    "محمد علي",
    "مهدی‌زاده",
    "O'Sample",
    "Kazakhstan",
];
const CODES: &[&str] = &["KAZ", "kgz", "SCO-RATS", "NGO1", " uzb "];
const ROLES: &[&str] = &[
    "reader",
    "contributor",
    "member_admin",
    "secretariat_admin",
    "ombudsperson",
    "member-admin",
];
const KINDS: &[&str] = &[
    "civil_society",
    "private_sector",
    "regional_state",
    "partner_state",
];
const EMAILS: &[&str] = &["a@b.kz", "focal.point@mvd.gov.kz", ""];
const PHONES: &[&str] = &["+7 (727) 000-00-00", "12345", ""];
const DATES: &[&str] = &["2025-01-31", "2024-02-29", "2026-12-03", "", "2025-13-01"];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn usernames_and_codes_never_panic_and_parse_to_a_fixed_point(
        username in text_near(USERNAMES),
        code in text_near(CODES),
        other in text_near(ROLES),
    ) {
        match Username::parse(&username) {
            Ok(u) => {
                let s = u.as_str();
                prop_assert!((2..=64).contains(&s.len()));
                prop_assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c)), "{:?}", s);
                prop_assert_eq!(Username::parse(s).ok(), Some(u.clone()));
            }
            Err(e) => check_invalid(&e, &["username"])?,
        }
        match MemberCode::parse(&code) {
            Ok(c) => {
                prop_assert!(c.as_str().chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-'));
                prop_assert_eq!(MemberCode::parse(c.as_str()).ok(), Some(c.clone()));
                // Serde goes through the same check.
                let json = serde_json::to_string(&c).expect("serializes");
                prop_assert_eq!(serde_json::from_str::<MemberCode>(&json).ok(), Some(c));
            }
            Err(e) => {
                check_invalid(&e, &["code"])?;
                prop_assert!(serde_json::from_str::<MemberCode>(&serde_json::to_string(&code).expect("a string")).is_err());
            }
        }
        match other.parse::<Role>() {
            Ok(r) => prop_assert_eq!(r.as_str().parse::<Role>().ok(), Some(r)),
            Err(e) => check_invalid(&e, &["role"])?,
        }
        if let Err(e) = other.parse::<MemberKind>() { check_invalid(&e, &["kind"])?; }
        if let Err(e) = other.parse::<Tlp>() { prop_assert!(!e.errors.is_empty()); }
    }

    #[test]
    fn new_user_form_never_panics_and_names_the_bad_fields(
        username in text_near(USERNAMES),
        display_name in text_near(NAMES),
        member in text_near(CODES),
        role in text_near(ROLES),
    ) {
        match NewUser::parse(&username, &display_name, &member, &role) {
            Ok(u) => {
                visible(&u.display_name)?;
                prop_assert!(u.display_name.chars().count() <= 120);
                prop_assert_eq!(u.member.is_none(), u.role.is_platform_wide());
                let member = u.member.as_ref().map(MemberCode::as_str).unwrap_or("");
                let again = NewUser::parse(u.username.as_str(), &u.display_name, member, u.role.as_str());
                let again = again.map_err(|e| TestCaseError::fail(format!("the accepted user is refused again: {e}")))?;
                prop_assert_eq!(&again.display_name, &u.display_name);
                prop_assert_eq!(&again.username, &u.username);
            }
            Err(e) => check_invalid(&e, &["username", "display_name", "member", "role"])?,
        }
    }

    #[test]
    fn new_member_form_never_panics_and_names_the_bad_fields(
        code in text_near(CODES),
        kind in text_near(KINDS),
        name in text_near(NAMES),
        name_ru in text_near(NAMES),
    ) {
        match NewMember::parse(&code, &kind, &name, &name_ru) {
            Ok(m) => {
                visible(&m.name)?;
                visible(&m.name_ru)?;
                prop_assert!(matches!(m.kind, MemberKind::CivilSociety | MemberKind::PrivateSector));
                let again = NewMember::parse(m.code.as_str(), m.kind.as_str(), &m.name, &m.name_ru);
                prop_assert_eq!(again.ok(), Some(m));
            }
            Err(e) => check_invalid(&e, &["code", "kind", "name", "name_ru"])?,
        }
    }

    #[test]
    fn focal_point_form_never_panics_and_validates_to_a_fixed_point(
        name in text_near(NAMES),
        title in text_near(NAMES),
        agency in text_near(NAMES),
        languages in text_near(&["kk, ru, en", "ru"]),
        email in text_near(EMAILS),
        phone in text_near(PHONES),
        last_verified in text_near(DATES),
    ) {
        let today = date!(2026 - 12 - 03);
        let form = FocalPointForm { name, title, agency, languages, email, phone, last_verified };
        match form.parse(today) {
            Ok(v) => {
                visible(&v.name)?;
                for t in [&v.title, &v.agency, &v.languages, &v.email, &v.phone] {
                    clean_text(t, true)?;
                }
                prop_assert!(v.last_verified <= today);
                prop_assert!(v.email.is_empty() || v.email.contains('@'));
                let again = FocalPointForm {
                    name: v.name.clone(),
                    title: v.title.clone(),
                    agency: v.agency.clone(),
                    languages: v.languages.clone(),
                    email: v.email.clone(),
                    phone: v.phone.clone(),
                    last_verified: v.last_verified.to_string(),
                };
                prop_assert_eq!(again.parse(today).ok(), Some(v.clone()));
                // And survives storage as JSON.
                let json = serde_json::to_string(&v).expect("serializes");
                prop_assert_eq!(serde_json::from_str::<accord_core::focal_point::FocalPointInput>(&json).ok(), Some(v));
            }
            Err(e) => check_invalid(&e, &["name", "title", "agency", "languages", "email", "phone", "last_verified"])?,
        }
        if let Ok(d) = parse_date("d", &form.last_verified) {
            prop_assert_eq!(parse_date("d", &d.to_string()).ok(), Some(d));
        }
    }

    #[test]
    fn focal_point_and_token_json_never_panic(
        json in prop_oneof![
            any::<String>(),
            "\\{(\"(name|title|agency|languages|email|phone|last_verified|scopes|days)\": ?(\"\\PC{0,12}\"|-?[0-9]{1,25}(\\.[0-9]{0,3})?(e[0-9]{1,4})?|null|true|\\[(\"[a-z:_]{0,12}\",?){0,3}\\]|\\{\\}),? ?){0,6}\\}",
            (1usize..300).prop_map(|n| format!("{{\"name\": {}1{}}}", "[".repeat(n), "]".repeat(n))),
        ],
        default_days in 0u32..2000,
    ) {
        if let Ok(form) = serde_json::from_str::<FocalPointForm>(&json) {
            match form.parse(date!(2026 - 12 - 03)) {
                Ok(v) => visible(&v.name)?,
                Err(e) => check_invalid(&e, &["name", "title", "agency", "languages", "email", "phone", "last_verified"])?,
            }
        }
        if let Ok(token) = serde_json::from_str::<TokenInput>(&json) {
            match token.validate(default_days) {
                Ok(t) => {
                    prop_assert!((1..=MAX_TOKEN_DAYS).contains(&t.days), "{} days", t.days);
                    visible(&t.name)?;
                    prop_assert!(t.scopes.iter().next().is_some());
                }
                Err(e) => check_invalid(&e, &["name", "scopes", "days"])?,
            }
        }
    }

    #[test]
    fn token_days_of_any_json_type_never_panic(
        name in text_near(NAMES),
        scopes in prop::collection::vec(text_near(&["read", "write", "screen", "taxii", "hashes", "metrics"]), 0..4),
        days in prop_oneof![
            Just(serde_json::Value::Null),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            text_near(&["30", " 90 ", "730", "731", "0", "-5", "1e2", "0x10"]).prop_map(serde_json::Value::from),
            Just(serde_json::json!([30])),
            Just(serde_json::json!({"days": 30})),
        ],
        default_days in 0u32..2000,
    ) {
        let input = TokenInput { name, scopes, days: Some(days) };
        match input.validate(default_days) {
            Ok(t) => prop_assert!((1..=MAX_TOKEN_DAYS).contains(&t.days)),
            Err(e) => check_invalid(&e, &["name", "scopes", "days"])?,
        }
    }
}
