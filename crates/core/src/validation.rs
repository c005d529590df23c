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
    fn collector_reports_every_field() {
        let mut c = Collector::default();
        c.check(text("a", "", true, 5));
        c.check(text("b", "toolong", true, 3));
        let e = c.finish().unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert!(e.to_string().contains("a: is required"));
    }
}
