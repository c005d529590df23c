//! Brahmic abugidas → Latin: Devanagari, Bengali, Gurmukhi, Gujarati, Oriya,
//! Tamil, Telugu, Kannada, Malayalam (which share one Unicode layout, so one
//! table indexed by offset serves all of them), and Sinhala (its own layout).
//!
//! A consonant letter carries an inherent "a" unless a vowel sign or the
//! virama follows. Hindi, Bengali and the other northern languages drop that
//! vowel at the end of a word (पुतिन is "putin", not "putina"); the southern
//! ones keep it.

use crate::script::Script;

enum Kind {
    Consonant(&'static str),
    Vowel(&'static str),
    Sign(&'static str),
    Virama,
    Nasal,
    Visarga,
    Nukta,
    Skip,
}

/// The shared Indic layout, by offset from the block start (Devanagari names).
fn indic(off: u32, script: Script) -> Kind {
    use Kind::*;
    // Letters whose reading differs in one script.
    match (script, off) {
        (Script::Bengali, 0x2F) => return Consonant("j"),
        (Script::Bengali, 0x4E) => return Consonant("t"),
        (Script::Bengali, 0x57) | (Script::Tamil, 0x57) => return Skip,
        (Script::Tamil, 0x34) => return Consonant("zh"),
        (Script::Tamil, 0x31) => return Consonant("r"),
        (Script::Gurmukhi, 0x70) => return Nasal,
        (Script::Gurmukhi, 0x71) => return Skip,
        _ => {}
    }
    match off {
        0x01 | 0x02 => Nasal,
        0x03 => Visarga,
        0x04 => Vowel("a"),
        0x05 | 0x06 => Vowel("a"),
        0x07 | 0x08 => Vowel("i"),
        0x09 | 0x0A => Vowel("u"),
        0x0B | 0x60 => Vowel("ri"),
        0x0C | 0x61 => Vowel("li"),
        0x0D..=0x0F => Vowel("e"),
        0x10 => Vowel("ai"),
        0x11..=0x13 => Vowel("o"),
        0x14 => Vowel("au"),
        0x15 => Consonant("k"),
        0x16 => Consonant("kh"),
        0x17 => Consonant("g"),
        0x18 => Consonant("gh"),
        0x19 => Consonant("n"),
        0x1A => Consonant("ch"),
        0x1B => Consonant("chh"),
        0x1C => Consonant("j"),
        0x1D => Consonant("jh"),
        0x1E => Consonant("n"),
        0x1F => Consonant("t"),
        0x20 => Consonant("th"),
        0x21 => Consonant("d"),
        0x22 => Consonant("dh"),
        0x23 => Consonant("n"),
        0x24 => Consonant("t"),
        0x25 => Consonant("th"),
        0x26 => Consonant("d"),
        0x27 => Consonant("dh"),
        0x28 | 0x29 => Consonant("n"),
        0x2A => Consonant("p"),
        0x2B => Consonant("ph"),
        0x2C => Consonant("b"),
        0x2D => Consonant("bh"),
        0x2E => Consonant("m"),
        0x2F => Consonant("y"),
        0x30 | 0x31 => Consonant("r"),
        0x32 | 0x33 => Consonant("l"),
        0x34 => Consonant("l"),
        0x35 => Consonant("v"),
        0x36 | 0x37 => Consonant("sh"),
        0x38 => Consonant("s"),
        0x39 => Consonant("h"),
        0x3C => Nukta,
        0x3E => Sign("a"),
        0x3F | 0x40 => Sign("i"),
        0x41 | 0x42 => Sign("u"),
        0x43 | 0x44 => Sign("ri"),
        0x45..=0x47 => Sign("e"),
        0x48 => Sign("ai"),
        0x49..=0x4B => Sign("o"),
        0x4C => Sign("au"),
        0x4D => Virama,
        0x58 => Consonant("q"),
        0x59 => Consonant("kh"),
        0x5A => Consonant("gh"),
        0x5B => Consonant("z"),
        0x5C => Consonant("r"),
        0x5D => Consonant("rh"),
        0x5E => Consonant("f"),
        0x5F => Consonant("y"),
        0x62 | 0x63 => Sign("li"),
        _ => Skip,
    }
}

fn sinhala(c: char) -> Kind {
    use Kind::*;
    match c {
        'ං' => Nasal,
        'ඃ' => Visarga,
        'අ' | 'ආ' => Vowel("a"),
        'ඇ' | 'ඈ' => Vowel("e"),
        'ඉ' | 'ඊ' => Vowel("i"),
        'උ' | 'ඌ' => Vowel("u"),
        'ඍ' | 'ඎ' => Vowel("ri"),
        'එ' | 'ඒ' => Vowel("e"),
        'ඓ' => Vowel("ai"),
        'ඔ' | 'ඕ' => Vowel("o"),
        'ඖ' => Vowel("au"),
        'ක' => Consonant("k"),
        'ඛ' => Consonant("kh"),
        'ග' => Consonant("g"),
        'ඝ' => Consonant("gh"),
        'ඞ' => Consonant("n"),
        'ඟ' => Consonant("ng"),
        'ච' => Consonant("ch"),
        'ඡ' => Consonant("chh"),
        'ජ' => Consonant("j"),
        'ඣ' => Consonant("jh"),
        'ඤ' | 'ඥ' => Consonant("ny"),
        'ඦ' => Consonant("nj"),
        'ට' => Consonant("t"),
        'ඨ' => Consonant("th"),
        'ඩ' => Consonant("d"),
        'ඪ' => Consonant("dh"),
        'ණ' => Consonant("n"),
        'ඬ' => Consonant("nd"),
        'ත' => Consonant("t"),
        'ථ' => Consonant("th"),
        'ද' => Consonant("d"),
        'ධ' => Consonant("dh"),
        'න' => Consonant("n"),
        'ඳ' => Consonant("nd"),
        'ප' => Consonant("p"),
        'ඵ' => Consonant("ph"),
        'බ' => Consonant("b"),
        'භ' => Consonant("bh"),
        'ම' => Consonant("m"),
        'ඹ' => Consonant("mb"),
        'ය' => Consonant("y"),
        'ර' => Consonant("r"),
        'ල' | 'ළ' => Consonant("l"),
        'ව' => Consonant("v"),
        'ශ' | 'ෂ' => Consonant("sh"),
        'ස' => Consonant("s"),
        'හ' => Consonant("h"),
        'ෆ' => Consonant("f"),
        '්' => Virama,
        'ා' => Sign("a"),
        'ැ' | 'ෑ' => Sign("e"),
        'ි' | 'ී' => Sign("i"),
        'ු' | 'ූ' => Sign("u"),
        'ෘ' | 'ෲ' => Sign("ru"),
        'ෙ' | 'ේ' => Sign("e"),
        'ෛ' => Sign("ai"),
        'ො' | 'ෝ' => Sign("o"),
        'ෞ' => Sign("au"),
        _ => Skip,
    }
}

fn block_base(script: Script) -> Option<u32> {
    Some(match script {
        Script::Devanagari => 0x0900,
        Script::Bengali => 0x0980,
        Script::Gurmukhi => 0x0A00,
        Script::Gujarati => 0x0A80,
        Script::Oriya => 0x0B00,
        Script::Tamil => 0x0B80,
        Script::Telugu => 0x0C00,
        Script::Kannada => 0x0C80,
        Script::Malayalam => 0x0D00,
        _ => return None,
    })
}

/// Whether the language drops a word-final inherent vowel.
fn drops_final_a(script: Script) -> bool {
    matches!(
        script,
        Script::Devanagari | Script::Bengali | Script::Gurmukhi | Script::Gujarati | Script::Oriya
    )
}

/// Transliterates one word of a Brahmic script.
pub fn word(w: &[char], script: Script) -> String {
    let mut out = String::with_capacity(w.len() * 2);
    // A consonant was written and still waits for its vowel.
    let mut pending = false;
    // Where the last consonant starts in `out`, for the nukta to rewrite it.
    let mut last_cons = 0usize;
    let base = block_base(script);
    for &c in w {
        let kind = match base {
            Some(b) => {
                let u = c as u32;
                if u >= b && u < b + 0x80 {
                    indic(u - b, script)
                } else {
                    Kind::Skip
                }
            }
            None => sinhala(c),
        };
        match kind {
            Kind::Consonant(s) => {
                if pending {
                    out.push('a');
                }
                last_cons = out.len();
                out.push_str(s);
                pending = true;
            }
            Kind::Vowel(s) => {
                if pending {
                    out.push('a');
                }
                out.push_str(s);
                pending = false;
            }
            Kind::Sign(s) => {
                out.push_str(s);
                pending = false;
            }
            Kind::Virama => pending = false,
            Kind::Nasal => {
                if pending {
                    out.push('a');
                }
                out.push('n');
                pending = false;
            }
            Kind::Visarga => {
                if pending {
                    out.push('a');
                }
                out.push('h');
                pending = false;
            }
            Kind::Nukta => {
                // Nukta turns native letters into Perso-Arabic sounds.
                let repl = match &out[last_cons..] {
                    "k" => Some("q"),
                    "g" => Some("gh"),
                    "j" => Some("z"),
                    "ph" => Some("f"),
                    "d" => Some("r"),
                    "dh" => Some("rh"),
                    _ => None,
                };
                if let Some(r) = repl {
                    out.truncate(last_cons);
                    out.push_str(r);
                }
            }
            Kind::Skip => {}
        }
    }
    if pending && !drops_final_a(script) {
        out.push('a');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str, sc: Script) -> String {
        word(&s.chars().collect::<Vec<_>>(), sc)
    }

    #[test]
    fn hindi_drops_the_final_inherent_vowel() {
        assert_eq!(w("पुतिन", Script::Devanagari), "putin");
        assert_eq!(w("व्लादिमीर", Script::Devanagari), "vladimir");
    }

    #[test]
    fn bengali_uses_the_shared_layout() {
        assert_eq!(w("পুতিন", Script::Bengali), "putin");
    }

    #[test]
    fn tamil_word_ending_in_virama_has_no_final_vowel() {
        assert_eq!(w("புடின்", Script::Tamil), "putin");
    }

    #[test]
    fn sinhala_has_its_own_table() {
        assert_eq!(w("පුටින්", Script::Sinhala), "putin");
    }

    #[test]
    fn nukta_turns_ja_into_za() {
        assert_eq!(w("ज़िया", Script::Devanagari), "ziya");
    }
}
