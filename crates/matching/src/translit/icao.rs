//! The transliteration ICAO Doc 9303 (Machine Readable Travel Documents,
//! Part 3, Section 6 and its Appendix B) recommends for the Latin name of a
//! passport, for Cyrillic and Arabic-script names. A passport, and so a
//! passenger manifest (PAXLST) copied from it, writes the name this way:
//! Сергей → SERGEI (not Sergey), Юлия → IULIIA, محمد → MXHMD in the
//! reversible X-scheme some states use. The index adds these spellings of
//! a list name as screenable forms, so a passport spelling meets the list
//! name exactly instead of through the fuzzy comparison.
//!
//! The tables below are written from the published Doc 9303 tables; letters
//! the tables leave out (Kazakh, Kyrgyz and Tajik letters in Cyrillic) read
//! as their closest ICAO letter (ә → a, қ → k, ғ → g, ң → n, ө → o,
//! ұ ү ў → u, һ ҳ → h, ҷ → ch, ӣ → i). Harakat are not written (Doc 9303:
//! they are normally omitted).

/// Doc 9303 Latin of one lowercase Cyrillic letter; `None` if `c` is not
/// Cyrillic. Ь is dropped (empty string).
pub fn cyrillic_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'ђ' => "d",
        'ѓ' => "g",
        'е' | 'ё' | 'э' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'ѕ' | 'џ' => "dz",
        'и' | 'і' | 'ї' | 'й' => "i",
        'ј' => "j",
        'к' | 'ќ' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "ie",
        'ы' => "y",
        'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        // Central Asian letters (not in the Doc 9303 table).
        'ә' => "a",
        'ғ' => "g",
        'қ' => "k",
        'ң' => "n",
        'ө' => "o",
        'ұ' | 'ү' | 'ӯ' => "u",
        'һ' | 'ҳ' => "h",
        'ҷ' => "ch",
        'ӣ' => "i",
        _ => return None,
    })
}

/// Doc 9303 Table C (the reversible X-scheme) for one Arabic-script
/// letter; `final_letter`: the letter ends a name component (ة is XAH
/// there, XTA elsewhere). `None` if `c` is not an Arabic-script letter;
/// harakat and tatweel give the empty string.
pub fn arabic_letter(c: char, final_letter: bool) -> Option<&'static str> {
    Some(match c {
        'ء' => "xe",
        'آ' => "xaa",
        'أ' => "xae",
        'ؤ' => "u",
        'إ' => "i",
        'ئ' => "xi",
        'ا' => "a",
        'ب' => "b",
        'ة' if final_letter => "xah",
        'ة' => "xta",
        'ت' => "t",
        'ث' => "xth",
        'ج' => "j",
        'ح' => "xh",
        'خ' => "xkh",
        'د' => "d",
        'ذ' => "xdh",
        'ر' => "r",
        'ز' => "z",
        'س' => "s",
        'ش' => "xsh",
        'ص' => "xss",
        'ض' => "xdz",
        'ط' => "xtt",
        'ظ' => "xzz",
        'ع' => "e",
        'غ' => "g",
        'ف' => "f",
        'ق' => "q",
        'ك' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'ه' => "h",
        'و' => "w",
        'ى' => "xay",
        'ي' => "y",
        // Persian, Urdu and Pashto letters of Table C.
        'پ' => "p",
        'چ' => "xc",
        'ژ' => "xj",
        'گ' => "xgg",
        'ک' => "xkk",
        'ی' => "xya",
        'ٹ' => "xxt",
        'ټ' => "xrt",
        'ځ' => "xke",
        'څ' => "xxh",
        'ڈ' => "xxd",
        'ډ' => "xdr",
        'ڑ' => "xxr",
        'ړ' => "xrr",
        'ږ' => "xrx",
        'ښ' => "xxs",
        'ګ' => "xxk",
        'ں' => "xnn",
        'ڼ' => "xxn",
        'ھ' => "xdo",
        'ہ' => "xxg",
        'ۃ' => "xtg",
        'ۍ' => "xxy",
        'ې' => "y",
        'ے' => "xyb",
        'ـ' | '\u{064B}'..='\u{065F}' | '\u{0670}' => "",
        _ => return None,
    })
}

/// The Doc 9303 spelling of a whole name (lowercase), or `None` when it
/// has no Cyrillic or Arabic-script letter. Other characters are kept.
pub fn name(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(chars.len() * 2);
    let mut any = false;
    for (i, &c) in chars.iter().enumerate() {
        let final_letter = chars
            .get(i + 1)
            .is_none_or(|&n| !n.is_alphabetic() && !is_arabic_mark(n));
        if let Some(l) = cyrillic_letter(c).or_else(|| arabic_letter(c, final_letter)) {
            out.push_str(l);
            any = true;
        } else {
            out.push(c);
        }
    }
    any.then_some(out)
}

fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_names_read_as_a_passport_writes_them() {
        assert_eq!(name("Сергей Юрьевич").as_deref(), Some("sergei iurevich"));
        assert_eq!(name("Юлия Щукина").as_deref(), Some("iuliia shchukina"));
        assert_eq!(name("Ғайратов Ҳамид").as_deref(), Some("gairatov hamid"));
    }

    #[test]
    fn arabic_names_read_in_the_x_scheme() {
        // Doc 9303's worked example writes محمد as MXHMD.
        assert_eq!(name("محمد").as_deref(), Some("mxhmd"));
        // Teh marbuta: XAH at the end of a name part, XTA inside.
        assert_eq!(name("فاطمة").as_deref(), Some("faxttmxah"));
        assert_eq!(name("Ivan"), None);
    }
}
