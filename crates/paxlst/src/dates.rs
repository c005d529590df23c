//! EDIFACT date values (DTM formats 101, 102, 201, 203) and the century of
//! two-digit years.

use crate::model::{Date, DateTime, days_in_month};

/// How a two-digit year gets its century.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Century {
    /// 20YY: flight and preparation times, document expiry dates
    /// (future-leaning: a document that expired in 1930 is not a thing).
    Twentieth,
    /// The latest century that does not put the date after this day: a
    /// birth date is never after the flight.
    NotAfter(Date),
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

fn make_date(year: u16, month: u32, day: u32) -> Result<Date, String> {
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} does not exist"));
    }
    let month = month as u8;
    if day == 0 || day > u32::from(days_in_month(year, month)) {
        return Err(format!("day {day} does not exist in {year:04}-{month:02}"));
    }
    Ok(Date::new(year, month, day as u8).expect("checked above"))
}

fn two_digit(yy: u16, month: u32, day: u32, century: Century) -> Result<Date, String> {
    match century {
        Century::Twentieth => make_date(2000 + yy, month, day),
        Century::NotAfter(limit) => {
            let base = limit.year() / 100 * 100;
            // Try this century, then the one before (29 February may exist
            // in only one of them).
            let mut last_err = String::new();
            for year in [base + yy, (base + yy).saturating_sub(100)] {
                match make_date(year, month, day) {
                    Ok(d) if d <= limit => return Ok(d),
                    Ok(_) => last_err = format!("it would be after {limit}"),
                    Err(e) => last_err = e,
                }
            }
            Err(last_err)
        }
    }
}

/// Reads a DTM value. `format` is the DTM format code when sent; without
/// one the length decides (6: YYMMDD, 8: CCYYMMDD, 10: YYMMDDHHMM,
/// 12: CCYYMMDDHHMM).
pub fn parse_dtm(value: &str, format: Option<&str>, century: Century) -> Result<DateTime, String> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("only digits are allowed".into());
    }
    let expected = match format {
        None => value.len(),
        Some("101") => 6,
        Some("102") => 8,
        Some("201") => 10,
        Some("203") => 12,
        Some(other) => return Err(format!("date format {other} is not supported")),
    };
    if value.len() != expected || !matches!(expected, 6 | 8 | 10 | 12) {
        return Err(format!(
            "{} digits where {} are expected",
            value.len(),
            if format.is_some() {
                expected.to_string()
            } else {
                "6, 8, 10 or 12".to_string()
            }
        ));
    }
    let n = |r: std::ops::Range<usize>| digits(&value[r]).expect("all digits");
    let four = expected == 8 || expected == 12;
    let (date, rest) = if four {
        (make_date(n(0..4) as u16, n(4..6), n(6..8))?, &value[8..])
    } else {
        (
            two_digit(n(0..2) as u16, n(2..4), n(4..6), century)?,
            &value[6..],
        )
    };
    let time = if rest.is_empty() {
        None
    } else {
        let (h, m) = (
            n(value.len() - 4..value.len() - 2),
            n(value.len() - 2..value.len()),
        );
        if h > 23 || m > 59 {
            return Err(format!("time {h:02}:{m:02} does not exist"));
        }
        Some((h as u8, m as u8))
    };
    Ok(DateTime { date, time })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flight() -> Date {
        Date::new(2026, 1, 15).unwrap()
    }

    fn birth(v: &str) -> Result<String, String> {
        parse_dtm(v, None, Century::NotAfter(flight())).map(|d| d.to_string())
    }

    #[test]
    fn birth_century_is_the_latest_not_after_the_flight() {
        assert_eq!(birth("020611").unwrap(), "2002-06-11");
        assert_eq!(birth("910304").unwrap(), "1991-03-04");
        // Born on the flight day: this century; a day later: the last one.
        assert_eq!(birth("260115").unwrap(), "2026-01-15");
        assert_eq!(birth("260116").unwrap(), "1926-01-16");
    }

    #[test]
    fn leap_day_century_is_chosen_where_it_exists() {
        // 2000-02-29 exists; with a flight in 2026 it is chosen.
        assert_eq!(birth("000229").unwrap(), "2000-02-29");
        // 2024-02-29 is before the flight.
        assert_eq!(birth("240229").unwrap(), "2024-02-29");
        let early = Date::new(2001, 1, 1).unwrap();
        // 2000-02-29 is before 2001; 1900-02-29 never existed.
        assert!(parse_dtm("000229", None, Century::NotAfter(early)).is_ok());
        let before = Date::new(2000, 1, 1).unwrap();
        assert!(parse_dtm("000229", None, Century::NotAfter(before)).is_err());
    }

    #[test]
    fn impossible_dates_are_refused_with_a_reason() {
        assert!(birth("991332").unwrap_err().contains("month 13"));
        assert!(birth("990231").unwrap_err().contains("day 31"));
        assert!(birth("99013").is_err());
        assert!(birth("99O101").is_err());
    }

    #[test]
    fn formats_and_times() {
        let t = parse_dtm("2601151400", Some("201"), Century::Twentieth).unwrap();
        assert_eq!(t.to_string(), "2026-01-15T14:00");
        let t = parse_dtm("202601152105", Some("203"), Century::Twentieth).unwrap();
        assert_eq!(t.to_string(), "2026-01-15T21:05");
        assert_eq!(
            parse_dtm("19910304", None, Century::Twentieth)
                .unwrap()
                .to_string(),
            "1991-03-04"
        );
        assert!(parse_dtm("2601152460", Some("201"), Century::Twentieth).is_err());
        assert!(parse_dtm("260115", Some("201"), Century::Twentieth).is_err());
        assert_eq!(
            parse_dtm("300101", None, Century::Twentieth)
                .unwrap()
                .to_string(),
            "2030-01-01"
        );
    }
}
