//! The transparency log's storage, on SQLite and on PostgreSQL.

use std::future::Future;

use accord_store::testing::TestDatabase;
use accord_store::transparency::{NewLogEntry, NewTreeHead};
use accord_store::{Actor, Backend, Store, StoreError};

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.expect("open a fresh database");
    test(store.clone()).await;
    store.close().await;
    db.drop_database().await;
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::run(accord_store::Backend::Sqlite, super::$name).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::run(accord_store::Backend::Postgres, super::$name).await } )*
        }
    };
}

conformance!(
    appends_in_order_and_refuses_a_stale_or_duplicate_append,
    log_tables_refuse_update_and_delete,
);

fn entry(n: i64) -> NewLogEntry {
    NewLogEntry {
        kind: "list_version".into(),
        entry: format!("{{\"v\":{n}}}"),
        leaf_hash: format!("{n:064}"),
        list_version: Some(n),
    }
}

fn head(size: i64) -> NewTreeHead {
    NewTreeHead {
        size,
        root: format!("{size:064}"),
        signed: "{}".into(),
    }
}

async fn appends_in_order_and_refuses_a_stale_or_duplicate_append(store: Store) {
    let actor = Actor::system("test");
    store
        .append_transparency(&actor, 0, &[entry(1)], &head(1))
        .await
        .unwrap();
    // Built against an empty log: the log grew meanwhile.
    let stale = store
        .append_transparency(&actor, 0, &[entry(2)], &head(1))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    // The same list version twice.
    let dup = store
        .append_transparency(&actor, 1, &[entry(1)], &head(2))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // A head that does not match the new size.
    let bad = store
        .append_transparency(&actor, 1, &[entry(2)], &head(3))
        .await;
    assert!(matches!(bad, Err(StoreError::Conflict(_))), "{bad:?}");
    store
        .append_transparency(&actor, 1, &[entry(2)], &head(2))
        .await
        .unwrap();
    let rows = store.transparency_entries().await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.sequence, r.list_version))
            .collect::<Vec<_>>(),
        vec![(0, Some(1)), (1, Some(2))]
    );
    assert_eq!(
        store
            .latest_transparency_head()
            .await
            .unwrap()
            .unwrap()
            .size,
        2
    );
    assert_eq!(store.transparency_heads().await.unwrap().len(), 2);
    // Each append was audited and the chain still verifies.
    assert_eq!(
        store.audit_head().await.unwrap().sequence,
        store.verify_audit_log().await.unwrap()
    );
}

async fn log_tables_refuse_update_and_delete(store: Store) {
    store
        .append_transparency(&Actor::system("test"), 0, &[entry(1)], &head(1))
        .await
        .unwrap();
    for q in [
        "UPDATE transparency_entries SET entry = 'x'",
        "DELETE FROM transparency_entries",
        "UPDATE transparency_heads SET root = 'x'",
        "DELETE FROM transparency_heads",
    ] {
        let r = sqlx::query(q).execute(store.raw_pool()).await;
        assert!(r.is_err(), "{q} was allowed");
    }
    assert_eq!(store.transparency_entries().await.unwrap().len(), 1);
}
