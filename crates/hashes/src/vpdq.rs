//! vPDQ: a video as a sequence of PDQ frame hashes, matched by the share of
//! frames that find a counterpart on each side.
//!
//! Matching follows Meta's description (ThreatExchange `vpdq/README.md`):
//! drop frames under the quality threshold, de-duplicate identical frame
//! hashes, then count the query's unique hashes that have some target hash
//! within the distance, and the target's that have some query hash within
//! it. The two shares (in percent) say whether the query is contained in
//! the target and vice versa. Lookups go through [`PdqIndex`], so a long
//! video is not a quadratic comparison.
//!
//! Frame extraction (decoding video) is not here: see the crate README.

use std::collections::BTreeSet;

use crate::{HashError, PdqHash, PdqIndex, parse_quality};

/// One hashed frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpdqFrame {
    pub frame: u32,
    pub quality: u8,
    pub hash: PdqHash,
    /// Seconds from the start of the video.
    pub timestamp: f64,
}

/// Parses the reference's text form: one `frame,quality,pdq_hex,timestamp`
/// line per frame (blank lines ignored).
pub fn parse_vpdq(text: &str) -> Result<Vec<VpdqFrame>, HashError> {
    let mut frames = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |reason: String| HashError::BadVpdqLine {
            line: n + 1,
            reason,
        };
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != 4 {
            return Err(bad(format!(
                "expected frame,quality,pdq,timestamp, found {} fields",
                fields.len()
            )));
        }
        let frame = fields[0]
            .parse()
            .map_err(|_| bad(format!("frame number {:?}", fields[0])))?;
        let quality = parse_quality(fields[1]).map_err(|e| bad(e.to_string()))?;
        let hash = PdqHash::parse(fields[2]).map_err(|e| bad(e.to_string()))?;
        let timestamp: f64 = fields[3]
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| bad(format!("timestamp {:?}", fields[3])))?;
        frames.push(VpdqFrame {
            frame,
            quality,
            hash,
            timestamp,
        });
    }
    Ok(frames)
}

/// How much of each video the other contains, in percent of unique
/// reliable frame hashes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpdqMatch {
    pub query_percent: f64,
    pub target_percent: f64,
}

impl VpdqMatch {
    /// Both shares at least `threshold` percent.
    pub fn is_match(&self, threshold: f64) -> bool {
        self.query_percent >= threshold && self.target_percent >= threshold
    }
}

/// The unique hashes of frames with quality at least `min_quality`.
fn reliable_unique(frames: &[VpdqFrame], min_quality: u8) -> Vec<PdqHash> {
    frames
        .iter()
        .filter(|f| f.quality >= min_quality)
        .map(|f| f.hash)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Share of `from` that has a hash of `into` within `distance`, percent.
fn share_found(from: &[PdqHash], into: &[PdqHash], distance: u32) -> f64 {
    if from.is_empty() {
        return 0.0;
    }
    let mut index = PdqIndex::with_capacity(into.len());
    for (i, h) in into.iter().enumerate() {
        index.add(i as u32, *h);
    }
    let found = from
        .iter()
        .filter(|h| !index.lookup(h, distance).is_empty())
        .count();
    found as f64 * 100.0 / from.len() as f64
}

/// Compares two videos' frame hashes (see the module description).
pub fn match_vpdq(
    query: &[VpdqFrame],
    target: &[VpdqFrame],
    distance: u32,
    min_quality: u8,
) -> VpdqMatch {
    let q = reliable_unique(query, min_quality);
    let t = reliable_unique(target, min_quality);
    VpdqMatch {
        query_percent: share_found(&q, &t, distance),
        target_percent: share_found(&t, &q, distance),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "d6a596dd25384b697961001fbfd20493e5867d7d0129d7c89697a4b4fef4480e";

    #[test]
    fn a_vpdq_line_parses_into_its_four_fields() {
        let frames = parse_vpdq(&format!("0,100,{H},0.000\n\n1,49,{H},0.033\n")).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].frame, 1);
        assert_eq!(frames[1].quality, 49);
        assert_eq!(frames[1].hash, PdqHash::parse(H).unwrap());
        assert!((frames[1].timestamp - 0.033).abs() < 1e-9);
    }

    #[test]
    fn a_bad_vpdq_line_is_refused_naming_the_line_and_the_field() {
        let err = parse_vpdq(&format!("0,100,{H},0.0\n1,100,abc,0.1\n")).unwrap_err();
        assert!(
            matches!(err, HashError::BadVpdqLine { line: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("64 hex digits"), "{err}");
        let err = parse_vpdq(&format!("0,100,{H}\n")).unwrap_err();
        assert!(err.to_string().contains("found 3 fields"), "{err}");
    }

    #[test]
    fn low_quality_frames_are_left_out_of_both_shares() {
        let a = PdqHash::parse(H).unwrap();
        let b = PdqHash([0x5a; 32]);
        let frame = |hash, quality| VpdqFrame {
            frame: 0,
            quality,
            hash,
            timestamp: 0.0,
        };
        let query = [frame(a, 100), frame(b, 10)];
        let target = [frame(a, 100)];
        let m = match_vpdq(&query, &target, 31, 50);
        assert_eq!(m.query_percent, 100.0);
        assert_eq!(m.target_percent, 100.0);
        let m = match_vpdq(&query, &target, 31, 0);
        assert_eq!(m.query_percent, 50.0);
    }
}
