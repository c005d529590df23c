//! Small text helpers shared by the readers.

/// Trims and collapses runs of whitespace (including line breaks) into one space.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `clean`, or `None` when nothing is left.
pub fn clean_opt(s: &str) -> Option<String> {
    let c = clean(s);
    (!c.is_empty()).then_some(c)
}

/// The dominant script of `text` as an ISO 15924 code, from the Unicode
/// block of each letter. Returns `None` when the text has no letters.
///
/// Covers the scripts seen on sanctions lists: Latn, Arab, Cyrl, Grek, Hebr,
/// Hani (Chinese characters), Hang (Korean), Jpan (kana), Thai, Deva, Beng,
/// Ethi, Geor, Armn, Tibt, Mymr; other letters count as "Zyyy".
pub fn detect_script(text: &str) -> Option<&'static str> {
    const SCRIPTS: [&str; 17] = [
        "Latn", "Arab", "Cyrl", "Grek", "Hebr", "Hani", "Hang", "Jpan", "Thai", "Deva", "Beng",
        "Ethi", "Geor", "Armn", "Tibt", "Mymr", "Zyyy",
    ];
    let mut counts = [0usize; 17];
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let i = match c as u32 {
            0x0041..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => 0,
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => 1,
            0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => 2,
            0x0370..=0x03FF | 0x1F00..=0x1FFF => 3,
            0x0590..=0x05FF => 4,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2FFFF | 0xF900..=0xFAFF => 5,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => 6,
            0x3040..=0x30FF | 0x31F0..=0x31FF => 7,
            0x0E00..=0x0E7F => 8,
            0x0900..=0x097F => 9,
            0x0980..=0x09FF => 10,
            0x1200..=0x139F => 11,
            0x10A0..=0x10FF => 12,
            0x0530..=0x058F => 13,
            0x0F00..=0x0FFF => 14,
            0x1000..=0x109F => 15,
            _ => 16,
        };
        counts[i] += 1;
    }
    // Japanese text mixes kana with Chinese characters: any kana means Jpan.
    if counts[7] > 0 {
        return Some("Jpan");
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, usize::MAX - i))?;
    (*n > 0).then(|| SCRIPTS[best])
}

/// Parses `YYYY-MM-DD` (optionally followed by a time, as in
/// `2026-02-27T00:00:09Z`) into its parts, checking ranges.
pub fn parse_iso_date(s: &str) -> Option<(i32, u8, u8)> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() > 10 && b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let year: i32 = digits(&s[0..4])?;
    let month: u8 = digits(&s[5..7])?;
    let day: u8 = digits(&s[8..10])?;
    valid_ymd(year, month, day).then_some((year, month, day))
}

/// Parses a 4-digit year between 1000 and 2999.
pub fn parse_year(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.len() != 4 {
        return None;
    }
    digits::<i32>(s).filter(|y| (1000..3000).contains(y))
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether year, month and day form a real calendar date.
pub fn valid_ymd(year: i32, month: u8, day: u8) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1000..3000).contains(&year) && day >= 1 && day <= days
}

/// Month number of an English month name or abbreviation ("Jan", "Sep.",
/// "September", "Sept").
pub fn month_number(s: &str) -> Option<u8> {
    let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| m.starts_with(&s) || (s == "sept" && *m == "september"))
        .map(|i| i as u8 + 1)
}

/// Decodes Windows-1252 (a superset of the printable part of Latin-1) into
/// a `String`. Every byte maps to a character, so this never fails; the five
/// bytes undefined in Windows-1252 map to the C1 control of the same value,
/// as in the WHATWG encoding standard.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert_eq!(detect_script("Eric BADEGE"), Some("Latn"));
        assert_eq!(detect_script("عبد الرحمن"), Some("Arab"));
        assert_eq!(detect_script("Владимир Путин"), Some("Cyrl"));
        assert_eq!(detect_script("金正恩"), Some("Hani"));
        assert_eq!(detect_script("김정은"), Some("Hang"));
        assert_eq!(detect_script("プーチン"), Some("Jpan"));
        assert_eq!(detect_script("123 -"), None);
        assert_eq!(detect_script("Müller Çelik"), Some("Latn"));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_iso_date("1965-01-01"), Some((1965, 1, 1)));
        assert_eq!(
            parse_iso_date("2026-02-27T00:00:09.554Z"),
            Some((2026, 2, 27))
        );
        assert_eq!(parse_iso_date("1965-02-30"), None);
        assert_eq!(parse_iso_date("1965-1-1"), None);
        assert_eq!(parse_year("1971"), Some(1971));
        assert_eq!(parse_year("+971"), None);
        assert_eq!(month_number("Sep."), Some(9));
        assert_eq!(month_number("Sept"), Some(9));
        assert_eq!(month_number("JAN"), Some(1));
        assert_eq!(month_number("Ma"), None);
    }

    #[test]
    fn cp1252() {
        assert_eq!(
            decode_windows_1252(b"Jos\xe9 \x93A\x94"),
            "José \u{201C}A\u{201D}"
        );
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("  FARDC   General \n x "), "FARDC General x");
        assert_eq!(clean_opt("  \n"), None);
    }
}
