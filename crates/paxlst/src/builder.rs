//! Writes valid PAXLST interchanges for tests, examples and benchmarks
//! (passengers and crew, several legs, custom UNA separators). The other
//! crates' tests use it too, so it is public; it is not a general EDIFACT
//! writer.

use crate::model::{ListKind, TravellerKind};
use crate::syntax::Separators;

/// One leg: places and `YYMMDDHHMM` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegSpec {
    pub from: String,
    pub to: String,
    pub departure: String,
    pub arrival: String,
}

impl LegSpec {
    pub fn new(from: &str, departure: &str, to: &str, arrival: &str) -> Self {
        LegSpec {
            from: from.into(),
            to: to.into(),
            departure: departure.into(),
            arrival: arrival.into(),
        }
    }
}

/// One document: kind (`P`, `V`, `I`, …), number, `YYMMDD` expiry, issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSpec {
    pub kind: String,
    pub number: String,
    pub expiry: Option<String>,
    pub country: Option<String>,
}

/// One traveller, written as a passport's machine-readable zone would give
/// the name (upper-case Latin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravellerSpec {
    pub kind: TravellerKind,
    pub surname: String,
    pub given: Option<String>,
    pub middle: Option<String>,
    /// `M`, `F`, `U`.
    pub gender: Option<String>,
    /// `YYMMDD`.
    pub birth: Option<String>,
    pub nationality: Option<String>,
    pub embarkation: Option<String>,
    pub debarkation: Option<String>,
    pub residence: Option<String>,
    pub birth_place: Option<String>,
    /// (qualifier, value), e.g. ("AVF", "QW12ER").
    pub references: Vec<(String, String)>,
    pub documents: Vec<DocSpec>,
}

impl TravellerSpec {
    pub fn passenger(surname: &str, given: &str) -> Self {
        TravellerSpec {
            kind: TravellerKind::Passenger,
            surname: surname.into(),
            given: (!given.is_empty()).then(|| given.into()),
            middle: None,
            gender: None,
            birth: None,
            nationality: None,
            embarkation: None,
            debarkation: None,
            residence: None,
            birth_place: None,
            references: Vec::new(),
            documents: Vec::new(),
        }
    }

    pub fn crew(surname: &str, given: &str) -> Self {
        TravellerSpec {
            kind: TravellerKind::Crew,
            ..TravellerSpec::passenger(surname, given)
        }
    }

    pub fn middle(mut self, middle: &str) -> Self {
        self.middle = Some(middle.into());
        self
    }

    pub fn gender(mut self, g: &str) -> Self {
        self.gender = Some(g.into());
        self
    }

    pub fn born(mut self, yymmdd: &str) -> Self {
        self.birth = Some(yymmdd.into());
        self
    }

    pub fn nationality(mut self, alpha3: &str) -> Self {
        self.nationality = Some(alpha3.into());
        self
    }

    pub fn route(mut self, embark: &str, debark: &str) -> Self {
        self.embarkation = Some(embark.into());
        self.debarkation = Some(debark.into());
        self
    }

    pub fn residence(mut self, country: &str) -> Self {
        self.residence = Some(country.into());
        self
    }

    pub fn birth_place(mut self, place: &str) -> Self {
        self.birth_place = Some(place.into());
        self
    }

    pub fn reference(mut self, qualifier: &str, value: &str) -> Self {
        self.references.push((qualifier.into(), value.into()));
        self
    }

    /// A passport (`P`) with expiry `YYMMDD` and issuing country.
    pub fn passport(self, number: &str, expiry: &str, country: &str) -> Self {
        self.document("P", number, Some(expiry), Some(country))
    }

    pub fn document(
        mut self,
        kind: &str,
        number: &str,
        expiry: Option<&str>,
        country: Option<&str>,
    ) -> Self {
        self.documents.push(DocSpec {
            kind: kind.into(),
            number: number.into(),
            expiry: expiry.map(Into::into),
            country: country.map(Into::into),
        });
        self
    }
}

/// One message: a flight and its travellers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSpec {
    pub reference: String,
    pub kind: ListKind,
    pub flight_number: String,
    pub carrier: Option<String>,
    pub legs: Vec<LegSpec>,
    pub travellers: Vec<TravellerSpec>,
    /// Write CNT+42 / CNT+41.
    pub counts: bool,
}

impl MessageSpec {
    pub fn new(reference: &str, kind: ListKind, flight: &str, legs: Vec<LegSpec>) -> Self {
        MessageSpec {
            reference: reference.into(),
            kind,
            flight_number: flight.into(),
            carrier: Some(flight.chars().take(2).collect()),
            legs,
            travellers: Vec::new(),
            counts: true,
        }
    }

    pub fn traveller(mut self, t: TravellerSpec) -> Self {
        self.travellers.push(t);
        self
    }
}

/// A whole interchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestBuilder {
    pub separators: Separators,
    /// Write the UNA service string advice (always when the separators are
    /// not the defaults).
    pub una: bool,
    /// UNB syntax identifier (`UNOA`, `UNOB`, `UNOC`, `UNOW`).
    pub syntax: String,
    pub sender: String,
    pub recipient: String,
    /// `YYMMDD` and `HHMM`.
    pub prepared: (String, String),
    pub control_reference: String,
    /// Wrap the messages in one UNG … UNE group.
    pub group: bool,
    /// A line break after each segment, as most real files have.
    pub line_breaks: bool,
    pub messages: Vec<MessageSpec>,
}

impl Default for ManifestBuilder {
    fn default() -> Self {
        ManifestBuilder {
            separators: Separators::default(),
            una: true,
            syntax: "UNOA".into(),
            sender: "EXAMPLEAIR".into(),
            recipient: "KZPIU".into(),
            prepared: ("260115".into(), "0910".into()),
            control_reference: "000000017".into(),
            group: true,
            line_breaks: true,
            messages: Vec::new(),
        }
    }
}

/// Writes segments with the builder's separators, releasing data.
struct Writer<'a> {
    seps: &'a Separators,
    out: String,
    line_breaks: bool,
    segments: u64,
}

/// A value of a segment: plain data (released when needed).
enum V<'a> {
    D(&'a str),
    /// Components of one element.
    C(Vec<&'a str>),
}

impl Writer<'_> {
    fn data(&mut self, s: &str) {
        let s_ = self.seps;
        for ch in s.chars() {
            let special = ch.is_ascii()
                && [
                    Some(s_.component),
                    Some(s_.element),
                    Some(s_.terminator),
                    s_.release,
                ]
                .contains(&Some(ch as u8));
            if special {
                let r = s_
                    .release
                    .expect("data with a separator needs a release character");
                self.out.push(r as char);
            }
            self.out.push(ch);
        }
    }

    fn seg(&mut self, tag: &str, elements: &[V<'_>]) {
        self.out.push_str(tag);
        for e in elements {
            self.out.push(self.seps.element as char);
            match e {
                V::D(d) => self.data(d),
                V::C(cs) => {
                    for (i, c) in cs.iter().enumerate() {
                        if i > 0 {
                            self.out.push(self.seps.component as char);
                        }
                        self.data(c);
                    }
                }
            }
        }
        // Trailing empty elements are not written (EDIFACT truncation rule).
        while self.out.ends_with(self.seps.element as char) {
            self.out.pop();
        }
        self.out.push(self.seps.terminator as char);
        if self.line_breaks {
            self.out.push('\n');
        }
        self.segments += 1;
    }
}

impl ManifestBuilder {
    /// The reference's illustrative message: flight XA123 IST → NQZ on
    /// 15 January 2026 with two passengers (the second, O'SAMPLE, has a
    /// released apostrophe and was born in 2002).
    pub fn example() -> Self {
        let msg = MessageSpec::new(
            "PX0017",
            ListKind::Passengers,
            "XA123",
            vec![LegSpec::new("IST", "2601151400", "NQZ", "2601152105")],
        )
        .traveller(
            TravellerSpec::passenger("EXAMPLOV", "ARMAN")
                .middle("BOLATULY")
                .gender("M")
                .born("910304")
                .route("IST", "NQZ")
                .nationality("KAZ")
                .reference("AVF", "QW12ER")
                .passport("N00000001", "300101", "KAZ"),
        )
        .traveller(
            TravellerSpec::passenger("O'SAMPLE", "MARY")
                .gender("F")
                .born("020611")
                .route("IST", "NQZ")
                .nationality("IRL")
                .passport("PA0000002", "290930", "IRL"),
        );
        ManifestBuilder {
            messages: vec![msg],
            ..ManifestBuilder::default()
        }
    }

    pub fn message(mut self, m: MessageSpec) -> Self {
        self.messages.push(m);
        self
    }

    /// The interchange as text.
    pub fn build(&self) -> String {
        let s = &self.separators;
        let mut w = Writer {
            seps: s,
            out: String::new(),
            line_breaks: self.line_breaks,
            segments: 0,
        };
        if self.una || *s != Separators::default() {
            let reserved = ' ';
            w.out.push_str("UNA");
            for c in [
                s.component as char,
                s.element as char,
                s.decimal as char,
                s.release.map(char::from).unwrap_or(' '),
                reserved,
                s.terminator as char,
            ] {
                w.out.push(c);
            }
            if self.line_breaks {
                w.out.push('\n');
            }
        }
        let (date, time) = (&self.prepared.0, &self.prepared.1);
        w.seg(
            "UNB",
            &[
                V::C(vec![&self.syntax, "4"]),
                V::D(&self.sender),
                V::D(&self.recipient),
                V::C(vec![date, time]),
                V::D(&self.control_reference),
                V::D(""),
                V::D(&self.recipient),
            ],
        );
        let group_ref = "1";
        if self.group {
            w.seg(
                "UNG",
                &[
                    V::D("PAXLST"),
                    V::D(&self.sender),
                    V::D(&self.recipient),
                    V::C(vec![date, time]),
                    V::D(group_ref),
                    V::D("UN"),
                    V::C(vec!["D", "05B"]),
                ],
            );
        }
        for m in &self.messages {
            Self::write_message(&mut w, m);
        }
        let n = self.messages.len().to_string();
        if self.group {
            w.seg("UNE", &[V::D(&n), V::D(group_ref)]);
            w.seg("UNZ", &[V::D("1"), V::D(&self.control_reference)]);
        } else {
            w.seg("UNZ", &[V::D(&n), V::D(&self.control_reference)]);
        }
        w.out
    }

    fn write_message(w: &mut Writer<'_>, m: &MessageSpec) {
        let start = w.segments;
        let access = format!(
            "{}/{}",
            m.flight_number,
            m.legs.first().map(|l| &l.departure[..6]).unwrap_or("")
        );
        w.seg(
            "UNH",
            &[
                V::D(&m.reference),
                V::C(vec!["PAXLST", "D", "05B", "UN", "IATA"]),
                V::D(&access),
                V::C(vec!["01", "F"]),
            ],
        );
        w.seg(
            "BGM",
            &[V::D(match m.kind {
                ListKind::Passengers => "745",
                ListKind::Crew => "250",
            })],
        );
        w.seg(
            "NAD",
            &[V::D("MS"), V::D(""), V::D(""), V::D("OPERATIONS DESK")],
        );
        w.seg("COM", &[V::C(vec!["77170000000", "TE"])]);
        w.seg(
            "TDT",
            &[
                V::D("20"),
                V::D(&m.flight_number),
                V::D(""),
                V::D(""),
                V::D(m.carrier.as_deref().unwrap_or("")),
            ],
        );
        for leg in &m.legs {
            w.seg("LOC", &[V::D("125"), V::D(&leg.from)]);
            w.seg("DTM", &[V::C(vec!["189", &leg.departure, "201"])]);
            w.seg("LOC", &[V::D("87"), V::D(&leg.to)]);
            w.seg("DTM", &[V::C(vec!["232", &leg.arrival, "201"])]);
        }
        for t in &m.travellers {
            let q = match t.kind {
                TravellerKind::Passenger => "FL",
                TravellerKind::Crew => "FM",
                TravellerKind::TransitPassenger => "DDT",
                TravellerKind::TransitCrew => "DDU",
            };
            let mut name = vec![t.surname.as_str()];
            if t.given.is_some() || t.middle.is_some() {
                name.push(t.given.as_deref().unwrap_or(""));
            }
            if let Some(m) = &t.middle {
                name.push(m);
            }
            w.seg("NAD", &[V::D(q), V::D(""), V::D(""), V::C(name)]);
            if let Some(g) = &t.gender {
                w.seg("ATT", &[V::D("2"), V::D(""), V::D(g)]);
            }
            if let Some(b) = &t.birth {
                w.seg("DTM", &[V::C(vec!["329", b])]);
            }
            for (q, place) in [
                ("178", &t.embarkation),
                ("179", &t.debarkation),
                ("174", &t.residence),
                ("180", &t.birth_place),
            ] {
                if let Some(p) = place {
                    w.seg("LOC", &[V::D(q), V::D(p)]);
                }
            }
            if let Some(n) = &t.nationality {
                w.seg("NAT", &[V::D("2"), V::D(n)]);
            }
            for (q, v) in &t.references {
                w.seg("RFF", &[V::C(vec![q, v])]);
            }
            for d in &t.documents {
                if d.kind == "P" {
                    w.seg("DOC", &[V::C(vec!["P", "110", "111"]), V::D(&d.number)]);
                } else {
                    w.seg("DOC", &[V::D(&d.kind), V::D(&d.number)]);
                }
                if let Some(e) = &d.expiry {
                    w.seg("DTM", &[V::C(vec!["36", e])]);
                }
                if let Some(c) = &d.country {
                    w.seg("LOC", &[V::D("91"), V::D(c)]);
                }
            }
        }
        if m.counts {
            let crew = m.travellers.iter().filter(|t| t.kind.is_crew()).count();
            let pax = m.travellers.len() - crew;
            if pax > 0 || m.kind == ListKind::Passengers {
                w.seg("CNT", &[V::C(vec!["42", &pax.to_string()])]);
            }
            if crew > 0 || m.kind == ListKind::Crew {
                w.seg("CNT", &[V::C(vec!["41", &crew.to_string()])]);
            }
        }
        let count = (w.segments - start + 1).to_string();
        w.seg("UNT", &[V::D(&count), V::D(&m.reference)]);
    }
}

/// A manifest of `n` generated passengers on a two-leg flight (names
/// built from syllables, dates and passports varied), for benchmarks and
/// property tests.
pub fn generated(reference: &str, n: usize) -> MessageSpec {
    const SYL: [&str; 16] = [
        "AL", "BEK", "MU", "RA", "TO", "SAN", "KHA", "DI", "NO", "VA", "EL", "IS", "OR", "UM",
        "ZA", "PE",
    ];
    const NAT: [&str; 8] = ["KAZ", "IRL", "TUR", "DEU", "FRA", "UZB", "EGY", "IND"];
    let mut m = MessageSpec::new(
        reference,
        ListKind::Passengers,
        "XA123",
        vec![
            LegSpec::new("IST", "2601151400", "ALA", "2601152105"),
            LegSpec::new("ALA", "2601152300", "NQZ", "2601160040"),
        ],
    );
    for i in 0..n {
        let s = |k: usize| SYL[(i / 16usize.pow(k as u32) + k * 5) % 16];
        let surname = format!("{}{}{}OV", s(0), s(1), s(2));
        let given = format!("{}{}", s(2), s(0));
        let yy = 40 + i % 60;
        let born = format!("{yy:02}{:02}{:02}", 1 + i % 12, 1 + i % 28);
        m.travellers.push(
            TravellerSpec::passenger(&surname, &given)
                .gender(if i % 2 == 0 { "M" } else { "F" })
                .born(&born)
                .route("IST", "NQZ")
                .nationality(NAT[i % NAT.len()])
                .reference(
                    "SEA",
                    &format!("{}{}", 1 + i % 40, (b'A' + (i % 6) as u8) as char),
                )
                .passport(&format!("N{:08}", 1000 + i), "310101", NAT[i % NAT.len()]),
        );
    }
    m
}
