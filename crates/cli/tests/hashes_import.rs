//! `accord hashes import` on the real binary, on SQLite and PostgreSQL:
//! all or nothing, under the same rule as the API (`bank::may_write`), with
//! a report naming every bad row and field.

mod support;

use accord_hashes::bank::{BankId, BankInput, HashState};
use accord_store::testing::TestDatabase;
use accord_store::{Actor, Backend, Store};
use support::*;

const HEADER: &str = "signal_type,signal,quality,entity_subject,entity_name,content_type,behaviour,first_seen,file_type,note";

struct World {
    db: TestDatabase,
    dir: Dir,
}

async fn world(backend: Backend, name: &str) -> Option<World> {
    let db = TestDatabase::new(backend).await?;
    let dir = Dir::new(&format!("hash-import-{name}"));
    let o = accord(&["migrate", "--database", &db.url]);
    assert!(o.status.success(), "{}", err(&o));
    for (user, member, role) in [
        ("kaz.editor", "KAZ", "contributor"),
        ("kaz.reader", "KAZ", "reader"),
        ("kgz.editor", "KGZ", "contributor"),
    ] {
        let o = accord(&[
            "user",
            "add",
            "--database",
            &db.url,
            "--username",
            user,
            "--display-name",
            user,
            "--member",
            member,
            "--role",
            role,
        ]);
        assert!(o.status.success(), "{}", err(&o));
    }
    let store = Store::open(&db.url).await.unwrap();
    let bank = BankInput {
        id: "kaz-bank".into(),
        name: "Kazakhstan's bank".into(),
        owner: "KAZ".into(),
        tlp: "AMBER".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store
        .create_bank(&Actor::system("test"), &bank)
        .await
        .unwrap();
    store.close().await;
    Some(World { db, dir })
}

fn import(w: &World, file: &str, bank: &str, user: &str) -> std::process::Output {
    accord(&[
        "hashes",
        "import",
        file,
        "--bank",
        bank,
        "--as",
        user,
        "--database",
        &w.db.url,
    ])
}

fn write(w: &World, name: &str, lines: &[String]) -> String {
    let path = w.dir.path(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

async fn stored(w: &World) -> Vec<accord_store::hash_banks::HashRecord> {
    let store = Store::open(&w.db.url).await.unwrap();
    let hashes = store
        .bank_hashes(&BankId::parse("kaz-bank").unwrap(), 100_000)
        .await
        .unwrap();
    store.close().await;
    hashes
}

fn pdq(i: u64) -> String {
    format!("{:064x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn md5(i: u64) -> String {
    format!("{:032x}", i + 1)
}

fn good_rows() -> Vec<String> {
    vec![
        HEADER.to_string(),
        format!(
            "pdq,{},90,,Group A,image,recruitment,2025-03-01,jpg,from the export",
            pdq(1).to_uppercase()
        ),
        format!("md5,{},,,,video,glorification,,mp4,", md5(1)),
        format!(
            "sha256,{},,,,file,manifesto,,pdf,\"a note, with a comma\"",
            "ab".repeat(32)
        ),
    ]
}

async fn a_good_file_is_imported_and_a_second_import_skips_what_is_there(backend: Backend) {
    let Some(w) = world(backend, "good").await else {
        return;
    };
    let file = write(&w, "good.csv", &good_rows());
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("3 rows; 3 hashes added to the bank kaz-bank, 0 skipped"),
        "{}",
        out(&o)
    );
    let hashes = stored(&w).await;
    assert_eq!(hashes.len(), 3);
    let p = hashes
        .iter()
        .find(|h| h.signal_type.as_str() == "pdq")
        .unwrap();
    assert_eq!(p.signal, pdq(1), "stored in lower case");
    assert_eq!(p.quality, Some(90));
    assert_eq!(p.state, HashState::Active);
    assert_eq!(p.labels.file_type.as_deref(), Some("jpg"));
    assert_eq!(p.labels.first_seen.as_deref(), Some("2025-03-01"));
    assert_eq!(p.labels.note, "from the export");
    assert!(
        hashes
            .iter()
            .any(|h| h.labels.note == "a note, with a comma"),
        "{hashes:?}"
    );

    // The export grew by one row: only that one is added, the rest reported.
    let mut more = good_rows();
    more.push(format!("md5,{},,,,image,threat,,,", md5(2)));
    let file = write(&w, "more.csv", &more);
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(o.status.success(), "{}", err(&o));
    let report = out(&o);
    assert!(
        report.contains("4 rows; 1 hashes added to the bank kaz-bank, 3 skipped"),
        "{report}"
    );
    assert!(
        report.contains("skipped row 1 (line 2): pdq") && report.contains("(active); not changed"),
        "{report}"
    );
    assert_eq!(stored(&w).await.len(), 4);
    w.db.drop_database().await;
}

async fn a_file_with_bad_rows_imports_nothing_and_names_each_row_and_field(backend: Backend) {
    let Some(w) = world(backend, "bad").await else {
        return;
    };
    let mut rows = good_rows();
    rows.push(format!("pdq,{},30,,,image,recruitment,,,", pdq(2)));
    rows.push("md5,xyz,,,,image,recruitment,,,".into());
    rows.push(format!("md5,{},,ACL-9999,,image,recruitment,,,", md5(3)));
    rows.push(format!(
        "md5,{},,,,picture,recruitment,2025-13-01,,",
        md5(4)
    ));
    rows.push(format!("md5,{},,,,image,recruitment,,,", md5(1)));
    let file = write(&w, "bad.csv", &rows);
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(!o.status.success());
    let e = err(&o);
    assert!(
        e.contains("was not imported; nothing changed: 5 of 8 rows have problems"),
        "{e}"
    );
    for expected in [
        "row 4 (line 5), quality:",
        "row 5 (line 6), signal:",
        "row 6 (line 7), entity_subject: ACL-9999 is not a subject of the common list",
        "row 7 (line 8), content_type:",
        "row 7 (line 8), first_seen:",
        "row 8 (line 9), signal: the same md5 as row 2",
    ] {
        assert!(e.contains(expected), "{expected} in {e}");
    }
    assert!(
        e.find("row 4").unwrap() < e.find("row 8").unwrap(),
        "in row order: {e}"
    );
    assert!(stored(&w).await.is_empty(), "nothing imported");

    // A header with an unknown column refuses the file before any row.
    let file = write(
        &w,
        "typo.csv",
        &[
            "signal_type,signal,behavior".into(),
            format!("md5,{},recruitment", md5(1)),
        ],
    );
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(!o.status.success());
    assert!(
        err(&o).contains("column 3 (\"behavior\") is not one of the known columns"),
        "{}",
        err(&o)
    );
    let file = write(&w, "nosignal.csv", &["signal_type".into(), "md5".into()]);
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(!o.status.success());
    assert!(
        err(&o).contains("the column signal is required"),
        "{}",
        err(&o)
    );
    assert!(stored(&w).await.is_empty());
    w.db.drop_database().await;
}

async fn a_user_who_may_not_write_to_the_bank_is_refused(backend: Backend) {
    let Some(w) = world(backend, "refused").await else {
        return;
    };
    let file = write(&w, "good.csv", &good_rows());
    for user in ["kaz.reader", "kgz.editor"] {
        let o = import(&w, &file, "kaz-bank", user);
        assert!(!o.status.success(), "{user}");
        assert!(
            err(&o).contains(&format!(
                "{user} may not add hashes to the bank kaz-bank (owned by KAZ)"
            )),
            "{}",
            err(&o)
        );
    }
    let o = import(&w, &file, "kaz-bank", "no.such.user");
    assert!(!o.status.success());
    assert!(err(&o).contains("no account no.such.user"), "{}", err(&o));
    assert!(stored(&w).await.is_empty());
    w.db.drop_database().await;
}

async fn an_unknown_bank_is_refused(backend: Backend) {
    let Some(w) = world(backend, "nobank").await else {
        return;
    };
    let file = write(&w, "good.csv", &good_rows());
    let o = import(&w, &file, "kgz-bank", "kaz.editor");
    assert!(!o.status.success());
    assert!(
        err(&o).contains("there is no bank kgz-bank; nothing was imported"),
        "{}",
        err(&o)
    );
    w.db.drop_database().await;
}

async fn a_file_larger_than_the_apis_batch_limit_is_imported_whole(backend: Backend) {
    let Some(w) = world(backend, "large").await else {
        return;
    };
    let mut rows = vec!["signal_type,signal,quality,behaviour,content_type".to_string()];
    for i in 0..2500u64 {
        if i % 2 == 0 {
            rows.push(format!("pdq,{},80,other,image", pdq(i + 10)));
        } else {
            rows.push(format!("md5,{},,other,file", md5(i + 10)));
        }
    }
    let file = write(&w, "large.csv", &rows);
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("2500 rows; 2500 hashes added"),
        "{}",
        out(&o)
    );
    assert_eq!(stored(&w).await.len(), 2500);

    // The same file with one bad row far past the API's limit adds nothing more.
    rows.push(format!("md5,{},,other,file", md5(5000)));
    rows[2001] = "pdq,zz,80,other,image".into();
    let file = write(&w, "large-bad.csv", &rows);
    let o = import(&w, &file, "kaz-bank", "kaz.editor");
    assert!(!o.status.success());
    assert!(
        err(&o).contains("1 of 2501 rows have problems")
            && err(&o).contains("row 2001 (line 2002), signal:"),
        "{}",
        err(&o)
    );
    assert_eq!(stored(&w).await.len(), 2500);
    w.db.drop_database().await;
}

async fn run(backend: Backend, test: impl AsyncFnOnce(Backend)) {
    test(backend).await;
}

accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
    a_good_file_is_imported_and_a_second_import_skips_what_is_there,
    a_file_with_bad_rows_imports_nothing_and_names_each_row_and_field,
    a_user_who_may_not_write_to_the_bank_is_refused,
    an_unknown_bank_is_refused,
    a_file_larger_than_the_apis_batch_limit_is_imported_whole,
);
