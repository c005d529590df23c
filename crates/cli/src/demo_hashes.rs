//! The demo's hash banks: Kazakhstan's bank of (synthetic) propaganda
//! images, shared with the partnership under TLP:AMBER, one of its hashes
//! attributed to a subject of the common list; the secretariat's allow bank
//! of news footage, which vetoes one of them; members' feedback. The images
//! are the project's own synthetic pictures (`accord hashes demo-images`):
//! no real propaganda anywhere.

use accord_core::{Principal, Username};
use accord_hashes::bank::{BankInput, HashInput, Verdict};
use accord_hashes::synthetic::{Variant, demo_images};
use accord_store::{Actor, Store, StoreError};

async fn principal(store: &Store, username: &str) -> Result<Principal, StoreError> {
    let user = store.user_by_username(&Username::parse(username)?).await?;
    Ok(Principal::of_user(&user))
}

/// ThreatExchange's sample test-card video (BSD licence; see
/// crates/video/tests/fixtures/README.md) and the reference's hash of its
/// every frame.
pub const TEST_CARD_FILE: &str = "demo-test-card.mp4";
pub const TEST_CARD_VIDEO: &[u8] =
    include_bytes!("../../video/tests/fixtures/test-padded-dimensions.mp4");
const TEST_CARD_VPDQ: &str = include_str!("../../video/tests/fixtures/test-padded-dimensions.txt");

fn refused(e: impl std::fmt::Debug) -> StoreError {
    StoreError::Conflict(format!("demo hashes refused: {e:?}"))
}

/// Records the demo banks once (a database with banks is left alone).
pub async fn load(store: &Store) -> Result<(), StoreError> {
    if !store.banks().await?.is_empty() {
        return Ok(());
    }
    let kaz = principal(store, "kaz.analyst").await?;
    let sec = principal(store, "secretariat").await?;
    let kaz_actor = Actor::new(&kaz, "demo");
    let sec_actor = Actor::new(&sec, "demo");
    let propaganda = BankInput {
        id: "kaz-propaganda".into(),
        name: "Kazakhstan: known propaganda images".into(),
        owner: "KAZ".into(),
        tlp: "AMBER".into(),
        // Two members' disagreements hold a hash (the demo shows one held).
        hold_after: Some(2),
        ..Default::default()
    }
    .validate()
    .map_err(refused)?;
    store.create_bank(&kaz_actor, &propaganda).await?;
    let news = BankInput {
        id: "news-footage".into(),
        name: "Known false positives: news footage and counter-narratives".into(),
        tlp: "GREEN".into(),
        allow: true,
        ..Default::default()
    }
    .validate()
    .map_err(refused)?;
    store.create_bank(&sec_actor, &news).await?;

    let originals: Vec<_> = demo_images(4)
        .into_iter()
        .filter(|i| i.variant == Variant::Original)
        .collect();
    let behaviours = ["recruitment", "glorification", "instruction", "threat"];
    let mut inputs = Vec::new();
    for (n, image) in originals.iter().enumerate() {
        let hashed =
            accord_hashes::hash_content(&image.bytes, Default::default()).map_err(refused)?;
        let pdq = hashed
            .pdq
            .ok_or_else(|| refused("a demo image has no PDQ hash"))?;
        let labels = |signal_type: &str, signal: String, quality: Option<u8>| HashInput {
            signal_type: signal_type.into(),
            signal,
            quality: quality.map(|q| serde_json::json!(q)),
            // The first is attributed to the demo list's first subject.
            entity_subject: if n == 0 {
                "ACL-0001".into()
            } else {
                String::new()
            },
            entity_name: if n == 0 {
                String::new()
            } else {
                "Unattributed online channel".into()
            },
            content_type: "image".into(),
            behaviour: behaviours[n].into(),
            first_seen: format!("2025-0{}-15", n + 3),
            file_type: std::path::Path::new(&image.file_name)
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
            note: format!(
                "Synthetic demo image {} (not real content).",
                image.file_name
            ),
        };
        inputs.push(labels("pdq", pdq.hash.to_hex(), Some(pdq.quality)));
        inputs.push(labels("sha256", hashed.digests.sha256.to_hex(), None));
    }
    let checked: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(i, h)| h.validate(&format!("hashes[{i}]")))
        .collect::<Result<_, _>>()
        .map_err(refused)?;
    let ids = store
        .add_hashes(&kaz_actor, &propaganda.id, &checked)
        .await?;
    // A video, by its frame hashes: ThreatExchange's sample test card, as
    // Meta's reference tool hashed every frame. `accord hashes demo-images`
    // writes the video itself, so uploading it on /hashes/check shows a
    // vPDQ match.
    let video = HashInput {
        signal_type: "vpdq".into(),
        signal: TEST_CARD_VPDQ.into(),
        entity_name: "Unattributed online channel".into(),
        content_type: "video".into(),
        behaviour: "glorification".into(),
        first_seen: "2025-07-01".into(),
        file_type: "mp4".into(),
        note: format!(
            "Frame hashes (vPDQ) of ThreatExchange's sample test-card video {TEST_CARD_FILE} (not real content)."
        ),
        ..Default::default()
    }
    .validate("video")
    .map_err(refused)?;
    store
        .add_hashes(&kaz_actor, &propaganda.id, &[video])
        .await?;
    // The fourth picture turns out to be news footage: the allow bank vetoes it.
    store
        .add_hashes(&sec_actor, &news.id, &checked[6..8])
        .await?;
    let kgz = principal(store, "kgz.admin").await?;
    let tjk = principal(store, "tjk.admin").await?;
    store
        .hash_feedback(
            &Actor::new(&kgz, "demo"),
            &kgz,
            ids[0],
            Verdict::Actioned,
            propaganda.hold_after,
        )
        .await?;
    store
        .hash_feedback(
            &Actor::new(&tjk, "demo"),
            &tjk,
            ids[0],
            Verdict::Agree,
            propaganda.hold_after,
        )
        .await?;
    store
        .hash_feedback(
            &Actor::new(&tjk, "demo"),
            &tjk,
            ids[2],
            Verdict::Disagree,
            propaganda.hold_after,
        )
        .await?;
    // Kyrgyzstan disagrees too: the third picture is held for Kazakhstan's
    // review (/hashes/review).
    store
        .hash_feedback(
            &Actor::new(&kgz, "demo"),
            &kgz,
            ids[2],
            Verdict::Disagree,
            propaganda.hold_after,
        )
        .await?;
    // Platforms matched the first picture over the last four weeks, as the
    // nodes' tallies would have written it (for its page's chart).
    let today = time::OffsetDateTime::now_utc().date();
    let matches: Vec<(i64, String, u64)> = (0..28u64)
        .filter(|d| d % 5 != 3)
        .map(|d| {
            let day = today - time::Duration::days(27 - d as i64);
            (ids[0], day.to_string(), 2 + (d * 7) % 11)
        })
        .collect();
    store.record_lookups(&[], &matches).await?;
    Ok(())
}
