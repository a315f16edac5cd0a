//! Text tilted by other than a quarter turn: OCR reads lines within a few degrees of across,
//! and a label or a whole image turned 20 to 70 degrees is read by a person who tilts their
//! head. The slope of a rendering's lines is found as a deskewer finds it (the angle at which
//! its dark pixels, projected across the lines, bunch into the fewest, fullest rows), and the
//! rendering is turned level ([`super::View::Tilted`]). A picture's own lines must not hide the
//! text's slope: long straight runs across or down (a grid) are left out, the image is looked
//! at in tiles too (tilted text in a corner of stripes), and the two most prominent slopes are
//! read.

use super::{Box2, Gray};

/// Slopes tried, in degrees each way from across (a quarter turn is read already).
const STEP: i16 = 5;
const STEEPEST: i16 = 85;
/// A slope is read when its lines bunch this many tenths better than the level rendering's and
/// those 10 degrees either side, and it is at least this far from level (Tesseract reads a few
/// degrees of slant itself).
const BETTER_TENTHS: u64 = 13;
const LEAST: i16 = 10;
/// Dark pixels looked at, at most, and at least for a slope to be found.
const MOST_POINTS: usize = 100_000;
const FEWEST_POINTS: usize = 200;

/// Slopes read at most, and how far apart two must be (the picture's own stripes beside the
/// text bunch at their own slope).
const MOST_SLOPES: usize = 2;
const APART: i16 = 20;
/// Dark runs across or down this long are a picture's lines (a grid, a ruler), not letters'
/// strokes: left out of the points whose slope is found.
const LONG_RUN: usize = 40;
/// The image is looked at whole and in tiles, each half its width and height, a quarter apart
/// (text in one corner of a striped picture bunches within its tile), when it is at least
/// this many pixels each way.
const TILED_FROM: usize = 120;

/// The slopes of `image`'s lines of dark text, in degrees (rising to the right is positive),
/// where they slope and bunch clearly better than level ones, and than lines at slopes 10
/// degrees either side, would: found in the image whole and in each tile, the most prominent
/// first, at most [`MOST_SLOPES`], [`APART`] apart.
pub fn slopes(image: &Gray) -> Vec<i16> {
    let (w, h) = (image.width as usize, image.height as usize);
    let dark = dark_not_in_long_runs(image);
    let mut regions = vec![(0, 0, w, h)];
    if w >= TILED_FROM && h >= TILED_FROM {
        let (tw, th) = (w / 2, h / 2);
        regions.extend((0..9).map(|i| ((i % 3) * w / 4, (i / 3) * h / 4, tw, th)));
    }
    let mut found: Vec<(f64, i16)> = Vec::new();
    for (n, &(x0, y0, rw, rh)) in regions.iter().enumerate() {
        let most = if n == 0 { MOST_POINTS } else { MOST_POINTS / 4 };
        let inside = (y0..y0 + rh).flat_map(|y| (x0..x0 + rw).map(move |x| (x, y)));
        let all: Vec<(usize, usize)> = inside.filter(|&(x, y)| dark[y * w + x]).collect();
        let stride = all.len().div_ceil(most).max(1);
        let points: Vec<(f64, f64)> =
            all.iter().step_by(stride).map(|&(x, y)| ((x - x0) as f64, (y - y0) as f64)).collect();
        found.extend(peaks(&points, rw, rh));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<i16> = Vec::new();
    for (_, d) in found {
        if out.len() < MOST_SLOPES && out.iter().all(|o| o.abs_diff(d) >= APART as u16) {
            out.push(d);
        }
    }
    out
}

/// Which pixels of `image` are dark and not in a [`LONG_RUN`] across or down.
fn dark_not_in_long_runs(image: &Gray) -> Vec<bool> {
    let (w, h) = (image.width as usize, image.height as usize);
    let mut dark: Vec<bool> = image.pixels.iter().map(|&p| p < 128).collect();
    let mut long = vec![false; w * h];
    // Each run of dark pixels along a line of the image (`at` gives its pixels' indices).
    let mut mark = |at: &dyn Fn(usize) -> usize, length: usize| {
        let mut start = 0;
        for i in 0..=length {
            if i == length || !dark[at(i)] {
                if i - start >= LONG_RUN {
                    (start..i).for_each(|j| long[at(j)] = true);
                }
                start = i + 1;
            }
        }
    };
    for y in 0..h {
        mark(&|x| y * w + x, w);
    }
    for x in 0..w {
        mark(&|y| y * w + x, h);
    }
    for (d, l) in dark.iter_mut().zip(long) {
        *d &= !l;
    }
    dark
}

/// The slopes at which `points` (in a region `w` x `h`) bunch into rows across lines clearly
/// better than level and than 10 degrees either side, each with how much better.
fn peaks(points: &[(f64, f64)], w: usize, h: usize) -> Vec<(f64, i16)> {
    if points.len() < FEWEST_POINTS {
        return Vec::new();
    }
    // How tightly the points bunch into rows across lines sloping at `degrees`: the sum of the
    // squares of the rows' counts.
    let bunching = |degrees: i16| -> u64 {
        let (sin, cos) = f64::from(degrees).to_radians().sin_cos();
        let reach = (w + h) as f64;
        let last = 2 * (w + h);
        let mut rows = vec![0u64; last + 1];
        for &(x, y) in points {
            let r = (x * sin + y * cos + reach).round() as usize;
            rows[r.min(last)] += 1;
        }
        rows.iter().map(|c| c * c).sum()
    };
    let tried: Vec<i16> = (-STEEPEST..=STEEPEST).step_by(STEP as usize).collect();
    let scores: Vec<u64> = tried.iter().map(|&d| bunching(d)).collect();
    // The score at a slope, slopes a half turn apart being one (a quarter turn is not tried).
    let at = |d: i16| {
        let d = (d + 90).rem_euclid(180) - 90;
        tried.iter().position(|&t| t == d).map_or(0, |i| scores[i])
    };
    let level = at(0);
    tried
        .iter()
        .zip(&scores)
        .filter(|&(&d, &s)| d.abs() >= LEAST && s >= at(d - STEP) && s >= at(d + STEP))
        .filter_map(|(&d, &s)| {
            let beside = level.max(at(d - 2 * STEP)).max(at(d + 2 * STEP)).max(1);
            (s * 10 > beside * BETTER_TENTHS).then(|| (s as f64 / beside as f64, d))
        })
        .collect()
}

/// The size of `width` x `height` turned by `degrees`.
fn turned_size(width: u32, height: u32, degrees: i16) -> (u32, u32) {
    let (sin, cos) = f64::from(degrees).to_radians().sin_cos();
    let (w, h) = (f64::from(width), f64::from(height));
    ((w * cos.abs() + h * sin.abs()).ceil() as u32, (w * sin.abs() + h * cos.abs()).ceil() as u32)
}

/// Where a point of the levelled image (of `seen` size) lies in the image of `size` whose
/// lines rise at `degrees`.
fn source(q: (f64, f64), degrees: i16, size: (u32, u32), seen: (u32, u32)) -> (f64, f64) {
    let (sin, cos) = f64::from(degrees).to_radians().sin_cos();
    let (cx, cy) = (f64::from(size.0) / 2.0, f64::from(size.1) / 2.0);
    let (u, v) = (q.0 - f64::from(seen.0) / 2.0, q.1 - f64::from(seen.1) / 2.0);
    // Across the levelled image is along the lines (cos, -sin); down it, across them (sin, cos).
    (cx + u * cos + v * sin, cy - u * sin + v * cos)
}

/// `image`, whose lines rise at `degrees`, turned so that they lie level; white where it has no
/// pixels.
pub fn levelled(image: &Gray, degrees: i16) -> Gray {
    let size = (image.width, image.height);
    let seen = turned_size(image.width, image.height, degrees);
    let mut pixels = vec![255u8; seen.0 as usize * seen.1 as usize];
    for y in 0..seen.1 {
        for x in 0..seen.0 {
            let (sx, sy) = source((f64::from(x) + 0.5, f64::from(y) + 0.5), degrees, size, seen);
            if sx >= 0.0 && sy >= 0.0 && sx < f64::from(size.0) && sy < f64::from(size.1) {
                pixels[(y * seen.0 + x) as usize] = image.pixels[sy as usize * size.0 as usize + sx as usize];
            }
        }
    }
    Gray::new(seen.0, seen.1, pixels)
}

/// A box in the levelled image of `seen` size, in the image of `size` whose lines rise at
/// `degrees`: the box round its corners there, inside the image.
pub fn back(a: Box2, degrees: i16, size: (u32, u32), seen: (u32, u32)) -> Box2 {
    let corners = [(a.x, a.y), (a.x + a.width, a.y), (a.x, a.y + a.height), (a.x + a.width, a.y + a.height)];
    let points = corners.map(|(x, y)| source((f64::from(x), f64::from(y)), degrees, size, seen));
    let clamp = |v: f64, most: u32| v.clamp(0.0, f64::from(most)) as u32;
    let x0 = clamp(points.iter().map(|p| p.0).fold(f64::MAX, f64::min), size.0);
    let y0 = clamp(points.iter().map(|p| p.1).fold(f64::MAX, f64::min), size.1);
    let x1 = clamp(points.iter().map(|p| p.0).fold(f64::MIN, f64::max).ceil(), size.0);
    let y1 = clamp(points.iter().map(|p| p.1).fold(f64::MIN, f64::max).ceil(), size.1);
    Box2 { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three dark lines 4 pixels thick rising at `degrees` across a white 300 x 300 image.
    fn lines(degrees: i16) -> Gray {
        let (sin, cos) = f64::from(degrees).to_radians().sin_cos();
        let mut pixels = vec![255u8; 300 * 300];
        for y in 0..300u32 {
            for x in 40..260u32 {
                // Distance across the lines from the image's centre.
                let (u, v) = (f64::from(x) - 150.0, f64::from(y) - 150.0);
                let across = u * sin + v * cos;
                if [-40.0, 0.0, 40.0].iter().any(|c: &f64| (across - c).abs() < 2.0)
                    && (u * cos - v * sin).abs() < 90.0
                {
                    pixels[(y * 300 + x) as usize] = 0;
                }
            }
        }
        Gray::new(300, 300, pixels)
    }

    #[test]
    fn sloping_lines_are_found_and_levelled_and_level_ones_are_left() {
        assert!(slopes(&lines(0)).is_empty());
        for degrees in [20, 45, -30, 60] {
            assert_eq!(slopes(&lines(degrees)), [degrees], "{degrees}");
            // Levelled, they lie across: their slope is none.
            let level = levelled(&lines(degrees), degrees);
            assert!(slopes(&level).is_empty(), "{degrees}");
        }
        // Lines at two slopes (text over stripes): both, the fuller first.
        let mut both = lines(-30);
        for (p, q) in both.pixels.iter_mut().zip(lines(45).pixels) {
            *p = (*p).min(q);
        }
        let found = slopes(&both);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.contains(&-30) && found.contains(&45), "{found:?}");
        // A box round the levelled image's centre is round the image's centre.
        let seen = turned_size(300, 300, 45);
        let middle = Box2 { x: seen.0 / 2 - 5, y: seen.1 / 2 - 5, width: 10, height: 10 };
        let b = back(middle, 45, (300, 300), seen);
        assert!(b.x < 150 && b.x + b.width > 150 && b.y < 150 && b.y + b.height > 150, "{b:?}");
        assert!(b.width <= 16 && b.height <= 16, "{b:?}");
    }
}
