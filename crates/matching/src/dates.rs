//! Birth dates as lists give them: a day, a month, a year, a range of years
//! or "circa" a year; and how well a query date agrees with them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateSpec {
    Day { year: i32, month: u8, day: u8 },
    Month { year: i32, month: u8 },
    Year(i32),
    YearRange(i32, i32),
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_of(word: &str) -> Option<u8> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| w.starts_with(m))
        .map(|i| i as u8 + 1)
}

fn plausible_year(y: i32) -> bool {
    (1800..=2100).contains(&y)
}

fn day_valid(month: u8, day: u8) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

impl DateSpec {
    /// Parses "1970-01-31", "1970-01", "1970", "31 Jan 1970", "31.01.1970",
    /// "31/01/1970", "Jan 1970", "1968-1970", "1968 to 1970", "circa 1970",
    /// "approximately 1970". Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<DateSpec> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
            return None;
        }
        let lower = s.to_ascii_lowercase();
        for p in [
            "circa",
            "ca.",
            "approximately",
            "approx.",
            "approx",
            "about",
            "c.",
        ] {
            if let Some(rest) = lower.strip_prefix(p) {
                return match DateSpec::parse(rest)? {
                    DateSpec::Year(y) => Some(DateSpec::YearRange(y - 1, y + 1)),
                    other => Some(other),
                };
            }
        }
        let parts: Vec<&str> = lower
            .split(|c: char| c == '-' || c == '/' || c == '.' || c.is_whitespace() || c == ',')
            .filter(|p| !p.is_empty() && *p != "to")
            .collect();
        let num = |p: &str| -> Option<i32> {
            if p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        };
        match parts.as_slice() {
            [y] => num(y).filter(|y| plausible_year(*y)).map(DateSpec::Year),
            [a, b] => {
                if let (Some(a), Some(b)) = (num(a), num(b)) {
                    if plausible_year(a) && plausible_year(b) && a <= b {
                        return Some(DateSpec::YearRange(a, b));
                    }
                    if plausible_year(a) && (1..=12).contains(&b) {
                        return Some(DateSpec::Month {
                            year: a,
                            month: b as u8,
                        });
                    }
                    if plausible_year(b) && (1..=12).contains(&a) {
                        return Some(DateSpec::Month {
                            year: b,
                            month: a as u8,
                        });
                    }
                    return None;
                }
                let m = month_of(a)?;
                let y = num(b).filter(|y| plausible_year(*y))?;
                Some(DateSpec::Month { year: y, month: m })
            }
            [a, b, c] => {
                let (y, m, d) = if let (Some(y), true) = (num(a), a.len() == 4) {
                    (y, num(b).map(|m| m as u8).or_else(|| month_of(b))?, num(c)?)
                } else if let Some(m) = month_of(b) {
                    (num(c)?, m, num(a)?)
                } else if let Some(m) = month_of(a) {
                    (num(c)?, m, num(b)?)
                } else {
                    (num(c)?, num(b)? as u8, num(a)?)
                };
                let d = u8::try_from(d).ok()?;
                if plausible_year(y) && day_valid(m, d) {
                    Some(DateSpec::Day {
                        year: y,
                        month: m,
                        day: d,
                    })
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn years(&self) -> (i32, i32) {
        match *self {
            DateSpec::Day { year, .. } | DateSpec::Month { year, .. } | DateSpec::Year(year) => {
                (year, year)
            }
            DateSpec::YearRange(a, b) => (a, b),
        }
    }
}

impl std::fmt::Display for DateSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateSpec::Day { year, month, day } => write!(f, "{year:04}-{month:02}-{day:02}"),
            DateSpec::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            DateSpec::Year(y) => write!(f, "{y:04}"),
            DateSpec::YearRange(a, b) => write!(f, "{a:04}-{b:04}"),
        }
    }
}

/// How a query date relates to a list date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateAgreement {
    /// Same day.
    SameDay,
    /// Same month, or same year where one side gives only the year.
    SameYear,
    /// Within a listed range, or one year apart (lists often disagree by one).
    Close,
    /// Same year, but a different day or month.
    SameYearDifferentDay,
    /// Different years.
    Different,
}

/// Compares a query date with one list date.
pub fn agree(q: &DateSpec, r: &DateSpec) -> DateAgreement {
    use DateSpec::*;
    match (q, r) {
        (
            Day {
                year: y1,
                month: m1,
                day: d1,
            },
            Day {
                year: y2,
                month: m2,
                day: d2,
            },
        ) => {
            if y1 == y2 && m1 == m2 && d1 == d2 {
                DateAgreement::SameDay
            } else if y1 == y2 {
                DateAgreement::SameYearDifferentDay
            } else if m1 == m2 && d1 == d2 && (y1 - y2).abs() <= 1 {
                DateAgreement::Close
            } else {
                DateAgreement::Different
            }
        }
        _ => {
            let (qa, qb) = q.years();
            let (ra, rb) = r.years();
            if qa == ra && qb == rb && qa == qb {
                if let (Some(m1), Some(m2)) = (month(q), month(r))
                    && m1 != m2
                {
                    return DateAgreement::SameYearDifferentDay;
                }
                DateAgreement::SameYear
            } else if (qa <= rb && ra <= qb) || (qa - rb).abs() <= 1 || (ra - qb).abs() <= 1 {
                DateAgreement::Close
            } else {
                DateAgreement::Different
            }
        }
    }
}

fn month(d: &DateSpec) -> Option<u8> {
    match *d {
        DateSpec::Day { month, .. } | DateSpec::Month { month, .. } => Some(month),
        _ => None,
    }
}

/// Best agreement of a query date with any of a record's dates.
pub fn best_agreement(q: &DateSpec, dates: &[DateSpec]) -> Option<DateAgreement> {
    dates.iter().map(|r| agree(q, r)).min_by_key(|a| match a {
        DateAgreement::SameDay => 0,
        DateAgreement::SameYear => 1,
        DateAgreement::Close => 2,
        DateAgreement::SameYearDifferentDay => 3,
        DateAgreement::Different => 4,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_formats_lists_use() {
        assert_eq!(
            DateSpec::parse("1970-01-31"),
            Some(DateSpec::Day {
                year: 1970,
                month: 1,
                day: 31
            })
        );
        assert_eq!(
            DateSpec::parse("31 Jan 1970"),
            Some(DateSpec::Day {
                year: 1970,
                month: 1,
                day: 31
            })
        );
        assert_eq!(
            DateSpec::parse("1970-01"),
            Some(DateSpec::Month {
                year: 1970,
                month: 1
            })
        );
        assert_eq!(DateSpec::parse("1970"), Some(DateSpec::Year(1970)));
        assert_eq!(
            DateSpec::parse("1968-1970"),
            Some(DateSpec::YearRange(1968, 1970))
        );
        assert_eq!(
            DateSpec::parse("circa 1970"),
            Some(DateSpec::YearRange(1969, 1971))
        );
        assert_eq!(
            DateSpec::parse("31.01.1970"),
            Some(DateSpec::Day {
                year: 1970,
                month: 1,
                day: 31
            })
        );
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        assert_eq!(DateSpec::parse(""), None);
        assert_eq!(DateSpec::parse("yesterday"), None);
        assert_eq!(DateSpec::parse("1970-13-01"), None);
        assert_eq!(DateSpec::parse("99999"), None);
    }

    #[test]
    fn year_inside_a_range_is_close() {
        assert_eq!(
            agree(&DateSpec::Year(1969), &DateSpec::YearRange(1968, 1970)),
            DateAgreement::Close
        );
        assert_eq!(
            agree(&DateSpec::Year(1950), &DateSpec::Year(1970)),
            DateAgreement::Different
        );
    }
}
