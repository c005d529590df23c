//! vPDQ matching on Meta's regression frame hashes (tests/fixtures/vpdq):
//! the same video at another resolution matches, a different video does
//! not — and neither does the same video with a logo bar added, PDQ's
//! known weakness (borders and bars move every frame's hash).

use accord_hashes::{
    DEFAULT_PDQ_DISTANCE, MIN_QUALITY, VPDQ_INDEX_MATCH_PERCENT, VPDQ_QUERY_MATCH_PERCENT,
    VpdqFrame, VpdqIndex, match_vpdq, parse_vpdq, parse_vpdq_signal, vpdq_lines, vpdq_signal,
};

fn load(name: &str) -> Vec<VpdqFrame> {
    let path = format!(
        "{}/tests/fixtures/vpdq/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    parse_vpdq(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_sample_files_parse_completely() {
    assert_eq!(load("chair-orig-22-hd-no-bar").len(), 673);
    assert_eq!(load("pattern-hd-no-bar").len(), 206);
}

#[test]
fn the_same_video_at_another_resolution_matches() {
    let hd = load("chair-orig-22-hd-no-bar");
    for other in [
        "chair-orig-22-fhd-no-bar",
        "chair-orig-22-hd-no-bar-128x128",
    ] {
        let m = match_vpdq(&hd, &load(other), DEFAULT_PDQ_DISTANCE, MIN_QUALITY);
        println!("chair hd vs {other}: {m:?}");
        assert!(m.is_match(80.0), "{other}: {m:?}");
    }
    let itself = match_vpdq(&hd, &hd, 0, MIN_QUALITY);
    assert_eq!(
        (itself.query_percent, itself.target_percent),
        (100.0, 100.0)
    );
}

#[test]
fn a_different_video_does_not_match_nor_does_one_with_a_logo_bar() {
    let hd = load("chair-orig-22-hd-no-bar");
    for other in ["pattern-hd-no-bar", "chair-22-with-large-logo-bar"] {
        let m = match_vpdq(&hd, &load(other), DEFAULT_PDQ_DISTANCE, MIN_QUALITY);
        println!("chair hd vs {other}: {m:?}");
        assert!(
            m.query_percent < 10.0 && m.target_percent < 10.0,
            "{other}: {m:?}"
        );
    }
}

#[test]
fn the_index_gives_the_shares_of_pairwise_matching() {
    let names = [
        "chair-orig-22-hd-no-bar",
        "chair-orig-22-fhd-no-bar",
        "chair-orig-22-hd-no-bar-128x128",
        "chair-22-with-large-logo-bar",
        "pattern-hd-no-bar",
    ];
    let mut index = VpdqIndex::new();
    for name in names {
        index.add(name, &load(name));
    }
    let query = load("chair-orig-22-fhd-no-bar");
    let found = index.lookup(&query, DEFAULT_PDQ_DISTANCE, 0.0, 0.0);
    for name in names {
        let pairwise = match_vpdq(&query, &load(name), DEFAULT_PDQ_DISTANCE, MIN_QUALITY);
        let indexed = found.iter().find(|f| f.id == name);
        match indexed {
            Some(f) => assert_eq!(f.shares, pairwise, "{name}"),
            // Not reported only when nothing at all matched.
            None => assert_eq!(pairwise.query_percent, 0.0, "{name}"),
        }
    }
    // With the default thresholds only the chair without a bar is found, the
    // three versions of it, best first.
    let found = index.lookup(
        &query,
        DEFAULT_PDQ_DISTANCE,
        VPDQ_QUERY_MATCH_PERCENT,
        VPDQ_INDEX_MATCH_PERCENT,
    );
    let ids: Vec<&str> = found.iter().map(|f| f.id).collect();
    assert_eq!(ids.len(), 3, "{found:?}");
    assert!(ids.iter().all(|id| id.starts_with("chair-orig")), "{ids:?}");
    // Removal takes every frame of a video out.
    index.remove(&"chair-orig-22-fhd-no-bar");
    let found = index.lookup(&query, DEFAULT_PDQ_DISTANCE, 0.0, 0.0);
    assert!(found.iter().all(|f| f.id != "chair-orig-22-fhd-no-bar"));
    assert_eq!(index.len(), 4);
}

#[test]
fn the_signal_form_round_trips_and_reads_threatexchange_strings() {
    let frames = load("pattern-hd-no-bar");
    let signal = vpdq_signal(&frames);
    assert!(signal.starts_with("[\""), "{}", &signal[..40]);
    let back = parse_vpdq_signal(&signal).unwrap();
    assert_eq!(back.len(), frames.len());
    for (a, b) in frames.iter().zip(&back) {
        assert_eq!((a.hash, a.quality), (b.hash, b.quality));
        assert!((a.timestamp - b.timestamp).abs() < 0.0005);
    }
    // The reference's line form is read as a signal too.
    let lines = vpdq_lines(&frames);
    assert_eq!(parse_vpdq_signal(&lines).unwrap().len(), frames.len());
}

#[test]
fn a_bad_vpdq_signal_is_refused_saying_why() {
    let h = "d6a596dd25384b697961001fbfd20493e5867d7d0129d7c89697a4b4fef4480e";
    for (signal, expected) in [
        ("[]".to_string(), "no frames"),
        ("[\"abc,100,0.0\"]".to_string(), "64 hex digits"),
        (format!("[\"{h},100\"]"), "found 2 fields"),
        (format!("[\"{h},101,0.0\"]"), "0 to 100"),
        (
            format!("[\"{h},10,0.0\"]"),
            "no frame of the vPDQ hash has quality 50",
        ),
        ("[1,2]".to_string(), "JSON array"),
        (format!("0,100,{h}"), "found 3 fields"),
    ] {
        let err = parse_vpdq_signal(&signal).unwrap_err().to_string();
        assert!(err.contains(expected), "{signal}: {err}");
    }
    let long: Vec<String> = (0..=accord_hashes::MAX_VPDQ_FRAMES)
        .map(|i| format!("{h},100,{i}.0"))
        .collect();
    let err = parse_vpdq_signal(&serde_json::to_string(&long).unwrap()).unwrap_err();
    assert!(err.to_string().contains("over the limit"), "{err}");
}
