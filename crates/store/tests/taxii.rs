//! TAXII storage that the HTTP tests cannot reach in reasonable time, on
//! SQLite and on PostgreSQL.

use accord_store::Store;
use accord_store::taxii::TAXII_STATUS_DAYS;
use serde_json::json;

accord_store::on_both_backends!(|backend, test| accord_store::testing::with_fresh_store(backend, accord_store::testing::Seed::Nothing, test).await;
    a_status_is_kept_for_a_week_then_deleted_as_new_ones_come,
);

async fn a_status_is_kept_for_a_week_then_deleted_as_new_ones_come(store: Store) {
    let day = 86_400_000;
    let start = 1_800_000_000_000;
    let body = |id: &str| json!({ "id": id, "status": "complete" });
    store
        .save_taxii_status_at("old", 1, "inbox", &body("old"), start)
        .await
        .unwrap();
    store
        .save_taxii_status_at("mid", 1, "inbox", &body("mid"), start + 3 * day)
        .await
        .unwrap();
    // A week later to the millisecond, the first is still there.
    let week = TAXII_STATUS_DAYS * day;
    store
        .save_taxii_status_at("new", 1, "inbox", &body("new"), start + week)
        .await
        .unwrap();
    assert!(store.taxii_status("old", 1).await.unwrap().is_some());
    // Past the week, the next post deletes it, and only it.
    store
        .save_taxii_status_at("next", 1, "inbox", &body("next"), start + week + 1)
        .await
        .unwrap();
    assert!(store.taxii_status("old", 1).await.unwrap().is_none());
    for kept in ["mid", "new", "next"] {
        assert_eq!(
            store.taxii_status(kept, 1).await.unwrap().unwrap()["id"],
            kept
        );
    }
    // Someone else's status is not found.
    assert!(store.taxii_status("new", 2).await.unwrap().is_none());
}
