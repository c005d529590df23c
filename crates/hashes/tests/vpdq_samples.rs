//! vPDQ matching on Meta's regression frame hashes (tests/fixtures/vpdq):
//! the same video at another resolution matches, a different video does
//! not — and neither does the same video with a logo bar added, PDQ's
//! known weakness (borders and bars move every frame's hash).

use accord_hashes::{DEFAULT_PDQ_DISTANCE, MIN_QUALITY, VpdqFrame, match_vpdq, parse_vpdq};

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
