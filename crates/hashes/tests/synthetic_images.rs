//! The demo images: near-duplicates match their original, different
//! originals do not match each other, and every one hashes reliably.

use accord_hashes::synthetic::{Variant, demo_images};
use accord_hashes::{DEFAULT_PDQ_DISTANCE, ImageLimits, MIN_QUALITY, pdq_of_image};

#[test]
fn near_duplicates_match_their_original_and_not_the_others() {
    let images = demo_images(8);
    assert_eq!(images.len(), 32);
    let hashed: Vec<_> = images
        .iter()
        .map(|i| (i, pdq_of_image(&i.bytes, ImageLimits::default()).unwrap()))
        .collect();
    for (img, out) in &hashed {
        assert!(
            out.quality >= MIN_QUALITY,
            "{}: quality {}",
            img.file_name,
            out.quality
        );
        for (other, other_out) in &hashed {
            let d = out.hash.distance(&other_out.hash);
            if other.original == img.original {
                println!("{} vs {}: {d}", img.file_name, other.file_name);
                assert!(
                    d <= DEFAULT_PDQ_DISTANCE,
                    "{} vs {}: {d}",
                    img.file_name,
                    other.file_name
                );
            } else {
                assert!(
                    d > 64,
                    "{} vs {}: only {d} bits apart",
                    img.file_name,
                    other.file_name
                );
            }
        }
    }
    assert!(images.iter().any(|i| i.variant == Variant::Cropped));
}

#[test]
fn demo_images_are_deterministic() {
    let a = demo_images(2);
    let b = demo_images(2);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.file_name, y.file_name);
        assert_eq!(x.bytes, y.bytes);
    }
}
