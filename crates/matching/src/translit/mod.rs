//! Transliteration of every script the region writes names in to plain
//! lowercase ASCII Latin.
//!
//! The tables are this crate's own (Cyrillic, Arabic script, Brahmic
//! scripts, Greek, Hangul, Korean and Japanese readings of Han names);
//! `any_ascii` is used only as a last resort for scripts without a table
//! here (Mandarin pinyin of Han, Kana, Hebrew, Thai, Armenian, Georgian,
//! ...).

pub mod arabic;
pub mod brahmic;
pub mod cyrillic;
pub mod greek;
pub mod han;
pub mod hangul;
pub mod icao;

use crate::script::{Script, char_script};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Whole-text context that changes how single letters read.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub orthography: cyrillic::Orthography,
    pub persian: bool,
    /// How Han characters are read (Mandarin unless asked otherwise).
    pub han: han::HanReading,
}

impl Context {
    pub fn of(text: &str) -> Self {
        if text.is_ascii() {
            // No Cyrillic or Arabic letter to weigh.
            return Context {
                orthography: cyrillic::Orthography::Russian,
                persian: false,
                han: han::HanReading::Mandarin,
            };
        }
        Context {
            orthography: cyrillic::guess_orthography(text),
            persian: arabic::looks_persian(text),
            han: han::HanReading::Mandarin,
        }
    }
}

/// Transliterates any text to lowercase Latin, keeping spaces, digits and
/// punctuation where they are. This is what the UI shows as "how we read
/// your query"; the matcher uses the same per-word functions.
pub fn to_latin(text: &str) -> String {
    let text: String = text.nfkc().flat_map(char::to_lowercase).collect();
    let ctx = Context::of(&text);
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match char_script(c) {
            Some(s) if s != Script::Latin => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (char_script(chars[i]) == Some(s)
                        || (char_script(chars[i]).is_none() && is_combining_mark(chars[i]))
                        || (s == Script::Arabic && chars[i] == '\u{0640}'))
                {
                    i += 1;
                }
                out.push_str(&run_to_latin(&chars[start..i], s, ctx));
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    fold_latin(&out)
}

/// Transliterates a run of letters of one non-Latin script.
pub fn run_to_latin(run: &[char], script: Script, ctx: Context) -> String {
    match script {
        Script::Latin => run.iter().collect(),
        Script::Cyrillic => run
            .iter()
            .map(|&c| {
                cyrillic::letter(c, ctx.orthography)
                    .map(str::to_string)
                    .unwrap_or_else(|| fallback(&c.to_string()))
            })
            .collect(),
        Script::Arabic => arabic::word(run, ctx.persian),
        Script::Greek => {
            // Accents first: the Greek table is written for bare letters.
            let bare: Vec<char> = run
                .iter()
                .collect::<String>()
                .nfd()
                .filter(|c| !is_combining_mark(*c))
                .collect();
            greek::word(&bare)
        }
        Script::Hangul => hangul::word(run),
        Script::Devanagari
        | Script::Bengali
        | Script::Gurmukhi
        | Script::Gujarati
        | Script::Oriya
        | Script::Tamil
        | Script::Telugu
        | Script::Kannada
        | Script::Malayalam
        | Script::Sinhala => brahmic::word(run, script),
        Script::Han => {
            let other = match ctx.han {
                han::HanReading::Mandarin => None,
                han::HanReading::KoreanSouth => han::korean_reading(run, false),
                han::HanReading::KoreanNorth => han::korean_reading(run, true),
                han::HanReading::Japanese => han::japanese_reading(run),
            };
            if let Some(r) = other {
                return r;
            }
            // Chinese names are a one-syllable surname and a given name that
            // Latin spellings write as one word (Xi Jinping).
            let syl: Vec<String> = run.iter().map(|c| fallback(&c.to_string())).collect();
            if (2..=3).contains(&syl.len()) {
                format!("{} {}", syl[0], syl[1..].concat())
            } else {
                syl.concat()
            }
        }
        _ => fallback(&run.iter().collect::<String>()),
    }
}

/// Last-resort transliteration for scripts without a table of our own.
fn fallback(s: &str) -> String {
    any_ascii::any_ascii(s).to_lowercase()
}

/// Removes diacritics and maps the Latin letters that do not decompose
/// (ß, æ, ø, ł, ı, ə...) to their usual ASCII spelling in names.
pub fn fold_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            'ə' | 'ɑ' => out.push('a'),
            'ŋ' => out.push_str("ng"),
            'ħ' => out.push('h'),
            'ʻ' | 'ʼ' | 'ʿ' | 'ʾ' | '‘' | '’' | '`' | '´' => out.push('\''),
            c if c.is_ascii() => out.push(c),
            c if matches!(char_script(c), Some(s) if s != Script::Latin) => out.push_str(
                &run_to_latin(&[c], char_script(c).unwrap(), Context::of("")),
            ),
            c if (c as u32) < 0x2C0 && c.is_alphabetic() => out.push_str(&fallback(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_name_reads_as_its_latin_spelling() {
        assert_eq!(to_latin("Мухаммад Тахир"), "mukhammad takhir");
    }

    #[test]
    fn latin_diacritics_are_removed() {
        assert_eq!(to_latin("Vladímír Pútín"), "vladimir putin");
        assert_eq!(to_latin("Władimir Łukaszenka"), "wladimir lukaszenka");
    }

    #[test]
    fn punctuation_and_digits_are_kept_for_the_tokenizer() {
        assert_eq!(to_latin("Путин, В. В."), "putin, v. v.");
    }

    #[test]
    fn chinese_name_splits_surname_from_given_name() {
        assert_eq!(to_latin("习近平"), "xi jinping");
    }

    #[test]
    fn unlisted_scripts_fall_back_to_any_ascii() {
        assert_eq!(to_latin("משה"), "msh");
    }
}
