//! The yente-compatible match API on the fixtures and yente's own example.

mod common;

use accord_screening::yente::{
    IDENTIFIER_MATCH_SCORE, MatchParams, MatchRequest, MatchResponse, YenteError, match_request,
    yente_time,
};
use serde_json::{Value, json};

fn example() -> MatchRequest {
    let text = std::fs::read_to_string(common::fixture("match-request.example.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn example_request_round_trip() {
    let screener = common::screener();
    let resp = match_request(&screener, "default", example(), MatchParams::default()).unwrap();
    assert_eq!(resp.limit, 5);
    assert_eq!(resp.batch_size(), 3);

    // The wire shape, checked on the JSON itself.
    let json = serde_json::to_value(&resp).unwrap();
    let responses = json["responses"].as_object().unwrap();
    assert_eq!(responses.keys().collect::<Vec<_>>(), vec!["c1", "q", "vv"]);
    for (key, m) in responses {
        assert_eq!(m["status"], 200, "{key}");
        assert_eq!(m["total"]["relation"], "eq");
        assert!(m["query"]["schema"].is_string());
        assert!(m.get("detail").is_none());
        let results = m["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{key}");
        let matches = results.iter().filter(|r| r["match"] == true).count();
        assert_eq!(m["total"]["value"], matches as u64, "{key}");
        for r in results {
            for field in ["id", "caption", "schema"] {
                assert!(r[field].is_string(), "{key} {field}");
            }
            assert!(r["score"].is_f64());
            assert!(r["match"].is_boolean());
            assert_eq!(r["target"], true);
            assert!(r["properties"]["name"].is_array());
            assert!(r["datasets"].is_array());
            assert!(r["referents"].is_array());
            for field in ["first_seen", "last_seen", "last_change"] {
                assert!(r.get(field).is_some(), "{field}");
            }
            let nm = &r["explanations"]["name_match"];
            assert!(nm["detail"].is_string());
            assert!(nm["score"].is_f64());
            assert!(nm["query"].is_string() && nm["candidate"].is_string());
        }
        let scores: Vec<f64> = results
            .iter()
            .map(|r| r["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    }

    let top = |k: &str| &responses[k]["results"][0];
    assert_eq!(top("vv")["id"], "ofac-45937");
    assert_eq!(top("vv")["schema"], "Person");
    assert_eq!(top("vv")["match"], true);
    assert_eq!(top("vv")["referents"], json!(["45937"]));
    assert_eq!(top("vv")["properties"]["nationality"], json!(["ru"]));
    assert_eq!(top("q")["id"], "ofac-45937");
    assert_eq!(top("c1")["id"], "ofac-45934");
    assert_eq!(top("c1")["schema"], "Organization");
    // A Person query never returns the company and vice versa.
    for r in responses["vv"]["results"].as_array().unwrap() {
        assert_eq!(r["schema"], "Person");
    }
    for r in responses["c1"]["results"].as_array().unwrap() {
        assert_eq!(r["schema"], "Organization");
    }
    // The query as cleaned: "country": "Russia" comes back as ["ru"].
    assert_eq!(
        responses["vv"]["query"]["properties"]["country"],
        json!(["ru"])
    );
    assert_eq!(
        responses["vv"]["query"]["properties"]["birthDate"],
        json!(["1965"])
    );
    assert_eq!(
        responses["c1"]["query"]["properties"]["jurisdiction"],
        json!(["ru"])
    );
    assert_eq!(
        responses["q"]["query"]["properties"]["firstName"],
        json!(["Aleksandr"])
    );

    // And back: the response deserializes to the same value.
    let text = serde_json::to_string(&resp).unwrap();
    let back: MatchResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(back, resp);
}

#[test]
fn datasets_scope_the_results() {
    let screener = common::screener();
    let resp = match_request(&screener, "un", example(), MatchParams::default()).unwrap();
    for m in resp.responses.values() {
        assert!(
            m.results
                .iter()
                .all(|r| r.datasets == vec!["un".to_string()])
        );
    }
    let params = MatchParams {
        exclude_dataset: vec!["ofac".into()],
        ..MatchParams::default()
    };
    let resp = match_request(&screener, "default", example(), params).unwrap();
    assert!(resp.responses["vv"].results.is_empty());
    let params = MatchParams {
        exclude_entity_ids: vec!["ofac-45937".into()],
        ..MatchParams::default()
    };
    let resp = match_request(&screener, "default", example(), params).unwrap();
    assert!(
        resp.responses["vv"]
            .results
            .iter()
            .all(|r| r.id != "ofac-45937")
    );
}

#[test]
fn unknown_dataset_is_a_typed_error() {
    let screener = common::screener();
    let e = match_request(&screener, "nope", example(), MatchParams::default()).unwrap_err();
    assert_eq!(e, YenteError::UnknownDataset("nope".into()));
    assert_eq!(e.status(), 404);
    assert!(e.body()["detail"].as_str().unwrap().contains("nope"));
}

#[test]
fn a_query_without_a_name_is_searched_by_its_identifiers() {
    let screener = common::screener();
    let req: MatchRequest = serde_json::from_value(json!({
        "queries": {
            "noname": {"schema": "Person", "properties": {"birthDate": ["1965"]}},
            "passport": {"schema": "Person", "properties": {"passportNumber": ["ly53fp76"]}},
            "punct": {"schema": "Person", "properties": {"name": ["!!!"]}},
            "ok": {"schema": "Person", "properties": {"name": "Muhammad Tahir Anwari"}}
        }
    }))
    .unwrap();
    let resp = match_request(&screener, "default", req, MatchParams::default()).unwrap();
    let noname = &resp.responses["noname"];
    assert_eq!(noname.status, 200);
    assert!(noname.results.is_empty() && noname.detail.is_none());
    let passport = &resp.responses["passport"];
    assert_eq!(passport.status, 200);
    assert_eq!(passport.results.len(), 1);
    let hit = &passport.results[0];
    assert_eq!(hit.referents, ["LYi.023"]);
    assert_eq!(hit.score, IDENTIFIER_MATCH_SCORE);
    assert!(hit.is_match);
    assert_eq!(
        hit.explanations["identifier_match"].candidate.as_deref(),
        Some("LY53FP76")
    );
    // Names the engine refuses are still a per-query error.
    let punct = &resp.responses["punct"];
    assert_eq!(punct.status, 400);
    assert!(punct.results.is_empty());
    assert!(punct.detail.as_deref().unwrap().contains("name"));
    assert_eq!(resp.responses["ok"].status, 200);
    assert_eq!(resp.responses["ok"].results[0].id, "un-TAi.005");
}

#[test]
fn first_seen_last_seen_and_last_change_share_one_format() {
    for (given, want) in [
        ("2001-01-25", Some("2001-01-25T00:00:00")),
        ("2026-02-27T10:15:30Z", Some("2026-02-27T10:15:30")),
        ("2026-03-01T10:15:30.250+05:00", Some("2026-03-01T05:15:30")),
        ("2015-04-07-04:00", Some("2015-04-07T00:00:00")),
        ("27/02/2026", None),
    ] {
        assert_eq!(yente_time(given).as_deref(), want, "{given}");
    }
    let screener = common::screener();
    let req: MatchRequest = serde_json::from_value(json!({
        "queries": {"q": {"schema": "Person", "properties": {"name": "Muhammad Tahir Anwari"}}}
    }))
    .unwrap();
    let resp = match_request(&screener, "un", req, MatchParams::default()).unwrap();
    let mut seen = 0;
    for m in resp.responses.values() {
        for r in &m.results {
            for t in [&r.first_seen, &r.last_seen, &r.last_change]
                .into_iter()
                .flatten()
            {
                seen += 1;
                assert_eq!(t.len(), 19, "{t}");
                assert_eq!(yente_time(t).as_deref(), Some(t.as_str()));
            }
        }
    }
    assert_eq!(seen, 3, "a UN entry has all three");
}

#[test]
fn request_level_errors() {
    let screener = common::screener();
    let run = |req: Value, params: MatchParams| {
        let req: MatchRequest = serde_json::from_value(req).unwrap();
        match_request(&screener, "default", req, params).unwrap_err()
    };
    let one = json!({"queries": {"a": {"schema": "Person", "properties": {"name": "X Y"}}}});

    let e = run(json!({"queries": {}}), MatchParams::default());
    assert_eq!((e.status(), e), (400, YenteError::NoQueries));
    let many: serde_json::Map<String, Value> = (0..101)
        .map(|i| {
            (
                format!("q{i}"),
                json!({"schema": "Person", "properties": {"name": "A B"}}),
            )
        })
        .collect();
    let e = run(json!({ "queries": many }), MatchParams::default());
    assert_eq!(e, YenteError::TooManyQueries { got: 101 });
    let e = run(
        json!({"queries": {"a": {"schema": "Planet", "properties": {"name": "X"}}}}),
        MatchParams::default(),
    );
    assert!(matches!(e, YenteError::InvalidSchema { .. }));
    assert_eq!(e.status(), 400);
    let e = run(
        one.clone(),
        MatchParams {
            algorithm: "magic".into(),
            ..MatchParams::default()
        },
    );
    assert_eq!(e, YenteError::UnknownAlgorithm("magic".into()));
    let mut with_config = one.clone();
    with_config["config"] = json!({"no_such_key": 1});
    let e = run(with_config, MatchParams::default());
    assert!(matches!(e, YenteError::UnknownConfig { .. }));
    let e = run(
        one.clone(),
        MatchParams {
            limit: 501,
            ..MatchParams::default()
        },
    );
    assert_eq!(e.status(), 422);
    // FastAPI's validation shape, as yente answers a parameter out of range.
    assert_eq!(e.body()["detail"][0]["loc"][0], "query");
    assert!(e.body()["detail"][0]["msg"].is_string());
    let e = run(
        one,
        MatchParams {
            changed_since: Some("yesterday".into()),
            ..MatchParams::default()
        },
    );
    assert_eq!(e.status(), 422);

    // A body without a schema does not deserialize (FastAPI's 422).
    assert!(
        serde_json::from_value::<MatchRequest>(json!({"queries": {"a": {"properties": {}}}}))
            .is_err()
    );
}

#[test]
fn threshold_and_limit() {
    let screener = common::screener();
    let params = MatchParams {
        threshold: 0.99,
        cutoff: 0.5,
        limit: 1,
        ..MatchParams::default()
    };
    let req: MatchRequest = serde_json::from_value(json!({
        "queries": {"a": {"schema": "LegalEntity", "properties": {"name": ["Zakharov"]}}}
    }))
    .unwrap();
    let resp = match_request(&screener, "default", req, params).unwrap();
    let m = &resp.responses["a"];
    assert!(m.results.len() <= 1);
    assert!(m.results.iter().all(|r| r.score > 0.5));
    assert!(m.results.iter().all(|r| r.is_match == (r.score >= 0.99)));
}
