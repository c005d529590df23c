//! `accord hashes`, run as an operator would: no database anywhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .output()
        .expect("run accord")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-hashes-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

/// Demo images, a text file, a corrupt PNG and a ZIP in a nested folder.
fn sample_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("content");
    let out = accord(&[
        "hashes",
        "demo-images",
        s(&folder.join("images")),
        "--count",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(folder.join("notes.txt"), b"abc").unwrap();
    let mut corrupt = b"\x89PNG\r\n\x1a\n".to_vec();
    corrupt.extend_from_slice(&[0x42; 64]);
    std::fs::write(folder.join("images/broken.png"), corrupt).unwrap();
    std::fs::write(folder.join("archive.zip"), b"PK\x03\x04 zipped").unwrap();
    std::fs::write(
        folder.join("clip.mp4"),
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00 frames",
    )
    .unwrap();
    folder
}

#[test]
fn every_hashes_subcommand_has_help() {
    for sub in [
        "hash",
        "match",
        "bench",
        "bench-data",
        "import",
        "demo-images",
    ] {
        let out = accord(&["hashes", sub, "--help"]);
        assert!(
            out.status.success(),
            "hashes {sub} --help: {}",
            stderr(&out)
        );
    }
}

#[test]
fn hash_writes_digests_for_every_file_and_pdq_for_images() {
    let dir = scratch("hash");
    let folder = sample_folder(&dir);
    let csv_path = dir.join("hashes.csv");
    let out = accord(&["hashes", "hash", s(&folder), "--output", s(&csv_path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (headers, rows) = read_csv(&csv_path);
    assert_eq!(
        headers,
        ["path", "md5", "sha256", "pdq", "pdq_quality", "vpdq"]
    );
    // 8 demo images and the test-card video + broken.png + notes.txt +
    // archive.zip + clip.mp4, sorted.
    assert_eq!(rows.len(), 13);
    let paths: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let row = |p: &str| {
        rows.iter()
            .find(|r| r[0] == p)
            .unwrap_or_else(|| panic!("{p}"))
    };
    let notes = row("notes.txt");
    assert_eq!(notes[1], "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        notes[2],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(notes[3], "");
    assert_eq!(row("archive.zip")[3], "");
    let image = row("images/demo-00-original.png");
    assert_eq!(image[3].len(), 64);
    assert!(image[3].chars().all(|c| c.is_ascii_hexdigit()));
    assert!(image[4].parse::<u8>().unwrap() >= 50);
    // The corrupt image still gets digests, no PDQ, and a named complaint.
    let broken = row("images/broken.png");
    assert_eq!(broken[1].len(), 32);
    assert_eq!(broken[3], "");
    let err = stderr(&out);
    assert!(err.contains("images/broken.png: no PDQ hash"), "{err}");
    assert!(err.contains("PNG image is corrupt or truncated"), "{err}");
    // Something posing as a video gets its digests and says why it has no
    // vPDQ hash; a real video gets its frame hashes (when ffmpeg is here).
    assert_eq!(row("clip.mp4")[1].len(), 32);
    assert_eq!(row("clip.mp4")[5], "");
    assert!(err.contains("clip.mp4: no vPDQ hash: "), "{err}");
    let video = row("images/demo-test-card.mp4");
    if accord_video::ffmpeg_available(&Default::default()) {
        let frames = accord_hashes::parse_vpdq_signal(&video[5]).unwrap();
        assert_eq!(frames.len(), 5, "one frame a second of 5 s");
        assert_eq!(video[3], "", "no PDQ for a video");
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "ffmpeg is needed under CI"
        );
        assert!(err.contains("apt-get install ffmpeg"), "{err}");
    }
}

#[test]
fn match_finds_near_duplicates_best_first_and_writes_an_empty_row_for_no_match() {
    let dir = scratch("match");
    let folder = sample_folder(&dir);
    let bank = dir.join("bank.csv");
    let out = accord(&["hashes", "hash", s(&folder), "--output", s(&bank)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, rows) = read_csv(&bank);
    let original = rows
        .iter()
        .find(|r| r[0] == "images/demo-01-original.png")
        .unwrap()[3]
        .clone();
    let queries = dir.join("queries.csv");
    std::fs::write(
        &queries,
        format!(
            "id,pdq\nq-known,{original}\nq-none,{}\n",
            "0123456789abcdef".repeat(4)
        ),
    )
    .unwrap();
    let matches = dir.join("matches.csv");
    let out = accord(&[
        "hashes",
        "match",
        "--input",
        s(&queries),
        "--hashes",
        s(&bank),
        "--output",
        s(&matches),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (headers, rows) = read_csv(&matches);
    assert_eq!(headers, ["id", "rank", "match_id", "distance"]);
    let known: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "q-known").collect();
    // The original and its three near-duplicates, best first.
    assert_eq!(known.len(), 4, "{rows:?}");
    assert_eq!(known[0][1], "1");
    assert_eq!(known[0][2], "images/demo-01-original.png");
    assert_eq!(known[0][3], "0");
    let distances: Vec<u32> = known.iter().map(|r| r[3].parse().unwrap()).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]));
    assert!(distances.iter().all(|&d| d <= 31));
    assert!(known.iter().all(|r| r[2].starts_with("images/demo-01-")));
    let none: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "q-none").collect();
    assert_eq!(
        none,
        [&vec![
            "q-none".to_string(),
            String::new(),
            String::new(),
            String::new()
        ]]
    );

    // Radius 0 keeps only the exact ones (the original, and the JPEG copy
    // when re-encoding moved no bit).
    let out = accord(&[
        "hashes",
        "match",
        "--input",
        s(&queries),
        "--hashes",
        s(&bank),
        "--output",
        s(&matches),
        "--distance",
        "0",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, rows) = read_csv(&matches);
    let exact: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "q-known").collect();
    assert!(exact.len() < 4);
    assert!(exact.iter().all(|r| r[3] == "0"));
    assert!(exact.iter().any(|r| r[2] == "images/demo-01-original.png"));
}

fn match_with_queries(name: &str, queries: &str) -> Output {
    let dir = scratch(name);
    let bank = dir.join("bank.csv");
    std::fs::write(&bank, format!("id,pdq\nb1,{}\n", "ab".repeat(32))).unwrap();
    let input = dir.join("queries.csv");
    std::fs::write(&input, queries).unwrap();
    accord(&[
        "hashes",
        "match",
        "--input",
        s(&input),
        "--hashes",
        s(&bank),
        "--output",
        s(&dir.join("out.csv")),
    ])
}

#[test]
fn a_query_hash_of_the_wrong_length_is_refused_naming_the_line() {
    let out = match_with_queries(
        "short",
        &format!("id,pdq\nok,{}\nbad,abcd\n", "ab".repeat(32)),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("64 hex digits, this one has 4"), "{err}");
}

#[test]
fn a_query_hash_with_a_non_hex_character_is_refused_naming_it() {
    let bad = format!("{}zz", "ab".repeat(31));
    let out = match_with_queries("nonhex", &format!("id,pdq\nbad,{bad}\n"));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("found 'z' at position 62"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn low_quality_rows_are_refused_as_unreliable_and_skipped() {
    let out = match_with_queries(
        "quality",
        &format!(
            "id,pdq,pdq_quality\nlow,{},49\nfine,{},50\n",
            "ab".repeat(32),
            "ab".repeat(32)
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("low refused: PDQ quality 49 is below 50"),
        "{err}"
    );
    assert!(
        err.contains("1 hashes (0 rows without a pdq skipped, 1 refused as unreliable)"),
        "{err}"
    );
}

#[test]
fn a_csv_without_a_pdq_column_is_refused_listing_its_columns() {
    let out = match_with_queries("nopdq", "id,md5\nx,abc\n");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("has no pdq column"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_distance_over_256_is_refused() {
    let dir = scratch("distance");
    let f = dir.join("x.csv");
    std::fs::write(&f, "id,pdq\n").unwrap();
    let out = accord(&[
        "hashes",
        "match",
        "--input",
        s(&f),
        "--hashes",
        s(&f),
        "--output",
        s(&dir.join("o.csv")),
        "--distance",
        "300",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("a distance is 0 to 256 bits, found 300"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bench_runs_small_and_checks_itself_against_brute_force() {
    let out = accord(&[
        "hashes",
        "bench",
        "--hashes",
        "2000",
        "--queries",
        "300",
        "--images",
        "2",
        "--threads",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("identical on 200/200"), "{report}");
    assert!(report.contains("images/s"), "{report}");
}
