//! Canonical JSON: RFC 8785 (the JSON Canonicalization Scheme), with every
//! string NFC-normalised first.
//!
//! RFC 8785 fixes the bytes of a JSON value: object members sorted by the
//! UTF-16 code units of their names, no whitespace, numbers written the way
//! ECMAScript's `Number.prototype.toString` writes an IEEE 754 double, and
//! strings escaped minimally. It deliberately does not normalise Unicode, so
//! "é" typed as one code point and as "e" + combining accent canonicalise to
//! different bytes. The common list is multi-script (Arabic, Cyrillic,
//! Devanagari, Latin with diacritics), and the same name may reach the
//! platform through different keyboards; signing the NFC form means a
//! signature does not depend on how a name happened to be typed.
//! [`canonicalize`] is the plain RFC (tested against its appendix);
//! [`canonicalize_nfc`] and [`to_canonical_bytes`] are what Accord signs.

use serde::Serialize;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonError {
    /// RFC 8785 §3.2.2.3: NaN and the infinities have no JSON form.
    #[error("a number is not finite (NaN or infinity), which JSON cannot represent")]
    NotFinite,
    /// An integer that an IEEE 754 double cannot hold exactly; writing it as
    /// the nearest double would silently sign a different number.
    #[error("the integer {0} cannot be represented exactly as an IEEE 754 double")]
    InexactInteger(String),
    /// Two member names that become equal once NFC-normalised.
    #[error("the object has two members named {0:?} once names are NFC-normalised")]
    DuplicateKey(String),
    #[error("the value cannot be turned into JSON: {0}")]
    Serialize(String),
}

/// RFC 8785 canonical form of `value`, without Unicode normalisation.
pub fn canonicalize(value: &Value) -> Result<String, CanonError> {
    let mut out = String::new();
    write_value(value, false, &mut out)?;
    Ok(out)
}

/// RFC 8785 canonical form of `value` after NFC-normalising every string and
/// member name.
pub fn canonicalize_nfc(value: &Value) -> Result<String, CanonError> {
    let mut out = String::new();
    write_value(value, true, &mut out)?;
    Ok(out)
}

/// The bytes Accord signs for a serialisable value: NFC, then RFC 8785.
pub fn to_canonical_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CanonError> {
    let v = serde_json::to_value(value).map_err(|e| CanonError::Serialize(e.to_string()))?;
    Ok(canonicalize_nfc(&v)?.into_bytes())
}

fn write_value(value: &Value, nfc: bool, out: &mut String) -> Result<(), CanonError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&number(n)?),
        Value::String(s) => write_string(&normalise(s, nfc), out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, nfc, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(String, &Value)> =
                map.iter().map(|(k, v)| (normalise(k, nfc), v)).collect();
            // RFC 8785 §3.2.3: sort by UTF-16 code units, not by UTF-8 bytes
            // or code points (they differ above U+FFFF vs U+E000..U+FFFF).
            members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            if let Some(w) = members.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(CanonError::DuplicateKey(w[0].0.clone()));
            }
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(v, nfc, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn normalise(s: &str, nfc: bool) -> String {
    if nfc {
        s.nfc().collect()
    } else {
        s.to_string()
    }
}

/// RFC 8785 §3.2.2.2: only `"`, `\` and the C0 controls are escaped; the
/// controls with a short form use it, the rest `\u00xx` in lower case.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn number(n: &serde_json::Number) -> Result<String, CanonError> {
    if let Some(i) = n.as_i64() {
        return integer(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return integer(i128::from(u));
    }
    format_double(n.as_f64().ok_or(CanonError::NotFinite)?)
}

fn integer(i: i128) -> Result<String, CanonError> {
    // `as` rounds to the nearest double; casting back (exact for any double
    // in i128's range) tells whether that rounding changed the number.
    let d = i as f64;
    if d as i128 != i {
        return Err(CanonError::InexactInteger(i.to_string()));
    }
    format_double(d)
}

/// ECMAScript `Number::toString` (ECMA-262 §7.1.12.1) for a finite double.
///
/// Rust's `{:e}` already gives the shortest digit string that round-trips
/// (the same digits ECMAScript requires); what remains is where ECMAScript
/// puts the decimal point and when it switches to exponent notation.
pub fn format_double(d: f64) -> Result<String, CanonError> {
    if !d.is_finite() {
        return Err(CanonError::NotFinite);
    }
    if d == 0.0 {
        // Both +0 and -0 are written "0".
        return Ok("0".into());
    }
    let sci = format!("{:e}", d.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits = prefer_even_on_a_tie(digits, exp, d.abs());
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    // The value is 0.d1d2…dk × 10^n.
    let n = exp + 1;
    let mut out = String::new();
    if d < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let e = n - 1;
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if e >= 0 { '+' } else { '-' });
        out.push_str(&e.abs().to_string());
    }
    Ok(out)
}

/// When the double lies exactly halfway between two shortest digit strings
/// that both read back as it, ECMAScript takes the one ending in an even
/// digit; Rust's shortest formatting may take the other (RFC 8785 Appendix B,
/// "round to even": 0x43143ff3c1cb0959 is 1424953923781206.25).
fn prefer_even_on_a_tie(digits: String, exp: i64, d: f64) -> String {
    let Some(last) = digits.bytes().last().map(|b| b - b'0') else {
        return digits;
    };
    if last % 2 == 0 {
        return digits;
    }
    // Exact decimal expansion: a double has at most 767 significant digits.
    let exact = format!("{d:.1100e}");
    let exact: String = exact
        .split('e')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| *c != '.')
        .collect();
    for candidate_last in [last - 1, last + 1] {
        if candidate_last > 9 {
            continue;
        }
        let mut candidate = digits[..digits.len() - 1].to_string();
        candidate.push(char::from(b'0' + candidate_last));
        let (first, rest) = candidate.split_at(1);
        let reads_back = format!("{first}.{rest}e{exp}").parse::<f64>().ok() == Some(d);
        let lower = if candidate_last < last {
            &candidate
        } else {
            &digits
        };
        let tie = exact.strip_prefix(lower.as_str()).is_some_and(|tail| {
            tail.strip_prefix('5')
                .is_some_and(|zeros| zeros.bytes().all(|b| b == b'0'))
        });
        if reads_back && tie {
            return candidate;
        }
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    const APPENDIX_B: &[(u64, &str)] = &[
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"),
        (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];

    #[test]
    fn numbers_are_written_as_rfc8785_appendix_b_says() {
        for (bits, want) in APPENDIX_B {
            assert_eq!(
                format_double(f64::from_bits(*bits)).unwrap(),
                *want,
                "{bits:016x}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn every_finite_double_is_written_so_that_it_reads_back_exactly(bits in proptest::prelude::any::<u64>()) {
            let d = f64::from_bits(bits);
            proptest::prop_assume!(d.is_finite());
            let s = format_double(d).unwrap();
            proptest::prop_assert_eq!(s.parse::<f64>().unwrap(), if d == 0.0 { 0.0 } else { d });
            // ECMAScript's forms only: no "+" mantissa, no leading zeros.
            proptest::prop_assert!(!s.starts_with('+') && !s.starts_with("00"));
        }
    }

    #[test]
    fn nan_and_infinity_are_refused() {
        for bits in [0x7fffffffffffffff_u64, 0x7ff0000000000000] {
            assert_eq!(
                format_double(f64::from_bits(bits)),
                Err(CanonError::NotFinite)
            );
        }
    }

    #[test]
    fn the_rfc8785_section_3_2_2_example_canonicalises_byte_for_byte() {
        // Built by hand rather than parsed: the numbers are exactly the
        // doubles Rust's correctly rounded `str::parse` yields for the RFC's
        // literals, independent of any JSON parser's float shortcuts.
        let num = |s: &str| json!(s.parse::<f64>().unwrap());
        let input = json!({
            "numbers": [num("333333333.33333329"), num("1E30"), num("4.50"), num("2e-3"), num("0.000000000000000000000000001")],
            "string": "\u{20ac}$\u{000F}\u{000a}A'\u{0042}\u{0022}\u{005c}\\\"/",
            "literals": [null, true, false]
        });
        assert_eq!(
            canonicalize(&input).unwrap(),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn members_are_sorted_by_utf16_code_units_as_rfc8785_section_3_2_3_shows() {
        let input = json!({
            "\u{20ac}": "Euro Sign",
            "\r": "Carriage Return",
            "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\u{1f600}": "Emoji: Grinning Face",
            "\u{0080}": "Control",
            "\u{00f6}": "Latin Small Letter O With Diaeresis"
        });
        assert_eq!(
            canonicalize(&input).unwrap(),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
             \"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\
             \"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    #[test]
    fn nfc_makes_two_spellings_of_a_name_canonicalise_alike() {
        let composed = json!({"name": "Jos\u{e9}"});
        let decomposed = json!({"name": "Jose\u{301}"});
        assert_ne!(
            canonicalize(&composed).unwrap(),
            canonicalize(&decomposed).unwrap()
        );
        assert_eq!(
            canonicalize_nfc(&composed).unwrap(),
            canonicalize_nfc(&decomposed).unwrap()
        );
    }

    #[test]
    fn names_equal_after_nfc_are_refused_as_duplicates() {
        let v = json!({"Jos\u{e9}": 1, "Jose\u{301}": 2});
        assert!(matches!(
            canonicalize_nfc(&v),
            Err(CanonError::DuplicateKey(_))
        ));
    }

    #[test]
    fn integers_beyond_double_precision_are_refused() {
        assert_eq!(
            canonicalize(&json!(9007199254740992_u64)).unwrap(),
            "9007199254740992"
        );
        assert!(matches!(
            canonicalize(&json!(9007199254740993_u64)),
            Err(CanonError::InexactInteger(_))
        ));
        assert!(matches!(
            canonicalize(&json!(i64::MAX)),
            Err(CanonError::InexactInteger(_))
        ));
    }

    #[test]
    fn controls_are_escaped_and_other_characters_kept() {
        assert_eq!(
            canonicalize(&json!("\u{1}\u{1f}\u{7f}\u{2028}")).unwrap(),
            "\"\\u0001\\u001f\u{7f}\u{2028}\""
        );
    }
}
