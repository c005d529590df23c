//! Fresh, throw-away databases for tests of this crate and the crates above it.
//!
//! SQLite databases are files in a temporary directory. PostgreSQL databases
//! are created on the server named by `ACCORD_TEST_POSTGRES_URL` (a role with
//! CREATEDB), named `accord_t_…` so that `scripts/test.sh` can sweep leftovers.

use std::path::PathBuf;

use sqlx::Connection;

use crate::Backend;
use crate::credentials::random_password;

pub const POSTGRES_URL_VAR: &str = "ACCORD_TEST_POSTGRES_URL";

/// Runs each named test once on SQLite and once on PostgreSQL: the one
/// conformance harness of the workspace's storage, HTTP and CLI tests.
///
/// ```ignore
/// accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
///     a_test, another_test);
/// ```
///
/// The body runs inside `mod sqlite` / `mod postgres` (name the caller's
/// items with `super::`), with `backend` the [`Backend`](crate::Backend) and
/// `test` the test function. The PostgreSQL run is marked ignored, so that a
/// machine without a server reports it as ignored rather than passed;
/// `scripts/test.sh` runs it (`--run-ignored all`), and under CI a missing
/// server fails instead of skipping.
#[macro_export]
macro_rules! on_both_backends {
    (|$backend:ident, $test:ident| $body:expr; $($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() {
                   let $backend = $crate::Backend::Sqlite;
                   let $test = super::$name;
                   $body
               } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               #[ignore = "needs PostgreSQL (ACCORD_TEST_POSTGRES_URL); scripts/test.sh runs it"]
               async fn $name() {
                   let $backend = $crate::Backend::Postgres;
                   let $test = super::$name;
                   $body
               } )*
        }
    };
}

/// What a fresh store holds before a test runs on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    Nothing,
    /// The partnership's members.
    Members,
    /// The members and the Joint Plan's catalogue.
    MembersAndPlan,
}

/// Runs `test` on a store over a fresh database of `backend`, seeded as
/// asked, then drops the database; does nothing when PostgreSQL is not
/// configured (outside CI). The store tests' one set-up.
pub async fn with_fresh_store<F, Fut>(backend: crate::Backend, seed: Seed, test: F)
where
    F: FnOnce(crate::Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let store = crate::Store::open(&db.url)
        .await
        .expect("open a fresh database");
    if seed != Seed::Nothing {
        store.seed_members().await.expect("seed the members");
    }
    if seed == Seed::MembersAndPlan {
        store.seed_plan().await.expect("seed the Joint Plan");
    }
    test(store.clone()).await;
    store.close().await;
    db.drop_database().await;
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(#[allow(dead_code)] PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new empty SQLite database in its own temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = std::env::temp_dir().join(format!("accord-test-{}", unique()));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TestDatabase {
            url: format!("sqlite://{}/accord.db", dir.display()),
            cleanup: Cleanup::Directory(dir),
        }
    }

    /// A new empty PostgreSQL database, or `None` when no test server is
    /// configured. Under CI a missing server is an error, never a silent skip.
    pub async fn postgres() -> Option<TestDatabase> {
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                assert!(
                    std::env::var("CI").is_err(),
                    "{POSTGRES_URL_VAR} must be set under CI: run the tests through scripts/test.sh"
                );
                eprintln!(
                    "{POSTGRES_URL_VAR} is not set: skipping the PostgreSQL run of this test"
                );
                return None;
            }
        };
        let name = format!("accord_t_{}", unique());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to the PostgreSQL test server");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create a test database");
        conn.close().await.ok();
        let url = replace_database(&admin_url, &name);
        Some(TestDatabase {
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    /// A fresh database of the given backend (`None`: PostgreSQL not configured).
    pub async fn new(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase::sqlite()),
            Backend::Postgres => TestDatabase::postgres().await,
        }
    }

    /// Removes the database. Call at the end of a test; leftovers of a
    /// failed test are swept by the test script.
    pub async fn drop_database(self) {
        match self.cleanup {
            Cleanup::Directory(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await
                    .ok();
                }
            }
        }
    }
}

fn unique() -> String {
    random_password()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The same server URL with another database name (keeping any query string).
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[authority_end..]
        .find('/')
        .map(|i| i + authority_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A member's signing key in tests: fixed by its code, so every test (and
/// every process of one test) signs with the same key. Never for real use.
pub fn member_test_key(member: &accord_core::MemberCode) -> accord_proof::SecretKey {
    let code = member.as_str().as_bytes();
    let mut seed = [7u8; 32];
    let mut id = *b"test____";
    for (i, b) in code.iter().take(4).enumerate() {
        seed[i] = *b;
        id[4 + i] = *b;
    }
    accord_proof::SecretKey::from_seed(seed, accord_proof::minisign::KeyId(id))
}

/// The signature `by`'s member would make for `action` on proposal `id` at
/// `now`, registering the member's test key (valid since 1970) first if it
/// has none. `None` for actions no state signs and for principals without
/// a member.
pub async fn sign_decision(
    store: &crate::Store,
    id: i64,
    by: &accord_core::Principal,
    action: &accord_procedure::Action,
    now: time::OffsetDateTime,
) -> Result<Option<crate::common_list::DecisionSignature>, crate::StoreError> {
    let Some(member) = by.member() else {
        return Ok(None);
    };
    let key = member_test_key(member);
    if store.member_keys(Some(member)).await?.is_empty() {
        match store
            .register_member_key(
                &crate::Actor::system("test"),
                member,
                &key.public_key(),
                time::OffsetDateTime::UNIX_EPOCH,
            )
            .await
        {
            // A member the database does not know: the decision fails anyway.
            Ok(_) | Err(crate::StoreError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let at = now.unix_timestamp();
    let Some(decision) = crate::common_list::decision_to_sign(id, member, action, at) else {
        return Ok(None);
    };
    let signed = accord_proof::Signed::sign(decision, &key)
        .map_err(|e| crate::StoreError::Unsupported(e.to_string()))?;
    Ok(Some(crate::common_list::DecisionSignature {
        at,
        signature: signed.signature,
    }))
}

/// Records a decision as a state that signs with its test key would.
pub async fn record_signed_decision(
    store: &crate::Store,
    actor: &crate::Actor,
    id: i64,
    by: &accord_core::Principal,
    action: accord_procedure::Action,
    now: time::OffsetDateTime,
) -> Result<crate::common_list::ProposalRecord, crate::StoreError> {
    let signature = sign_decision(store, id, by, &action, now).await?;
    store
        .record_decision(actor, id, by, action, signature.as_ref(), now)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://a:b@127.0.0.1:5432/accord_test", "x"),
            "postgres://a:b@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
