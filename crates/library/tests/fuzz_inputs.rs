//! Fuzzing the library's untrusted inputs: item, sharing group and campaign
//! inputs as JSON (lists as arrays or text, ids as numbers or text, any
//! value of any type), the import folder format (the seeded items' real
//! files with their YAML front matter and Markdown mutated), and the
//! Markdown renderer. No input may panic; a refusal names fields; and the
//! rendered HTML never carries raw HTML, images or a link to a scheme other
//! than http, https or mailto.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

use accord_core::Invalid;
use accord_library::import::{SEED_FILES, read_folder};
use accord_library::item::Known;
use accord_library::{CampaignInput, ItemInput, SharingGroupInput, Vocabulary, markdown};
use proptest::prelude::*;
use std::sync::OnceLock;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

fn known() -> Known<'static> {
    static VOCAB: OnceLock<Vocabulary> = OnceLock::new();
    Known {
        vocabulary: VOCAB.get_or_init(Vocabulary::seed),
        commitment: &|c| c.starts_with("astana2015.") || c.starts_with("jpoa2011."),
        group: &|g| g == 7,
        campaign: &|c| c == 3,
    }
}

fn check_invalid(e: &Invalid) -> Result<(), TestCaseError> {
    prop_assert!(!e.errors.is_empty(), "an Invalid without errors");
    for f in &e.errors {
        prop_assert!(!f.field.is_empty() && !f.message.is_empty(), "{:?}", f);
    }
    Ok(())
}

/// Edits a text at char boundaries: insert a snippet, cut, drop a char,
/// duplicate.
fn edit_text(base: &str, edits: &[(usize, &str, u8)]) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for &(i, snippet, op) in edits {
        let at = if s.is_empty() { 0 } else { i % (s.len() + 1) };
        match op {
            0 => {
                let tail = s.split_off(at);
                s.extend(snippet.chars());
                s.extend(tail);
            }
            1 => s.truncate(at),
            2 if !s.is_empty() => {
                s.remove(at.min(s.len() - 1));
            }
            _ => {
                let piece: Vec<char> = s[at..].iter().take(200).copied().collect();
                let tail = s.split_off(at);
                s.extend(piece);
                s.extend(tail);
            }
        }
    }
    s.into_iter().collect()
}

const SNIPPETS: &[&str] = &[
    "\n",
    "\r\n",
    "---\n",
    "\n---\n",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!!binary ",
    "!!python/object:x ",
    "? ",
    "|\n",
    ">\n",
    "\t",
    "\"",
    "'",
    "\u{0}",
    "\u{1b}",
    "\u{202E}",
    "\u{FEFF}",
    "99999999999999999999999",
    "-1",
    "1e999",
    "~",
    "null",
    "kind: research\n",
    "kind: [x]\n",
    "countries: KAZ\n",
    "attachments: [../../etc/passwd]\n",
    "unknown_field: 1\n",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![i](http://e/x.png)",
    "<img src=x onerror=alert(1)>",
    "[x]: javascript:alert(1)\n",
    "```\n",
    "| a | b |\n|---|---|\n",
    "[^1]\n\n[^1]: note\n",
    "> ",
    "# ",
    "&#106;avascript:",
    "%6Aavascript:",
];

fn edits() -> impl Strategy<Value = Vec<(usize, &'static str, u8)>> {
    prop::collection::vec(
        (
            any::<usize>(),
            prop::sample::select(SNIPPETS.to_vec()),
            0u8..4,
        ),
        0..6,
    )
}

/// A YAML document that would expand (aliases of aliases: the front
/// matter's unknown-field check refuses it before it expands) or nests deeply.
fn yaml_bomb() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..12).prop_map(|levels| {
            let mut y = String::from("a: &a0 [x, x, x, x, x, x, x, x, x]\n");
            for i in 1..=levels {
                let p = i - 1;
                y.push_str(&format!(
                    "b{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
                ));
            }
            format!("kind: research\nthemes: *a{levels}\n").replace("kind", &format!("{y}kind"))
        }),
        (1usize..3000).prop_map(|n| format!(
            "kind: research\ncountries: {}{}\n",
            "[".repeat(n),
            "]".repeat(n)
        )),
        (1usize..3000).prop_map(|n| format!("kind: research\ncounter: {}x\n", "{a: ".repeat(n))),
    ]
}

/// What a rendered body may not contain, whatever the Markdown was.
fn check_html(html: &str) -> Result<(), TestCaseError> {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<img", "<iframe", "<object", "<embed", "<svg", "<style", "<form", "<input",
    ] {
        prop_assert!(!lower.contains(bad), "{} in {}", bad, html);
    }
    // Every tag the renderer writes is its own (a, p, em, ...): none may
    // carry an event handler or a style.
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let attrs = tag.split_once(' ').map_or("", |(_, a)| a);
        for attr in attrs.split_whitespace() {
            prop_assert!(
                !attr.starts_with("on") && !attr.starts_with("style") && !attr.starts_with("src"),
                "attribute {} in <{}>",
                attr,
                tag
            );
        }
    }
    // Every href: unescape what the renderer escaped, drop what browsers
    // drop (ASCII tab and line breaks anywhere, C0 and spaces in front),
    // and the scheme, if any, is http, https or mailto.
    for part in html.split("href=\"").skip(1) {
        let raw = part.split('"').next().unwrap_or("");
        let url = raw
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let url: String = url
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let url = url
            .trim_start_matches(|c: char| c <= ' ')
            .to_ascii_lowercase();
        let scheme_end = url.find(':');
        if let Some(end) = scheme_end {
            let scheme = &url[..end];
            let is_scheme = scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if is_scheme {
                prop_assert!(
                    matches!(scheme, "http" | "https" | "mailto"),
                    "a link to {:?} in {}",
                    url,
                    html
                );
            }
        }
    }
    Ok(())
}

fn json_field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\"\\PC{0,16}\"",
        prop::sample::select(vec![
            "null",
            "true",
            "0",
            "-1",
            "7",
            "3",
            "99999999999999999999",
            "1e999",
            "-0.5",
            "[]",
            "{}",
            "[\"KAZ\", \"kgz\", \"\"]",
            "\"KAZ, KGZ TJK\"",
            "\"prisons\"",
            "[\"prisons\", 1]",
            "\"astana2015.conclusion.3\"",
            "\"2026-02-30\"",
            "\"2026-11-30\"",
            "\" 7 \"",
            "\"seven\"",
            "[{\"lang\": \"en\", \"title\": \"T\", \"body\": \"b\"}]",
            "[{\"lang\": \"english\"}, {\"lang\": \"en\", \"title\": \"\\u0000\"}]",
            "{\"audience\": {}, \"channel\": \"x\", \"campaign\": \"3\"}",
            "\"CLEAR\"",
            "\"TLP:RED\"",
            "\"amber+strict\"",
            "\"group\"",
            "\"members\"",
        ])
        .prop_map(str::to_owned),
        (1usize..500).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
    ]
}

fn json_object(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop::sample::select(keys.to_vec()), json_field_value()),
        0..10,
    )
    .prop_map(|pairs| {
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        format!("{{{}}}", body.join(", "))
    })
}

const ITEM_KEYS: &[&str] = &[
    "kind",
    "marking",
    "distribution",
    "share_members",
    "group",
    "versions",
    "countries",
    "themes",
    "published",
    "commitments",
    "sources",
    "unverified",
    "counter",
    "extra",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    #[test]
    fn item_input_json_never_panics(
        json in prop_oneof![4 => json_object(ITEM_KEYS), 1 => any::<String>()],
    ) {
        if let Ok(input) = serde_json::from_str::<ItemInput>(&json) {
            match input.validate(&known()) {
                Ok(item) => {
                    for v in &item.versions {
                        check_html(&markdown::render(&v.body))?;
                    }
                }
                Err(e) => check_invalid(&e)?,
            }
        }
    }

    #[test]
    fn sharing_group_and_campaign_json_never_panic(
        group in json_object(&["name", "members", "users"]),
        campaign in json_object(&["name", "description", "starts", "ends", "partners"]),
    ) {
        if let Ok(g) = serde_json::from_str::<SharingGroupInput>(&group) {
            match g.validate() {
                Ok(c) => prop_assert!(!c.name.is_empty()),
                Err(e) => check_invalid(&e)?,
            }
        }
        if let Ok(c) = serde_json::from_str::<CampaignInput>(&campaign) {
            match c.validate() {
                Ok(c) => prop_assert!(c.starts <= c.ends, "a campaign ends before it starts"),
                Err(e) => check_invalid(&e)?,
            }
        }
    }

    #[test]
    fn library_import_never_panics_on_mutated_seed_files(
        picks in prop::collection::vec((any::<usize>(), edits()), 1..4),
        bomb in prop::option::of(yaml_bomb()),
        rename in prop::option::of("\\PC{0,20}"),
    ) {
        let mut files: Vec<(String, String)> = picks
            .iter()
            .map(|(i, e)| {
                let (name, text) = SEED_FILES[i % SEED_FILES.len()];
                (name.to_string(), edit_text(text, e))
            })
            .collect();
        if let Some(bomb) = bomb {
            files.push(("bomb.en.md".into(), format!("---\n{bomb}---\nbody\n")));
        }
        if let Some(name) = rename {
            files[0].0 = name;
        }
        let (items, problems) = read_folder(&files);
        for p in &problems {
            prop_assert!(!p.message.is_empty() && !p.file.is_empty());
        }
        for item in &items {
            match item.input.validate(&known()) {
                Ok(valid) => {
                    for v in &valid.versions {
                        check_html(&markdown::render(&v.body))?;
                    }
                }
                Err(e) => check_invalid(&e)?,
            }
        }
    }

    #[test]
    fn markdown_render_never_emits_raw_html_images_or_unsafe_links(
        base in prop::sample::select(SEED_FILES.to_vec()),
        edits in edits(),
        text in prop_oneof![
            Just(String::new()),
            any::<String>(),
            "([a-z ]{0,6}|\\[|\\]|\\(|\\)|<|>|!|:|&|#|;|\"|'|`|\n|\\\\|javascript|data|vbscript|href|src|onerror=|=|\\x00|\t){0,40}",
        ],
    ) {
        let md = format!("{}{}", edit_text(base.1, &edits), text);
        check_html(&markdown::render(&md))?;
        let plain = markdown::plain_text(&md);
        prop_assert!(!plain.contains("\n"));
    }
}
