//! Greek → Latin (ELOT 743-like, simplified for names).

/// Transliterates a lowercase Greek word (accents already removed).
pub fn word(w: &[char]) -> String {
    let mut out = String::with_capacity(w.len() * 2);
    let mut i = 0;
    while i < w.len() {
        let c = w[i];
        let next = w.get(i + 1).copied();
        // Digraphs first: Greek writes foreign b, d, g as μπ, ντ, γκ, and
        // several vowel pairs as one sound.
        let pair = next.and_then(|n| {
            Some(match (c, n) {
                ('μ', 'π') => "b",
                ('ν', 'τ') => "d",
                ('γ', 'κ') => "g",
                ('γ', 'γ') => "ng",
                ('γ', 'χ') => "nch",
                ('ο', 'υ') => "ou",
                ('α', 'ι') => "ai",
                ('ε', 'ι') => "ei",
                ('ο', 'ι') => "oi",
                ('α', 'υ') => "av",
                ('ε', 'υ') => "ev",
                ('τ', 'σ') => "ts",
                ('τ', 'ζ') => "tz",
                _ => return None,
            })
        });
        if let Some(p) = pair {
            out.push_str(p);
            i += 2;
            continue;
        }
        out.push_str(letter(c).unwrap_or(""));
        i += 1;
    }
    out
}

pub fn letter(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> String {
        word(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn greek_names_read_as_usually_spelled() {
        assert_eq!(w("αλεξανδροσ"), "alexandros");
        assert_eq!(w("νικολαος"), "nikolaos");
    }

    #[test]
    fn nt_digraph_reads_as_d_in_foreign_names() {
        assert_eq!(w("βλαντιμιρ"), "vladimir");
    }
}
