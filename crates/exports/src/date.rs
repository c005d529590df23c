//! The version date and the date renderings the formats share.

use accord_lists::model::{BirthDate, DateValue};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::ExportError;

/// A parsed version date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionDate {
    /// The text as given (`YYYY-MM-DD` or RFC 3339), trimmed.
    pub original: String,
    /// The calendar date in UTC, `YYYY-MM-DD`.
    pub day: String,
    /// A STIX timestamp in UTC with milliseconds: `YYYY-MM-DDTHH:MM:SS.mmmZ`
    /// (midnight when only a day was given).
    pub timestamp: String,
}

impl VersionDate {
    /// Parses `YYYY-MM-DD` or an RFC 3339 timestamp (any offset; converted to UTC).
    pub fn parse(text: &str) -> Result<VersionDate, ExportError> {
        let original = text.trim();
        let invalid = || ExportError::InvalidDate(text.to_string());
        let utc = if original.len() == 10 {
            Date::parse(original, format_description!("[year]-[month]-[day]"))
                .map_err(|_| invalid())?
                .midnight()
                .assume_utc()
        } else {
            OffsetDateTime::parse(original, &Rfc3339)
                .map_err(|_| invalid())?
                .to_offset(UtcOffset::UTC)
        };
        if !(0..=9999).contains(&utc.year()) {
            return Err(invalid());
        }
        Ok(VersionDate {
            original: original.to_string(),
            day: ymd(utc.date()),
            timestamp: stix_timestamp(utc),
        })
    }
}

fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn stix_timestamp(t: OffsetDateTime) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        ymd(t.date()),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A STIX timestamp for a new version of an object last `modified` at
/// `previous`: `wanted` when it is later, else a millisecond after
/// `previous` (STIX orders an object's versions by `modified`, and a
/// version dated before the entry's own dates must still come after it).
pub(crate) fn after(wanted: &str, previous: &str) -> String {
    if wanted > previous {
        return wanted.to_string();
    }
    match OffsetDateTime::parse(previous, &Rfc3339) {
        Ok(t) => stix_timestamp((t + time::Duration::milliseconds(1)).to_offset(UtcOffset::UTC)),
        Err(_) => wanted.to_string(),
    }
}

/// A STIX timestamp (midnight UTC) for a model date `YYYY-MM-DD`; `None`
/// when the text is not a valid calendar date.
pub(crate) fn day_timestamp(day: &str) -> Option<String> {
    let d = Date::parse(day.trim(), format_description!("[year]-[month]-[day]")).ok()?;
    Some(format!("{}T00:00:00.000Z", ymd(d)))
}

/// A birth date as ISO 8601 / EDTF text: `1970-01-31`, `1970-01`, `1970`,
/// a range `1962/1963`, with `~` appended when approximate (`1970~`).
pub(crate) fn edtf(d: &BirthDate) -> String {
    let base = match d.value {
        DateValue::Exact { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
        DateValue::YearMonth { year, month } => format!("{year:04}-{month:02}"),
        DateValue::Year { year } => format!("{year:04}"),
        DateValue::Range { from, to } => format!("{from:04}/{to:04}"),
    };
    if d.approximate {
        format!("{base}~")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_day_is_midnight_utc() {
        let d = VersionDate::parse("2026-03-01").unwrap();
        assert_eq!(d.day, "2026-03-01");
        assert_eq!(d.timestamp, "2026-03-01T00:00:00.000Z");
        assert_eq!(d.original, "2026-03-01");
    }

    #[test]
    fn an_rfc3339_timestamp_is_converted_to_utc_with_milliseconds() {
        let d = VersionDate::parse("2026-03-01T02:30:00.5+05:00").unwrap();
        assert_eq!(d.timestamp, "2026-02-28T21:30:00.500Z");
        assert_eq!(d.day, "2026-02-28");
    }

    #[test]
    fn other_date_forms_are_invalid() {
        for bad in [
            "",
            "2026-02-30",
            "01/03/2026",
            "2026-03-01 10:00",
            "yesterday",
        ] {
            assert!(VersionDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn birth_dates_render_as_edtf() {
        let d = |value, approximate| BirthDate {
            value,
            original: String::new(),
            approximate,
        };
        assert_eq!(
            edtf(&d(
                DateValue::Exact {
                    year: 1970,
                    month: 1,
                    day: 2
                },
                false
            )),
            "1970-01-02"
        );
        assert_eq!(
            edtf(&d(
                DateValue::YearMonth {
                    year: 1973,
                    month: 11
                },
                false
            )),
            "1973-11"
        );
        assert_eq!(edtf(&d(DateValue::Year { year: 1961 }, true)), "1961~");
        assert_eq!(
            edtf(&d(
                DateValue::Range {
                    from: 1962,
                    to: 1963
                },
                false
            )),
            "1962/1963"
        );
    }

    #[test]
    fn a_new_version_is_dated_after_the_one_it_replaces() {
        let at = "2026-06-01T10:00:00.000Z";
        assert_eq!(after(at, "2026-05-01T00:00:00.000Z"), at);
        assert_eq!(after(at, at), "2026-06-01T10:00:00.001Z");
        assert_eq!(
            after(at, "2026-12-31T23:59:59.999Z"),
            "2027-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn model_days_become_stix_timestamps() {
        assert_eq!(
            day_timestamp("2001-10-06").as_deref(),
            Some("2001-10-06T00:00:00.000Z")
        );
        assert_eq!(day_timestamp("2001-13-06"), None);
    }
}
