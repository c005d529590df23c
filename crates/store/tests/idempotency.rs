//! Idempotency claims on SQLite and PostgreSQL: a claim is marked committed
//! exactly when a transaction of its request commits, so a request that
//! died pending is run again only when it wrote nothing, and reported as
//! of unknown outcome when it did.

use accord_core::user::NewUser;
use accord_store::idempotency::{ABANDONED_AFTER_MS, Claim, Claimed, StoredAnswer, scope};
use accord_store::{Actor, Store, now_ms};

accord_store::on_both_backends!(|backend, test| accord_store::testing::with_fresh_store(backend, accord_store::testing::Seed::Members, test).await;
    a_claim_whose_request_committed_is_never_run_again,
    a_claim_whose_request_wrote_nothing_is_taken_over_once_abandoned,
    an_answered_claim_is_replayed_and_a_reused_key_refused,
);

fn claim(key: &str) -> Claim {
    Claim {
        caller: "token:1".into(),
        key: key.into(),
    }
}

async fn add_user(store: &Store, username: &str) -> Result<(), accord_store::StoreError> {
    let new = NewUser::parse(username, "Test", "KAZ", "reader").unwrap();
    store
        .create_user(
            &Actor::system("test"),
            &new,
            "a long enough password",
            false,
        )
        .await
        .map(|_| ())
}

async fn a_claim_whose_request_committed_is_never_run_again(store: Store) {
    let c = claim("k1");
    assert_eq!(
        store.claim_idempotency_key(&c, "fp").await.unwrap(),
        Claimed::Fresh
    );
    // The request writes, then its node dies before the answer is kept.
    scope(c.clone(), add_user(&store, "first.try"))
        .await
        .unwrap();
    let now = now_ms();
    assert_eq!(
        store.claim_idempotency_key_at(&c, "fp", now).await.unwrap(),
        Claimed::InProgress
    );
    assert_eq!(
        store
            .claim_idempotency_key_at(&c, "fp", now + ABANDONED_AFTER_MS + 1)
            .await
            .unwrap(),
        Claimed::OutcomeUnknown,
        "a committed write is reported, never repeated"
    );
    // Giving up the claim does not forget a committed write either.
    store.release_idempotency_key(&c).await.unwrap();
    assert_eq!(
        store
            .claim_idempotency_key_at(&c, "fp", now + ABANDONED_AFTER_MS + 1)
            .await
            .unwrap(),
        Claimed::OutcomeUnknown
    );
}

async fn a_claim_whose_request_wrote_nothing_is_taken_over_once_abandoned(store: Store) {
    add_user(&store, "taken").await.unwrap();
    let c = claim("k2");
    assert_eq!(
        store.claim_idempotency_key(&c, "fp").await.unwrap(),
        Claimed::Fresh
    );
    // The request's transaction rolls back (the username is taken).
    assert!(scope(c.clone(), add_user(&store, "taken")).await.is_err());
    let later = now_ms() + ABANDONED_AFTER_MS + 1;
    assert_eq!(
        store
            .claim_idempotency_key_at(&c, "fp", later)
            .await
            .unwrap(),
        Claimed::Fresh,
        "nothing was written: the retry runs"
    );
    // Once taken over, it is pending again for others.
    assert_eq!(
        store
            .claim_idempotency_key_at(&c, "fp", later + 1)
            .await
            .unwrap(),
        Claimed::InProgress
    );
}

async fn an_answered_claim_is_replayed_and_a_reused_key_refused(store: Store) {
    let c = claim("k3");
    assert_eq!(
        store.claim_idempotency_key(&c, "fp").await.unwrap(),
        Claimed::Fresh
    );
    let answer = StoredAnswer {
        status: 201,
        content_type: Some("application/json".into()),
        location: Some("/api/things/7".into()),
        body: br#"{"id":7}"#.to_vec(),
    };
    store.keep_idempotent_answer(&c, &answer).await.unwrap();
    assert_eq!(
        store.claim_idempotency_key(&c, "fp").await.unwrap(),
        Claimed::Answered(answer)
    );
    assert_eq!(
        store.claim_idempotency_key(&c, "other").await.unwrap(),
        Claimed::Reused
    );
    // Another caller's identical key is its own.
    let theirs = Claim {
        caller: "token:2".into(),
        key: "k3".into(),
    };
    assert_eq!(
        store.claim_idempotency_key(&theirs, "other").await.unwrap(),
        Claimed::Fresh
    );
}
