//! Calendar arithmetic for procedural periods: working days, holidays, the
//! deadline's time zone and time of day.
//!
//! Every period ends at the rule's deadline time of day (for example 15:00 in
//! New York) on a local date, so members can be told one wall-clock moment
//! ("Thursday 12 March, 15:00 New York") whatever their own zone.
//!
//! Time zones are modelled as a standard UTC offset plus explicit summer-time
//! date ranges, not as a tz database: the engine must give the same answer on
//! every node forever, and an upgraded tz database could silently move a
//! deadline that was already announced. A secretariat that needs summer time
//! lists its date ranges in the rule (see [`DeadlineZone::new_york`]).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use crate::serde_time;

/// Which days count as working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Days that are never working days, e.g. Saturday and Sunday in New York,
    /// Friday and Saturday in Kabul.
    #[serde(with = "serde_time::weekdays")]
    pub weekend: Vec<Weekday>,
    /// Days off on top of the weekend. A holiday that falls on a weekend
    /// changes nothing; a substitute day off must be listed itself.
    #[serde(with = "serde_time::dates", default)]
    pub holidays: Vec<Date>,
}

impl Calendar {
    /// Saturday and Sunday off, no holidays.
    pub fn saturday_sunday() -> Calendar {
        Calendar {
            weekend: vec![Weekday::Saturday, Weekday::Sunday],
            holidays: Vec::new(),
        }
    }

    pub fn with_holidays(mut self, holidays: impl IntoIterator<Item = Date>) -> Calendar {
        self.holidays.extend(holidays);
        self
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        !self.weekend.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// A calendar with at least one working day a week; without one, no
    /// working-day period could ever end.
    pub fn has_working_days(&self) -> bool {
        let all = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        all.iter().any(|day| !self.weekend.contains(day))
    }
}

/// The `n`-th working day strictly after `start` ("ten full working days":
/// the day a proposal is circulated does not count). With `n == 0`, `start`
/// itself. Saturates at the last representable date rather than panicking.
pub fn add(start: Date, n: u32, calendar: &Calendar) -> Date {
    if !calendar.has_working_days() {
        return Date::MAX;
    }
    let mut date = start;
    let mut counted = 0;
    while counted < n {
        match date.next_day() {
            Some(next) => date = next,
            None => return Date::MAX,
        }
        if calendar.is_working_day(date) {
            counted += 1;
        }
    }
    date
}

/// The working day `n` working days before `end` (so that `add(result, n)
/// == end` when `end` is a working day). Saturates at the first date.
pub fn sub(end: Date, n: u32, calendar: &Calendar) -> Date {
    if !calendar.has_working_days() {
        return Date::MIN;
    }
    let mut date = end;
    let mut counted = 0;
    while counted < n {
        match date.previous_day() {
            Some(previous) => date = previous,
            None => return Date::MIN,
        }
        if calendar.is_working_day(date) {
            counted += 1;
        }
    }
    date
}

/// How many working days lie after `from` up to and including `to`; zero when
/// `to` is not after `from`. The inverse of [`add`]: `between(d, add(d, n)) == n`.
pub fn between(from: Date, to: Date, calendar: &Calendar) -> u32 {
    let mut count = 0;
    let mut date = from;
    while date < to {
        match date.next_day() {
            Some(next) => date = next,
            None => break,
        }
        if calendar.is_working_day(date) {
            count += 1;
        }
    }
    count
}

/// The same day `months` later, clamped to the end of a shorter month
/// (31 August + 6 months = 28 or 29 February).
pub fn add_months(date: Date, months: u32) -> Date {
    let zero_based = date.month() as i64 - 1 + months as i64;
    let year = date.year() as i64 + zero_based.div_euclid(12);
    let Ok(year) = i32::try_from(year) else {
        return Date::MAX;
    };
    let month = Month::try_from((zero_based.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// The length of a procedural period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Working days under the rule's calendar, not counting the starting day.
    WorkingDays(u32),
    /// Calendar days, e.g. the 60 days of a delisting recommendation.
    Days(u32),
    /// Calendar months, e.g. a six-month hold.
    Months(u32),
}

impl Span {
    /// The local date this span ends on when it starts on `start`.
    pub fn end_date(self, start: Date, calendar: &Calendar) -> Date {
        match self {
            Span::WorkingDays(n) => add(start, n, calendar),
            Span::Days(n) => start.saturating_add(Duration::days(n as i64)),
            Span::Months(n) => add_months(start, n),
        }
    }

    /// Roughly ten years or more: longer than any procedure could mean, and
    /// a sign of a typo in the rule.
    pub fn is_unreasonably_long(self) -> bool {
        match self {
            Span::WorkingDays(n) => n > 2_600,
            Span::Days(n) => n > 3_660,
            Span::Months(n) => n > 120,
        }
    }

    pub fn is_zero(self) -> bool {
        matches!(self, Span::WorkingDays(0) | Span::Days(0) | Span::Months(0))
    }
}

/// A stretch of dates, `from` inclusive to `until` exclusive, on which a
/// different UTC offset applies (summer time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetPeriod {
    #[serde(with = "serde_time::date")]
    pub from: Date,
    #[serde(with = "serde_time::date")]
    pub until: Date,
    #[serde(with = "serde_time::offset")]
    pub utc_offset: UtcOffset,
}

/// Where and when deadlines fall: a wall-clock time in one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineZone {
    /// Shown to members next to every deadline, e.g. "New York".
    pub label: String,
    #[serde(with = "serde_time::offset")]
    pub standard_offset: UtcOffset,
    /// Date ranges with another offset. Outside them the standard offset
    /// applies; summer time is therefore only as good as this list.
    #[serde(default)]
    pub summer_time: Vec<OffsetPeriod>,
    /// The wall-clock time at which every period ends.
    #[serde(with = "serde_time::clock")]
    pub deadline_time: Time,
}

impl DeadlineZone {
    /// A zone with one fixed offset all year.
    pub fn fixed(label: &str, offset: UtcOffset, deadline_time: Time) -> DeadlineZone {
        DeadlineZone {
            label: label.to_owned(),
            standard_offset: offset,
            summer_time: Vec::new(),
            deadline_time,
        }
    }

    /// New York (UTC-5, UTC-4 in summer) with United States summer time for
    /// the given years: from the second Sunday of March to the first Sunday of
    /// November (the rule in force since 2007). The switch happens at 02:00,
    /// long before any deadline hour, so whole dates are exact enough.
    pub fn new_york(deadline_time: Time, years: std::ops::RangeInclusive<i32>) -> DeadlineZone {
        let summer_time = years
            .filter_map(|year| {
                Some(OffsetPeriod {
                    from: nth_sunday(year, Month::March, 2)?,
                    until: nth_sunday(year, Month::November, 1)?,
                    utc_offset: UtcOffset::from_hms(-4, 0, 0).ok()?,
                })
            })
            .collect();
        DeadlineZone {
            label: "New York".to_owned(),
            standard_offset: UtcOffset::from_hms(-5, 0, 0).unwrap_or(UtcOffset::UTC),
            summer_time,
            deadline_time,
        }
    }

    /// The offset in force on a local date.
    pub fn offset_on(&self, date: Date) -> UtcOffset {
        self.summer_time
            .iter()
            .find(|period| period.from <= date && date < period.until)
            .map_or(self.standard_offset, |period| period.utc_offset)
    }

    /// The local date of an instant in this zone.
    pub fn local_date(&self, instant: OffsetDateTime) -> Date {
        // Look the date up with the standard offset first, then correct with
        // the offset of that date; off only within an hour of midnight on a
        // switch day, and switches happen at night on weekends.
        let in_offset = |offset| instant.checked_to_offset(offset).map(|t| t.date());
        let guess = in_offset(self.standard_offset).unwrap_or(instant.date());
        in_offset(self.offset_on(guess)).unwrap_or(guess)
    }

    /// The local wall-clock time of an instant (for messages).
    pub fn local(&self, instant: OffsetDateTime) -> OffsetDateTime {
        let offset = self.offset_on(self.local_date(instant));
        instant.checked_to_offset(offset).unwrap_or(instant)
    }

    /// The deadline instant on a local date, in UTC (in the local offset at
    /// the very end of the calendar, where UTC cannot be represented).
    pub fn deadline_on(&self, date: Date) -> OffsetDateTime {
        let local =
            PrimitiveDateTime::new(date, self.deadline_time).assume_offset(self.offset_on(date));
        local.checked_to_offset(UtcOffset::UTC).unwrap_or(local)
    }
}

/// When a period of `span` that starts at `start` ends: the deadline time on
/// the local date `span` after the local date of `start`.
pub fn deadline_after(
    start: OffsetDateTime,
    span: Span,
    calendar: &Calendar,
    zone: &DeadlineZone,
) -> OffsetDateTime {
    zone.deadline_on(span.end_date(zone.local_date(start), calendar))
}

fn nth_sunday(year: i32, month: Month, n: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let to_sunday = first.weekday().number_days_from_sunday();
    let first_sunday = first.day() + (7 - to_sunday) % 7;
    Date::from_calendar_date(year, month, first_sunday + 7 * (n - 1)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn holidays_2025() -> Calendar {
        Calendar::saturday_sunday().with_holidays([
            date!(2025 - 12 - 25),
            date!(2026 - 01 - 01),
            date!(2025 - 11 - 27),
        ])
    }

    #[test]
    fn the_starting_day_does_not_count() {
        // Monday + 1 working day = Tuesday.
        assert_eq!(
            add(date!(2025 - 03 - 03), 1, &Calendar::saturday_sunday()),
            date!(2025 - 03 - 04)
        );
    }

    #[test]
    fn ten_working_days_span_two_weekends() {
        // Wednesday 5 March 2025 + 10 working days = Wednesday 19 March.
        assert_eq!(
            add(date!(2025 - 03 - 05), 10, &Calendar::saturday_sunday()),
            date!(2025 - 03 - 19)
        );
    }

    #[test]
    fn a_period_started_on_a_weekend_counts_from_monday() {
        // Saturday + 1 = Monday, Sunday + 5 = Friday.
        let cal = Calendar::saturday_sunday();
        assert_eq!(add(date!(2025 - 03 - 08), 1, &cal), date!(2025 - 03 - 10));
        assert_eq!(add(date!(2025 - 03 - 09), 5, &cal), date!(2025 - 03 - 14));
    }

    #[test]
    fn holidays_are_skipped_across_the_year_end() {
        // Monday 22 Dec 2025 + 5: 23, 24, (25 off), 26, 29, 30 -> 30 Dec.
        assert_eq!(
            add(date!(2025 - 12 - 22), 5, &holidays_2025()),
            date!(2025 - 12 - 30)
        );
        // + 7: 31, (1 Jan off), 2 Jan -> Friday 2 Jan 2026.
        assert_eq!(
            add(date!(2025 - 12 - 22), 7, &holidays_2025()),
            date!(2026 - 01 - 02)
        );
    }

    #[test]
    fn a_friday_saturday_weekend_is_respected() {
        let kabul = Calendar {
            weekend: vec![Weekday::Friday, Weekday::Saturday],
            holidays: vec![],
        };
        // Thursday + 1 = Sunday.
        assert_eq!(add(date!(2025 - 03 - 06), 1, &kabul), date!(2025 - 03 - 09));
    }

    #[test]
    fn between_inverts_add() {
        let cal = holidays_2025();
        let start = date!(2025 - 11 - 20);
        for n in 0..40 {
            assert_eq!(between(start, add(start, n, &cal), &cal), n);
        }
        assert_eq!(
            between(date!(2025 - 03 - 05), date!(2025 - 03 - 01), &cal),
            0
        );
    }

    #[test]
    fn sub_inverts_add_on_working_days() {
        let cal = holidays_2025();
        let end = date!(2026 - 01 - 05);
        for n in 0..30 {
            assert_eq!(add(sub(end, n, &cal), n, &cal), end);
        }
        // Two working days before Friday 2 January 2026: 30 December.
        assert_eq!(sub(date!(2026 - 01 - 02), 2, &cal), date!(2025 - 12 - 30));
    }

    #[test]
    fn a_calendar_without_working_days_never_ends_rather_than_looping() {
        let never = Calendar {
            weekend: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            holidays: vec![],
        };
        assert_eq!(add(date!(2025 - 03 - 05), 3, &never), Date::MAX);
    }

    #[test]
    fn months_clamp_to_the_end_of_shorter_months() {
        assert_eq!(add_months(date!(2025 - 08 - 31), 6), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2023 - 08 - 31), 6), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2025 - 10 - 15), 3), date!(2026 - 01 - 15));
        assert_eq!(add_months(date!(2025 - 01 - 15), 0), date!(2025 - 01 - 15));
    }

    #[test]
    fn new_york_summer_time_moves_the_utc_deadline() {
        let ny = DeadlineZone::new_york(time!(15:00), 2025..=2026);
        // 2025: summer time from 9 March to 2 November.
        assert_eq!(
            ny.deadline_on(date!(2025 - 03 - 07)),
            datetime!(2025-03-07 20:00 UTC)
        );
        assert_eq!(
            ny.deadline_on(date!(2025 - 03 - 10)),
            datetime!(2025-03-10 19:00 UTC)
        );
        assert_eq!(
            ny.deadline_on(date!(2025 - 11 - 01)),
            datetime!(2025-11-01 19:00 UTC)
        );
        assert_eq!(
            ny.deadline_on(date!(2025 - 11 - 03)),
            datetime!(2025-11-03 20:00 UTC)
        );
    }

    #[test]
    fn the_local_date_is_taken_in_the_deadline_zone() {
        let ny = DeadlineZone::fixed(
            "New York",
            UtcOffset::from_hms(-5, 0, 0).unwrap(),
            time!(15:00),
        );
        // 02:00 UTC on Tuesday is still Monday evening in New York.
        assert_eq!(
            ny.local_date(datetime!(2025-03-04 02:00 UTC)),
            date!(2025 - 03 - 03)
        );
        let deadline = deadline_after(
            datetime!(2025-03-04 02:00 UTC),
            Span::WorkingDays(1),
            &Calendar::saturday_sunday(),
            &ny,
        );
        assert_eq!(deadline, datetime!(2025-03-04 20:00 UTC));
    }

    #[test]
    fn calendar_reads_as_names_and_iso_dates() {
        let json = serde_json::to_string(&holidays_2025()).unwrap();
        assert_eq!(
            json,
            r#"{"weekend":["saturday","sunday"],"holidays":["2025-12-25","2026-01-01","2025-11-27"]}"#
        );
        let back: Calendar = serde_json::from_str(&json).unwrap();
        assert_eq!(back, holidays_2025());
    }

    #[test]
    fn deadline_zone_json_keeps_dates_clock_and_signed_offsets() {
        let zone = DeadlineZone {
            label: "New York".into(),
            standard_offset: time::macros::offset!(-05:00),
            summer_time: vec![OffsetPeriod {
                from: date!(2026 - 03 - 08),
                until: date!(2026 - 11 - 01),
                utc_offset: time::macros::offset!(-04:00),
            }],
            deadline_time: time!(15:00),
        };
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(
            json,
            r#"{"label":"New York","standard_offset":"-05:00","summer_time":[{"from":"2026-03-08","until":"2026-11-01","utc_offset":"-04:00"}],"deadline_time":"15:00"}"#
        );
        assert_eq!(serde_json::from_str::<DeadlineZone>(&json).unwrap(), zone);
        assert!(serde_json::from_str::<DeadlineZone>(&json.replace("-05:00", "05:00")).is_err());
    }
}
