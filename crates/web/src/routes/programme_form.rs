//! The programme form's encoding. A programme is a deep structure (results
//! hold indicators, which hold periods, which hold parts), so the form names
//! each input by its path in [`ProgrammeInput`] — `budgets[0].amount`,
//! `results[0].indicators[1].periods[2].actual.parts[0].sex`,
//! `title[ru]` for one language of a text — and the validation's problems
//! name the same paths, so an error lands on its input. [`input_from_pairs`]
//! reads the posted pairs into the one input type the JSON API takes too;
//! [`pairs_of`] is its inverse, to fill the form.

use std::collections::BTreeMap;

use accord_programmes::ProgrammeInput;
use serde_json::{Map, Value};

use crate::i18n::Lang;

/// Fields whose value is a list typed on one line.
const SPLIT: [(&str, char); 2] = [("regions", ';'), ("languages", ',')];
/// Fields sent as checkbox or yes/no choices.
const FLAGS: [&str; 3] = ["counts_people", "publish_iati", "ascending"];
/// Fields the form fills with a preset choice: alone in a row, they do not
/// make it a used row.
const PRESET: [&str; 4] = ["sex", "measure", "counts_people", "ascending"];
/// Fields that repeat their name (checkboxes), read as a list.
const REPEATED: [&str; 1] = ["commitments"];

enum Seg {
    Key(String),
    Index(usize),
    Lang(String),
}

/// `results[0].title[en]` → Key(results) Index(0) Key(title) Lang(en).
fn segments(path: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return None;
        }
        out.push(Seg::Key(name.to_string()));
        while !rest.is_empty() {
            let (inner, after) = rest.split_once(']')?;
            if let Ok(i) = inner.parse::<usize>() {
                if i > 999 {
                    return None;
                }
                out.push(Seg::Index(i));
            } else if (2..=3).contains(&inner.len())
                && inner.chars().all(|c| c.is_ascii_lowercase())
            {
                out.push(Seg::Lang(inner.to_string()));
            } else {
                return None;
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    Some(out)
}

/// A tree being built: objects by key, arrays by index (sparse until done).
#[derive(Default)]
struct Node {
    fields: BTreeMap<String, Node>,
    items: BTreeMap<usize, Node>,
    langs: Vec<(String, String)>,
    value: Option<String>,
}

impl Node {
    fn insert(&mut self, segs: &[Seg], value: &str) {
        match segs.split_first() {
            None => self.value = Some(value.to_string()),
            Some((Seg::Key(k), rest)) => self
                .fields
                .entry(k.clone())
                .or_default()
                .insert(rest, value),
            Some((Seg::Index(i), rest)) => self.items.entry(*i).or_default().insert(rest, value),
            Some((Seg::Lang(l), [])) => self.langs.push((l.clone(), value.to_string())),
            Some((Seg::Lang(_), _)) => {}
        }
    }

    /// The JSON value, or `None` when everything under it is blank (an
    /// unused row of the form is no row at all), and whether it holds
    /// anything typed: a row whose only values are the form's preset choices
    /// (a part's sex, an indicator's measure) is an unused row too.
    fn into_json(self, name: &str) -> Option<(Value, bool)> {
        if !self.langs.is_empty() {
            let narratives: Vec<Value> = self
                .langs
                .into_iter()
                .filter(|(_, t)| !t.trim().is_empty())
                .map(|(lang, text)| {
                    let text = accord_core::validation::normalize_line_breaks(&text).into_owned();
                    serde_json::json!({ "lang": lang, "text": text })
                })
                .collect();
            return (!narratives.is_empty()).then_some((Value::Array(narratives), true));
        }
        if !self.items.is_empty() {
            let items: Vec<Value> = self
                .items
                .into_values()
                .filter_map(|n| n.into_json(name))
                .filter(|(_, typed)| *typed)
                .map(|(v, _)| v)
                .collect();
            return (!items.is_empty()).then_some((Value::Array(items), true));
        }
        if !self.fields.is_empty() {
            let mut map = Map::new();
            let mut typed = false;
            for (k, n) in self.fields {
                if let Some((v, t)) = n.into_json(&k) {
                    typed |= t;
                    map.insert(k, v);
                }
            }
            return (!map.is_empty()).then_some((Value::Object(map), typed));
        }
        let typed = !PRESET.contains(&name);
        let raw = self.value?;
        let v = raw.trim();
        if FLAGS.contains(&name) {
            return match v {
                "on" | "true" | "yes" => Some((Value::Bool(true), typed)),
                "false" | "no" => Some((Value::Bool(false), typed)),
                _ => None,
            };
        }
        if v.is_empty() {
            return None;
        }
        if let Some((_, sep)) = SPLIT.iter().find(|(n, _)| *n == name) {
            let list: Vec<Value> = v
                .split(*sep)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect();
            return Some((Value::Array(list), typed));
        }
        // Multi-line text keeps its line breaks (normalized to LF).
        Some((
            Value::String(accord_core::validation::normalize_line_breaks(&raw).into_owned()),
            typed,
        ))
    }
}

/// The posted form as the programme input, and the version it edits.
/// Inputs with names that are not paths of the input are ignored (the CSRF
/// token, `version`); unknown paths are dropped by serde's defaults.
pub fn input_from_pairs(pairs: &[(String, String)]) -> Result<ProgrammeInput, String> {
    let mut root = Node::default();
    let mut repeated: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (k, v) in pairs {
        if let Some(r) = REPEATED.iter().find(|r| **r == k) {
            if !v.trim().is_empty() {
                repeated
                    .entry(r)
                    .or_default()
                    .push(Value::String(v.trim().into()));
            }
            continue;
        }
        if let Some(segs) = segments(k) {
            root.insert(&segs, v);
        }
    }
    let mut json = match root.into_json("") {
        Some((Value::Object(m), _)) => m,
        _ => Map::new(),
    };
    for (k, v) in repeated {
        json.insert(k.to_string(), Value::Array(v));
    }
    serde_json::from_value(Value::Object(json)).map_err(|e| e.to_string())
}

/// The input as form pairs (the inverse of [`input_from_pairs`]), keyed by
/// path, for filling the form's inputs.
pub fn pairs_of(input: &ProgrammeInput) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let value = serde_json::to_value(input).unwrap_or(Value::Null);
    flatten("", "", &value, &mut out);
    out
}

fn flatten(path: &str, name: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(&p, k, x, out);
            }
        }
        Value::Array(items) => {
            let narratives = !items.is_empty()
                && items.iter().all(|i| {
                    i.as_object().is_some_and(|o| {
                        o.len() == 2 && o.contains_key("lang") && o.contains_key("text")
                    })
                });
            if narratives {
                for i in items {
                    if let (Some(l), Some(t)) = (i["lang"].as_str(), i["text"].as_str()) {
                        out.insert(format!("{path}[{l}]"), t.to_string());
                    }
                }
            } else if let Some((_, sep)) = SPLIT.iter().find(|(n, _)| *n == name) {
                let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                out.insert(path.to_string(), joined.join(&format!("{sep} ")));
            } else if REPEATED.contains(&name) {
                for (i, x) in items.iter().enumerate() {
                    if let Some(s) = x.as_str() {
                        out.insert(format!("{path}#{i}"), s.to_string());
                    }
                }
            } else {
                for (i, x) in items.iter().enumerate() {
                    flatten(&format!("{path}[{i}]"), name, x, out);
                }
            }
        }
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        Value::Number(n) => {
            out.insert(path.to_string(), n.to_string());
        }
        Value::Bool(b) => {
            out.insert(path.to_string(), if *b { "true" } else { "false" }.into());
        }
        Value::Null => {}
    }
}

/// A problem's field path in words: `sectors[1].percentage` → "Sector 2 ›
/// Percentage", so an error summary never shows internal names.
pub fn field_label(l: Lang, path: &str) -> String {
    let Some(segs) = segments(path) else {
        return path.to_string();
    };
    let mut words: Vec<String> = Vec::new();
    for s in segs {
        match s {
            Seg::Key(k) => words.push(part_label(l, &k).to_string()),
            Seg::Index(i) => {
                if let Some(last) = words.last_mut() {
                    *last = format!("{last} {}", i + 1);
                }
            }
            Seg::Lang(lang) => {
                if let Some(last) = words.last_mut() {
                    *last = format!("{last} ({lang})");
                }
            }
        }
    }
    words.join(" › ")
}

fn part_label(l: Lang, key: &str) -> &'static str {
    match key {
        "id" => l.t("programmes.f_id"),
        "iati_identifier" => l.t("programmes.f_iati_identifier"),
        "title" => l.t("programmes.f_title"),
        "description" => l.t("programmes.f_description"),
        "kind" => l.t("programmes.f_kind"),
        "status" => l.t("programmes.f_status"),
        "planned_start" => l.t("programmes.f_planned_start"),
        "planned_end" => l.t("programmes.f_planned_end"),
        "actual_start" => l.t("programmes.f_actual_start"),
        "actual_end" => l.t("programmes.f_actual_end"),
        "countries" => l.t("programmes.f_country"),
        "regions" => l.t("programmes.f_regions"),
        "code" => l.t("programmes.f_code"),
        "sectors" => l.t("programmes.f_sector"),
        "percentage" => l.t("programmes.f_percentage"),
        "commitments" => l.t("programmes.f_commitments"),
        "participants" => l.t("programmes.f_participant"),
        "role" => l.t("programmes.f_role"),
        "member" => l.t("programmes.f_member"),
        "name" => l.t("programmes.f_name"),
        "iati_ref" => l.t("programmes.f_iati_ref"),
        "org_type" => l.t("programmes.f_org_type"),
        "budgets" => l.t("programmes.f_budget"),
        "start" => l.t("programmes.f_start"),
        "end" => l.t("programmes.f_end"),
        "amount" => l.t("programmes.f_amount"),
        "currency" => l.t("programmes.f_currency"),
        "transactions" => l.t("programmes.f_transaction"),
        "date" => l.t("programmes.f_date"),
        "reference" => l.t("programmes.f_reference"),
        "documents" => l.t("programmes.f_document"),
        "url" => l.t("programmes.f_url"),
        "category" => l.t("programmes.f_category"),
        "results" => l.t("programmes.f_result"),
        "indicators" => l.t("programmes.f_indicator"),
        "measure" => l.t("programmes.f_measure"),
        "baseline" => l.t("programmes.f_baseline"),
        "baseline_year" => l.t("programmes.f_baseline_year"),
        "periods" => l.t("programmes.f_period"),
        "target" => l.t("programmes.f_target"),
        "actual" => l.t("programmes.f_actual"),
        "value" => l.t("programmes.f_value"),
        "parts" => l.t("programmes.f_part"),
        "sex" => l.t("programmes.f_sex"),
        "age" => l.t("programmes.f_age"),
        "tlp" => "TLP",
        "publish_iati" => l.t("programmes.f_publish_iati"),
        _ => l.t("programmes.f_other"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn nested_paths_languages_and_lists_become_the_input() {
        let input = input_from_pairs(&pairs(&[
            ("id", "kaz-training"),
            ("title[en]", "Training"),
            ("title[ru]", "Обучение"),
            ("countries[0].code", "KZ"),
            ("countries[0].regions", "Almaty; Karaganda Region"),
            ("sectors[0].code", "15210"),
            ("sectors[0].percentage", "60"),
            ("sectors[1].code", "15220"),
            ("sectors[1].percentage", "40"),
            ("sectors[2].code", ""),
            ("sectors[2].percentage", ""),
            ("commitments", "astana2015.step.4"),
            ("commitments", "astana2015.step.6"),
            ("results[0].indicators[0].counts_people", "on"),
            (
                "results[0].indicators[0].periods[0].actual.parts[0].sex",
                "female",
            ),
            (
                "results[0].indicators[0].periods[0].actual.parts[0].value",
                "12",
            ),
            ("publish_iati", "no"),
            ("csrf", "token"),
        ]))
        .unwrap();
        assert_eq!(input.title.len(), 2);
        assert_eq!(input.title[1].text, "Обучение");
        assert_eq!(input.countries[0].regions, ["Almaty", "Karaganda Region"]);
        assert_eq!(input.sectors.len(), 2, "the blank row is no row");
        assert_eq!(input.commitments.len(), 2);
        let ind = &input.results[0].indicators[0];
        assert!(ind.counts_people);
        let part = &ind.periods[0].actual.as_ref().unwrap().parts[0];
        assert_eq!(part.sex, "female");
        assert_eq!(input.publish_iati, Some(false));
    }

    #[test]
    fn rows_holding_only_the_forms_preset_choices_are_no_rows() {
        let input = input_from_pairs(&pairs(&[
            ("results[0].kind", "output"),
            ("results[0].title[en]", "Trained"),
            ("results[0].indicators[0].title[en]", "Officers trained"),
            ("results[0].indicators[0].measure", "unit"),
            ("results[0].indicators[1].measure", "unit"),
            ("results[0].indicators[1].counts_people", "false"),
            ("results[0].indicators[0].periods[0].start", "2026-01-01"),
            (
                "results[0].indicators[0].periods[0].actual.parts[0].sex",
                "female",
            ),
            (
                "results[0].indicators[0].periods[0].actual.parts[0].value",
                "",
            ),
            (
                "results[0].indicators[0].periods[1].actual.parts[0].sex",
                "female",
            ),
            ("results[1].kind", ""),
        ]))
        .unwrap();
        assert_eq!(input.results.len(), 1);
        let ind = &input.results[0].indicators;
        assert_eq!(ind.len(), 1, "the unused indicator row is dropped");
        assert_eq!(ind[0].measure, "unit");
        assert_eq!(ind[0].periods.len(), 1);
        assert!(
            ind[0].periods[0].actual.is_none(),
            "a part with only its sex is no part"
        );
    }

    #[test]
    fn line_breaks_from_a_browser_are_kept_as_lf() {
        let input = input_from_pairs(&pairs(&[("description[en]", "One.\r\nTwo.")])).unwrap();
        assert_eq!(input.description[0].text, "One.\nTwo.");
    }

    #[test]
    fn filling_the_form_reads_back_as_the_same_input() {
        let p = accord_programmes::sample::sample();
        let input = ProgrammeInput::from_programme(&p);
        let mut posted: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs_of(&input) {
            let name = k.split_once('#').map_or(k.clone(), |(n, _)| n.to_string());
            posted.push((name, v));
        }
        let back = input_from_pairs(&posted).unwrap();
        assert_eq!(
            back.validate(Some(&p)).unwrap(),
            input.validate(Some(&p)).unwrap()
        );
    }

    #[test]
    fn paths_that_are_not_the_inputs_are_ignored() {
        let input = input_from_pairs(&pairs(&[
            ("results[99999].title[en]", "x"),
            ("Title", "x"),
            ("a[b c]", "x"),
        ]))
        .unwrap();
        assert!(input.results.is_empty() && input.title.is_empty());
    }

    #[test]
    fn field_paths_read_as_words() {
        assert_eq!(
            field_label(Lang::En, "sectors[1].percentage"),
            "Sector 2 › Percentage"
        );
        assert_eq!(field_label(Lang::En, "title[ru]"), "Title (ru)");
    }
}
