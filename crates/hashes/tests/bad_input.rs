//! Every kind of bad input is refused with an error that names the problem.

use accord_hashes::synthetic::{jpeg, picture, png};
use accord_hashes::{HashError, ImageLimits, hash_content, pdq_of_image};

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A PNG of a few dozen bytes whose header declares `width × height` RGB.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    // A tiny zlib stream (empty stored block): the data is missing, which
    // the decoder would only find out after allocating.
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0, 0, 0, 1],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

#[test]
fn a_decompression_bomb_is_refused_before_allocation_with_its_declared_size() {
    let bomb = png_declaring(100_000, 100_000);
    assert!(bomb.len() < 100);
    let err = pdq_of_image(&bomb, ImageLimits::default()).unwrap_err();
    assert!(
        matches!(
            err,
            HashError::TooLarge {
                width: 100_000,
                height: 100_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("100000 × 100000"), "{err}");
}

#[test]
fn an_image_over_the_pixel_count_limit_is_refused_even_within_the_side_limit() {
    let limits = ImageLimits {
        max_side: 16_384,
        max_pixels: 1_000_000,
    };
    let err = pdq_of_image(&png_declaring(2000, 1000), limits).unwrap_err();
    assert!(matches!(err, HashError::TooLarge { .. }), "{err:?}");
}

#[test]
fn a_truncated_jpeg_is_refused_as_corrupt_or_truncated() {
    let full = jpeg(&picture(320, 240, 1, 0.05), 85);
    let cut = &full[..full.len() / 3];
    let err = pdq_of_image(cut, ImageLimits::default()).unwrap_err();
    assert!(
        matches!(err, HashError::Corrupt { format: "JPEG", .. }),
        "{err:?}"
    );
}

#[test]
fn a_truncated_png_is_refused_as_corrupt_or_truncated() {
    let full = png(&picture(320, 240, 2, 0.05));
    let cut = &full[..full.len() / 2];
    let err = pdq_of_image(cut, ImageLimits::default()).unwrap_err();
    assert!(
        matches!(err, HashError::Corrupt { format: "PNG", .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("PNG image is corrupt or truncated")
    );
}

#[test]
fn a_png_with_garbage_after_its_signature_is_refused_as_corrupt() {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0x5a; 200]);
    let err = pdq_of_image(&bytes, ImageLimits::default()).unwrap_err();
    assert!(
        matches!(err, HashError::Corrupt { format: "PNG", .. }),
        "{err:?}"
    );
}

#[test]
fn a_zip_posted_as_an_image_is_refused_as_a_zip() {
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00 not really compressed data";
    let err = pdq_of_image(zip, ImageLimits::default()).unwrap_err();
    assert_eq!(
        err,
        HashError::NotAnImage {
            detected: Some("a ZIP archive")
        }
    );
    assert!(err.to_string().contains("ZIP archive"));
}

#[test]
fn an_executable_posted_as_an_image_is_refused_as_an_executable() {
    let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00";
    let err = pdq_of_image(elf, ImageLimits::default()).unwrap_err();
    assert!(err.to_string().contains("ELF executable"), "{err}");
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00";
    let err = pdq_of_image(exe, ImageLimits::default()).unwrap_err();
    assert!(err.to_string().contains("Windows executable"), "{err}");
}

#[test]
fn unrecognised_bytes_are_refused_as_not_an_image() {
    let err = pdq_of_image(b"hello, world", ImageLimits::default()).unwrap_err();
    assert_eq!(err, HashError::NotAnImage { detected: None });
}

#[test]
fn non_image_content_still_gets_file_digests_but_no_pdq() {
    let zip = b"PK\x03\x04 an archive";
    let hashes = hash_content(zip, ImageLimits::default()).unwrap();
    assert!(hashes.pdq.is_none());
    assert_eq!(hashes.digests.md5.to_hex().len(), 32);
}

#[test]
fn content_that_claims_to_be_an_image_but_is_corrupt_is_an_error_not_a_file() {
    let full = png(&picture(64, 64, 3, 0.0));
    let err = hash_content(&full[..40], ImageLimits::default()).unwrap_err();
    assert!(matches!(err, HashError::Corrupt { .. }), "{err:?}");
}
