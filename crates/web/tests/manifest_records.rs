//! Kept manifest screenings with `manifest_retention_days` above 0, on
//! both databases: every traveller is kept until the day passes, then
//! cleared while the flight and the hits stay; a member's administrator
//! reads its users' screenings.

mod support;

use accord_paxlst::ListKind;
use accord_paxlst::builder::{LegSpec, ManifestBuilder, MessageSpec, TravellerSpec};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::*;

accord_store::on_both_backends!(|backend, test| {
    let app = super::TestApp::spawn_with(backend, |c| c.manifest_retention_days = 2).await;
    if let Some(app) = app {
        test(&app).await;
        app.finish().await;
    }
};
    every_traveller_is_kept_for_the_retention_days_then_only_the_hits,
);

fn manifest() -> String {
    let legs = vec![LegSpec::new("IST", "2601151400", "NQZ", "2601152105")];
    let pax = MessageSpec::new("PX0200", ListKind::Passengers, "XA124", legs)
        .traveller(TravellerSpec::passenger("ANWARI", "MUHAMMAD").middle("TAHER"))
        .traveller(TravellerSpec::passenger("EXAMPLOVA", "DANA").born("920101"));
    ManifestBuilder::default().message(pax).build()
}

async fn every_traveller_is_kept_for_the_retention_days_then_only_the_hits(app: &TestApp) {
    app.add_user("kaz.officer", "KAZ", "reader").await;
    let officer = app.api_token("kaz.officer").await;
    let r = app
        .http
        .post(app.at("/api/manifests"))
        .bearer_auth(&officer)
        .body(manifest())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<Value>().await.unwrap()["record"].as_i64().unwrap();
    let path = format!("/api/manifests/{id}");

    // The member's administrator reads it too.
    let admin = app.api_token("kaz.admin").await;
    let (status, kept) = api(app, Some(&admin), Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let all: Vec<&str> = kept["travellers"]
        .as_array()
        .expect("every traveller kept")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().any(|n| n.contains("EXAMPLOVA")));
    let until = kept["travellers_until"].as_i64().unwrap();
    let two_days = 2 * 86_400_000;
    assert!((until - accord_store::now_ms() - two_days).abs() < 60_000);

    // The day passes (the sweep runs): the travellers go, the hits stay.
    let cleared = app
        .store
        .expire_manifest_travellers(until + 1)
        .await
        .unwrap();
    assert_eq!(cleared, 1);
    let (_, after) = api(app, Some(&officer), Method::GET, &path, None).await;
    assert!(after["travellers"].is_null(), "{after}");
    assert!(!after.to_string().contains("EXAMPLOVA"));
    assert!(
        after["hits"][0]["name"]
            .as_str()
            .unwrap()
            .contains("ANWARI")
    );

    // The reads are audited.
    let q = accord_store::AuditQuery {
        action: Some("screening.manifest.read".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(app.store.audit_records(&q).await.unwrap().len(), 2);
}
