//! `accord member-key generate` and `accord sign`, as a state's officer
//! would use them to sign a decision prepared on a proposal's page: the
//! files are minisign's, the platform's verifier accepts the signature and
//! Debian's minisign verifies it too.

use std::path::PathBuf;
use std::process::{Command, Output};

use accord_proof::records::{Decision, DecisionKind, MemberKey, signing_bytes};
use accord_proof::{MemberKeyring, PublicKey, Signed};

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_CONFIG")
        .output()
        .expect("run accord")
}

fn dir(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("accord-member-key-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

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
        eprintln!("SKIPPED: the minisign binary is not installed");
    }
    found
}

#[test]
fn a_generated_member_key_signs_a_decision_the_platform_and_minisign_accept() {
    let d = dir("sign");
    let secret = d.join("kaz.key");
    let o = accord(&[
        "member-key",
        "generate",
        "--member",
        "KAZ",
        "--output",
        secret.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let public =
        PublicKey::from_text(&std::fs::read_to_string(d.join("kaz.pub")).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the secret key is private");
    }
    // Generating again over the same files is refused.
    let again = accord(&[
        "member-key",
        "generate",
        "--member",
        "KAZ",
        "--output",
        secret.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // The decision file as the proposal page offers it.
    let decision = Decision {
        list_id: "accord-common-list".into(),
        proposal: "P-7".into(),
        member: "KAZ".into(),
        decision: DecisionKind::Object,
        reason: Some("Нет доказательств.".into()),
        at: 1_796_000_000,
    };
    let file = d.join("accord-decision-P-7-KAZ-object.json");
    std::fs::write(&file, signing_bytes(&decision).unwrap()).unwrap();
    let o = accord(&[
        "sign",
        file.to_str().unwrap(),
        "--key",
        secret.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sig =
        std::fs::read_to_string(d.join("accord-decision-P-7-KAZ-object.json.minisig")).unwrap();

    let ring = MemberKeyring::from_keys(vec![MemberKey {
        member: "KAZ".into(),
        public_key: public.clone(),
        valid_from: 0,
        valid_until: None,
        certified_at: 0,
    }]);
    let signed = Signed {
        record: decision.clone(),
        signature: sig.clone(),
    };
    assert_eq!(ring.verify_decision(&signed).unwrap(), public.key_id);
    let mut other = signed.clone();
    other.record.decision = DecisionKind::Concur;
    assert!(
        ring.verify_decision(&other).is_err(),
        "the signature covers the decision"
    );

    if let Some(bin) = minisign() {
        let o = Command::new(bin)
            .args(["-Vm", file.to_str().unwrap(), "-P", &public.to_base64()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn signing_refuses_a_key_file_others_can_read_and_a_missing_file() {
    let d = dir("refuse");
    let secret = d.join("kgz.key");
    assert!(
        accord(&[
            "member-key",
            "generate",
            "--member",
            "KGZ",
            "--output",
            secret.to_str().unwrap()
        ])
        .status
        .success()
    );
    let missing = accord(&[
        "sign",
        d.join("nothing.json").to_str().unwrap(),
        "--key",
        secret.to_str().unwrap(),
    ]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        let file = d.join("d.json");
        std::fs::write(&file, b"{}").unwrap();
        let open = accord(&[
            "sign",
            file.to_str().unwrap(),
            "--key",
            secret.to_str().unwrap(),
        ]);
        assert!(
            !open.status.success(),
            "a key file others can read is refused"
        );
        assert!(!d.join("d.json.minisig").exists());
    }
    let bad_member = accord(&[
        "member-key",
        "generate",
        "--member",
        "not a code!",
        "--output",
        d.join("x.key").to_str().unwrap(),
    ]);
    assert!(!bad_member.status.success());
    let _ = std::fs::remove_dir_all(&d);
}
