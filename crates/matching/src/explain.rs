//! Why a result scored what it scored, for the API (JSON) and for a CSV
//! cell or a log line (Display).

use crate::prepare::{PreparedName, Reading};
use crate::score::{NameScore, PairKind};
use crate::types::NameKind;
use serde::Serialize;
use std::fmt;

/// What an explanation says of a match that rests on a weak alias only;
/// readers of a results file (the batch page) look for these words.
pub const WEAK_ALIAS_NOTE: &str = "weak alias — low confidence, corroborate with date of birth";

/// How one part of the query was paired with the list name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartPair {
    pub query: String,
    pub list: String,
    pub kind: PairKind,
    pub similarity: f32,
}

/// What a secondary feature did to the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureEffect {
    /// "birth_date", "country" or "schema".
    pub feature: &'static str,
    /// Added to the name score (negative lowers it).
    pub effect: f64,
    pub detail: String,
}

/// The explanation of one result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The list name that matched, as the list writes it.
    pub matched_name: String,
    pub matched_kind: NameKind,
    /// How both names were read (lowercase Latin parts).
    pub query_reading: String,
    pub list_reading: String,
    /// Score of the names alone.
    pub name_score: f64,
    pub pairs: Vec<PartPair>,
    /// Parts only the query has / only the list name has.
    pub query_only: Vec<String>,
    pub list_only: Vec<String>,
    /// Non-Latin words and how they were transliterated.
    pub transliterations: Vec<Reading>,
    /// "X bin Y" compared with "Y bin X": penalized.
    pub lineage_swapped: bool,
    pub features: Vec<FeatureEffect>,
    /// The matched name is a weak (low-quality) alias of the record.
    pub weak_alias: bool,
    /// Final score.
    pub score: f64,
}

impl Explanation {
    pub(crate) fn from_parts(
        matched_name: &str,
        matched_kind: NameKind,
        q: &PreparedName,
        l: &PreparedName,
        ns: &NameScore,
        transliterations: Vec<Reading>,
    ) -> Self {
        let span = |p: &PreparedName, r: (usize, usize)| {
            p.tokens[r.0..r.0 + r.1]
                .iter()
                .map(|t| &*t.text)
                .collect::<Vec<_>>()
                .join(" ")
        };
        Explanation {
            matched_name: matched_name.to_string(),
            matched_kind,
            query_reading: q.latin(),
            list_reading: l.latin(),
            name_score: round3(ns.score),
            pairs: ns
                .pairs
                .iter()
                .map(|p| PartPair {
                    query: span(q, p.a),
                    list: span(l, p.b),
                    kind: p.kind,
                    similarity: (p.sim * 1000.0).round() / 1000.0,
                })
                .collect(),
            query_only: ns
                .extra_a
                .iter()
                .map(|&i| q.tokens[i].text.to_string())
                .collect(),
            list_only: ns
                .extra_b
                .iter()
                .map(|&i| l.tokens[i].text.to_string())
                .collect(),
            transliterations,
            lineage_swapped: ns.lineage_swapped,
            features: Vec::new(),
            weak_alias: false,
            score: round3(ns.score),
        }
    }
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn kind_mark(k: PairKind) -> &'static str {
    match k {
        PairKind::Exact => "=",
        PairKind::Variant => "~variant~",
        PairKind::Phonetic => "~sound~",
        PairKind::Skeleton => "~consonants~",
        PairKind::Fuzzy => "~spelling~",
        PairKind::Initial => "~initial~",
        PairKind::Joined => "~joined~",
        PairKind::Conflict => "≠",
        PairKind::Prefix => "~prefix~",
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.matched_kind {
            NameKind::Primary => "primary name",
            NameKind::Alias if self.weak_alias => "weak alias",
            NameKind::Alias => "alias",
            NameKind::OriginalScript => "original-script name",
        };
        write!(
            f,
            "{:.3}: matched {} \"{}\" (read as \"{}\"); parts: ",
            self.score, kind, self.matched_name, self.list_reading
        )?;
        for (i, p) in self.pairs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}{}{}", p.query, kind_mark(p.kind), p.list)?;
        }
        if !self.query_only.is_empty() {
            write!(f, "; only in query: {}", self.query_only.join(" "))?;
        }
        if !self.list_only.is_empty() {
            write!(f, "; only in list: {}", self.list_only.join(" "))?;
        }
        if !self.transliterations.is_empty() {
            f.write_str("; read ")?;
            for (i, r) in self.transliterations.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{} {} as \"{}\"", r.script, r.original, r.latin)?;
                // Han characters read several ways: say which reading.
                if r.method.ends_with("reading")
                    || r.method.ends_with("spelling")
                    || r.method.starts_with("ICAO")
                {
                    write!(f, " ({})", r.method)?;
                }
            }
        }
        if self.lineage_swapped {
            f.write_str("; father/son order (bin) swapped")?;
        }
        write!(f, "; name score {:.3}", self.name_score)?;
        for e in &self.features {
            write!(f, "; {} {:+.3} ({})", e.feature, e.effect, e.detail)?;
        }
        if self.weak_alias {
            write!(f, "; {WEAK_ALIAS_NOTE}")?;
        }
        Ok(())
    }
}
