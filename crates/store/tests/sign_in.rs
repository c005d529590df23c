//! Sign-in and password changes on both backends: the throttle reserves each
//! password check before argon2 runs (at most `free_failures` run at once,
//! across nodes), per (account, client) with growing delays, never a lock;
//! a password change ends the user's other sessions in its transaction.

use accord_core::token::TokenRequest;
use std::future::Future;

use accord_core::user::NewUser;
use accord_core::{Username, audit::Outcome};
use accord_store::testing::TestDatabase;
use accord_store::{
    Actor, AuditQuery, Backend, LoginThrottle, PasswordChange, SignInFailure, Store, StoreError,
};

const PASSWORD: &str = "a long test password";

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.expect("open a fresh database");
    store.seed_members().await.unwrap();
    let new = NewUser::parse("kaz.admin", "Test User", "KAZ", "member_admin").unwrap();
    store
        .create_user(&Actor::system("test"), &new, PASSWORD, false)
        .await
        .unwrap();
    test(store.clone(), db.url.clone()).await;
    store.close().await;
    db.drop_database().await;
}

accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
    concurrent_wrong_passwords_run_at_most_the_free_verifications_across_nodes,
    the_throttle_delays_one_client_and_never_locks_the_account,
    delays_grow_and_the_count_is_forgotten_after_the_window,
    an_unlock_forgets_the_failures_of_every_client,
    a_wrong_current_password_counts_with_sign_in_failures_and_is_audited,
    a_password_change_ends_other_sessions_rotates_this_one_and_may_revoke_tokens,
    a_one_time_password_cannot_create_tokens,
);

fn from(ip: &str) -> Actor {
    Actor {
        id: None,
        label: "anonymous".into(),
        ip: ip.into(),
    }
}

/// A throttle whose delays outlast any test.
fn strict(free: i64) -> LoginThrottle {
    LoginThrottle {
        window_ms: 3_600_000,
        free_failures: free,
        base_delay_ms: 600_000,
        max_delay_ms: 3_600_000,
    }
}

async fn records(store: &Store) -> Vec<accord_core::audit::AuditRecord> {
    store
        .audit_records(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
}

fn kaz() -> Username {
    Username::parse("kaz.admin").unwrap()
}

async fn concurrent_wrong_passwords_run_at_most_the_free_verifications_across_nodes(
    store: Store,
    url: String,
) {
    // Four nodes: stores with their own pools (and their own admission of
    // password checks, as many at once as there are cores) on one database.
    let mut nodes = vec![store.clone()];
    for _ in 0..3 {
        nodes.push(Store::open(&url).await.unwrap());
    }
    let throttle = strict(5);
    let verifications =
        |nodes: &[Store]| nodes.iter().map(Store::password_verifications).sum::<u64>();
    let before = verifications(&nodes);
    let attempts = (0..60).map(|i| {
        let node = nodes[i % nodes.len()].clone();
        tokio::spawn(async move {
            node.sign_in(
                &from("192.0.2.1"),
                &throttle,
                "kaz.admin",
                "wrong password!!",
            )
            .await
        })
    });
    let mut bad = 0;
    let mut throttled = 0;
    for a in attempts.collect::<Vec<_>>() {
        match a.await.unwrap() {
            Ok(Err(SignInFailure::BadCredentials)) => bad += 1,
            Err(StoreError::TooManyAttempts { wait_ms }) => {
                assert!(wait_ms > 0 && wait_ms <= 600_000, "{wait_ms}");
                throttled += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let verified = verifications(&nodes) - before;
    assert_eq!((bad, throttled), (5, 55));
    assert_eq!(verified, 5, "argon2 ran once per reserved attempt, no more");
    // Only the verified failures are audited; the refused ones are not.
    let denied = records(&store)
        .await
        .into_iter()
        .filter(|r| r.action == "auth.sign_in" && r.outcome == "denied")
        .count();
    assert_eq!(denied, 5);
    for node in &nodes[1..] {
        node.close().await;
    }
}

async fn the_throttle_delays_one_client_and_never_locks_the_account(store: Store, _url: String) {
    let throttle = strict(3);
    for _ in 0..3 {
        let r = store
            .sign_in(
                &from("192.0.2.1"),
                &throttle,
                "kaz.admin",
                "wrong password!!",
            )
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), SignInFailure::BadCredentials);
    }
    let verified = store.password_verifications();
    // The attacking client must wait, even with the right password…
    let e = store
        .sign_in(&from("192.0.2.1"), &throttle, "KAZ.Admin", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::TooManyAttempts { .. }), "{e:?}");
    assert_eq!(store.password_verifications(), verified, "nothing verified");
    // …while the account's owner, elsewhere, signs in at once.
    let user = store
        .sign_in(&from("198.51.100.7"), &throttle, "kaz.admin", PASSWORD)
        .await
        .unwrap()
        .expect("the right password from another client");
    assert_eq!(user.username.as_str(), "kaz.admin");
    // Another account from the attacking client is not affected.
    let r = store
        .sign_in(&from("192.0.2.1"), &throttle, "nobody", "wrong password!!")
        .await
        .unwrap();
    assert_eq!(r.unwrap_err(), SignInFailure::BadCredentials);
    // A success from a client clears that client's count.
    let lenient = LoginThrottle {
        base_delay_ms: 0,
        ..strict(2)
    };
    let ip = from("203.0.113.5");
    let _ = store
        .sign_in(&ip, &lenient, "kaz.admin", "wrong password!!")
        .await
        .unwrap();
    store
        .sign_in(&ip, &lenient, "kaz.admin", PASSWORD)
        .await
        .unwrap()
        .unwrap();
    let r = store
        .sign_in(&ip, &strict(2), "kaz.admin", "wrong password!!")
        .await
        .unwrap();
    assert_eq!(
        r.unwrap_err(),
        SignInFailure::BadCredentials,
        "count restarted"
    );
}

async fn delays_grow_and_the_count_is_forgotten_after_the_window(store: Store, _url: String) {
    let throttle = LoginThrottle::default();
    assert_eq!(
        (1..=9).map(|n| throttle.delay_after(n)).collect::<Vec<_>>(),
        [0, 0, 0, 0, 30_000, 60_000, 120_000, 240_000, 480_000]
    );
    assert_eq!(throttle.delay_after(10), 900_000, "capped");
    assert_eq!(throttle.delay_after(1_000), 900_000);
    // Growing waits, as the database sees them: two free, then 1 s, then 2 s.
    let quick = LoginThrottle {
        window_ms: 60_000,
        free_failures: 2,
        base_delay_ms: 1_000,
        max_delay_ms: 10_000,
    };
    let ip = from("192.0.2.9");
    let wrong = || store.sign_in(&ip, &quick, "kaz.admin", "wrong password!!");
    assert!(matches!(wrong().await, Ok(Err(_))));
    for delay in [1_000, 2_000] {
        assert!(matches!(wrong().await, Ok(Err(_))), "after the wait");
        match wrong().await {
            Err(StoreError::TooManyAttempts { wait_ms }) => {
                assert!(
                    wait_ms > delay / 2 && wait_ms <= delay,
                    "{wait_ms} of {delay}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(wait_ms as u64 + 20)).await;
            }
            other => panic!("expected a wait of {delay} ms, got {other:?}"),
        }
    }
    assert!(matches!(wrong().await, Ok(Err(_))), "after the second wait");
    // Failures older than the window are forgotten.
    let short = LoginThrottle {
        window_ms: 50,
        free_failures: 1,
        base_delay_ms: 60_000,
        max_delay_ms: 60_000,
    };
    let ip = from("192.0.2.10");
    assert!(matches!(
        store
            .sign_in(&ip, &short, "kaz.admin", "wrong password!!")
            .await,
        Ok(Err(_))
    ));
    tokio::time::sleep(std::time::Duration::from_millis(80)).await;
    assert!(matches!(
        store
            .sign_in(&ip, &short, "kaz.admin", "wrong password!!")
            .await,
        Ok(Err(_))
    ));
}

async fn an_unlock_forgets_the_failures_of_every_client(store: Store, _url: String) {
    let throttle = strict(1);
    for ip in ["192.0.2.1", "192.0.2.2"] {
        let _ = store
            .sign_in(&from(ip), &throttle, "kaz.admin", "wrong password!!")
            .await
            .unwrap();
        assert!(
            store
                .sign_in(&from(ip), &throttle, "kaz.admin", PASSWORD)
                .await
                .is_err()
        );
    }
    assert_eq!(
        store
            .unlock_user(&Actor::system("operator"), &kaz())
            .await
            .unwrap(),
        2
    );
    for ip in ["192.0.2.1", "192.0.2.2"] {
        store
            .sign_in(&from(ip), &throttle, "kaz.admin", PASSWORD)
            .await
            .unwrap()
            .unwrap();
    }
    let records = records(&store).await;
    assert!(
        records
            .iter()
            .any(|r| r.action == "users.unlock" && r.outcome == Outcome::Ok.as_str()),
        "the unlock is audited"
    );
    let e = store
        .unlock_user(
            &Actor::system("operator"),
            &Username::parse("nobody").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
}

async fn a_wrong_current_password_counts_with_sign_in_failures_and_is_audited(
    store: Store,
    _url: String,
) {
    let user = store.user_by_username(&kaz()).await.unwrap();
    let throttle = strict(3);
    let ip = from("192.0.2.1");
    let change = |current: &'static str| {
        let store = store.clone();
        let ip = ip.clone();
        async move {
            store
                .change_password(
                    &ip,
                    &throttle,
                    user.id,
                    PasswordChange {
                        current,
                        new: "a brand new password",
                        revoke_tokens: false,
                        session: None,
                    },
                )
                .await
        }
    };
    // One failed sign-in and two wrong current passwords use up the three.
    let _ = store
        .sign_in(&ip, &throttle, "kaz.admin", "wrong password!!")
        .await
        .unwrap();
    for _ in 0..2 {
        let e = change("not my password").await.unwrap_err();
        assert!(
            matches!(e, StoreError::Invalid(ref i) if i.errors[0].field == "current_password"),
            "{e:?}"
        );
    }
    let verified = store.password_verifications();
    let e = change(PASSWORD).await.unwrap_err();
    assert!(matches!(e, StoreError::TooManyAttempts { .. }), "{e:?}");
    let e = store
        .sign_in(&ip, &throttle, "kaz.admin", PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::TooManyAttempts { .. }), "{e:?}");
    assert_eq!(store.password_verifications(), verified);
    let records = records(&store).await;
    let denied = records
        .iter()
        .filter(|r| r.action == "users.password" && r.outcome == "denied")
        .count();
    assert_eq!(denied, 2, "each wrong current password is audited");
    // The password did not change.
    store
        .sign_in(&from("198.51.100.1"), &throttle, "kaz.admin", PASSWORD)
        .await
        .unwrap()
        .unwrap();
}

async fn a_password_change_ends_other_sessions_rotates_this_one_and_may_revoke_tokens(
    store: Store,
    _url: String,
) {
    let user = store.user_by_username(&kaz()).await.unwrap();
    let actor = Actor::system("test");
    let (here, _) = store.create_session(&actor, user.id).await.unwrap();
    let (elsewhere, _) = store.create_session(&actor, user.id).await.unwrap();
    let token = store
        .create_token(&actor, user.id, &TokenRequest::full("border"))
        .await
        .unwrap();
    let throttle = LoginThrottle::default();
    let changed = store
        .change_password(
            &from("192.0.2.1"),
            &throttle,
            user.id,
            PasswordChange {
                current: PASSWORD,
                new: "a second long password",
                revoke_tokens: false,
                session: Some(&here),
            },
        )
        .await
        .unwrap();
    assert_eq!((changed.sessions_ended, changed.tokens_revoked), (1, 0));
    let (rotated, csrf) = changed.session.expect("a new session for this browser");
    assert!(
        store.session(&here).await.unwrap().is_none(),
        "rotated away"
    );
    assert!(store.session(&elsewhere).await.unwrap().is_none(), "ended");
    let s = store.session(&rotated).await.unwrap().expect("the new one");
    assert_eq!((s.user.id, s.csrf_token), (user.id, csrf));
    assert!(store.token_user(&token.secret).await.unwrap().is_some());
    // Again, revoking the tokens this time, from a token (no session).
    let changed = store
        .change_password(
            &from("192.0.2.1"),
            &throttle,
            user.id,
            PasswordChange {
                current: "a second long password",
                new: "a third long password",
                revoke_tokens: true,
                session: None,
            },
        )
        .await
        .unwrap();
    assert_eq!((changed.sessions_ended, changed.tokens_revoked), (1, 1));
    assert!(changed.session.is_none());
    assert!(store.session(&rotated).await.unwrap().is_none());
    assert!(store.token_user(&token.secret).await.unwrap().is_none());
    let records = records(&store).await;
    let ok = records
        .iter()
        .find(|r| r.action == "users.password" && r.outcome == "ok")
        .expect("audited");
    let details: serde_json::Value = serde_json::from_str(&ok.details).unwrap();
    assert_eq!(details["tokens_revoked"], 1, "{details}");
}

async fn a_one_time_password_cannot_create_tokens(store: Store, _url: String) {
    let new = NewUser::parse("new.user", "New", "TJK", "reader").unwrap();
    let actor = Actor::system("test");
    let user = store
        .create_user(&actor, &new, "a one-time password", true)
        .await
        .unwrap();
    let e = store
        .create_token(&actor, user.id, &TokenRequest::full("early"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    assert!(store.tokens(user.id).await.unwrap().is_empty());
    store
        .change_password(
            &from("192.0.2.1"),
            &LoginThrottle::default(),
            user.id,
            PasswordChange {
                current: "a one-time password",
                new: "my own long password",
                revoke_tokens: false,
                session: None,
            },
        )
        .await
        .unwrap();
    store
        .create_token(&actor, user.id, &TokenRequest::full("now"))
        .await
        .unwrap();
}
