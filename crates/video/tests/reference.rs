//! vPDQ of real videos against Meta's reference: two of ThreatExchange's
//! sample videos (tests/fixtures, see its README) hashed frame by frame, as
//! the reference's regression test does (`regtest.py`, every frame), and
//! compared line by line with the reference's hashes, as its
//! `match-hashes-byline` does.

use std::path::PathBuf;
use std::time::Duration;

use accord_hashes::{
    DEFAULT_PDQ_DISTANCE, ImageLimits, MIN_QUALITY, VpdqFrame, match_vpdq, parse_vpdq,
};
use accord_video::{VideoError, VideoOptions, ffmpeg_available, probe, vpdq_of_video};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// ffmpeg is installed by `scripts/test.sh setup`; under CI a missing one
/// fails the test, elsewhere it is skipped with a word.
fn ffmpeg() -> Option<VideoOptions> {
    let options = VideoOptions {
        ffmpeg: std::env::var_os("ACCORD_FFMPEG").map_or("ffmpeg".into(), PathBuf::from),
        ..VideoOptions::default()
    };
    if ffmpeg_available(&options) {
        return Some(options);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "ffmpeg is needed under CI"
    );
    eprintln!("skipped: ffmpeg is not installed (apt-get install ffmpeg)");
    None
}

fn every_frame(video: &str, options: &VideoOptions) -> Vec<VpdqFrame> {
    let bytes = std::fs::read(fixture(&format!("{video}.mp4"))).unwrap();
    let options = VideoOptions {
        seconds_per_hash: 0.0,
        ..options.clone()
    };
    vpdq_of_video(&bytes, &options).unwrap()
}

fn reference(video: &str) -> Vec<VpdqFrame> {
    parse_vpdq(&std::fs::read_to_string(fixture(&format!("{video}.txt"))).unwrap()).unwrap()
}

#[test]
fn every_frame_is_within_the_match_distance_of_the_references_and_the_videos_match() {
    let Some(options) = ffmpeg() else { return };
    for video in ["test-padded-dimensions", "doorknob-hd-no-bar"] {
        let ours = every_frame(video, &options);
        let theirs = reference(video);
        assert_eq!(ours.len(), theirs.len(), "{video}: frame count");
        // Over the frames both sides call reliable (the others are not
        // matched): match-hashes-byline's rule, each within the distance.
        let mut distances = Vec::new();
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a.frame, b.frame);
            assert!(
                (a.timestamp - b.timestamp).abs() < 0.002,
                "{video} frame {}",
                a.frame
            );
            assert_eq!(
                a.quality >= MIN_QUALITY,
                b.quality >= MIN_QUALITY,
                "{video} frame {}: quality {} here, {} in the reference",
                a.frame,
                a.quality,
                b.quality
            );
            if a.quality >= MIN_QUALITY {
                distances.push(a.hash.distance(&b.hash));
            }
        }
        distances.sort();
        let worst = *distances.last().unwrap();
        let mean = distances.iter().sum::<u32>() as f64 / distances.len() as f64;
        println!(
            "{video}: {} frames, {} reliable: mean {mean:.1} bits from the reference, median {}, worst {worst}",
            ours.len(),
            distances.len(),
            distances[distances.len() / 2]
        );
        assert!(worst <= DEFAULT_PDQ_DISTANCE, "{video}: {worst} bits");
        let m = match_vpdq(&ours, &theirs, DEFAULT_PDQ_DISTANCE, MIN_QUALITY);
        assert_eq!(
            (m.query_percent, m.target_percent),
            (100.0, 100.0),
            "{video}"
        );
    }
}

#[test]
fn one_frame_a_second_is_hashed_by_default() {
    let Some(options) = ffmpeg() else { return };
    let bytes = std::fs::read(fixture("test-padded-dimensions.mp4")).unwrap();
    let info = probe(&bytes, &options).unwrap();
    assert_eq!(
        (info.width, info.height, info.frames_per_second),
        (1080, 1080, 30.0)
    );
    let frames = vpdq_of_video(&bytes, &options).unwrap();
    // 150 frames at 30 fps: frames 0, 30, 60, 90, 120.
    let numbers: Vec<u32> = frames.iter().map(|f| f.frame).collect();
    assert_eq!(numbers, [0, 30, 60, 90, 120]);
    let all = reference("test-padded-dimensions");
    for f in &frames {
        let r = &all[f.frame as usize];
        assert!(f.hash.distance(&r.hash) <= DEFAULT_PDQ_DISTANCE);
    }
}

#[test]
fn what_is_not_a_video_is_refused_saying_so() {
    let Some(options) = ffmpeg() else { return };
    for bytes in [
        b"not a video at all, just some text".to_vec(),
        std::fs::read(fixture("test-padded-dimensions.txt")).unwrap(),
    ] {
        let err = vpdq_of_video(&bytes, &options).unwrap_err();
        assert!(matches!(err, VideoError::NotAVideo { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with("not a video ffmpeg can read"),
            "{err}"
        );
    }
    // A truncated video: its index (at the start) promises frames that are
    // not there.
    let bytes = std::fs::read(fixture("doorknob-hd-no-bar.mp4")).unwrap();
    let cut = &bytes[..bytes.len() / 3];
    let err = vpdq_of_video(cut, &options).unwrap_err();
    assert!(matches!(err, VideoError::Corrupt { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the video is corrupt or truncated: corrupt input packet in stream 0"
    );
}

#[test]
fn frames_over_the_size_limit_and_videos_over_the_frame_limit_are_refused() {
    let Some(options) = ffmpeg() else { return };
    let bytes = std::fs::read(fixture("test-padded-dimensions.mp4")).unwrap();
    let small = VideoOptions {
        limits: ImageLimits {
            max_side: 1000,
            max_pixels: 1_000_000,
        },
        ..options.clone()
    };
    let err = vpdq_of_video(&bytes, &small).unwrap_err();
    assert!(
        matches!(err, VideoError::TooLarge { width: 1080, .. }),
        "{err:?}"
    );
    let short = VideoOptions {
        max_frames: 3,
        ..options.clone()
    };
    let err = vpdq_of_video(&bytes, &short).unwrap_err();
    assert_eq!(err, VideoError::TooLong { max: 3 });
    let hasty = VideoOptions {
        seconds_per_hash: 0.0,
        timeout: Duration::from_millis(1),
        ..options
    };
    let err = vpdq_of_video(&bytes, &hasty).unwrap_err();
    assert!(matches!(err, VideoError::TimedOut { .. }), "{err:?}");
}

#[test]
fn without_ffmpeg_the_message_says_what_to_install() {
    let options = VideoOptions {
        ffmpeg: "/nonexistent/ffmpeg".into(),
        ..VideoOptions::default()
    };
    assert!(!ffmpeg_available(&options));
    let err = vpdq_of_video(b"\x00\x00\x00\x20ftypisom", &options).unwrap_err();
    assert!(matches!(err, VideoError::NoFfmpeg { .. }), "{err:?}");
    assert!(err.to_string().contains("apt-get install ffmpeg"), "{err}");
}
