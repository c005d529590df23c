//! The knowledge library's storage, on SQLite and on PostgreSQL: items and
//! their versions, the workflow's writes, the change feed the search index
//! follows, sharing groups, attachments and reach.

use accord_core::MemberCode;
use accord_library::counter::ReachInput;
use accord_library::groups::SharingGroupInput;
use accord_library::item::{Known, VersionInput};
use accord_library::workflow::Status;
use accord_library::{Item, ItemInput, SharedWith, Vocabulary};
use accord_store::library::NewAttachment;
use accord_store::{Actor, Store, StoreError};

accord_store::on_both_backends!(|backend, test| accord_store::testing::with_fresh_store(backend, accord_store::testing::Seed::MembersAndPlan, test).await;
    seeding_is_idempotent_and_publishes_the_seeded_items,
    every_edit_is_a_new_version_and_a_stale_edit_is_refused,
    approval_publishes_the_latest_version_and_moves_the_feed,
    versions_cannot_be_altered_in_the_database,
    groups_resolve_user_names_and_refuse_unknown_ones,
    attachments_keep_their_digest_and_text_for_the_index,
    an_imported_item_with_a_refused_file_leaves_nothing_behind,
    reach_rows_for_the_same_period_and_channel_replace_each_other,
);

fn actor() -> Actor {
    Actor::system("test")
}

fn kaz() -> MemberCode {
    MemberCode::parse("KAZ").unwrap()
}

fn item(title: &str) -> Item {
    let vocabulary = Vocabulary::seed();
    let known = Known {
        vocabulary: &vocabulary,
        commitment: &|_| true,
        group: &|_| true,
        campaign: &|_| true,
    };
    ItemInput {
        kind: "research".into(),
        marking: "AMBER".into(),
        distribution: "owner".into(),
        versions: vec![VersionInput {
            lang: "en".into(),
            title: title.into(),
            summary: "s".into(),
            body: "b".into(),
        }],
        ..ItemInput::default()
    }
    .validate(&known)
    .unwrap()
}

async fn seeding_is_idempotent_and_publishes_the_seeded_items(store: Store) {
    let first = store.seed_library().await.unwrap();
    assert_eq!(store.seed_library().await.unwrap(), 0);
    assert!(
        store
            .library_vocabulary()
            .await
            .unwrap()
            .get("prisons")
            .is_some()
    );
    let rows = store.library_access(0).await.unwrap();
    assert_eq!(rows.len(), first);
    for row in rows {
        assert_eq!(row.status, Status::Published);
        assert_eq!(row.published.unwrap().marking, accord_core::tlp::Tlp::Clear);
    }
}

async fn every_edit_is_a_new_version_and_a_stale_edit_is_refused(store: Store) {
    let a = store
        .create_library_item(&actor(), Some(&kaz()), &item("One"))
        .await
        .unwrap();
    assert_eq!(
        (a.status, a.latest_version, a.published_version),
        (Status::Draft, 1, None)
    );
    let b = store
        .update_library_item(&actor(), a.id, 1, &item("Two"), Status::Draft)
        .await
        .unwrap();
    assert_eq!(b.latest_version, 2);
    assert_eq!(b.latest.item.versions[0].title, "Two");
    // Someone who opened version 1 cannot overwrite version 2.
    match store
        .update_library_item(&actor(), a.id, 1, &item("Three"), Status::Draft)
        .await
    {
        Err(StoreError::Stale(_)) => {}
        other => panic!("{other:?}"),
    }
    let versions = store.library_versions(a.id).await.unwrap();
    let titles: Vec<_> = versions
        .iter()
        .map(|v| v.item.versions[0].title.as_str())
        .collect();
    assert_eq!(titles, ["One", "Two"]);
}

async fn approval_publishes_the_latest_version_and_moves_the_feed(store: Store) {
    let a = store
        .create_library_item(&actor(), Some(&kaz()), &item("One"))
        .await
        .unwrap();
    let seq0 = store.library_seq().await.unwrap();
    let (changes, _) = store.library_changes(seq0 - 1, 100).await.unwrap();
    assert!(changes[0].1.is_none(), "a draft has nothing for the index");
    store
        .set_library_status(&actor(), a.id, Status::Draft, Status::InReview, None, "")
        .await
        .unwrap();
    let p = store
        .set_library_status(
            &actor(),
            a.id,
            Status::InReview,
            Status::Published,
            Some(a.latest_version),
            "",
        )
        .await
        .unwrap();
    assert_eq!(p.published_version, Some(1));
    let (changes, through) = store.library_changes(seq0, 100).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].1.as_ref().unwrap().number, 1);
    assert_eq!(through, store.library_seq().await.unwrap());
    // A revision goes to review; readers keep version 1.
    let r = store
        .update_library_item(&actor(), a.id, 1, &item("Revised"), Status::InReview)
        .await
        .unwrap();
    assert_eq!((r.latest_version, r.published_version), (2, Some(1)));
    assert_eq!(r.published.unwrap().item.versions[0].title, "One");
    // A status that changed meanwhile is refused.
    assert!(matches!(
        store
            .set_library_status(&actor(), a.id, Status::Draft, Status::InReview, None, "")
            .await,
        Err(StoreError::Stale(_))
    ));
    let w = store
        .set_library_status(
            &actor(),
            a.id,
            Status::InReview,
            Status::Withdrawn,
            None,
            "superseded",
        )
        .await
        .unwrap();
    assert_eq!(w.note.as_deref(), Some("superseded"));
    let (changes, _) = store.library_changes(w.seq - 1, 100).await.unwrap();
    assert!(changes[0].1.is_none(), "a withdrawn item leaves the index");
    assert!(matches!(
        store
            .update_library_item(&actor(), a.id, 2, &item("Again"), Status::Draft)
            .await,
        Err(StoreError::Stale(_))
    ));
}

async fn versions_cannot_be_altered_in_the_database(store: Store) {
    let a = store
        .create_library_item(&actor(), Some(&kaz()), &item("One"))
        .await
        .unwrap();
    let changed = sqlx::query("UPDATE library_versions SET doc = '{}' WHERE item_id = $1")
        .bind(a.id)
        .execute(store.raw_pool())
        .await;
    assert!(changed.is_err());
    let removed = sqlx::query("DELETE FROM library_versions WHERE item_id = $1")
        .bind(a.id)
        .execute(store.raw_pool())
        .await;
    assert!(removed.is_err());
}

async fn groups_resolve_user_names_and_refuse_unknown_ones(store: Store) {
    let input = SharingGroupInput {
        name: "Prisons".into(),
        members: vec!["KGZ".into()],
        users: vec!["nobody-here".into()],
    };
    let checked = input.validate().unwrap();
    assert!(matches!(
        store
            .create_sharing_group(&actor(), Some(&kaz()), &checked)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let empty = SharingGroupInput {
        name: "Empty".into(),
        ..SharingGroupInput::default()
    };
    let g = store
        .create_sharing_group(&actor(), Some(&kaz()), &empty.validate().unwrap())
        .await
        .unwrap();
    assert!(g.members.is_empty() && g.users.is_empty());
    let mut shared = item("For the group");
    shared.shared_with = SharedWith::Group { group: g.id };
    let a = store
        .create_library_item(&actor(), Some(&kaz()), &shared)
        .await
        .unwrap();
    assert_eq!(a.latest.item.shared_with, SharedWith::Group { group: g.id });
}

async fn attachments_keep_their_digest_and_text_for_the_index(store: Store) {
    let a = store
        .create_library_item(&actor(), Some(&kaz()), &item("One"))
        .await
        .unwrap();
    store
        .set_library_status(&actor(), a.id, Status::Draft, Status::InReview, None, "")
        .await
        .unwrap();
    store
        .set_library_status(
            &actor(),
            a.id,
            Status::InReview,
            Status::Published,
            Some(a.latest_version),
            "",
        )
        .await
        .unwrap();
    let file = NewAttachment {
        file_name: "Доклад.txt".into(),
        content_type: "text/plain".into(),
        bytes: "экстремизм в тюрьмах".as_bytes().to_vec(),
        text: "экстремизм в тюрьмах".into(),
    };
    let att = store
        .add_library_attachment(&actor(), a.id, 1, &file, Status::InReview)
        .await
        .unwrap();
    assert_eq!(att.sha256.len(), 64);
    assert_eq!(att.since_version, 2, "the file comes with a new version");
    let (meta, bytes) = store.library_attachment(a.id, att.id).await.unwrap();
    assert_eq!(meta.file_name, "Доклад.txt");
    assert_eq!(bytes, file.bytes);
    // Readers keep the approved version and its own attachments (none).
    let r = store.library_item(a.id).await.unwrap();
    assert_eq!(
        (r.status, r.latest_version, r.published_version),
        (Status::InReview, 2, Some(1))
    );
    assert!(store.library_attachments(a.id, 1).await.unwrap().is_empty());
    let (changes, _) = store
        .library_changes(att_seq(&store, a.id).await - 1, 10)
        .await
        .unwrap();
    assert!(
        !changes[0].2.contains("тюрьмах"),
        "not indexed before review"
    );
    // A file added on top of a version that is no longer the latest is stale.
    assert!(matches!(
        store
            .add_library_attachment(&actor(), a.id, 1, &file, Status::InReview)
            .await,
        Err(StoreError::Stale(_))
    ));
    store
        .set_library_status(
            &actor(),
            a.id,
            Status::InReview,
            Status::Published,
            Some(2),
            "",
        )
        .await
        .unwrap();
    let (changes, _) = store
        .library_changes(att_seq(&store, a.id).await - 1, 10)
        .await
        .unwrap();
    assert!(changes[0].2.contains("тюрьмах"), "indexed once approved");
    let empty = NewAttachment {
        bytes: Vec::new(),
        ..file.clone()
    };
    let seq = store.library_seq().await.unwrap();
    assert!(matches!(
        store
            .add_library_attachment(&actor(), a.id, 2, &empty, Status::InReview)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.library_seq().await.unwrap(), seq, "nothing written");
    // Another item's attachment is not this item's.
    assert!(matches!(
        store.library_attachment(a.id + 1, att.id).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn an_imported_item_with_a_refused_file_leaves_nothing_behind(store: Store) {
    let good = NewAttachment {
        file_name: "notes.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"notes".to_vec(),
        text: "notes".into(),
    };
    // The second file is refused by the store itself, after the item and
    // the first file were written in the same transaction.
    let empty = NewAttachment {
        file_name: "empty.txt".into(),
        bytes: Vec::new(),
        ..good.clone()
    };
    let seq = store.library_seq().await.unwrap();
    let refused = store
        .import_library_item(
            &actor(),
            Some(&kaz()),
            &item("Imported"),
            "imported-item",
            Status::InReview,
            &[good.clone(), empty],
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(store.library_seq().await.unwrap(), seq, "nothing written");
    // The same slug is free: the same item with good files is written whole.
    let r = store
        .import_library_item(
            &actor(),
            Some(&kaz()),
            &item("Imported"),
            "imported-item",
            Status::InReview,
            &[good],
        )
        .await
        .unwrap();
    assert_eq!(r.slug.as_deref(), Some("imported-item"));
    assert_eq!(store.library_attachments(r.id, 1).await.unwrap().len(), 1);
}

async fn att_seq(store: &Store, id: i64) -> i64 {
    store.library_item(id).await.unwrap().seq
}

async fn reach_rows_for_the_same_period_and_channel_replace_each_other(store: Store) {
    let a = store
        .create_library_item(&actor(), Some(&kaz()), &item("One"))
        .await
        .unwrap();
    let header = accord_library::counter::REACH_CSV_HEADER;
    let rows = |n: u32| {
        ReachInput {
            csv: format!("{header}\n2026-01-01,2026-01-31,Telegram,{n},1,1,1,1,1,\n2026-02-01,2026-02-28,Telegram,5,1,1,1,1,1,60\n"),
            ..ReachInput::default()
        }
        .validate(None)
        .unwrap()
    };
    store
        .add_library_reach(&actor(), a.id, &rows(100))
        .await
        .unwrap();
    store
        .add_library_reach(&actor(), a.id, &rows(250))
        .await
        .unwrap();
    let stored = store.library_reach(&[a.id]).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].1.impressions, 250);
    assert_eq!(stored[1].1.watch_seconds, Some(60));
}
