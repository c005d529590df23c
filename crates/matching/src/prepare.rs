//! From a raw name to the tokens the scorer compares: validation, NFKC and
//! case folding, splitting into words, transliteration, folding of legal
//! forms, number words and Arabic compound names, and per-token features.

use crate::error::{MAX_NAME_CHARS, QueryError};
use crate::keys::{coarse_key, fine_key};
use crate::script::{Script, char_script, detect_script};
use crate::tokens::{self, TokenClass, classify};
use crate::translit::han::{self, HanReading};
use crate::translit::{self, Context, arabic};
use crate::variants;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Names longer than this many tokens are cut: the alignment is quadratic
/// and no real name has more parts.
pub const MAX_TOKENS: usize = 24;

/// Most syllables of a Korean personal name (two-syllable surname and
/// two-syllable given name; most have three).
const MAX_KOREAN_SYLLABLES: usize = 4;

/// One name part, ready for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lowercase ASCII spelling.
    pub text: Box<str>,
    /// Fine phonetic key (see `keys`).
    pub fine: Box<str>,
    /// Consonant skeleton (see `keys`).
    pub coarse: Box<str>,
    /// Variant group, if the spelling is in the variant table.
    pub group: Option<u32>,
    pub class: TokenClass,
    /// Came from a script that leaves short vowels unwritten.
    pub vowel_poor: bool,
    /// A vowel-poor word right after the article "al": its initial vowel
    /// may be unwritten too (الربی "al rbi" for al-Arabi).
    pub after_article: bool,
    /// Written with a hyphen to the next part, as one compound name
    /// ("KWANG-IL", "Jean-Marie"): see `score::LAMBDA_COMPOUND`.
    pub hyphen_next: bool,
    /// How much the part counts in the score.
    pub weight: f32,
    /// How much of the usual cost a list name's part costs when the query
    /// leaves it out: 1, or 0.5 for the generic words of an organization's
    /// name (`tokens::is_generic_org_word`: "Mesbah Company" for "Mesbah
    /// Energy Company").
    pub omission: f32,
}

/// How one word of the input was read, for the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub original: String,
    pub latin: String,
    pub script: Script,
    /// "table" when the variant table knew the word, "rules" otherwise;
    /// for Han characters, which reading ("Mandarin reading", "Sino-Korean
    /// reading", "Japanese reading", ...).
    pub method: &'static str,
}

/// A name prepared for scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedName {
    pub tokens: Vec<Token>,
    pub script: Script,
    /// One part per Korean syllable (a Hangul name, or the Sino-Korean
    /// reading of Han characters, of at most four syllables): every
    /// syllable is part of the name, so
    /// a syllable only one side has, or two syllables that merely look
    /// alike, count against the match (`score`).
    pub syllabic: bool,
    /// The last part may be cut short (a passport's machine-readable
    /// name field filled to its length): it matches a part it begins.
    pub truncated_last: bool,
}

impl PreparedName {
    pub fn latin(&self) -> String {
        self.tokens
            .iter()
            .map(|t| &*t.text)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn total_weight(&self) -> f32 {
        self.tokens.iter().map(|t| t.weight).sum()
    }

    /// Approximate heap bytes, for `Index::memory_bytes`.
    pub fn heap_bytes(&self) -> usize {
        self.tokens.capacity() * std::mem::size_of::<Token>()
            + self
                .tokens
                .iter()
                .map(|t| t.text.len() + t.fine.len() + t.coarse.len())
                .sum::<usize>()
    }
}

/// Checks the raw input: empty, too long, no letters.
pub fn validate(raw: &str) -> Result<(), QueryError> {
    // Byte length bounds the char count from above: reject huge inputs
    // without walking them twice.
    if raw.len() > MAX_NAME_CHARS {
        let got = raw.chars().count();
        if got > MAX_NAME_CHARS {
            return Err(QueryError::NameTooLong {
                max: MAX_NAME_CHARS,
                got,
            });
        }
    }
    if raw.trim().is_empty() {
        return Err(QueryError::EmptyName);
    }
    if !raw.chars().any(char::is_alphabetic) {
        return Err(QueryError::NoLetters);
    }
    Ok(())
}

/// NFKC and case folding, without the invisible characters and direction
/// controls (`accord_core::validation::is_invisible`): they carry nothing
/// of a name, and left in they would split its words ("Us\u{200B}ama") or
/// stop a script's tables from reading it.
fn fold(raw: &str) -> String {
    accord_core::validation::strip_invisible(raw)
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits normalized text into raw words. Apostrophes are dropped inside a
/// word (Qa'ida, Cho'ng, O'zbek); a period joins single letters (p.l.c.,
/// L.L.C.) and separates otherwise; & is the word "and".
/// The words of a name, each with whether a hyphen joins it to the next
/// ("Kwang-il": kwang joined, il not).
fn split_words(text: &str) -> Vec<(String, bool)> {
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    // Letters since the word began or since a joining period.
    let mut seg = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() || is_combining_mark(c) || c == '\u{0640}' {
            cur.push(c);
            seg += 1;
            continue;
        }
        match c {
            '\'' | 'ʻ' | 'ʼ' | 'ʿ' | 'ʾ' | '‘' | '’' | '`' | '´' => {}
            '.' if seg == 1 && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()) => seg = 0,
            '&' => {
                if !cur.is_empty() {
                    words.push((std::mem::take(&mut cur), false));
                }
                words.push(("and".to_string(), false));
            }
            _ => {
                if !cur.is_empty() {
                    let hyphen = matches!(c, '-' | '‐' | '‑')
                        && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                    words.push((std::mem::take(&mut cur), hyphen));
                }
                seg = 0;
            }
        }
    }
    if !cur.is_empty() {
        words.push((cur, false));
    }
    words
}

/// Transliterates one raw word into one or more Latin parts.
fn read_word(word: &str, ctx: Context, readings: &mut Vec<Reading>) -> Vec<(String, bool)> {
    let script = detect_script(word).dominant;
    if script == Script::Arabic {
        let folded = arabic::fold(word);
        let mut parts: Vec<(String, bool)> = Vec::new();
        let mut method = "table";
        let push_arabic = |w: &str, parts: &mut Vec<(String, bool)>, method: &mut &str| {
            if let Some(lat) = variants::arabic_word(w) {
                parts.push((lat.to_string(), false));
            } else {
                *method = "rules";
                let chars: Vec<char> = w.chars().collect();
                parts.push((arabic::word(&chars, ctx.persian), true));
            }
        };
        if variants::arabic_word(&folded).is_some() {
            push_arabic(&folded, &mut parts, &mut method);
        } else if let Some((_, rest)) = arabic::split_article(&folded) {
            parts.push(("al".to_string(), false));
            push_arabic(rest, &mut parts, &mut method);
        } else if let Some(rest) = folded
            .strip_prefix("عبد")
            .filter(|r| r.chars().count() >= 3)
        {
            // عبدالرحمن: the servant-of compound is written as one word.
            parts.push(("abdul".to_string(), false));
            let rest = rest.strip_prefix("ال").unwrap_or(rest);
            push_arabic(rest, &mut parts, &mut method);
        } else {
            push_arabic(&folded, &mut parts, &mut method);
        }
        readings.push(Reading {
            original: word.to_string(),
            latin: parts
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            script,
            method,
        });
        return parts;
    }
    let chars: Vec<char> = word.chars().collect();
    let mut latin = String::with_capacity(word.len());
    let mut i = 0;
    let mut non_latin = false;
    while i < chars.len() {
        let s = char_script(chars[i]);
        match s {
            Some(s) if s != Script::Latin => {
                non_latin = true;
                let start = i;
                i += 1;
                while i < chars.len()
                    && (char_script(chars[i]) == Some(s)
                        || (char_script(chars[i]).is_none() && is_combining_mark(chars[i])))
                {
                    i += 1;
                }
                latin.push_str(&translit::run_to_latin(&chars[start..i], s, ctx));
            }
            _ => {
                latin.push(chars[i]);
                i += 1;
            }
        }
    }
    let latin = translit::fold_latin(&latin);
    let vowel_poor = script.is_vowel_poor();
    if non_latin {
        readings.push(Reading {
            original: word.to_string(),
            latin: latin.clone(),
            script,
            method: if script == Script::Han {
                ctx.han.label()
            } else {
                "rules"
            },
        });
    }
    latin
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| (unleet(p), vowel_poor))
        .collect()
}

/// Digits inside a word of letters are look-alike typing or OCR errors
/// (Ig0r Sech1n); read them as the letters they resemble. Pure numbers and
/// codes with more digits than letters are left alone.
fn unleet(p: &str) -> String {
    let digits = p.bytes().filter(u8::is_ascii_digit).count();
    let letters = p.len() - digits;
    if digits == 0 || letters < 2 || digits * 2 > letters {
        return p.to_string();
    }
    p.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            c => c,
        })
        .collect()
}

/// Replaces written-out legal forms by their abbreviation.
fn fold_legal_phrases(parts: &mut Vec<(String, bool)>) {
    for (phrase, abbr) in tokens::LEGAL_PHRASES {
        // Most names have none of the phrase's words.
        let first = phrase.split(' ').next().unwrap_or(phrase);
        if !parts.iter().any(|p| p.0 == first) {
            continue;
        }
        let words: Vec<&str> = phrase.split(' ').collect();
        let n = words.len();
        let mut i = 0;
        while i + n <= parts.len() {
            if parts[i..i + n].iter().zip(&words).all(|(p, w)| p.0 == *w) {
                parts.splice(i..i + n, std::iter::once((abbr.to_string(), false)));
            }
            i += 1;
        }
    }
}

const ABD_PARTICLES: &[&str] = &[
    "al", "el", "ul", "ar", "ur", "er", "as", "us", "ad", "ud", "an", "un", "az", "uz", "ash",
    "ush", "at", "ut",
];

/// Brings the spellings of Arabic compound names to one shape:
/// "abd al rahman", "abdel rahman", "abdulrahman", "abdurrahman" all become
/// "abdul" + "rahman"; "abd allah" becomes "abdullah"; "saif al din",
/// "saifuddin", "saifiddin" all become "saifuddin".
fn fold_compounds(parts: &mut Vec<(String, bool)>) {
    let mut out: Vec<(String, bool)> = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        let (t, vp) = (&parts[i].0, parts[i].1);
        let is_allah = |s: &str| matches!(s, "allah" | "alla" | "ullah" | "ulla" | "llah" | "lah");
        if matches!(
            t.as_str(),
            "abd" | "abdul" | "abdel" | "abdal" | "abdol" | "abdu" | "abdoul"
        ) {
            let mut j = i + 1;
            if parts
                .get(j)
                .is_some_and(|p| ABD_PARTICLES.contains(&p.0.as_str()))
            {
                j += 1;
            }
            if let Some(next) = parts.get(j) {
                if is_allah(&next.0) {
                    out.push(("abdullah".to_string(), vp));
                } else {
                    out.push(("abdul".to_string(), vp));
                    out.push(next.clone());
                }
                i = j + 1;
                continue;
            }
        }
        // A spelling of Abdullah the variant table knows (Abdoulaye,
        // Abdallahi) is that name, not "Abdul" + a word.
        if t.starts_with("abd")
            && variants::group_of(t).is_some_and(|g| variants::canonical(g) == "abdullah")
        {
            out.push(("abdullah".to_string(), vp));
            i += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("abd").filter(|r| r.len() >= 5) {
            let r = rest.strip_prefix(['u', 'e', 'a', 'o', 'i']).unwrap_or(rest);
            let r = r.strip_prefix('l').unwrap_or(r);
            let b = r.as_bytes();
            let r = if b.len() > 2 && b[0] == b[1] {
                &r[1..]
            } else {
                r
            };
            if is_allah(r) || is_allah(&format!("l{r}")) {
                out.push(("abdullah".to_string(), vp));
            } else if r.len() >= 3 && !r.starts_with('l') {
                out.push(("abdul".to_string(), vp));
                out.push((r.to_string(), vp));
            } else {
                out.push((t.clone(), vp));
            }
            i += 1;
            continue;
        }
        // "siraj ud din", "saif al din", "salah al-din".
        if i + 2 < parts.len()
            && matches!(
                parts[i + 1].0.as_str(),
                "ud" | "ad" | "al" | "ed" | "el" | "ul" | "id"
            )
            && matches!(
                parts[i + 2].0.as_str(),
                "din" | "deen" | "dine" | "ddin" | "ddine"
            )
            && t.len() >= 3
        {
            out.push((format!("{t}uddin"), vp));
            i += 3;
            continue;
        }
        if i + 1 < parts.len()
            && matches!(
                parts[i + 1].0.as_str(),
                "uddin" | "eddin" | "iddin" | "addin" | "uddeen" | "eddine" | "aldin" | "udin"
            )
            && t.len() >= 3
        {
            out.push((format!("{t}uddin"), vp));
            i += 2;
            continue;
        }
        out.push((fold_din_suffix(t), vp));
        i += 1;
    }
    *parts = out;
}

fn fold_din_suffix(t: &str) -> String {
    for suf in [
        "uddeen", "eddine", "uddin", "eddin", "iddin", "addin", "oddin", "aldin", "eldin", "udin",
        "edin", "idin",
    ] {
        if let Some(stem) = t.strip_suffix(suf)
            && stem.len() >= 3
        {
            return format!("{stem}uddin");
        }
    }
    t.to_string()
}

/// Common name parts are weak evidence on their own: "Muhammad" matches a
/// large share of any list from the region.
const COMMON_GROUPS: &[&str] = &[
    "muhammad", "ahmad", "ali", "abdul", "abdullah", "hasan", "husayn", "khan", "ullah", "shah",
    "abu", "said", "umar", "ibrahim", "mahmud", "yusuf",
];

fn is_patronymic(t: &str) -> bool {
    t.len() > 6
        && [
            "ovich", "evich", "ovna", "evna", "ovych", "ovitch", "ovic", "ovici", "ovics",
            "owitsch", "owicz",
        ]
        .iter()
        .any(|s| t.ends_with(s))
}

fn weight_of(text: &str, class: TokenClass, group: Option<u32>) -> f32 {
    match class {
        TokenClass::LegalForm => 0.0,
        TokenClass::Title => 0.1,
        TokenClass::Particle => 0.15,
        TokenClass::Initial => 0.35,
        TokenClass::Number => 0.5,
        TokenClass::Word => {
            let mut w: f32 = match text.len() {
                0..=2 => 0.5,
                3 => 0.8,
                _ => 1.0,
            };
            if group.is_some_and(|g| COMMON_GROUPS.contains(&variants::canonical(g))) {
                w *= 0.6;
            }
            if is_patronymic(text) {
                w *= 0.7;
            }
            w
        }
    }
}

/// Prepares a name for comparison. `is_org` enables legal-form handling.
pub fn prepare(raw: &str, is_org: bool) -> Result<PreparedName, QueryError> {
    prepare_with_readings(raw, is_org).map(|(p, _)| p)
}

/// Like `prepare`, also returning how each non-Latin word was read.
pub fn prepare_with_readings(
    raw: &str,
    is_org: bool,
) -> Result<(PreparedName, Vec<Reading>), QueryError> {
    prepare_reading(raw, is_org, HanReading::Mandarin)
}

/// Every reading of a name: the first is `prepare_with_readings`'s; a name
/// with Han characters also gets its Sino-Korean readings (South and, when
/// it differs, North Korean spelling) and its Japanese reading, when the
/// tables read every character (`translit::han`). Readings that come out
/// the same are given once.
pub fn prepare_all(
    raw: &str,
    is_org: bool,
) -> Result<Vec<(PreparedName, Vec<Reading>)>, QueryError> {
    let first = prepare_reading(raw, is_org, HanReading::Mandarin)?;
    let mut out = vec![first];
    if !raw.chars().any(|c| char_script(c) == Some(Script::Han)) {
        return Ok(out);
    }
    let text = fold(raw);
    for han in [
        HanReading::KoreanSouth,
        HanReading::KoreanNorth,
        HanReading::Japanese,
    ] {
        if !han::covers(&text, han) {
            continue;
        }
        if let Ok(r) = prepare_reading(raw, is_org, han)
            && !out.iter().any(|o| o.0.tokens == r.0.tokens)
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// Names prepared every way they can be read (see [`prepare_all`]),
/// without the readings.
/// Every form of a list name the index screens: its readings
/// ([`prepare_all`]), then
/// - for a name in Cyrillic or Arabic script, its spelling by ICAO Doc
///   9303 (`translit::icao`), as a passport and a passenger manifest write
///   it (Сергей → sergei, محمد → mxhmd), when it differs from the first
///   reading;
/// - the names a list writes in parentheses after a name, and the name
///   outside them (`parenthesized_names`);
/// - a name with number words, in its words as well as in digits;
/// - for an organization whose name coordinates two names of the same
///   head ("Bank Sepah and Bank Sepah International"), each of them: a
///   query for either entity names one of them, not both. Only when both
///   sides begin with the same word, so "Islamic State in Iraq and the
///   Levant" stays whole.
///
/// The index and the explanation use the same order, so a form is known
/// by its position.
pub fn prepare_forms(
    raw: &str,
    is_org: bool,
) -> Result<Vec<(PreparedName, Vec<Reading>)>, QueryError> {
    let mut out = prepare_all(raw, is_org)?;
    if let Some(latin) = translit::icao::name(raw)
        && let Ok((p, _)) = prepare_reading(&latin, is_org, HanReading::Mandarin)
        && out.iter().all(|(q, _)| q.tokens != p.tokens)
    {
        let script = out[0].0.script;
        let readings = vec![Reading {
            original: raw.to_string(),
            latin: p.latin(),
            script,
            method: "ICAO Doc 9303 transliteration",
        }];
        out.push((p, readings));
    }
    if is_org {
        for part in coordinated_names(raw) {
            if let Ok(p) = prepare_reading(part, is_org, HanReading::Mandarin) {
                out.push(p);
            }
        }
    }
    // A name with number words ("Second Economic Committee", "Third
    // Floor") also in its words: a query in another script writes the word
    // ("سکوند", "тхирд"), which cannot be compared with a digit.
    if let Ok(p) = prepare_reading_with(raw, is_org, HanReading::Mandarin, false)
        && out.iter().all(|(q, _)| q.tokens != p.0.tokens)
        && p.0
            .tokens
            .iter()
            .any(|t| tokens::number_value(&t.text).is_some())
    {
        out.push(p);
    }
    for part in parenthesized_names(raw) {
        if let Ok(p) = prepare_reading(&part, is_org, HanReading::Mandarin)
            && out.iter().all(|(q, _)| q.tokens != p.0.tokens)
        {
            out.push(p);
        }
    }
    Ok(out)
}

/// The names a list writes in parentheses after a name, one or several
/// separated by ";" ("أبو بكر البغدادي (Abu Bakr al-Baghdadi al-Husayni;
/// Abu Bakr al-Baghdadi)"), and the name outside them. Only names of two
/// words or more: a parenthesized acronym ("(AEOI)") is no form of its
/// own, as one word alone would match too much; the name without it is.
fn parenthesized_names(raw: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (raw.find('('), raw.rfind(')')) else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    let inside = &raw[open + 1..close];
    let outside = format!("{} {}", &raw[..open], &raw[close + 1..]);
    let two_words = |s: &str| s.split_whitespace().count() >= 2;
    let mut out: Vec<String> = inside
        .split(';')
        .map(str::trim)
        .filter(|s| two_words(s))
        .map(str::to_string)
        .collect();
    // The name outside them: a form of its own when the parentheses hold
    // names, or one acronym ("(AEOI)"), which a query in another script or
    // without it does not write.
    let acronym = is_acronym_of(inside, &outside);
    if (!out.is_empty() || acronym) && two_words(&outside) {
        out.push(outside.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// Whether `inside` is one word whose letters are initials of the words of
/// `outside`, in order ("AEOI" of "Atomic Energy Organisation of Iran",
/// "JAK-T" of "Jund al-Khilafah in Tunisia"; not "France").
fn is_acronym_of(inside: &str, outside: &str) -> bool {
    let letters: Vec<char> = inside
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if letters.len() < 2 || inside.split_whitespace().count() != 1 {
        return false;
    }
    let mut initials = outside
        .split(|c: char| !c.is_alphabetic())
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_lowercase);
    letters.iter().all(|l| initials.any(|i| i == *l))
}

/// The two names of "X ... and X ...", when both begin with the same word.
fn coordinated_names(raw: &str) -> Vec<&str> {
    let lower = raw.to_lowercase();
    if lower.len() != raw.len() {
        return Vec::new();
    }
    for sep in [" and ", " & "] {
        // A position found in the lowercase text is used on the original
        // only where it falls on its character boundaries.
        if let Some(k) = lower.find(sep)
            && let (Some(left), Some(right)) = (raw.get(..k), raw.get(k + sep.len()..))
        {
            let (left, right) = (left.trim(), right.trim());
            let first = |s: &str| s.split_whitespace().next().map(str::to_lowercase);
            if !left.is_empty() && first(left).is_some() && first(left) == first(right) {
                return vec![left, right];
            }
        }
    }
    Vec::new()
}

/// Every form's prepared name (see [`prepare_forms`]).
pub fn prepare_list_forms(raw: &str, is_org: bool) -> Result<Vec<PreparedName>, QueryError> {
    prepare_forms(raw, is_org).map(|v| v.into_iter().map(|r| r.0).collect())
}

pub fn prepare_names(raw: &str, is_org: bool) -> Result<Vec<PreparedName>, QueryError> {
    prepare_all(raw, is_org).map(|v| v.into_iter().map(|r| r.0).collect())
}

fn prepare_reading(
    raw: &str,
    is_org: bool,
    han: HanReading,
) -> Result<(PreparedName, Vec<Reading>), QueryError> {
    prepare_reading_with(raw, is_org, han, true)
}

fn prepare_reading_with(
    raw: &str,
    is_org: bool,
    han: HanReading,
    numbers: bool,
) -> Result<(PreparedName, Vec<Reading>), QueryError> {
    validate(raw)?;
    let text = fold(raw);
    let ctx = Context {
        han,
        ..Context::of(&text)
    };
    let script = detect_script(&text).dominant;
    let mut readings = Vec::new();
    let mut parts: Vec<(String, bool)> = Vec::new();
    // Per part: a hyphen joins it to the next (the last part a word is
    // read as carries its word's hyphen).
    let mut hyphens: Vec<bool> = Vec::new();
    for (w, hyphen) in split_words(&text) {
        let before = parts.len();
        parts.extend(read_word(&w, ctx, &mut readings));
        hyphens.resize(parts.len(), false);
        if parts.len() > before {
            hyphens[parts.len() - 1] = hyphen;
        }
    }
    let read = parts.len();
    fold_legal_phrases(&mut parts);
    let mut texts: Vec<String> = parts.iter().map(|p| p.0.clone()).collect();
    if numbers {
        tokens::fold_numbers(&mut texts);
    }
    if texts.len() != parts.len() {
        // Number words merged: vowel-poverty does not apply to digits.
        parts = texts.into_iter().map(|t| (t, false)).collect();
    } else {
        for (p, t) in parts.iter_mut().zip(texts) {
            p.0 = t;
        }
    }
    fold_compounds(&mut parts);
    // Where folding merged parts, which part a hyphen followed is not
    // kept: no compound then.
    if parts.len() != read {
        hyphens.clear();
    }
    // A part written twice is kept: "Matuq Matuq" stands for "Matuq
    // Mohammed Matuq", and "Sergey Sergey Shoigu" still matches "Sergey
    // Shoigu" with one part only one side has.
    parts.truncate(MAX_TOKENS);
    let n = parts.len();
    let mut toks: Vec<Token> = parts
        .into_iter()
        .enumerate()
        .map(|(i, (t, vp))| {
            let mut class = classify(&t, is_org);
            // Person names with a company suffix ("Maduro LLC") still drop it.
            // So do company words anywhere ("Company Tamas"), and the
            // legal forms that end it ("Myohyang Co", "Chong Chon Co Ltd").
            if !is_org
                && n > 1
                && (tokens::is_company_word(&t)
                    || (tokens::is_legal_form(&t) && t.len() >= 3 && i == n - 1))
            {
                class = TokenClass::LegalForm;
            }
            // "Ben" opens a name as a nickname, and binds two names inside one.
            if i == 0 && class == TokenClass::Particle && t.len() > 2 {
                class = TokenClass::Word;
            }
            let group = variants::group_of(&t);
            let fine = fine_key(&t);
            let coarse = coarse_key(&fine);
            Token {
                weight: weight_of(&t, class, group),
                omission: if is_org && tokens::is_generic_org_word(&t) {
                    0.5
                } else {
                    1.0
                },
                text: t.into_boxed_str(),
                fine: fine.into_boxed_str(),
                coarse: coarse.into_boxed_str(),
                group,
                class,
                vowel_poor: vp,
                after_article: false,
                hyphen_next: hyphens.get(i).copied().unwrap_or(false),
            }
        })
        .collect();
    if toks.is_empty() {
        return Err(QueryError::NoLetters);
    }
    for i in 1..toks.len() {
        toks[i].after_article = toks[i].vowel_poor
            && toks[i].class == TokenClass::Word
            && toks[i - 1].class == TokenClass::Particle
            && &*toks[i - 1].text == "al";
    }
    // A name made only of legal forms or titles ("Limited") still has to be
    // comparable with itself.
    if toks.iter().all(|t| t.weight == 0.0) {
        for t in &mut toks {
            t.weight = 0.3;
        }
    }
    Ok((
        PreparedName {
            tokens: toks,
            script,
            // Korean personal names have two to four syllables; a foreign
            // name written in Hangul (블라디미르 푸틴) has more and is not
            // read syllable by syllable.
            syllabic: (script == Script::Hangul
                || (script == Script::Han
                    && matches!(han, HanReading::KoreanSouth | HanReading::KoreanNorth)))
                && n <= MAX_KOREAN_SYLLABLES,
            truncated_last: false,
        },
        readings,
    ))
}

/// The normalized reading of a name, for display: lowercase Latin tokens
/// after transliteration and folding, joined by spaces.
pub fn normalize_name(raw: &str) -> Result<String, QueryError> {
    prepare(raw, false).map(|p| p.latin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin(s: &str) -> String {
        prepare(s, false).unwrap().latin()
    }

    fn org(s: &str) -> Vec<(String, TokenClass)> {
        prepare(s, true)
            .unwrap()
            .tokens
            .iter()
            .map(|t| (t.text.to_string(), t.class))
            .collect()
    }

    #[test]
    fn abd_al_compounds_fold_to_one_shape() {
        assert_eq!(latin("Abd al-Rahman"), "abdul rahman");
        assert_eq!(latin("Abdulrahman"), "abdul rahman");
        assert_eq!(latin("Abdurrahman"), "abdul rahman");
        assert_eq!(latin("Abdel Rahman"), "abdul rahman");
        assert_eq!(latin("Abd Allah"), "abdullah");
        assert_eq!(latin("Abdullah"), "abdullah");
    }

    #[test]
    fn a_hyphen_between_two_words_marks_a_compound() {
        let p = prepare("Tong-sol PAK", false).unwrap();
        let h: Vec<bool> = p.tokens.iter().map(|t| t.hyphen_next).collect();
        assert_eq!(h, [true, false, false]);
        // A trailing hyphen, or one before a space, joins nothing.
        let p = prepare("Tong- sol PAK-", false).unwrap();
        assert!(p.tokens.iter().all(|t| !t.hyphen_next));
    }

    #[test]
    fn a_known_spelling_of_abdullah_is_not_split() {
        // "Abdoulaye" was read "abdul ulaye", so Abdullahi did not match it.
        assert_eq!(latin("Abdoulaye Tevoro"), "abdullah tevoro");
        assert_eq!(latin("Abdullahi Tevoro"), "abdullah tevoro");
        assert_eq!(latin("Abdulrahim Tevoro"), "abdul rahim tevoro");
    }

    #[test]
    fn din_compounds_fold_to_uddin() {
        assert_eq!(latin("Siraj ud-Din"), "sirajuddin");
        assert_eq!(latin("Sirojiddin"), "sirojuddin");
        assert_eq!(latin("Saif al Din"), "saifuddin");
    }

    #[test]
    fn arabic_script_common_names_use_the_variant_table() {
        assert_eq!(latin("محمد علي"), "muhammad ali");
        assert_eq!(latin("عبد الله"), "abdullah");
        assert_eq!(latin("عبدالرحمن"), "abdul rahman");
    }

    #[test]
    fn arabic_article_is_split_off() {
        assert_eq!(latin("السوداني"), "al sudani");
    }

    #[test]
    fn apostrophes_join_and_initials_with_periods_join() {
        assert_eq!(latin("Al Qa'ida"), "al qaida");
        assert_eq!(org("HSBC Holdings p.l.c.")[2].0, "plc");
    }

    #[test]
    fn written_out_legal_forms_fold_to_abbreviations() {
        let t = org("Open Joint Stock Company Gazprom");
        assert_eq!(t[0], ("ojsc".to_string(), TokenClass::LegalForm));
        assert_eq!(t[1].0, "gazprom");
    }

    #[test]
    fn empty_and_punctuation_only_names_are_errors() {
        assert_eq!(prepare("", false), Err(QueryError::EmptyName));
        assert_eq!(prepare("   ", false), Err(QueryError::EmptyName));
        assert_eq!(prepare("--- ...", false), Err(QueryError::NoLetters));
    }

    #[test]
    fn megabyte_name_is_rejected_without_panic() {
        let s = "a".repeat(1 << 20);
        assert!(matches!(
            prepare(&s, false),
            Err(QueryError::NameTooLong { .. })
        ));
    }

    #[test]
    fn digits_inside_words_read_as_letters() {
        assert_eq!(latin("Ig0r Sech1n"), "igor sechin");
        assert_eq!(latin("Brigade 44"), "brigade 44");
    }

    #[test]
    fn common_name_parts_weigh_less() {
        let p = prepare("Muhammad Tahir", false).unwrap();
        assert!(p.tokens[0].weight < p.tokens[1].weight);
    }

    #[test]
    fn names_in_parentheses_are_forms_of_their_own() {
        assert_eq!(
            parenthesized_names(
                "أبو كريم الفرغاني (Abu Karim al-Farghani al-Husayni; Abu Karim al-Farghani)"
            ),
            vec![
                "Abu Karim al-Farghani al-Husayni",
                "Abu Karim al-Farghani",
                "أبو كريم الفرغاني"
            ]
        );
        // An acronym in parentheses is not a name of its own, but the name
        // without it is.
        assert_eq!(
            parenthesized_names("ATOMIC ENERGY AGENCY (AEA)"),
            vec!["ATOMIC ENERGY AGENCY"]
        );
        // A word that is no acronym of the name stays part of it.
        assert!(parenthesized_names("Velmor Global (France) S.A.R.L.").is_empty());
    }

    #[test]
    fn only_coordinated_names_with_the_same_head_are_split() {
        assert_eq!(
            coordinated_names("BANK SEPAH AND BANK SEPAH INTERNATIONAL"),
            vec!["BANK SEPAH", "BANK SEPAH INTERNATIONAL"]
        );
        assert!(coordinated_names("Islamic State in Iraq and the Levant").is_empty());
        assert!(coordinated_names("Haji Basir and Zarjamil Hawala").is_empty());
    }

    #[test]
    fn cyrillic_and_arabic_list_names_get_their_icao_form() {
        let forms = prepare_forms("Сергей Юрьевич", false).unwrap();
        assert!(forms.iter().any(|(p, _)| p.latin() == "sergei iurevich"));
        let forms = prepare_forms("محمد", false).unwrap();
        assert!(
            forms.iter().any(
                |(p, r)| p.latin() == "mxhmd" && r.iter().any(|r| r.method.starts_with("ICAO"))
            )
        );
        // Latin names have no other form.
        assert_eq!(prepare_forms("Sergei", false).unwrap().len(), 1);
    }
}
