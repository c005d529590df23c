//! Stable identifiers: short dotted slugs such as `jpoa2011`,
//! `jpoa2011.pillar.1` or `astana2015.step.1`, safe in URLs, CSV headers and
//! file names, and stable across databases (the seed fixes them).

use serde::{Deserialize, Serialize};
use std::fmt;

use accord_core::Invalid;

fn check_slug(field: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    let ok_shape = s
        .split('.')
        .all(|part| !part.is_empty() && !part.starts_with('-') && !part.ends_with('-'));
    if !(2..=80).contains(&s.len()) || !ok_chars || !ok_shape {
        return Err(Invalid::field(
            field,
            "must be 2 to 80 lower-case letters, digits, '-' or '_', in dot-separated parts (e.g. astana2015.step.1)",
        ));
    }
    Ok(s.to_string())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates an identifier; the error names the field.
            pub fn parse(raw: &str) -> Result<$name, Invalid> {
                check_slug($field, raw).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(s: String) -> Result<Self, Invalid> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// A framework: `jpoa2011`, `astana2015`, or one the secretariat adds.
    FrameworkId,
    "framework"
);
slug_id!(
    /// A pillar of a framework: `jpoa2011.pillar.1` ... `jpoa2011.pillar.4`.
    PillarId,
    "pillar"
);
slug_id!(
    /// A commitment: `astana2015.step.1`, `astana2015.conclusion.12`, ...
    CommitmentId,
    "commitment"
);
slug_id!(
    /// A reporting round, e.g. `2015-unga`.
    RoundId,
    "round"
);

/// A user account's database id (as `accord_core::Principal::User { id }`).
pub type UserId = i64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_dotted_slugs() {
        assert_eq!(
            CommitmentId::parse(" astana2015.step.1 ").unwrap().as_str(),
            "astana2015.step.1"
        );
        assert!(PillarId::parse("jpoa2011.pillar.1").is_ok());
    }

    #[test]
    fn ids_refuse_what_is_unsafe_in_urls_and_names_the_field() {
        for bad in [
            "", "x", "A.B", "a..b", ".a", "a.", "a b", "../etc", "a/b", "-a.b",
        ] {
            let e = CommitmentId::parse(bad).unwrap_err();
            assert_eq!(e.errors[0].field, "commitment", "{bad:?}");
        }
        assert_eq!(RoundId::parse("?").unwrap_err().errors[0].field, "round");
    }
}
