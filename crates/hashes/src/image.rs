//! Decoding untrusted image bytes into luminance, in memory only.
//!
//! Uploaded content is never written anywhere: these functions take a byte
//! slice and return numbers. Decoding is guarded twice against decompression
//! bombs: the declared size is read from the header and checked before any
//! pixel buffer exists, and the decoder itself runs under `image`'s
//! allocation limits.

use std::io::Cursor;

use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits};

use crate::HashError;
use crate::digest::FileDigests;
use crate::hasher::{PdqDct, PdqOutput};

/// Bounds on what the decoder will allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest width or height accepted.
    pub max_side: u32,
    /// Largest width × height accepted.
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    /// 16,384 a side and 64 megapixels: every real photo, and at most
    /// ~260 MB of decoded RGBA.
    fn default() -> Self {
        ImageLimits {
            max_side: 16_384,
            max_pixels: 64 * 1024 * 1024,
        }
    }
}

/// A decoded image's luminance (row-major, values 0..=255).
#[derive(Debug, Clone)]
pub struct Luma {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

const ACCEPTED: [ImageFormat; 5] = [
    ImageFormat::Jpeg,
    ImageFormat::Png,
    ImageFormat::Gif,
    ImageFormat::WebP,
    ImageFormat::Bmp,
];

/// The accepted image format `bytes` starts with, if any.
pub fn sniff_format(bytes: &[u8]) -> Option<ImageFormat> {
    image::guess_format(bytes)
        .ok()
        .filter(|f| ACCEPTED.contains(f))
}

/// What non-image content looks like, for a useful refusal.
fn describe_non_image(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Some("a ZIP archive")
    } else if starts(b"\x7fELF") {
        Some("an ELF executable")
    } else if starts(b"MZ") {
        Some("a Windows executable")
    } else if starts(&[0xcf, 0xfa, 0xed, 0xfe]) || starts(&[0xca, 0xfe, 0xba, 0xbe]) {
        Some("a Mach-O executable")
    } else if starts(b"#!") {
        Some("a script")
    } else if starts(b"%PDF") {
        Some("a PDF document")
    } else if starts(&[0x1f, 0x8b]) {
        Some("a gzip archive")
    } else if starts(b"Rar!") {
        Some("a RAR archive")
    } else if starts(&[b'7', b'z', 0xbc, 0xaf]) {
        Some("a 7-Zip archive")
    } else if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        Some("an MP4/QuickTime video (hash it as a file, or as vPDQ)")
    } else if starts(&[0x1a, 0x45, 0xdf, 0xa3]) {
        Some("a Matroska/WebM video")
    } else if image::guess_format(bytes).is_ok() {
        Some("an image format that is not accepted")
    } else if bytes.is_empty() {
        Some("nothing (0 bytes)")
    } else {
        None
    }
}

/// Whether `bytes` starts like a video container (MP4/QuickTime, Matroska/
/// WebM, AVI, MPEG program stream): content for vPDQ rather than PDQ.
pub fn looks_like_video(bytes: &[u8]) -> bool {
    (bytes.len() > 12 && &bytes[4..8] == b"ftyp")
        || bytes.starts_with(&[0x1a, 0x45, 0xdf, 0xa3])
        || (bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"AVI ")
        || bytes.starts_with(&[0x00, 0x00, 0x01, 0xba])
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        _ => "image",
    }
}

/// Decodes an accepted image (GIF and animated WebP: the first frame) and
/// converts it to luminance. Alpha is ignored, as in the reference; EXIF
/// orientation is not applied, as in the reference (the dihedral variants
/// cover rotated copies).
pub fn decode_luma(bytes: &[u8], limits: ImageLimits) -> Result<Luma, HashError> {
    let format = sniff_format(bytes).ok_or(HashError::NotAnImage {
        detected: describe_non_image(bytes),
    })?;
    let name = format_name(format);
    let corrupt = |e: ImageError| match e {
        ImageError::Limits(_) => HashError::Corrupt {
            format: name,
            detail: "the decoder needed more memory than allowed".into(),
        },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            HashError::Corrupt {
                format: name,
                detail: "the data ends early (truncated)".into(),
            }
        }
        other => HashError::Corrupt {
            format: name,
            detail: other.to_string(),
        },
    };
    let reader = |check_sides: bool| {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        let mut l = Limits::default();
        if check_sides {
            l.max_image_width = Some(limits.max_side);
            l.max_image_height = Some(limits.max_side);
        }
        // Decoded RGBA8 of the largest accepted image, plus decoder slack.
        l.max_alloc = Some(limits.max_pixels * 4 + 64 * 1024 * 1024);
        r.limits(l);
        r
    };
    // Header only: no pixel buffer is allocated here. The side limits are
    // checked by us rather than the decoder so the error can say the size.
    let (width, height) = reader(false).into_dimensions().map_err(corrupt)?;
    if width == 0 || height == 0 {
        return Err(HashError::Empty { width, height });
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(HashError::TooLarge {
            width,
            height,
            max_side: limits.max_side,
            max_pixels: limits.max_pixels,
        });
    }
    // The JPEG decoder pads a cut-off scan with grey rather than failing;
    // a hash of half an image must not pass as the image's hash.
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(HashError::Corrupt {
            format: name,
            detail: "the data ends before the end-of-image marker (truncated)".into(),
        });
    }
    if format == ImageFormat::Jpeg
        && let Some(luma) = jpeg_luma(bytes, limits).map_err(|e| HashError::Corrupt {
            format: name,
            detail: e.to_string(),
        })?
    {
        return Ok(luma);
    }
    let image = reader(true).decode().map_err(corrupt)?;
    Ok(luma_of(image))
}

/// A JFIF JPEG stores luminance as its own plane: Y is the same
/// `0.299 R + 0.587 G + 0.114 B` mix PDQ hashes, so a YCbCr or grey JPEG
/// is decoded to Y alone, skipping chroma upsampling and colour
/// conversion (about half the decoding time of a photo). `None` for the
/// other colour spaces (CMYK, YCCK, Adobe RGB), which take the general path.
fn jpeg_luma(
    bytes: &[u8],
    limits: ImageLimits,
) -> Result<Option<Luma>, zune_jpeg::errors::DecodeErrors> {
    use zune_core::colorspace::ColorSpace;
    // The same leniency as the general path (`image` sets it so too);
    // truncation is caught beforehand by `jpeg_is_complete`.
    let options = zune_core::options::DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(limits.max_side as usize)
        .set_max_height(limits.max_side as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    decoder.decode_headers()?;
    if !matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::YCbCr | ColorSpace::Luma)
    ) {
        return Ok(None);
    }
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(ColorSpace::Luma));
    let (width, height) = decoder.dimensions().expect("headers were decoded");
    let pixels = decoder.decode()?;
    if pixels.len() != width * height {
        return Err(zune_jpeg::errors::DecodeErrors::FormatStatic(
            "the decoded size does not match the header",
        ));
    }
    Ok(Some(Luma {
        width,
        height,
        data: pixels.into_iter().map(f32::from).collect(),
    }))
}

/// Walks the JPEG marker structure to the end-of-image marker: segments by
/// their lengths, entropy-coded scans byte by byte (where a 0xFF is always
/// followed by a stuffed 0x00 or a restart marker). An EOI inside an EXIF
/// thumbnail is skipped over with its segment, so it cannot fool this.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return false;
    }
    let mut i = 2;
    while i + 1 < bytes.len() {
        if bytes[i] != 0xff {
            return false;
        }
        let marker = bytes[i + 1];
        match marker {
            0xff => i += 1, // fill byte
            0xd9 => return true,
            0x01 | 0xd0..=0xd7 => i += 2,
            _ => {
                if i + 3 >= bytes.len() {
                    return false;
                }
                let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
                i += 2 + len;
                if marker == 0xda {
                    // Entropy-coded data up to the next real marker.
                    while i + 1 < bytes.len() {
                        if bytes[i] == 0xff
                            && bytes[i + 1] != 0
                            && !(0xd0..=0xd7).contains(&bytes[i + 1])
                        {
                            break;
                        }
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

/// `0.299 R + 0.587 G + 0.114 B`, as floats, like the reference.
fn luma_of(image: DynamicImage) -> Luma {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let data: Vec<f32> = match image {
        DynamicImage::ImageLuma8(g) => g.into_raw().into_iter().map(f32::from).collect(),
        DynamicImage::ImageLumaA8(g) => g
            .into_raw()
            .chunks_exact(2)
            .map(|p| f32::from(p[0]))
            .collect(),
        DynamicImage::ImageRgb8(rgb) => rgb.into_raw().chunks_exact(3).map(rgb_luma).collect(),
        DynamicImage::ImageRgba8(rgba) => rgba.into_raw().chunks_exact(4).map(rgb_luma).collect(),
        other => other
            .to_rgb8()
            .into_raw()
            .chunks_exact(3)
            .map(rgb_luma)
            .collect(),
    };
    Luma {
        width,
        height,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{jpeg, picture};

    #[test]
    fn video_containers_are_recognised_and_images_are_not() {
        assert!(looks_like_video(
            b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00"
        ));
        assert!(looks_like_video(b"RIFF\x10\x00\x00\x00AVI LIST"));
        assert!(!looks_like_video(&jpeg(&picture(8, 8, 1, 0.0), 80)));
    }

    #[test]
    fn a_whole_jpeg_is_complete_and_every_cut_of_it_is_not() {
        let bytes = jpeg(&picture(64, 48, 1, 0.1), 80);
        assert!(jpeg_is_complete(&bytes));
        for cut in [3, 20, bytes.len() / 2, bytes.len() - 2, bytes.len() - 1] {
            assert!(!jpeg_is_complete(&bytes[..cut]), "cut at {cut}");
        }
        let mut trailing = bytes.clone();
        trailing.extend_from_slice(b"trailing bytes some cameras add");
        assert!(jpeg_is_complete(&trailing));
    }
}

fn rgb_luma(p: &[u8]) -> f32 {
    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
}

/// PDQ of image bytes: decode, then hash. Quality is reported, not
/// enforced; see [`crate::require_reliable`].
pub fn pdq_of_image(bytes: &[u8], limits: ImageLimits) -> Result<PdqOutput, HashError> {
    pdq_dct_of_image(bytes, limits).map(|d| d.output())
}

/// PDQ of one decoded RGB picture (three bytes a pixel, rows in order): a
/// video frame as a decoder hands it over.
pub fn pdq_of_rgb(rgb: &[u8], width: usize, height: usize) -> PdqOutput {
    debug_assert_eq!(rgb.len(), width * height * 3);
    let luma: Vec<f32> = rgb.chunks_exact(3).map(rgb_luma).collect();
    PdqDct::from_luma(&luma, height, width).output()
}

/// The DCT block of image bytes, for the hash and its dihedral variants.
pub fn pdq_dct_of_image(bytes: &[u8], limits: ImageLimits) -> Result<PdqDct, HashError> {
    let luma = decode_luma(bytes, limits)?;
    Ok(PdqDct::from_luma(&luma.data, luma.height, luma.width))
}

/// Everything the bank stores for one piece of content.
#[derive(Debug, Clone)]
pub struct ContentHashes {
    pub digests: FileDigests,
    /// `None` when the content is not an image in an accepted format.
    pub pdq: Option<PdqOutput>,
}

/// Hashes content of any kind: file digests always; PDQ when it is an image.
/// Content that claims to be an image (by its magic bytes) but cannot be
/// decoded is an error rather than silently "not an image".
pub fn hash_content(bytes: &[u8], limits: ImageLimits) -> Result<ContentHashes, HashError> {
    let digests = FileDigests::of(bytes);
    let pdq = if sniff_format(bytes).is_some() {
        Some(pdq_of_image(bytes, limits)?)
    } else {
        None
    };
    Ok(ContentHashes { digests, pdq })
}
