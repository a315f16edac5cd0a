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
//! - the coloured pixels ([`Prepare::colour`]): yellow, green or cyan text over a grey picture.
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
    pub const DEFAULT: Prepare =
        Prepare { scale: 1, invert: true, levels: true, colour: true, contrast: true };
    /// The frame as it is.
    pub const NONE: Prepare =
        Prepare { scale: 1, invert: false, levels: false, colour: false, contrast: false };

    /// The images to read, each with the factor it was enlarged by.
    pub fn renderings(self, frame: &Frame) -> Vec<Gray> {
        let g = &frame.gray;
        let mut out = Vec::new();
        let mut base = g.clone();
        if self.invert && median(&g.pixels) < 128 {
            for p in &mut base.pixels {
                *p = 255 - *p;
            }
        }
        out.push(base);
        let total = g.pixels.len().max(1);
        let mut layer = |on: &dyn Fn(u8) -> bool, source: &Gray| {
            let pixels: Vec<u8> = source.pixels.iter().map(|&p| if on(p) { 0 } else { 255 }).collect();
            let share = pixels.iter().filter(|&&p| p == 0).count() * 1_000_000 / total;
            if (MIN_SHARE..=MAX_SHARE).contains(&share) {
                out.push(Gray::new(source.width, source.height, pixels));
            }
        };
        if self.levels {
            layer(&|p| p >= 240, g);
            layer(&|p| p >= 170, g);
            layer(&|p| p <= 70, g);
        }
        if self.colour
            && let Some(c) = &frame.chroma
        {
            layer(&|p| p >= COLOURED, c);
        }
        if self.contrast {
            layer(&|p| p > 0, &standing_out(g));
        }
        if self.scale > 1 {
            out = out.into_iter().map(|g| enlarge(&g, self.scale)).collect();
        }
        out
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

fn enlarge(g: &Gray, scale: u32) -> Gray {
    let img = image::GrayImage::from_raw(g.width, g.height, g.pixels.clone()).expect("sizes agree");
    let big = image::imageops::resize(
        &img,
        g.width * scale,
        g.height * scale,
        image::imageops::FilterType::Triangle,
    );
    Gray::new(big.width(), big.height(), big.into_raw())
}

fn median(pixels: &[u8]) -> u8 {
    let mut hist = [0usize; 256];
    for &p in pixels {
        hist[p as usize] += 1;
    }
    let half = pixels.len() / 2;
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
mod tests {
    use super::*;

    fn frame(pixels: Vec<u8>, chroma: Option<Vec<u8>>) -> Frame {
        let n = pixels.len() as u32;
        Frame { gray: Gray::new(n, 1, pixels), chroma: chroma.map(|c| Gray::new(n, 1, c)) }
    }

    #[test]
    fn a_dark_ground_turns_light_and_each_level_of_text_is_a_rendering() {
        // Black ground, one white pixel in 1000, one light grey, no colour.
        let mut pixels = vec![0u8; 1000];
        pixels[5] = 255;
        pixels[9] = 200;
        let levels = Prepare { contrast: false, ..Prepare::DEFAULT };
        let r = levels.renderings(&frame(pixels.clone(), None));
        assert_eq!(r[0].pixels[0], 255, "the ground is light");
        assert_eq!(r[0].pixels[5], 0, "the text is dark");
        // White alone (1 in 1000), white and light grey (2 in 1000); no dark level (it is the
        // ground, 998 in 1000).
        assert_eq!(r.len(), 3);
        assert_eq!((r[1].pixels[5], r[1].pixels[9]), (0, 255));
        assert_eq!((r[2].pixels[5], r[2].pixels[9]), (0, 0));
        // Colour: a rendering of the coloured pixels.
        let mut chroma = vec![0u8; 1000];
        chroma[7] = 200;
        let r = levels.renderings(&frame(pixels.clone(), Some(chroma)));
        assert_eq!(r.len(), 4);
        assert_eq!(r[3].pixels[7], 0);
        // Local contrast: the two pixels that stand out of their black neighbourhood.
        let r = Prepare::DEFAULT.renderings(&frame(pixels.clone(), None));
        assert_eq!(r.len(), 4);
        assert_eq!((r[3].pixels[5], r[3].pixels[9], r[3].pixels[0]), (0, 0, 255));
        assert_eq!(Prepare::NONE.renderings(&frame(pixels, None)).len(), 1);
    }

    #[test]
    fn faint_text_stands_out_of_a_plain_ground() {
        // A ground of 245 with a stroke of 180 (65 levels off): only the stroke stands out.
        let mut pixels = vec![245u8; 60 * 60];
        for x in 20..40 {
            pixels[30 * 60 + x] = 180;
        }
        let out = standing_out(&Gray::new(60, 60, pixels));
        assert_eq!(out.pixels.iter().filter(|&&p| p == 255).count(), 20);
        assert_eq!(out.pixels[30 * 60 + 25], 255);
    }

    #[test]
    fn an_enlarged_rendering_is_scaled() {
        let r = Prepare { scale: 2, ..Prepare::NONE }.renderings(&frame(vec![9; 4], None));
        assert_eq!((r[0].width, r[0].height), (8, 2));
    }
}
