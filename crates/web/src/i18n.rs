//! The message catalogue: every visible string of the interface, in English
//! and Russian, kept in `i18n/<lang>.toml` and compiled into the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The language's own name, for the language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    /// The first supported language of an Accept-Language header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .filter_map(|tag| Lang::from_code(tag.trim().split('-').next().unwrap_or("")))
            .next()
    }

    /// Looks up a message; a key missing from Russian falls back to English,
    /// and a key missing everywhere shows itself (caught by the catalogue test).
    pub fn t(self, key: &'static str) -> &'static str {
        let catalogues = catalogues();
        catalogues[self as usize]
            .get(key)
            .or_else(|| catalogues[Lang::En as usize].get(key))
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// A message by a key made at run time (the label of an audit action),
    /// when the catalogue of this language or of English has it.
    pub fn find(self, key: &str) -> Option<&'static str> {
        let catalogues = catalogues();
        catalogues[self as usize]
            .get(key)
            .or_else(|| catalogues[Lang::En as usize].get(key))
            .map(String::as_str)
    }

    /// A validation message from the domain layer (written in English) in
    /// this language: an exact entry of `[messages]`, else the first entry
    /// of `[message_patterns]` whose English shape it has (`{name}` stands
    /// for a value, such as a number, a hash type or a nested reason, which
    /// is itself translated in turn). Unknown messages stay English.
    pub fn message(self, english: &str) -> String {
        if self == Lang::En {
            return english.to_string();
        }
        let catalogue = &catalogues()[self as usize];
        if let Some(t) = catalogue.get(&format!("messages.{english}")) {
            return t.clone();
        }
        for (template, translation) in &patterns()[self as usize] {
            if let Some(values) = template.captures(english) {
                let mut out = translation.clone();
                for (name, value) in values {
                    out = out.replace(&format!("{{{name}}}"), &self.message(value));
                }
                return out;
            }
        }
        english.to_string()
    }

    /// A field path as people read it in a form's error summary: each part
    /// by its `[fields]` label (a part without one is spelled out from its
    /// name, never shown raw), a row index counted from 1 —
    /// `evidence[0].url` is "Evidence 1 › Web address".
    pub fn field_label(self, path: &str) -> String {
        let catalogue = &catalogues()[self as usize];
        let english = &catalogues()[Lang::En as usize];
        path.split('.')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (name, index) = match part.split_once('[') {
                    Some((name, rest)) => (name, Some(rest.trim_end_matches(']'))),
                    None => (part, None),
                };
                let key = format!("fields.{name}");
                let label = catalogue
                    .get(&key)
                    .or_else(|| english.get(&key))
                    .cloned()
                    .unwrap_or_else(|| spelled_out(name));
                match index {
                    Some(i) => match i.parse::<usize>() {
                        Ok(n) => format!("{label} {}", n + 1),
                        Err(_) => format!("{label} ({i})"),
                    },
                    None => label,
                }
            })
            .collect::<Vec<_>>()
            .join(" › ")
    }

    /// A message with `{name}` placeholders filled in.
    pub fn tf(self, key: &'static str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

/// A field name without a label, as words: `postal_code` is "Postal code".
fn spelled_out(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

type Catalogue = HashMap<String, String>;

fn parse(source: &str) -> Catalogue {
    let table: toml::Table = source.parse().expect("the message catalogue is valid TOML");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

/// `[section] key = "…"` becomes `section.key`.
fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalogue) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            other => panic!("catalogue entry {key} must be a string, found {other}"),
        }
    }
}

/// An English message shape: literal text and `{name}` placeholders.
struct Template {
    /// The literal before each placeholder, the placeholder's name, and
    /// (last, with no name) the literal that ends the message.
    parts: Vec<(String, Option<String>)>,
}

impl Template {
    fn parse(shape: &str) -> Template {
        let mut parts = Vec::new();
        let mut rest = shape;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .expect("a closed placeholder");
            parts.push((
                rest[..open].to_string(),
                Some(rest[open + 1..close].to_string()),
            ));
            rest = &rest[close + 1..];
        }
        parts.push((rest.to_string(), None));
        Template { parts }
    }

    /// The placeholders' values when `text` has this shape. Each value is
    /// the shortest that lets the next literal follow, and none is empty.
    fn captures<'t>(&self, text: &'t str) -> Option<Vec<(&str, &'t str)>> {
        let ((opening, first_name), rest) = self.parts.split_first()?;
        if rest.is_empty() {
            return (text == opening).then(Vec::new);
        }
        let mut name: Option<&str> = first_name.as_deref();
        let mut at = text.len() - text.strip_prefix(opening.as_str())?.len();
        let mut values = Vec::new();
        for (literal, next) in rest {
            let placeholder = name?;
            let end = if next.is_none() {
                text.strip_suffix(literal.as_str())?.len()
            } else {
                // At least one character, then the first place the literal
                // follows.
                let first = text[at..].chars().next()?.len_utf8();
                at + first + text[at + first..].find(literal.as_str())?
            };
            if end <= at {
                return None;
            }
            values.push((placeholder, &text[at..end]));
            at = end + literal.len();
            name = next.as_deref();
        }
        (at == text.len()).then_some(values)
    }
}

/// Each language's `[message_patterns]`, longest shapes first so that the
/// most specific one wins.
fn patterns() -> &'static [Vec<(Template, String)>; 2] {
    static PATTERNS: OnceLock<[Vec<(Template, String)>; 2]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        catalogues().each_ref().map(|catalogue| {
            let mut list: Vec<(usize, Template, String)> = catalogue
                .iter()
                .filter_map(|(k, v)| {
                    let shape = k.strip_prefix("message_patterns.")?;
                    Some((shape.len(), Template::parse(shape), v.clone()))
                })
                .collect();
            // Ties in a fixed order: the catalogue is a hash map.
            list.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
            let mut list: Vec<(Template, String)> =
                list.into_iter().map(|(_, t, v)| (t, v)).collect();
            list.shrink_to_fit();
            list
        })
    })
}

fn catalogues() -> &'static [Catalogue; 2] {
    static CATALOGUES: OnceLock<[Catalogue; 2]> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        [
            parse(include_str!("../i18n/en.toml")),
            parse(include_str!("../i18n/ru.toml")),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogues_have_exactly_the_same_keys() {
        let [en, ru] = catalogues();
        let en: BTreeSet<_> = en.keys().collect();
        let ru: BTreeSet<_> = ru.keys().collect();
        assert_eq!(
            en.difference(&ru).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "missing in ru"
        );
        assert_eq!(
            ru.difference(&en).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "missing in en"
        );
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        // Scans every source file of the crate for t("…") and tf("…" calls,
        // so that no page shows a raw key (a new file is scanned too).
        fn rust_files(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("the source folder") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).expect("a source file"));
                }
            }
        }
        let mut sources = Vec::new();
        rust_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        assert!(sources.len() > 40, "the sources were found");
        let [en, _] = catalogues();
        let mut missing = Vec::new();
        for src in &sources {
            for call in [".t(\"", ".tf(\""] {
                for part in src.split(call).skip(1) {
                    let key = part.split('"').next().unwrap();
                    if !en.contains_key(key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn russian_falls_back_to_english_and_fills_placeholders() {
        assert_eq!(Lang::Ru.t("nav.members"), "Участники");
        assert!(
            Lang::En
                .tf("members.discrepancy", &[("stated", "11"), ("listed", "12")])
                .contains("11 partner")
        );
    }

    #[test]
    fn validation_messages_are_translated() {
        assert_eq!(Lang::Ru.message("is required"), "обязательное поле");
        assert_eq!(
            Lang::Ru.message("must be at most 200 characters"),
            "не более 200 символов"
        );
        assert_eq!(
            Lang::Ru.message("kaz.admin is already taken"),
            "kaz.admin уже занято"
        );
        assert_eq!(Lang::En.message("is required"), "is required");
        assert_eq!(
            Lang::Ru.message(accord_core::validation::HIDDEN_CHARACTER_MESSAGE),
            "не должно содержать невидимых символов и символов управления направлением текста"
        );
        assert_eq!(Lang::Ru.message("something new"), "something new");
    }

    #[test]
    fn messages_with_values_are_translated_by_their_shape_and_nested_reasons_too() {
        assert_eq!(
            Lang::Ru.message("a PDQ hash is 64 hex digits, this one has 3"),
            "хеш PDQ состоит из 64 шестнадцатеричных цифр, а в этом 3"
        );
        // The reason inside a vPDQ line's message is a message itself.
        assert_eq!(
            Lang::Ru.message("vPDQ line 2: a PDQ hash is 64 hex digits, this one has 3"),
            "vPDQ, строка 2: хеш PDQ состоит из 64 шестнадцатеричных цифр, а в этом 3"
        );
        // A shape must match whole, from the start.
        assert_eq!(
            Lang::Ru.message("it must be at most 200 characters"),
            "it must be at most 200 characters"
        );
        assert_eq!(
            Lang::Ru.message("the image has no pixels (3 × 0) here"),
            "the image has no pixels (3 × 0) here"
        );
        assert_eq!(Lang::Ru.message("must be at most 31"), "не больше 31");
    }

    /// The library workflow's refusals a reviewer or author meets on the
    /// item page are in Russian.
    #[test]
    fn the_library_workflow_refusals_are_translated() {
        use accord_library::WorkflowError as W;
        for e in [
            W::OwnApproval,
            W::WroteSinceApproval,
            W::ChangedSinceRead { read: 1, latest: 2 },
            W::NotReviewer,
            W::NotEditor,
            W::Withdrawn,
            W::ReasonRequired,
        ] {
            let english = e.to_string();
            assert_ne!(Lang::Ru.message(&english), english, "{english}");
        }
    }

    /// Every refusal of the hashing engine and the video decoder, as the
    /// pages show it, is in Russian.
    #[test]
    fn every_hash_and_video_refusal_is_translated() {
        use accord_hashes::HashError as H;
        use accord_video::VideoError as V;
        let messages = [
            H::WrongLength {
                kind: "MD5",
                expected: 32,
                found: 31,
            }
            .to_string(),
            H::NotHex {
                kind: "PDQ",
                found: 'x',
                position: 3,
            }
            .to_string(),
            H::LowQuality {
                quality: 40,
                minimum: 50,
            }
            .to_string(),
            H::BadQuality("101".into()).to_string(),
            H::UnknownSignalType("tmk".into()).to_string(),
            H::NotAnImage { detected: None }.to_string(),
            H::NotAnImage {
                detected: Some("a ZIP archive"),
            }
            .to_string(),
            H::TooLarge {
                width: 100_000,
                height: 100_000,
                max_side: 16_384,
                max_pixels: 64_000_000,
            }
            .to_string(),
            H::Corrupt {
                format: "PNG",
                detail: "unexpected end".into(),
            }
            .to_string(),
            H::Empty {
                width: 0,
                height: 0,
            }
            .to_string(),
            H::BadVpdqLine {
                line: 3,
                reason: "timestamp \"-1\"".into(),
            }
            .to_string(),
            H::BadDistance(300).to_string(),
            H::NoFrames.to_string(),
            H::TooManyFrames {
                found: 40_000,
                max: 36_000,
            }
            .to_string(),
            H::NoReliableFrame { minimum: 50 }.to_string(),
            V::NoFfmpeg {
                program: "ffmpeg".into(),
            }
            .to_string(),
            V::NotAVideo {
                detail: "it has no video stream".into(),
            }
            .to_string(),
            V::TooLarge {
                width: 20_000,
                height: 100,
                max_side: 16_384,
                max_pixels: 64_000_000,
            }
            .to_string(),
            V::TooLong { max: 36_000 }.to_string(),
            V::TimedOut { seconds: 300 }.to_string(),
            V::Corrupt {
                detail: "corrupt input packet in stream 0".into(),
            }
            .to_string(),
            V::Decoder {
                detail: "broken pipe".into(),
            }
            .to_string(),
        ];
        let cyrillic = |s: &str| {
            s.chars()
                .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap()))
        };
        for m in messages {
            let ru = Lang::Ru.message(&m);
            assert!(cyrillic(&ru), "not translated: {m}");
        }
    }

    #[test]
    fn accept_language_picks_the_first_supported() {
        assert_eq!(
            Lang::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
            Some(Lang::Ru)
        );
        assert_eq!(Lang::from_accept_language("de-DE,en;q=0.5"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn field_paths_read_as_labels_with_rows_counted_from_one() {
        assert_eq!(Lang::En.field_label("petitioner_name"), "Your name");
        assert_eq!(Lang::Ru.field_label("petitioner_name"), "Ваше имя");
        assert_eq!(
            Lang::En.field_label("evidence[0].url"),
            "Evidence 1 › Web address"
        );
        assert_eq!(
            Lang::Ru.field_label("aliases[2].script"),
            "Псевдоним 3 › Письменность"
        );
        assert_eq!(Lang::En.field_label("description[ru]"), "Description (ru)");
        // A part without a label is spelled out, never shown raw.
        assert_eq!(
            Lang::En.field_label("zz_unlabelled_part"),
            "Zz unlabelled part"
        );
    }

    /// Every field a form renders has a label in both languages, so that no
    /// error summary shows an internal name: the names are read from the
    /// sources of the pages (`Field::…("name"` and `name="…"`).
    #[test]
    fn every_form_field_has_a_label_in_both_languages() {
        // Hidden inputs carry no user's input and get no error of their own
        // (and a page's <meta name="viewport"> is no field).
        const HIDDEN: &[&str] = &["csrf", "next", "lang", "viewport"];
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut names = std::collections::BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(src)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in [
                    "name=\"",
                    "Field::text(\"",
                    "Field::textarea(\"",
                    "Field::kind(\"",
                ] {
                    for (at, _) in text.match_indices(marker) {
                        let rest = &text[at + marker.len()..];
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() && rest[name.len()..].starts_with('"') {
                            names.insert(name);
                        }
                    }
                }
            }
        }
        assert!(names.len() > 50, "the scan found the forms: {names:?}");
        for lang in Lang::ALL {
            let catalogue = &catalogues()[lang as usize];
            let missing: Vec<&String> = names
                .iter()
                .filter(|n| !HIDDEN.contains(&n.as_str()))
                .filter(|n| !catalogue.contains_key(&format!("fields.{n}")))
                .collect();
            assert!(
                missing.is_empty(),
                "{lang:?} has no [fields] label for {missing:?}"
            );
        }
    }
}
