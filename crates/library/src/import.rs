//! The import format: a folder of Markdown files with a YAML front matter,
//! one file per language version (`SLUG.LANG.md`), attachments beside them.
//! The format is described for people in `seed/README.md`; the seeded items
//! use it too. Pure: the caller reads the folder and hands over the files.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::item::{ItemInput, VersionInput, parse_lang};

/// The front matter of the original-language file: the item's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    kind: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    marking: Option<String>,
    distribution: Option<String>,
    #[serde(default)]
    share_members: Vec<String>,
    published: Option<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    themes: Vec<String>,
    #[serde(default)]
    commitments: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    unverified: Vec<String>,
    /// File names beside the Markdown file.
    #[serde(default)]
    attachments: Vec<String>,
    counter: Option<crate::counter::CounterNarrativeInput>,
}

/// One item of a folder, ready to be validated and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportItem {
    pub slug: String,
    pub input: ItemInput,
    /// Attachments named by the front matter, relative to the folder.
    pub attachments: Vec<String>,
}

/// Why one item of a folder cannot be imported (the others still can: all
/// or nothing is per item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub slug: String,
    pub file: String,
    pub message: String,
}

/// A file's front matter and body.
fn split(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest
        .find("\n---\n")
        .or_else(|| rest.find("\n---\r\n"))
        .or_else(|| rest.ends_with("\n---").then(|| rest.len() - 4))?;
    let yaml = &rest[..end];
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
    let body = body.strip_prefix("-\n").unwrap_or(body);
    Some((yaml, body))
}

/// `SLUG.LANG.md` → (slug, lang).
fn name_parts(name: &str) -> Option<(String, String)> {
    let stem = name.strip_suffix(".md")?;
    let (slug, lang) = stem.rsplit_once('.')?;
    let lang = parse_lang(lang)?;
    let ok = !slug.is_empty()
        && slug.len() <= 80
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ok.then(|| (slug.to_string(), lang))
}

/// Reads the Markdown files of a folder (`(file name, text)`, other files
/// ignored) into items, in slug order, and the problems of those that
/// cannot be read. The item's fields come from its English file if it has
/// one, else from its first language's; other files give a title, summary
/// and body.
pub fn read_folder(files: &[(String, String)]) -> (Vec<ImportItem>, Vec<ImportProblem>) {
    let mut by_slug: BTreeMap<String, Vec<(String, String, &str)>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, text) in files {
        if !name.ends_with(".md") || name.eq_ignore_ascii_case("README.md") {
            continue;
        }
        match name_parts(name) {
            Some((slug, lang)) => by_slug
                .entry(slug)
                .or_default()
                .push((lang, name.clone(), text)),
            None => problems.push(ImportProblem {
                slug: name.clone(),
                file: name.clone(),
                message: "a file's name must be SLUG.LANG.md (e.g. astana-2015.en.md)".into(),
            }),
        }
    }
    let mut items = Vec::new();
    for (slug, mut langs) in by_slug {
        // The item's own fields: English first, else the first language.
        langs.sort_by_key(|(lang, _, _)| (lang != "en", lang.clone()));
        match read_item(&slug, &langs) {
            Ok(item) => items.push(item),
            Err((file, message)) => problems.push(ImportProblem {
                slug,
                file,
                message,
            }),
        }
    }
    (items, problems)
}

fn read_item(slug: &str, langs: &[(String, String, &str)]) -> Result<ImportItem, (String, String)> {
    let mut input = ItemInput::default();
    let mut attachments = Vec::new();
    for (i, (lang, file, text)) in langs.iter().enumerate() {
        let (yaml, body) = split(text).ok_or_else(|| {
            (
                file.clone(),
                "has no front matter between two --- lines".to_string(),
            )
        })?;
        let fm: FrontMatter = serde_norway::from_str(yaml)
            .map_err(|e| (file.clone(), format!("front matter: {e}")))?;
        if i == 0 {
            let Some(kind) = fm.kind else {
                return Err((
                    file.clone(),
                    "front matter: kind is required in the original language's file".into(),
                ));
            };
            input.kind = kind;
            input.marking = fm.marking.unwrap_or_else(|| "CLEAR".into());
            input.distribution = fm.distribution.unwrap_or_else(|| "platform".into());
            input.share_members = fm.share_members;
            input.published = fm.published.unwrap_or_default();
            input.countries = fm.countries;
            input.themes = fm.themes;
            input.commitments = fm.commitments;
            input.sources = fm.sources;
            input.unverified = fm.unverified;
            input.counter = fm.counter;
            attachments = fm.attachments;
        } else if fm.kind.is_some() || fm.marking.is_some() || !fm.attachments.is_empty() {
            return Err((
                file.clone(),
                "front matter: only the original language's file gives kind, marking and attachments; a translation gives title and summary".into(),
            ));
        }
        input.versions.push(VersionInput {
            lang: lang.clone(),
            title: fm.title.unwrap_or_default(),
            summary: fm.summary.unwrap_or_default(),
            body: body.to_string(),
        });
    }
    Ok(ImportItem {
        slug: slug.to_string(),
        input,
        attachments,
    })
}

include!(concat!(env!("OUT_DIR"), "/seed_files.rs"));

/// The items every installation starts with (`seed/`), read.
pub fn seed_items() -> Vec<ImportItem> {
    let files: Vec<(String, String)> = SEED_FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let (items, problems) = read_folder(&files);
    assert!(problems.is_empty(), "the seeded items read: {problems:?}");
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn languages_of_one_slug_are_one_item() {
        let (items, problems) = read_folder(&files(&[
            (
                "astana-2015.en.md",
                "---\nkind: event\ntitle: \"Astana: the conference\"\nsummary: Two days.\npublished: 2015-06-30\ncountries: [KAZ]\nthemes: [youth]\n---\n## What it concluded\n\nText.\n",
            ),
            (
                "astana-2015.ru.md",
                "---\ntitle: Астанинская конференция\nsummary: Два дня.\n---\nТекст.\n",
            ),
            ("README.md", "not an item"),
            ("poster.png", "binary"),
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(items.len(), 1);
        let i = &items[0].input;
        assert_eq!(i.kind, "event");
        assert_eq!(i.published, "2015-06-30");
        assert_eq!(i.versions[0].lang, "en");
        assert_eq!(i.versions[0].title, "Astana: the conference");
        assert!(i.versions[0].body.starts_with("## What it concluded"));
        assert_eq!(i.versions[1].lang, "ru");
        assert_eq!(i.versions[1].title, "Астанинская конференция");
    }

    #[test]
    fn a_bad_file_names_its_item_and_leaves_the_others() {
        let (items, problems) = read_folder(&files(&[
            ("good.en.md", "---\nkind: report\ntitle: Good\n---\nBody"),
            ("bad.en.md", "---\nkind: report\ntitel: typo\n---\nBody"),
            ("nofront.en.md", "Just text"),
            ("Bad Name.md", "---\n---\n"),
        ]));
        assert_eq!(items.len(), 1);
        assert_eq!(problems.len(), 3);
        assert!(
            problems
                .iter()
                .any(|p| p.slug == "bad" && p.message.contains("titel"))
        );
    }

    #[test]
    fn every_seeded_file_reads() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
        let list: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                (name, text)
            })
            .collect();
        let (_, problems) = read_folder(&list);
        assert!(problems.is_empty(), "{problems:?}");
    }
}
