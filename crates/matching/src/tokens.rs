//! What kind of word a name part is: a particle (al, bin, van), a title
//! (Mr, Sheikh, Mullah), an organization's legal form (LLC, ТОО), a number,
//! an initial, or an ordinary name word. Particles and titles weigh little;
//! legal forms weigh nothing, so they neither make nor block a match.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenClass {
    Word,
    Particle,
    Title,
    LegalForm,
    Number,
    Initial,
}

const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ud", "ad", "ar", "as", "az", "at", "an", "ash", "ibn", "bin", "bint", "ben",
    "binti", "bn", "b", "ould", "walad", "wa", "va", "de", "del", "della", "der", "den", "di",
    "da", "dos", "das", "do", "du", "la", "le", "van", "von", "vom", "zu", "ter", "ten", "y", "e",
    "of", "the", "and", "und", "et", "i", "uulu", "kyzy", "ogly", "ugli", "oglu", "kizi", "qizi",
];

const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "madam",
    "president",
    "presidente",
    "prasident",
    "presiden",
    "predsjednik",
    "presedintele",
    "elnok",
    "prezident",
    "general",
    "gen",
    "colonel",
    "col",
    "major",
    "maj",
    "captain",
    "capt",
    "lt",
    "sgt",
    "minister",
    "sheikh",
    "shaikh",
    "shaykh",
    "sheik",
    "shaik",
    "cheikh",
    "shekh",
    "mullah",
    "mulla",
    "molla",
    "mollah",
    "mawlawi",
    "maulvi",
    "mawlavi",
    "moulvi",
    "maulawi",
    "maulavi",
    "molvi",
    "maulana",
    "mawlana",
    "qari",
    "hafiz",
    "haji",
    "hajji",
    "hadji",
    "khadzhi",
    "alhaji",
    "emir",
    "amir",
    "imam",
    "ustad",
    "ustaz",
    "syed",
    "sayed",
    "sayyid",
    "hazrat",
    "janab",
    "sahib",
    "saheb",
    "mirza",
    "king",
    "prince",
    "princess",
    "sultan",
    "his",
    "her",
    "excellency",
    "hon",
    "honorable",
    "honourable",
    "rev",
    "father",
    "bishop",
    "ayatollah",
    "hojatoleslam",
    "commander",
    "gospodin",
    "gospozha",
];

/// Legal-form words and abbreviations after normalization (dots removed).
const LEGAL_FORMS: &[&str] = &[
    "llc",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "sl",
    "bv",
    "nv",
    "ab",
    "as",
    "asa",
    "oy",
    "oyj",
    "kk",
    "pty",
    "pte",
    "lp",
    "llp",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "oao",
    "zao",
    "pao",
    "ooo",
    "ao",
    "tov",
    "too",
    "pat",
    "prat",
    "chp",
    "ip",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "dmcc",
    "jv",
    "sdn",
    "bhd",
    "tbk",
    "pvt",
    "private",
    "public",
    "se",
    "eood",
    "ood",
    "ead",
    "doo",
    "dd",
    "kft",
    "zrt",
    "nyrt",
    "spzoo",
    "sp",
    "zoo",
    "sro",
    "as",
    "aps",
    "sc",
    "cv",
    "de",
    "rl",
    "establishment",
    "est",
    "llc",
    "ltda",
    "cia",
    "cie",
    "kgaa",
    "mbh",
    "aktiengesellschaft",
    "societe",
    "anonyme",
    "sociedad",
    "anonima",
    "gesellschaft",
];

/// Multi-word legal forms, written out, folded to one abbreviation so that
/// "Open Joint Stock Company Gazprom" and "OAO Gazprom" align.
pub(crate) const LEGAL_PHRASES: &[(&str, &str)] = &[
    ("open joint stock company", "ojsc"),
    ("closed joint stock company", "cjsc"),
    ("public joint stock company", "pjsc"),
    ("joint stock company", "jsc"),
    ("joint-stock company", "jsc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("limited partnership", "lp"),
    ("public limited company", "plc"),
    ("private limited company", "ltd"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("societatea cu raspundere limitata", "srl"),
    ("societa per azioni", "spa"),
    ("societe anonyme", "sa"),
    ("sociedad anonima", "sa"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "ooo"),
    ("obshchestvo s ogranichennoi otvetstvennostiu", "ooo"),
    ("tovarishchestvo s ogranichennoy otvetstvennostyu", "too"),
    ("otkrytoe aktsionernoe obshchestvo", "oao"),
    ("zakrytoe aktsionernoe obshchestvo", "zao"),
    ("publichnoe aktsionernoe obshchestvo", "pao"),
    ("aktsionernoe obshchestvo", "ao"),
    ("aktsionerlik jamiyati", "aj"),
    ("mas'uliyati cheklangan jamiyat", "mchj"),
];

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
];

/// A set of words looked up by hash (every name part is looked up in each).
fn set(words: &'static [&'static str]) -> FxHashMap<&'static str, ()> {
    words.iter().map(|w| (*w, ())).collect()
}

pub fn is_particle(t: &str) -> bool {
    static S: OnceLock<FxHashMap<&str, ()>> = OnceLock::new();
    S.get_or_init(|| set(PARTICLES)).contains_key(t)
}

pub fn is_title(t: &str) -> bool {
    static S: OnceLock<FxHashMap<&str, ()>> = OnceLock::new();
    S.get_or_init(|| set(TITLES)).contains_key(t)
}

pub fn is_legal_form(t: &str) -> bool {
    static S: OnceLock<FxHashMap<&str, ()>> = OnceLock::new();
    S.get_or_init(|| set(LEGAL_FORMS)).contains_key(t)
}

/// Legal-form words no person's name has: a query of unknown schema reads
/// them as legal forms wherever they stand ("Company Tamas", "Sahand
/// Parts Company (Sapico)"), where other legal forms ("Pat", "Ip", "Sa")
/// count only as the last part.
pub fn is_company_word(t: &str) -> bool {
    matches!(
        t,
        "company"
            | "co"
            | "corp"
            | "corporation"
            | "limited"
            | "ltd"
            | "llc"
            | "inc"
            | "incorporated"
            | "plc"
            | "jsc"
            | "ojsc"
            | "cjsc"
            | "pjsc"
            | "gmbh"
            | "ltda"
            | "llp"
    )
}

/// Words that say what an organization does or where, not which one it
/// is ("Shipping", "Trading", "International", "Energy"): lists write
/// them and queries leave them out ("Mesbah Company" for "Mesbah Energy
/// Company"), and many unrelated organizations share them. A query that
/// leaves one out of an organization's list name is charged half the
/// usual cost of a missing part.
const GENERIC_ORG_WORDS: &[&str] = &[
    "shipping",
    "trading",
    "trade",
    "traders",
    "energy",
    "industrial",
    "industries",
    "industry",
    "international",
    "intl",
    "group",
    "holding",
    "holdings",
    "services",
    "service",
    "engineering",
    "construction",
    "manufacturing",
    "development",
    "investment",
    "investments",
    "technology",
    "technologies",
    "electronics",
    "marine",
    "maritime",
    "navigation",
    "petroleum",
    "petrochemical",
    "chemical",
    "chemicals",
    "mining",
    "metals",
    "steel",
    "commercial",
    "import",
    "export",
    "logistics",
    "transport",
    "freight",
    "management",
    "consulting",
    "solutions",
    "systems",
    "enterprise",
    "enterprises",
    "general",
    "agency",
    "products",
    "equipment",
    "supply",
    "supplies",
];

pub fn is_generic_org_word(t: &str) -> bool {
    static S: OnceLock<FxHashMap<&str, ()>> = OnceLock::new();
    S.get_or_init(|| set(GENERIC_ORG_WORDS)).contains_key(t)
}

/// The value of a number word ("forty" → 40, "1st" → 1), if it is one.
pub fn number_value(t: &str) -> Option<u32> {
    if let Some(&(_, v)) = NUMBER_WORDS.iter().find(|(w, _)| *w == t) {
        return Some(v);
    }
    let digits = t
        .strip_suffix("st")
        .or_else(|| t.strip_suffix("nd"))
        .or_else(|| t.strip_suffix("rd"))
        .or_else(|| t.strip_suffix("th"))
        .unwrap_or(t);
    if !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse().ok();
    }
    None
}

/// Rewrites number words as digits and joins "forty four" into "44", so that
/// "Brigade Forty-Four" and "Brigade 44" have the same tokens.
pub fn fold_numbers(tokens: &mut Vec<String>) {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        match number_value(t) {
            Some(v) if !t.bytes().all(|b| b.is_ascii_digit()) || t.len() <= 2 => {
                let mut v = v;
                // tens followed by units: "forty" "four" / "forty" "4".
                if v >= 20
                    && v % 10 == 0
                    && v < 100
                    && let Some(u) = tokens.get(i + 1).and_then(|n| number_value(n))
                    && (1..=9).contains(&u)
                {
                    v += u;
                    i += 1;
                }
                out.push(v.to_string());
            }
            _ => out.push(t.clone()),
        }
        i += 1;
    }
    *tokens = out;
}

/// Classifies a normalized token. `position` and `count` let a lone letter
/// count as an initial, and "as"/"sa" be a legal form only at the end of a
/// name, where companies put it.
pub fn classify(t: &str, is_org: bool) -> TokenClass {
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return TokenClass::Number;
    }
    if t.len() == 1 {
        return TokenClass::Initial;
    }
    if is_org && is_legal_form(t) {
        return TokenClass::LegalForm;
    }
    if is_particle(t) {
        return TokenClass::Particle;
    }
    if !is_org && is_title(t) {
        return TokenClass::Title;
    }
    TokenClass::Word
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn number_words_become_digits() {
        let mut t = v(&["brigade", "forty", "four"]);
        fold_numbers(&mut t);
        assert_eq!(t, v(&["brigade", "44"]));
        let mut t = v(&["brigade", "forty", "4"]);
        fold_numbers(&mut t);
        assert_eq!(t, v(&["brigade", "44"]));
        let mut t = v(&["1st", "international", "bank"]);
        fold_numbers(&mut t);
        assert_eq!(t, v(&["1", "international", "bank"]));
    }

    #[test]
    fn legal_forms_are_recognised_only_for_organizations() {
        assert_eq!(classify("llc", true), TokenClass::LegalForm);
        assert_eq!(classify("too", true), TokenClass::LegalForm);
        assert_eq!(classify("mullah", false), TokenClass::Title);
        assert_eq!(classify("bin", false), TokenClass::Particle);
        assert_eq!(classify("v", false), TokenClass::Initial);
    }
}
