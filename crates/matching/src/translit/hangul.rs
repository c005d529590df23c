//! Hangul → Latin, computed from the syllable's jamo.
//!
//! Korean names on sanctions lists are mostly spelled the McCune–Reischauer
//! way without diacritics (Kim Jong Un, Pak, Ri), so a word-initial ㄱ/ㄷ/ㅂ/ㅈ
//! is written k/t/p/ch-like where MR does, while vowels follow the Revised
//! Romanization letters (eo, eu) that the scorer's phonetic key folds to o, u.

const INITIAL: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const INITIAL_WORD_START: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const MEDIAL: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Romanizes a run of Hangul syllables; each syllable of a multi-syllable
/// word after the first is written as its own part, the way Korean given
/// names are split in Latin ("Jong Un").
pub fn word(w: &[char]) -> String {
    let mut out = String::new();
    for (i, &c) in w.iter().enumerate() {
        let u = c as u32;
        if !(0xAC00..=0xD7A3).contains(&u) {
            continue;
        }
        let s = u - 0xAC00;
        let ini = (s / (21 * 28)) as usize;
        let med = ((s % (21 * 28)) / 28) as usize;
        let fin = (s % 28) as usize;
        if i > 0 {
            out.push(' ');
        }
        out.push_str(if i == 0 {
            INITIAL_WORD_START[ini]
        } else {
            INITIAL[ini]
        });
        // 이/리 as a surname is spelled Ri or Lee/Yi; "i" alone is too short
        // to match either, so write the common "lee"-less form "yi".
        if i == 0 && w.len() > 1 && ini == 11 && med == 20 && fin == 0 {
            out.push_str("yi");
            continue;
        }
        out.push_str(MEDIAL[med]);
        out.push_str(FINAL[fin]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_name_syllables_are_romanized_separately() {
        let w: Vec<char> = "김정은".chars().collect();
        assert_eq!(word(&w), "kim jeong eun");
    }
}
