//! Who sees whom a proposal names, on both databases: before adoption the
//! proposed entry and summary of reasons are read only by the regional
//! states that decide, the proposer and the secretariat — on the list
//! page, the proposal page, the API and the subject API alike; once
//! adopted, by everyone who views proposals.

mod support;

use accord_store::Actor;
use accord_store::common_list::SubjectKind;
use reqwest::{Method, StatusCode};
use support::*;

on_both_backends!(a_proposed_entry_is_withheld_from_partners_until_it_is_adopted);

async fn a_proposed_entry_is_withheld_from_partners_until_it_is_adopted(app: &TestApp) {
    let proposal = app
        .propose_listing(
            SubjectKind::Individual,
            "Pending Person",
            "case",
            "Recruits for a listed group in Osh.",
        )
        .await;
    let id = proposal.id;
    let subject = proposal.subject.clone();
    let reads = |body: &serde_json::Value| {
        body["proposed_entry"]["names"][0]["text"] == "Pending Person"
            && body["narrative_summary"] == "Recruits for a listed group in Osh."
    };

    for (user, sees) in [
        ("kgz.admin", true),
        ("kaz.admin", true),
        ("sec", true),
        ("usa.reader", false),
        ("ombuds", false),
    ] {
        let token = app.api_token(user).await;
        let (status, one) = api(
            app,
            Some(&token),
            Method::GET,
            &format!("/api/proposals/{id}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(reads(&one), sees, "{user}: {one}");
        if !sees {
            // Nothing of it, in any field.
            assert!(one["proposed_entry"].is_null() && one["un_reference"].is_null());
            let text = one.to_string();
            assert!(
                !text.contains("Pending Person") && !text.contains("Recruits for a listed group"),
                "{user}: {text}"
            );
        }
        assert_eq!(one["entry_restricted"], !sees, "{user}");
        assert_eq!(one["proposer"], "KAZ", "the proposal itself is shown");
        let (_, all) = api(app, Some(&token), Method::GET, "/api/proposals", None).await;
        let listed = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap();
        assert_eq!(reads(listed), sees, "{user} in the list");
        let (status, _) = api(
            app,
            Some(&token),
            Method::GET,
            &format!("/api/subjects/{subject}"),
            None,
        )
        .await;
        assert_eq!(
            status,
            if sees {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            },
            "{user} on the subject API"
        );
        let b = app.sign_in(user).await;
        for path in ["/proposals".to_string(), format!("/proposals/{id}")] {
            let html = app.get(&b, &path).await.text().await.unwrap();
            assert_eq!(html.contains("Pending Person"), sees, "{user} on {path}");
            assert_eq!(
                html.contains("Recruits for a listed group"),
                sees && path != "/proposals",
                "{user} on {path}"
            );
        }
    }

    // Adopted: the entry is on the public list, and shown to every viewer.
    app.store
        .advance_due(
            &Actor::system("test"),
            proposal.state.deadline + time::Duration::minutes(1),
        )
        .await
        .unwrap();
    let token = app.api_token("usa.reader").await;
    let (_, one) = api(
        app,
        Some(&token),
        Method::GET,
        &format!("/api/proposals/{id}"),
        None,
    )
    .await;
    assert!(reads(&one), "{one}");
    let (status, _) = api(
        app,
        Some(&token),
        Method::GET,
        &format!("/api/subjects/{subject}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
