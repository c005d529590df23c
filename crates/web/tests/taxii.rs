//! The TAXII 2.1 server over HTTP, on SQLite and PostgreSQL: collections by
//! audience and objects that never exceed what the same user reads on the
//! web; paging that neither skips nor repeats, across nodes; revocation of
//! what is taken back; an inbox that turns reports into drafts; TAXII
//! errors for bad requests, with nothing stored; and OASIS's own client and
//! validator walking the real server.

mod support;

use std::collections::BTreeSet;

use accord_core::token::{Scope, Scopes, TokenRequest};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    collections_follow_the_policy_and_objects_never_exceed_the_web,
    paging_walks_every_object_once_and_a_token_works_on_another_node,
    a_withdrawn_item_is_revoked_for_its_audience,
    an_inbox_turns_reports_and_notes_into_drafts_for_review,
    bad_requests_get_taxii_errors_and_change_nothing,
    the_published_list_is_served_with_its_subjects,
    a_members_joint_plan_report_is_served_as_its_marking_allows,
    oasis_client_walks_the_server_and_every_page_validates,
);

const TAXII: &str = "application/taxii+json;version=2.1";
const ROOT: &str = "/taxii2/accord/";
const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

/// A TAXII GET: the status, the body and the response's headers.
async fn taxii(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut r = app.http.get(app.at(path)).header("accept", TAXII);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some(TAXII),
        "every answer is TAXII's media type: {path}"
    );
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        headers,
    )
}

async fn collections(app: &TestApp, token: Option<&str>) -> Vec<Value> {
    let (s, v, _) = taxii(app, token, &format!("{ROOT}collections/")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["collections"].as_array().unwrap().clone()
}

fn titled<'a>(list: &'a [Value], prefix: &str) -> &'a Value {
    list.iter()
        .find(|c| c["title"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no collection {prefix}: {list:?}"))
}

/// Every object of a collection, walked a page at a time.
async fn walk(
    app: &TestApp,
    token: Option<&str>,
    collection: &str,
    query: &str,
    limit: u32,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("{ROOT}collections/{collection}/objects/?limit={limit}{query}");
        if let Some(n) = &next {
            path.push_str(&format!("&next={n}"));
        }
        let (s, v, _) = taxii(app, token, &path).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        out.extend(v["objects"].as_array().cloned().unwrap_or_default());
        match v["next"].as_str() {
            Some(n) if v["more"] == true => next = Some(n.to_string()),
            _ => return out,
        }
    }
}

fn item(title: &str, marking: &str, distribution: &str, extra: Value) -> Value {
    let mut body = json!({
        "kind": "research",
        "marking": marking,
        "distribution": distribution,
        "versions": [{"lang": "en", "title": title, "summary": "A summary.", "body": "Findings."},
                     {"lang": "ru", "title": format!("{title} (ru)"), "summary": "Кратко.", "body": "Выводы."}],
        "countries": ["KAZ"],
        "themes": ["prisons"],
        "published": "2026-06-01",
        "unverified": ["The sample size"],
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
}

/// The library item a report was made from.
fn item_id(report: &Value) -> Option<i64> {
    report["extensions"]
        .as_object()?
        .values()
        .find_map(|e| e["item_id"].as_i64())
}

fn marking_of(o: &Value) -> &str {
    o["object_marking_refs"][0].as_str().unwrap_or("")
}

async fn token_with(app: &TestApp, user: &str, scopes: &[Scope]) -> String {
    let u = app
        .store
        .user_by_username(&accord_core::Username::parse(user).unwrap())
        .await
        .unwrap();
    let request = TokenRequest {
        scopes: Scopes::of(scopes),
        ..TokenRequest::full("scoped")
    };
    app.store
        .create_token(&accord_store::Actor::system("test"), u.id, &request)
        .await
        .unwrap()
        .secret
}

async fn collections_follow_the_policy_and_objects_never_exceed_the_web(app: &TestApp) {
    app.add_user("kaz.analyst", "KAZ", "contributor").await;
    let analyst = app.api_token("kaz.analyst").await;
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let (s, g) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/library/groups",
        Some(&json!({"name": "Border", "members": ["KGZ"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let group = g["id"].as_i64().unwrap();
    let clear = published(
        app,
        &analyst,
        &kaz,
        &item("Clear study", "CLEAR", "platform", json!({})),
    )
    .await;
    let green = published(
        app,
        &analyst,
        &kaz,
        &item("Green study", "GREEN", "platform", json!({})),
    )
    .await;
    let grouped = published(
        app,
        &analyst,
        &kaz,
        &item("Border study", "AMBER", "group", json!({"group": group})),
    )
    .await;
    let own = published(
        app,
        &analyst,
        &kaz,
        &item("Own study", "AMBER", "owner", json!({})),
    )
    .await;

    let anonymous = collections(app, None).await;
    assert_eq!(anonymous.len(), 1, "{anonymous:?}");
    let public = anonymous[0]["id"].as_str().unwrap().to_string();
    let objects = walk(app, None, &public, "", 1000).await;
    assert!(objects.iter().all(|o| o["type"] == "marking-definition"
        || marking_of(o) == accord_core::tlp::Tlp::Clear.stix_marking_id()));
    let ids: BTreeSet<i64> = objects.iter().filter_map(item_id).collect();
    assert!(
        ids.contains(&clear)
            && !ids.contains(&green)
            && !ids.contains(&grouped)
            && !ids.contains(&own)
    );

    // What each viewer's collections hold, every library report checked
    // against the same user's reading of the item on the web.
    for (token, sees, never) in [
        (&usa, vec![clear, green], vec![grouped, own]),
        (&kgz, vec![clear, green, grouped], vec![own]),
        (&kaz, vec![clear, green, grouped, own], vec![]),
    ] {
        let mut all = BTreeSet::new();
        for c in collections(app, Some(token)).await {
            if c["can_read"] != true {
                continue;
            }
            for o in walk(app, Some(token), c["id"].as_str().unwrap(), "", 1000).await {
                if let Some(id) = item_id(&o) {
                    let (s, v) = api(
                        app,
                        Some(token),
                        Method::GET,
                        &format!("/api/library/items/{id}"),
                        None,
                    )
                    .await;
                    assert_eq!(
                        s,
                        StatusCode::OK,
                        "TAXII served item {id} that the web refuses: {v}"
                    );
                    all.insert(id);
                }
            }
        }
        for id in &sees {
            assert!(all.contains(id), "{id} missing from {all:?}");
        }
        for id in &never {
            assert!(!all.contains(id), "{id} leaked: {all:?}");
        }
    }
    let kgz_list = collections(app, Some(&kgz)).await;
    let border = titled(&kgz_list, "Accord: sharing group Border")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        collections(app, Some(&usa))
            .await
            .iter()
            .all(|c| c["id"] != border.as_str())
    );
    let (s, v, _) = taxii(
        app,
        Some(&usa),
        &format!("{ROOT}collections/{border}/objects/"),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["http_status"], "404");

    // The report carries what readers need: marking, creator, languages, the unverified note.
    let partnership = titled(&kgz_list, "Accord: the partnership")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let objects = walk(app, Some(&kgz), &partnership, "", 1000).await;
    let report = objects.iter().find(|o| item_id(o) == Some(green)).unwrap();
    assert_eq!(marking_of(report), GREEN);
    assert_eq!(report["name"], "Green study");
    let creator = report["created_by_ref"].as_str().unwrap();
    assert!(
        objects
            .iter()
            .any(|o| o["id"] == creator && o["type"] == "identity"),
        "the creator's identity is served"
    );
    let (extension, facts) = report["extensions"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(facts["translations"]["ru"]["name"], "Green study (ru)");
    assert_eq!(facts["unverified"][0], "The sample size");
    assert!(
        report["description"]
            .as_str()
            .unwrap()
            .contains("Not verified: The sample size")
    );
    assert!(
        objects
            .iter()
            .any(|o| o["type"] == "extension-definition" && o["id"] == extension.as_str()),
        "the extension is declared"
    );
    // The TLP definitions are known by their fixed ids; served, an importer
    // would put every one on every event.
    assert!(objects.iter().all(|o| o["type"] != "marking-definition"));
}

async fn paging_walks_every_object_once_and_a_token_works_on_another_node(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let list = collections(app, Some(&kaz)).await;
    let partnership = titled(&list, "Accord: the partnership")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let whole = walk(app, Some(&kaz), &partnership, "", 1000).await;
    assert!(
        whole.len() > 40,
        "the seeded library and the context: {}",
        whole.len()
    );
    for limit in [1, 3, 7] {
        let paged = walk(app, Some(&kaz), &partnership, "", limit).await;
        let ids: Vec<&str> = paged.iter().map(|o| o["id"].as_str().unwrap()).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "nothing repeated at limit {limit}");
        assert_eq!(
            paged, whole,
            "nothing skipped, the same order, at limit {limit}"
        );
    }
    // The context is added in one transaction: its objects share a date_added.
    let (_, first, headers) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/?limit=3"),
    )
    .await;
    assert_eq!(
        headers["x-taxii-date-added-first"], headers["x-taxii-date-added-last"],
        "a page inside one millisecond"
    );
    let next = first["next"].as_str().unwrap().to_string();

    // The second page, asked of another node, after the first: the same.
    let other = app.second_node().await;
    let (s, there, _) = taxii(
        &other,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/?limit=3&next={next}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{there}");
    assert_eq!(there["objects"].as_array().unwrap()[..], whole[3..6]);

    // added_after: nothing after the last object's date_added.
    let (_, all, headers) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/manifest/"),
    )
    .await;
    assert_eq!(all["objects"].as_array().unwrap().len(), whole.len());
    let last = headers["x-taxii-date-added-last"].to_str().unwrap();
    let (s, none, _) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/?added_after={last}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(none["objects"].is_null() && none["more"] == false, "{none}");
    // Filters: by type, by id.
    let reports = walk(app, Some(&kaz), &partnership, "&match[type]=report", 1000).await;
    assert!(!reports.is_empty() && reports.iter().all(|o| o["type"] == "report"));
    let one = reports[0]["id"].as_str().unwrap();
    let (s, v, _) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/{one}/"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["objects"][0]["id"], one);
}

async fn a_withdrawn_item_is_revoked_for_its_audience(app: &TestApp) {
    app.add_user("kaz.analyst", "KAZ", "contributor").await;
    let kgz = app.api_token("kaz.analyst").await;
    let kaz = app.api_token("kaz.admin").await;
    let id = published(
        app,
        &kgz,
        &kaz,
        &item("Soon withdrawn", "GREEN", "platform", json!({})),
    )
    .await;
    let list = collections(app, Some(&kaz)).await;
    let partnership = titled(&list, "Accord: the partnership")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = walk(app, Some(&kaz), &partnership, "&match[type]=report", 1000).await;
    let report = before
        .iter()
        .find(|o| item_id(o) == Some(id))
        .expect("published")
        .clone();
    assert!(report.get("revoked").is_none());
    let report_id = report["id"].as_str().unwrap();

    let (s, v) = api(
        app,
        Some(&kgz),
        Method::POST,
        &format!("/api/library/items/{id}/withdraw"),
        Some(&json!({"reason": "superseded"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v, _) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/{report_id}/"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let last = &v["objects"][0];
    assert_eq!(last["revoked"], true, "{last}");
    assert!(last["modified"].as_str().unwrap() > report["modified"].as_str().unwrap());
    let (s, versions, _) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/{report_id}/versions/"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        versions["versions"].as_array().unwrap().len(),
        1,
        "what was withdrawn is served in no version: {versions}"
    );
    for filter in ["first", "all"] {
        let (_, v, _) = taxii(
            app,
            Some(&kaz),
            &format!(
                "{ROOT}collections/{partnership}/objects/{report_id}/?match[version]={filter}"
            ),
        )
        .await;
        let only = v["objects"].as_array().unwrap();
        assert_eq!(only.len(), 1, "{v}");
        assert_eq!(only[0]["revoked"], true);
        assert_eq!(only[0]["name"], "(revoked)");
        assert!(
            only[0].get("description").is_none() && only[0].get("extensions").is_none(),
            "{v}"
        );
    }

    // Marked higher, then back: each change revokes the old object, and
    // the item comes back as a new one (a revoked id never returns).
    let id = published(
        app,
        &kgz,
        &kaz,
        &item("Marked twice", "GREEN", "platform", json!({})),
    )
    .await;
    // Each state is read over TAXII (projected) before the next change.
    walk(app, Some(&kaz), &partnership, "", 1000).await;
    for (marking, base) in [("AMBER", 1), ("GREEN", 2)] {
        let mut body = item("Marked twice", marking, "platform", json!({}));
        body["base_version"] = json!(base);
        let (s, v) = api(
            app,
            Some(&kgz),
            Method::PUT,
            &format!("/api/library/items/{id}"),
            Some(&body),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // An edit of a published item goes to review by itself.
        let (s, v) = api(
            app,
            Some(&kaz),
            Method::POST,
            &format!("/api/library/items/{id}/approve"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        walk(app, Some(&kaz), &partnership, "", 1000).await;
    }
    let reports: Vec<Value> = walk(app, Some(&kaz), &partnership, "&match[type]=report", 1000)
        .await
        .into_iter()
        .filter(|o| o["revoked"] == true || item_id(o) == Some(id))
        .collect();
    let live: Vec<&Value> = reports.iter().filter(|o| o["revoked"] != true).collect();
    assert_eq!(live.len(), 1, "{reports:#?}");
    assert_eq!(marking_of(live[0]), GREEN);
    let first_ids: BTreeSet<&str> = reports
        .iter()
        .filter(|o| o["revoked"] == true)
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(
        first_ids.len() >= 2,
        "the first GREEN and the AMBER objects are revoked: {first_ids:?}"
    );
    assert!(
        !first_ids.contains(live[0]["id"].as_str().unwrap()),
        "a new id"
    );
}

async fn an_inbox_turns_reports_and_notes_into_drafts_for_review(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let list = collections(app, Some(&kaz)).await;
    let inbox = titled(&list, "Accord: inbox of")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        collections(app, Some(&usa))
            .await
            .iter()
            .all(|c| c["can_write"] != true),
        "a reader has no inbox"
    );
    let envelope = json!({"objects": [
        {"type": "report", "spec_version": "2.1", "id": "report--9b7c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c01",
         "created": "2026-11-20T09:00:00.000Z", "modified": "2026-11-20T09:00:00.000Z",
         "name": "Channels recruiting in the Fergana Valley", "description": "Three channels.\n\nThe analysis.",
         "published": "2026-11-20T09:00:00.000Z", "lang": "en",
         "object_refs": ["identity--0d4a8f0c-3c55-4b8e-9f0a-0a7c2a1c9a11"], "object_marking_refs": [GREEN]},
        {"type": "note", "spec_version": "2.1", "id": "note--9b7c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c02",
         "created": "2026-11-21T09:00:00.000Z", "modified": "2026-11-21T09:00:00.000Z",
         "abstract": "A follow-up", "content": "The channels moved.",
         "object_refs": ["report--9b7c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c01"], "object_marking_refs": [GREEN]},
        {"type": "malware", "spec_version": "2.1", "id": "malware--9b7c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c03",
         "created": "2026-11-21T09:00:00.000Z", "modified": "2026-11-21T09:00:00.000Z", "name": "x", "is_family": false},
        {"type": "marking-definition", "spec_version": "2.1", "id": GREEN, "created": "2022-10-01T00:00:00.000Z",
         "name": "TLP:GREEN", "extensions": {}}
    ]});
    // Basic, with the token as the password, as MISP and OpenCTI send it.
    let post = || {
        app.http
            .post(app.at(&format!("{ROOT}collections/{inbox}/objects/")))
            .basic_auth("kaz.admin", Some(&kaz))
            .header("accept", TAXII)
            .header("content-type", TAXII)
            .body(envelope.to_string())
    };
    let resp = post().send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let status: Value = resp.json().await.unwrap();
    assert_eq!(status["success_count"], 3, "{status}");
    assert_eq!(status["failure_count"], 1, "{status}");
    assert!(
        status["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("malware")
    );
    let (s, again, _) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}status/{}/", status["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again, status);
    let (s, _, _) = taxii(
        app,
        Some(&usa),
        &format!("{ROOT}status/{}/", status["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a status is its poster's");

    let message = status["successes"][0]["message"].as_str().unwrap();
    let draft: i64 = message.split_whitespace().nth(3).unwrap().parse().unwrap();
    let (s, v) = api(
        app,
        Some(&kaz),
        Method::GET,
        &format!("/api/library/items/{draft}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "draft", "never published directly: {v}");
    let (s, _) = api(
        app,
        Some(&usa),
        Method::GET,
        &format!("/api/library/items/{draft}"),
        None,
    )
    .await;
    assert_ne!(s, StatusCode::OK, "a draft is not shown to other members");

    let seq = app.store.library_seq().await.unwrap();
    let resp = post().send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let second: Value = resp.json().await.unwrap();
    assert!(
        second["successes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("received before"),
        "{second}"
    );
    assert_eq!(
        app.store.library_seq().await.unwrap(),
        seq,
        "the same post makes no second draft"
    );

    // What Accord serves, pushed back (a MISP that pulls and pushes), is not
    // taken again as this member's draft.
    let partnership = titled(&list, "Accord: the partnership")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let served = walk(app, Some(&kaz), &partnership, "&match[type]=report", 1000).await;
    let resp = app
        .http
        .post(app.at(&format!("{ROOT}collections/{inbox}/objects/")))
        .bearer_auth(&kaz)
        .header("content-type", TAXII)
        .body(json!({"objects": [served[0]]}).to_string())
        .send()
        .await
        .unwrap();
    let echo: Value = resp.json().await.unwrap();
    assert_eq!(echo["failure_count"], 1, "{echo}");
    assert!(
        echo["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("came from Accord")
    );
    assert_eq!(app.store.library_seq().await.unwrap(), seq);

    // Basic naming another user than the token's is refused.
    let resp = app
        .http
        .get(app.at(&format!("{ROOT}collections/")))
        .basic_auth("kgz.admin", Some(&kaz))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key("www-authenticate"));
}

async fn bad_requests_get_taxii_errors_and_change_nothing(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let list = collections(app, Some(&kaz)).await;
    let partnership = titled(&list, "Accord: the partnership")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let public = titled(&list, "Accord: public")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inbox = titled(&list, "Accord: inbox of")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, page, _) = taxii(
        app,
        Some(&kaz),
        &format!("{ROOT}collections/{partnership}/objects/?limit=2"),
    )
    .await;
    let next = page["next"].as_str().unwrap().to_string();
    let mut tampered = next.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let objects = format!("{ROOT}collections/{partnership}/objects/");

    for (path, expected) in [
        (
            format!("{ROOT}collections/3f1b7a9c-0000-4000-8000-000000000000/objects/"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("{objects}?next={tampered}"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{objects}?next=not-a-token"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{ROOT}collections/{public}/objects/?limit=2&next={next}"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{objects}?limit=2&match[type]=report&next={next}"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{objects}?added_after=yesterday"),
            StatusCode::BAD_REQUEST,
        ),
        (format!("{objects}?limit=0"), StatusCode::BAD_REQUEST),
        (format!("{objects}?limit=10000000"), StatusCode::BAD_REQUEST),
        (
            format!("{objects}?match[version]=newest"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{objects}report--not-an-id/"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{ROOT}collections/{inbox}/objects/"),
            StatusCode::FORBIDDEN,
        ),
        (format!("{ROOT}nowhere/"), StatusCode::NOT_FOUND),
    ] {
        let (s, v, _) = taxii(app, Some(&kaz), &path).await;
        assert_eq!(s, expected, "{path}: {v}");
        assert_eq!(
            v["http_status"],
            expected.as_u16().to_string(),
            "{path}: {v}"
        );
        assert!(
            v["title"].is_string() && v["description"].is_string(),
            "{path}: {v}"
        );
    }
    // The right page still works with its token.
    let (s, _, _) = taxii(app, Some(&kaz), &format!("{objects}?limit=2&next={next}")).await;
    assert_eq!(s, StatusCode::OK);

    // A client that takes no TAXII answer is told so.
    let resp = app
        .http
        .get(app.at(&format!("{ROOT}collections/")))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_ACCEPTABLE);
    // A token without the taxii scope.
    let read_only = token_with(app, "kaz.admin", &[Scope::Read]).await;
    let (s, v, _) = taxii(app, Some(&read_only), &format!("{ROOT}collections/")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    let seq = app.store.library_seq().await.unwrap();
    let report = |n: usize| {
        json!({"type": "report", "spec_version": "2.1", "id": format!("report--9b7c2d3e-4f50-4a6b-8c7d-{n:012}"),
        "created": "2026-11-20T09:00:00.000Z", "modified": "2026-11-20T09:00:00.000Z", "name": "x",
        "published": "2026-11-20T09:00:00.000Z", "object_refs": ["identity--0d4a8f0c-3c55-4b8e-9f0a-0a7c2a1c9a11"], "object_marking_refs": [GREEN]})
    };
    let mut invalid = report(1);
    invalid["modified"] = json!("last tuesday");
    let posts: Vec<(String, &str, String, StatusCode)> = vec![
        (
            inbox.clone(),
            TAXII,
            "not json".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            inbox.clone(),
            TAXII,
            json!({"type": "report"}).to_string(),
            StatusCode::BAD_REQUEST,
        ),
        (
            inbox.clone(),
            TAXII,
            json!({"objects": (0..1001).map(report).collect::<Vec<_>>()}).to_string(),
            // Beyond the API root's max_content_length, before it is read.
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            inbox.clone(),
            TAXII,
            json!({"objects": [report(2), invalid]}).to_string(),
            StatusCode::BAD_REQUEST,
        ),
        (
            inbox.clone(),
            "text/plain",
            json!({"objects": [report(3)]}).to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            partnership.clone(),
            TAXII,
            json!({"objects": [report(4)]}).to_string(),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (collection, content_type, body, expected) in posts {
        let resp = app
            .http
            .post(app.at(&format!("{ROOT}collections/{collection}/objects/")))
            .bearer_auth(&kaz)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), expected);
        assert_eq!(resp.headers()["content-type"], TAXII);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["http_status"], expected.as_u16().to_string(), "{v}");
    }
    // Another member's inbox is not even seen.
    let resp = app
        .http
        .post(app.at(&format!("{ROOT}collections/{inbox}/objects/")))
        .bearer_auth(&kgz)
        .header("content-type", TAXII)
        .body(json!({"objects": [report(5)]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.library_seq().await.unwrap(),
        seq,
        "nothing stored"
    );
}

async fn the_published_list_is_served_with_its_subjects(app: &TestApp) {
    app.list_by_silence(
        accord_store::common_list::SubjectKind::Organization,
        "Jund al-Test",
        "Statement of the case.",
        "Recruits online.",
    )
    .await;
    let public = collections(app, None).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let objects = walk(app, None, &public, "", 1000).await;
    let actor = objects
        .iter()
        .find(|o| o["type"] == "threat-actor" && o["name"] == "Jund al-Test")
        .unwrap_or_else(|| panic!("the listed subject: {objects:?}"));
    assert_eq!(
        marking_of(actor),
        accord_core::tlp::Tlp::Clear.stix_marking_id()
    );
    assert!(
        objects.iter().any(|o| o["type"] == "report"
            && o["object_refs"].as_array().unwrap().contains(&actor["id"]))
    );
}

async fn oasis_client_walks_the_server_and_every_page_validates(app: &TestApp) {
    let Some(python) = peer_python() else { return };
    app.list_by_silence(
        accord_store::common_list::SubjectKind::Individual,
        "Test Person",
        "Statement.",
        "Summary.",
    )
    .await;
    let kaz = app.api_token("kaz.admin").await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/peers/taxii_walk.py"
    );
    for (user, token) in [("-", String::new()), ("kaz.admin", kaz)] {
        let (url, user, python) = (app.url.clone(), user.to_string(), python.clone());
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new(python)
                .args([script, &url, &user, &token, "5"])
                .output()
        })
        .await
        .unwrap()
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let walked: Value = serde_json::from_slice(&out.stdout).unwrap();
        for c in walked["collections"].as_array().unwrap() {
            if c["can_read"] == true {
                let ids: Vec<&str> = c["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap())
                    .collect();
                let unique: BTreeSet<&str> = ids.iter().copied().collect();
                assert_eq!(ids.len(), unique.len(), "{}", c["title"]);
                assert_eq!(c["manifest"], ids.len(), "{}", c["title"]);
                assert_eq!(
                    c["findings"],
                    json!([]),
                    "the validator's findings in {}",
                    c["title"]
                );
                assert!(c["pages"].as_u64().unwrap() > 1, "paged: {}", c["title"]);
                assert_eq!(
                    c["misp"]["errors"],
                    json!([]),
                    "misp-stix on {}",
                    c["title"]
                );
                assert_eq!(
                    c["misp"]["wrong_tlp"],
                    json!([]),
                    "TLP tags in MISP, {}",
                    c["title"]
                );
            }
            if c["can_write"] == true {
                assert_eq!(c["status"]["success_count"], 1, "{c}");
                assert_eq!(c["status"]["failure_count"], 1, "{c}");
                assert_eq!(c["status_again"], "complete");
            }
        }
    }
}

async fn a_members_joint_plan_report_is_served_as_its_marking_allows(app: &TestApp) {
    open_round_by_form(app, "2026-open", &far_deadline()).await;
    let kaz = app.api_token("kaz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let at = "/api/rounds/2026-open/reports/KAZ/astana2015.step.1";
    let body = json!({"status": "in_progress", "tlp": "GREEN", "narrative": "Imams trained in four regions.",
                      "indicators": [{"label": "imams trained", "value": "120", "unit": "people"}]});
    let (s, v) = api(app, Some(&kaz), Method::PUT, at, Some(&body)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        &format!("{at}/submit"),
        Some(&json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let is_plan = |o: &Value| {
        o["type"] == "report"
            && o["name"]
                .as_str()
                .unwrap_or("")
                .contains("Joint Plan report on astana2015.step.1")
    };
    let public = collections(app, None).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !walk(app, None, &public, "", 1000).await.iter().any(is_plan),
        "GREEN is not public"
    );
    let list = collections(app, Some(&usa)).await;
    let partnership = titled(&list, "Accord: the partnership")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let objects = walk(app, Some(&usa), &partnership, "", 1000).await;
    let report = objects
        .iter()
        .find(|o| is_plan(o))
        .expect("the submitted report");
    assert_eq!(marking_of(report), GREEN);
    assert!(
        report["description"]
            .as_str()
            .unwrap()
            .contains("Imams trained in four regions.")
    );
    let creator = report["created_by_ref"].as_str().unwrap();
    assert!(
        objects
            .iter()
            .any(|o| o["id"] == creator && o["name"] == "Kazakhstan"),
        "made by the member"
    );
}
