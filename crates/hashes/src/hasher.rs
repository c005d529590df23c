//! The PDQ algorithm, from a luminance buffer to a hash and a quality.
//!
//! Steps (Meta's "The TMK+PDQF Video-Hashing Algorithm and the PDQ Image
//! Similarity Algorithm", and the reference implementations):
//!
//! 1. Luminance `Y = 0.299 R + 0.587 G + 0.114 B` as floats (done by the
//!    caller, see [`crate::image`]).
//! 2. Images over 2048 a side are first reduced by area averaging to at most
//!    1024 a side, to bound the filter's cost. The reference's hashing core
//!    filters at full resolution (its newer file loader pre-resizes to
//!    512×512 by nearest pixel, which moved the published hashes by up to 4
//!    more bits in our comparison, so we do not copy it).
//! 3. A Jarosz tent filter: two passes of a 1-D box filter along rows then
//!    columns, window `ceil(dimension / 128)`.
//! 4. Decimation to 64×64 by sampling the filtered image at cell centres.
//!    Steps 3 and 4 are computed together: the filter is linear and
//!    separable, so only the 4,096 samples are computed, each from its
//!    row's and column's composed taps (see [`filtered_samples`]).
//! 5. Quality: the sum of quantised gradients of the 64×64 image / 90, capped
//!    at 100.
//! 6. A 2-D DCT keeping coefficients 1..=16 in both directions (the DC term
//!    carries brightness, not structure).
//! 7. One bit per coefficient: above the median of the 256 coefficients.
//!
//! The eight dihedral variants (rotations and flips of the image) are
//! computed from the DCT coefficients by sign changes and a transpose, no
//! re-hashing needed: mirroring an image negates its odd-frequency terms.

use std::sync::OnceLock;

use crate::PdqHash;

/// Side above which the luminance is first reduced (the reference's 512).
/// Images with a side over this are first reduced (by area) to at most
/// [`REDUCED_SIDE`] a side; below it the reference algorithm runs at full
/// resolution, as Meta's published hashes were computed.
const PRE_DOWNSAMPLE: usize = 2048;
const REDUCED_SIDE: usize = 1024;
const JAROSZ_PASSES: usize = 2;
const JAROSZ_DIVISOR: usize = 128;

/// The result of hashing: the hash and its quality (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqOutput {
    pub hash: PdqHash,
    pub quality: u8,
}

/// The eight symmetries of a rectangle, as the reference names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dihedral {
    Original,
    Rotate90,
    Rotate180,
    Rotate270,
    FlipX,
    FlipY,
    FlipPlus1,
    FlipMinus1,
}

impl Dihedral {
    pub const ALL: [Dihedral; 8] = [
        Self::Original,
        Self::Rotate90,
        Self::Rotate180,
        Self::Rotate270,
        Self::FlipX,
        Self::FlipY,
        Self::FlipPlus1,
        Self::FlipMinus1,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Rotate90 => "rotate90",
            Self::Rotate180 => "rotate180",
            Self::Rotate270 => "rotate270",
            Self::FlipX => "flipx",
            Self::FlipY => "flipy",
            Self::FlipPlus1 => "flipplus1",
            Self::FlipMinus1 => "flipminus1",
        }
    }
}

/// The 16×16 DCT block of an image (row-major) and its quality: everything
/// needed for the hash and its dihedral variants.
#[derive(Debug, Clone)]
pub struct PdqDct {
    coeffs: [f32; 256],
    quality: u8,
}

impl PdqDct {
    /// Runs PDQ on a row-major luminance buffer of `rows × cols` values in
    /// 0..=255. Panics if the buffer does not hold `rows * cols` values or is
    /// empty (the image decoder never produces either).
    pub fn from_luma(luma: &[f32], rows: usize, cols: usize) -> PdqDct {
        assert!(rows > 0 && cols > 0, "empty luminance buffer");
        assert_eq!(luma.len(), rows * cols, "luminance buffer size mismatch");
        let block = if rows > PRE_DOWNSAMPLE || cols > PRE_DOWNSAMPLE {
            let r = rows.min(REDUCED_SIDE);
            let c = cols.min(REDUCED_SIDE);
            filtered_samples(&area_downsample(luma, rows, cols, r, c), r, c)
        } else {
            filtered_samples(luma, rows, cols)
        };
        let quality = quality_of(&block);
        let coeffs = dct_16(&block);
        PdqDct { coeffs, quality }
    }

    pub fn quality(&self) -> u8 {
        self.quality
    }

    /// The hash of the image as given.
    pub fn hash(&self) -> PdqHash {
        threshold(&self.coeffs)
    }

    pub fn output(&self) -> PdqOutput {
        PdqOutput {
            hash: self.hash(),
            quality: self.quality,
        }
    }

    /// The hash the image would have after the transformation `d`.
    pub fn dihedral(&self, d: Dihedral) -> PdqHash {
        let a = &self.coeffs;
        let mut b = [0f32; 256];
        // `i`, `j` index coefficients 1..=16, so an even index is an odd
        // frequency: the terms a mirror negates.
        for i in 0..16 {
            for j in 0..16 {
                let v = a[i * 16 + j];
                let odd_i = i & 1 == 1;
                let odd_j = j & 1 == 1;
                let odd_sum = (i + j) & 1 == 1;
                let (pos, val) = match d {
                    Dihedral::Original => (i * 16 + j, v),
                    Dihedral::Rotate90 => (j * 16 + i, if odd_j { v } else { -v }),
                    Dihedral::Rotate180 => (i * 16 + j, if odd_sum { -v } else { v }),
                    Dihedral::Rotate270 => (j * 16 + i, if odd_i { v } else { -v }),
                    Dihedral::FlipX => (i * 16 + j, if odd_i { v } else { -v }),
                    Dihedral::FlipY => (i * 16 + j, if odd_j { v } else { -v }),
                    Dihedral::FlipPlus1 => (j * 16 + i, v),
                    Dihedral::FlipMinus1 => (j * 16 + i, if odd_sum { -v } else { v }),
                };
                b[pos] = val;
            }
        }
        threshold(&b)
    }

    /// All eight variants, original first.
    pub fn all_dihedral(&self) -> [(Dihedral, PdqHash); 8] {
        Dihedral::ALL.map(|d| (d, self.dihedral(d)))
    }
}

/// One bit per coefficient: strictly above the median. The median of 256
/// values is taken as the 128th smallest, as the reference's Torben median
/// does, so exactly 128 bits are set when the coefficients are distinct.
fn threshold(coeffs: &[f32; 256]) -> PdqHash {
    let mut sorted = *coeffs;
    sorted.sort_unstable_by(f32::total_cmp);
    let median = sorted[127];
    PdqHash::from_bits(|k| coeffs[k] > median)
}

/// Reduces a `rows × cols` buffer to `r × c` by averaging the input pixels
/// each output pixel covers (integer cell bounds), rows then columns.
fn area_downsample(src: &[f32], rows: usize, cols: usize, r: usize, c: usize) -> Vec<f32> {
    // Horizontal: each output column averages input columns [x0, x1).
    let col_bounds: Vec<(usize, usize)> = (0..c)
        .map(|o| (o * cols / c, ((o + 1) * cols / c).max(o * cols / c + 1)))
        .collect();
    let mut tmp = vec![0f32; rows * c];
    for y in 0..rows {
        let line = &src[y * cols..(y + 1) * cols];
        let out = &mut tmp[y * c..(y + 1) * c];
        for (o, &(x0, x1)) in col_bounds.iter().enumerate() {
            out[o] = line[x0..x1].iter().sum::<f32>() / (x1 - x0) as f32;
        }
    }
    // Vertical: accumulate whole rows so the inner loop is contiguous.
    let mut dst = vec![0f32; r * c];
    for o in 0..r {
        let y0 = o * rows / r;
        let y1 = ((o + 1) * rows / r).max(y0 + 1);
        let out = &mut dst[o * c..(o + 1) * c];
        for y in y0..y1 {
            for (d, s) in out.iter_mut().zip(&tmp[y * c..(y + 1) * c]) {
                *d += *s;
            }
        }
        let n = (y1 - y0) as f32;
        for d in out.iter_mut() {
            *d /= n;
        }
    }
    dst
}

/// `ceil(dimension / 128)`: half a 64th of the image, since two passes of
/// the box make a tent twice as wide.
fn jarosz_window(dimension: usize) -> usize {
    dimension.div_ceil(JAROSZ_DIVISOR)
}

/// The reference's whole-image filter, kept as the oracle the sampled
/// filter is tested against.
#[cfg(test)]
fn jarosz_filter(buf: &mut [f32], rows: usize, cols: usize) {
    let along_rows = jarosz_window(cols);
    let along_cols = jarosz_window(rows);
    let mut tmp = vec![0f32; buf.len()];
    let mut sums = vec![0f32; cols];
    for _ in 0..JAROSZ_PASSES {
        for y in 0..rows {
            box_1d(
                &buf[y * cols..(y + 1) * cols],
                &mut tmp[y * cols..(y + 1) * cols],
                along_rows,
            );
        }
        box_columns(&tmp, buf, rows, cols, along_cols, &mut sums);
    }
}

/// The reference's centred box filter with shrinking windows at the edges:
/// output `o` averages inputs `o - (w-1)/2 ..= o + w/2` (clamped), computed
/// with a running sum.
#[cfg(test)]
fn box_1d(input: &[f32], output: &mut [f32], window: usize) {
    let n = input.len();
    // 7 -> 4, 8 -> 5: the window is centred, leaning right when even.
    let half = (window + 2) / 2;
    let mut sum = 0f32;
    let mut count = 0usize;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    for _ in 0..half - 1 {
        sum += input[ri];
        count += 1;
        ri += 1;
    }
    for _ in 0..window - half + 1 {
        sum += input[ri];
        count += 1;
        output[oi] = sum / count as f32;
        ri += 1;
        oi += 1;
    }
    // The full-window stretch (most of the row) multiplies by the
    // reciprocal instead of dividing: a division per pixel was a third of
    // the hashing time, and the results differ from the reference's
    // division only in the last bit of a float.
    let inverse = 1.0 / count as f32;
    for _ in 0..n - window {
        sum += input[ri];
        sum -= input[li];
        output[oi] = sum * inverse;
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..half - 1 {
        sum -= input[li];
        count -= 1;
        output[oi] = sum / count as f32;
        li += 1;
        oi += 1;
    }
}

/// [`box_1d`] down every column at once: the same phases, applied to whole
/// rows, so memory is read in order (and the loops vectorise).
#[cfg(test)]
fn box_columns(
    input: &[f32],
    output: &mut [f32],
    rows: usize,
    cols: usize,
    window: usize,
    sums: &mut [f32],
) {
    let row = |y: usize| &input[y * cols..(y + 1) * cols];
    let half = (window + 2) / 2;
    sums.fill(0.0);
    let mut count = 0usize;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    // A reciprocal multiply, as in `box_1d`.
    let mut emit = |oi: usize, sums: &[f32], count: usize| {
        let inverse = 1.0 / count as f32;
        for (o, s) in output[oi * cols..(oi + 1) * cols].iter_mut().zip(sums) {
            *o = *s * inverse;
        }
    };
    for _ in 0..half - 1 {
        add_row(sums, row(ri));
        count += 1;
        ri += 1;
    }
    for _ in 0..window - half + 1 {
        add_row(sums, row(ri));
        count += 1;
        emit(oi, sums, count);
        ri += 1;
        oi += 1;
    }
    for _ in 0..rows - window {
        add_row(sums, row(ri));
        sub_row(sums, row(li));
        emit(oi, sums, count);
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..half - 1 {
        sub_row(sums, row(li));
        count -= 1;
        emit(oi, sums, count);
        li += 1;
        oi += 1;
    }
}

#[cfg(test)]
fn add_row(sums: &mut [f32], row: &[f32]) {
    for (s, v) in sums.iter_mut().zip(row) {
        *s += *v;
    }
}

#[cfg(test)]
fn sub_row(sums: &mut [f32], row: &[f32]) {
    for (s, v) in sums.iter_mut().zip(row) {
        *s -= *v;
    }
}

/// Where the 64 samples along a side of `n` pixels fall: the centres of a
/// 64-cell grid, as the reference decimates.
fn sample_positions(n: usize) -> impl Iterator<Item = usize> {
    (0..64).map(move |i| ((i as f64 + 0.5) * n as f64 / 64.0) as usize)
}

/// The weights by which one sample of the twice-box-filtered line depends
/// on the input: `weights[t]` multiplies input `start + t`.
struct Taps {
    start: usize,
    weights: Vec<f32>,
}

/// The filter's row of the sample at `position` along a line of `n`
/// pixels: the box (see [`jarosz_window`], with the reference's edge
/// phases: output `o` averages inputs `o - (w - h) ..= o + h - 1`, clamped,
/// where `h = (w + 2) / 2`) applied [`JAROSZ_PASSES`] times, composed
/// exactly in f64.
fn taps(position: usize, n: usize, window: usize) -> Taps {
    let half = (window + 2) / 2;
    let support = |o: usize| (o.saturating_sub(window - half), (o + half - 1).min(n - 1));
    // A row vector over the line, starting as the unit vector at the sample.
    let (mut start, mut weights) = (position, vec![1f64]);
    for _ in 0..JAROSZ_PASSES {
        let lo = support(start).0;
        let hi = support(start + weights.len() - 1).1;
        let mut next = vec![0f64; hi - lo + 1];
        for (k, w) in weights.iter().enumerate() {
            let (a, b) = support(start + k);
            let share = w / (b - a + 1) as f64;
            for v in &mut next[a - lo..=b - lo] {
                *v += share;
            }
        }
        (start, weights) = (lo, next);
    }
    Taps {
        start,
        weights: weights.into_iter().map(|w| w as f32).collect(),
    }
}

/// The Jarosz-filtered image sampled at the centres of a 64×64 grid.
///
/// The filter is separable and linear, so a sample is the input weighted
/// by the outer product of its row's and its column's taps: it is computed
/// for the 4,096 samples only, rows first (each image row reduced to its 64
/// column samples), then columns. The same arithmetic as filtering the
/// whole image and then sampling it, to float rounding, at about a tenth
/// of the work (the reference filters every pixel four times).
fn filtered_samples(buf: &[f32], rows: usize, cols: usize) -> [f32; 4096] {
    let across: Vec<Taps> = sample_positions(cols)
        .map(|x| taps(x, cols, jarosz_window(cols)))
        .collect();
    let down: Vec<Taps> = sample_positions(rows)
        .map(|y| taps(y, rows, jarosz_window(rows)))
        .collect();
    // Each input row reduced to its 64 column samples (rows the vertical
    // taps never reach are skipped).
    let needed_from = down[0].start;
    let needed_to = down[63].start + down[63].weights.len();
    let mut reduced = vec![0f32; (needed_to - needed_from) * 64];
    for (y, out) in (needed_from..needed_to).zip(reduced.chunks_exact_mut(64)) {
        let line = &buf[y * cols..(y + 1) * cols];
        for (o, t) in out.iter_mut().zip(&across) {
            *o = dot(&line[t.start..t.start + t.weights.len()], &t.weights);
        }
    }
    let mut block = [0f32; 4096];
    for (out, t) in block.chunks_exact_mut(64).zip(&down) {
        for (k, w) in t.weights.iter().enumerate() {
            let row = &reduced[(t.start + k - needed_from) * 64..][..64];
            for (o, v) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }
    block
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Samples the filtered image at the centres of a 64×64 grid.
#[cfg(test)]
fn decimate_64(buf: &[f32], rows: usize, cols: usize) -> [f32; 4096] {
    let mut out = [0f32; 4096];
    for i in 0..64 {
        let y = ((i as f64 + 0.5) * rows as f64 / 64.0) as usize;
        for j in 0..64 {
            let x = ((j as f64 + 0.5) * cols as f64 / 64.0) as usize;
            out[i * 64 + j] = buf[y * cols + x];
        }
    }
    out
}

/// Sum of absolute neighbour differences, each scaled to 0..100 and
/// truncated (so only significant gradients count), / 90, capped at 100.
fn quality_of(block: &[f32; 4096]) -> u8 {
    let step = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut sum: i64 = 0;
    for i in 0..63 {
        for j in 0..64 {
            sum += i64::from(step(block[i * 64 + j], block[(i + 1) * 64 + j]).abs());
        }
    }
    for i in 0..64 {
        for j in 0..63 {
            sum += i64::from(step(block[i * 64 + j], block[i * 64 + j + 1]).abs());
        }
    }
    (sum / 90).min(100) as u8
}

/// The 16×64 DCT-II basis without the DC row, scaled by sqrt(2/64).
fn dct_matrix() -> &'static [f32; 16 * 64] {
    static MATRIX: OnceLock<[f32; 16 * 64]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let mut d = [0f32; 16 * 64];
        let scale = (2.0f64 / 64.0).sqrt();
        for i in 0..16 {
            for j in 0..64 {
                let angle = std::f64::consts::PI / 2.0 / 64.0 * (i + 1) as f64 * (2 * j + 1) as f64;
                d[i * 64 + j] = (scale * angle.cos()) as f32;
            }
        }
        d
    })
}

/// `D · A · Dᵀ`: the 16×16 low-frequency block of the 64×64 DCT.
fn dct_16(a: &[f32; 4096]) -> [f32; 256] {
    let d = dct_matrix();
    // T = D · A, 16×64.
    let mut t = [0f32; 16 * 64];
    for i in 0..16 {
        let t_row = &mut t[i * 64..(i + 1) * 64];
        for k in 0..64 {
            let dik = d[i * 64 + k];
            for (tj, ak) in t_row.iter_mut().zip(&a[k * 64..(k + 1) * 64]) {
                *tj += dik * ak;
            }
        }
    }
    // B = T · Dᵀ, 16×16.
    let mut b = [0f32; 256];
    for i in 0..16 {
        for j in 0..16 {
            b[i * 16 + j] = t[i * 64..(i + 1) * 64]
                .iter()
                .zip(&d[j * 64..(j + 1) * 64])
                .map(|(x, y)| x * y)
                .sum();
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(rows: usize, cols: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|p| {
                let (y, x) = (p / cols, p % cols);
                ((x * 7 + y * 3) % 256) as f32 * 0.5 + ((x / 13 + y / 17) % 2) as f32 * 100.0
            })
            .collect()
    }

    #[test]
    fn jarosz_window_is_dimension_over_128_rounded_up() {
        assert_eq!(jarosz_window(64), 1);
        assert_eq!(jarosz_window(128), 1);
        assert_eq!(jarosz_window(129), 2);
        assert_eq!(jarosz_window(512), 4);
    }

    #[test]
    fn box_filter_matches_the_reference_phases() {
        // The reference's worked example (window 7 over 0..16): sums
        // 6, 10, 15, 21, 28, ... over windows of 4, 5, 6, 7, 7, ...
        let input: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let mut out = vec![0f32; 16];
        // Within a float's last bit (the full-window stretch multiplies by
        // the reciprocal).
        let close = |got: f32, want: f32| {
            assert!((got - want).abs() <= want.abs() * 1e-6, "{got} vs {want}");
        };
        box_1d(&input, &mut out, 7);
        close(out[0], 6.0 / 4.0);
        close(out[3], 21.0 / 7.0);
        close(out[4], 28.0 / 7.0);
        close(out[12], 84.0 / 7.0);
        close(out[13], 75.0 / 6.0);
        close(out[15], 54.0 / 4.0);
        // Window 8: first write averages 0..=4, last 12..=15.
        box_1d(&input, &mut out, 8);
        close(out[0], 10.0 / 5.0);
        close(out[11], 92.0 / 8.0);
        close(out[12], 84.0 / 7.0);
        close(out[15], 54.0 / 4.0);
    }

    #[test]
    fn column_box_filter_equals_the_one_dimensional_filter_per_column() {
        let (rows, cols) = (37, 5);
        let data = gradient(rows, cols);
        let mut out = vec![0f32; rows * cols];
        let mut sums = vec![0f32; cols];
        box_columns(&data, &mut out, rows, cols, 3, &mut sums);
        for x in 0..cols {
            let column: Vec<f32> = (0..rows).map(|y| data[y * cols + x]).collect();
            let mut expected = vec![0f32; rows];
            box_1d(&column, &mut expected, 3);
            let got: Vec<f32> = (0..rows).map(|y| out[y * cols + x]).collect();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn sampling_the_filter_equals_filtering_the_whole_image_then_sampling() {
        // Sides around the windows' steps (128, 256, ...), odd and even,
        // smaller than 64 and large.
        for (rows, cols) in [
            (37, 5),
            (64, 64),
            (100, 129),
            (768, 1024),
            (257, 513),
            (2048, 31),
        ] {
            // A picture with grain, so every tap's weight shows.
            let data: Vec<f32> = picture_luma(cols as u32, rows as u32, (rows * cols) as u64)
                .iter()
                .enumerate()
                .map(|(i, v)| (v + (i * 7919 % 61) as f32).min(255.0))
                .collect();
            let mut full = data.clone();
            jarosz_filter(&mut full, rows, cols);
            let want = decimate_64(&full, rows, cols);
            let got = filtered_samples(&data, rows, cols);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-3, "{rows}×{cols}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn a_flat_image_has_quality_zero() {
        let dct = PdqDct::from_luma(&vec![128.0; 100 * 80], 100, 80);
        assert_eq!(dct.quality(), 0);
    }

    #[test]
    fn a_detailed_image_has_high_quality_and_half_its_bits_set() {
        let dct = PdqDct::from_luma(&gradient(300, 400), 300, 400);
        assert!(dct.quality() >= 80, "quality {}", dct.quality());
        let ones = (0..256).filter(|&k| dct.hash().bit(k)).count();
        assert_eq!(ones, 128);
    }

    fn picture_luma(width: u32, height: u32, seed: u64) -> Vec<f32> {
        crate::synthetic::picture(width, height, seed, 0.0)
            .pixels()
            .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
            .collect()
    }

    #[test]
    fn dihedral_variants_match_hashing_the_transformed_image() {
        // Sides of 64 × an odd number with odd filter windows make sampling
        // and filtering exactly mirror-symmetric, so only the sign logic is
        // under test (real photos are checked against the reference in
        // tests/reference.rs).
        let (rows, cols) = (320, 576);
        let img = picture_luma(cols as u32, rows as u32, 5);
        let at = |y: usize, x: usize| img[y * cols + x];
        let dct = PdqDct::from_luma(&img, rows, cols);
        // The reference's names: Rotate90 turns the image counter-clockwise
        // (new row y, column x is old row x, column cols-1-y); FlipX flips
        // top to bottom, FlipY left to right; FlipPlus1 transposes.
        let rot90: Vec<f32> = (0..cols * rows)
            .map(|p| at(p % rows, cols - 1 - p / rows))
            .collect();
        let top_bottom: Vec<f32> = (0..rows * cols)
            .map(|p| at(rows - 1 - p / cols, p % cols))
            .collect();
        let left_right: Vec<f32> = (0..rows * cols)
            .map(|p| at(p / cols, cols - 1 - p % cols))
            .collect();
        let transposed: Vec<f32> = (0..cols * rows).map(|p| at(p % rows, p / rows)).collect();
        let cases = [
            (Dihedral::Rotate90, PdqDct::from_luma(&rot90, cols, rows)),
            (Dihedral::FlipX, PdqDct::from_luma(&top_bottom, rows, cols)),
            (Dihedral::FlipY, PdqDct::from_luma(&left_right, rows, cols)),
            (
                Dihedral::FlipPlus1,
                PdqDct::from_luma(&transposed, cols, rows),
            ),
        ];
        for (d, direct) in cases {
            let distances: Vec<u32> = Dihedral::ALL
                .iter()
                .map(|&v| dct.dihedral(v).distance(&direct.hash()))
                .collect();
            let distance = dct.dihedral(d).distance(&direct.hash());
            assert!(
                distance <= 2,
                "{d:?}: {distance} bits; all variants: {distances:?}"
            );
        }
    }

    #[test]
    fn reducing_a_very_large_image_keeps_its_hash() {
        let (w, h) = (2600u32, 1950u32);
        let big = picture_luma(w, h, 8);
        let reduced = PdqDct::from_luma(&big, h as usize, w as usize);
        // Hashed at full resolution, bypassing the reduction.
        let mut buf = big.clone();
        jarosz_filter(&mut buf, h as usize, w as usize);
        let full = threshold(&dct_16(&decimate_64(&buf, h as usize, w as usize)));
        let distance = reduced.hash().distance(&full);
        assert!(distance <= 10, "{distance} bits");
    }
}
