//! `accord verify`, run as a reader of the published list would: no
//! database, no network, a file, its signature, a bundle and a key.

use std::path::PathBuf;
use std::process::{Command, Output};

use accord_proof::bundle::sign_export;
use accord_proof::demo::{self, LIST_ID, World};
use accord_proof::keys::rotation_to;
use accord_proof::log::TransparencyLog;
use accord_proof::{ProofBundle, Signed};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("accord-verify-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
    fn write(&self, name: &str, data: impl AsRef<[u8]>) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p.to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_PUBLIC_KEY")
        .env_remove("ACCORD_CONFIG")
        .output()
        .expect("run accord")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes version `v`'s file and signature, the bundle and the key file.
fn publish(dir: &Dir, w: &World, v: u64, bundle: &ProofBundle) -> (String, String, String) {
    let f = w.file(v);
    let file = dir.write(&f.name, &f.bytes);
    dir.write(&format!("{}.minisig", f.name), f.signature.to_text());
    let b = dir.write("bundle.json", serde_json::to_string_pretty(bundle).unwrap());
    let key = dir.write("accord.pub", w.current_key.public_key().to_file_text());
    (file, b, key)
}

fn assert_fails(o: &Output, check: &str) {
    assert!(!o.status.success(), "should fail: {}", out(o));
    assert!(
        err(o).contains(&format!("the {check} failed")),
        "expected the {check} to fail, got: {}",
        err(o)
    );
}

#[test]
fn verify_has_help() {
    let o = accord(&["verify", "--help"]);
    assert!(o.status.success());
    assert!(out(&o).contains("--offline"));
}

#[test]
fn a_published_version_verifies_offline_with_its_bundle() {
    let w = World::build();
    let dir = Dir::new("ok");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    let o = accord(&["verify", &file, "--offline", &bundle, "--public-key", &key]);
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    assert!(s.contains("version 3 of accord-common-list"), "{s}");
    assert!(s.contains("KAZ concurs on P-003"), "{s}");
    assert!(s.contains("in the transparency log"), "{s}");
    assert!(!s.contains("SUPERSEDED"), "{s}");

    // The key's base64 line works as well as the key file.
    let b64 = w.current_key.public_key().to_base64();
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &b64]);
    assert!(o.status.success(), "{}", err(&o));
}

#[test]
fn the_signature_alone_is_checked_without_a_bundle_and_says_what_was_not() {
    let w = World::build();
    let dir = Dir::new("sig-only");
    let (file, _, key) = publish(&dir, &w, 3, &w.bundle(3));
    let o = accord(&["verify", &file, "-P", &key]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("not checked"), "{}", out(&o));
}

#[test]
fn the_signature_is_taken_from_the_bundle_when_none_lies_beside_the_file() {
    let w = World::build();
    let dir = Dir::new("sig-in-bundle");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    std::fs::remove_file(format!("{file}.minisig")).unwrap();
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &key]);
    assert!(o.status.success(), "{}", err(&o));
    let o = accord(&["verify", &file, "-P", &key]);
    assert!(!o.status.success());
    assert!(err(&o).contains("no signature"), "{}", err(&o));
}

#[test]
fn a_superseded_version_is_reported_with_its_successor() {
    let w = World::build();
    let dir = Dir::new("superseded");
    let (file, bundle, key) = publish(&dir, &w, 1, &w.bundle(1));
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &key]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("SUPERSEDED: version 1 was superseded by version 2"),
        "{}",
        out(&o)
    );
}

#[test]
fn the_log_is_checked_to_have_only_grown_since_an_earlier_head() {
    let w = World::build();
    let dir = Dir::new("grew");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    let head = dir.write(
        "seen-head.json",
        serde_json::to_string(&w.heads[0]).unwrap(),
    );
    let o = accord(&[
        "verify",
        &file,
        "--offline",
        &bundle,
        "-P",
        &key,
        "--earlier-head",
        &head,
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("the log only grew"), "{}", out(&o));
}

#[test]
fn a_signature_over_another_file_fails_the_file_signature_check() {
    let w = World::build();
    let dir = Dir::new("other-file");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    let other = dir.write("list-v2.csv.minisig", w.file(2).signature.to_text());
    let o = accord(&[
        "verify",
        &file,
        "--signature",
        &other,
        "--offline",
        &bundle,
        "-P",
        &key,
    ]);
    assert_fails(&o, "file signature check");
}

#[test]
fn another_versions_signature_on_the_same_bytes_fails_the_trusted_comment_check() {
    let w = World::build();
    let dir = Dir::new("replay");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    let replay = sign_export(
        &w.current_key,
        &w.file(3).bytes,
        "list-v2.csv",
        LIST_ID,
        2,
        demo::published_at(3),
    )
    .unwrap();
    let sig = dir.write("replay.minisig", replay.to_text());
    let o = accord(&[
        "verify",
        &file,
        "--signature",
        &sig,
        "--offline",
        &bundle,
        "-P",
        &key,
    ]);
    assert_fails(&o, "trusted comment check");
    assert!(err(&o).contains("version 2"), "{}", err(&o));
}

#[test]
fn a_truncated_signature_fails_the_file_signature_check() {
    let w = World::build();
    let dir = Dir::new("truncated");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    let text = w.file(3).signature.to_text();
    let sig = dir.write("cut.minisig", &text[..text.len() - 30]);
    let o = accord(&[
        "verify",
        &file,
        "--signature",
        &sig,
        "--offline",
        &bundle,
        "-P",
        &key,
    ]);
    assert_fails(&o, "file signature check");
    assert!(err(&o).contains("truncated"), "{}", err(&o));
}

#[test]
fn an_inclusion_proof_that_does_not_match_the_head_fails() {
    let w = World::build();
    let dir = Dir::new("inclusion");
    let mut b = w.bundle(3);
    b.inclusion.hashes.pop();
    let (file, bundle, key) = publish(&dir, &w, 3, &b);
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &key]);
    assert_fails(&o, "log inclusion check");
}

#[test]
fn a_consistency_proof_showing_a_rewritten_history_fails() {
    let w = World::build();
    let dir = Dir::new("rewritten");
    let mut entries = w.log.entries().to_vec();
    // Drop an early decision and log the rest again.
    entries.remove(4);
    let rewritten = TransparencyLog::from_entries(entries).unwrap();
    let head = rewritten
        .sign_head(&w.current_key, demo::published_at(3) + 600)
        .unwrap();
    let mut b = rewritten
        .bundle(LIST_ID, 3, &w.file(3).signature.to_text(), &head)
        .unwrap();
    let seen = &w.heads[1];
    b.consistency.push(
        rewritten
            .consistency_proof(seen.record.size, head.record.size)
            .unwrap(),
    );
    let (file, bundle, key) = publish(&dir, &w, 3, &b);
    let seen = dir.write("seen-head.json", serde_json::to_string(seen).unwrap());
    let o = accord(&[
        "verify",
        &file,
        "--offline",
        &bundle,
        "-P",
        &key,
        "--earlier-head",
        &seen,
    ]);
    assert_fails(&o, "log consistency check");
    assert!(err(&o).contains("rewritten"), "{}", err(&o));
}

#[test]
fn a_decision_signed_with_another_members_key_fails_naming_the_member() {
    let w = World::build();
    let dir = Dir::new("wrong-member");
    let mut b = w.bundle(3);
    let d = &mut b.version.record.adoption[1];
    assert_eq!(d.record.member, "KGZ");
    *d = Signed::sign(d.record.clone(), &w.members[2].1).unwrap();
    b.version = Signed::sign(b.version.record.clone(), &w.current_key).unwrap();
    let (file, bundle, key) = publish(&dir, &w, 3, &b);
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &key]);
    assert_fails(&o, "decision signature check (KGZ on P-003)");
    assert!(err(&o).contains("certified for TJK"), "{}", err(&o));
}

#[test]
fn a_rotated_out_key_signing_after_its_rotation_fails() {
    let w = World::build();
    let dir = Dir::new("rotated-out");
    let (file, bundle, key) = publish(&dir, &w, 3, &w.bundle(3));
    let late = sign_export(
        &w.first_key,
        &w.file(3).bytes,
        "list-v3.csv",
        LIST_ID,
        3,
        demo::published_at(3),
    )
    .unwrap();
    let sig = dir.write("late.minisig", late.to_text());
    let o = accord(&[
        "verify",
        &file,
        "--signature",
        &sig,
        "--offline",
        &bundle,
        "-P",
        &key,
    ]);
    assert_fails(&o, "signing key validity check");
    assert!(err(&o).contains("rotated out"), "{}", err(&o));
}

#[test]
fn an_expired_key_fails() {
    let w = World::build();
    let dir = Dir::new("expired");
    let mut b = w.bundle(3);
    b.key_rotations = vec![
        rotation_to(
            &w.first_key,
            &w.current_key,
            demo::ROTATED_AT,
            Some(demo::published_at(3) - 1),
            "scheduled rotation",
        )
        .unwrap(),
    ];
    let (file, bundle, key) = publish(&dir, &w, 3, &b);
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &key]);
    assert_fails(&o, "signing key validity check");
    assert!(err(&o).contains("expired"), "{}", err(&o));
}

#[test]
fn a_key_the_bundle_does_not_lead_to_fails() {
    let w = World::build();
    let dir = Dir::new("stranger");
    let (file, bundle, _) = publish(&dir, &w, 3, &w.bundle(3));
    let stranger = demo::key(99, "stranger").public_key().to_base64();
    let o = accord(&["verify", &file, "--offline", &bundle, "-P", &stranger]);
    assert_fails(&o, "platform key history check");
}

#[test]
fn a_log_url_that_does_not_answer_is_named() {
    let w = World::build();
    let dir = Dir::new("log-url");
    let (file, _, key) = publish(&dir, &w, 3, &w.bundle(3));
    // A port on this machine that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = accord(&[
        "verify",
        &file,
        "-P",
        &key,
        "--log-url",
        &format!("http://127.0.0.1:{port}/"),
    ]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains(&format!(
            "downloading the proof bundle from http://127.0.0.1:{port}/api/list/versions/3/proof-bundle?format=csv"
        )),
        "{}",
        err(&o)
    );
}

#[test]
fn a_file_that_is_not_a_bundle_is_refused_with_its_name() {
    let w = World::build();
    let dir = Dir::new("not-bundle");
    let (file, _, key) = publish(&dir, &w, 3, &w.bundle(3));
    let junk = dir.write("junk.json", "{}");
    let o = accord(&["verify", &file, "--offline", &junk, "-P", &key]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("is not a valid proof bundle"),
        "{}",
        err(&o)
    );
}

/// The standard tool verifies the files `accord verify` accepts.
#[test]
fn debian_minisign_verifies_the_published_file() {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("minisign"))
            .find(|p| p.is_file())
    });
    let Some(bin) = found else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "minisign is not installed; CI must have it (apt-get install minisign)"
        );
        eprintln!("SKIPPED: the minisign binary is not installed (apt-get install minisign)");
        return;
    };
    let w = World::build();
    let dir = Dir::new("minisign");
    let (file, _, _) = publish(&dir, &w, 2, &w.bundle(2));
    let o = Command::new(bin)
        .args(["-Vm", &file, "-P", &w.first_key.public_key().to_base64()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("version:2"), "{}", out(&o));
}
