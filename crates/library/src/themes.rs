//! The controlled vocabulary of themes: what drives violent extremism and
//! what responds to it. Seeded from `seed/themes.yaml`; the secretariat
//! edits it (a theme in use can be renamed, not removed).

use serde::{Deserialize, Serialize};

use accord_core::validation::{self, Invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeGroup {
    /// A cause: social exclusion, political marginalization…
    Driver,
    /// An answer: youth, education, interfaith dialogue…
    Response,
}

impl ThemeGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeGroup::Driver => "driver",
            ThemeGroup::Response => "response",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    pub slug: String,
    pub group: ThemeGroup,
    pub en: String,
    pub ru: String,
}

impl Theme {
    /// The label in `lang` (Russian or English).
    pub fn label(&self, lang: &str) -> &str {
        if lang == "ru" { &self.ru } else { &self.en }
    }

    /// A theme as the secretariat writes it.
    pub fn parse(slug: &str, group: &str, en: &str, ru: &str) -> Result<Theme, Invalid> {
        let mut errors = Vec::new();
        let slug = slug.trim();
        let slug_ok = (2..=48).contains(&slug.len())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if !slug_ok {
            crate::item::push(
                &mut errors,
                "slug",
                "must be 2 to 48 lower-case letters, digits and hyphens (e.g. online-propaganda)",
            );
        }
        let group = match group.trim() {
            "driver" => Some(ThemeGroup::Driver),
            "response" => Some(ThemeGroup::Response),
            _ => {
                crate::item::push(&mut errors, "group", "is driver or response");
                None
            }
        };
        let en = validation::name("en", en, true, 100).map_err(|e| errors.extend(e.errors));
        let ru = validation::name("ru", ru, true, 100).map_err(|e| errors.extend(e.errors));
        match (errors.is_empty(), group, en, ru) {
            (true, Some(group), Ok(en), Ok(ru)) => Ok(Theme {
                slug: slug.to_string(),
                group,
                en,
                ru,
            }),
            _ => Err(Invalid { errors }),
        }
    }
}

/// The themes, in the order they are shown: drivers, then responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub themes: Vec<Theme>,
}

const SEED: &str = include_str!("../seed/themes.yaml");

impl Vocabulary {
    /// The vocabulary every installation starts with.
    pub fn seed() -> Vocabulary {
        let themes: Vec<Theme> = serde_norway::from_str(SEED).expect("seed/themes.yaml is valid");
        Vocabulary::new(themes)
    }

    pub fn new(mut themes: Vec<Theme>) -> Vocabulary {
        themes.sort_by(|a, b| a.group.cmp(&b.group).then_with(|| a.en.cmp(&b.en)));
        Vocabulary { themes }
    }

    pub fn get(&self, slug: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.slug == slug)
    }

    pub fn in_group(&self, group: ThemeGroup) -> impl Iterator<Item = &Theme> {
        self.themes.iter().filter(move |t| t.group == group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_drivers_and_responses_with_both_labels() {
        let v = Vocabulary::seed();
        assert!(v.get("social-exclusion").is_some());
        assert!(v.get("political-marginalization").is_some());
        assert!(v.get("interfaith-dialogue").is_some());
        assert!(v.in_group(ThemeGroup::Driver).count() >= 6);
        assert!(v.in_group(ThemeGroup::Response).count() >= 6);
        assert!(
            v.themes
                .iter()
                .all(|t| !t.en.is_empty() && !t.ru.is_empty())
        );
    }

    #[test]
    fn a_bad_theme_names_every_field() {
        let e = Theme::parse("Bad Slug", "cause", "", "").unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["slug", "group", "en", "ru"]);
    }
}
