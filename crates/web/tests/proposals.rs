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

on_both_backends!(
    a_proposed_entry_is_withheld_from_partners_until_it_is_adopted,
    the_proposals_list_filters_sorts_and_pages_and_keeps_a_bad_filter_with_a_translated_error,
);

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

/// Where each proposal's link is on the page, in the page's order.
fn order_on_page(html: &str, ids: &[i64]) -> Vec<i64> {
    let mut found: Vec<(usize, i64)> = ids
        .iter()
        .filter_map(|id| {
            html.find(&format!("href=\"/proposals/{id}\""))
                .map(|at| (at, *id))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, id)| id).collect()
}

async fn the_proposals_list_filters_sorts_and_pages_and_keeps_a_bad_filter_with_a_translated_error(
    app: &TestApp,
) {
    app.list_by_silence(SubjectKind::Organization, "Adopted Front", "case", "Funds.")
        .await;
    let first = app
        .propose_listing(SubjectKind::Organization, "Open Front", "case", "Recruits.")
        .await
        .id;
    let second = app
        .propose_listing(SubjectKind::Individual, "Open Person", "case", "Recruits.")
        .await
        .id;
    let adopted = first - 1;
    let all = [adopted, first, second];
    let b = app.sign_in("kaz.admin").await;

    // The running ones, by deadline (the default), with the days left.
    let r = app.get(&b, "/proposals?status=open").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(order_on_page(&html, &all), [first, second]);
    assert!(html.contains("days left"), "{html}");
    assert!(html.contains("1–2 of 2"), "{html}");
    assert!(html.contains(r#"<option value="open" selected>open</option>"#));
    // Newest proposed first; then by status (running first, adopted last).
    let html = app
        .get(&b, "/proposals?sort=-proposed")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [second, first, adopted]);
    let html = app
        .get(&b, "/proposals?sort=status")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [first, second, adopted]);
    let html = app
        .get(&b, "/proposals?status=adopted")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [adopted]);
    assert!(
        !html.contains("days left"),
        "a decided one has no time left"
    );
    let html = app
        .get(&b, "/proposals?proposer=KGZ")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), Vec::<i64>::new());
    assert!(html.contains("Nothing matches these filters."));
    let html = app
        .get(&b, "/proposals?kind=list&proposer=KAZ")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all).len(), 3);

    // A page of one, its links keeping the filters.
    let html = app
        .get(&b, "/proposals?status=open&per_page=1&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [second]);
    assert!(html.contains("2–2 of 2"), "{html}");
    assert!(
        html.contains(r#"href="/proposals?status=open&amp;per_page=1&amp;page=1""#),
        "{html}"
    );
    assert!(!html.contains(r#"rel="next""#));

    // Bad parameters: a translated message on the page, the input kept,
    // the list shown by the parameters that are right.
    let r = app
        .get(&b, "/proposals?status=nope&page=0&kind=list&lang=ru")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("не входит в предложенные варианты"), "{html}");
    assert!(html.contains("должно быть номером страницы"), "{html}");
    assert!(
        html.contains(r#"<option value="nope" selected>nope</option>"#),
        "{html}"
    );
    assert!(html.contains(r#"aria-invalid="true""#));
    assert_eq!(order_on_page(&html, &all).len(), 3);
    assert!(
        html.contains("на рассмотрении"),
        "statuses in Russian: {html}"
    );

    // The API: the same parameters, the page and the count.
    let token = app.api_token("kaz.admin").await;
    let (status, body) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/proposals?status=open&sort=-deadline&per_page=1",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 2);
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 1);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["id"], second);
    let (status, body) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/proposals?sort=sideways",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "sort", "{body}");
}
