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

    /// A validation message from the domain layer (written in English) in
    /// this language; messages with a number in them are matched by shape.
    pub fn message(self, english: &str) -> String {
        if self == Lang::En {
            return english.to_string();
        }
        let catalogue = &catalogues()[self as usize];
        if let Some(t) = catalogue.get(&format!("messages.{english}")) {
            return t.clone();
        }
        let patterns: [(&str, &str, &str); 2] = [
            ("must be at most ", " characters", "не более {n} символов"),
            ("must be at least ", " characters", "не менее {n} символов"),
        ];
        for (prefix, suffix, ru) in patterns {
            if let Some(n) = english
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(suffix))
                && n.chars().all(|c| c.is_ascii_digit())
            {
                return ru.replace("{n}", n);
            }
        }
        if let Some(value) = english.strip_suffix(" is already taken") {
            return format!("{value} уже занято");
        }
        english.to_string()
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
        // Scans the sources for t("…") and tf("…" calls so that no page shows a raw key.
        let sources = [
            include_str!("render.rs"),
            include_str!("error.rs"),
            include_str!("routes/auth.rs"),
            include_str!("routes/members.rs"),
            include_str!("routes/focal_points.rs"),
            include_str!("routes/profile.rs"),
            include_str!("routes/admin.rs"),
            include_str!("routes/home.rs"),
            include_str!("routes/screening.rs"),
            include_str!("routes/lists.rs"),
            include_str!("routes/plan.rs"),
            include_str!("routes/common_list.rs"),
            include_str!("routes/proposals.rs"),
            include_str!("routes/decisions.rs"),
            include_str!("routes/member_keys.rs"),
            include_str!("routes/hashes.rs"),
            include_str!("routes/petitions.rs"),
            include_str!("routes/notifications.rs"),
            include_str!("routes/ombudsperson.rs"),
            include_str!("routes/rounds.rs"),
            include_str!("routes/reports.rs"),
            include_str!("routes/strategies.rs"),
            include_str!("routes/subjects.rs"),
            include_str!("routes/procedure.rs"),
        ];
        let [en, _] = catalogues();
        let mut missing = Vec::new();
        for src in sources {
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
        assert_eq!(Lang::Ru.message("something new"), "something new");
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
}
