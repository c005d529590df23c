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
//! Two text forms are read: the reference's hash files (one
//! `frame,quality,pdq_hex,timestamp` line per frame) and the signal string
//! ThreatExchange and HMA exchange (a JSON array of `"pdq_hex,quality,
//! timestamp"` strings), which is also the form Accord stores and returns.
//!
//! Frame extraction (decoding video) is not here: it needs a video decoder
//! and so I/O; `accord-video` runs Debian's ffmpeg and hashes each frame
//! with [`crate::pdq_of_rgb`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use crate::{HashError, MIN_QUALITY, PdqHash, PdqIndex, parse_quality};

/// A query video matches a stored one when at least this share of its
/// reliable unique frames finds a stored frame within the distance
/// (ThreatExchange's default).
pub const VPDQ_QUERY_MATCH_PERCENT: f64 = 80.0;
/// … and at least this share of the stored video's frames finds a query
/// frame (ThreatExchange's default: any, so a short clip of a long video
/// matches).
pub const VPDQ_INDEX_MATCH_PERCENT: f64 = 0.0;
/// The most frames one vPDQ signal may carry: ten hours at one frame a
/// second. Bounds the memory a stored or queried signal can take.
pub const MAX_VPDQ_FRAMES: usize = 36_000;

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
        let timestamp =
            parse_timestamp(fields[3]).ok_or_else(|| bad(format!("timestamp {:?}", fields[3])))?;
        frames.push(VpdqFrame {
            frame,
            quality,
            hash,
            timestamp,
        });
    }
    Ok(frames)
}

/// Reads a vPDQ signal in either text form (see the module description),
/// refusing one with no frames, too many, or none reliable (quality ≥ 50).
pub fn parse_vpdq_signal(text: &str) -> Result<Vec<VpdqFrame>, HashError> {
    let text = text.trim();
    let frames = if text.starts_with('[') {
        let items: Vec<String> =
            serde_json::from_str(text).map_err(|e| HashError::BadVpdqLine {
                line: 1,
                reason: format!("expected a JSON array of \"pdq,quality,timestamp\" strings ({e})"),
            })?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| compact_frame(i, item))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        parse_vpdq(text)?
    };
    if frames.is_empty() {
        return Err(HashError::NoFrames);
    }
    if frames.len() > MAX_VPDQ_FRAMES {
        return Err(HashError::TooManyFrames {
            found: frames.len(),
            max: MAX_VPDQ_FRAMES,
        });
    }
    if !frames.iter().any(|f| f.quality >= MIN_QUALITY) {
        return Err(HashError::NoReliableFrame {
            minimum: MIN_QUALITY,
        });
    }
    Ok(frames)
}

/// One `"pdq_hex,quality,timestamp"` item of the JSON form; frames are
/// numbered in order.
fn compact_frame(index: usize, item: &str) -> Result<VpdqFrame, HashError> {
    let bad = |reason: String| HashError::BadVpdqLine {
        line: index + 1,
        reason,
    };
    let fields: Vec<&str> = item.split(',').map(str::trim).collect();
    if fields.len() != 3 {
        return Err(bad(format!(
            "expected pdq,quality,timestamp, found {} fields",
            fields.len()
        )));
    }
    let hash = PdqHash::parse(fields[0]).map_err(|e| bad(e.to_string()))?;
    let quality = parse_quality(fields[1]).map_err(|e| bad(e.to_string()))?;
    let timestamp =
        parse_timestamp(fields[2]).ok_or_else(|| bad(format!("timestamp {:?}", fields[2])))?;
    Ok(VpdqFrame {
        frame: index as u32,
        quality,
        hash,
        timestamp,
    })
}

fn parse_timestamp(s: &str) -> Option<f64> {
    s.parse().ok().filter(|t: &f64| t.is_finite() && *t >= 0.0)
}

/// The signal string Accord stores, returns and ThreatExchange reads: a JSON
/// array of `"pdq_hex,quality,timestamp"`, timestamps to the millisecond.
pub fn vpdq_signal(frames: &[VpdqFrame]) -> String {
    let items: Vec<String> = frames
        .iter()
        .map(|f| format!("{},{},{:.3}", f.hash.to_hex(), f.quality, f.timestamp))
        .collect();
    serde_json::to_string(&items).expect("strings serialize")
}

/// The reference's hash-file form, one `frame,quality,pdq_hex,timestamp`
/// line per frame (what Meta's `match-hashes-byline` compares).
pub fn vpdq_lines(frames: &[VpdqFrame]) -> String {
    frames
        .iter()
        .map(|f| {
            format!(
                "{},{},{},{:.3}\n",
                f.frame,
                f.quality,
                f.hash.to_hex(),
                f.timestamp
            )
        })
        .collect()
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

/// Stored videos' frame hashes, for finding the videos a query video
/// matches without comparing it with each. Every reliable unique frame of
/// every video is one entry of a [`PdqIndex`]; a lookup probes it once per
/// query frame and counts, per video, the query frames that found one of its
/// frames and its frames that were found. The shares are those of
/// [`match_vpdq`] (pinned by a test), at the cost of one PDQ lookup per
/// unique query frame.
pub struct VpdqIndex<K> {
    frames: PdqIndex<(K, u32)>,
    /// Each video's reliable unique frame hashes.
    videos: HashMap<K, Vec<PdqHash>>,
}

impl<K: Clone + Eq + Hash + Ord> Default for VpdqIndex<K> {
    fn default() -> Self {
        Self {
            frames: PdqIndex::new(),
            videos: HashMap::new(),
        }
    }
}

/// A stored video a query matched, with both shares.
#[derive(Debug, Clone, PartialEq)]
pub struct VpdqFound<K> {
    pub id: K,
    pub shares: VpdqMatch,
}

impl<K: Clone + Eq + Hash + Ord> VpdqIndex<K> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of videos.
    pub fn len(&self) -> usize {
        self.videos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.videos.is_empty()
    }

    /// Adds (or replaces) a video; frames under the quality threshold are
    /// left out, as matching leaves them out.
    pub fn add(&mut self, id: K, frames: &[VpdqFrame]) {
        self.remove(&id);
        let unique = reliable_unique(frames, MIN_QUALITY);
        for (j, h) in unique.iter().enumerate() {
            self.frames.add((id.clone(), j as u32), *h);
        }
        self.videos.insert(id, unique);
    }

    pub fn remove(&mut self, id: &K) {
        if let Some(unique) = self.videos.remove(id) {
            for j in 0..unique.len() {
                self.frames.remove(&(id.clone(), j as u32));
            }
        }
    }

    /// The videos whose shares reach both thresholds (percent), best query
    /// share first, then by id.
    pub fn lookup(
        &self,
        query: &[VpdqFrame],
        distance: u32,
        query_percent: f64,
        target_percent: f64,
    ) -> Vec<VpdqFound<K>> {
        let unique = reliable_unique(query, MIN_QUALITY);
        if unique.is_empty() {
            return Vec::new();
        }
        // Per video: how many query frames found it, and which of its
        // frames were found.
        let mut hits: BTreeMap<K, (usize, BTreeSet<u32>)> = BTreeMap::new();
        // All the query's frames in one pass over the index.
        for found in self.frames.lookup_batch(&unique, distance) {
            let mut seen_for_q: BTreeSet<&K> = BTreeSet::new();
            for ((id, j), _) in &found {
                let entry = hits.entry(id.clone()).or_default();
                entry.1.insert(*j);
                if seen_for_q.insert(id) {
                    entry.0 += 1;
                }
            }
        }
        let mut out: Vec<VpdqFound<K>> = hits
            .into_iter()
            .filter_map(|(id, (query_hits, target_hits))| {
                let stored = self.videos.get(&id)?.len();
                let shares = VpdqMatch {
                    query_percent: query_hits as f64 * 100.0 / unique.len() as f64,
                    target_percent: target_hits.len() as f64 * 100.0 / stored as f64,
                };
                (shares.query_percent >= query_percent && shares.target_percent >= target_percent)
                    .then_some(VpdqFound { id, shares })
            })
            .collect();
        out.sort_by(|a, b| {
            b.shares
                .query_percent
                .total_cmp(&a.shares.query_percent)
                .then_with(|| a.id.cmp(&b.id))
        });
        out
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
