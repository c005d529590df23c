//! The `accord` binary, run as an operator would.

use std::process::{Command, Output};

use accord_store::testing::TestDatabase;

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .output()
        .expect("run accord")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "unlock", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "checkpoint", "--help"],
        vec!["keys", "rotate", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["common-list", "versions", "--help"],
        vec!["list", "export", "--help"],
        vec!["list", "show", "--help"],
        vec!["programmes", "import", "--help"],
        vec!["programmes", "export", "--help"],
    ] {
        let o = accord(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
}

#[tokio::test]
async fn an_operator_creates_users_and_tokens_and_verifies_the_audit_log() {
    let db = TestDatabase::sqlite();
    let url = db.url.clone();
    let o = accord(&["migrate", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("30 members seeded"));

    let o = accord(&[
        "user",
        "add",
        "--database",
        &url,
        "--username",
        "kz.border",
        "--display-name",
        "Border post",
        "--member",
        "KAZ",
        "--role",
        "reader",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("one-time password: "));

    let o = accord(&[
        "user",
        "add",
        "--database",
        &url,
        "--username",
        "kz.border",
        "--display-name",
        "Again",
        "--member",
        "KAZ",
        "--role",
        "reader",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("username: kz.border is already taken"),
        "{}",
        stderr(&o)
    );

    let o = accord(&[
        "user",
        "add",
        "--database",
        &url,
        "--username",
        "x",
        "--display-name",
        "X",
        "--member",
        "KAZ",
        "--role",
        "king",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("role"), "{}", stderr(&o));

    // An account with a one-time password can have no token yet: it would
    // be refused everywhere until the password is changed.
    let token_for = |user: &str| {
        accord(&[
            "token",
            "create",
            "--database",
            &url,
            "--user",
            user,
            "--name",
            "gate 3",
            "--scope",
            "screen",
        ])
    };
    let o = token_for("kz.border");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("one-time password"), "{}", stderr(&o));
    // A machine account is created with a password of its own.
    let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "user",
            "add",
            "--database",
            &url,
            "--username",
            "kz.gate3",
            "--display-name",
            "Gate 3",
            "--member",
            "KAZ",
            "--role",
            "reader",
            "--password-stdin",
        ])
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long machine password\n")
        .unwrap();
    assert!(add.wait_with_output().unwrap().status.success());
    let o = token_for("kz.gate3");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().any(|l| l.starts_with("acc_")));
    assert!(stdout(&o).contains("scopes: screen"), "{}", stdout(&o));
    // A token needs its scopes, and a known one.
    let o = accord(&[
        "token",
        "create",
        "--database",
        &url,
        "--user",
        "kz.gate3",
        "--name",
        "x",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "clap refuses a token without scopes"
    );
    let o = accord(&[
        "token",
        "create",
        "--database",
        &url,
        "--user",
        "kz.gate3",
        "--name",
        "x",
        "--scope",
        "root",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("\"root\" is not a scope"),
        "{}",
        stderr(&o)
    );

    // Failed sign-ins are forgotten by `user unlock`.
    let store = accord_store::Store::open(&url).await.unwrap();
    let throttle = accord_store::LoginThrottle {
        free_failures: 1,
        ..Default::default()
    };
    let client = accord_store::Actor {
        id: None,
        label: "anonymous".into(),
        ip: "192.0.2.1".into(),
    };
    let attempt = |password: &'static str| {
        let store = store.clone();
        let client = client.clone();
        async move {
            store
                .sign_in(&client, &throttle, "kz.gate3", password)
                .await
        }
    };
    assert!(matches!(attempt("wrong password!").await, Ok(Err(_))));
    assert!(matches!(
        attempt("a long machine password").await,
        Err(accord_store::StoreError::TooManyAttempts { .. })
    ));
    let o = accord(&["user", "unlock", "--database", &url, "kz.gate3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("unlocked kz.gate3"), "{}", stdout(&o));
    assert!(matches!(
        attempt("a long machine password").await,
        Ok(Ok(_))
    ));
    let o = accord(&["user", "unlock", "--database", &url, "nobody"]);
    assert_eq!(o.status.code(), Some(1));
    store.close().await;

    let o = accord(&["user", "list", "--database", &url, "--json"]);
    let users: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(users[0]["username"], "kz.border");
    assert_eq!(users[1]["username"], "kz.gate3");

    let o = accord(&["user", "disable", "--database", &url, "kz.border"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = accord(&["audit", "verify", "--database", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("intact"));
    db.drop_database().await;
}

#[tokio::test]
async fn audit_verify_exits_non_zero_naming_the_first_broken_record() {
    let db = TestDatabase::sqlite();
    let url = db.url.clone();
    assert!(accord(&["migrate", "--database", &url]).status.success());
    for name in ["a.one", "b.two", "c.three"] {
        let o = accord(&[
            "user",
            "add",
            "--database",
            &url,
            "--username",
            name,
            "--display-name",
            "N",
            "--member",
            "KAZ",
            "--role",
            "reader",
        ]);
        assert!(o.status.success());
    }
    {
        let store = accord_store::Store::open(&url).await.unwrap();
        let pool = store.raw_pool();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET details = '{}' WHERE seq = 3")
            .execute(pool)
            .await
            .unwrap();
        store.close().await;
    }
    let o = accord(&["audit", "verify", "--database", &url]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("record 3 was altered"),
        "{}",
        stderr(&o)
    );
    db.drop_database().await;
}

#[tokio::test]
async fn a_database_of_a_newer_schema_gets_a_clear_message_and_exit_code_2() {
    let db = TestDatabase::sqlite();
    let url = db.url.clone();
    assert!(accord(&["migrate", "--database", &url]).status.success());
    {
        let store = accord_store::Store::open(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99999, 'future', CURRENT_TIMESTAMP, TRUE, X'00', 1)",
        )
        .execute(store.raw_pool())
        .await
        .unwrap();
        store.close().await;
    }
    let o = accord(&["serve", "--database", &url, "--bind", "127.0.0.1:0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("upgrade accord"), "{}", stderr(&o));
    db.drop_database().await;
}

#[test]
fn a_database_that_cannot_be_opened_gets_exit_code_2() {
    let o = accord(&[
        "migrate",
        "--database",
        "sqlite:///nonexistent-dir/deeper/accord.db",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot open the database"),
        "{}",
        stderr(&o)
    );
    let o = accord(&["migrate", "--database", "mysql://somewhere/db"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("panicked"));
}

#[tokio::test]
async fn backup_writes_a_consistent_copy_and_refuses_to_overwrite() {
    let db = TestDatabase::sqlite();
    let url = db.url.clone();
    assert!(accord(&["migrate", "--database", &url]).status.success());
    let out = std::env::temp_dir().join(format!("accord-cli-backup-{}.db", std::process::id()));
    std::fs::remove_file(&out).ok();
    let o = accord(&[
        "backup",
        "--database",
        &url,
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = accord(&[
        "audit",
        "verify",
        "--database",
        &format!("sqlite://{}", out.display()),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = accord(&[
        "backup",
        "--database",
        &url,
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_file(&out).ok();
    db.drop_database().await;
}

#[test]
fn a_bad_configuration_file_is_reported() {
    let path = std::env::temp_dir().join(format!("accord-bad-config-{}.toml", std::process::id()));
    std::fs::write(&path, "databse = 'typo'").unwrap();
    let o = accord(&["--config", path.to_str().unwrap(), "migrate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is invalid"), "{}", stderr(&o));
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn a_clock_lease_no_longer_than_its_tick_is_refused() {
    let db = TestDatabase::sqlite();
    let path =
        std::env::temp_dir().join(format!("accord-clock-config-{}.toml", std::process::id()));
    for (config, refused) in [
        ("procedure_clock_lease_seconds = 60", true),
        ("procedure_clock_seconds = 200", true),
        ("procedure_clock_seconds = 0", true),
        (
            "procedure_clock_seconds = 5\nprocedure_clock_lease_seconds = 10",
            false,
        ),
    ] {
        std::fs::write(&path, format!("bundled_lists = false\n{config}\n")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args([
                "--config",
                path.to_str().unwrap(),
                "serve",
                "--database",
                &db.url,
            ])
            .args(["--bind", "127.0.0.1:0"])
            .env_remove("ACCORD_DATABASE_URL")
            .env_remove("ACCORD_CONFIG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Reads until it listens (then stops it) or exits: never hangs.
        let mut printed = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap())) {
            let line = line.unwrap();
            printed.push_str(&line);
            if line.starts_with("Accord is listening") {
                child.kill().ok();
                break;
            }
        }
        let o = child.wait_with_output().unwrap();
        if refused {
            assert!(!printed.contains("listening"), "{config}: {printed}");
            assert_eq!(o.status.code(), Some(1), "{config}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("procedure_clock"),
                "{config}: {}",
                stderr(&o)
            );
        } else {
            assert!(
                printed.contains("listening"),
                "{config}: {printed}{}",
                stderr(&o)
            );
        }
    }
    std::fs::remove_file(&path).ok();
    db.drop_database().await;
}

#[tokio::test]
async fn reference_lists_are_imported_in_versions_and_screened_without_list_files() {
    let db = TestDatabase::sqlite();
    let url = db.url.clone();
    let un = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../lists/tests/fixtures/un_sample.xml"
    );
    let o = accord(&["lists", "import", "--database", &url, "un", un]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("version 1 imported"), "{}", stdout(&o));
    let o = accord(&["lists", "import", "--database", &url, "un", un]);
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));

    let broken = std::env::temp_dir().join(format!("accord-broken-{}.xml", std::process::id()));
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>\n<DATAID>1</DATA",
    )
    .unwrap();
    let o = accord(&[
        "lists",
        "import",
        "--database",
        &url,
        "un",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line"),
        "the position of the error is named: {}",
        stderr(&o)
    );
    std::fs::remove_file(&broken).ok();

    let o = accord(&["lists", "versions", "--database", &url]);
    assert!(stdout(&o).contains("un v1"), "{}", stdout(&o));

    let dir = std::env::temp_dir().join(format!("accord-screen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.csv");
    let output = dir.join("out.csv");
    let entry = accord_lists::load_path(un).unwrap().entries[0].clone();
    std::fs::write(
        &input,
        format!(
            "id,name\nq1,{}\nq2,\n",
            entry.names[0].text.replace(',', " ")
        ),
    )
    .unwrap();
    let o = accord(&[
        "screen",
        "--database",
        &url,
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(out.starts_with("id,name,rank,match_id"), "{out}");
    assert!(
        out.contains("q1,") && out.contains(&entry.reference),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("q2,")), "{out}");
    // q2 has no name: said on the terminal, not only in the file.
    assert!(
        stderr(&o).contains("1 of 2 rows could not be screened"),
        "{}",
        stderr(&o)
    );

    // A Russian-locale spreadsheet's CSV: Windows-1251, semicolons.
    let (legacy, _, _) = encoding_rs::WINDOWS_1251.encode("id;name\nк1;Мухаммад Тахир Анвари\n");
    std::fs::write(&input, &legacy).unwrap();
    let o = accord(&[
        "screen",
        "--list",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../screening/tests/fixtures/un_screening.xml"
        ),
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read as CSV in windows-1251, separated by semicolon"),
        "{}",
        stderr(&o)
    );
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(out.contains("к1,Мухаммад Тахир Анвари,1,TAi.005"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
    db.drop_database().await;
}

#[test]
fn demo_accounts_cover_every_regional_state_and_the_ombudsperson() {
    let dir = std::env::temp_dir().join(format!("accord-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/demo.db", dir.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "serve",
            "--demo",
            "--database",
            &url,
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start accord");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut demo = String::new();
    while std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0 {
        if line.starts_with("Demo accounts") {
            demo = line.clone();
            break;
        }
        line.clear();
    }
    child.kill().ok();
    child.wait().ok();
    for user in [
        "secretariat",
        "ombudsperson",
        "kaz.admin",
        "kgz.admin",
        "tjk.admin",
        "uzb.admin",
        "afg.admin",
        "bgd.admin",
        "ind.admin",
        "pak.admin",
        "lka.admin",
        "usa.reader",
    ] {
        assert!(demo.contains(user), "{user} missing from: {demo}");
    }
    // A published common list with a history: listings, links, a delisting.
    let o = accord(&["common-list", "versions", "--database", &url]);
    let versions = stdout(&o);
    assert!(versions.starts_with("v5:"), "{versions}");
    assert!(versions.contains("-1"), "a delisting: {versions}");
    let o = accord(&["list", "show", "ACL-0002", "--database", &url]);
    let sponsor = stdout(&o);
    assert!(sponsor.contains("sponsor_of ACL-0001"), "{sponsor}");
    assert!(
        sponsor.contains("Cyrl") && sponsor.contains("Arab"),
        "{sponsor}"
    );
    demo_programmes_from_the_shell(&dir, &url);
    std::fs::remove_dir_all(&dir).ok();
}

/// The demo's programmes exported as IATI (valid against the 2.03 schema)
/// and CSV, and imported back: unchanged; a broken file changes nothing.
fn demo_programmes_from_the_shell(dir: &std::path::Path, url: &str) {
    let iati = dir.join("activities.xml");
    let o = accord(&[
        "programmes",
        "export",
        "--database",
        url,
        "--format",
        "iati",
        "--output",
        iati.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let xml = std::fs::read_to_string(&iati).unwrap();
    assert_eq!(
        xml.matches("<iati-activity ").count(),
        3,
        "the three CLEAR programmes flagged for IATI"
    );
    assert!(
        !xml.contains("kaz-prison"),
        "the AMBER prison programme is not published"
    );
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../programmes/tests/fixtures/iati-schema/iati-activities-schema.xsd"
    );
    match Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", schema])
        .arg(&iati)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) if std::env::var("CI").is_err() => eprintln!("SKIPPED: xmllint is not installed"),
        Err(e) => panic!("xmllint is needed in CI: {e}"),
    }
    let o = accord(&[
        "programmes",
        "export",
        "--database",
        url,
        "--format",
        "iati",
        "--output",
        iati.to_str().unwrap(),
    ]);
    assert!(!o.status.success(), "an existing file is not overwritten");
    let csv = dir.join("programmes.csv");
    let o = accord(&[
        "programmes",
        "export",
        "--database",
        url,
        "--format",
        "programmes",
        "--output",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().count(),
        11,
        "a header and one row per programme, AMBER included for the operator"
    );
    let o = accord(&[
        "programmes",
        "import",
        "--database",
        url,
        "--as",
        "secretariat",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 created, 0 updated, 10 unchanged"),
        "{}",
        stdout(&o)
    );
    let broken = dir.join("broken.csv");
    std::fs::write(&broken, text.replacen("15210:", "99999:", 1)).unwrap();
    let o = accord(&[
        "programmes",
        "import",
        "--database",
        url,
        "--as",
        "secretariat",
        broken.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("nothing changed") && stderr(&o).contains("99999"),
        "{}",
        stderr(&o)
    );
    let o = accord(&[
        "programmes",
        "import",
        "--database",
        url,
        "--as",
        "nobody",
        csv.to_str().unwrap(),
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("nobody"),
        "{}",
        stderr(&o)
    );
}

/// The common list from the shell, on SQLite and (when a server is given) PostgreSQL.
#[tokio::test]
async fn the_common_list_is_listed_exported_and_shown_from_the_shell() {
    for backend in [
        accord_store::Backend::Sqlite,
        accord_store::Backend::Postgres,
    ] {
        let Some(db) = TestDatabase::new(backend).await else {
            continue;
        };
        common_list_from_the_shell(&db.url).await;
        db.drop_database().await;
    }
}

async fn common_list_from_the_shell(url: &str) {
    use accord_store::common_list::{NewProposal, SubjectKind};
    if url.starts_with("sqlite:") {
        // Read-only commands never create a database at a mistyped path.
        let typo = format!("{url}-typo");
        let o = accord(&["common-list", "versions", "--database", &typo]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let path = typo
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        assert!(!std::path::Path::new(&path).exists(), "{path} was created");
    }
    let o = accord(&["migrate", "--database", url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = accord(&["list", "versions", "--database", url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no version"), "{}", stdout(&o));

    let store = accord_store::Store::open(url).await.unwrap();
    let mut entry = accord_lists::ListEntry::new("draft", accord_lists::EntrySchema::Organization);
    entry.push_name(accord_lists::EntryName::new(
        "Jamaat Al-Example",
        accord_lists::NameKind::Primary,
    ));
    entry.push_name(accord_lists::EntryName::new("Джамаат", accord_lists::NameKind::Alias).weak());
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
    store.close().await;

    let o = accord(&["common-list", "versions", "--database", url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("v1: 1 entries"), "{}", stdout(&o));

    let dir = std::env::temp_dir().join(format!("accord-cl-{}-{}", std::process::id(), url.len()));
    std::fs::create_dir_all(&dir).unwrap();
    for (format, marker) in [
        ("csv", "reference,schema,name"),
        ("ftm", "\"schema\""),
        ("un-xml", "<CONSOLIDATED_LIST"),
        ("stix", "\"type\": \"bundle\""),
    ] {
        let out = dir.join(format!("v1.{format}"));
        let o = accord(&[
            "list",
            "export",
            "--database",
            url,
            "--version",
            "1",
            "--format",
            format,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("Jamaat Al-Example"), "{format}: {text}");
        assert!(
            text.contains(marker) || text.contains(&marker.replace(": ", ":")),
            "{format}: {text}"
        );
        // Never overwrites.
        let o = accord(&[
            "list",
            "export",
            "--database",
            url,
            "--format",
            format,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert!(stderr(&o).contains("cannot create"), "{}", stderr(&o));
    }
    let out = dir.join("v9.csv");
    let o = accord(&[
        "list",
        "export",
        "--database",
        url,
        "--version",
        "9",
        "--format",
        "csv",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("version 9"), "{}", stderr(&o));
    assert!(!out.exists(), "nothing is written for an unknown version");
    let o = accord(&[
        "list",
        "export",
        "--database",
        url,
        "--format",
        "pdf",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "clap refuses an unknown format");
    assert!(!out.exists());

    let o = accord(&["list", "show", "--database", url, "acl-0001"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("ACL-0001") && text.contains("listed"),
        "{text}"
    );
    assert!(text.contains("Джамаат (alias, Cyrl, weak)"), "{text}");
    assert!(text.contains("Finances attacks."), "{text}");
    let o = accord(&["list", "show", "--database", url, "ACL-0001", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["subject"]["public_id"], "ACL-0001");
    let o = accord(&["list", "show", "--database", url, "ACL-0404"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ACL-0404"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

/// A passenger manifest with a UN-listed person written as his passport
/// would write him (LYi.023, passport LY53FP76) and one person on no list.
fn manifest_file(dir: &std::path::Path, name: &str, reference: &str) -> std::path::PathBuf {
    use accord_paxlst::ListKind;
    use accord_paxlst::builder::{LegSpec, ManifestBuilder, MessageSpec, TravellerSpec};
    let msg = MessageSpec::new(
        reference,
        ListKind::Passengers,
        "XA123",
        vec![LegSpec::new("IST", "2601151400", "NQZ", "2601152105")],
    )
    .traveller(
        TravellerSpec::passenger("AL FITOURI", "AHMAD")
            .middle("OUMAR IMHAMAD")
            .born("880507")
            .nationality("LBY")
            .passport("LY53FP76", "300928", "LBY"),
    )
    .traveller(
        TravellerSpec::passenger("EXAMPLOV", "ARMAN")
            .born("910304")
            .nationality("KAZ")
            .passport("N00000001", "300101", "KAZ"),
    );
    let path = dir.join(name);
    std::fs::write(&path, ManifestBuilder::default().message(msg).build()).unwrap();
    path
}

#[test]
fn paxlst_manifests_are_screened_against_list_files_into_one_csv() {
    let un = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../screening/tests/fixtures/un_screening.xml"
    );
    let dir = std::env::temp_dir().join(format!("accord-paxlst-{}", std::process::id()));
    let folder = dir.join("manifests");
    std::fs::create_dir_all(&folder).unwrap();
    let one = manifest_file(&dir, "one.edi", "PX0001");
    manifest_file(&folder, "a.edi", "PX0002");
    manifest_file(&folder, "b.edi", "PX0003");
    let output = dir.join("results.csv");

    let o = accord(&[
        "screen",
        "--paxlst",
        one.to_str().unwrap(),
        folder.to_str().unwrap(),
        "--list",
        un,
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 manifests, 6 travellers"),
        "{}",
        stderr(&o)
    );
    let out = std::fs::read_to_string(&output).unwrap();
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,name,birth_date,nationality,document,rank,match_id,match_dataset,match_name,score,explanation,error"
        )
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with(
            "PX0001/1,AHMAD OUMAR IMHAMAD AL FITOURI,1988-05-07,LBY,LY53FP76,1,LYi.023,un,"
        ),
        "{first}"
    );
    assert!(first.contains("EXACT DOCUMENT NUMBER"), "{first}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("PX0001/2,ARMAN EXAMPLOV,1991-03-04,KAZ,N00000001,,,,,,,")),
        "{out}"
    );
    let order: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split('/').next().unwrap())
        .collect::<Vec<_>>();
    let mut dedup = order.clone();
    dedup.dedup();
    assert_eq!(dedup, ["PX0001", "PX0002", "PX0003"]);

    // One bad manifest among them: nothing is screened, no output is kept.
    std::fs::remove_file(&output).unwrap();
    let bad = folder.join("c.edi");
    let text = std::fs::read_to_string(folder.join("a.edi")).unwrap();
    std::fs::write(&bad, text.replace("DTM+329:880507", "DTM+329:991332")).unwrap();
    let o = accord(&[
        "screen",
        "--paxlst",
        folder.to_str().unwrap(),
        "--list",
        un,
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("c.edi is not a readable manifest"), "{err}");
    assert!(err.contains("segment 13 (byte"), "{err}");
    assert!(err.contains("991332"), "{err}");
    assert!(!output.exists());

    // Too large: refused before it is read.
    let big = dir.join("big.edi");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let o = accord(&[
        "screen",
        "--paxlst",
        big.to_str().unwrap(),
        "--list",
        un,
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("104857600 bytes"), "{}", stderr(&o));
    assert!(!output.exists());
    std::fs::remove_file(&big).ok();

    // Not EDIFACT at all.
    let csv = dir.join("names.csv");
    std::fs::write(&csv, "id,name\n1,JOHN\n").unwrap();
    let o = accord(&[
        "screen",
        "--paxlst",
        csv.to_str().unwrap(),
        "--list",
        un,
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not an EDIFACT interchange"),
        "{}",
        stderr(&o)
    );
    assert!(!output.exists());
    std::fs::remove_dir_all(&dir).ok();
}

/// Starts `accord serve` with extra arguments and environment, waits until
/// it listens, stops it and returns what it printed.
fn serve_once(url: &str, extra: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
    cmd.args(["serve", "--database", url, "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("ACCORD_DATABASE_URL")
        .env_remove("ACCORD_CONFIG")
        .env_remove("ACCORD_NO_BUNDLED_LISTS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start accord");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut line = String::new();
    while std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0 {
        printed.push_str(&line);
        if line.starts_with("Accord is listening") {
            break;
        }
        line.clear();
    }
    child.kill().ok();
    child.wait().ok();
    printed
}

#[test]
fn a_fresh_serve_imports_the_bundled_un_list_once_unless_turned_off() {
    let dir = std::env::temp_dir().join(format!("accord-bundled-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/first.db", dir.display());
    let printed = serve_once(&url, &[], &[]);
    assert!(
        printed.contains("is version 1 of the `un` reference list"),
        "{printed}"
    );
    let versions = stdout(&accord(&["lists", "versions", "--database", &url]));
    assert!(versions.starts_with("un v1:"), "{versions}");
    assert!(versions.contains("generated 2026-02-27"), "{versions}");
    assert_eq!(versions.lines().count(), 1, "{versions}");
    // The second start keeps the stored list as it is.
    let printed = serve_once(&url, &[], &[]);
    assert!(!printed.contains("reference list"), "{printed}");
    let again = stdout(&accord(&["lists", "versions", "--database", &url]));
    assert_eq!(again.lines().count(), 1, "{again}");

    // Turned off by the flag, the environment or the configuration file.
    let config = dir.join("accord.toml");
    std::fs::write(&config, "bundled_lists = false\n").unwrap();
    let config = config.to_str().unwrap().to_string();
    /// How it is turned off: arguments and environment.
    type Way<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>);
    let ways: [Way; 3] = [
        ("flag", vec!["--no-bundled-lists"], vec![]),
        ("env", vec![], vec![("ACCORD_NO_BUNDLED_LISTS", "true")]),
        ("file", vec!["--config", &config], vec![]),
    ];
    for (how, args, env) in ways {
        let url = format!("sqlite://{}/off-{how}.db", dir.display());
        let printed = serve_once(&url, &args, &env);
        assert!(printed.contains("Accord is listening"), "{how}: {printed}");
        assert!(!printed.contains("reference list"), "{how}: {printed}");
        let versions = stdout(&accord(&["lists", "versions", "--database", &url]));
        assert!(
            versions.contains("no reference lists are stored yet"),
            "{how}: {versions}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
