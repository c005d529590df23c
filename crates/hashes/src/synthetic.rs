//! Deterministic synthetic material: demo images the project makes itself
//! (gradients and shapes — no real content anywhere) with near-duplicates,
//! and random hash corpora for benchmarks and tests.
//!
//! Everything is a pure function of its arguments: the same seed gives the
//! same bytes on every machine (our own SplitMix64, not a library RNG whose
//! stream could change between versions).

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

use crate::PdqHash;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, fully specified.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// How a demo image was derived from its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    /// Scaled to 60 % and saved as PNG.
    Resized,
    /// Saved as JPEG at quality 50.
    Reencoded,
    /// About 1 % cut from every edge (PDQ tolerates slight crops only).
    Cropped,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Self::Original,
        Self::Resized,
        Self::Reencoded,
        Self::Cropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Resized => "resized",
            Self::Reencoded => "reencoded",
            Self::Cropped => "cropped",
        }
    }
}

/// One encoded demo image.
#[derive(Debug, Clone)]
pub struct DemoImage {
    /// e.g. `demo-03-cropped.png`
    pub file_name: String,
    /// Which original (0-based) it derives from.
    pub original: usize,
    pub variant: Variant,
    pub bytes: Vec<u8>,
}

/// A synthetic picture: a two-colour gradient, bands and a few discs and
/// rectangles placed by `seed`, plus `noise` (0..=1) of per-pixel grain so
/// JPEGs of it are photo-sized rather than tiny.
pub fn picture(width: u32, height: u32, seed: u64, noise: f32) -> RgbImage {
    let mut rng = SplitMix64::new(seed ^ 0x5eed_0000_0000_0000);
    let mut colour =
        || -> [f32; 3] { [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0] };
    let (c0, c1) = (colour(), colour());
    let mut rng = SplitMix64::new(seed.wrapping_mul(31).wrapping_add(7));
    let angle = rng.unit() * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());
    let bands = 3.0 + rng.unit() * 4.0;
    // A second, crossing wave: enough structure for a reliable PDQ quality.
    let (fx, fy) = (2.0 + rng.unit() * 3.0, 2.0 + rng.unit() * 3.0);
    struct Shape {
        disc: bool,
        cx: f32,
        cy: f32,
        r: f32,
        colour: [f32; 3],
    }
    let shapes: Vec<Shape> = (0..10 + rng.below(8))
        .map(|_| Shape {
            disc: rng.below(2) == 0,
            cx: rng.unit(),
            cy: rng.unit(),
            r: 0.05 + rng.unit() * 0.2,
            colour: [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0],
        })
        .collect();
    let mut grain = SplitMix64::new(seed ^ 0x6a41_0000);
    let (w, h) = (width as f32, height as f32);
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / w, y as f32 / h);
        let t = ((u - 0.5) * dx + (v - 0.5) * dy + 0.75).clamp(0.0, 1.5) / 1.5;
        let tau = std::f32::consts::TAU;
        let band = 0.7 + 0.15 * (t * bands * tau).sin() + 0.15 * ((u * fx + v * fy) * tau).sin();
        let mut p: [f32; 3] = std::array::from_fn(|k| (c0[k] * (1.0 - t) + c1[k] * t) * band);
        for s in &shapes {
            let (ex, ey) = (
                (u - s.cx) * w / h.max(w) * 2.0,
                (v - s.cy) * h / h.max(w) * 2.0,
            );
            let inside = if s.disc {
                ex * ex + ey * ey < s.r * s.r
            } else {
                ex.abs() < s.r && ey.abs() < s.r * 0.6
            };
            if inside {
                p = s.colour;
            }
        }
        let n = (grain.unit() - 0.5) * 255.0 * noise;
        Rgb(p.map(|c| (c + n).clamp(0.0, 255.0) as u8))
    })
}

/// `count` originals (640×480 PNG) and, for each, its resized, re-encoded
/// and cropped near-duplicates: `4 * count` images, deterministic.
pub fn demo_images(count: usize) -> Vec<DemoImage> {
    let mut out = Vec::with_capacity(count * 4);
    for n in 0..count {
        let img = picture(640, 480, 1000 + n as u64, 0.04);
        for variant in Variant::ALL {
            let (bytes, ext) = match variant {
                Variant::Original => (png(&img), "png"),
                Variant::Resized => (
                    png(&imageops::resize(&img, 384, 288, FilterType::Triangle)),
                    "png",
                ),
                Variant::Reencoded => (jpeg(&img, 50), "jpg"),
                Variant::Cropped => {
                    let cropped = imageops::crop_imm(&img, 6, 5, 628, 470).to_image();
                    (png(&cropped), "png")
                }
            };
            out.push(DemoImage {
                file_name: format!("demo-{n:02}-{}.{ext}", variant.as_str()),
                original: n,
                variant,
                bytes,
            });
        }
    }
    out
}

/// PNG bytes of an RGB image (in memory).
pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encoding a PNG into memory cannot fail");
    out
}

/// JPEG bytes of an RGB image at `quality` (1–100), in memory.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("encoding a JPEG into memory cannot fail");
    out
}

/// A uniformly random hash.
pub fn random_hash(rng: &mut SplitMix64) -> PdqHash {
    PdqHash::from_words([
        rng.next_u64(),
        rng.next_u64(),
        rng.next_u64(),
        rng.next_u64(),
    ])
}

/// `hash` with exactly `bits` distinct random bits flipped.
pub fn perturb(hash: PdqHash, bits: u32, rng: &mut SplitMix64) -> PdqHash {
    let mut positions: Vec<usize> = (0..256).collect();
    // Partial Fisher–Yates: the first `bits` positions are a random sample.
    for i in 0..bits as usize {
        let j = i + rng.below((256 - i) as u64) as usize;
        positions.swap(i, j);
    }
    positions[..bits as usize]
        .iter()
        .fold(hash, |h, &k| h.with_bit_flipped(k))
}

/// A benchmark corpus of `n` hashes: 90 % uniformly random, 10 % in
/// clusters of 10 near-duplicates (0–16 bits from a random centre), shuffled
/// together so clusters do not sit in one region of the slots.
pub fn bench_corpus(n: usize, seed: u64) -> Vec<PdqHash> {
    let mut rng = SplitMix64::new(seed);
    let clustered = n / 10;
    let mut out = Vec::with_capacity(n);
    while out.len() < clustered {
        let centre = random_hash(&mut rng);
        for _ in 0..10.min(clustered - out.len()) {
            let bits = rng.below(17) as u32;
            out.push(perturb(centre, bits, &mut rng));
        }
    }
    while out.len() < n {
        out.push(random_hash(&mut rng));
    }
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}

/// `n` queries against `corpus`: half are stored hashes moved 0–31 bits
/// (each has at least one match), half uniformly random (almost surely none).
pub fn bench_queries(corpus: &[PdqHash], n: usize, seed: u64) -> Vec<PdqHash> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|i| {
            if i % 2 == 0 && !corpus.is_empty() {
                let base = corpus[rng.below(corpus.len() as u64) as usize];
                let bits = rng.below(32) as u32;
                perturb(base, bits, &mut rng)
            } else {
                random_hash(&mut rng)
            }
        })
        .collect()
}

/// The image turned a quarter to the right (a dihedral variant, for tests
/// of rotated uploads).
pub fn rotate90(img: &RgbImage) -> RgbImage {
    imageops::rotate90(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_corpus() {
        assert_eq!(bench_corpus(1000, 9), bench_corpus(1000, 9));
        assert_ne!(bench_corpus(1000, 9), bench_corpus(1000, 10));
    }

    #[test]
    fn perturb_flips_exactly_the_asked_number_of_bits() {
        let mut rng = SplitMix64::new(3);
        let h = random_hash(&mut rng);
        for bits in [0, 1, 17, 31, 256] {
            assert_eq!(perturb(h, bits, &mut rng).distance(&h), bits);
        }
    }

    #[test]
    fn a_corpus_has_clusters_of_near_duplicates() {
        let corpus = bench_corpus(2000, 1);
        let close_pairs = corpus
            .iter()
            .enumerate()
            .flat_map(|(i, a)| corpus[i + 1..].iter().map(move |b| a.distance(b)))
            .filter(|&d| d <= 31)
            .count();
        // 20 clusters of 10 give 20 * 45 = 900 pairs within 32 bits.
        assert!(close_pairs >= 800, "{close_pairs} close pairs");
    }
}
