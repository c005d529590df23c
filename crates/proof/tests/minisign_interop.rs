//! Interoperability with the reference tool: Debian's `minisign` verifies
//! what Accord signs, and Accord verifies what `minisign` signs.
//!
//! Without the binary these tests say so and pass, except in CI
//! (`CI=true`), where its absence is a failure: CI installs it
//! (`scripts/test.sh`, APT_PACKAGES).

use std::path::{Path, PathBuf};
use std::process::Command;

use accord_proof::minisign::{Algorithm, KeyId, PublicKey, SecretKey, Signature};

fn minisign() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("minisign"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "minisign is not installed; CI must have it (apt-get install minisign)"
        );
        eprintln!("SKIPPED: the minisign binary is not installed (apt-get install minisign)");
    }
    found
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("accord-proof-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(bin: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run minisign")
}

#[test]
fn minisign_verifies_a_file_signed_by_accord() {
    let Some(bin) = minisign() else { return };
    let dir = TempDir::new("accord-signs");
    let key = SecretKey::generate();
    let file = dir.path("list-v3.csv");
    std::fs::write(&file, "id,name\nACL-0001,Example Front\n").unwrap();
    let comment = "timestamp:1764600000\tfile:list-v3.csv\tlist:common\tversion:3";
    let sig = key.sign(&std::fs::read(&file).unwrap(), comment).unwrap();
    std::fs::write(dir.path("list-v3.csv.minisig"), sig.to_text()).unwrap();

    let pk = key.public_key().to_base64();
    let f = file.to_str().unwrap();
    let o = run(&bin, &["-Vm", f, "-P", &pk]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains(comment));

    // And with the public key file.
    std::fs::write(dir.path("accord.pub"), key.public_key().to_file_text()).unwrap();
    let o = run(
        &bin,
        &["-Vm", f, "-p", dir.path("accord.pub").to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // minisign refuses the same signature on altered content.
    std::fs::write(&file, "id,name\nACL-0001,Another Front\n").unwrap();
    let o = run(&bin, &["-Vm", f, "-P", &pk]);
    assert!(!o.status.success());
}

#[test]
fn accord_verifies_signatures_and_keys_made_by_minisign() {
    let Some(bin) = minisign() else { return };
    let dir = TempDir::new("minisign-signs");
    let (pub_path, key_path) = (dir.path("m.pub"), dir.path("m.key"));
    let o = run(
        &bin,
        &[
            "-G",
            "-W",
            "-p",
            pub_path.to_str().unwrap(),
            "-s",
            key_path.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = dir.path("decision.json");
    std::fs::write(&file, r#"{"decision":"concur"}"#).unwrap();
    let f = file.to_str().unwrap();
    let o = run(
        &bin,
        &[
            "-S",
            "-s",
            key_path.to_str().unwrap(),
            "-m",
            f,
            "-t",
            "timestamp:1\tmember:KAZ",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let pk = PublicKey::from_text(&std::fs::read_to_string(&pub_path).unwrap()).unwrap();
    let sig =
        Signature::parse(&std::fs::read_to_string(dir.path("decision.json.minisig")).unwrap())
            .unwrap();
    assert_eq!(sig.algorithm, Algorithm::Prehashed);
    assert_eq!(sig.trusted_comment, "timestamp:1\tmember:KAZ");
    sig.verify(&pk, &std::fs::read(&file).unwrap()).unwrap();
    assert!(sig.verify(&pk, b"{\"decision\":\"object\"}").is_err());

    // minisign's own passwordless secret key file loads, and signs as it.
    let sk = SecretKey::from_file_text(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    assert_eq!(sk.public_key(), pk);

    // A legacy (-l) signature over the file itself verifies too.
    let o = run(
        &bin,
        &[
            "-S",
            "-l",
            "-s",
            key_path.to_str().unwrap(),
            "-m",
            f,
            "-x",
            dir.path("legacy.minisig").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let legacy =
        Signature::parse(&std::fs::read_to_string(dir.path("legacy.minisig")).unwrap()).unwrap();
    assert_eq!(legacy.algorithm, Algorithm::Legacy);
    legacy.verify(&pk, &std::fs::read(&file).unwrap()).unwrap();
}

#[test]
fn minisign_signs_with_a_secret_key_file_written_by_accord() {
    let Some(bin) = minisign() else { return };
    let dir = TempDir::new("accord-key");
    let key = SecretKey::from_seed([42u8; 32], KeyId(*b"accord42"));
    std::fs::write(dir.path("a.key"), key.to_file_text()).unwrap();
    let file = dir.path("f.txt");
    std::fs::write(&file, "hello").unwrap();
    let o = run(
        &bin,
        &[
            "-S",
            "-s",
            dir.path("a.key").to_str().unwrap(),
            "-m",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sig =
        Signature::parse(&std::fs::read_to_string(dir.path("f.txt.minisig")).unwrap()).unwrap();
    sig.verify(&key.public_key(), b"hello").unwrap();
}

#[test]
fn a_member_signs_its_decision_with_minisign_and_the_platform_accepts_it() {
    use accord_proof::records::{
        Decision, DecisionKind, MemberKey, MemberKeyring, Signed, signing_bytes,
    };
    let Some(bin) = minisign() else { return };
    let dir = TempDir::new("member-signs");
    let (pub_path, key_path) = (dir.path("kaz.pub"), dir.path("kaz.key"));
    let o = run(
        &bin,
        &[
            "-G",
            "-W",
            "-p",
            pub_path.to_str().unwrap(),
            "-s",
            key_path.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let member_key = PublicKey::from_text(&std::fs::read_to_string(&pub_path).unwrap()).unwrap();

    // The platform certifies the member's key.
    let platform = SecretKey::from_seed([5u8; 32], KeyId(*b"platform"));
    let cert = Signed::sign(
        MemberKey {
            member: "KAZ".into(),
            public_key: member_key,
            valid_from: 0,
            valid_until: None,
            certified_at: 1,
        },
        &platform,
    )
    .unwrap();
    let members = MemberKeyring::build(
        &[cert],
        &accord_proof::Keyring::single(platform.public_key()),
    )
    .unwrap();

    // The member signs the decision's canonical bytes with the standard tool.
    let decision = Decision {
        list_id: "accord-common-list".into(),
        proposal: "P-007".into(),
        member: "KAZ".into(),
        decision: DecisionKind::Object,
        // Multi-script text is signed as NFC canonical JSON.
        reason: Some("Доказательства не представлены.".into()),
        at: 1_767_225_600,
    };
    let file = dir.path("decision.json");
    std::fs::write(&file, signing_bytes(&decision).unwrap()).unwrap();
    let o = run(
        &bin,
        &[
            "-S",
            "-s",
            key_path.to_str().unwrap(),
            "-m",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let signed = Signed {
        record: decision,
        signature: std::fs::read_to_string(dir.path("decision.json.minisig")).unwrap(),
    };
    members.verify_decision(&signed).unwrap();

    // Changing the decision after signing is refused.
    let mut changed = signed.clone();
    changed.record.decision = DecisionKind::Concur;
    assert!(members.verify_decision(&changed).is_err());
}
