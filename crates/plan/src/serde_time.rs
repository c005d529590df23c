//! Human-readable serde formats for `time` values: dates as `2015-09-29`,
//! instants as RFC 3339. The workspace enables `time`'s `serde` feature
//! without `serde-human-readable` (which would change other crates' formats
//! through feature unification), so the defaults would be tuples.

use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

pub(crate) const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

pub(crate) fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_else(|_| d.to_string())
}

pub(crate) fn format_instant(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_date(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text, DATE).map_err(|e| D::Error::custom(format!("date {text:?}: {e}")))
    }
}

pub mod option_date {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_str(&format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                Date::parse(&text, DATE)
                    .map_err(|e| D::Error::custom(format!("date {text:?}: {e}")))
            })
            .transpose()
    }
}

pub mod instant {
    use super::*;

    pub fn serialize<S: Serializer>(value: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        let text = value.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        OffsetDateTime::parse(&text, &Rfc3339)
            .map_err(|e| D::Error::custom(format!("time {text:?}: {e}")))
    }
}

/// Parses a form field holding a date (`YYYY-MM-DD`); the error names the field.
pub(crate) fn parse_date(field: &str, raw: &str) -> Result<Date, accord_core::Invalid> {
    Date::parse(raw.trim(), DATE)
        .map_err(|_| accord_core::Invalid::field(field, "must be a date as YYYY-MM-DD"))
}

/// Parses an instant: RFC 3339, or a bare date meaning the end of that day in UTC
/// (23:59:59), which is what "the deadline is 15 September" means to people.
pub(crate) fn parse_instant(
    field: &str,
    raw: &str,
) -> Result<OffsetDateTime, accord_core::Invalid> {
    let raw = raw.trim();
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(t);
    }
    if let Ok(d) = Date::parse(raw, DATE) {
        return Ok(d
            .with_hms(23, 59, 59)
            .expect("valid clock time")
            .assume_utc());
    }
    Err(accord_core::Invalid::field(
        field,
        "must be a date (YYYY-MM-DD, end of day UTC) or an RFC 3339 time",
    ))
}
