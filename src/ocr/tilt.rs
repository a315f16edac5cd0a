//! Text tilted by other than a quarter turn: OCR reads lines within a few degrees of across,
//! and a label or a whole image turned 20 to 70 degrees is read by a person who tilts their
//! head. The slope of a rendering's lines is found as a deskewer finds it (the angle at which
//! its dark pixels, projected across the lines, bunch into the fewest, fullest rows), and the
//! rendering is turned level ([`super::View::Tilted`]).

use super::{Box2, Gray};

/// Slopes tried, in degrees each way from across (a quarter turn is read already).
const STEP: i16 = 5;
const STEEPEST: i16 = 85;
/// A slope is read when its lines bunch this many tenths better than the level rendering's, and
/// it is at least this far from level (Tesseract reads a few degrees of slant itself).
const BETTER_TENTHS: u64 = 13;
const LEAST: i16 = 10;
/// Dark pixels looked at, at most, and at least for a slope to be found.
const MOST_POINTS: usize = 100_000;
const FEWEST_POINTS: usize = 200;

/// The slope of `image`'s lines of dark text, in degrees (rising to the right is positive), when
/// they slope and bunch clearly better than level ones would.
pub fn slope(image: &Gray) -> Option<i16> {
    let (w, h) = (image.width as usize, image.height as usize);
    let dark = image.pixels.iter().filter(|&&p| p < 128).count();
    let stride = dark.div_ceil(MOST_POINTS).max(1);
    let points: Vec<(f64, f64)> = (0..w * h)
        .filter(|&i| image.pixels[i] < 128)
        .step_by(stride)
        .map(|i| ((i % w) as f64, (i / w) as f64))
        .collect();
    if points.len() < FEWEST_POINTS {
        return None;
    }
    // How tightly the points bunch into rows across lines sloping at `degrees`: the sum of the
    // squares of the rows' counts.
    let bunching = |degrees: i16| -> u64 {
        let (sin, cos) = f64::from(degrees).to_radians().sin_cos();
        let reach = (w + h) as f64;
        let last = 2 * (w + h);
        let mut rows = vec![0u64; last + 1];
        for &(x, y) in &points {
            let r = (x * sin + y * cos + reach).round() as usize;
            rows[r.min(last)] += 1;
        }
        rows.iter().map(|c| c * c).sum()
    };
    let level = bunching(0);
    let (best, score) = (-STEEPEST..=STEEPEST)
        .step_by(STEP as usize)
        .filter(|d| d.abs() >= LEAST)
        .map(|d| (d, bunching(d)))
        .max_by_key(|&(_, s)| s)?;
    (score * 10 > level * BETTER_TENTHS).then_some(best)
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
        assert_eq!(slope(&lines(0)), None);
        for degrees in [20, 45, -30, 60] {
            assert_eq!(slope(&lines(degrees)), Some(degrees), "{degrees}");
            // Levelled, they lie across: their slope is none.
            let level = levelled(&lines(degrees), degrees);
            assert_eq!(slope(&level), None, "{degrees}");
        }
        // A box round the levelled image's centre is round the image's centre.
        let seen = turned_size(300, 300, 45);
        let middle = Box2 { x: seen.0 / 2 - 5, y: seen.1 / 2 - 5, width: 10, height: 10 };
        let b = back(middle, 45, (300, 300), seen);
        assert!(b.x < 150 && b.x + b.width > 150 && b.y < 150 && b.y + b.height > 150, "{b:?}");
        assert!(b.width <= 16 && b.height <= 16, "{b:?}");
    }
}
