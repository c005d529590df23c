//! Focal points: the persons responsible for countering violent extremism in
//! each member ("identify relevant persons responsible for countering
//! extremism in each country in the region").

use serde::{Deserialize, Serialize};
use time::Date;

use crate::member::MemberCode;
use crate::validation::{Collector, Invalid, text};

/// A focal point not confirmed for this long is flagged as stale.
pub const STALE_AFTER_DAYS: i64 = 365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocalPoint {
    pub id: i64,
    pub member: MemberCode,
    #[serde(flatten)]
    pub details: FocalPointInput,
    /// Incremented on every edit; an edit must name the version it started from.
    pub version: i64,
}

impl FocalPoint {
    pub fn is_stale(&self, today: Date) -> bool {
        is_stale(self.details.last_verified, today)
    }
}

/// The editable fields of a focal point, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocalPointInput {
    pub name: String,
    pub title: String,
    pub agency: String,
    /// Languages the person works in, e.g. "kk, ru, en".
    pub languages: String,
    pub email: String,
    pub phone: String,
    /// When the member last confirmed the entry is correct.
    #[serde(with = "iso_date")]
    pub last_verified: Date,
}

/// Raw form or JSON fields, all text, as a user typed them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FocalPointForm {
    pub name: String,
    pub title: String,
    pub agency: String,
    pub languages: String,
    pub email: String,
    pub phone: String,
    pub last_verified: String,
}

impl FocalPointForm {
    /// Validates every field; `today` bounds the verification date.
    pub fn parse(&self, today: Date) -> Result<FocalPointInput, Invalid> {
        let mut c = Collector::default();
        let name = c.check(crate::validation::name("name", &self.name, true, 200));
        let title = c.check(text("title", &self.title, false, 200));
        let agency = c.check(text("agency", &self.agency, false, 200));
        let languages = c.check(text("languages", &self.languages, false, 100));
        let email = c.check(parse_email(&self.email));
        let phone = c.check(parse_phone(&self.phone));
        let last_verified = if self.last_verified.trim().is_empty() {
            Some(today)
        } else {
            c.check(parse_date("last_verified", &self.last_verified))
        };
        if let Some(d) = last_verified
            && d > today
        {
            c.push("last_verified", "cannot be in the future");
        }
        c.finish()?;
        Ok(FocalPointInput {
            name: name.expect("checked"),
            title: title.expect("checked"),
            agency: agency.expect("checked"),
            languages: languages.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            last_verified: last_verified.expect("checked"),
        })
    }
}

pub fn is_stale(last_verified: Date, today: Date) -> bool {
    (today - last_verified).whole_days() > STALE_AFTER_DAYS
}

/// Parses an ISO 8601 calendar date (YYYY-MM-DD).
pub fn parse_date(field: &str, raw: &str) -> Result<Date, Invalid> {
    Date::parse(raw.trim(), iso_date::FORMAT)
        .map_err(|_| Invalid::field(field, "must be a date as YYYY-MM-DD"))
}

fn parse_email(raw: &str) -> Result<String, Invalid> {
    let v = text("email", raw, false, 254)?;
    if v.is_empty() {
        return Ok(v);
    }
    let valid = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !v.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(v)
    } else {
        Err(Invalid::field("email", "is not an e-mail address"))
    }
}

fn parse_phone(raw: &str) -> Result<String, Invalid> {
    let v = text("phone", raw, false, 40)?;
    let valid = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    if valid {
        Ok(v)
    } else {
        Err(Invalid::field(
            "phone",
            "may hold only digits, spaces and + - ( ) .",
        ))
    }
}

/// Serde and parsing for `YYYY-MM-DD` dates.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::format_description::FormatItem;
    use time::macros::format_description;

    pub const FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s, FORMAT).map_err(serde::de::Error::custom)
    }

    pub fn format(d: Date) -> String {
        d.format(FORMAT).expect("a calendar date always formats")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn form() -> FocalPointForm {
        FocalPointForm {
            name: "Aigerim Nurlanovna".into(),
            title: "Head of division".into(),
            agency: "Ministry of Foreign Affairs".into(),
            languages: "kk, ru, en".into(),
            email: "a.nurlanovna@mfa.example".into(),
            phone: "+7 7172 00 00 00".into(),
            last_verified: "2026-01-15".into(),
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let fp = form().parse(date!(2026 - 11 - 27)).unwrap();
        assert_eq!(fp.last_verified, date!(2026 - 01 - 15));
    }

    #[test]
    fn missing_verification_date_means_today() {
        let mut f = form();
        f.last_verified = String::new();
        assert_eq!(
            f.parse(date!(2026 - 11 - 27)).unwrap().last_verified,
            date!(2026 - 11 - 27)
        );
    }

    #[test]
    fn errors_name_each_bad_field() {
        let f = FocalPointForm {
            name: " ".into(),
            email: "not-an-address".into(),
            phone: "call me".into(),
            last_verified: "15/01/2026".into(),
            ..form()
        };
        let e = f.parse(date!(2026 - 11 - 27)).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone", "last_verified"]);
    }

    #[test]
    fn a_name_with_a_direction_override_is_refused() {
        let f = FocalPointForm {
            name: "Aigerim \u{202E}avonlruN".into(),
            ..form()
        };
        let e = f.parse(date!(2026 - 11 - 27)).unwrap_err();
        assert_eq!(e.errors[0].field, "name");
    }

    #[test]
    fn verification_in_the_future_is_refused() {
        let mut f = form();
        f.last_verified = "2027-01-01".into();
        assert!(f.parse(date!(2026 - 11 - 27)).is_err());
    }

    #[test]
    fn entries_older_than_a_year_are_stale() {
        assert!(!is_stale(date!(2025 - 11 - 27), date!(2026 - 11 - 27)));
        assert!(is_stale(date!(2025 - 11 - 26), date!(2026 - 11 - 27)));
    }
}
