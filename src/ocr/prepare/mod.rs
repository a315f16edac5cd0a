//! What an image needs before OCR reads it. Tesseract's models were trained on dark text on a
//! light ground; a scanner's screen puts light text on black, and often over the picture
//! (speckle, a gradient), where the engine's own binarization loses it. So a frame is read as
//! several renderings ([`Prepare::renderings`]), each black text on white, and what any of them
//! reads counts:
//!
//! - the frame itself, a dark ground turned light ([`Prepare::invert`]);
//! - the pixels at each level a burned-in text is drawn at: white (≥ 240), light grey (≥ 170),
//!   dark (≤ 70) ([`Prepare::levels`]): flat-coloured text stands out of a picture whose pixels
//!   are seldom all that bright or that dark;
//! - the coloured pixels ([`Prepare::colour`]): yellow, green or cyan text over a grey picture;
//! - the pixels that stand out of their neighbourhood ([`Prepare::contrast`]): faint text;
//! - the pixels at each flat level ([`Prepare::flat`]): text drawn in one colour at a level
//!   between those, over speckle or a gradient whose own pixels spread over every level.
//!
//! A rendering of pixels at a level, over an ultrasound's speckle, is tens of thousands of specks:
//! Tesseract's sparse-text layout took 3 to 40 s on one (against 0.2–0.3 s on a rendering of text),
//! reading them as words. Where specks are that many, those in a crowd of specks are cleared
//! before the rendering is read ([`Prepare::despeckle`]).
//!
//! Each step is a switch so that what it gains can be measured (`benches/ocr.sh` reads the
//! synthetic set with each); [`Prepare::DEFAULT`] is what those measurements chose (README,
//! "Burned-in text").

use super::{Frame, Gray};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepare {
    /// Enlarge by this factor (1: as it is).
    pub scale: u32,
    /// A dark ground (median below the middle) turned light, and its text dark.
    pub invert: bool,
    /// Renderings of the pixels at each level text is drawn at.
    pub levels: bool,
    /// A rendering of the coloured pixels (colour images).
    pub colour: bool,
    /// A rendering of the pixels that stand out of their neighbourhood by [`STANDS_OUT`] levels
    /// or more, lighter or darker: faint text on a plain ground.
    pub contrast: bool,
    /// Renderings of the pixels at each flat level ([`flat_levels`]): text drawn in one colour
    /// over a picture whose own levels are spread (speckle, a gradient).
    pub flat: bool,
    /// A second look at the lines read half ([`super::second`]).
    pub second: bool,
    /// Specks cleared from the level, colour, contrast and flat renderings where they crowd
    /// ([`despeckle`]).
    pub despeckle: bool,
    /// The first frame's first rendering read turned a quarter each way, a half, and mirrored
    /// too ([`View`]): text written on its side (a label up an image's edge, a screenshot stored
    /// turned), upside down, or seen from behind; and every frame's, levelled, where its lines
    /// slope ([`super::tilt`]).
    pub turns: bool,
    /// Every frame's first rendering read turned each way and mirrored: for images
    /// vault drew itself, small and few (letters drawn with characters, a viewer's lines),
    /// where whoever wrote the text chose which way up it shows.
    pub every_way: bool,
    /// Each frame's first rendering read from afar too ([`AFAR`]): letters made of small
    /// separate marks.
    pub afar: bool,
}

/// How a rendering is seen, and back: as it is; turned a quarter (OCR reads lines across, so
/// text written up or down an image is read in a rendering turned to lie across); or from afar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Upright,
    /// A quarter turn clockwise: text written bottom to top lies across.
    Clockwise,
    /// A quarter turn anticlockwise: text written top to bottom lies across.
    Anticlockwise,
    /// A half turn: text written upside down reads.
    Half,
    /// Mirrored, left for right: text seen from behind (a film flipped, a screen saved
    /// mirrored) reads.
    Mirrored,
    /// From afar: halved (each 2 x 2 square its mean) and blurred over squares of twice this
    /// many pixels and one a side, where letters made of small separate marks — characters
    /// (ASCII art), a halftone's dots, a grid's cells — merge into strokes OCR reads.
    Afar(u8),
    /// Turned so that lines rising at `degrees` lie level ([`super::tilt`]), in an image of
    /// `width` x `height`.
    Tilted {
        degrees: i16,
        width: u32,
        height: u32,
    },
}

/// The blurs a frame is seen from afar with ([`View::Afar`]): the dots of a halftone and the
/// cells of a grid merge at one pixel (of the halved image), characters drawn as letters at two.
pub const AFAR: [View; 2] = [View::Afar(1), View::Afar(2)];

impl View {
    /// `image` as seen.
    pub fn apply(self, image: &Gray) -> Gray {
        let (w, h) = (image.width as usize, image.height as usize);
        let at = |x: usize, y: usize| image.pixels[y * w + x];
        let pixels: Vec<u8> = match self {
            View::Upright => return image.clone(),
            View::Half => {
                let mut pixels = image.pixels.clone();
                pixels.reverse();
                return Gray::new(image.width, image.height, pixels);
            }
            View::Mirrored => {
                let mut pixels = image.pixels.clone();
                for row in pixels.chunks_mut(w.max(1)) {
                    row.reverse();
                }
                return Gray::new(image.width, image.height, pixels);
            }
            View::Afar(radius) => return blurred(&halved(image), radius as usize),
            View::Tilted { degrees, .. } => return super::tilt::levelled(image, degrees),
            // The turned image is h wide and w high; its (x, y) is the original's (y, h-1-x).
            View::Clockwise => {
                (0..w).flat_map(|y| (0..h).map(move |x| (y, h - 1 - x))).map(|(x, y)| at(x, y)).collect()
            }
            // Its (x, y) is the original's (w-1-y, x).
            View::Anticlockwise => {
                (0..w).flat_map(|y| (0..h).map(move |x| (w - 1 - y, x))).map(|(x, y)| at(x, y)).collect()
            }
        };
        Gray::new(image.height, image.width, pixels)
    }

    /// A box in the image as seen, of `seen_width` x `seen_height`, in the image itself.
    pub fn back(self, a: super::Box2, seen_width: u32, seen_height: u32) -> super::Box2 {
        match self {
            View::Upright => a,
            View::Half => super::Box2 {
                x: seen_width.saturating_sub(a.x + a.width),
                y: seen_height.saturating_sub(a.y + a.height),
                ..a
            },
            View::Mirrored => super::Box2 { x: seen_width.saturating_sub(a.x + a.width), ..a },
            View::Afar(_) => super::Box2 { x: a.x * 2, y: a.y * 2, width: a.width * 2, height: a.height * 2 },
            View::Tilted { degrees, width, height } => {
                super::tilt::back(a, degrees, (width, height), (seen_width, seen_height))
            }
            View::Clockwise => super::Box2 {
                x: a.y,
                y: seen_width.saturating_sub(a.x + a.width),
                width: a.height,
                height: a.width,
            },
            View::Anticlockwise => super::Box2 {
                x: seen_height.saturating_sub(a.y + a.height),
                y: a.x,
                width: a.height,
                height: a.width,
            },
        }
    }
}

/// `image` at half its width and height, each pixel the mean of a 2 x 2 square.
fn halved(image: &Gray) -> Gray {
    let (w, h) = (image.width as usize, image.height as usize);
    let (hw, hh) = ((w / 2).max(1), (h / 2).max(1));
    let at = |x: usize, y: usize| u32::from(image.pixels[y.min(h - 1) * w + x.min(w - 1)]);
    let pixels = (0..hh)
        .flat_map(|y| (0..hw).map(move |x| (x, y)))
        .map(|(x, y)| {
            ((at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1) + 2)
                / 4) as u8
        })
        .collect();
    Gray::new(hw as u32, hh as u32, pixels)
}

/// `image` blurred: each pixel the mean of the square `radius` pixels round it (cut at the
/// edges), by running sums along rows, then columns.
fn blurred(image: &Gray, radius: usize) -> Gray {
    let (w, h) = (image.width as usize, image.height as usize);
    let along = |get: &dyn Fn(usize) -> u32, n: usize| -> Vec<u32> {
        let mut sums = vec![0u32; n + 1];
        for i in 0..n {
            sums[i + 1] = sums[i] + get(i);
        }
        (0..n)
            .map(|i| {
                let (lo, hi) = (i.saturating_sub(radius), (i + radius + 1).min(n));
                (sums[hi] - sums[lo] + (hi - lo) as u32 / 2) / (hi - lo) as u32
            })
            .collect()
    };
    let mut rows = vec![0u32; w * h];
    for y in 0..h {
        let row = along(&|x| u32::from(image.pixels[y * w + x]), w);
        rows[y * w..(y + 1) * w].copy_from_slice(&row);
    }
    let mut pixels = vec![0u8; w * h];
    for x in 0..w {
        for (y, v) in along(&|y| rows[y * w + x], h).into_iter().enumerate() {
            pixels[y * w + x] = v as u8;
        }
    }
    Gray::new(w as u32, h as u32, pixels)
}

/// How far a pixel must be from the mean of the square around it ([`NEIGHBOURHOOD`] pixels a
/// side) to stand out of it.
const STANDS_OUT: i32 = 40;
const NEIGHBOURHOOD: usize = 25;

/// A level rendering is read only when this share of the frame, or more, is at the level (in
/// millionths): below it there is no text to read.
const MIN_SHARE: usize = 200;
/// … and at most this share: above it the level is the ground, not text on it.
const MAX_SHARE: usize = 400_000;

/// How far from grey a pixel must be to count as coloured (its largest sample less its
/// smallest).
const COLOURED: u8 = 80;

impl Prepare {
    pub const DEFAULT: Prepare = Prepare {
        scale: 1,
        invert: true,
        levels: true,
        colour: true,
        contrast: true,
        flat: true,
        second: true,
        despeckle: true,
        turns: true,
        every_way: false,
        afar: true,
    };
    /// For the drawings vault makes of text and of a viewer's lines: read every way up.
    pub const DRAWN: Prepare = Prepare { every_way: true, ..Prepare::DEFAULT };
    /// The frame as it is.
    pub const NONE: Prepare = Prepare {
        scale: 1,
        invert: false,
        levels: false,
        colour: false,
        contrast: false,
        flat: false,
        second: false,
        despeckle: false,
        turns: false,
        every_way: false,
        afar: false,
    };

    /// The images to read, each with the factor it was enlarged by.
    pub fn renderings(self, frame: &Frame) -> Vec<Gray> {
        let g = &frame.gray;
        let mut out = Vec::new();
        let hist = histogram(&g.pixels);
        let mut base = g.clone();
        if self.invert && median(&hist) < 128 {
            for p in &mut base.pixels {
                *p = 255 - *p;
            }
        }
        out.push(base);
        let total = g.pixels.len().max(1);
        let mut layer = |on: &dyn Fn(u8) -> bool, source: &Gray| {
            let pixels: Vec<u8> = source.pixels.iter().map(|&p| if on(p) { 0 } else { 255 }).collect();
            let count = pixels.iter().filter(|&&p| p == 0).count();
            let read = (MIN_SHARE..=MAX_SHARE).contains(&(count * 1_000_000 / total));
            if read {
                let mut rendering = Gray::new(source.width, source.height, pixels);
                if self.despeckle {
                    despeckle(&mut rendering);
                }
                out.push(rendering);
            }
            read.then_some(count)
        };
        let mut levels_read = Vec::new();
        if self.levels {
            for (low, high) in LEVELS {
                if layer(&|p| (low..=high).contains(&p), g).is_some() {
                    levels_read.push((low, high));
                }
            }
        }
        let mut coloured = None;
        if self.colour
            && let Some(c) = &frame.chroma
        {
            coloured = layer(&|p| p >= COLOURED, c);
        }
        if self.contrast {
            layer(&|p| p > 0, &standing_out(g));
        }
        if self.flat {
            let count = |(low, high): (u8, u8)| hist[low as usize..=high as usize].iter().sum::<usize>();
            for band in flat_levels(&hist) {
                // A level rendering already read shows the band's pixels, and little else.
                let shown = levels_read.iter().any(|&(low, high)| {
                    low <= band.0 && band.1 <= high && count(band) * 10 >= count((low, high)) * SAME_TENTHS
                });
                if !shown {
                    layer(&|p| (band.0..=band.1).contains(&p), g);
                }
            }
            // Hues: text of one colour over a picture of another, however bright each is.
            if self.colour
                && let Some(h) = &frame.hue
            {
                let hist = histogram(&h.pixels);
                for band in flat_levels(&hist) {
                    // The coloured pixels' rendering read shows the band: most of the band's
                    // pixels are in it, and they are most of it (a decoy of as many pixels
                    // elsewhere does not count).
                    let shown = coloured.zip(frame.chroma.as_ref()).is_some_and(|(all, chroma)| {
                        let (mut count, mut both) = (0usize, 0usize);
                        for (&hue, &c) in h.pixels.iter().zip(&chroma.pixels) {
                            if hue != 0 && (band.0..=band.1).contains(&hue) {
                                count += 1;
                                both += usize::from(c >= COLOURED);
                            }
                        }
                        both * 10 >= count * SAME_TENTHS && both * 10 >= all * SAME_TENTHS
                    });
                    if !shown {
                        layer(&|p| p != 0 && (band.0..=band.1).contains(&p), h);
                    }
                }
            }
        }
        if self.scale > 1 {
            out = out.into_iter().map(|g| enlarge(&g, self.scale)).collect();
        }
        out
    }
}

/// The levels burned-in text is drawn at: white, light grey, dark.
const LEVELS: [(u8, u8); 3] = [(240, 255), (170, 255), (0, 70)];

/// A flat band is not read again when a level rendering read holds it and this many tenths of
/// that rendering's pixels are the band's.
const SAME_TENTHS: usize = 8;

/// How many times the pixels of its neighbouring levels ([`FLAT_NEAR`] to [`FLAT_FAR`] levels
/// off, each side, on average) a level must hold to be flat, in halves: two and a half times.
/// Text drawn over speckle held 2.6 and 2.8 times where three were asked and it was missed. A
/// picture scaled from fewer levels fills every second or third level (a comb), whose full levels
/// hold twice and are not flat; a comb of every fourth to sixth level (a contrast stretched four
/// to six times) holds four times, and its levels are (README names it).
const FLAT_HALVES: u64 = 5;
const FLAT_NEAR: usize = 3;
const FLAT_FAR: usize = 6;
/// At most this many flat levels are read: those with the most pixels above their neighbours'
/// (not the most pixels: a picture's flat patch over a dense part of its histogram holds more
/// than a text's level, but stands less far above its neighbours; not the highest ratio either:
/// a few pixels at levels the picture leaves empty would stand infinitely high, and a decoy of
/// three small squares would crowd the text out).
const FLAT_MOST: usize = 3;
/// Levels this close are one (a text's colours, antialiased; JPEG's shifts), and a band is read
/// this far either side of its levels.
const FLAT_BAND: u8 = 3;

/// The bands of levels a flat-coloured drawing stands on: a level that holds [`FLAT_HALVES`]
/// halves of the pixels of the levels near it (speckle, a gradient and noise spread over their
/// levels; text drawn in one colour does not), and is neither the ground (more than
/// [`MAX_SHARE`]) nor noise (less than [`MIN_SHARE`]); at most [`FLAT_MOST`] bands.
fn flat_levels(hist: &[usize; 256]) -> Vec<(u8, u8)> {
    let total = hist.iter().sum::<usize>().max(1) as u64;
    // (pixels above the neighbours' mean, level), of the flat levels.
    let mut spikes: Vec<(u64, u8)> = (FLAT_BAND as usize..256 - FLAT_BAND as usize)
        .filter_map(|level| {
            let near = (FLAT_NEAR..=FLAT_FAR)
                .flat_map(|d| [level.checked_sub(d), Some(level + d).filter(|&l| l < 256)])
                .flatten()
                .map(|l| hist[l] as u64);
            let (sum, count) = near.fold((0, 0), |(s, c), n| (s + n, c + 1));
            let at = hist[level] as u64;
            let flat = at * 2 * count > FLAT_HALVES * sum;
            let share = at * 1_000_000 / total;
            let above = at.saturating_sub(sum / count.max(1));
            (flat && (MIN_SHARE as u64..=MAX_SHARE as u64).contains(&share)).then_some((above, level as u8))
        })
        .collect();
    spikes.sort_unstable_by(|a, b| b.cmp(a));
    let mut bands: Vec<(u8, u8)> = Vec::new();
    for (_, level) in spikes {
        let (low, high) = (level - FLAT_BAND, level + FLAT_BAND);
        let reach =
            |&(l, h): &(u8, u8)| low <= h.saturating_add(FLAT_BAND) && high >= l.saturating_sub(FLAT_BAND);
        if let Some(band) = bands.iter_mut().find(|b| reach(b)) {
            *band = (band.0.min(low), band.1.max(high));
            // A band that grew may now reach another: one band (and room for the next level).
            join(&mut bands);
        } else if bands.len() < FLAT_MOST {
            bands.push((low, high));
        }
    }
    join(&mut bands);
    bands
}

/// Sorts bands and joins those that reach each other.
fn join(bands: &mut Vec<(u8, u8)>) {
    bands.sort_unstable();
    let mut joined: Vec<(u8, u8)> = Vec::with_capacity(bands.len());
    for &(low, high) in bands.iter() {
        match joined.last_mut() {
            Some(last) if low <= last.1.saturating_add(FLAT_BAND) => last.1 = last.1.max(high),
            _ => joined.push((low, high)),
        }
    }
    *bands = joined;
}

/// A speck: a patch of this many dark pixels or fewer, its pixels touching at sides or corners.
const SPECK: usize = 6;
/// Specks are cleared only from a rendering that holds this many or more: one of text, even text
/// drawn in dots, holds far fewer; a picture's speckle at a level held 30,000 to 47,000 in the
/// slow renderings of the synthetic set.
const SPECKLED: usize = 10_000;
/// … and there only those in a square of [`CROWD_SIDE`] pixels a side that holds [`CROWD`] specks
/// or more (by their centres): a line of text's dots, commas and colons are a few to a square.
const CROWD_SIDE: usize = 32;
const CROWD: usize = 16;

/// Clears the specks that crowd a rendering (0 is dark, 255 light), where it holds
/// [`SPECKLED`] or more. Measured on the slowest renderings of the synthetic set: Tesseract's time
/// on one fell from 36.6 s to 0.3 s and from 5.3 s to 2.6 s, and it read the text over the speckle
/// as well or with more confidence. Written here because the labelling is 40 lines and the crate
/// that has one (imageproc) would bring a linear-algebra library and more.
fn despeckle(g: &mut Gray) {
    let (w, h) = (g.width as usize, g.height as usize);
    let mut seen = vec![false; w * h];
    // Every speck's pixels, one after another; each speck: the square its centre is in, and
    // where its pixels begin in that list (they end where the next one's begin).
    let mut pixels: Vec<usize> = Vec::new();
    let mut specks: Vec<(usize, usize)> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if seen[start] || g.pixels[start] != 0 {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let first = pixels.len();
        let mut size = 0usize;
        while let Some(i) = stack.pop() {
            size += 1;
            if size <= SPECK {
                pixels.push(i);
            }
            let (x, y) = (i % w, i / w);
            for ny in y.saturating_sub(1)..(y + 2).min(h) {
                for nx in x.saturating_sub(1)..(x + 2).min(w) {
                    let n = ny * w + nx;
                    if !seen[n] && g.pixels[n] == 0 {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        if size > SPECK {
            pixels.truncate(first);
            continue;
        }
        let (sx, sy) = pixels[first..].iter().fold((0, 0), |(sx, sy), &i| (sx + i % w, sy + i / w));
        let (cx, cy) = (sx / size / CROWD_SIDE, sy / size / CROWD_SIDE);
        specks.push((cy * w.div_ceil(CROWD_SIDE) + cx, first));
    }
    if specks.len() < SPECKLED {
        return;
    }
    let mut crowds = vec![0usize; w.div_ceil(CROWD_SIDE) * h.div_ceil(CROWD_SIDE)];
    for (square, _) in &specks {
        crowds[*square] += 1;
    }
    for (n, &(square, first)) in specks.iter().enumerate() {
        if crowds[square] >= CROWD {
            let end = specks.get(n + 1).map_or(pixels.len(), |next| next.1);
            for &i in &pixels[first..end] {
                g.pixels[i] = 255;
            }
        }
    }
}

/// 255 where a pixel stands out of its neighbourhood, 0 elsewhere (means by an integral image:
/// linear in the pixels whatever the neighbourhood's size).
fn standing_out(g: &Gray) -> Gray {
    let (w, h) = (g.width as usize, g.height as usize);
    let mut sums = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(g.pixels[y * w + x]);
            sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
        }
    }
    let r = NEIGHBOURHOOD / 2;
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = sums[y1 * (w + 1) + x1] + sums[y0 * (w + 1) + x0]
                - sums[y0 * (w + 1) + x1]
                - sums[y1 * (w + 1) + x0];
            let mean = (sum / ((y1 - y0) * (x1 - x0)) as u64) as i32;
            if (i32::from(g.pixels[y * w + x]) - mean).abs() >= STANDS_OUT {
                out[y * w + x] = 255;
            }
        }
    }
    Gray::new(g.width, g.height, out)
}

pub(super) fn enlarge(g: &Gray, scale: u32) -> Gray {
    let img = image::GrayImage::from_raw(g.width, g.height, g.pixels.clone()).expect("sizes agree");
    let big = image::imageops::resize(
        &img,
        g.width * scale,
        g.height * scale,
        image::imageops::FilterType::Triangle,
    );
    Gray::new(big.width(), big.height(), big.into_raw())
}

fn histogram(pixels: &[u8]) -> [usize; 256] {
    let mut hist = [0usize; 256];
    for &p in pixels {
        hist[p as usize] += 1;
    }
    hist
}

fn median(hist: &[usize; 256]) -> u8 {
    let half = hist.iter().sum::<usize>() / 2;
    let mut seen = 0;
    for (level, &n) in hist.iter().enumerate() {
        seen += n;
        if seen > half {
            return level as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests;
