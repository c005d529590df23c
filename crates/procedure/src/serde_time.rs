//! Human-readable serde formats for the `time` types used in rules and proposals.
//!
//! The workspace enables `time`'s `serde` feature without `serde-human-readable`
//! (turning that on here would silently change other crates' formats through
//! feature unification), so rules would otherwise store dates as
//! `(year, ordinal)` tuples. A secretariat editing a rule file should read
//! `"2025-12-25"`, `"15:00"` and `"-05:00"` instead.

use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

const DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");

// Single values use `time`'s own serde modules; `time::serde` has nothing for
// a list of dates or for weekday names, so `dates` and `weekdays` stay below.
time::serde::format_description!(pub date, Date, "[year]-[month]-[day]");
time::serde::format_description!(pub clock, Time, "[hour]:[minute]");
time::serde::format_description!(
    pub offset,
    UtcOffset,
    "[offset_hour sign:mandatory]:[offset_minute]"
);

pub mod dates {
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(values: &[Date], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(values.len()))?;
        for value in values {
            let text = value.format(DATE).map_err(serde::ser::Error::custom)?;
            seq.serialize_element(&text)?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Date>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| {
                Date::parse(text, DATE).map_err(|e| D::Error::custom(format!("date {text:?}: {e}")))
            })
            .collect()
    }
}

/// Weekdays as lower-case English names ("friday"), not `time`'s numbers,
/// so a calendar reads the same to every secretariat.
pub mod weekdays {
    use super::*;
    use serde::ser::SerializeSeq;
    use time::Weekday;

    const NAMES: [(Weekday, &str); 7] = [
        (Weekday::Monday, "monday"),
        (Weekday::Tuesday, "tuesday"),
        (Weekday::Wednesday, "wednesday"),
        (Weekday::Thursday, "thursday"),
        (Weekday::Friday, "friday"),
        (Weekday::Saturday, "saturday"),
        (Weekday::Sunday, "sunday"),
    ];

    pub fn serialize<S: Serializer>(values: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(values.len()))?;
        for value in values {
            let name = NAMES.iter().find(|(day, _)| day == value).map(|(_, n)| *n);
            seq.serialize_element(&name)?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| {
                let wanted = text.trim().to_ascii_lowercase();
                NAMES
                    .iter()
                    .find(|(_, name)| *name == wanted)
                    .map(|(day, _)| *day)
                    .ok_or_else(|| D::Error::custom(format!("{text:?} is not a weekday name")))
            })
            .collect()
    }
}
