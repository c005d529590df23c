//! Input validation errors that name the field at fault, so every layer can
//! tell the user exactly what to fix.

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A rejected input: one or more field errors. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", summary(.errors))]
pub struct Invalid {
    pub errors: Vec<FieldError>,
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Invalid {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Invalid {
            errors: vec![FieldError {
                field: field.to_string(),
                message: message.into(),
            }],
        }
    }
}

/// Collects field errors while a form is parsed, then yields all of them at once.
#[derive(Default)]
pub struct Collector {
    errors: Vec<FieldError>,
}

impl Collector {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Keeps the value if the check passed, records the error otherwise.
    pub fn check<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.extend(e.errors);
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid {
                errors: self.errors,
            })
        }
    }
}

/// Trims a free-text field and enforces presence and a maximum length in
/// characters. Line breaks are normalized to LF first: browsers send a
/// textarea's line breaks as CR LF, and multi-line text is the normal case.
pub fn text(field: &str, value: &str, required: bool, max_chars: usize) -> Result<String, Invalid> {
    let normalized = normalize_line_breaks(value);
    let v = normalized.trim();
    if required && v.is_empty() {
        return Err(Invalid::field(field, "is required"));
    }
    if v.chars().count() > max_chars {
        return Err(Invalid::field(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::field(field, "must not contain control characters"));
    }
    Ok(v.to_string())
}

/// The message of a name refused for [`hidden_character`].
pub const HIDDEN_CHARACTER_MESSAGE: &str =
    "must not contain invisible characters or text-direction controls";

/// Characters that change how text displays without showing themselves:
/// the bidirectional embeddings, overrides and isolates (U+202A–202E,
/// U+2066–2069) and marks (U+200E, U+200F, the Arabic letter mark U+061C),
/// and the zero-width characters (U+200B–200D, U+2060–2064, U+FEFF). With
/// them `"\u{202E}gnp.html.pdf"` displays as `fdp.lmth.png`, and
/// `"kaz\u{200B}.admin"` looks like another account's name.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Letters of the scripts whose spelling needs the zero-width non-joiner
/// and joiner: Arabic (Dari, Pashto, Urdu write names with the non-joiner)
/// and the Brahmic scripts from Devanagari to Sinhala (Hindi, Bengali,
/// Sinhala shape conjuncts with both).
fn needs_joiners(c: char) -> bool {
    matches!(
        c,
        '\u{0600}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{08A0}'..='\u{08FF}'
            | '\u{0900}'..='\u{0DFF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFC}'
    )
}

/// The first character of a name that would make it display otherwise than
/// it reads ([`is_invisible`]). A non-joiner or joiner between two letters
/// of a script that needs them is part of the spelling, and visible there
/// (it changes the letters' shapes), so it is not one.
pub fn hidden_character(value: &str) -> Option<char> {
    let chars: Vec<char> = value.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let spelled = matches!(c, '\u{200C}' | '\u{200D}')
            && i > 0
            && needs_joiners(chars[i - 1])
            && chars.get(i + 1).is_some_and(|&n| needs_joiners(n));
        (is_invisible(c) && !spelled).then_some(c)
    })
}

/// Refuses a name, of a person, an organization or a file, in which
/// something hides ([`hidden_character`]). The one check of every
/// person-facing name the platform stores.
pub fn visible(field: &str, value: &str) -> Result<(), Invalid> {
    match hidden_character(value) {
        Some(_) => Err(Invalid::field(field, HIDDEN_CHARACTER_MESSAGE)),
        None => Ok(()),
    }
}

/// A name: free [`text`] that is also [`visible`].
pub fn name(field: &str, value: &str, required: bool, max_chars: usize) -> Result<String, Invalid> {
    let v = text(field, value, required, max_chars)?;
    visible(field, &v)?;
    Ok(v)
}

/// The text without its [`is_invisible`] characters, for where a name is
/// compared or sent on rather than refused (screening, a stored file's name
/// in a download).
pub fn strip_invisible(value: &str) -> std::borrow::Cow<'_, str> {
    if value.chars().any(is_invisible) {
        value
            .chars()
            .filter(|c| !is_invisible(*c))
            .collect::<String>()
            .into()
    } else {
        value.into()
    }
}

/// A CSV cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab
/// or carriage return first) gets a leading apostrophe, so that a name typed
/// as `=HYPERLINK(…)` stays text when the file is opened in Excel. The one
/// rule of every CSV the platform writes.
pub fn neutralize_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// CR LF and lone CR become LF.
pub fn normalize_line_breaks(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains('\r') {
        value.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        value.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_rejects_blank() {
        let e = text("name", "   ", true, 10).unwrap_err();
        assert_eq!(e.errors[0].field, "name");
    }

    #[test]
    fn browser_line_breaks_are_accepted_as_lf_and_other_controls_are_not() {
        assert_eq!(
            text("grounds", "First line.\r\nSecond line.\rThird.", true, 100).unwrap(),
            "First line.\nSecond line.\nThird."
        );
        assert!(text("grounds", "bell\u{7}", true, 100).is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("t", "  ab ", false, 2).unwrap(), "ab");
        assert!(text("t", "abc", false, 2).is_err());
        assert!(text("t", "a\u{0}b", false, 10).is_err());
    }

    #[test]
    fn names_with_direction_controls_or_invisible_characters_are_refused() {
        for bad in [
            "\u{202E}gnp.html.pdf",
            "Aigerim\u{200B}",
            "kaz\u{200D}admin",
            "a\u{2066}b\u{2069}",
            "\u{FEFF}Nurlan",
            "\u{061C}x",
            "x\u{2060}y",
            "Abu\u{200F}",
        ] {
            let e = name("display_name", bad, true, 100).unwrap_err();
            assert_eq!(e.errors[0].field, "display_name", "{bad:?}");
            assert_eq!(e.errors[0].message, HIDDEN_CHARACTER_MESSAGE);
        }
        assert_eq!(
            name("name", " Айгерим Нурлановна ", true, 100).unwrap(),
            "Айгерим Нурлановна"
        );
    }

    #[test]
    fn joiners_that_spell_a_word_in_their_script_are_kept() {
        // Persian "Hasanzadeh" with its non-joiner, Sinhala "Sri Lanka"
        // with the joiner of its conjunct.
        for ok in ["حسن\u{200C}زاده", "ශ්\u{200D}රී ලංකා"] {
            assert_eq!(hidden_character(ok), None, "{ok:?}");
        }
        // Not between two letters of such a script: hidden.
        assert_eq!(hidden_character("حسن\u{200C}"), Some('\u{200C}'));
        assert_eq!(hidden_character("ab\u{200C}c"), Some('\u{200C}'));
    }

    #[test]
    fn invisible_characters_are_stripped_where_names_are_compared() {
        assert_eq!(strip_invisible("Us\u{200B}ama\u{202E}"), "Usama");
        assert!(matches!(
            strip_invisible("Usama"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn collector_reports_every_field() {
        let mut c = Collector::default();
        c.check(text("a", "", true, 5));
        c.check(text("b", "toolong", true, 3));
        let e = c.finish().unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert!(e.to_string().contains("a: is required"));
    }
}
