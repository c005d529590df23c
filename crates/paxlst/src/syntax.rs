//! EDIFACT syntax: the service string advice, the tokenizer (segments over
//! the input bytes, honouring the release character) and character sets.
//!
//! Separators are ASCII in every character set accepted here, so the input
//! is cut into segments as bytes (a separator byte never occurs inside a
//! UTF-8 multi-byte sequence) and each segment is then checked against the
//! declared character set and read as text, borrowed when it is UTF-8 or
//! ASCII, copied only for ISO 8859-1 with bytes above 127.

use std::borrow::Cow;

use serde::Serialize;

/// The service characters (UNA, or the defaults `:+.? '`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Separators {
    pub component: u8,
    pub element: u8,
    pub decimal: u8,
    /// `None` when UNA gives a space (no release character).
    pub release: Option<u8>,
    pub terminator: u8,
}

impl Default for Separators {
    fn default() -> Self {
        Separators {
            component: b':',
            element: b'+',
            decimal: b'.',
            release: Some(b'?'),
            terminator: b'\'',
        }
    }
}

impl Separators {
    /// Reads the six characters after `UNA`.
    pub fn from_una(chars: &[u8]) -> Result<Separators, String> {
        let [component, element, decimal, release, _reserved, terminator] = chars else {
            return Err("it must have six characters after UNA".into());
        };
        let seps = Separators {
            component: *component,
            element: *element,
            decimal: *decimal,
            release: (*release != b' ').then_some(*release),
            terminator: *terminator,
        };
        let mut used = vec![seps.component, seps.element, seps.terminator];
        used.extend(seps.release);
        for (i, &c) in used.iter().enumerate() {
            if !c.is_ascii() || c.is_ascii_alphanumeric() || c == b' ' {
                return Err(format!(
                    "separator {:?} must be an ASCII punctuation or control character",
                    c as char
                ));
            }
            if used[..i].contains(&c) {
                return Err(format!("{:?} is used for two roles", c as char));
            }
        }
        Ok(seps)
    }
}

/// One segment as cut from the input, before character-set checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawSegment<'a> {
    /// From 1 (UNB).
    pub index: usize,
    pub offset: usize,
    /// Without its terminator.
    pub bytes: &'a [u8],
    /// False when the input ended before a terminator.
    pub terminated: bool,
    /// Element boundaries found while cutting (see [`Segment`]).
    pub(crate) layout: Layout,
    /// Offset in `bytes` of the first byte the tokenizer's repertoire
    /// ([`Tokenizer::check`]) does not allow.
    pub first_unchecked: Option<usize>,
}

/// Where a segment's elements end, and whether it holds a release
/// character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    ends: [u32; MAX_ELEMENTS],
    elements: usize,
    released: bool,
}

/// Cuts the input into segments; whitespace between segments (line breaks,
/// leading spaces) is skipped. In the same pass it finds element
/// boundaries and, once told the character set, the first byte outside it:
/// one pass over the bytes instead of three.
pub struct Tokenizer<'a> {
    input: &'a [u8],
    pos: usize,
    index: usize,
    seps: Separators,
    /// Bytes allowed without a closer look.
    allowed: [bool; 256],
}

impl<'a> Tokenizer<'a> {
    pub fn new(input: &'a [u8], start: usize, seps: &Separators) -> Self {
        Tokenizer {
            input,
            pos: start,
            index: 0,
            seps: *seps,
            allowed: [true; 256],
        }
    }

    /// From now on, note the first byte of each segment outside the
    /// repertoire of `charset` (level A or B; other sets are checked by
    /// [`decode`] alone).
    pub fn check(&mut self, charset: Charset) {
        let rule: fn(u8) -> bool = match charset {
            Charset::LevelA => level_a,
            Charset::LevelB | Charset::Iso8859AsciiOnly => level_b,
            Charset::Latin1 | Charset::Utf8 => return,
        };
        let s = self.seps;
        for b in 0..=255u8 {
            self.allowed[b as usize] = rule(b)
                || b == s.component
                || b == s.element
                || b == s.terminator
                || Some(b) == s.release;
        }
    }

    /// Byte offset of what has not been read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.input[self.pos.min(self.input.len())..]
    }

    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The index the next segment gets.
    pub fn next_index(&self) -> usize {
        self.index + 1
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = RawSegment<'a>;

    fn next(&mut self) -> Option<RawSegment<'a>> {
        let input = self.input;
        while self.pos < input.len() && is_blank(input[self.pos]) {
            self.pos += 1;
        }
        if self.pos >= input.len() {
            return None;
        }
        let start = self.pos;
        let (release, terminator, element) =
            (self.seps.release, self.seps.terminator, self.seps.element);
        let mut layout = Layout {
            ends: [0; MAX_ELEMENTS],
            elements: 0,
            released: false,
        };
        let mut last_end = None;
        let mut bad = None;
        let mut i = start;
        let (end, terminated) = loop {
            if i >= input.len() {
                break (input.len(), false);
            }
            let b = input[i];
            if Some(b) == release {
                layout.released = true;
                if let Some(&next) = input.get(i + 1)
                    && !self.allowed[next as usize]
                    && bad.is_none()
                {
                    bad = Some(i + 1 - start);
                }
                i += 2;
                continue;
            }
            if b == terminator {
                break (i, true);
            }
            if b == element {
                if layout.elements < MAX_ELEMENTS - 1 {
                    layout.ends[layout.elements] = (i - start) as u32;
                    layout.elements += 1;
                } else if last_end.is_none() {
                    last_end = Some(i - start);
                }
            } else if !self.allowed[b as usize] && bad.is_none() {
                bad = Some(i - start);
            }
            i += 1;
        };
        let end = end.min(input.len());
        layout.ends[layout.elements] = last_end.unwrap_or(end - start) as u32;
        layout.elements += 1;
        self.pos = if terminated { end + 1 } else { input.len() };
        self.index += 1;
        Some(RawSegment {
            index: self.index,
            offset: start,
            bytes: &input[start..end],
            terminated,
            layout,
            first_unchecked: bad,
        })
    }
}

/// The character set a UNB syntax identifier declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UNOA: upper-case letters, digits, space and `.,-()/='+:?!"%&*;<>`.
    LevelA,
    /// UNOB: level A plus lower case and a few more signs.
    LevelB,
    /// UNOC: ISO 8859-1.
    Latin1,
    /// UNOD … UNOK: other ISO 8859 parts, accepted while the data is ASCII
    /// (their common part): names in a manifest are Latin by rule.
    Iso8859AsciiOnly,
    /// UNOW: UTF-8.
    Utf8,
}

impl Charset {
    pub fn from_identifier(id: &str) -> Option<Charset> {
        Some(match id {
            "UNOA" => Charset::LevelA,
            "UNOB" => Charset::LevelB,
            "UNOC" => Charset::Latin1,
            "UNOD" | "UNOE" | "UNOF" | "UNOG" | "UNOH" | "UNOI" | "UNOJ" | "UNOK" => {
                Charset::Iso8859AsciiOnly
            }
            "UNOW" => Charset::Utf8,
            _ => return None,
        })
    }
}

#[inline(always)]
fn level_a(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b" .,-()/='+:?!\"%&*;<>".contains(&b)
}

#[inline(always)]
fn level_b(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("{:?}", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

/// Checks a segment against the character set and reads it as text. The
/// separators themselves are always allowed (UNA may choose control
/// characters). On error: the offending byte's offset in the segment and a
/// description.
pub fn decode<'a>(
    bytes: &'a [u8],
    charset: Charset,
    seps: &Separators,
) -> Result<Cow<'a, str>, (usize, String)> {
    decode_in(bytes, None, charset, seps)
}

/// [`decode`], given the same bytes as text when the caller has validated
/// the whole input as UTF-8 once (saving a validation per segment).
pub fn decode_in<'a>(
    bytes: &'a [u8],
    text: Option<&'a str>,
    charset: Charset,
    seps: &Separators,
) -> Result<Cow<'a, str>, (usize, String)> {
    debug_assert!(text.is_none_or(|t| t.as_bytes() == bytes));
    let as_text = |bytes: &'a [u8]| match text {
        Some(t) => Ok(t),
        None => std::str::from_utf8(bytes),
    };
    let sep = |b: u8| {
        b == seps.component || b == seps.element || b == seps.terminator || Some(b) == seps.release
    };
    // One loop per repertoire, so that the check inlines (it runs on
    // every byte).
    let bad = match charset {
        Charset::LevelA => Some(bytes.iter().position(|&b| !level_a(b) && !sep(b))),
        Charset::LevelB | Charset::Iso8859AsciiOnly => {
            Some(bytes.iter().position(|&b| !level_b(b) && !sep(b)))
        }
        Charset::Latin1 | Charset::Utf8 => None,
    };
    if let Some(bad) = bad {
        return match bad {
            None => Ok(Cow::Borrowed(as_text(bytes).expect("ASCII is UTF-8"))),
            Some(i) => {
                let b = bytes[i];
                let detail = if b >= 0x80 {
                    format!("{} (not ASCII)", describe(b))
                } else if b.is_ascii_lowercase() {
                    format!("lower-case {} (UNOA is upper case only)", describe(b))
                } else {
                    describe(b)
                };
                Err((i, detail))
            }
        };
    }
    let control = |b: u8| (b < 0x20 || b == 0x7f) && !sep(b);
    match charset {
        Charset::Utf8 => match as_text(bytes) {
            Err(e) => Err((e.valid_up_to(), "invalid UTF-8".into())),
            Ok(s) => match bytes.iter().position(|&b| control(b)) {
                Some(i) => Err((i, format!("control character {}", describe(bytes[i])))),
                None => Ok(Cow::Borrowed(s)),
            },
        },
        _ => {
            // ISO 8859-1: every byte is a character, but C0/C1 controls are
            // not text, and UTF-8 multi-byte sequences mean a mislabelled file.
            let ascii = bytes.is_ascii();
            if !ascii && std::str::from_utf8(bytes).is_ok() {
                let i = bytes.iter().position(|&b| b >= 0x80).unwrap_or(0);
                return Err((
                    i,
                    "the text is UTF-8, not ISO 8859-1 (declare UNOW for UTF-8)".into(),
                ));
            }
            if let Some(i) = bytes
                .iter()
                .position(|&b| control(b) || (0x80..0xa0).contains(&b))
            {
                return Err((i, format!("control character {}", describe(bytes[i]))));
            }
            if ascii {
                return Ok(Cow::Borrowed(
                    std::str::from_utf8(bytes).expect("ASCII is UTF-8"),
                ));
            }
            Ok(Cow::Owned(bytes.iter().map(|&b| b as char).collect()))
        }
    }
}

/// Most elements a segment keeps track of; the air API subset uses at most
/// ten. Further elements read as absent.
pub const MAX_ELEMENTS: usize = 16;

/// A segment read as text, with access to its elements and components.
/// Element boundaries are found in one pass when the segment is made.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    pub index: usize,
    pub offset: usize,
    text: Cow<'a, str>,
    seps: Separators,
    /// End (exclusive) of each element (element `e` starts after the end
    /// of element `e - 1`); whether the segment holds a release character
    /// at all (if not, components are split without looking for one).
    layout: Layout,
    /// The first element's first component is a valid tag.
    has_tag: bool,
}

/// The `n`-th part of `s` split on an unreleased `sep`: a plain loop, as
/// the parts are a few bytes long (a general searcher costs more than it
/// saves there).
fn nth_component(s: &str, sep: u8, release: Option<u8>, n: usize) -> Option<&str> {
    let bytes = s.as_bytes();
    let mut part = 0;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if Some(b) == release {
            i += 2;
            continue;
        }
        if b == sep {
            if part == n {
                // `sep` is ASCII: `i` is a character boundary.
                return Some(&s[start..i]);
            }
            part += 1;
            start = i + 1;
        }
        i += 1;
    }
    (part == n).then(|| &s[start.min(s.len())..])
}

impl<'a> Segment<'a> {
    /// Reads `text`, finding its element boundaries.
    pub fn new(index: usize, offset: usize, text: Cow<'a, str>, seps: Separators) -> Self {
        let layout = Tokenizer::new(text.as_bytes(), 0, &seps).next().map_or(
            Layout {
                ends: [0; MAX_ELEMENTS],
                elements: 1,
                released: false,
            },
            |r| r.layout,
        );
        Self::with_layout(index, offset, text, seps, layout)
    }

    /// The text of a raw segment, with the layout the tokenizer found.
    pub fn from_raw(raw: &RawSegment<'a>, text: Cow<'a, str>, seps: Separators) -> Self {
        Self::with_layout(raw.index, raw.offset, text, seps, raw.layout)
    }

    fn with_layout(
        index: usize,
        offset: usize,
        text: Cow<'a, str>,
        seps: Separators,
        layout: Layout,
    ) -> Self {
        let bytes = text.as_bytes();
        let first = &bytes[..(layout.ends[0] as usize).min(bytes.len())];
        let has_tag = first.len() >= 3
            && (first.len() == 3 || first[3] == seps.component)
            && first[..3]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        Segment {
            index,
            offset,
            text,
            seps,
            layout,
            has_tag,
        }
    }

    /// The first three characters, if they form a tag (A–Z, 0–9).
    pub fn tag(&self) -> Option<&str> {
        self.has_tag.then(|| &self.text[..3])
    }

    /// Raw text of element `e` (the tag is element 0), releases kept.
    fn element_raw(&self, e: usize) -> Option<&str> {
        let l = &self.layout;
        if e >= l.elements {
            return None;
        }
        let start = if e == 0 {
            0
        } else {
            l.ends[e - 1] as usize + 1
        };
        self.text.get(start..l.ends[e] as usize)
    }

    fn component_raw(&self, e: usize, c: usize) -> Option<&str> {
        let element = self.element_raw(e)?;
        let release = if self.layout.released {
            self.seps.release
        } else {
            None
        };
        nth_component(element, self.seps.component, release, c)
    }

    /// Component `c` of element `e`, releases removed, trimmed; `None` when
    /// absent or empty.
    pub fn get(&self, e: usize, c: usize) -> Option<Cow<'_, str>> {
        let raw = self.component_raw(e, c)?.trim();
        if raw.is_empty() {
            return None;
        }
        match self.seps.release {
            Some(r) if self.layout.released && raw.as_bytes().contains(&r) => {
                let value = unrelease(raw, r as char);
                let trimmed = value.trim();
                (!trimmed.is_empty()).then(|| Cow::Owned(trimmed.to_string()))
            }
            _ => Some(Cow::Borrowed(raw)),
        }
    }

    /// Number of elements, the tag included (at most [`MAX_ELEMENTS`]).
    pub fn element_count(&self) -> usize {
        self.layout.elements
    }

    /// Every component of element `e`, releases removed, not trimmed (for
    /// tools and differential tests; the parser uses [`Segment::get`]).
    pub fn components(&self, e: usize) -> Vec<String> {
        let Some(element) = self.element_raw(e) else {
            return Vec::new();
        };
        let release = if self.layout.released {
            self.seps.release
        } else {
            None
        };
        (0..)
            .map_while(|c| nth_component(element, self.seps.component, release, c))
            .map(|raw| match release {
                Some(r) if raw.as_bytes().contains(&r) => unrelease(raw, r as char),
                _ => raw.to_string(),
            })
            .collect()
    }

    /// [`Segment::get`] as an owned string.
    pub fn string(&self, e: usize, c: usize) -> Option<String> {
        self.get(e, c).map(Cow::into_owned)
    }
}

fn unrelease(raw: &str, r: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch == r {
            // A release at the very end releases nothing: dropped.
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> Segment<'_> {
        Segment::new(1, 0, Cow::Borrowed(text), Separators::default())
    }

    #[test]
    fn released_separators_are_data() {
        let s = seg("NAD+FL+++O?'SAMPLE?:X:MARY?+ANN??");
        assert_eq!(s.tag(), Some("NAD"));
        assert_eq!(s.get(4, 0).unwrap(), "O'SAMPLE:X");
        assert_eq!(s.get(4, 1).unwrap(), "MARY+ANN?");
        assert_eq!(s.get(2, 0), None);
        assert_eq!(s.get(9, 0), None);
    }

    #[test]
    fn components_split_on_unreleased_separators_only() {
        assert_eq!(nth_component("A:B?:C:D", b':', Some(b'?'), 1), Some("B?:C"));
        assert_eq!(nth_component("A:B?:C:D", b':', Some(b'?'), 2), Some("D"));
        assert_eq!(nth_component("A:B?:C:D", b':', None, 2), Some("C"));
        assert_eq!(nth_component("A::", b':', None, 2), Some(""));
        assert_eq!(nth_component("A", b':', None, 1), None);
        assert_eq!(nth_component("A?", b':', Some(b'?'), 0), Some("A?"));
    }

    #[test]
    fn tokenizer_skips_line_breaks_and_honours_release() {
        let input = b" UNB+A'\r\n  NAD+O?'B'\nUNZ";
        let segs: Vec<_> = Tokenizer::new(input, 0, &Separators::default()).collect();
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0].bytes, b"UNB+A");
        assert_eq!(segs[0].offset, 1);
        assert_eq!(segs[1].bytes, b"NAD+O?'B");
        assert!(segs[1].terminated);
        assert_eq!(segs[2].bytes, b"UNZ");
        assert!(!segs[2].terminated);
        assert_eq!(segs[2].index, 3);
    }

    #[test]
    fn una_with_custom_separators_and_no_release() {
        let s = Separators::from_una(b"|*,  \x1c").unwrap();
        assert_eq!(s.component, b'|');
        assert_eq!(s.element, b'*');
        assert_eq!(s.release, None);
        assert_eq!(s.terminator, 0x1c);
        assert!(Separators::from_una(b"++.? '").is_err());
        assert!(Separators::from_una(b"A+.? '").is_err());
    }

    #[test]
    fn level_a_refuses_lower_case_and_non_ascii() {
        let seps = Separators::default();
        assert!(decode(b"NAD+FL+++DOE", Charset::LevelA, &seps).is_ok());
        let (i, why) = decode(b"NAD+FL+++Doe", Charset::LevelA, &seps).unwrap_err();
        assert_eq!(i, 10);
        assert!(why.contains("lower-case"), "{why}");
        assert!(decode("NAD+FL+++MÜLLER".as_bytes(), Charset::LevelA, &seps).is_err());
        assert!(decode(b"NAD+FL+++Doe", Charset::LevelB, &seps).is_ok());
    }

    #[test]
    fn latin1_is_transcoded_and_utf8_in_latin1_refused() {
        let seps = Separators::default();
        let s = decode(b"NAD+FL+++M\xdcLLER", Charset::Latin1, &seps).unwrap();
        assert_eq!(s, "NAD+FL+++MÜLLER");
        let (_, why) = decode("NAD+FL+++MÜLLER".as_bytes(), Charset::Latin1, &seps).unwrap_err();
        assert!(why.contains("UTF-8"), "{why}");
        assert!(decode(b"NAD+FL+++M\xdcLLER", Charset::Utf8, &seps).is_err());
        assert_eq!(
            decode("NAD+FL+++MÜLLER".as_bytes(), Charset::Utf8, &seps).unwrap(),
            "NAD+FL+++MÜLLER"
        );
    }
}
