//! Arabic script → Latin for Arabic, Persian/Dari, Pashto and Urdu.
//!
//! Arabic script leaves short vowels unwritten, so no table can produce
//! "Muhammad" from محمد on its own. This module writes what is there
//! (consonants and long vowels: "mhmd"); the scorer then compares consonant
//! skeletons for such words, and the variant table (`variants`) knows the
//! usual Latin spellings of the commonest name parts directly.

/// Folds the many shapes of one letter to a single form, so that the
/// variant table needs one entry per name part: alef with hamza or madda →
/// alef, Persian/Urdu yeh and keheh → Arabic yeh and kaf, alef maksura → yeh,
/// teh marbuta → heh. Harakat and tatweel are dropped.
pub fn fold(word: &str) -> String {
    word.chars()
        .filter_map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
            'ی' | 'ى' | 'ې' | 'ۍ' | 'ے' | 'ۓ' => Some('ي'),
            'ک' | 'ګ' => Some('ك'),
            'ة' | 'ۃ' | 'ہ' | 'ۀ' | 'ھ' => Some('ه'),
            'ـ' => None,
            '\u{064B}'..='\u{065F}' | '\u{0670}' => None,
            c => Some(c),
        })
        .collect()
}

fn consonant(c: char) -> Option<&'static str> {
    Some(match c {
        'ب' => "b",
        'ت' | 'ط' | 'ټ' | 'ٹ' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' | 'ہ' | 'ھ' | 'ۀ' => "h",
        'خ' => "kh",
        'د' | 'ض' | 'ډ' | 'ڈ' => "d",
        'ذ' => "dh",
        'ر' | 'ړ' | 'ڑ' => "r",
        'ز' | 'ظ' | 'ځ' => "z",
        'س' | 'ص' => "s",
        'ش' | 'ښ' => "sh",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' | 'ڼ' | 'ں' => "n",
        'پ' => "p",
        'چ' => "ch",
        'ژ' | 'ږ' => "zh",
        'گ' | 'ګ' => "g",
        'څ' => "ts",
        'ڤ' => "v",
        _ => return None,
    })
}

fn is_long_vowel_letter(c: char) -> bool {
    matches!(
        c,
        'ا' | 'أ' | 'إ' | 'آ' | 'و' | 'ي' | 'ی' | 'ى' | 'ې' | 'ۍ' | 'ے'
    )
}

/// Transliterates one Arabic-script word (a run of letters with no spaces).
/// `persian` selects v for و, as Persian, Dari, Pashto and Urdu read it.
pub fn word(w: &[char], persian: bool) -> String {
    let mut out = String::with_capacity(w.len() * 2);
    let n = w.len();
    // The last consonant written, which a shadda doubles even when a
    // vowel mark was written after it (NFC puts fatha before shadda).
    let mut last_consonant: &str = "";
    for i in 0..n {
        let c = w[i];
        let first = i == 0;
        let next = w.get(i + 1).copied();
        match c {
            'ا' | 'آ' | 'ٱ' => out.push('a'),
            'أ' => out.push('a'),
            'إ' => out.push('i'),
            'ى' => out.push('a'),
            'ة' | 'ۃ' => out.push('a'),
            'ء' | 'ؤ' | 'ئ' => {}
            'ع' => {
                // Initial ain is carried by the vowel that follows it in Latin
                // (Ali, Umar, Abd): write an 'a' unless a long vowel letter does it.
                if first && !next.is_some_and(is_long_vowel_letter) {
                    out.push('a');
                }
            }
            'و' => {
                // Of two و in a row one is the consonant: "uu" is no
                // reading of one word (موومنت is m-o-v-e-m-e-n-t, توون
                // t-a-w-u-n).
                let after_vowel_waw = i > 0 && w[i - 1] == 'و' && out.ends_with('u');
                if first || after_vowel_waw || next.is_some_and(|x| matches!(x, 'ا' | 'ي' | 'ی'))
                {
                    out.push(if persian { 'v' } else { 'w' });
                } else {
                    out.push('u');
                }
            }
            'ي' | 'ی' | 'ې' => {
                if first || next.is_some_and(|x| matches!(x, 'ا' | 'و')) {
                    out.push('y');
                } else if c == 'ې' {
                    out.push('e');
                } else {
                    out.push('i');
                }
            }
            'ۍ' => out.push_str("ai"),
            'ے' | 'ۓ' => out.push('e'),
            'ّ' => {
                let vowel = out.ends_with(['a', 'i', 'u']) && !last_consonant.is_empty();
                let v = if vowel { out.pop() } else { None };
                out.push_str(last_consonant);
                if let Some(v) = v {
                    out.push(v);
                }
            }
            'َ' | 'ً' => out.push('a'),
            'ُ' | 'ٌ' => out.push('u'),
            'ِ' | 'ٍ' => out.push('i'),
            'ھ' if i > 0 => out.push('h'),
            c => {
                if let Some(s) = consonant(c) {
                    // ح or ه after a letter read s, z, k, g, t or d is a
                    // letter of its own, not half of sh, zh, kh, gh, th, dh
                    // (سحال is s-h-a-l, Sahel, not Shal): an apostrophe
                    // keeps them apart, as romanizations write Is'haq.
                    if s == "h" && out.ends_with(['s', 'z', 'k', 'g', 't', 'd']) {
                        out.push('\'');
                    }
                    out.push_str(s);
                    last_consonant = s;
                }
            }
        }
    }
    out
}

/// Whether the name uses letters that only Persian, Dari, Pashto or Urdu
/// have; then و reads as v.
pub fn looks_persian(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            c,
            'پ' | 'چ'
                | 'ژ'
                | 'گ'
                | 'ک'
                | 'ی'
                | 'ټ'
                | 'ډ'
                | 'ړ'
                | 'ږ'
                | 'ښ'
                | 'څ'
                | 'ځ'
                | 'ګ'
                | 'ڼ'
                | 'ې'
                | 'ۍ'
                | 'ٹ'
                | 'ڈ'
                | 'ڑ'
                | 'ں'
                | 'ھ'
                | 'ہ'
                | 'ے'
        )
    })
}

/// Splits the attached article al- off a word (الرحمن → al + رحمن), the way
/// Latin spellings write it as a separate particle. "Allah" keeps its al.
pub fn split_article(w: &str) -> Option<(&'static str, &str)> {
    let rest = w.strip_prefix("ال")?;
    if rest.chars().count() < 2 || rest == "له" || rest == "لله" {
        return None;
    }
    Some(("ال", rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> String {
        word(&s.chars().collect::<Vec<_>>(), looks_persian(s))
    }

    #[test]
    fn consonants_and_long_vowels_are_written_short_vowels_are_not() {
        assert_eq!(w("محمد"), "mhmd");
        assert_eq!(w("محمود"), "mhmud");
        assert_eq!(w("خالد"), "khald");
    }

    #[test]
    fn initial_ain_becomes_the_vowel_latin_writes() {
        assert_eq!(w("علي"), "ali");
        assert_eq!(w("عمر"), "amr");
    }

    #[test]
    fn persian_and_urdu_letters_have_readings() {
        assert_eq!(w("پوٹن"), "putn");
        assert_eq!(w("ولادیمیر"), "vladimir");
    }

    #[test]
    fn of_two_waws_in_a_row_one_is_the_consonant() {
        assert_eq!(w("موومنت"), "muwmnt");
        assert_eq!(w("نور"), "nur");
    }

    #[test]
    fn a_letter_h_after_s_k_z_is_kept_apart() {
        assert_eq!(w("سحال"), "s'hal");
        assert_eq!(w("زحید"), "z'hid");
        assert_eq!(w("شال"), "shal");
        assert_eq!(crate::keys::fine_key("s'hal"), "shal");
        assert_ne!(
            crate::keys::fine_key("s'hal"),
            crate::keys::fine_key("shal")
        );
    }

    #[test]
    fn shadda_doubles_the_consonant() {
        assert_eq!(w("مُحَمَّد"), "muhammad");
    }

    #[test]
    fn article_is_split_but_allah_is_kept() {
        assert_eq!(split_article("الرحمن"), Some(("ال", "رحمن")));
        assert_eq!(split_article("الله"), None);
    }

    #[test]
    fn folding_unifies_letter_shapes() {
        assert_eq!(fold("أحمد"), "احمد");
        assert_eq!(fold("علی"), "علي");
    }
}
