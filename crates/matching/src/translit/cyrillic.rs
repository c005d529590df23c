//! Cyrillic → Latin, covering the letters of Russian, Ukrainian, Belarusian,
//! Kazakh, Kyrgyz, Tajik, Uzbek, Mongolian and the South Slavic alphabets.
//!
//! The target is the spelling a Central Asian passport or a UN list would
//! most likely use (BGN/PCGN-like: х → kh, ж → zh, ч → ch, ш → sh), not a
//! reversible scholarly scheme: the scorer's phonetic keys absorb the rest
//! (kh ~ h, iy ~ y, and so on).

/// Which orthography the word follows; only letters whose reading differs
/// between orthographies need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orthography {
    /// Russian and the Central Asian alphabets based on it.
    Russian,
    /// Ukrainian: и is /ɪ/ → y, г is /ɦ/ → h.
    Ukrainian,
}

/// Guesses the orthography of a whole name. Ukrainian is chosen only on
/// letters that no Central Asian alphabet uses (ї, є, ґ), or і together with
/// и and no Kazakh letter (Kazakh also writes і).
pub fn guess_orthography(text: &str) -> Orthography {
    let has = |set: &str| text.chars().any(|c| set.contains(c));
    if has("їєґЇЄҐ") {
        return Orthography::Ukrainian;
    }
    if has("іІ") && has("иИ") && !has("әғқңөұүһӘҒҚҢӨҰҮҺўЎ") {
        return Orthography::Ukrainian;
    }
    Orthography::Russian
}

/// Transliterates one lowercase Cyrillic letter; `None` if `c` is not Cyrillic.
pub fn letter(c: char, orth: Orthography) -> Option<&'static str> {
    let ukr = orth == Orthography::Ukrainian;
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' if ukr => "h",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' if ukr => "y",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        // Ukrainian and Belarusian.
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ў' => "u",
        // Kazakh, Kyrgyz, Tajik, Uzbek, Bashkir, Tatar, Mongolian.
        'ә' => "a",
        'ғ' => "gh",
        'қ' => "q",
        'ң' => "ng",
        'ө' => "o",
        'ұ' => "u",
        'ү' => "u",
        'һ' | 'ҳ' => "h",
        'ӣ' => "i",
        'ӯ' => "u",
        'ҷ' => "j",
        'ҹ' => "ch",
        'ҙ' => "z",
        'ҫ' => "s",
        'ӑ' => "a",
        'ӗ' => "e",
        'ӊ' => "ng",
        'ӏ' => "",
        // South Slavic.
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' => "dzh",
        'ѓ' => "gj",
        'ќ' => "kj",
        'ѕ' => "dz",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(s: &str) -> String {
        let o = guess_orthography(s);
        s.chars().map(|c| letter(c, o).unwrap_or("?")).collect()
    }

    #[test]
    fn russian_kh_and_zh_follow_bgn() {
        assert_eq!(word("мухаммад"), "mukhammad");
        assert_eq!(word("жуков"), "zhukov");
    }

    #[test]
    fn kazakh_and_tajik_letters_have_readings() {
        assert_eq!(word("нұрсұлтан"), "nursultan");
        assert_eq!(word("ҷамшед"), "jamshed");
        assert_eq!(word("қодиров"), "qodirov");
    }

    #[test]
    fn ukrainian_i_and_h_are_read_the_ukrainian_way() {
        assert_eq!(word("володимир гліб"), "volodymyr?hlib");
    }

    #[test]
    fn kazakh_i_does_not_make_a_name_ukrainian() {
        assert_eq!(guess_orthography("әлібек"), Orthography::Russian);
    }
}
