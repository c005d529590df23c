//! Human-readable serde formats for `time` values: dates as `2015-09-29`
//! (declared with `time::serde::format_description!`), instants as RFC 3339
//! (`time::serde::rfc3339`). The workspace enables `time`'s `serde` feature
//! without `serde-human-readable` (which would change other crates' formats
//! through feature unification), so the defaults would be tuples.

use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

pub(crate) const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

// `date` (with `date::option` for optional fields) writes and reads
// `2015-09-29`; instants use `time::serde::rfc3339` directly.
time::serde::format_description!(pub date, Date, "[year]-[month]-[day]");

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

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::macros::{date, datetime};
    use time::{Date, OffsetDateTime};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Stored {
        #[serde(with = "super::date")]
        day: Date,
        #[serde(with = "super::date::option")]
        maybe: Option<Date>,
        #[serde(with = "super::date::option")]
        none: Option<Date>,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    }

    #[test]
    fn stored_json_keeps_iso_dates_and_rfc3339_instants() {
        let v = Stored {
            day: date!(2015 - 09 - 29),
            maybe: Some(date!(2026 - 01 - 05)),
            none: None,
            at: datetime!(2026-09-15 23:59:59 +02:00),
        };
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"day":"2015-09-29","maybe":"2026-01-05","none":null,"at":"2026-09-15T23:59:59+02:00"}"#
        );
        assert_eq!(serde_json::from_str::<Stored>(&json).unwrap(), v);
        assert!(serde_json::from_str::<Stored>(&json.replace("09-29", "9-29")).is_err());
    }
}
