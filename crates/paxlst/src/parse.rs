//! Segments → [`Manifest`]: envelopes and their control counts, then the
//! PAXLST message body as a small state machine (header, flight,
//! travellers, summary).

use std::borrow::Cow;

use crate::dates::{Century, parse_dtm};
use crate::error::{Count, ErrorKind, ParseError, Position, Warning};
use crate::model::{
    Date, DateTime, Document, Flight, Gender, Interchange, Leg, ListKind, Manifest, Message,
    Reference, Traveller, TravellerKind, flight_date,
};
use crate::syntax::{Charset, RawSegment, Segment, Separators, Tokenizer, decode_in};

/// Largest input accepted by default: 16 MiB, some fifty times the largest
/// aircraft's passenger list.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Bounds on what is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// A manifest and the oddities that were tolerated on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub manifest: Manifest,
    pub warnings: Vec<Warning>,
    pub separators: Separators,
}

/// Parses a PAXLST interchange with the default [`Limits`].
pub fn parse(input: &[u8]) -> Result<Parsed, ParseError> {
    parse_with(input, &Limits::default())
}

fn err(position: Position, tag: Option<&str>, kind: ErrorKind) -> ParseError {
    ParseError {
        position,
        tag: tag.map(str::to_string),
        kind: Box::new(kind),
    }
}

fn at(seg: &Segment<'_>) -> Position {
    Position {
        segment: seg.index,
        offset: seg.offset,
    }
}

fn shown(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(24)]).into_owned();
    if bytes.len() > 24 {
        format!("{s}…")
    } else {
        s
    }
}

/// The tag as three bytes: matching on them is a few compares, not string
/// comparisons (this runs on every segment).
fn tag_bytes(tag: &str) -> &[u8; 3] {
    tag.as_bytes()
        .try_into()
        .expect("Segment::tag returns three bytes")
}

/// Segments the parser knows and deliberately does not use.
const IGNORED: &[&str] = &[
    "COM", "FTX", "EMP", "GEI", "MEA", "QTY", "CTA", "TSR", "CPI", "EQN", "TOD", "FOI", "ERP",
    "ERC", "BUS", "SEQ",
];

/// Parses a PAXLST interchange.
///
/// Tolerated (returned as warnings): a UTF-8 byte order mark, whitespace
/// and line breaks between segments, data after UNZ, segments and
/// qualifiers outside the air API subset. Refused (an error naming the
/// segment): anything that changes what the manifest says.
pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Parsed, ParseError> {
    let start_pos = Position {
        segment: 0,
        offset: 0,
    };
    if input.len() > limits.max_bytes {
        return Err(err(
            start_pos,
            None,
            ErrorKind::TooLarge {
                size: input.len(),
                max: limits.max_bytes,
            },
        ));
    }
    let mut warnings = Vec::new();
    let mut pos = 0;
    if input.starts_with(b"\xef\xbb\xbf") {
        pos = 3;
        warnings.push(Warning {
            position: start_pos,
            tag: None,
            message: "a UTF-8 byte order mark before the interchange was skipped".into(),
        });
    }
    while pos < input.len() && matches!(input[pos], b' ' | b'\t' | b'\r' | b'\n') {
        pos += 1;
    }
    let body = &input[pos..];
    let seps = if body.starts_with(b"UNA") {
        if body.len() < 9 {
            return Err(err(
                Position {
                    segment: 0,
                    offset: pos,
                },
                Some("UNA"),
                ErrorKind::Truncated {
                    context: "inside the UNA service string advice".into(),
                },
            ));
        }
        let seps = Separators::from_una(&body[3..9]).map_err(|reason| {
            err(
                Position {
                    segment: 0,
                    offset: pos,
                },
                Some("UNA"),
                ErrorKind::InvalidUna { reason },
            )
        })?;
        pos += 9;
        seps
    } else if body.starts_with(b"UNB") {
        Separators::default()
    } else {
        return Err(err(
            Position {
                segment: 1,
                offset: pos,
            },
            None,
            ErrorKind::NotEdifact { found: shown(body) },
        ));
    };

    let mut tokens = Tokenizer::new(input, pos, &seps);
    let mut p = Parser {
        // Validated once: most inputs are ASCII or UTF-8, and segments
        // then borrow from it without a check of their own.
        input_len: input.len(),
        whole: std::str::from_utf8(input).ok(),
        checked_by_tokenizer: false,
        seps,
        charset: Charset::LevelB,
        warnings,
        messages: Vec::new(),
        group: None,
        groups: 0,
        bare_messages: 0,
        message: None,
    };
    let Some(first) = tokens.next() else {
        return Err(err(
            Position {
                segment: 1,
                offset: input.len(),
            },
            None,
            ErrorKind::Truncated {
                context: "after UNA, before UNB".into(),
            },
        ));
    };
    let mut interchange = p.unb(first)?;
    tokens.check(p.charset);
    p.checked_by_tokenizer = true;
    loop {
        let Some(raw) = tokens.next() else {
            let context = match (&p.message, &p.group) {
                (Some(m), _) => format!("inside message {:?}, before its UNT", m.reference),
                (None, Some(g)) => format!("inside group {:?}, before its UNE", g.reference),
                (None, None) => "before UNZ".into(),
            };
            return Err(err(
                Position {
                    segment: tokens.next_index(),
                    offset: input.len(),
                },
                None,
                ErrorKind::Truncated { context },
            ));
        };
        let seg = p.read(raw)?;
        let tag = seg.tag().expect("read() checks the tag");
        if tag == "UNZ" {
            p.unz(&seg, &interchange)?;
            break;
        }
        p.segment(&seg, tag)?;
    }
    let rest = tokens.rest();
    if rest.iter().any(|b| !b.is_ascii_whitespace()) {
        let junk = rest.iter().filter(|b| !b.is_ascii_whitespace()).count();
        p.warnings.push(Warning {
            position: Position {
                segment: tokens.next_index(),
                offset: tokens.offset(),
            },
            tag: None,
            message: format!("{junk} bytes after UNZ were ignored"),
        });
    }
    interchange.groups = p.groups;
    Ok(Parsed {
        manifest: Manifest {
            interchange,
            messages: p.messages,
        },
        warnings: p.warnings,
        separators: seps,
    })
}

/// The error for a segment the input ends in.
fn cut_segment(raw: &RawSegment<'_>) -> ParseError {
    err(
        Position {
            segment: raw.index,
            offset: raw.offset,
        },
        None,
        ErrorKind::Truncated {
            context: format!(
                "in the middle of a segment ({:?} has no terminator)",
                shown(raw.bytes)
            ),
        },
    )
}

struct Group {
    reference: String,
    messages: u64,
}

struct Parser<'a> {
    input_len: usize,
    whole: Option<&'a str>,
    /// The tokenizer checks the character set (after UNB).
    checked_by_tokenizer: bool,
    seps: Separators,
    charset: Charset,
    warnings: Vec<Warning>,
    messages: Vec<Message>,
    group: Option<Group>,
    groups: usize,
    bare_messages: usize,
    message: Option<MessageBuilder>,
}

impl<'a> Parser<'a> {
    /// Checks the character set and the tag; an unterminated segment is a
    /// cut file.
    fn read(&self, raw: RawSegment<'a>) -> Result<Segment<'a>, ParseError> {
        let position = Position {
            segment: raw.index,
            offset: raw.offset,
        };
        if !raw.terminated {
            return Err(cut_segment(&raw));
        }
        let whole = self
            .whole
            .map(|w| &w[raw.offset..raw.offset + raw.bytes.len()]);
        let fast = match (self.charset, whole, raw.first_unchecked) {
            // The tokenizer checked the repertoire of level A or B.
            (Charset::LevelA | Charset::LevelB | Charset::Iso8859AsciiOnly, Some(w), None)
                if self.checked_by_tokenizer =>
            {
                Some(Cow::Borrowed(w))
            }
            _ => None,
        };
        let decoded = match fast {
            Some(t) => Ok(t),
            None => decode_in(raw.bytes, whole, self.charset, &self.seps),
        };
        let text = decoded.map_err(|(i, detail)| {
            err(
                position,
                None,
                ErrorKind::WrongCharset {
                    declared: self.charset_name(),
                    detail: format!("{detail} at byte {}", raw.offset + i),
                },
            )
        })?;
        let seg = Segment::from_raw(&raw, text, self.seps);
        if seg.tag().is_none() {
            return Err(err(
                position,
                None,
                ErrorKind::Unreadable {
                    reason: format!(
                        "{:?} does not start with a segment tag (three letters or digits)",
                        shown(raw.bytes)
                    ),
                },
            ));
        }
        Ok(seg)
    }

    fn charset_name(&self) -> String {
        match self.charset {
            Charset::LevelA => "UNOA",
            Charset::LevelB => "UNOB",
            Charset::Latin1 => "UNOC",
            Charset::Iso8859AsciiOnly => "ISO 8859 (ASCII part)",
            Charset::Utf8 => "UNOW",
        }
        .to_string()
    }

    fn unb(&mut self, raw: RawSegment<'a>) -> Result<Interchange, ParseError> {
        let position = Position {
            segment: raw.index,
            offset: raw.offset,
        };
        if !raw.bytes.starts_with(b"UNB") {
            return Err(err(
                position,
                None,
                ErrorKind::NotEdifact {
                    found: shown(raw.bytes),
                },
            ));
        }
        if !raw.terminated {
            // Cut inside UNB: say so, rather than what the cut left.
            return Err(cut_segment(&raw));
        }
        // The syntax identifier decides how to read everything, UNB
        // included: read it from the raw bytes first (it is ASCII).
        let probe = Segment::new(
            raw.index,
            raw.offset,
            String::from_utf8_lossy(raw.bytes),
            self.seps,
        );
        let id = probe.string(1, 0).unwrap_or_default();
        self.charset = Charset::from_identifier(&id).ok_or_else(|| {
            err(
                position,
                Some("UNB"),
                ErrorKind::UnsupportedCharset {
                    identifier: id.clone(),
                },
            )
        })?;
        let seg = self.read(raw)?;
        let need = |e: usize, what: &str| {
            seg.string(e, 0).ok_or_else(|| {
                err(
                    position,
                    Some("UNB"),
                    ErrorKind::Missing {
                        what: format!("UNB {what}"),
                    },
                )
            })
        };
        let sender = need(2, "sender")?;
        let recipient = need(3, "recipient")?;
        let control_reference = need(5, "control reference")?;
        let prepared = match (seg.get(4, 0), seg.get(4, 1)) {
            (Some(d), t) => {
                let v = format!("{d}{}", t.as_deref().unwrap_or(""));
                Some(parse_dtm(&v, None, Century::Twentieth).map_err(|reason| {
                    err(
                        position,
                        Some("UNB"),
                        ErrorKind::InvalidDate {
                            what: "UNB preparation date".into(),
                            value: v.clone(),
                            reason,
                        },
                    )
                })?)
            }
            (None, _) => None,
        };
        Ok(Interchange {
            syntax: id,
            syntax_version: seg.string(1, 1),
            sender,
            recipient,
            prepared,
            control_reference,
            groups: 0,
        })
    }

    fn count(seg: &Segment<'_>, tag: &str, e: usize) -> Result<u64, ParseError> {
        let v = seg.get(e, 0).ok_or_else(|| {
            err(
                at(seg),
                Some(tag),
                ErrorKind::Missing {
                    what: format!("the {tag} count"),
                },
            )
        })?;
        v.parse().map_err(|_| {
            err(
                at(seg),
                Some(tag),
                ErrorKind::InvalidValue {
                    what: format!("{tag} count"),
                    value: v.to_string(),
                    reason: "not a number".into(),
                },
            )
        })
    }

    fn check_reference(
        seg: &Segment<'_>,
        tag: &str,
        e: usize,
        header: &str,
        expected: &str,
    ) -> Result<(), ParseError> {
        let found = seg.string(e, 0).unwrap_or_default();
        if found != expected {
            return Err(err(
                at(seg),
                Some(tag),
                ErrorKind::ReferenceMismatch {
                    header: header.into(),
                    trailer: tag.into(),
                    expected: expected.into(),
                    found,
                },
            ));
        }
        Ok(())
    }

    fn unexpected(seg: &Segment<'_>, tag: &str, reason: impl Into<String>) -> ParseError {
        err(
            at(seg),
            Some(tag),
            ErrorKind::Unexpected {
                tag: tag.into(),
                reason: reason.into(),
            },
        )
    }

    fn unz(&mut self, seg: &Segment<'_>, ic: &Interchange) -> Result<(), ParseError> {
        if let Some(m) = &self.message {
            return Err(Self::unexpected(
                seg,
                "UNZ",
                format!("message {:?} has no UNT", m.reference),
            ));
        }
        if let Some(g) = &self.group {
            return Err(Self::unexpected(
                seg,
                "UNZ",
                format!("group {:?} has no UNE", g.reference),
            ));
        }
        let declared = Self::count(seg, "UNZ", 1)?;
        let actual = if self.groups > 0 {
            self.groups
        } else {
            self.bare_messages
        } as u64;
        if declared != actual {
            return Err(err(
                at(seg),
                Some("UNZ"),
                ErrorKind::CountMismatch {
                    count: Count::InterchangeContent,
                    declared,
                    actual,
                },
            ));
        }
        Self::check_reference(seg, "UNZ", 2, "UNB", &ic.control_reference)
    }

    fn segment(&mut self, seg: &Segment<'_>, tag: &str) -> Result<(), ParseError> {
        match tag_bytes(tag) {
            b"UNB" | b"UNA" => Err(Self::unexpected(
                seg,
                tag,
                "a second interchange header inside the interchange",
            )),
            b"UNG" => {
                if self.message.is_some() {
                    return Err(Self::unexpected(seg, tag, "the open message has no UNT"));
                }
                if self.group.is_some() {
                    return Err(Self::unexpected(seg, tag, "the open group has no UNE"));
                }
                if self.bare_messages > 0 {
                    return Err(Self::unexpected(
                        seg,
                        tag,
                        "groups and messages outside groups are mixed",
                    ));
                }
                let reference = seg.string(5, 0).ok_or_else(|| {
                    err(
                        at(seg),
                        Some(tag),
                        ErrorKind::Missing {
                            what: "the UNG group reference".into(),
                        },
                    )
                })?;
                self.group = Some(Group {
                    reference,
                    messages: 0,
                });
                Ok(())
            }
            b"UNE" => {
                if self.message.is_some() {
                    return Err(Self::unexpected(seg, tag, "the open message has no UNT"));
                }
                let Some(g) = self.group.take() else {
                    return Err(Self::unexpected(seg, tag, "no group is open (UNG missing)"));
                };
                let declared = Self::count(seg, tag, 1)?;
                if declared != g.messages {
                    return Err(err(
                        at(seg),
                        Some(tag),
                        ErrorKind::CountMismatch {
                            count: Count::GroupMessages,
                            declared,
                            actual: g.messages,
                        },
                    ));
                }
                Self::check_reference(seg, tag, 2, "UNG", &g.reference)?;
                self.groups += 1;
                Ok(())
            }
            b"UNH" => {
                if let Some(m) = &self.message {
                    return Err(Self::unexpected(
                        seg,
                        tag,
                        format!("message {:?} has no UNT", m.reference),
                    ));
                }
                if self.group.is_none() && self.groups > 0 {
                    return Err(Self::unexpected(
                        seg,
                        tag,
                        "groups and messages outside groups are mixed",
                    ));
                }
                let reference = seg.string(1, 0).ok_or_else(|| {
                    err(
                        at(seg),
                        Some(tag),
                        ErrorKind::Missing {
                            what: "the UNH message reference".into(),
                        },
                    )
                })?;
                let kind = seg.string(2, 0).unwrap_or_default();
                if kind != "PAXLST" {
                    return Err(err(
                        at(seg),
                        Some(tag),
                        ErrorKind::NotPaxlst { found: kind },
                    ));
                }
                let version = match (seg.get(2, 1), seg.get(2, 2)) {
                    (Some(a), Some(b)) => format!("{a}:{b}"),
                    (Some(a), None) => a.into_owned(),
                    _ => String::new(),
                };
                let mut m = MessageBuilder::new(reference, version, seg.string(3, 0));
                // Room for the travellers the rest of the input can hold at
                // a typical 150 bytes each (capped): one allocation instead
                // of a dozen doublings and copies on a large flight.
                m.travellers
                    .reserve((self.input_len.saturating_sub(seg.offset) / 150).min(4096));
                self.message = Some(m);
                Ok(())
            }
            b"UNT" => {
                let Some(mut m) = self.message.take() else {
                    return Err(Self::unexpected(
                        seg,
                        tag,
                        "no message is open (UNH missing)",
                    ));
                };
                m.segments += 1;
                let declared = Self::count(seg, tag, 1)?;
                if declared != m.segments {
                    return Err(err(
                        at(seg),
                        Some(tag),
                        ErrorKind::CountMismatch {
                            count: Count::MessageSegments,
                            declared,
                            actual: m.segments,
                        },
                    ));
                }
                Self::check_reference(seg, tag, 2, "UNH", &m.reference)?;
                let message = m.finish(seg)?;
                self.messages.push(message);
                match &mut self.group {
                    Some(g) => g.messages += 1,
                    None => self.bare_messages += 1,
                }
                Ok(())
            }
            _ => {
                let Some(m) = self.message.as_mut() else {
                    return Err(Self::unexpected(
                        seg,
                        tag,
                        "outside a message (between UNT and UNH)",
                    ));
                };
                m.segments += 1;
                m.segment(seg, tag, &mut self.warnings)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Header,
    Flight,
    Travellers,
    Summary,
}

struct Point {
    place: String,
    departs: bool,
    arrives: bool,
    departure: Option<DateTime>,
    arrival: Option<DateTime>,
}

struct Current {
    traveller: Traveller,
    /// The document group 5 is open (DTM+36 and LOC+91 belong to it).
    in_document: bool,
}

struct MessageBuilder {
    reference: String,
    version: String,
    access_reference: Option<String>,
    /// Segments from UNH on (UNH included).
    segments: u64,
    phase: Phase,
    kind: Option<ListKind>,
    transaction_reference: Option<String>,
    reporting_party: Option<String>,
    tdt: Option<(String, Option<String>)>,
    points: Vec<Point>,
    final_destination: Option<String>,
    legs: Option<Vec<Leg>>,
    flight_date: Option<Date>,
    travellers: Vec<Traveller>,
    current: Option<Current>,
    counts: Vec<(Count, u64, Position)>,
}

fn missing(seg: &Segment<'_>, tag: &str, what: impl Into<String>) -> ParseError {
    err(at(seg), Some(tag), ErrorKind::Missing { what: what.into() })
}

impl MessageBuilder {
    fn new(reference: String, version: String, access_reference: Option<String>) -> Self {
        MessageBuilder {
            reference,
            version,
            access_reference,
            segments: 1,
            phase: Phase::Header,
            kind: None,
            transaction_reference: None,
            reporting_party: None,
            tdt: None,
            points: Vec::new(),
            final_destination: None,
            legs: None,
            flight_date: None,
            travellers: Vec::new(),
            current: None,
            counts: Vec::new(),
        }
    }

    fn close_traveller(&mut self) {
        if let Some(c) = self.current.take() {
            self.travellers.push(c.traveller);
        }
    }

    /// Turns the flight's points into legs (once, at the first traveller or
    /// at UNT).
    fn close_flight(&mut self, seg: &Segment<'_>, tag: &str) -> Result<(), ParseError> {
        if self.legs.is_some() {
            return Ok(());
        }
        if self.tdt.is_none() {
            return Err(missing(seg, tag, "TDT (the flight) before the travellers"));
        }
        let mut legs = Vec::new();
        let mut open: Option<&Point> = None;
        for p in &self.points {
            if p.arrives
                && let Some(from) = open
            {
                legs.push(Leg {
                    departure: from.place.clone(),
                    arrival: p.place.clone(),
                    departure_time: from.departure,
                    arrival_time: p.arrival,
                });
            }
            if p.departs {
                open = Some(p);
            }
        }
        if legs.is_empty() {
            return Err(missing(
                seg,
                tag,
                "a flight leg (LOC+125 departure followed by LOC+87 arrival)",
            ));
        }
        self.flight_date = flight_date(&legs);
        self.legs = Some(legs);
        Ok(())
    }

    fn traveller<'c>(
        current: &'c mut Option<Current>,
        seg: &Segment<'_>,
        tag: &str,
        qualifier: &str,
    ) -> Result<&'c mut Current, ParseError> {
        current.as_mut().ok_or_else(|| {
            Parser::unexpected(
                seg,
                tag,
                format!(
                    "{tag}+{qualifier} outside a traveller (is the NAD+FL or NAD+FM that opens it missing?)"
                ),
            )
        })
    }

    /// A traveller field sent twice usually means the next traveller's NAD
    /// is missing: refused rather than overwritten.
    fn set_once<T>(
        slot: &mut Option<T>,
        value: T,
        seg: &Segment<'_>,
        tag: &str,
        qualifier: &str,
        number: u32,
    ) -> Result<(), ParseError> {
        if slot.is_some() {
            // Number 0: a flight place, not a traveller.
            let reason = if number == 0 {
                format!("a second {tag}+{qualifier} for the same place of the flight")
            } else {
                format!(
                    "a second {tag}+{qualifier} for traveller {number} (is the NAD of the next traveller missing?)"
                )
            };
            return Err(Parser::unexpected(seg, tag, reason));
        }
        *slot = Some(value);
        Ok(())
    }

    fn segment(
        &mut self,
        seg: &Segment<'_>,
        tag: &str,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), ParseError> {
        let qualifier = seg.get(1, 0).unwrap_or_default();
        let q: &str = &qualifier;
        let mut warn = |message: String| {
            warnings.push(Warning {
                position: at(seg),
                tag: Some(tag.to_string()),
                message,
            })
        };
        if self.kind.is_none() && tag != "BGM" {
            return Err(missing(seg, tag, "BGM right after UNH"));
        }
        if self.phase == Phase::Summary && tag != "CNT" {
            return Err(Parser::unexpected(
                seg,
                tag,
                "after CNT (the message summary)",
            ));
        }
        match tag_bytes(tag) {
            b"BGM" => {
                if self.kind.is_some() {
                    return Err(Parser::unexpected(seg, tag, "a second BGM"));
                }
                self.kind = Some(match q {
                    "745" => ListKind::Passengers,
                    "250" => ListKind::Crew,
                    _ => {
                        return Err(err(
                            at(seg),
                            Some(tag),
                            ErrorKind::InvalidValue {
                                what: "BGM document code".into(),
                                value: q.to_string(),
                                reason: "745 (passengers) or 250 (crew) expected".into(),
                            },
                        ));
                    }
                });
            }
            b"RFF" => {
                let value = seg.string(1, 1);
                match (self.current.as_mut(), value) {
                    (Some(c), Some(value)) => c.traveller.references.push(Reference {
                        qualifier: q.to_string(),
                        value,
                    }),
                    (None, Some(v)) if self.phase == Phase::Header && q == "TN" => {
                        self.transaction_reference = Some(v)
                    }
                    (None, Some(_)) => warn(format!("RFF+{q} outside a traveller ignored")),
                    (_, None) => return Err(missing(seg, tag, format!("the RFF+{q} value"))),
                }
            }
            b"NAD" => match q {
                "MS" if self.phase == Phase::Header => {
                    self.reporting_party = seg.string(4, 0).or_else(|| seg.string(2, 0));
                }
                "FL" | "FM" | "DDT" | "DDU" => self.nad(seg, tag, q)?,
                _ => warn(format!("NAD+{q} is not a traveller; ignored")),
            },
            b"TDT" => {
                if self.phase > Phase::Header {
                    return Err(Parser::unexpected(
                        seg,
                        tag,
                        "a second flight (one TDT per message is supported)",
                    ));
                }
                let number = seg
                    .string(2, 0)
                    .ok_or_else(|| missing(seg, tag, "the TDT flight number"))?;
                self.tdt = Some((number, seg.string(5, 0)));
                self.phase = Phase::Flight;
            }
            b"LOC" => self.loc(seg, tag, q, &mut warn)?,
            b"DTM" => self.dtm(seg, tag, q, &mut warn)?,
            b"ATT" => {
                let c = Self::traveller(&mut self.current, seg, tag, q)?;
                if q != "2" {
                    warn(format!("ATT+{q} ignored (only ATT+2, gender, is read)"));
                    return Ok(());
                }
                let value = seg.string(3, 0).unwrap_or_default();
                let gender = match value.as_str() {
                    "M" => Gender::Male,
                    "F" => Gender::Female,
                    "U" | "X" => Gender::Unspecified,
                    _ => {
                        return Err(err(
                            at(seg),
                            Some(tag),
                            ErrorKind::InvalidValue {
                                what: "ATT+2 gender".into(),
                                value,
                                reason: "M, F, U or X expected".into(),
                            },
                        ));
                    }
                };
                let n = c.traveller.number;
                Self::set_once(&mut c.traveller.gender, gender, seg, tag, q, n)?;
            }
            b"NAT" => {
                let c = Self::traveller(&mut self.current, seg, tag, q)?;
                if q != "2" {
                    warn(format!("NAT+{q} ignored (only NAT+2 is read)"));
                    return Ok(());
                }
                let code = seg
                    .string(2, 0)
                    .ok_or_else(|| missing(seg, tag, "the NAT+2 country code"))?;
                let n = c.traveller.number;
                Self::set_once(&mut c.traveller.nationality, code, seg, tag, q, n)?;
            }
            b"DOC" => {
                let c = Self::traveller(&mut self.current, seg, tag, q)?;
                if q.is_empty() {
                    return Err(missing(seg, tag, "the DOC document type"));
                }
                let number = seg
                    .string(2, 0)
                    .ok_or_else(|| missing(seg, tag, "the DOC document number"))?;
                c.traveller.documents.push(Document {
                    kind: q.to_string(),
                    number,
                    expiry: None,
                    issuing_country: None,
                });
                c.in_document = true;
            }
            b"CNT" => {
                self.close_flight(seg, tag)?;
                self.close_traveller();
                self.phase = Phase::Summary;
                let count = match q {
                    "42" => Count::Passengers,
                    "41" => Count::Crew,
                    _ => {
                        warn(format!("CNT+{q} ignored"));
                        return Ok(());
                    }
                };
                let v = seg.string(1, 1).unwrap_or_default();
                let n = v.parse().map_err(|_| {
                    err(
                        at(seg),
                        Some(tag),
                        ErrorKind::InvalidValue {
                            what: format!("CNT+{q} count"),
                            value: v.clone(),
                            reason: "not a number".into(),
                        },
                    )
                })?;
                self.counts.push((count, n, at(seg)));
            }
            _ if IGNORED.contains(&tag) => {}
            _ => warn(format!("{tag} is not part of the air API subset; ignored")),
        }
        Ok(())
    }

    fn nad(&mut self, seg: &Segment<'_>, tag: &str, q: &str) -> Result<(), ParseError> {
        if self.phase == Phase::Header {
            return Err(missing(seg, tag, "TDT (the flight) before the travellers"));
        }
        self.close_flight(seg, tag)?;
        self.close_traveller();
        self.phase = Phase::Travellers;
        let kind = match q {
            "FL" => TravellerKind::Passenger,
            "FM" => TravellerKind::Crew,
            "DDT" => TravellerKind::TransitPassenger,
            _ => TravellerKind::TransitCrew,
        };
        let number = self.travellers.len() as u32 + 1;
        let surname = seg.string(4, 0).ok_or_else(|| {
            missing(
                seg,
                tag,
                format!("the surname of traveller {number} (NAD+{q}+++SURNAME:GIVEN)"),
            )
        })?;
        let extra: Vec<String> = (3..8).filter_map(|c| seg.string(4, c)).collect();
        let middle = match (seg.string(4, 2), extra.is_empty()) {
            (m, true) => m,
            (m, false) => Some(m.into_iter().chain(extra).collect::<Vec<_>>().join(" ")),
        };
        self.current = Some(Current {
            traveller: Traveller {
                number,
                kind,
                surname,
                given: seg.string(4, 1),
                middle,
                gender: None,
                birth_date: None,
                nationality: None,
                residence: None,
                birth_place: None,
                embarkation: None,
                debarkation: None,
                first_arrival: None,
                references: Vec::new(),
                documents: Vec::new(),
            },
            in_document: false,
        });
        Ok(())
    }

    fn loc(
        &mut self,
        seg: &Segment<'_>,
        tag: &str,
        q: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<(), ParseError> {
        // C517: code first, a name in the fourth component (places of birth).
        let place = seg
            .string(2, 0)
            .or_else(|| seg.string(2, 3))
            .ok_or_else(|| missing(seg, tag, format!("the LOC+{q} place")))?;
        if self.phase == Phase::Flight {
            let same = |p: &Point| p.place == place;
            match q {
                "125" | "92" => {
                    match self.points.last_mut() {
                        Some(p) if same(p) => p.departs = true,
                        _ => self.points.push(Point {
                            place,
                            departs: true,
                            arrives: q == "92",
                            departure: None,
                            arrival: None,
                        }),
                    }
                    if q == "92"
                        && let Some(p) = self.points.last_mut()
                    {
                        p.arrives = true;
                    }
                }
                "87" => match self.points.last_mut() {
                    Some(p) if same(p) && !p.departs => p.arrives = true,
                    _ => self.points.push(Point {
                        place,
                        departs: false,
                        arrives: true,
                        departure: None,
                        arrival: None,
                    }),
                },
                "130" => self.final_destination = Some(place),
                _ => warn(format!("LOC+{q} in the flight ignored")),
            }
            return Ok(());
        }
        let c = Self::traveller(&mut self.current, seg, tag, q)?;
        let t = &mut c.traveller;
        let n = t.number;
        match q {
            "91" => {
                let doc = t
                    .documents
                    .last_mut()
                    .filter(|_| c.in_document)
                    .ok_or_else(|| Parser::unexpected(seg, tag, "LOC+91 outside a DOC"))?;
                Self::set_once(&mut doc.issuing_country, place, seg, tag, q, n)?;
            }
            "178" => Self::set_once(&mut t.embarkation, place, seg, tag, q, n)?,
            "179" => Self::set_once(&mut t.debarkation, place, seg, tag, q, n)?,
            "174" => Self::set_once(&mut t.residence, place, seg, tag, q, n)?,
            "180" => Self::set_once(&mut t.birth_place, place, seg, tag, q, n)?,
            "22" => Self::set_once(&mut t.first_arrival, place, seg, tag, q, n)?,
            _ => warn(format!("LOC+{q} of a traveller ignored")),
        }
        Ok(())
    }

    fn dtm(
        &mut self,
        seg: &Segment<'_>,
        tag: &str,
        q: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<(), ParseError> {
        let value = seg
            .string(1, 1)
            .ok_or_else(|| missing(seg, tag, format!("the DTM+{q} value")))?;
        let format = seg.string(1, 2);
        let what = match q {
            "189" => "DTM+189 departure time",
            "232" => "DTM+232 arrival time",
            "329" => "DTM+329 birth date",
            "36" => "DTM+36 document expiry",
            _ => {
                warn(format!("DTM+{q} ignored"));
                return Ok(());
            }
        };
        let century = match q {
            "329" => {
                let Some(flight) = self.flight_date else {
                    return Err(missing(
                        seg,
                        tag,
                        "a flight date (DTM+189 or DTM+232) to read two-digit birth years",
                    ));
                };
                Century::NotAfter(flight)
            }
            _ => Century::Twentieth,
        };
        let when = parse_dtm(&value, format.as_deref(), century).map_err(|reason| {
            err(
                at(seg),
                Some(tag),
                ErrorKind::InvalidDate {
                    what: what.into(),
                    value: value.clone(),
                    reason,
                },
            )
        })?;
        if self.phase == Phase::Flight {
            let point = self.points.last_mut();
            match (q, point) {
                ("189", Some(p)) if p.departs => {
                    Self::set_once(&mut p.departure, when, seg, tag, q, 0)?
                }
                ("232", Some(p)) if p.arrives => {
                    Self::set_once(&mut p.arrival, when, seg, tag, q, 0)?
                }
                ("189" | "232", _) => {
                    return Err(Parser::unexpected(
                        seg,
                        tag,
                        format!("DTM+{q} does not follow the place it dates (LOC+125/87/92)"),
                    ));
                }
                _ => warn(format!("DTM+{q} in the flight ignored")),
            }
            return Ok(());
        }
        let c = Self::traveller(&mut self.current, seg, tag, q)?;
        let n = c.traveller.number;
        match q {
            "329" => Self::set_once(&mut c.traveller.birth_date, when.date, seg, tag, q, n)?,
            "36" => {
                let doc = c
                    .traveller
                    .documents
                    .last_mut()
                    .filter(|_| c.in_document)
                    .ok_or_else(|| Parser::unexpected(seg, tag, "DTM+36 outside a DOC"))?;
                Self::set_once(&mut doc.expiry, when.date, seg, tag, q, n)?;
            }
            _ => warn(format!("DTM+{q} of a traveller ignored")),
        }
        Ok(())
    }

    fn finish(mut self, unt: &Segment<'_>) -> Result<Message, ParseError> {
        let Some(kind) = self.kind else {
            return Err(missing(unt, "UNT", "BGM (the message has no body)"));
        };
        self.close_flight(unt, "UNT")?;
        self.close_traveller();
        for (count, declared, position) in &self.counts {
            let actual = self
                .travellers
                .iter()
                .filter(|t| t.kind.is_crew() == (*count == Count::Crew))
                .count() as u64;
            if *declared != actual {
                return Err(err(
                    *position,
                    Some("CNT"),
                    ErrorKind::CountMismatch {
                        count: *count,
                        declared: *declared,
                        actual,
                    },
                ));
            }
        }
        let (number, carrier) = self.tdt.expect("close_flight checks TDT");
        Ok(Message {
            reference: self.reference,
            version: self.version,
            access_reference: self.access_reference,
            kind,
            transaction_reference: self.transaction_reference,
            reporting_party: self.reporting_party,
            flight: Flight {
                number,
                carrier,
                legs: self.legs.expect("close_flight sets legs"),
                final_destination: self.final_destination,
            },
            travellers: self.travellers,
        })
    }
}
