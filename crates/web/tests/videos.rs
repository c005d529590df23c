//! Videos in the hash banks (vPDQ): a video's frame hashes, as Meta's
//! reference tool computed them, stored in a bank; an uploaded copy of the
//! video, decoded by ffmpeg in memory and never stored, finds it with both
//! shares, and so does a lookup of the frame hashes (Accord's batch and
//! HMA's shape); a different video does not. Bad vPDQ hashes are refused
//! naming the field, with nothing stored; without ffmpeg a video still gets
//! its digests and the answer says why it has no vPDQ hash.

mod support;

use reqwest::header::AUTHORIZATION;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_stored_video_is_found_by_an_uploaded_copy_and_by_its_frame_hashes,
    bad_vpdq_hashes_are_refused_naming_the_field_and_nothing_is_stored,
    without_ffmpeg_a_video_gets_its_digests_and_says_why_it_has_no_vpdq,
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../video/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// ffmpeg is installed by `scripts/test.sh setup`; under CI a missing one
/// fails, elsewhere the test is skipped with a word.
fn have_ffmpeg() -> bool {
    if accord_video::ffmpeg_available(&accord_video::VideoOptions::default()) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "ffmpeg is needed under CI"
    );
    eprintln!("SKIPPED: ffmpeg is not installed (apt-get install ffmpeg)");
    false
}

fn video(signal: &str, note: &str) -> Value {
    json!({ "signal_type": "vpdq", "signal": signal, "content_type": "video",
            "behaviour": "glorification", "entity_name": "A test card", "note": note })
}

async fn lookup_video(app: &TestApp, token: &str, signal: &str) -> (StatusCode, Value) {
    api(
        app,
        Some(token),
        Method::POST,
        "/api/hashes/lookup",
        Some(&json!({ "signals": [{ "signal_type": "vpdq", "signal": signal }] })),
    )
    .await
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
    app.post_upload_api(token, "/api/hashes/hash", &[("match", "true")], name, bytes)
        .await
}

async fn a_stored_video_is_found_by_an_uploaded_copy_and_by_its_frame_hashes(app: &TestApp) {
    if !have_ffmpeg() {
        return;
    }
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&json!({ "id": "kaz-videos", "name": "Videos", "owner": "KAZ", "tlp": "AMBER", "share_with": ["KGZ"] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // Two videos' every-frame hashes from Meta's reference tool, in its line
    // form: stored in ThreatExchange's JSON form.
    let card = String::from_utf8(fixture("test-padded-dimensions.txt")).unwrap();
    let door = String::from_utf8(fixture("doorknob-hd-no-bar.txt")).unwrap();
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-videos/hashes",
        Some(&json!({ "hashes": [video(&card, "test card"), video(&door, "doorknob")] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let card_id = v["ids"][0].as_i64().unwrap();
    let (_, stored) = api(
        app,
        Some(&kaz),
        Method::GET,
        &format!("/api/hashes/{card_id}"),
        None,
    )
    .await;
    let signal = stored["signal"].as_str().unwrap();
    assert!(
        signal.starts_with("[\"e6cf059c"),
        "stored as JSON: {}",
        &signal[..20]
    );

    // A member the bank is shared with uploads the video itself: ffmpeg
    // decodes it, a frame a second is hashed, and the card is found.
    let (status, v) = upload(
        app,
        &kgz,
        "clip.mp4",
        &fixture("test-padded-dimensions.mp4"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["vpdq_frames"], 5, "150 frames at 30 fps, one a second");
    assert!(v["pdq"].is_null());
    let vpdq = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["signal_type"] == "vpdq")
        .unwrap();
    let matches = vpdq["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "the card, not the doorknob: {vpdq}");
    assert_eq!(matches[0]["hash_id"], card_id);
    assert_eq!(matches[0]["vpdq"]["query_match_percent"], 100.0);
    let compared = matches[0]["vpdq"]["compared_match_percent"]
        .as_f64()
        .unwrap();
    assert!(compared > 0.0 && compared <= 100.0, "{compared}");

    // The upload's vPDQ hash, looked up as a signal, finds the same.
    let our_signal = v["vpdq"].as_str().unwrap().to_string();
    let (status, found) = lookup_video(app, &kgz, &our_signal).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found[0]["matches"][0]["hash_id"], card_id);
    // HMA's shape: the "distance" of a video is both shares.
    let r = app
        .http
        .get(app.at("/m/lookup"))
        .query(&[("signal_type", "vpdq"), ("signal", our_signal.as_str())])
        .header(AUTHORIZATION, format!("Bearer {kgz}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let hma: Value = r.json().await.unwrap();
    let d = hma["kaz-videos"][0]["distance"].as_str().unwrap();
    assert!(d.starts_with("100%["), "{hma}");

    // A reader of another member, not shared with, finds nothing.
    let usa = app.api_token("usa.reader").await;
    let (_, found) = lookup_video(app, &usa, &our_signal).await;
    assert!(
        found[0]["matches"].as_array().unwrap().is_empty(),
        "{found}"
    );

    // The check page shows the frames and the match for a person.
    let b = app.sign_in("kgz.admin").await;
    let r = app
        .post_upload_page(
            &b,
            "/hashes/check",
            "clip.mp4",
            &fixture("test-padded-dimensions.mp4"),
            "en",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("5 frames hashed"), "frames shown");
    assert!(page.contains("100% of the upload"), "shares shown");

    // A removed video stops matching.
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::DELETE,
        &format!("/api/banks/kaz-videos/hashes/{card_id}"),
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (_, found) = lookup_video(app, &kgz, &our_signal).await;
    assert!(
        found[0]["matches"].as_array().unwrap().is_empty(),
        "{found}"
    );

    // Nothing of the video is in the database.
    app.assert_not_stored(&fixture("test-padded-dimensions.mp4"));
}

async fn bad_vpdq_hashes_are_refused_naming_the_field_and_nothing_is_stored(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&json!({ "id": "kaz-videos", "name": "Videos", "owner": "KAZ", "tlp": "GREEN" })),
    )
    .await;
    let h = "e6cf059c4c6696362cc9d6663cd9c263714169d98327399993363d9c3d9cc666";
    for (signal, expected) in [
        ("[]".to_string(), "no frames"),
        (
            format!("[\"{h},20,0.0\"]"),
            "no frame of the vPDQ hash has quality 50",
        ),
        (format!("[\"{}x,100,0.0\"]", &h[..63]), "hex digits"),
        ("not json, not lines".to_string(), "vPDQ line 1"),
    ] {
        let (status, v) = api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/banks/kaz-videos/hashes",
            Some(&json!({ "hashes": [video(&format!("[\"{h},100,0.0\"]"), "good"), video(&signal, "bad")] })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{signal}: {v}");
        let text = v.to_string();
        assert!(text.contains("hashes[1].signal"), "{v}");
        assert!(text.contains(expected), "{signal}: {v}");
        let (status, v) = lookup_video(app, &kaz, &signal).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("signals[0].signal"), "{v}");
    }
    let (_, bank) = api(app, Some(&kaz), Method::GET, "/api/banks/kaz-videos", None).await;
    assert_eq!(
        bank["hashes"].as_array().map_or(0, Vec::len),
        0,
        "nothing stored: {bank}"
    );
    // A corrupt video posted for hashing: refused, naming the file.
    if have_ffmpeg() {
        let bytes = fixture("test-padded-dimensions.mp4");
        // Cut in half, its index (at the end) is gone.
        let (status, v) = upload(app, &kaz, "cut.mp4", &bytes[..bytes.len() / 2]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "file", "{v}");
        assert!(v.to_string().contains("not a video ffmpeg can read"), "{v}");
        // A person on the check page gets the refusal in their language.
        let b = app.sign_in("kaz.admin").await;
        let r = app
            .post_upload_page(
                &b,
                "/hashes/check",
                "cut.mp4",
                &bytes[..bytes.len() / 2],
                "ru",
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("не видео, которое может прочитать ffmpeg"),
            "translated"
        );
    }
}

async fn without_ffmpeg_a_video_gets_its_digests_and_says_why_it_has_no_vpdq(app: &TestApp) {
    let Some(app) = TestApp::spawn_with(app.store.backend(), |c| {
        c.video.ffmpeg = "/nonexistent/ffmpeg".into();
    })
    .await
    else {
        return;
    };
    let kaz = app.api_token("kaz.admin").await;
    let (status, v) = upload(
        &app,
        &kaz,
        "clip.mp4",
        &fixture("test-padded-dimensions.mp4"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
    assert!(v["vpdq"].is_null());
    assert!(
        v["vpdq_unavailable"]
            .as_str()
            .unwrap()
            .contains("apt-get install ffmpeg"),
        "{v}"
    );
    app.finish().await;
}
