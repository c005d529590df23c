//! # accord-paxlst — Advance Passenger Information (UN/EDIFACT PAXLST)
//!
//! A parser of the air API subset of PAXLST: the UNA service string advice,
//! the UNB/UNG/UNH…UNT/UNE/UNZ envelopes with their control counts checked,
//! BGM (745 passengers, 250 crew), the flight (TDT and its legs) and each
//! traveller with their documents. Pure: bytes in, a typed [`Manifest`]
//! (plus [`Warning`]s for what was tolerated) or a [`ParseError`] naming
//! the segment out. See the crate README for the subset and the rules.
//!
//! ```
//! let edi = accord_paxlst::builder::ManifestBuilder::example().build();
//! let parsed = accord_paxlst::parse(edi.as_bytes()).unwrap();
//! let message = &parsed.manifest.messages[0];
//! assert_eq!(message.flight.number, "XA123");
//! assert_eq!(message.travellers[1].full_name(), "MARY O'SAMPLE");
//! assert_eq!(message.travellers[1].birth_date.unwrap().to_string(), "2002-06-11");
//! ```

pub mod builder;
pub mod dates;
pub mod error;
pub mod model;
pub mod parse;
pub mod syntax;

pub use error::{Count, ErrorKind, ParseError, Position, Warning};
pub use model::{
    Date, DateTime, Document, Flight, Gender, Interchange, Leg, ListKind, Manifest, Message,
    Reference, Traveller, TravellerKind,
};
pub use parse::{DEFAULT_MAX_BYTES, Limits, Parsed, parse, parse_with};
pub use syntax::Separators;
