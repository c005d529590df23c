//! The storage conformance suite: every test runs on SQLite and on PostgreSQL
//! (a real server, from `ACCORD_TEST_POSTGRES_URL`).

use accord_core::token::TokenRequest;
use std::future::Future;

use accord_core::audit::Outcome;
use accord_core::focal_point::FocalPointForm;
use accord_core::user::NewUser;
use accord_core::{MemberCode, NewMember, Username};
use accord_store::testing::TestDatabase;
use accord_store::{Actor, AuditQuery, Backend, LoginThrottle, SignInFailure, Store, StoreError};
use time::macros::date;

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.expect("open a fresh database");
    test(store.clone(), db.url.clone()).await;
    store.close().await;
    db.drop_database().await;
}

accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
    seeding_loads_the_thirty_participants_once,
    a_database_of_a_newer_schema_is_refused,
    members_can_be_added_once_per_code,
    users_sign_in_only_with_the_right_password_and_while_enabled,
    duplicate_usernames_and_unknown_members_are_refused,
    sessions_end_on_sign_out_and_on_disable,
    api_tokens_authenticate_until_revoked_by_their_owner,
    focal_points_are_added_edited_and_deleted_with_audited_reads,
    a_stale_edit_of_a_focal_point_is_refused_and_changes_nothing,
    the_audit_chain_verifies_and_names_an_altered_record,
    the_audit_chain_names_a_removed_record,
    an_incremental_verification_resumes_where_the_last_ended_and_finds_later_changes,
    the_audit_log_refuses_updates_and_deletes,
    concurrent_audited_writes_keep_one_unbroken_chain,
    settings_keep_the_first_value_written,
    backups_are_consistent_copies_on_sqlite,
    reference_list_imports_make_versions_only_when_something_changed,
    reference_lists_with_a_repeated_reference_are_refused_whole,
    the_joint_plan_catalogue_is_seeded_once_from_the_conference_report,
    a_screening_job_without_a_heartbeat_is_reported_as_interrupted,
    a_lease_is_held_by_one_node_until_it_expires,
    the_audit_log_is_filtered_by_action_actor_and_days_counted_and_paged_in_sql,
);

async fn a_lease_is_held_by_one_node_until_it_expires(store: Store, _url: String) {
    const MINUTE: i64 = 60_000;
    let t0 = 1_800_000_000_000;
    assert!(store.lease("clock").await.unwrap().is_none());
    assert!(
        store
            .try_lease("clock", "node-a", t0, 3 * MINUTE)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lease("clock", "node-b", t0 + MINUTE, 3 * MINUTE)
            .await
            .unwrap()
    );
    // The holder renews; the other node still waits.
    assert!(
        store
            .try_lease("clock", "node-a", t0 + MINUTE, 3 * MINUTE)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lease("clock", "node-b", t0 + 3 * MINUTE, 3 * MINUTE)
            .await
            .unwrap()
    );
    let held = store.lease("clock").await.unwrap().unwrap();
    assert_eq!(held.holder, "node-a");
    assert_eq!(held.expires_at, t0 + 4 * MINUTE);
    // node-a stops renewing: after expiry node-b takes over.
    assert!(
        store
            .try_lease("clock", "node-b", t0 + 4 * MINUTE, 3 * MINUTE)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_lease("clock", "node-a", t0 + 5 * MINUTE, 3 * MINUTE)
            .await
            .unwrap()
    );
    // Releasing: only the holder can, and then anyone may take it at once.
    assert!(!store.release_lease("clock", "node-a").await.unwrap());
    assert!(store.release_lease("clock", "node-b").await.unwrap());
    assert!(
        store
            .try_lease("clock", "node-a", t0 + 5 * MINUTE, 3 * MINUTE)
            .await
            .unwrap()
    );
    // Other leases are independent; a non-positive TTL is refused.
    assert!(
        store
            .try_lease("other", "node-b", t0, MINUTE)
            .await
            .unwrap()
    );
    assert!(matches!(
        store.try_lease("other", "node-b", t0, 0).await,
        Err(StoreError::Invalid(_))
    ));

    // Many nodes at once: exactly one gets a free lease.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .try_lease("race", &format!("node-{i}"), t0, MINUTE)
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        if t.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

async fn a_screening_job_without_a_heartbeat_is_reported_as_interrupted(
    store: Store,
    _url: String,
) {
    let user = seeded_user(&store, "kz.border", "KAZ", "reader").await;
    let alive = store
        .create_screening_job(user.id, "a.csv", Some(10))
        .await
        .unwrap();
    store.set_screening_progress(&alive.id, 5).await.unwrap();
    assert_eq!(
        store
            .screening_job(&alive.id, user.id)
            .await
            .unwrap()
            .status,
        "running"
    );
    let stuck = store
        .create_screening_job(user.id, "b.csv", Some(10))
        .await
        .unwrap();
    sqlx::query("UPDATE screening_jobs SET updated_at = 0, created_at = 0 WHERE id = $1")
        .bind(&stuck.id)
        .execute(store.raw_pool())
        .await
        .unwrap();
    let job = store.screening_job(&stuck.id, user.id).await.unwrap();
    assert_eq!(job.status, "failed");
    assert!(job.error.unwrap().contains("interrupted"));
    let other = seeded_user(&store, "pk.border", "PAK", "reader").await;
    assert!(matches!(
        store.screening_job(&alive.id, other.id).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn the_joint_plan_catalogue_is_seeded_once_from_the_conference_report(
    store: Store,
    _url: String,
) {
    let added = store.seed_plan().await.unwrap();
    assert_eq!(added, accord_plan::seed::commitments().len());
    assert_eq!(store.seed_plan().await.unwrap(), 0);
    let catalogue = store.plan_catalogue().await.unwrap();
    assert_eq!(catalogue.commitments().len(), added);
    let steps = catalogue
        .commitments()
        .iter()
        .filter(|c| c.kind == accord_plan::CommitmentKind::ConcreteStep)
        .count();
    assert_eq!(steps, 7, "the seven concrete steps");
    assert!(catalogue.commitments()[0].seeded);
}

fn un_sample() -> accord_lists::List {
    accord_lists::load_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../lists/tests/fixtures/un_sample.xml"
    ))
    .unwrap()
}

async fn reference_list_imports_make_versions_only_when_something_changed(
    store: Store,
    _url: String,
) {
    let list = un_sample();
    let n = list.entries.len();
    assert!(n >= 3);
    let first = store
        .import_reference_list(&admin(), "un", &list)
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.version.version, 1);
    assert_eq!(first.report.added.len(), n);
    let again = store
        .import_reference_list(&admin(), "un", &list)
        .await
        .unwrap();
    assert!(
        !again.created,
        "importing the same file twice changes nothing"
    );
    assert_eq!(store.reference_versions("un").await.unwrap().len(), 1);

    let mut shorter = list.clone();
    let gone = shorter.entries.remove(0).reference;
    shorter.entries[0].comments = Some("amended".into());
    let second = store
        .import_reference_list(&admin(), "un", &shorter)
        .await
        .unwrap();
    assert!(second.created);
    assert_eq!(second.version.version, 2);
    assert_eq!(second.report.removed, vec![gone]);
    assert_eq!(second.report.changed.len(), 1);
    assert!(
        second.report.changed[0]
            .fields
            .contains(&"comments".to_string()),
        "{:?}",
        second.report.changed
    );

    let (v1, old) = store.reference_list("un", Some(1)).await.unwrap();
    assert_eq!(
        (v1.version, old.entries.len()),
        (1, n),
        "old versions stay as they were"
    );
    let (current, now) = store.reference_list("un", None).await.unwrap();
    assert_eq!((current.version, now.entries.len()), (2, n - 1));
    assert_eq!(now.source, accord_lists::ListSource::Un);
    assert_eq!(store.current_reference_versions().await.unwrap().len(), 1);
    assert!(matches!(
        store.reference_list("ofac", None).await,
        Err(StoreError::NotFound(_))
    ));
    let imports = store
        .audit_records(&AuditQuery {
            action: Some("reference_lists.import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(imports.len(), 2);
}

async fn reference_lists_with_a_repeated_reference_are_refused_whole(store: Store, _url: String) {
    let mut list = un_sample();
    let copy = list.entries[0].clone();
    list.entries.push(copy);
    let e = store
        .import_reference_list(&admin(), "un", &list)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("appears twice"), "{e}");
    assert!(store.reference_versions("un").await.unwrap().is_empty());
    assert!(
        store
            .import_reference_list(&admin(), "UN!", &un_sample())
            .await
            .is_err()
    );
}

fn admin() -> Actor {
    Actor::system("test")
}

fn code(c: &str) -> MemberCode {
    MemberCode::parse(c).unwrap()
}

async fn seeded_user(
    store: &Store,
    username: &str,
    member: &str,
    role: &str,
) -> accord_core::user::User {
    store.seed_members().await.unwrap();
    let new = NewUser::parse(username, "Test User", member, role).unwrap();
    store
        .create_user(&admin(), &new, "a long test password", false)
        .await
        .unwrap()
}

fn focal_form(name: &str) -> FocalPointForm {
    FocalPointForm {
        name: name.into(),
        title: "Head of division".into(),
        agency: "Ministry of Foreign Affairs".into(),
        languages: "kk, ru".into(),
        email: "fp@mfa.example".into(),
        phone: "+7 7172 000000".into(),
        last_verified: "2026-01-15".into(),
    }
}

async fn seeding_loads_the_thirty_participants_once(store: Store, _url: String) {
    assert_eq!(store.seed_members().await.unwrap(), 30);
    assert_eq!(store.seed_members().await.unwrap(), 0);
    let members = store.members().await.unwrap();
    assert_eq!(members.len(), 30);
    assert_eq!(members[0].code.as_str(), "KAZ");
    assert_eq!(members[29].code.as_str(), "CICA");
    let kaz = store.member(&code("KAZ")).await.unwrap();
    assert_eq!(kaz.name_ru, "Казахстан");
    assert!(kaz.seeded);
    assert!(matches!(
        store.member(&code("XYZ")).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn a_database_of_a_newer_schema_is_refused(store: Store, url: String) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (99999, 'from the future', CURRENT_TIMESTAMP, TRUE, X'00', 1)",
    )
    .execute(store.raw_pool())
    .await
    .or_else(|_| {
        // PostgreSQL spells a byte string differently.
        futures_lite_block(sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99999, 'from the future', CURRENT_TIMESTAMP, TRUE, '\\x00'::bytea, 1)",
        )
        .execute(store.raw_pool()))
    })
    .unwrap();
    match Store::open(&url).await {
        Err(StoreError::SchemaTooNew { database, known }) => {
            assert_eq!(database, 99999);
            assert!(known < database);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

/// Runs a future to completion from a synchronous closure (used only for the
/// dialect fallback above, on the test's own runtime thread).
fn futures_lite_block<F: Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

async fn members_can_be_added_once_per_code(store: Store, _url: String) {
    store.seed_members().await.unwrap();
    let ngo = NewMember::parse("YFA", "civil_society", "Youth for Afghanistan", "").unwrap();
    let m = store.add_member(&admin(), &ngo).await.unwrap();
    assert_eq!(m.code.as_str(), "YFA");
    assert!(!m.seeded);
    let again = store.add_member(&admin(), &ngo).await.unwrap_err();
    assert!(
        matches!(again, StoreError::Invalid(ref e) if e.errors[0].field == "code"),
        "{again:?}"
    );
    assert_eq!(store.members().await.unwrap().len(), 31);
}

async fn users_sign_in_only_with_the_right_password_and_while_enabled(store: Store, _url: String) {
    let user = seeded_user(&store, "kaz.admin", "KAZ", "member_admin").await;
    assert_eq!(user.member, Some(code("KAZ")));
    let throttle = LoginThrottle::default();
    let sign_in = |name: &'static str, password: &'static str| {
        let store = store.clone();
        async move {
            store
                .sign_in(&admin(), &throttle, name, password)
                .await
                .unwrap()
        }
    };
    let ok = sign_in("kaz.admin", "a long test password").await;
    assert_eq!(ok.unwrap().id, user.id);
    assert_eq!(
        sign_in("kaz.admin", "wrong password!!").await.unwrap_err(),
        SignInFailure::BadCredentials
    );
    assert_eq!(
        sign_in("nobody", "a long test password").await.unwrap_err(),
        SignInFailure::BadCredentials
    );
    store
        .set_user_disabled(&admin(), &Username::parse("kaz.admin").unwrap(), true)
        .await
        .unwrap();
    assert_eq!(
        sign_in("kaz.admin", "a long test password")
            .await
            .unwrap_err(),
        SignInFailure::Disabled
    );
}

async fn duplicate_usernames_and_unknown_members_are_refused(store: Store, _url: String) {
    seeded_user(&store, "ann", "USA", "reader").await;
    let dup = NewUser::parse("ann", "Another Ann", "USA", "reader").unwrap();
    let e = store
        .create_user(&admin(), &dup, "a long test password", false)
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(ref i) if i.errors[0].field == "username"),
        "{e:?}"
    );
    let ghost = NewUser::parse("bob", "Bob", "ZZZ", "reader").unwrap();
    let e = store
        .create_user(&admin(), &ghost, "a long test password", false)
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(ref i) if i.errors[0].field == "member"),
        "{e:?}"
    );
    let weak = NewUser::parse("carl", "Carl", "USA", "reader").unwrap();
    assert!(
        store
            .create_user(&admin(), &weak, "short", false)
            .await
            .is_err()
    );
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn sessions_end_on_sign_out_and_on_disable(store: Store, _url: String) {
    let user = seeded_user(&store, "kaz.admin", "KAZ", "member_admin").await;
    let (token, csrf) = store.create_session(&admin(), user.id).await.unwrap();
    let s = store.session(&token).await.unwrap().expect("live session");
    assert_eq!(s.user.id, user.id);
    assert_eq!(s.csrf_token, csrf);
    store.end_session(&admin(), &token).await.unwrap();
    assert!(store.session(&token).await.unwrap().is_none());
    let (token2, _) = store.create_session(&admin(), user.id).await.unwrap();
    store
        .set_user_disabled(&admin(), &user.username, true)
        .await
        .unwrap();
    assert!(store.session(&token2).await.unwrap().is_none());
    assert!(store.session("not a token").await.unwrap().is_none());
}

async fn api_tokens_authenticate_until_revoked_by_their_owner(store: Store, _url: String) {
    let user = seeded_user(&store, "border.kz", "KAZ", "reader").await;
    let other = store
        .create_user(
            &admin(),
            &NewUser::parse("pak.reader", "P", "PAK", "reader").unwrap(),
            "a long test password",
            false,
        )
        .await
        .unwrap();
    let new = store
        .create_token(&admin(), user.id, &TokenRequest::full("border post"))
        .await
        .unwrap();
    assert!(new.secret.starts_with("acc_"));
    assert_eq!(
        store.token_user(&new.secret).await.unwrap().unwrap().id,
        user.id
    );
    assert!(store.token_user("acc_forged").await.unwrap().is_none());
    assert!(
        store.tokens(user.id).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
    let not_yours = store
        .revoke_token(&admin(), new.token.id, Some(other.id))
        .await
        .unwrap_err();
    assert!(matches!(not_yours, StoreError::NotFound(_)));
    assert!(store.token_user(&new.secret).await.unwrap().is_some());
    store
        .revoke_token(&admin(), new.token.id, Some(user.id))
        .await
        .unwrap();
    assert!(store.token_user(&new.secret).await.unwrap().is_none());
    // An expired token is refused like a revoked one, and carries its scopes
    // while it lives.
    let short = TokenRequest {
        scopes: accord_core::token::Scopes::of(&[accord_core::token::Scope::Screen]),
        ..TokenRequest::full("short-lived")
    };
    let new = store.create_token(&admin(), user.id, &short).await.unwrap();
    assert_eq!(new.token.scopes, "screen");
    let (_, grant) = store.token_owner(&new.secret).await.unwrap().unwrap();
    assert_eq!(grant.scopes, short.scopes);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE api_tokens SET expires_at = 1 WHERE id = {}",
        new.token.id
    )))
    .execute(store.raw_pool())
    .await
    .unwrap();
    assert!(store.token_user(&new.secret).await.unwrap().is_none());
}

async fn focal_points_are_added_edited_and_deleted_with_audited_reads(store: Store, _url: String) {
    store.seed_members().await.unwrap();
    let today = date!(2026 - 11 - 27);
    let input = focal_form("Aigerim Test").parse(today).unwrap();
    let fp = store
        .add_focal_point(&admin(), &code("KAZ"), &input)
        .await
        .unwrap();
    let reader = Actor {
        id: Some(42),
        label: "usa.reader".into(),
        ip: "192.0.2.7".into(),
    };
    let list = store.focal_points(&reader, &code("KAZ")).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].details.name, "Aigerim Test");
    let reads = store
        .audit_records(&AuditQuery {
            action: Some("focal_points.read".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(reads[0].actor, "usa.reader");
    assert_eq!(reads[0].ip, "192.0.2.7");
    assert_eq!(reads[0].target, "member:KAZ");

    let edited = focal_form("Aigerim Nurlanovna").parse(today).unwrap();
    let fp2 = store
        .update_focal_point(&admin(), fp.id, fp.version, &edited)
        .await
        .unwrap();
    assert_eq!(fp2.version, 2);
    assert_eq!(
        store
            .focal_point(&reader, fp.id)
            .await
            .unwrap()
            .details
            .name,
        "Aigerim Nurlanovna"
    );
    let edits = store
        .audit_records(&AuditQuery {
            action: Some("focal_points.edit".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        edits[0].details, r#"{"fields":["name"]}"#,
        "the audit log names fields, never personal data"
    );

    store.delete_focal_point(&admin(), fp.id).await.unwrap();
    assert!(matches!(
        store.focal_point(&reader, fp.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_focal_point(&admin(), fp.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.add_focal_point(&admin(), &code("XYZ"), &input).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.verify_audit_log().await.unwrap() > 0);
}

async fn a_stale_edit_of_a_focal_point_is_refused_and_changes_nothing(store: Store, _url: String) {
    store.seed_members().await.unwrap();
    let today = date!(2026 - 11 - 27);
    let fp = store
        .add_focal_point(
            &admin(),
            &code("KGZ"),
            &focal_form("First").parse(today).unwrap(),
        )
        .await
        .unwrap();
    store
        .update_focal_point(
            &admin(),
            fp.id,
            1,
            &focal_form("Second").parse(today).unwrap(),
        )
        .await
        .unwrap();
    let stale = store
        .update_focal_point(
            &admin(),
            fp.id,
            1,
            &focal_form("Third").parse(today).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
    let now = store.focal_point(&admin(), fp.id).await.unwrap();
    assert_eq!((now.details.name.as_str(), now.version), ("Second", 2));
}

async fn the_audit_chain_verifies_and_names_an_altered_record(store: Store, _url: String) {
    store.seed_members().await.unwrap();
    for i in 0..5 {
        store
            .audit(
                &admin(),
                "test.event",
                &format!("t:{i}"),
                Outcome::Ok,
                serde_json::json!({}),
            )
            .await
            .unwrap();
    }
    let n = store.verify_audit_log().await.unwrap();
    assert_eq!(n, 6);
    // An attacker with database access lifts the protection and rewrites history.
    drop_append_only_triggers(&store).await;
    sqlx::query("UPDATE audit_log SET actor = 'someone.else' WHERE seq = 3")
        .execute(store.raw_pool())
        .await
        .unwrap();
    let e = store.verify_audit_log().await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the audit log is broken: record 3 was altered: its content does not match its hash"
    );
}

async fn an_incremental_verification_resumes_where_the_last_ended_and_finds_later_changes(
    store: Store,
    _url: String,
) {
    let event = |i: i32| {
        let store = store.clone();
        async move {
            store
                .audit(
                    &admin(),
                    "test.event",
                    &format!("t:{i}"),
                    Outcome::Ok,
                    serde_json::json!({}),
                )
                .await
                .unwrap()
        }
    };
    for i in 0..3 {
        event(i).await;
    }
    let (n, at) = store.verify_audit_log_from(None).await.unwrap();
    assert_eq!((n, at.0), (3, 3));
    for i in 3..6 {
        event(i).await;
    }
    // Resumed: the same length as a whole walk.
    let (n, later) = store.verify_audit_log_from(Some(at.clone())).await.unwrap();
    assert_eq!(n, store.verify_audit_log().await.unwrap());
    assert_eq!(later.0, 6);
    // A record changed after the checkpoint is found by the resumed walk.
    drop_append_only_triggers(&store).await;
    sqlx::query("UPDATE audit_log SET actor = 'someone.else' WHERE seq = 5")
        .execute(store.raw_pool())
        .await
        .unwrap();
    let e = store.verify_audit_log_from(Some(at)).await.unwrap_err();
    assert!(e.to_string().contains("record 5 was altered"), "{e}");
}

async fn the_audit_chain_names_a_removed_record(store: Store, _url: String) {
    for i in 0..4 {
        store
            .audit(
                &admin(),
                "test.event",
                &format!("t:{i}"),
                Outcome::Ok,
                serde_json::json!({}),
            )
            .await
            .unwrap();
    }
    drop_append_only_triggers(&store).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(store.raw_pool())
        .await
        .unwrap();
    let e = store.verify_audit_log().await.unwrap_err();
    assert!(e.to_string().contains("record 2 is missing"), "{e}");
}

async fn drop_append_only_triggers(store: &Store) {
    for trigger in ["audit_log_no_update", "audit_log_no_delete"] {
        let sql = match store.backend() {
            Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
            Backend::Postgres => format!("DROP TRIGGER {trigger} ON audit_log"),
        };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(store.raw_pool())
            .await
            .unwrap();
    }
}

async fn the_audit_log_refuses_updates_and_deletes(store: Store, _url: String) {
    store
        .audit(
            &admin(),
            "test.event",
            "t",
            Outcome::Ok,
            serde_json::json!({}),
        )
        .await
        .unwrap();
    let update = sqlx::query("UPDATE audit_log SET actor = 'x'")
        .execute(store.raw_pool())
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(store.raw_pool())
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(store.verify_audit_log().await.unwrap(), 1);
}

async fn concurrent_audited_writes_keep_one_unbroken_chain(store: Store, _url: String) {
    store.seed_members().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let today = date!(2026 - 11 - 27);
            let input = focal_form(&format!("Person {i}")).parse(today).unwrap();
            store
                .add_focal_point(&admin(), &code("TJK"), &input)
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.verify_audit_log().await.unwrap(), 25);
    assert_eq!(
        store
            .focal_points(&admin(), &code("TJK"))
            .await
            .unwrap()
            .len(),
        24
    );
}

async fn settings_keep_the_first_value_written(store: Store, _url: String) {
    assert_eq!(
        store.setting_or_insert("csrf_key", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting_or_insert("csrf_key", "second").await.unwrap(),
        "first"
    );
}

async fn backups_are_consistent_copies_on_sqlite(store: Store, _url: String) {
    store.seed_members().await.unwrap();
    let path = std::env::temp_dir().join(format!(
        "accord-backup-{}.db",
        accord_store::credentials::random_secret()
    ));
    match store.backend() {
        Backend::Sqlite => {
            store.backup_to(&path).await.unwrap();
            let copy = Store::open(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            assert_eq!(copy.members().await.unwrap().len(), 30);
            assert_eq!(copy.verify_audit_log().await.unwrap(), 1);
            copy.close().await;
            assert!(matches!(
                store.backup_to(&path).await,
                Err(StoreError::Conflict(_))
            ));
            std::fs::remove_file(&path).ok();
        }
        Backend::Postgres => {
            let e = store.backup_to(&path).await.unwrap_err();
            assert!(e.to_string().contains("pg_dump"));
        }
    }
}

async fn the_audit_log_is_filtered_by_action_actor_and_days_counted_and_paged_in_sql(
    store: Store,
    _url: String,
) {
    for (who, action) in [
        ("ana", "auth.sign_in"),
        ("ben", "auth.sign_in"),
        ("ana", "users.add"),
        ("ana", "auth.sign_in"),
        ("ben", "tokens.create"),
    ] {
        store
            .audit(
                &Actor::system(who),
                action,
                "x",
                Outcome::Ok,
                serde_json::json!({}),
            )
            .await
            .unwrap();
    }
    let seqs = |q: AuditQuery| {
        let store = store.clone();
        async move {
            let page = store.audit_page(&q).await.unwrap();
            (
                page.items.iter().map(|r| r.seq).collect::<Vec<_>>(),
                page.total,
            )
        }
    };
    let all = AuditQuery {
        limit: 50,
        ..Default::default()
    };
    assert_eq!(seqs(all.clone()).await, (vec![5, 4, 3, 2, 1], 5));
    assert_eq!(
        store.audit_actions().await.unwrap(),
        ["auth.sign_in", "tokens.create", "users.add"]
    );
    let sign_ins = AuditQuery {
        action: Some("auth.sign_in".into()),
        ..all.clone()
    };
    assert_eq!(seqs(sign_ins.clone()).await, (vec![4, 2, 1], 3));
    assert_eq!(
        seqs(AuditQuery {
            actor: Some("ana".into()),
            ..sign_ins.clone()
        })
        .await,
        (vec![4, 1], 2)
    );
    // A page of the matching records; the count is of them all.
    assert_eq!(
        seqs(AuditQuery {
            limit: 2,
            offset: 2,
            ..all.clone()
        })
        .await,
        (vec![3, 2], 5)
    );
    assert_eq!(
        seqs(AuditQuery {
            limit: 2,
            offset: 1,
            ..sign_ins
        })
        .await,
        (vec![2, 1], 3)
    );
    // Days: records at or after `from_ms` and before `until_ms`.
    let now = accord_store::now_ms();
    assert_eq!(
        seqs(AuditQuery {
            from_ms: Some(now - 60_000),
            until_ms: Some(now + 60_000),
            ..all.clone()
        })
        .await
        .1,
        5
    );
    assert_eq!(
        seqs(AuditQuery {
            until_ms: Some(now - 60_000),
            ..all.clone()
        })
        .await,
        (vec![], 0)
    );
    assert_eq!(
        seqs(AuditQuery {
            from_ms: Some(now + 60_000),
            ..all
        })
        .await,
        (vec![], 0)
    );
}
