//! The typed manifest: what a PAXLST interchange says, in message order.

use std::fmt;

use serde::{Serialize, Serializer};

/// A calendar date (proleptic Gregorian), validated on construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` of `year`, 0 for a month that does not exist.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date, or `None` when the month or day does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        (day >= 1 && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A local date and time as the message gives it (no time zone: PAXLST
/// times are local to the airport).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    pub date: Date,
    /// `None` when only a date was sent.
    pub time: Option<(u8, u8)>,
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.time {
            Some((h, m)) => write!(f, "{}T{h:02}:{m:02}", self.date),
            None => write!(f, "{}", self.date),
        }
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The whole interchange (UNB … UNZ).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub interchange: Interchange,
    /// In message order.
    pub messages: Vec<Message>,
}

impl Manifest {
    /// Every traveller of every message, in order, with its message.
    pub fn travellers(&self) -> impl Iterator<Item = (&Message, &Traveller)> {
        self.messages
            .iter()
            .flat_map(|m| m.travellers.iter().map(move |t| (m, t)))
    }
}

/// What the UNB header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interchange {
    /// Syntax identifier and version, e.g. `UNOA` and `4`.
    pub syntax: String,
    pub syntax_version: Option<String>,
    pub sender: String,
    pub recipient: String,
    /// Date and time of preparation, `YYMMDD:HHMM` read with century 20.
    pub prepared: Option<DateTime>,
    pub control_reference: String,
    /// Number of functional groups (UNG … UNE); 0 when messages are bare.
    pub groups: usize,
}

/// Passenger or crew list (BGM 745 / 250).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Passengers,
    Crew,
}

/// One UNH … UNT message: one flight and its travellers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// The UNH message reference.
    pub reference: String,
    /// Directory version, e.g. `D:05B`.
    pub version: String,
    /// UNH common access reference (often flight/date/time), if any.
    pub access_reference: Option<String>,
    pub kind: ListKind,
    /// RFF+TN.
    pub transaction_reference: Option<String>,
    /// NAD+MS party name.
    pub reporting_party: Option<String>,
    pub flight: Flight,
    /// In message order; [`Traveller::number`] is the position from 1.
    pub travellers: Vec<Traveller>,
}

/// The flight (TDT and its legs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flight {
    /// Carrier code and flight number as sent (`XA123`).
    pub number: String,
    /// The carrier element of TDT, if sent.
    pub carrier: Option<String>,
    /// At least one.
    pub legs: Vec<Leg>,
    /// LOC+130.
    pub final_destination: Option<String>,
}

impl Flight {
    /// The date birth-date centuries are inferred from: the first
    /// departure time, else the first arrival time.
    pub fn date(&self) -> Option<Date> {
        flight_date(&self.legs)
    }
}

pub(crate) fn flight_date(legs: &[Leg]) -> Option<Date> {
    legs.iter()
        .find_map(|l| l.departure_time.or(l.arrival_time))
        .map(|t| t.date)
}

/// One leg: a departure place and the next arrival place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leg {
    pub departure: String,
    pub arrival: String,
    pub departure_time: Option<DateTime>,
    pub arrival_time: Option<DateTime>,
}

/// NAD+FL (passenger), NAD+FM (crew), NAD+DDT / NAD+DDU (in transit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TravellerKind {
    Passenger,
    Crew,
    TransitPassenger,
    TransitCrew,
}

impl TravellerKind {
    pub fn is_crew(self) -> bool {
        matches!(self, TravellerKind::Crew | TravellerKind::TransitCrew)
    }
}

/// ATT+2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Gender {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    /// `U` (unknown) or `X` (unspecified, ICAO 9303).
    #[serde(rename = "U")]
    Unspecified,
}

/// An RFF segment: qualifier (AVF, ABO, SEA, …) and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub qualifier: String,
    pub value: String,
}

/// One traveller (group 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traveller {
    /// Position in the message, from 1.
    pub number: u32,
    pub kind: TravellerKind,
    /// As read (upper-case Latin in a conforming message), never empty.
    pub surname: String,
    pub given: Option<String>,
    /// The third name component, and any further ones joined with a space.
    pub middle: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<Date>,
    /// NAT+2, ISO 3166 alpha-3 as sent.
    pub nationality: Option<String>,
    /// LOC+174.
    pub residence: Option<String>,
    /// LOC+180.
    pub birth_place: Option<String>,
    /// LOC+178.
    pub embarkation: Option<String>,
    /// LOC+179.
    pub debarkation: Option<String>,
    /// LOC+22.
    pub first_arrival: Option<String>,
    pub references: Vec<Reference>,
    pub documents: Vec<Document>,
}

impl Traveller {
    /// "GIVEN MIDDLE SURNAME", the order the engine reads best.
    pub fn full_name(&self) -> String {
        let mut s = String::with_capacity(self.surname.len() + 24);
        for part in [self.given.as_deref(), self.middle.as_deref()]
            .into_iter()
            .flatten()
        {
            s.push_str(part);
            s.push(' ');
        }
        s.push_str(&self.surname);
        s
    }
}

/// One travel document (group 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// P passport, V visa, I/A/C identity card, AC crew certificate, …
    pub kind: String,
    pub number: String,
    /// DTM+36, read with century 20.
    pub expiry: Option<Date>,
    /// LOC+91.
    pub issuing_country: Option<String>,
}
