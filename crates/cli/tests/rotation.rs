//! The proof over HTTP and across a key rotation, on the real binary:
//! `accord verify --log-url` against a running `accord serve --demo`,
//! `accord keys rotate`, and a byte changed in a published version.

mod support;

use support::*;

fn export(url: &str, version: u32, output: &str) -> std::process::Output {
    accord(&[
        "list",
        "export",
        "--database",
        url,
        "--version",
        &version.to_string(),
        "--format",
        "csv",
        "--output",
        output,
    ])
}

fn verify_url(file: &str, addr: &str, key: &str) -> std::process::Output {
    accord(&[
        "verify",
        file,
        "--log-url",
        &format!("http://{addr}"),
        "-P",
        key,
    ])
}

/// Lists one organisation by silence: a proposal, advanced past its
/// deadline. Returns the newest version's number.
async fn publish_one(url: &str) -> i64 {
    use accord_store::common_list::{NewProposal, SubjectKind};
    let store = accord_store::Store::open(url).await.unwrap();
    let mut entry = accord_lists::ListEntry::new("draft", accord_lists::EntrySchema::Organization);
    entry.push_name(accord_lists::EntryName::new(
        "Jamaat After-Rotation",
        accord_lists::NameKind::Primary,
    ));
    let kaz = accord_core::Principal::member_user(
        1,
        "kaz.admin",
        accord_core::MemberCode::parse("KAZ").unwrap(),
        accord_core::MemberKind::RegionalState,
        accord_core::Role::MemberAdmin,
    );
    let actor = accord_store::Actor::system("test");
    let p = store
        .create_proposal(
            &actor,
            &kaz,
            NewProposal::list(
                SubjectKind::Organization,
                entry,
                "case",
                "Finances attacks.",
            ),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    store
        .advance_due(&actor, p.state.deadline + time::Duration::minutes(1))
        .await
        .unwrap();
    let latest = store
        .list_versions()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.version)
        .max()
        .unwrap();
    store.close().await;
    latest
}

fn assert_ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}{}", out(o), err(o));
    out(o)
}

#[test]
fn bundles_verify_over_http_before_and_after_a_key_rotation() {
    let dir = Dir::new("rotation");
    let url = dir.sqlite("demo.db");
    let key_file = dir.path("signing.key");
    let old_pub = dir.path("old.pub");
    let old_bundle = dir.path("v2-old.bundle.json");
    {
        let s = serve(&url, &["--demo"]).unwrap();
        std::fs::write(&old_pub, get(&s.addr, "/api/transparency/key")).unwrap();
        std::fs::write(
            &old_bundle,
            get(&s.addr, "/api/list/versions/2/proof-bundle"),
        )
        .unwrap();
        // --log-url: the bundle named by the signature's trusted comment.
        let v5 = dir.path("v5.csv");
        assert_ok(&export(&url, 5, &v5));
        let said = assert_ok(&verify_url(&v5, &s.addr, &old_pub));
        assert!(
            said.contains("proof bundle of version 5 downloaded"),
            "{said}"
        );
        assert!(said.contains("checks passed"), "{said}");
        // Version 4's signature on version 5's file: named check fails.
        let v4 = dir.path("v4.csv");
        assert_ok(&export(&url, 4, &v4));
        let o = accord(&[
            "verify",
            &v5,
            "--signature",
            &format!("{v4}.minisig"),
            "--log-url",
            &format!("http://{}", s.addr),
            "-P",
            &old_pub,
        ]);
        assert!(!o.status.success());
        assert!(err(&o).contains("check failed"), "{}", err(&o));
        // No key, no verification: a key from the same server proves nothing.
        let o = accord(&["verify", &v5, "--log-url", &format!("http://{}", s.addr)]);
        assert!(!o.status.success());
        assert!(err(&o).contains("--public-key"), "{}", err(&o));
    }
    // Version 2 exported and signed with the old key.
    let v2_old = dir.path("v2-old.csv");
    assert_ok(&export(&url, 2, &v2_old));

    let o = accord(&[
        "keys",
        "rotate",
        "--database",
        &url,
        "--reason",
        "yearly",
        "--expires",
        "2099-01-01",
    ]);
    let said = assert_ok(&o);
    assert!(said.contains("rotated the platform key"), "{said}");
    let retired: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".retired"))
        .collect();
    assert_eq!(retired.len(), 1, "{retired:?}");
    assert_eq!(mode(&retired[0]), 0o600);
    assert_eq!(mode(&key_file), 0o600);
    assert!(!std::path::Path::new(&format!("{key_file}.new")).exists());

    // A version published after the rotation (signed by the new key only).
    let latest = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(publish_one(&url));
    assert!(latest > 5, "{latest}");
    let new_pub = dir.path("new.pub");
    {
        let s = serve(&url, &[]).unwrap();
        std::fs::write(&new_pub, get(&s.addr, "/api/transparency/key")).unwrap();
        let fresh = dir.path("fresh.csv");
        assert_ok(&export(&url, latest as u32, &fresh));
        let id = |p: &str| {
            accord_proof::PublicKey::from_text(&std::fs::read_to_string(p).unwrap())
                .unwrap()
                .key_id
                .to_string()
        };
        for key in [&old_pub, &new_pub] {
            let said = assert_ok(&verify_url(&fresh, &s.addr, key));
            assert!(!said.contains("SUPERSEDED"), "{said}");
            assert!(
                said.contains(&format!("signed by key {}", id(&new_pub))),
                "{said}"
            );
            let said = assert_ok(&verify_url(&v2_old, &s.addr, key));
            assert!(
                said.contains(&format!("signed by key {}", id(&old_pub))),
                "{said}"
            );
        }
        assert_ne!(
            std::fs::read(&new_pub).unwrap(),
            std::fs::read(&old_pub).unwrap(),
            "the server serves the new key"
        );
        // A file signed before the rotation, and the same version signed
        // again with the new key: both verify against the new bundle, with
        // the old key (followed along the chain) and with the new one.
        let v2_new = dir.path("v2-new.csv");
        assert_ok(&export(&url, 2, &v2_new));
        assert_eq!(
            std::fs::read(&v2_new).unwrap(),
            std::fs::read(&v2_old).unwrap()
        );
        assert_ne!(
            std::fs::read(format!("{v2_new}.minisig")).unwrap(),
            std::fs::read(format!("{v2_old}.minisig")).unwrap()
        );
        for file in [&v2_old, &v2_new] {
            for key in [&old_pub, &new_pub] {
                let said = assert_ok(&verify_url(file, &s.addr, key));
                assert!(said.contains("SUPERSEDED"), "{said}");
            }
        }
    }
    // The bundle saved before the rotation: still good with the old key;
    // it does not lead to the new key (docs/proof.md says so).
    let o = accord(&["verify", &v2_old, "--offline", &old_bundle, "-P", &old_pub]);
    assert_ok(&o);
    let o = accord(&["verify", &v2_old, "--offline", &old_bundle, "-P", &new_pub]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("the file signature check failed")
            && err(&o).contains("is neither the trusted key nor in its rotation chain"),
        "{}",
        err(&o)
    );

    // The old key put back by mistake: the server refuses to start with it.
    std::fs::rename(&key_file, dir.path("current.key")).unwrap();
    std::fs::copy(&retired[0], &key_file).unwrap();
    let refused = serve(&url, &[]).err().expect("the server must refuse");
    assert!(refused.contains("rotated out"), "{refused}");
}

#[test]
fn a_byte_changed_in_a_published_version_fails_verification() {
    let dir = Dir::new("tamper");
    let url = dir.sqlite("demo.db");
    let key = dir.path("accord.pub");
    let bundle = dir.path("v5.bundle.json");
    {
        let s = serve(&url, &["--demo"]).unwrap();
        std::fs::write(&key, get(&s.addr, "/api/transparency/key")).unwrap();
        std::fs::write(&bundle, get(&s.addr, "/api/list/versions/5/proof-bundle")).unwrap();
    }
    let original = dir.path("v5.csv");
    assert_ok(&export(&url, 5, &original));
    // A name from the list, changed by one letter in a copy of the database.
    let csv = std::fs::read_to_string(&original).unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h == "name")
        .expect("a name column");
    let name = rows
        .records()
        .map(|r| r.unwrap()[col].to_string())
        .find(|n| n.len() > 4 && n.is_ascii())
        .expect("an ASCII name");
    let mut changed = name.clone();
    let last = changed.pop().unwrap();
    changed.push(if last == 'x' { 'y' } else { 'x' });
    let copy = dir.path("tampered.db");
    assert_ok(&accord(&["backup", "--database", &url, "--output", &copy]));
    std::fs::copy(dir.path("signing.key"), dir.path("signing.key.copy")).unwrap();
    let copy_url = format!("sqlite://{copy}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = accord_store::Store::open(&copy_url).await.unwrap();
        let pool = store.raw_pool();
        sqlx::query("DROP TRIGGER list_versions_no_update")
            .execute(pool)
            .await
            .unwrap();
        let r = sqlx::query(
            "UPDATE list_versions SET entries = REPLACE(entries, $1, $2) WHERE version = 5",
        )
        .bind(&name)
        .bind(&changed)
        .execute(pool)
        .await
        .unwrap();
        assert_eq!(r.rows_affected(), 1);
        store.close().await;
    });

    // The CLI writes what the database now holds but refuses to sign it.
    let tampered = dir.path("v5-tampered.csv");
    let o = accord(&[
        "list",
        "export",
        "--database",
        &copy_url,
        "--version",
        "5",
        "--format",
        "csv",
        "--output",
        &tampered,
        "--signing-key",
        &dir.path("signing.key"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        err(&o).contains("was altered after it was published; nothing was signed"),
        "{}",
        err(&o)
    );
    assert!(
        std::fs::read_to_string(&tampered)
            .unwrap()
            .contains(&changed)
    );
    assert!(!std::path::Path::new(&format!("{tampered}.minisig")).exists());
    // With the bundle published before, the changed file fails the file
    // signature check: the signature covers the original bytes.
    let o = accord(&["verify", &tampered, "--offline", &bundle, "-P", &key]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("the file signature check failed: the signature does not match the file"),
        "{}",
        err(&o)
    );
    assert_ok(&accord(&[
        "verify",
        &original,
        "--offline",
        &bundle,
        "-P",
        &key,
    ]));

    // A server on the tampered copy serves neither a signature nor a bundle
    // for it; other versions are unaffected.
    let s = serve(&copy_url, &["--signing-key", &dir.path("signing.key")]).unwrap();
    for path in [
        "/api/list/export/csv.minisig?version=5",
        "/api/list/versions/5/proof-bundle",
    ] {
        let (status, _) = get_status(&s.addr, path);
        assert!(status.contains(" 500 "), "{path}: {status}");
    }
    get(&s.addr, "/api/list/versions/4/proof-bundle");
    let o = verify_url(&tampered, &s.addr, &key);
    assert!(!o.status.success());
    drop(s);

    // A byte changed in the log itself: the server's load of the log
    // checks each entry against its leaf hash, and so does audit verify.
    rt.block_on(async {
        let store = accord_store::Store::open(&copy_url).await.unwrap();
        let pool = store.raw_pool();
        sqlx::query("DROP TRIGGER transparency_entries_no_update")
            .execute(pool)
            .await
            .unwrap();
        let r = sqlx::query(
            "UPDATE transparency_entries SET entry = REPLACE(entry, 'accord-common-list', 'accord-common-lisT') WHERE list_version = 4",
        )
        .execute(pool)
        .await
        .unwrap();
        assert_eq!(r.rows_affected(), 1);
        store.close().await;
    });
    let o = accord(&[
        "audit",
        "verify",
        "--database",
        &copy_url,
        "--signing-key",
        &dir.path("signing.key"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", out(&o));
    assert!(
        err(&o).contains("leaf hash does not match its entry"),
        "{}",
        err(&o)
    );
}
