//! `verify_bundle` on the demo world: what a good bundle proves, and that
//! each kind of bad input fails the check it should, by name.

use accord_proof::bundle::{Check, EarlierHead, Failure, sign_export, verify_bundle};
use accord_proof::demo::{self, LIST_ID, World};
use accord_proof::keys::{KeyError, rotation_to};
use accord_proof::log::{LogEntry, TransparencyLog};
use accord_proof::minisign::MinisignError;
use accord_proof::records::{DecisionError, Signed};
use accord_proof::{ProofBundle, PublicKey, VerifyError};

fn world() -> World {
    World::build()
}

fn verify(
    w: &World,
    file: &[u8],
    sig: &str,
    b: &ProofBundle,
) -> Result<accord_proof::VerifyReport, VerifyError> {
    verify_bundle(file, sig, b, &w.current_key.public_key(), None)
}

fn sig(w: &World, v: u64) -> String {
    w.file(v).signature.to_text()
}

#[test]
fn a_current_version_verifies_with_every_check_passed() {
    let w = world();
    let b = w.bundle(3);
    let r = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap();
    assert_eq!((r.list_id.as_str(), r.version), (LIST_ID, 3));
    assert_eq!(r.decisions.len(), 4);
    assert_eq!(r.superseded_by, None);
    assert_eq!(r.head.record.size, w.log.len());
    assert!(r.passed.contains(&Check::Inclusion));
    assert!(r.passed.contains(&Check::Decision {
        member: "UZB".into(),
        proposal: "P-003".into()
    }));
}

#[test]
fn an_old_version_still_verifies_with_the_rotated_out_key_that_signed_it() {
    let w = world();
    let b = w.bundle(2);
    // Pinned: the current key; the file was signed by the first key.
    let r = verify(&w, &w.file(2).bytes, &sig(&w, 2), &b).unwrap();
    assert_eq!(r.file.key_id, w.first_key.key_id);
    // And pinning the first key works as well.
    verify_bundle(
        &w.file(2).bytes,
        &sig(&w, 2),
        &b,
        &w.first_key.public_key(),
        None,
    )
    .unwrap();
}

#[test]
fn a_superseded_version_says_so_and_names_its_successor() {
    let w = world();
    let r = verify(&w, &w.file(1).bytes, &sig(&w, 1), &w.bundle(1)).unwrap();
    assert_eq!(r.superseded_by, Some(2));
    assert!(r.passed.contains(&Check::Supersession));
}

#[test]
fn a_signature_over_another_file_fails_the_file_signature_check() {
    let w = world();
    let err = verify(&w, &w.file(2).bytes, &sig(&w, 3), &w.bundle(3)).unwrap_err();
    assert_eq!(err.check, Check::FileSignature);
    assert_eq!(err.failure, Failure::Signature(MinisignError::BadSignature));
}

#[test]
fn another_versions_signature_on_this_file_fails() {
    let w = world();
    // v2's signature on v3's file: the signature is over other content.
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 2), &w.bundle(3)).unwrap_err();
    assert_eq!(err.check, Check::FileSignature);
    // A genuine platform signature over these very bytes, but made for
    // version 2: the trusted comment gives it away.
    let replay = sign_export(
        &w.current_key,
        &w.file(3).bytes,
        "list-v2.csv",
        LIST_ID,
        2,
        demo::published_at(3),
    )
    .unwrap()
    .to_text();
    let err = verify(&w, &w.file(3).bytes, &replay, &w.bundle(3)).unwrap_err();
    assert_eq!(err.check, Check::TrustedComment);
    assert!(err.to_string().contains("version 2"), "{err}");
}

#[test]
fn a_truncated_signature_fails_the_file_signature_check() {
    let w = world();
    let s = sig(&w, 3);
    let cut = &s[..s.len() / 2];
    let err = verify(&w, &w.file(3).bytes, cut, &w.bundle(3)).unwrap_err();
    assert_eq!(err.check, Check::FileSignature);
    assert!(matches!(
        err.failure,
        Failure::Signature(MinisignError::Malformed { .. })
    ));
}

#[test]
fn an_inclusion_proof_that_does_not_match_the_head_fails() {
    let w = world();
    let mut b = w.bundle(3);
    b.inclusion.hashes[0].0[0] ^= 1;
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::Inclusion);
    // A head from before the version was logged cannot include it.
    let mut b = w.bundle(3);
    let size = w.heads[1].record.size;
    b.head = Signed::sign(
        accord_proof::TreeHead {
            size,
            root: w.log.root_at(size).unwrap(),
            timestamp: demo::published_at(3) + 1,
        },
        &w.current_key,
    )
    .unwrap();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::Inclusion);
}

#[test]
fn a_forged_tree_head_fails() {
    let w = world();
    let mut b = w.bundle(3);
    b.head.record.size += 1;
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::TreeHead);
}

#[test]
fn the_log_is_shown_to_have_only_grown_since_an_earlier_head() {
    let w = world();
    let earlier = EarlierHead {
        head: w.heads[0].clone(),
        proof: None,
    };
    let r = verify_bundle(
        &w.file(3).bytes,
        &sig(&w, 3),
        &w.bundle(3),
        &w.current_key.public_key(),
        Some(&earlier),
    )
    .unwrap();
    assert_eq!(r.consistent_with, Some(w.heads[0].record.size));
}

#[test]
fn a_consistency_proof_over_a_rewritten_history_fails() {
    let w = world();
    // The platform rewrites an early entry (a member's decision replaced by
    // another checkpoint) and re-signs a head over the rewritten log.
    let mut entries = w.log.entries().to_vec();
    entries[5] = LogEntry::AuditCheckpoint(
        Signed::sign(
            accord_proof::AuditCheckpoint {
                sequence: 1,
                hash: "00".repeat(32),
                at: demo::T0,
            },
            &w.first_key,
        )
        .unwrap(),
    );
    let rewritten = TransparencyLog::from_entries(entries).unwrap();
    let head = rewritten
        .sign_head(&w.current_key, demo::published_at(3) + 120)
        .unwrap();
    let mut b = rewritten.bundle(LIST_ID, 3, &sig(&w, 3), &head).unwrap();
    let seen = &w.heads[1];
    b.consistency.push(
        rewritten
            .consistency_proof(seen.record.size, head.record.size)
            .unwrap(),
    );
    // Everything else checks out: the rewritten log includes version 3…
    verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap();
    // …but not as an extension of the head the verifier saw before.
    let err = verify_bundle(
        &w.file(3).bytes,
        &sig(&w, 3),
        &b,
        &w.current_key.public_key(),
        Some(&EarlierHead {
            head: seen.clone(),
            proof: None,
        }),
    )
    .unwrap_err();
    assert_eq!(err.check, Check::Consistency);
    assert!(err.to_string().contains("rewritten"), "{err}");
}

#[test]
fn a_decision_signed_with_another_members_key_fails_and_names_the_member() {
    let w = world();
    let mut b = w.bundle(3);
    let uzb = &w.members[3].1;
    let d = &mut b.version.record.adoption[0];
    assert_eq!(d.record.member, "KAZ");
    *d = Signed::sign(d.record.clone(), uzb).unwrap();
    // A platform that accepted it would sign the record as it stands.
    b.version = Signed::sign(b.version.record.clone(), &w.current_key).unwrap();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(
        err.check,
        Check::Decision {
            member: "KAZ".into(),
            proposal: "P-003".into()
        }
    );
    assert!(matches!(
        err.failure,
        Failure::Decision(DecisionError::WrongMember { .. })
    ));
    assert!(err.to_string().contains("certified for UZB"), "{err}");
}

#[test]
fn a_decision_on_another_proposal_cannot_adopt_a_version() {
    let w = world();
    let mut b = w.bundle(3);
    let kaz = &w.members[0].1;
    let d = &mut b.version.record.adoption[0];
    let mut other = d.record.clone();
    other.proposal = "P-002".into();
    *d = Signed::sign(other, kaz).unwrap();
    b.version = Signed::sign(b.version.record.clone(), &w.current_key).unwrap();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(
        err.check,
        Check::Decision {
            member: "KAZ".into(),
            proposal: "P-002".into()
        }
    );
    assert!(err.to_string().contains("not P-003"), "{err}");
}

#[test]
fn a_decision_missing_from_the_log_fails() {
    let w = world();
    let mut b = w.bundle(3);
    // The proof of another entry is offered for UZB's decision.
    b.decision_inclusions[3] = b.decision_inclusions[2].clone();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(
        err.check,
        Check::Decision {
            member: "UZB".into(),
            proposal: "P-003".into()
        }
    );
    assert!(err.to_string().contains("not in the log"), "{err}");
    b.decision_inclusions.pop();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::Inclusion);
}

#[test]
fn an_altered_version_record_fails_its_signature() {
    let w = world();
    let mut b = w.bundle(3);
    b.version.record.subject_count += 1;
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::VersionRecord);
}

#[test]
fn a_file_signed_by_a_rotated_out_key_after_its_rotation_fails() {
    let w = world();
    // The retired key (say, leaked) signs version 3's file.
    let late = sign_export(
        &w.first_key,
        &w.file(3).bytes,
        "list-v3.csv",
        LIST_ID,
        3,
        demo::published_at(3),
    )
    .unwrap()
    .to_text();
    let err = verify(&w, &w.file(3).bytes, &late, &w.bundle(3)).unwrap_err();
    assert_eq!(err.check, Check::SigningKey);
    assert!(matches!(
        err.failure,
        Failure::Key(KeyError::RotatedOut { .. })
    ));
}

#[test]
fn a_file_signed_after_the_keys_declared_expiry_fails() {
    let w = world();
    let mut b = w.bundle(3);
    // The same rotation, but the new key was declared to expire before v3.
    b.key_rotations = vec![
        rotation_to(
            &w.first_key,
            &w.current_key,
            demo::ROTATED_AT,
            Some(demo::published_at(3) - 1),
            "r",
        )
        .unwrap(),
    ];
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::SigningKey);
    assert!(matches!(
        err.failure,
        Failure::Key(KeyError::Expired { .. })
    ));
}

#[test]
fn a_bundle_whose_key_history_does_not_reach_the_trusted_key_fails() {
    let w = world();
    let stranger: PublicKey = demo::key(99, "stranger").public_key();
    let err =
        verify_bundle(&w.file(3).bytes, &sig(&w, 3), &w.bundle(3), &stranger, None).unwrap_err();
    assert_eq!(err.check, Check::KeyHistory);
}

#[test]
fn a_file_signed_by_an_unknown_key_fails_the_file_signature_check() {
    let w = world();
    let stranger = demo::key(99, "stranger");
    let s = sign_export(
        &stranger,
        &w.file(3).bytes,
        "list-v3.csv",
        LIST_ID,
        3,
        demo::published_at(3),
    )
    .unwrap()
    .to_text();
    let err = verify(&w, &w.file(3).bytes, &s, &w.bundle(3)).unwrap_err();
    assert_eq!(err.check, Check::FileSignature);
    assert!(matches!(
        err.failure,
        Failure::Key(KeyError::UnknownKey { .. })
    ));
}

#[test]
fn a_forged_member_key_certificate_fails() {
    let w = world();
    let mut b = w.bundle(3);
    b.member_keys[0].record.public_key = demo::key(98, "forger").public_key();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::MemberKeys);
    assert!(err.to_string().contains("KAZ"), "{err}");
}

#[test]
fn a_bundle_round_trips_through_json() {
    let w = world();
    let b = w.bundle(1);
    let text = serde_json::to_string_pretty(&b).unwrap();
    let back: ProofBundle = serde_json::from_str(&text).unwrap();
    assert_eq!(back, b);
    verify(&w, &w.file(1).bytes, &back.file_signature, &back).unwrap();
}

#[test]
fn an_earlier_head_must_be_signed_and_not_beyond_the_bundles_head() {
    let w = world();
    let check = |earlier: EarlierHead, b: &ProofBundle| {
        verify_bundle(
            &w.file(2).bytes,
            &sig(&w, 2),
            b,
            &w.current_key.public_key(),
            Some(&earlier),
        )
        .unwrap_err()
    };
    let mut forged = w.heads[0].clone();
    forged.record.root.0[0] ^= 1;
    let err = check(
        EarlierHead {
            head: forged,
            proof: None,
        },
        &w.bundle(2),
    );
    assert_eq!(err.check, Check::Consistency);
    assert!(
        err.to_string().contains("earlier head's signature"),
        "{err}"
    );

    // A bundle under the v1 head, checked against the later v2 head
    // (both signed by the first key, before the rotation).
    let old_bundle = w.log.bundle(LIST_ID, 1, &sig(&w, 1), &w.heads[0]).unwrap();
    let err = verify_bundle(
        &w.file(1).bytes,
        &sig(&w, 1),
        &old_bundle,
        &w.first_key.public_key(),
        Some(&EarlierHead {
            head: w.heads[1].clone(),
            proof: None,
        }),
    )
    .unwrap_err();
    assert_eq!(err.check, Check::Consistency);
    assert!(err.to_string().contains("bundle is older"), "{err}");
}

/// Every SHA-256 value a bundle carries (file digests, roots, proof
/// hashes), with the JSON pointer to it; the consistency proofs are left
/// out, as they are only read against an earlier head.
fn digests(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s)
            if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            out.push(at)
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                digests(item, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                if k != "consistency" {
                    digests(item, format!("{at}/{k}"), out);
                }
            }
        }
        _ => {}
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn changing_any_digest_in_a_bundle_makes_it_fail(pick in 0usize..10_000, version in 1u64..=3) {
        static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
        let w = WORLD.get_or_init(world);
        let b = w.bundle(version);
        let mut json = serde_json::to_value(&b).unwrap();
        let mut paths = Vec::new();
        digests(&json, String::new(), &mut paths);
        proptest::prop_assert!(paths.len() > 10);
        let path = &paths[pick % paths.len()];
        let s = json.pointer_mut(path).unwrap();
        let old = s.as_str().unwrap().to_string();
        let flipped = if old.starts_with('0') { "1" } else { "0" };
        *s = serde_json::Value::String(format!("{flipped}{}", &old[1..]));
        let tampered: ProofBundle = serde_json::from_value(json).unwrap();
        let f = w.file(version);
        let result = verify_bundle(&f.bytes, &sig(w, version), &tampered, &w.current_key.public_key(), None);
        proptest::prop_assert!(result.is_err(), "changing {} went unnoticed", path);
    }
}

#[test]
fn a_head_signed_by_a_retired_key_cannot_vouch_for_the_log() {
    let w = world();
    let mut b = w.bundle(3);
    // The retired key signs the real log's head, backdated to before the
    // rotation so that the key was still valid at the stated time.
    b.head = Signed::sign(
        accord_proof::TreeHead {
            timestamp: demo::ROTATED_AT - 1,
            ..b.head.record.clone()
        },
        &w.first_key,
    )
    .unwrap();
    let err = verify(&w, &w.file(3).bytes, &sig(&w, 3), &b).unwrap_err();
    assert_eq!(err.check, Check::TreeHead);
    assert!(err.to_string().contains("retired key"), "{err}");
}
