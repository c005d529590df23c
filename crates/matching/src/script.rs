//! Which writing system a name is written in.
//!
//! Detection decides which transliteration table applies and is shown to the
//! user ("we read your query as Cyrillic"), so it reports the dominant script
//! and whether several were mixed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Devanagari,
    Bengali,
    Gurmukhi,
    Gujarati,
    Oriya,
    Tamil,
    Telugu,
    Kannada,
    Malayalam,
    Sinhala,
    Greek,
    Hebrew,
    Hangul,
    Han,
    Kana,
    Thai,
    Armenian,
    Georgian,
    Other,
}

impl Script {
    /// Scripts that usually leave short vowels unwritten: their Latin
    /// rendering lacks vowels that a Latin spelling of the same name has, so
    /// the scorer compares consonant skeletons for them.
    pub fn is_vowel_poor(self) -> bool {
        matches!(self, Script::Arabic | Script::Hebrew | Script::Thai)
    }

    pub fn name(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Cyrillic => "Cyrillic",
            Script::Arabic => "Arabic",
            Script::Devanagari => "Devanagari",
            Script::Bengali => "Bengali",
            Script::Gurmukhi => "Gurmukhi",
            Script::Gujarati => "Gujarati",
            Script::Oriya => "Oriya",
            Script::Tamil => "Tamil",
            Script::Telugu => "Telugu",
            Script::Kannada => "Kannada",
            Script::Malayalam => "Malayalam",
            Script::Sinhala => "Sinhala",
            Script::Greek => "Greek",
            Script::Hebrew => "Hebrew",
            Script::Hangul => "Hangul",
            Script::Han => "Han",
            Script::Kana => "Kana",
            Script::Thai => "Thai",
            Script::Armenian => "Armenian",
            Script::Georgian => "Georgian",
            Script::Other => "Other",
        }
    }
}

impl std::fmt::Display for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Script of one character; `None` for characters that belong to no script
/// (digits, punctuation, spaces, combining marks).
pub fn char_script(c: char) -> Option<Script> {
    let u = c as u32;
    Some(match u {
        0x41..=0x5A | 0x61..=0x7A => Script::Latin,
        0xC0..=0x24F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => {
            if c == '\u{D7}' || c == '\u{F7}' {
                return None;
            }
            Script::Latin
        }
        0x0250..=0x02AF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => {
            if (0x0300..=0x036F).contains(&u) {
                return None;
            }
            Script::Greek
        }
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0531..=0x058F => Script::Armenian,
        0x05D0..=0x05EA | 0x05F0..=0x05F4 | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0620..=0x064A
        | 0x066E..=0x06D3
        | 0x06D5
        | 0x06EE..=0x06FF
        | 0x0750..=0x077F
        | 0x08A0..=0x08FF
        | 0xFB50..=0xFDFF
        | 0xFE70..=0xFEFF => {
            if (0x064B..=0x065F).contains(&u) {
                return None;
            }
            Script::Arabic
        }
        0x0900..=0x097F => indic_letter(u, 0x0900, Script::Devanagari)?,
        0x0980..=0x09FF => indic_letter(u, 0x0980, Script::Bengali)?,
        0x0A00..=0x0A7F => indic_letter(u, 0x0A00, Script::Gurmukhi)?,
        0x0A80..=0x0AFF => indic_letter(u, 0x0A80, Script::Gujarati)?,
        0x0B00..=0x0B7F => indic_letter(u, 0x0B00, Script::Oriya)?,
        0x0B80..=0x0BFF => indic_letter(u, 0x0B80, Script::Tamil)?,
        0x0C00..=0x0C7F => indic_letter(u, 0x0C00, Script::Telugu)?,
        0x0C80..=0x0CFF => indic_letter(u, 0x0C80, Script::Kannada)?,
        0x0D00..=0x0D7F => indic_letter(u, 0x0D00, Script::Malayalam)?,
        0x0D80..=0x0DFF => {
            if (0x0DE6..=0x0DEF).contains(&u) {
                return None;
            }
            Script::Sinhala
        }
        0x0E00..=0x0E7F => Script::Thai,
        0x10A0..=0x10FF | 0x1C90..=0x1CBF => Script::Georgian,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => {
            if c == '\u{30FB}' {
                return None;
            }
            Script::Kana
        }
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
        _ => {
            if c.is_alphabetic() {
                Script::Other
            } else {
                return None;
            }
        }
    })
}

/// Indic blocks share one layout; the digits at offsets 0x66..0x6F are not letters.
fn indic_letter(u: u32, base: u32, s: Script) -> Option<Script> {
    if (0x66..=0x6F).contains(&(u - base)) || (0x64..=0x65).contains(&(u - base)) {
        None
    } else {
        Some(s)
    }
}

/// The result of looking at a whole name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptInfo {
    /// The script most letters are written in (`Latin` for a name with no letters).
    pub dominant: Script,
    /// All scripts seen, most frequent first.
    pub all: Vec<Script>,
}

impl ScriptInfo {
    pub fn is_mixed(&self) -> bool {
        self.all.len() > 1
    }
}

/// Detects the scripts a name is written in.
pub fn detect_script(text: &str) -> ScriptInfo {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for c in text.chars() {
        if let Some(s) = char_script(c) {
            match counts.iter_mut().find(|(k, _)| *k == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((s, 1)),
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    ScriptInfo {
        dominant: counts.first().map(|c| c.0).unwrap_or(Script::Latin),
        all: counts.into_iter().map(|c| c.0).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_name_is_detected_as_cyrillic() {
        assert_eq!(detect_script("Мухаммад Тахир").dominant, Script::Cyrillic);
    }

    #[test]
    fn arabic_persian_and_urdu_letters_are_arabic_script() {
        assert_eq!(detect_script("محمد علی").dominant, Script::Arabic);
        assert_eq!(detect_script("پوٹن").dominant, Script::Arabic);
    }

    #[test]
    fn indic_scripts_are_told_apart() {
        assert_eq!(detect_script("व्लादिमीर").dominant, Script::Devanagari);
        assert_eq!(detect_script("ভ্লাদিমির").dominant, Script::Bengali);
        assert_eq!(detect_script("விளாதிமிர்").dominant, Script::Tamil);
        assert_eq!(detect_script("ව්ලැඩිමීර්").dominant, Script::Sinhala);
    }

    #[test]
    fn mixed_scripts_are_reported() {
        let info = detect_script("Ivan Иванов");
        assert!(info.is_mixed());
        assert_eq!(info.dominant, Script::Cyrillic);
    }

    #[test]
    fn punctuation_only_defaults_to_latin_with_no_scripts() {
        let info = detect_script("--- 123");
        assert!(info.all.is_empty());
    }
}
